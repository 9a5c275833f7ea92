// Multi-tenant isolation: shop A's session (or A's signed storefront/checkout requests) can neither read nor change
// shop B's plays, profiles, events or analytics through any route. The shop always comes from the verified token
// or signature, never from the request.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminStub } from "../helpers/adminStub";
import { startAdminStub, themeFiles } from "../helpers/adminStub";
import { defaultSettings } from "../../app/lib/plays/defaults";

const A = "test-shop.myshopify.com";
const B = "shop-b.myshopify.com";
const B_SECRET_COPY = "Shop B private heading";
let stub: AdminStub;
let prisma: typeof import("../../app/db.server").default;
let h: typeof import("../helpers/shopify");

type Handler = (args: ActionFunctionArgs) => Promise<unknown> | unknown;
async function call(fn: Handler, request: Request, params: Record<string, string> = {}): Promise<Response> {
  try {
    const out = await fn({ request, params, context: {} });
    if (out instanceof Response) return out;
    // Remix `defer` results: the data is already resolved or a promise map.
    const data = (out as { data?: unknown })?.data ?? out;
    return new Response(JSON.stringify(await resolveDeep(data)), { status: 200 });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
async function resolveDeep(v: unknown): Promise<unknown> {
  if (v instanceof Promise) return resolveDeep(await v);
  if (Array.isArray(v)) return Promise.all(v.map(resolveDeep));
  if (v && typeof v === "object") return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolveDeep(x)])));
  return v;
}

async function bSnapshot() {
  const where = { where: { shop: B } };
  return JSON.stringify(
    await Promise.all([
      prisma.playConfig.findMany({ ...where, orderBy: { play: "asc" } }),
      prisma.customerProfile.findMany(where),
      prisma.event.count(where),
      prisma.dailyPlayStat.findMany(where),
    ]),
  );
}

beforeAll(async () => {
  stub = await startAdminStub({
    RecoveryPlaysInstallation: () => ({ currentAppInstallation: { id: "gid://shopify/AppInstallation/1" }, shop: { id: "gid://shopify/Shop/1" } }),
    RecoveryPlaysPublish: () => ({ metafieldsSet: { metafields: [], userErrors: [] } }),
  });
  stub.handlers = new Proxy(stub.handlers, {
    get: (t, k: string) => t[k] ?? (() => ({ shop: { plan: { shopifyPlus: false } }, themes: { nodes: [{ id: "gid://shopify/OnlineStoreTheme/1", name: "Dawn", files: { nodes: themeFiles({ embed: true }) } }] } })),
  });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stub.origin;
  h = await import("../helpers/shopify");
  prisma = (await import("../../app/db.server")).default;
  const { resetDatabase } = await import("../helpers/db");
  await resetDatabase();
  await h.installShop(A);
  await h.installShop(B);
  const { ensureDefaultPlays } = await import("../../app/models/plays.server");
  await ensureDefaultPlays(A);
  await ensureDefaultPlays(B);
  const settings = defaultSettings("confidence");
  settings.message.heading = B_SECRET_COPY;
  await prisma.playConfig.update({ where: { shop_play: { shop: B, play: "confidence" } }, data: { enabled: true, settings: JSON.stringify(settings) } });
  await prisma.customerProfile.create({ data: { shop: B, customerId: "900", ordersCount: 9, netSpend: 900, aov: 100, segment: "CHAMPIONS" } });
  await prisma.event.create({ data: { shop: B, visitorId: "visitor-b-0001", customerId: "900", type: "shown", play: "confidence", arm: "treatment", occurredAt: new Date() } });
  await prisma.dailyPlayStat.create({ data: { shop: B, day: new Date().toISOString().slice(0, 10), play: "confidence", arm: "treatment", eligible: 41, shown: 40, orders: 7, revenue: 777.77 } });
});

afterAll(async () => {
  await stub.close();
});

describe("shop A cannot reach shop B", () => {
  it("GIVEN shop A's session WHEN the Plays page and a play's settings load THEN only A's plays appear (B's copy never)", async () => {
    const plays = await call((await import("../../app/routes/app.plays._index")).loader, await h.adminRequest("/app/plays", { shop: A }));
    const one = await call((await import("../../app/routes/app.plays.$play")).loader, await h.adminRequest("/app/plays/confidence", { shop: A }), { play: "confidence" });
    const text = (await plays.text()) + (await one.text());
    expect(text).not.toContain(B_SECRET_COPY);
    expect(text).toContain("Shop with peace of mind");
  });

  it("GIVEN shop A's session WHEN it saves the Confidence play THEN shop B's rows are unchanged", async () => {
    const before = await bSnapshot();
    const route = await import("../../app/routes/app.plays.$play");
    const loaded = await (await call(route.loader, await h.adminRequest("/app/plays/confidence", { shop: A }), { play: "confidence" })).json();
    const req = await h.adminRequest("/app/plays/confidence", {
      shop: A,
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ intent: "save", version: loaded.record.version, enabled: true, settings: { ...loaded.record.settings, message: { ...loaded.record.settings.message, heading: "A's heading" } } }),
    });
    const res = await call(route.action, req, { play: "confidence" });
    expect(res.status).toBe(200);
    expect(await bSnapshot()).toBe(before);
    const a = await prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop: A, play: "confidence" } } });
    expect(JSON.parse(a.settings).message.heading).toBe("A's heading");
  });

  it("GIVEN shop A's session WHEN it looks up B's customer id THEN nothing is found", async () => {
    const res = await call((await import("../../app/routes/app.customers")).loader, await h.adminRequest("/app/customers?q=900", { shop: A }));
    const body = await res.text();
    expect(body).toContain("not_found");
    expect(body).not.toContain("CHAMPIONS\",\"ordersCount\":9");
  });

  it("GIVEN shop A's session WHEN analytics are exported THEN B's numbers are absent", async () => {
    const res = await call((await import("../../app/routes/app.analytics.csv")).loader, await h.adminRequest("/app/analytics/csv", { shop: A }));
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain("777.77");
  });

  it("GIVEN a storefront request signed for shop A WHEN it names B's customer THEN no profile is returned, and A's events are stored under A", async () => {
    const before = await bSnapshot();
    const profile = await call((await import("../../app/routes/apps.proxy.profile")).loader, h.appProxyRequest("/profile", { shop: A, customerId: "900" }));
    const { customer, visitor } = await profile.json();
    expect(customer).toBeNull();
    // The visitor A's profile endpoint issued, with its server arm.
    const body = JSON.stringify({ visitorId: visitor.id, events: [{ type: "shown", play: "confidence", arm: visitor.arms.confidence, ts: Date.now() }] });
    const ev = await call((await import("../../app/routes/apps.proxy.events")).action, h.appProxyRequest("/events", { shop: A, method: "POST", body }));
    expect(ev.status).toBe(202);
    expect(await prisma.event.count({ where: { shop: A, visitorId: visitor.id } })).toBe(1);
    expect(await bSnapshot()).toBe(before);
  });

  it("GIVEN a checkout token issued for shop A WHEN it carries B's customer as sub THEN no profile of B is returned", async () => {
    const res = await call((await import("../../app/routes/api.checkout.profile")).loader, await h.checkoutRequest("/api/checkout/profile", { shop: A, customerId: "900" }));
    expect(res.status).toBe(200);
    expect((await res.json()).customer).toBeNull();
  });
});
