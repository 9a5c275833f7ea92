import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../index";
import { Shopper, type TestStorefront, startStorefront } from "../testing";

let store: TestStorefront;
beforeAll(async () => {
  store = await startStorefront();
});
afterAll(() => store.close());

const login = (s: Shopper, email: string, password: string) =>
  s.postForm("/account/login", { form_type: "customer_login", "customer[email]": email, "customer[password]": password });

describe("customer accounts", () => {
  it("GIVEN a seeded customer WHEN they log in with their password THEN they land on /account with their orders", async () => {
    const s = new Shopper(store.url);
    const res = await login(s, "VIP@example.com", "hunter22");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/account");
    const html = await s.html("/account");
    expect(html).toContain("Welcome back, Vera.");
    expect(html).toContain("#1001");
  });

  it("GIVEN a wrong password WHEN logging in THEN the login page shows an error and no session is made", async () => {
    const s = new Shopper(store.url);
    const res = await login(s, "vip@example.com", "nope");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Incorrect email or password.");
    expect(html).toContain('value="vip@example.com"');
    expect((await s.get("/account")).headers.get("location")).toBe("/account/login");
  });

  it("GIVEN a customer seeded without a password WHEN they log in with the demo password THEN it works", async () => {
    const s = new Shopper(store.url);
    expect((await login(s, "new@example.com", DEMO_PASSWORD)).headers.get("location")).toBe("/account");
  });

  it("GIVEN a logged-in customer WHEN a page renders THEN the Liquid customer object is there", async () => {
    const s = new Shopper(store.url);
    await login(s, "vip@example.com", "hunter22");
    const html = await s.html("/");
    expect(html).toContain('href="/account">Account</a>');
  });

  it("GIVEN a logged-in customer WHEN they log out THEN /account asks them to log in again", async () => {
    const s = new Shopper(store.url);
    await login(s, "vip@example.com", "hunter22");
    const res = await s.get("/account/logout");
    expect(res.headers.get("location")).toBe("/");
    expect((await s.get("/account")).headers.get("location")).toBe("/account/login");
  });

  it("GIVEN an anonymous shopper WHEN /account is opened THEN they are sent to the login page", async () => {
    expect((await new Shopper(store.url).get("/account")).headers.get("location")).toBe("/account/login");
  });

  it("GIVEN a return_to pointing off-site WHEN logging in THEN the redirect stays on the store", async () => {
    const s = new Shopper(store.url);
    const res = await s.postForm("/account/login", { "customer[email]": "vip@example.com", "customer[password]": "hunter22", return_to: "//evil.example/" });
    expect(res.headers.get("location")).toBe("/account");
  });
});
