// Checkout behaviour into the profile, against the dev store: the app activates its web pixel, the dev store's
// checkout runs it sandboxed and publishes Shopify's standard checkout events to it, the pixel posts them to the
// app's endpoint, the shopper leaves, Shopify lists the abandoned checkout, the app joins it to the session and
// the profile says "abandoned at payment, twice".
import http from "node:http";
import type { AddressInfo } from "node:net";
import vm from "node:vm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin, merchantAdmin } from "../../tests/helpers/devstore";
import { Shopper } from "../../devstore/storefront/testing";
import { newBrowserStore, runPixelPage } from "../../devstore/storefront/pixel";
import { resetCheckouts } from "../../devstore/admin/checkouts";
import { action as pixelRoute } from "../routes/api.pixel.events";
import prisma from "../db.server";
import { ABANDONED_EVENT_TYPE, PIXEL_EVENT_TYPE } from "../lib/profile-out/checkout";
import { signNewVisitorId, visitorKey } from "./visitors.server";
import { abandonRates, ensureProfileDefinitions, ensureWebPixel, pixelKey, profileValues, syncAbandonedCheckouts } from "./profileOut.server";

const API_KEY = "pixel-key";
const API_SECRET = process.env.SHOPIFY_API_SECRET!;
let app: http.Server;
let appUrl: string;
let store: DevStore;
let admin: Awaited<ReturnType<typeof devStoreAdmin>>;
let shop: string;

