// Embedded admin authentication: a loader called with a real session token (JWT signed with the app secret, as
// App Bridge sends it) answers 200; a forged or expired token never reaches the page's data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import type { AdminStub } from "../helpers/adminStub";
import { startAdminStub } from "../helpers/adminStub";

let stub: AdminStub;
let h: typeof import("../helpers/shopify");
let route: typeof import("../../app/routes/app.settings");

async function call(request: Request) {
  try {
    const out = await route.loader({ request, params: {}, context: {} });
    return out instanceof Response ? out : new Response(JSON.stringify(out), { status: 200 });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

beforeAll(async () => {
  stub = await startAdminStub({});
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stub.origin;
  h = await import("../helpers/shopify");
  route = await import("../../app/routes/app.settings");
  await (await import("../helpers/db")).resetDatabase();
  await h.installShop();
});
afterAll(() => stub.close());

describe("admin session tokens", () => {
  it("GIVEN a session token signed with the app secret WHEN an admin loader runs THEN 200 with the shop's data", async () => {
    const res = await call(await h.adminRequest("/app/settings"));
    expect(res.status).toBe(200);
  });

  it("GIVEN a token signed with another secret WHEN an admin loader runs THEN it is rejected (401), no data", async () => {
    const res = await call(await h.adminRequest("/app/settings", { secret: "forged-secret" }));
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain("retention");
  });

  it("GIVEN an expired token WHEN an admin loader runs THEN it is rejected with a retry header for App Bridge", async () => {
    const { token } = await getJwt(h.TEST_SHOP.replace(".myshopify.com", ""), h.API_KEY, h.API_SECRET_KEY, { exp: Math.floor(Date.now() / 1000) - 60 });
    const res = await call(new Request(`${h.APP_URL}/app/settings`, { headers: { Authorization: `Bearer ${token}` } }));
    expect(res.status).toBe(401);
    expect(res.headers.get("X-Shopify-Retry-Invalid-Session-Request")).toBe("1");
  });

  it("GIVEN a token for another app (wrong audience) WHEN an admin loader runs THEN it is rejected", async () => {
    const { token } = await getJwt(h.TEST_SHOP.replace(".myshopify.com", ""), "another-app-key", h.API_SECRET_KEY);
    const res = await call(new Request(`${h.APP_URL}/app/settings`, { headers: { Authorization: `Bearer ${token}` } }));
    expect(res.status).toBe(401);
  });
});
