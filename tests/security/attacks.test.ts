// The security review's attacks, replayed through the full stack: the built production server (scripts/stack.ts)
// behind the local dev store, reached the way an attacker reaches it — the storefront path /apps/recovery-plays/*
// that the dev store signs and forwards as Shopify's app proxy does, the dev store's checkout and the orders/create
// webhook it signs, a webhook signed with the app secret, and the app's own request log. Each attack is refused,
// and the forged traffic leaves every Analytics verdict (playReport over the rolled-up events) as it was.
//
// The test process shares the stack's database, so it reads what the server stored and computes the verdicts
// as the Analytics page does. The 1,000,000 padded visitors and forged arms vs the sample-ratio check are in
// app/models/measurement.simulation.test.ts (a simulation, not HTTP traffic).
import { createWebhookSender, type WebhookDelivery } from "../../devstore/webhooks";
import { loadAppConfig } from "../../devstore/config";
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultSettings } from "../../app/lib/plays/defaults";
import type { Stack } from "../../scripts/stack";

let stack: Stack;
let shop = "";
let output = "";
let prisma: typeof import("../../app/db.server").default;
let issuedVisitorFor: typeof import("../helpers/visitors").issuedVisitorFor;

type Visitor = { id: string; arms: Record<string, string> };
const UA = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 attacks-test" };

