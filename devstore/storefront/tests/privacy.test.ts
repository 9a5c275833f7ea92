import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentFromCookie } from "../privacy";
import { Shopper, type TestStorefront, startStorefront } from "../testing";

let store: TestStorefront;
beforeAll(async () => {
  store = await startStorefront();
});
afterAll(() => store.close());

const consentIn = (html: string) => JSON.parse(/var C=(\{[^}]*\});/.exec(html)![1]) as Record<string, boolean>;

describe("Customer Privacy API stand-in", () => {
  it("GIVEN no consent switch WHEN a page renders THEN tracking is allowed without a banner (no consent required)", async () => {
    const html = await new Shopper(store.url).html("/");
    expect(consentIn(html)).toMatchObject({ required: false, analytics: true, marketing: true });
    expect(html).not.toContain('id="consent-banner"');
  });

  it("GIVEN ?consent=denied WHEN pages render THEN analytics and marketing are refused, also on the next page (cookie)", async () => {
    const s = new Shopper(store.url);
    expect(consentIn(await s.html("/?consent=denied"))).toMatchObject({ collected: true, analytics: false, marketing: false });
    expect(consentIn(await s.html("/cart"))).toMatchObject({ collected: true, analytics: false });
  });

  it("GIVEN ?consent=granted WHEN a page renders THEN every purpose is allowed", async () => {
    const html = await new Shopper(store.url).html("/?consent=granted");
    expect(consentIn(html)).toMatchObject({ collected: true, analytics: true, marketing: true, preferences: true, saleOfData: true });
  });

  it("GIVEN ?consent=required WHEN a page renders THEN nothing is allowed and the banner is shown", async () => {
    const html = await new Shopper(store.url).html("/?consent=required");
    expect(consentIn(html)).toMatchObject({ required: true, collected: false, analytics: false });
    expect(html).toContain('id="consent-banner"');
    expect(html).toContain("visitorConsentCollected");
  });

  it("GIVEN a consent switch WHEN reset THEN the default applies again", async () => {
    const s = new Shopper(store.url);
    await s.get("/?consent=denied");
    expect(consentIn(await s.html("/?consent=reset"))).toMatchObject({ required: false, analytics: true });
    expect(s.cookies.has("_tracking_consent")).toBe(false);
  });

  it("GIVEN the cookie the banner writes WHEN it is read back THEN partial consent is kept per purpose", () => {
    expect(consentFromCookie("a1m0p1s0")).toEqual({ required: true, collected: true, analytics: true, marketing: false, preferences: true, saleOfData: false });
  });
});