beforeAll(async () => {
  // The app's pixel endpoint, served by the route module itself.
  app = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request = new Request(`http://app.test${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: req.method === "GET" ? undefined : Buffer.concat(chunks) });
    const out = await pixelRoute({ request, params: {}, context: {} } as never);
    res.writeHead(out.status, Object.fromEntries(out.headers)).end(Buffer.from(await out.arrayBuffer()));
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  store = await startDevStore({ port: 0, appUrl, apiKey: API_KEY, apiSecret: API_SECRET, seed: 12, size: "test", quiet: true, webhookRetries: 0 });
  admin = await devStoreAdmin(store, API_KEY, API_SECRET);
  shop = store.shopDomain;
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: { uninstalledAt: null } });
  await ensureProfileDefinitions(admin);
  expect(await ensureWebPixel(shop, admin, appUrl)).toMatchObject({ status: "active" });
});
afterAll(async () => {
  await store?.stop();
  await new Promise<void>((r) => app.close(() => r()));
});
beforeEach(async () => {
  await prisma.event.deleteMany({ where: { shop } });
  resetCheckouts(store.state);
});

/** A logged-in customer whose cart carries the app's signed visitor id, with one signed storefront event. */
async function knownShopper(customerIndex: number, consent?: string) {
  const c = store.state.customers.filter((x) => x.email)[customerIndex]!;
  const s = new Shopper(store.url);
  if (consent) s.cookies.set("_tracking_consent", consent);
  await s.postForm("/account/login", { "customer[email]": c.email, "customer[password]": c.password || "password" });
  const visitorId = signNewVisitorId((await visitorKey(shop))!);
  await prisma.event.create({ data: { shop, visitorId, customerId: c.id, type: "page_view", path: "/", occurredAt: new Date(Date.now() - 60_000) } });
  return { customer: c, shopper: s, visitorId };
}

async function checkoutAndLeave(s: Shopper, visitorId: string, sections: string[]) {
  const product = store.state.products[0]!;
  await s.postJson("/cart/add.js", { id: Number(product.variants[0]!.id), quantity: 1 });
  await s.postJson("/cart/update.js", { attributes: { _rp_vid: visitorId } });
  expect((await s.get("/checkout")).status).toBe(200);
  for (const section of sections) expect((await s.postForm("/checkout", { section })).status).toBe(303);
  // The shopper leaves: ten minutes later Shopify lists the checkout as abandoned.
  await fetch(`${store.url}/__devstore/checkouts/age`, { method: "POST", body: JSON.stringify({ ms: 11 * 60_000 }) });
  // A new checkout next time (the dev store keys checkouts by cart; a fresh cart is a fresh checkout).
  s.cookies.delete("cart");
}

describe("checkout steps from the web pixel", () => {
  it("GIVEN the app's pixel is active and the shopper consented WHEN they go through checkout sections THEN the app stores each step for the signed visitor and its customer", async () => {
    const { customer, shopper, visitorId } = await knownShopper(0);
    await checkoutAndLeave(shopper, visitorId, ["contact", "shipping"]);
    const steps = await prisma.event.findMany({ where: { shop, type: PIXEL_EVENT_TYPE }, orderBy: { id: "asc" } });
    expect(steps.map((e) => e.pageType)).toEqual(["contact", "shipping", "shipping", "payment"]);
    expect(new Set(steps.map((e) => e.visitorId))).toEqual(new Set([visitorId]));
    expect(new Set(steps.map((e) => e.customerId))).toEqual(new Set([customer.id]));
    expect(steps.every((e) => e.arm === null && e.play === null && e.value === null)).toBe(true);
  });

  it("GIVEN a shopper who declined analytics WHEN they go through checkout THEN Shopify does not load the pixel and the app stores no step", async () => {
    const { shopper, visitorId } = await knownShopper(1, "a0m0p0s0");
    await checkoutAndLeave(shopper, visitorId, ["contact"]);
    expect(await prisma.event.count({ where: { shop, type: PIXEL_EVENT_TYPE } })).toBe(0);
  });
});

describe("abandoned checkouts joined to sessions", () => {
  it("GIVEN a customer who stalled at payment twice WHEN the app reads Shopify's abandoned checkouts THEN the profile says payment, twice, and the customer's metafields carry it", async () => {
    const { customer, shopper, visitorId } = await knownShopper(2);
    await checkoutAndLeave(shopper, visitorId, ["contact", "shipping"]);
    await checkoutAndLeave(shopper, visitorId, ["contact", "shipping"]);
    const r = await syncAbandonedCheckouts(shop, admin);
    expect(r).toEqual({ status: "ok", stored: 2, seen: 2 });
    const rows = await prisma.event.findMany({ where: { shop, type: ABANDONED_EVENT_TYPE } });
    expect(rows.map((e) => [e.pageType, e.customerId, e.visitorId])).toEqual([["payment", customer.id, visitorId], ["payment", customer.id, visitorId]]);
    const v = await profileValues(shop, customer.id);
    expect(v?.values).toMatchObject({ checkout_stall: "payment", checkout_abandons: 2 });
    const owner = `gid://shopify/Customer/${customer.id}`;
    const mf = (key: string) => store.state.metafields.find((m) => m.ownerId === owner && m.namespace.endsWith("--recovery_plays") && m.key === key)?.value;
    expect([mf("checkout_stall"), mf("checkout_abandons")]).toEqual(["payment", "2"]);
    // Read again: each abandoned checkout is stored once.
    expect(await syncAbandonedCheckouts(shop, admin)).toMatchObject({ stored: 0 });
  });

  it("GIVEN a checkout left within ten minutes WHEN the app reads abandoned checkouts THEN Shopify does not list it yet", async () => {
    const { shopper } = await knownShopper(3);
    const product = store.state.products[0]!;
    await shopper.postJson("/cart/add.js", { id: Number(product.variants[0]!.id), quantity: 1 });
    await shopper.get("/checkout");
    expect(await syncAbandonedCheckouts(shop, admin)).toEqual({ status: "ok", stored: 0, seen: 0 });
  });

  it("GIVEN a token without read_orders WHEN the app reads abandoned checkouts THEN the answer is denied, not a crash", async () => {
    expect(await syncAbandonedCheckouts(shop, merchantAdmin(store, "write_customers"))).toMatchObject({ status: "denied" });
  });

  it("GIVEN treated and holdout visitors of a play WHEN some abandon checkout THEN Analytics gets the abandoned-checkout rate per arm", async () => {
    const t0 = new Date(Date.now() - 3_600_000);
    const exposure = (visitorId: string, arm: string) => ({ shop, play: "vip", visitorId, arm, firstEligibleAt: t0 });
    await prisma.playExposure.deleteMany({ where: { shop } });
    await prisma.playExposure.createMany({ data: [exposure("t1", "treatment"), exposure("t2", "treatment"), exposure("h1", "holdout"), exposure("h2", "holdout")] });
    const at = new Date(t0.getTime() + 60_000);
    await prisma.event.createMany({
      data: [
        { shop, visitorId: "t1", type: PIXEL_EVENT_TYPE, pageType: "contact", occurredAt: at },
        { shop, visitorId: "t2", type: PIXEL_EVENT_TYPE, pageType: "contact", occurredAt: at },
        { shop, visitorId: "t2", type: ABANDONED_EVENT_TYPE, pageType: "payment", path: "gid://shopify/AbandonedCheckout/1", occurredAt: at },
        { shop, visitorId: "h1", type: ABANDONED_EVENT_TYPE, pageType: "shipping", path: "gid://shopify/AbandonedCheckout/2", occurredAt: at },
      ],
    });
    const rates = await abandonRates(shop, new Date(t0.getTime() - 1000), new Date());
    expect(rates).toEqual([
      { play: "vip", arm: "holdout", exposed: 2, started: 1, abandoned: 1, rate: 1 },
      { play: "vip", arm: "treatment", exposed: 2, started: 2, abandoned: 1, rate: 0.5 },
    ]);
  });
});