const storefront = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.storeUrl}/apps/recovery-plays${path}`, { ...init, headers: { ...UA, ...(init.headers as Record<string, string>) } });
const postJson = (path: string, body: unknown) =>
  storefront(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const event = (type: string, extra: Record<string, unknown> = {}) => ({ type, ts: Date.now(), ...extra });

/** A fresh visitor as the embed gets one: the profile endpoint through the signed proxy. */
async function newVisitor(): Promise<Visitor> {
  const res = await storefront("/profile");
  expect(res.status).toBe(200);
  return ((await res.json()) as { visitor: Visitor }).visitor;
}

/** What every verdict is computed from, folded as the rollup job folds it, and the verdicts themselves. */
async function verdicts() {
  const { rollupEvents } = await import("../../app/models/rollup.server");
  const { playReport } = await import("../../app/models/analytics.server");
  await rollupEvents(shop);
  const day = 86_400_000;
  const report = await playReport(shop, { from: new Date(Date.now() - 2 * day), to: new Date(Date.now() + day) });
  return report.plays.map(({ play, treatment, holdout, analysis }) => ({ play, treatment, holdout, analysis }));
}
const storedEvents = () => prisma.event.count({ where: { shop } });

/** A shopper with their own cookie jar at the dev store: cart, cart attributes, checkout. */
async function shopper() {
  const { Shopper } = await import("../../devstore/storefront/testing");
  const jar = new Shopper(stack.storeUrl);
  return (path: string, init: RequestInit = {}) => jar.fetch(path, { ...init, headers: { ...UA, ...(init.headers as Record<string, string>) } });
}

async function until<T>(probe: () => Promise<T | null | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  const { startStack } = await import("../../scripts/stack");
  prisma = (await import("../../app/db.server")).default;
  ({ issuedVisitorFor } = await import("../helpers/visitors"));
  const { resetDatabase } = await import("../helpers/db");
  const { installShop } = await import("../helpers/shopify");
  await resetDatabase();
  // One stack for the file, on this file's database (the server writes, the test reads). Scheduler off: the test
  // folds events itself, so nothing moves between a "before" and an "after".
  stack = await startStack({
    databaseUrl: process.env.DATABASE_URL!,
    seed: 3,
    size: "test",
    quiet: true,
    output: (chunk) => (output += chunk),
    env: { DISABLE_SCHEDULER: "1", VITEST: "" },
  });
  shop = stack.shop;
  await installShop(shop);
  const { ensureDefaultPlays } = await import("../../app/models/plays.server");
  await ensureDefaultPlays(shop);
  await prisma.playConfig.update({
    where: { shop_play: { shop, play: "confidence" } },
    data: { enabled: true, settings: JSON.stringify({ ...defaultSettings("confidence"), holdoutPercent: 50 }) },
  });
  await prisma.playConfig.update({ where: { shop_play: { shop, play: "deal_seeker" } }, data: { enabled: true } });
  const { getPlay } = await import("../../app/models/plays.server");
  const { syncBundleDiscount } = await import("../../app/models/discounts.server");
  const { devStoreAdmin } = await import("../helpers/devstore");
  await syncBundleDiscount(shop, await devStoreAdmin(stack.devstore, stack.apiKey, stack.apiSecret), await getPlay(shop, "deal_seeker"));

  // Honest traffic first, so there is something to flip: real visitors, their page views and exposures.
  for (let i = 0; i < 12; i++) {
    const v = await newVisitor();
    const arm = v.arms.confidence!;
    const events = [
      event("page_view", { pageType: "product", path: "/products/a" }),
      event("page_view", { pageType: "cart", path: "/cart" }),
      event("eligible", { play: "confidence", arm }),
      ...(arm === "treatment" ? [event("shown", { play: "confidence", arm })] : []),
    ];
    expect((await postJson("/events", { visitorId: v.id, events })).status).toBe(202);
  }
  const { refreshPageStats } = await import("../../app/models/pageStats.server");
  await refreshPageStats(shop);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

describe("measurement attacks through the dev store's signed app proxy", () => {
  it("GIVEN 13 batches of made-up visitor ids claiming the treatment arm WHEN posted THEN each is refused (403), nothing is stored and no verdict moves", async () => {
    const before = await verdicts();
    const stored = await storedEvents();
    for (let i = 0; i < 13; i++) {
      const res = await postJson("/events", { visitorId: `attacker-${i}-0000`, events: [event("eligible", { play: "confidence", arm: "treatment" }), event("shown", { play: "confidence", arm: "treatment" })] });
      expect(res.status).toBe(403);
    }
    expect(await storedEvents()).toBe(stored);
    expect(await verdicts()).toEqual(before);
  });

  it("GIVEN a signed visitor claiming the arm the server did not assign WHEN posted THEN 403 and no verdict moves", async () => {
    const v = await newVisitor();
    const forged = v.arms.confidence === "treatment" ? "holdout" : "treatment";
    const before = await verdicts();
    const res = await postJson("/events", { visitorId: v.id, events: [event("eligible", { play: "confidence", arm: forged })] });
    expect(res.status).toBe(403);
    expect(await verdicts()).toEqual(before);
  });

  it("GIVEN one batch carrying events for 100 signed visitors WHEN posted THEN 400, nothing is stored and no verdict moves", async () => {
    const all = await Promise.all(Array.from({ length: 100 }, () => issuedVisitorFor(shop)));
    const events = all.map((x) => event("eligible", { play: "confidence", arm: x.arms.confidence, visitorId: x.id }));
    const before = await verdicts();
    const stored = await storedEvents();
    const res = await postJson("/events", { visitorId: all[0]!.id, events });
    expect(res.status).toBe(400);
    expect(await storedEvents()).toBe(stored);
    expect(await verdicts()).toEqual(before);
  });

  it("GIVEN page views under ids that sort first (`-…`, `0…`) WHEN posted THEN they are refused and the page statistics are unchanged", async () => {
    const { refreshPageStats, loadPageRates } = await import("../../app/models/pageStats.server");
    const before = await loadPageRates(shop);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    for (const id of ["--------", "-0000000-flood", "00000000-flood", "-".repeat(22) + "." + "-".repeat(22)]) {
      const res = await postJson("/events", { visitorId: id, events: Array.from({ length: 20 }, () => event("page_view", { pageType: "product", path: "/products/a" })) });
      expect(res.status).toBe(403);
    }
    await refreshPageStats(shop);
    expect(await loadPageRates(shop)).toEqual(before);
  });

  it("GIVEN a made-up visitor id WHEN it asks for the bundle code through the proxy THEN 403 and no code", async () => {
    const res = await postJson("/bundle", { visitorId: "made-up-visitor-0001" });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toMatch(/"code"/);
  });
});

describe("attribution attack through the dev store's checkout and its signed orders/create webhook", () => {
  it("GIVEN a holdout shopper whose cart claims `_rp_plays=confidence:treatment:shown` WHEN the order arrives THEN it counts for the holdout only and the treatment's figures do not move", async () => {
    let v = await newVisitor();
    for (let i = 0; i < 40 && v.arms.confidence !== "holdout"; i++) v = await newVisitor();
    expect(v.arms.confidence).toBe("holdout");
    expect((await postJson("/events", { visitorId: v.id, events: [event("eligible", { play: "confidence", arm: "holdout" })] })).status).toBe(202);
    const before = (await verdicts()).find((p) => p.play === "confidence")!;

    const go = await shopper();
    const json = { "content-type": "application/json" };
    const variant = stack.devstore.state.products.flatMap((p) => p.variants).find((x) => Number(x.price) > 0)!;
    expect((await go("/cart/add.js", { method: "POST", headers: json, body: JSON.stringify({ items: [{ id: Number(variant.id), quantity: 1 }] }) })).status).toBe(200);
    await go("/cart/update.js", { method: "POST", headers: json, body: JSON.stringify({ attributes: { _rp_vid: v.id, _rp_plays: "confidence:treatment:shown" } }) });
    expect((await go("/checkout", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" })).status).toBe(303);

    const attributed = await until(() => prisma.orderAttribution.findFirst({ where: { shop, visitorId: v.id } }), "the order's attribution");
    expect((JSON.parse(attributed.plays) as { play: string; arm: string }[]).map((p) => [p.play, p.arm])).toEqual([["confidence", "holdout"]]);
    const after = (await verdicts()).find((p) => p.play === "confidence")!;
    expect(after.treatment).toEqual(before.treatment);
    expect(after.holdout.ordered).toBe(before.holdout.ordered + 1);
  });
});

describe("webhook attack: a signed shop/redact body with another shop in the unsigned header", () => {
  it("GIVEN the attacker's own signed shop/redact replayed naming this shop in X-Shopify-Shop-Domain WHEN delivered THEN 400 and nothing of this shop is erased", async () => {
    const events = await storedEvents();
    expect(events).toBeGreaterThan(0);
    const before = await verdicts();
    // The dev store's own webhook sender (Shopify's headers, body HMAC with the app secret), told to put the
    // victim in the header: the attacker holds a validly signed body for their own shop and edits the header.
    const sender = createWebhookSender({ appUrl: stack.appUrl, apiSecret: stack.apiSecret, routes: loadAppConfig().webhooks, retries: 0 });
    await sender.deliverWebhook("shop/redact", shop, { shop_id: 1, shop_domain: "attacker-shop.myshopify.com" });
    expect(sender.deliveries.map((d: WebhookDelivery) => d.status)).toEqual([400]);
    expect(await prisma.shop.count({ where: { shop } })).toBe(1);
    expect(await storedEvents()).toBe(events);
    expect(await verdicts()).toEqual(before);
  });
});

describe("log attack: the real server's log output", () => {
  it("GIVEN admin requests carrying an id_token and a customer search email, and proxy requests with signatures WHEN the server logs them THEN its output holds none of them", async () => {
    const idToken = stack.devstore.sessionToken() as string;
    const email = "jane.doe.attacks@example.com";
    const admin = [`/app?embedded=1&shop=${shop}&host=YWRtaW4&id_token=${idToken}`, `/app/customers?q=${encodeURIComponent(email)}`];
    for (const p of admin) await (await fetch(`${stack.appUrl}${p}`, { headers: UA, redirect: "manual" })).arrayBuffer();
    await (await storefront("/profile")).arrayBuffer();
    await new Promise((r) => setTimeout(r, 200));
    // Live: the admin requests have their lines (the proxy paths take the fast lane, which keeps no request log).
    expect(output).toMatch(/GET \/app\?\S*id_token=… \d{3}/);
    expect(output).toMatch(/GET \/app\/customers\?q=… \d{3}/);
    for (const [name, value] of Object.entries({ idToken, email })) {
      expect(output.includes(value), `leaked ${name}`).toBe(false);
      expect(output.includes(encodeURIComponent(value)), `leaked ${name} (encoded)`).toBe(false);
    }
    expect(output).not.toMatch(/signature=[0-9a-f]{8}/);
    expect(output).not.toMatch(/logged_in_customer_id=\d/);
  });
});

// Kept on the route module (no stack): one attacker machine against the per-address limit needs many source
// addresses, which the dev store's proxy takes from the socket. The in-process limiter runs without REDIS_URL;
// app/models/shared.server.test.ts covers the Redis-backed one.
describe("flood from one address", () => {
  afterEach(() => vi.useRealTimers());

  it("GIVEN one address that exhausted its own allowance with rotating signed ids WHEN a real shopper elsewhere posts THEN the shopper's batch is stored", async () => {
    const h = await import("../helpers/shopify");
    const events = (await import("../../app/routes/apps.proxy.events")).action as (a: ActionFunctionArgs) => Promise<Response>;
    const SHOP = "attacks-flood.myshopify.com";
    await h.installShop(SHOP);
    await prisma.playConfig.create({ data: { shop: SHOP, play: "confidence", enabled: true, settings: JSON.stringify({ ...defaultSettings("confidence"), holdoutPercent: 50 }) } });
    const post = async (body: unknown, ip: string): Promise<Response> => {
      const signed = h.appProxyRequest("/events", { shop: SHOP, method: "POST", body: JSON.stringify(body) });
      const headers = new Headers(signed.headers);
      headers.set("x-forwarded-for", ip);
      try {
        return await events({ request: new Request(signed.url, { method: "POST", body: JSON.stringify(body), headers }), params: {}, context: {} });
      } catch (thrown) {
        if (thrown instanceof Response) return thrown;
        throw thrown;
      }
    };
    // The clock stands still (timers stay real), so no allowance refills while the flood runs: the count is exact.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    let limited = 0;
    let accepted = 0;
    for (let i = 0; i < 400 && limited === 0; i++) {
      const v = await issuedVisitorFor(SHOP);
      const res = await post({ visitorId: v.id, events: [event("eligible", { play: "confidence", arm: v.arms.confidence })] }, "192.0.2.66");
      if (res.status === 429) limited++;
      else if (res.status === 202) accepted++;
    }
    expect(limited).toBe(1);
    // The address's burst, not the shop's (2,000), is what ran out.
    expect(accepted).toBe(300);
    const real = await issuedVisitorFor(SHOP);
    const res = await post({ visitorId: real.id, events: [event("eligible", { play: "confidence", arm: real.arms.confidence })] }, "203.0.113.200");
    expect(res.status).toBe(202);
    expect(await prisma.event.count({ where: { shop: SHOP, visitorId: real.id } })).toBe(1);
  });
});
