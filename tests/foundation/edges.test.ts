import type { ActionFunctionArgs } from "@remix-run/node";
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../helpers/db";
import prisma from "../../app/db.server";
import { loader as proxyProfile } from "../../app/routes/apps.proxy.profile";
import { action as proxyEvents } from "../../app/routes/apps.proxy.events";
import { loader as checkoutProfile, action as checkoutProfileAction } from "../../app/routes/api.checkout.profile";
import { action as checkoutEvents } from "../../app/routes/api.checkout.events";
import { issuedVisitorFor, signedVisitorFor } from "../helpers/visitors";
import { appProxyRequest, checkoutRequest, installShop, TEST_SHOP } from "../helpers/shopify";

type Handler = (args: ActionFunctionArgs) => Promise<Response> | Response;
async function call(fn: Handler, request: Request) {
  try {
    return await fn({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const now = () => Date.now();
function batch(visitorId = "visitor-0001", n = 2) {
  return JSON.stringify({
    visitorId,
    events: Array.from({ length: n }, (_, i) => ({ type: "page_view", pageType: "product", path: `/products/p${i}`, occurredAt: now() })),
  });
}

async function seedProfile(customerId: string) {
  await prisma.customerProfile.create({
    data: { shop: TEST_SHOP, customerId, ordersCount: 6, netSpend: 600, aov: 100, segment: "CHAMPIONS", lastOrderAt: new Date() },
  });
}

describe("app proxy", () => {
  beforeEach(resetDatabase);

  it("GIVEN a signed request for a logged-in customer WHEN the profile is read THEN their context is returned", async () => {
    await installShop();
    await seedProfile("77");
    const res = await call(proxyProfile, appProxyRequest("/profile", { customerId: "77" }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.customer).toMatchObject({ segment: "CHAMPIONS", ordersCount: 6, aov: 100 });
  });

  it("GIVEN a logged-out shopper who adds customer_id=77 WHEN the profile is read THEN nothing personal is returned", async () => {
    await installShop();
    await seedProfile("77");
    const res = await call(proxyProfile, appProxyRequest("/profile", { extra: { customer_id: "77" } }));
    expect(res.status).toBe(200);
    expect((await res.json()).customer).toBeNull();
  });

  it("GIVEN a forged signature WHEN the profile is read THEN 401", async () => {
    await installShop();
    const res = await call(proxyProfile, appProxyRequest("/profile", { customerId: "77", secret: "attacker" }));
    expect(res.status).toBe(401);
  });

  it("GIVEN a replayed request signed 10 minutes ago WHEN events are posted THEN 401 and nothing is stored", async () => {
    await installShop();
    const old = Math.floor(Date.now() / 1000) - 600;
    const res = await call(proxyEvents, appProxyRequest("/events", { method: "POST", body: batch(), timestamp: old }));
    expect(res.status).toBe(401);
    expect(await prisma.event.count()).toBe(0);
  });

  it("GIVEN a valid batch WHEN posted THEN 202 and every event is stored with the signed customer id", async () => {
    await installShop();
    // Only visitor ids the app signed are stored.
    const res = await call(proxyEvents, appProxyRequest("/events", { method: "POST", body: batch(await signedVisitorFor(TEST_SHOP), 3), customerId: "9" }));
    expect(res.status).toBe(202);
    expect((await res.json()).stored).toBe(3);
    expect(await prisma.event.count({ where: { shop: TEST_SHOP, customerId: "9" } })).toBe(3);
  });

  it("GIVEN the storefront's own wire format (ts, text/plain beacon) WHEN posted THEN every event is stored", async () => {
    await installShop();
    const visitor = await issuedVisitorFor(TEST_SHOP);
    const beacon = JSON.stringify({
      visitorId: visitor.id,
      events: [
        { type: "page_view", pageType: "info", path: "/policies/refund-policy", ts: Date.now() },
        { type: "eligible", play: "confidence", arm: visitor.arms.confidence, ts: Date.now() },
      ],
    });
    const res = await call(proxyEvents, appProxyRequest("/events", { method: "POST", body: beacon }));
    expect(res.status).toBe(202);
    expect(await prisma.event.count({ where: { visitorId: visitor.id } })).toBe(2);
  });

  it("GIVEN malformed JSON WHEN posted THEN 400 with a clear message", async () => {
    await installShop();
    const res = await call(proxyEvents, appProxyRequest("/events", { method: "POST", body: "{not json" }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/JSON/);
  });

  it("GIVEN a 1 MB body WHEN posted THEN 413 and nothing is stored", async () => {
    await installShop();
    const res = await call(proxyEvents, appProxyRequest("/events", { method: "POST", body: "x".repeat(1 << 20) }));
    expect(res.status).toBe(413);
    expect(await prisma.event.count()).toBe(0);
  });

  it("GIVEN an uninstalled shop WHEN the storefront calls THEN 404 and nothing is stored", async () => {
    await installShop();
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date() } });
    const res = await call(proxyEvents, appProxyRequest("/events", { method: "POST", body: batch() }));
    expect(res.status).toBe(404);
    expect(await prisma.event.count()).toBe(0);
  });
});

describe("checkout endpoints", () => {
  beforeEach(resetDatabase);

  it("GIVEN a valid session token for a logged-in buyer WHEN the profile is read THEN 200 with CORS and their context", async () => {
    await installShop();
    await seedProfile("55");
    const res = await call(checkoutProfile, await checkoutRequest("/api/checkout/profile", { customerId: "55" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect((await res.json()).customer).toMatchObject({ segment: "CHAMPIONS" });
  });

  it("GIVEN a token signed with another secret WHEN the profile is read THEN 401 with CORS", async () => {
    await installShop();
    const res = await call(checkoutProfile, await checkoutRequest("/api/checkout/profile", { customerId: "55", secret: "forged" }));
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("GIVEN an expired token WHEN the profile is read THEN 401", async () => {
    await installShop();
    const exp = Math.floor(Date.now() / 1000) - 120;
    const res = await call(checkoutProfile, await checkoutRequest("/api/checkout/profile", { customerId: "55", exp }));
    expect(res.status).toBe(401);
  });

  it("GIVEN a CORS preflight WHEN OPTIONS arrives THEN 204 with the allowed headers", async () => {
    const req = new Request("https://my-test-app.myshopify.io/api/checkout/profile", {
      method: "OPTIONS",
      headers: { Origin: "https://extensions.shopifycdn.com", "Access-Control-Request-Headers": "authorization" },
    });
    const res = await call(checkoutProfileAction, req);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
  });

  it("GIVEN a valid token WHEN checkout events are posted THEN 202 and they are stored", async () => {
    await installShop();
    const visitor = await issuedVisitorFor(TEST_SHOP);
    const body = JSON.stringify({
      visitorId: visitor.id,
      events: [{ type: "shown", play: "vip", arm: visitor.arms.vip, occurredAt: Date.now() }],
    });
    const res = await call(checkoutEvents, await checkoutRequest("/api/checkout/events", { method: "POST", body }));
    expect(res.status).toBe(202);
    expect(await prisma.event.count({ where: { play: "vip", type: "shown" } })).toBe(1);
  });
});
