// Rate limits here are the in-process ones (tests run without REDIS_URL); app/models/shared.server.test.ts covers
// the Redis-backed limiter itself.
// The security review's attacks, replayed as Shopify's signed app proxy delivers them (tests/helpers/shopify.ts
// signs exactly as the dev store's proxy does), against the real route modules. Each is refused, and the forged
// traffic leaves the shop's stored events — what every verdict is computed from — unchanged.
//
// Attacks covered elsewhere (not duplicated here):
// - 1,000,000 padded fake visitors and forged arms vs the sample-ratio check: app/models/measurement.simulation.test.ts
// - `_rp_plays=…:treatment:shown` cart attribute: app/models/attribution.server.test.ts ("claims `_rp_plays…`")
// - ids sorted first in page stats: app/models/pageStats.server.test.ts ("ids the app never signed")
// - shop/redact with a mismatched header: app/models/webhooks.server.test.ts ("unsigned header names another")
// - access-log secrets: server/access-log.test.ts, tests/security/log-secrets.test.ts
// - bundle code to a holdout visitor / forged signature: app/models/bundle.server.test.ts
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultSettings } from "../../app/lib/plays/defaults";

const SHOP = "attacks.myshopify.com";
let prisma: typeof import("../../app/db.server").default;
let h: typeof import("../helpers/shopify");
let issuedVisitorFor: typeof import("../../app/models/visitors.testkit").issuedVisitorFor;
let routes: { events: Handler; bundle: Handler };

type Handler = (args: ActionFunctionArgs) => Promise<unknown> | unknown;
async function call(fn: Handler, request: Request): Promise<Response> {
  try {
    return (await fn({ request, params: {}, context: {} })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** A signed app-proxy POST as Shopify forwards it, from the shopper address `ip`. */
function proxyPost(path: string, body: unknown, ip = "203.0.113.9"): Request {
  const signed = h.appProxyRequest(path, { shop: SHOP, method: "POST", body: JSON.stringify(body) });
  const headers = new Headers(signed.headers);
  headers.set("x-forwarded-for", ip);
  return new Request(signed.url, { method: "POST", body: JSON.stringify(body), headers });
}

const storedEvents = () => prisma.event.count({ where: { shop: SHOP } });
const eligible = (play: string, arm: string, ts = Date.now()) => ({ type: "eligible", play, arm, ts });

beforeAll(async () => {
  h = await import("../helpers/shopify");
  prisma = (await import("../../app/db.server")).default;
  ({ issuedVisitorFor } = await import("../../app/models/visitors.testkit"));
  const { resetDatabase } = await import("../helpers/db");
  await resetDatabase();
  routes = {
    events: (await import("../../app/routes/apps.proxy.events")).action,
    bundle: (await import("../../app/routes/apps.proxy.bundle")).action,
  };
  await h.installShop(SHOP);
  await prisma.shop.upsert({ where: { shop: SHOP }, create: { shop: SHOP }, update: {} });
  await prisma.playConfig.create({ data: { shop: SHOP, play: "confidence", enabled: true, settings: JSON.stringify({ ...defaultSettings("confidence"), holdoutPercent: 50 }) } });
});
afterAll(() => prisma.$disconnect());
afterEach(() => vi.useRealTimers());

describe("attacks through the signed app proxy", () => {
  it("GIVEN 13 batches of made-up visitor ids claiming the treatment arm WHEN posted THEN each is refused (403) and nothing is stored", async () => {
    const before = await storedEvents();
    for (let i = 0; i < 13; i++) {
      const res = await call(routes.events, proxyPost("/events", { visitorId: `attacker-${i}-0000`, events: [eligible("confidence", "treatment")] }, `198.51.100.${i + 1}`));
      expect(res.status).toBe(403);
    }
    expect(await storedEvents()).toBe(before);
  });

  it("GIVEN a signed visitor claiming the arm the server did not assign WHEN posted THEN 403 and nothing is stored", async () => {
    const v = await issuedVisitorFor(SHOP);
    const forged = v.arms.confidence === "treatment" ? "holdout" : "treatment";
    const before = await storedEvents();
    const res = await call(routes.events, proxyPost("/events", { visitorId: v.id, events: [eligible("confidence", forged)] }));
    expect(res.status).toBe(403);
    expect(await storedEvents()).toBe(before);
  });

  it("GIVEN one batch carrying events for 100 visitors WHEN posted THEN 400 and nothing is stored", async () => {
    const v = await issuedVisitorFor(SHOP);
    const others = await Promise.all(Array.from({ length: 99 }, () => issuedVisitorFor(SHOP)));
    const events = [v, ...others].map((x) => ({ ...eligible("confidence", x.arms.confidence), visitorId: x.id }));
    const before = await storedEvents();
    const res = await call(routes.events, proxyPost("/events", { visitorId: v.id, events }));
    expect(res.status).toBe(400);
    expect(await storedEvents()).toBe(before);
  });

  it("GIVEN a made-up visitor id WHEN it asks for the bundle code THEN 403 and no code", async () => {
    const res = await call(routes.bundle, proxyPost("/bundle", { visitorId: "made-up-visitor-0001" }));
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(await res.json())).not.toMatch(/BUNDLE-/);
  });

  it("GIVEN one address that exhausted its own allowance with rotating signed ids WHEN a real shopper elsewhere posts THEN the shopper's batch is stored", async () => {
    const flood = "192.0.2.66";
    // The clock stands still (timers stay real), so no allowance refills while the flood runs: the count is exact.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    let limited = 0;
    let accepted = 0;
    for (let i = 0; i < 400 && limited === 0; i++) {
      const v = await issuedVisitorFor(SHOP);
      const res = await call(routes.events, proxyPost("/events", { visitorId: v.id, events: [eligible("confidence", v.arms.confidence)] }, flood));
      if (res.status === 429) limited++;
      else if (res.status === 202) accepted++;
    }
    expect(limited).toBe(1);
    // The address's burst, not the shop's (2,000), is what ran out.
    expect(accepted).toBe(300);
    const shopper = await issuedVisitorFor(SHOP);
    const res = await call(routes.events, proxyPost("/events", { visitorId: shopper.id, events: [eligible("confidence", shopper.arms.confidence)] }, "203.0.113.200"));
    expect(res.status).toBe(202);
    expect(await prisma.event.count({ where: { shop: SHOP, visitorId: shopper.id } })).toBe(1);
  });
});