describe("the pixel endpoint", () => {
  const body = (over: Record<string, unknown> = {}) => ({ shop, key: pixelKey(shop), event: "checkout_started", checkout: "tok_12345678", visitorId: null, clientId: "c1", ts: Date.now(), ...over });
  const post = (b: unknown, raw?: string) => fetch(`${appUrl}/api/pixel/events`, { method: "POST", headers: { "content-type": "text/plain" }, body: raw ?? JSON.stringify(b) });

  it("GIVEN another shop's key WHEN an event is posted THEN 401 and nothing is stored", async () => {
    expect((await post(body({ key: pixelKey("other.myshopify.com") }))).status).toBe(401);
    expect(await prisma.event.count({ where: { shop } })).toBe(0);
  });

  it("GIVEN an unknown event name or an extra field WHEN posted THEN 400", async () => {
    expect((await post(body({ event: "page_viewed" }))).status).toBe(400);
    expect((await post(body({ arm: "treatment" }))).status).toBe(400);
  });

  it("GIVEN a body over 2 KB WHEN posted THEN 413", async () => {
    expect((await post(null, JSON.stringify(body({ clientId: "x".repeat(3000) })))).status).toBe(413);
  });

  it("GIVEN a shop that uninstalled the app WHEN its pixel posts THEN 404", async () => {
    const gone = "gone-shop.myshopify.com";
    await prisma.shop.upsert({ where: { shop: gone }, create: { shop: gone, uninstalledAt: new Date() }, update: { uninstalledAt: new Date() } });
    expect((await post(body({ shop: gone, key: pixelKey(gone) }))).status).toBe(404);
  });

  it("GIVEN one browser flooding the endpoint WHEN it exceeds its budget THEN 429 with Retry-After", async () => {
    const answers = await Promise.all(Array.from({ length: 45 }, () => post(body({ clientId: "flood" }))));
    // A burst of 30, refilled at 1 per second: a second or two of refill at most while the burst lands.
    expect(answers.filter((r) => r.status === 202).length).toBeLessThanOrEqual(33);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get("retry-after")).toBe("1");
  });

  it("GIVEN an unsigned visitor id in the cart WHEN the pixel posts THEN the step is kept under a pixel-only visitor with no customer", async () => {
    expect((await post(body({ visitorId: "made-up", clientId: "c9" }))).status).toBe(202);
    const e = await prisma.event.findFirstOrThrow({ where: { shop, type: PIXEL_EVENT_TYPE } });
    expect([e.visitorId, e.customerId]).toEqual(["px:c9", null]);
  });
});

describe("web pixel activation and sandbox", () => {
  it("GIVEN a token without write_pixels WHEN the app activates its pixel THEN the result is denied", async () => {
    expect(await ensureWebPixel(shop, merchantAdmin(store, "write_customers"), appUrl)).toMatchObject({ status: "denied" });
  });

  it("GIVEN settings the extension does not declare WHEN webPixelUpdate runs THEN Shopify's INVALID_SETTINGS comes back", async () => {
    const id = store.state.webPixels![0]!.id;
    const res = await admin.graphql(`mutation($id: ID!, $s: JSON!) { webPixelUpdate(id: $id, webPixel: { settings: $s }) { userErrors { code message } } }`, {
      variables: { id: `gid://shopify/WebPixel/${id}`, s: JSON.stringify({ accountID: "1" }) },
    });
    expect(((await res.json()) as any).data.webPixelUpdate.userErrors[0].code).toBe("INVALID_SETTINGS");
  });

  it("GIVEN a pixel that probes its globals WHEN the sandbox runs it THEN it sees no window, document, process or require, only the pixel API", async () => {
    const seen: string[] = [];
    const script = new vm.Script(`shopify.extend("WebPixel::Render", (api) => api.analytics.subscribe("checkout_started", async () => {
      await fetch("probe", { body: [typeof window, typeof document, typeof process, typeof require, typeof api.browser.sessionStorage.getItem, typeof api.init.data.shop].join(",") });
    }));`);
    const names = await runPixelPage(
      script,
      { store: newBrowserStore(), clientId: "c", href: "http://x/checkouts/t", init: { customer: null, shop: {}, consent: { required: false, collected: false, analytics: true, marketing: true, preferences: true, saleOfData: true } }, settings: {}, fetch: async (_u, init) => (seen.push(String(init?.body)), new Response("")) },
      [{ name: "checkout_started", data: {} }],
    );
    expect(names).toEqual(["checkout_started"]);
    expect(seen).toEqual(["undefined,undefined,undefined,undefined,function,object"]);
  });
});
