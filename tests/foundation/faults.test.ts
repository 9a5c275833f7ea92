// The database is unreachable (a PostgreSQL URL where nothing listens): every edge answers a clean 503 with a
// message, never a crash, and no event is acknowledged as stored.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { appProxyRequest, checkoutRequest, webhookRequest } from "../helpers/shopify";

type Handler = (args: ActionFunctionArgs) => Promise<Response> | Response;
let routes: Record<string, Handler>;

// The session storage library logs every failed connection attempt in full; keep the test output readable.
const quiet = [vi.spyOn(console, "error").mockImplementation(() => undefined), vi.spyOn(console, "log").mockImplementation(() => undefined)];
afterAll(() => quiet.forEach((s) => s.mockRestore()));

beforeAll(async () => {
  process.env.DATABASE_URL = "postgresql://root@127.0.0.1:1/closed";
  routes = {
    events: (await import("../../app/routes/apps.proxy.events")).action,
    profile: (await import("../../app/routes/apps.proxy.profile")).loader,
    checkout: (await import("../../app/routes/api.checkout.events")).action,
    uninstalled: (await import("../../app/routes/webhooks.app.uninstalled")).action,
    health: (await import("../../app/routes/healthz")).loader,
  };
});

async function call(fn: Handler, request: Request) {
  try {
    return await fn({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const body = JSON.stringify({ visitorId: "visitor-0001", events: [{ type: "page_view", occurredAt: Date.now() }] });

describe("database unavailable", () => {
  it("GIVEN a closed database WHEN the storefront posts events THEN 503 and nothing is acknowledged", async () => {
    const res = await call(routes.events, appProxyRequest("/events", { method: "POST", body }));
    expect(res.status).toBe(503);
    expect(await res.text()).not.toMatch(/stored/);
  });

  it("GIVEN a closed database WHEN the storefront reads a profile THEN 503", async () => {
    const res = await call(routes.profile, appProxyRequest("/profile", { customerId: "1" }));
    expect(res.status).toBe(503);
  });

  it("GIVEN a closed database WHEN checkout posts events THEN 503 with CORS", async () => {
    const res = await call(routes.checkout, await checkoutRequest("/api/checkout/events", { method: "POST", body }));
    expect(res.status).toBe(503);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("GIVEN a closed database WHEN a valid webhook arrives THEN 503 so Shopify retries", async () => {
    const res = await call(routes.uninstalled, webhookRequest("app/uninstalled", { id: 1 }));
    expect(res.status).toBe(503);
  });

  it("GIVEN a closed database WHEN a bad-HMAC webhook arrives THEN still 401", async () => {
    const res = await call(routes.uninstalled, webhookRequest("app/uninstalled", { id: 1 }, { hmac: "bad" }));
    expect(res.status).toBe(401);
  });

  it("GIVEN a closed database WHEN the health check runs THEN 503", async () => {
    const res = await call(routes.health, new Request("http://x/healthz"));
    expect(res.status).toBe(503);
  });
});
