import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { shopifyApi, ApiVersion } from "@shopify/shopify-api";
import "@shopify/shopify-api/adapters/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Shopper, TEST_API_SECRET, TEST_SHOP, type TestStorefront, startStorefront } from "../testing";

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: http.IncomingHttpHeaders;
}

let app: http.Server;
let appUrl: string;
const seen: Seen[] = [];
let store: TestStorefront;

/** Independent implementation of Shopify's documented algorithm, for checking the dev store's signature. */
function expectedSignature(query: URLSearchParams): string {
  const grouped: Record<string, string[]> = {};
  for (const [k, v] of query) if (k !== "signature") (grouped[k] ??= []).push(v);
  const message = Object.entries(grouped)
    .map(([k, v]) => `${k}=${v.join(",")}`)
    .sort()
    .join("");
  return createHmac("sha256", TEST_API_SECRET).update(message).digest("hex");
}

beforeAll(async () => {
  app = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://app");
      seen.push({ method: req.method!, path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks).toString(), headers: req.headers });
      if (url.pathname.endsWith("/liquid")) {
        res.writeHead(200, { "content-type": "application/liquid" });
        res.end("<p class='from-app'>Hello from {{ shop.name }}</p>");
        return;
      }
      if (url.pathname.endsWith("/slow")) return; // never answers
      res.writeHead(201, { "content-type": "application/json", "set-cookie": "app=1" });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  store = await startStorefront({ appUrl, options: { proxyTimeoutMs: 500 } });
});
afterAll(async () => {
  await store.close();
  app.closeAllConnections();
  await new Promise<void>((r) => app.close(() => r()));
});

const last = () => seen[seen.length - 1];

describe("app proxy", () => {
  it("GIVEN an anonymous shopper WHEN /apps/recovery-plays/profile is requested THEN it reaches the app's proxy URL with Shopify's parameters", async () => {
    const res = await new Shopper(store.url).get("/apps/recovery-plays/profile?x=1");
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    const req = last();
    expect(req.path).toBe("/apps/proxy/profile");
    expect(req.query.get("shop")).toBe(TEST_SHOP);
    expect(req.query.get("logged_in_customer_id")).toBe("");
    expect(req.query.get("path_prefix")).toBe("/apps/recovery-plays");
    expect(req.query.get("x")).toBe("1");
    expect(Math.abs(Number(req.query.get("timestamp")) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("GIVEN a forwarded request WHEN its signature is recomputed independently THEN it matches", async () => {
    await new Shopper(store.url).get("/apps/recovery-plays/profile?extra=1&extra=2&b=z");
    const { query } = last();
    expect(query.get("signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(query.get("signature")).toBe(expectedSignature(query));
  });

  it("GIVEN a forwarded request WHEN the Shopify library validates it THEN it is accepted", async () => {
    await new Shopper(store.url).get("/apps/recovery-plays/profile?a=1");
    const api = shopifyApi({ apiKey: "k", apiSecretKey: TEST_API_SECRET, apiVersion: ApiVersion.July26, hostName: "app.example", isEmbeddedApp: true });
    const valid = await api.utils.validateHmac(Object.fromEntries(last().query), { signator: "appProxy" });
    expect(valid).toBe(true);
  });

  it("GIVEN a shopper who forges logged_in_customer_id and signature WHEN the request is forwarded THEN the forged values are stripped", async () => {
    await new Shopper(store.url).get("/apps/recovery-plays/profile?logged_in_customer_id=9001&signature=deadbeef&shop=evil.myshopify.com");
    const { query } = last();
    expect(query.getAll("logged_in_customer_id")).toEqual([""]);
    expect(query.getAll("shop")).toEqual([TEST_SHOP]);
    expect(query.getAll("signature")).toEqual([expectedSignature(query)]);
  });

  it("GIVEN a logged-in customer WHEN a proxy request is made THEN logged_in_customer_id is that customer's id", async () => {
    const s = new Shopper(store.url);
    await s.postForm("/account/login", { "customer[email]": "vip@example.com", "customer[password]": "hunter22" });
    await s.get("/apps/recovery-plays/profile");
    expect(last().query.get("logged_in_customer_id")).toBe("9001");
    expect(last().query.get("signature")).toBe(expectedSignature(last().query));
  });

  it("GIVEN a POST with a body (sendBeacon) WHEN proxied THEN the body and content type reach the app and cookies don't", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const body = JSON.stringify({ visitorId: "v1", events: [{ type: "page_view" }] });
    const res = await s.fetch("/apps/recovery-plays/events", { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, body });
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toBeNull();
    const req = last();
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/apps/proxy/events");
    expect(req.body).toBe(body);
    expect(req.headers["content-type"]).toBe("text/plain;charset=UTF-8");
    expect(req.headers.cookie).toBeUndefined();
  });

  it("GIVEN the app answers application/liquid WHEN proxied THEN the storefront renders it inside the theme", async () => {
    const html = await new Shopper(store.url).html("/apps/recovery-plays/liquid");
    expect(html).toContain("<p class='from-app'>Hello from Test Shop</p>");
    expect(html).toContain('id="shopify-section-header"');
  });

  it("GIVEN an app that never answers WHEN proxied THEN the shopper gets 504", async () => {
    const res = await new Shopper(store.url).get("/apps/recovery-plays/slow");
    expect(res.status).toBe(504);
  });

  it("GIVEN the app is down WHEN proxied THEN the shopper gets 502", async () => {
    const down = await startStorefront({ appUrl: "http://127.0.0.1:9" });
    try {
      expect((await new Shopper(down.url).get("/apps/recovery-plays/profile")).status).toBe(502);
    } finally {
      await down.close();
    }
  });
});
