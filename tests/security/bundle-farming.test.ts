// The bundle-code farming attack, replayed through the dev store's signed app proxy (the storefront path
// /apps/recovery-plays/* that the dev store signs and forwards, as Shopify does) against the app's real route
// modules, with the discount and its single-use codes living in the dev store's Admin API and checkout.
//
// The attack: no login, a script asks the profile endpoint for fresh signed visitor ids, keeps the ones in the
// treatment arm, reports the offer as shown for each, and asks for the bundle code again and again — then uses
// what it farmed on as many orders as it likes. Before single-use codes, every one of those requests returned the
// shop's ONE code, good for unlimited orders of any 2+ item cart.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSettings } from "../../app/lib/plays/defaults";
import type { DevStore } from "../../devstore/server";
import { BUNDLE_LINE_PROPERTY } from "../../app/lib/discounts/bundleFunction";

type Handler = (args: { request: Request; params: Record<string, string>; context: unknown }) => Promise<unknown> | unknown;

let store: DevStore;
let app: http.Server;
let shop = "";
let prisma: typeof import("../../app/db.server").default;
const orders: Record<string, unknown>[] = [];

/** The app's proxy routes behind a plain HTTP server (what the dev store's proxy forwards to). */
async function startApp(): Promise<http.Server> {
  type Route = { loader?: Handler; action?: Handler };
  const routes: Record<string, Route> = {
    "/apps/proxy/profile": (await import("../../app/routes/apps.proxy.profile")) as unknown as Route,
    "/apps/proxy/events": (await import("../../app/routes/apps.proxy.events")) as unknown as Route,
    "/apps/proxy/bundle": (await import("../../app/routes/apps.proxy.bundle")) as unknown as Route,
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // orders/create as the dev store delivers it: kept for the test to attribute (the handler's own step).
    if (url.pathname === "/webhooks/orders/create") {
      orders.push(JSON.parse(body.toString("utf8")) as Record<string, unknown>);
      res.writeHead(200).end();
      return;
    }
    const route = routes[url.pathname];
    const fn = req.method === "GET" ? route?.loader : route?.action;
    if (!fn) {
      res.writeHead(req.url?.startsWith("/webhooks/") ? 200 : 404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(url.toString().replace("http://127.0.0.1", `http://127.0.0.1:${(server.address() as AddressInfo).port}`), {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    let response: Response;
    try {
      response = (await fn({ request, params: {}, context: {} })) as Response;
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

const storefront = (path: string, init?: RequestInit) => fetch(`${store.url}/apps/recovery-plays${path}`, init);
const postJson = (path: string, body: unknown) => storefront(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** One farming round: a fresh signed id; if treated, a forged-for-itself "shown" report, then the code request. */
async function farmOnce(): Promise<{ status: number; code?: string } | null> {
  const profile = (await (await storefront("/profile")).json()) as { visitor: { id: string; arms: Record<string, string> } };
  if (profile.visitor.arms.deal_seeker !== "treatment") return null;
  const vid = profile.visitor.id;
  const shown = await postJson("/events", { visitorId: vid, events: [{ type: "shown", play: "deal_seeker", arm: "treatment", ts: Date.now() }] });
  expect(shown.status).toBe(202);
  const res = await postJson("/bundle", { visitorId: vid });
  return { status: res.status, code: res.ok ? ((await res.json()) as { code: string }).code : undefined };
}

/** A shopper (new cookie jar) buying two items with `code`: the checkout's status. */
async function buy(code: string): Promise<number> {
  const { Shopper } = await import("../../devstore/storefront/testing");
  const shopper = new Shopper(store.url);
  // The two lines the storefront adds as the bundle (tagged), which the bundle discount Function discounts.
  const variants = store.state.products.flatMap((p) => p.variants).filter((v) => Number(v.price) > 0).slice(0, 2);
  expect((await shopper.postJson("/cart/add.js", { items: variants.map((v) => ({ id: Number(v.id), quantity: 1, properties: { [BUNDLE_LINE_PROPERTY]: "1" } })) })).status).toBe(200);
  await shopper.postJson("/cart/update.js", { discount: code });
  return (await shopper.postForm("/checkout", {})).status;
}

beforeAll(async () => {
  const { startDevStore } = await import("../../devstore/server");
  const { devStoreAdmin } = await import("../helpers/devstore");
  const h = await import("../helpers/shopify");
  prisma = (await import("../../app/db.server")).default;
  const { resetDatabase } = await import("../helpers/db");
  await resetDatabase();
  app = await startApp();
  store = await startDevStore({
    port: 0,
    appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    apiKey: process.env.SHOPIFY_API_KEY!,
    apiSecret: process.env.SHOPIFY_API_SECRET!,
    seed: 3,
    size: "test",
    quiet: true,
    webhookRetries: 0,
  });
  shop = store.shopDomain;
  await h.installShop(shop);
  const { ensureDefaultPlays, getPlay } = await import("../../app/models/plays.server");
  const { syncBundleDiscount } = await import("../../app/models/discounts.server");
  await ensureDefaultPlays(shop);
  // The merchant's budget: 5 codes a day (the pool holds more: the budget, not the pool, is what stops the farm).
  const settings = { ...defaultSettings("deal_seeker"), bundleCodesPerDay: 5 };
  await prisma.playConfig.update({ where: { shop_play: { shop, play: "deal_seeker" } }, data: { enabled: true, settings: JSON.stringify(settings) } });
  await syncBundleDiscount(shop, await devStoreAdmin(store, process.env.SHOPIFY_API_KEY!, process.env.SHOPIFY_API_SECRET!), await getPlay(shop, "deal_seeker"));
});
afterAll(async () => {
  await store?.stop();
  await new Promise((r) => app?.close(r));
});

describe("bundle-code farming through the dev store's signed app proxy", () => {
  it("GIVEN a made-up visitor id WHEN it asks for a code through the proxy THEN 403 and no code", async () => {
    const res = await postJson("/bundle", { visitorId: "made-up-visitor-0001" });
    expect(res.status).toBe(403);
    expect(await prisma.bundleCode.count({ where: { shop, state: "issued" } })).toBe(0);
  });

  it("GIVEN a script farming fresh treated ids WHEN it asks for codes THEN each code is different, the daily budget stops it at 5, and each farmed code buys one order only", async () => {
    const results: { status: number; code?: string }[] = [];
    for (let i = 0; i < 40 && results.length < 8; i++) {
      const r = await farmOnce();
      if (r) results.push(r);
    }
    const codes = results.filter((r) => r.status === 200).map((r) => r.code!);
    expect(codes).toHaveLength(5);
    expect(new Set(codes).size).toBe(5);
    expect(results.slice(5).map((r) => r.status)).toEqual([429, 429, 429]);

    // The farmed codes are spent one order each at the dev store's checkout; a second order with one is refused.
    expect(await buy(codes[0]!)).toBe(303);
    expect(await buy(codes[0]!)).toBe(422);
    for (let i = 0; i < 200 && orders.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(orders).toHaveLength(1);

    // The order was not placed by the visitor the code was issued to: the leak report counts it.
    const { attributeOrder, orderWebhookSchema } = await import("../../app/models/attribution.server");
    const { bundleCodeLeaks } = await import("../../app/models/bundleCodes.server");
    await attributeOrder(shop, orderWebhookSchema.parse(orders[0]));
    expect(await bundleCodeLeaks(shop, new Date(Date.now() - 3_600_000))).toMatchObject({ discountedOrders: 1, leakedOrders: 1 });
  });
});
