// A bundle code leaves the app only as one single-use code per treated visitor who was shown the offer, while the
// Deal-Seeker play is on and the merchant's daily budget lasts.
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { assignArm } from "../lib/stats/assignment";
import { defaultSettings } from "../lib/plays/defaults";
import { forgetVisitorKeys } from "./visitors.server";
import { issuedVisitorFor } from "../../tests/helpers/visitors";
import { action } from "../routes/apps.proxy.bundle";
import { resetDatabase } from "../../tests/helpers/db";
import { appProxyRequest, installShop, TEST_SHOP } from "../../tests/helpers/shopify";
import { ensureDefaultPlays } from "./plays.server";

const DISCOUNT = "gid://shopify/DiscountCodeNode/5";
const BASE_CODE = "BUNDLE-ABCDEFGHJK";

async function call(request: Request): Promise<Response> {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
function askFrom(visitorId: string, opts: { secret?: string; ip?: string } = {}) {
  const signed = appProxyRequest("/bundle", { method: "POST", body: JSON.stringify({ visitorId }), secret: opts.secret });
  const headers = new Headers(signed.headers);
  if (opts.ip) headers.set("x-forwarded-for", opts.ip);
  return call(new Request(signed.url, { method: "POST", body: JSON.stringify({ visitorId }), headers }));
}

/** A visitor id the app issued whose server arm in the play (default 10 % holdout) is the requested one. */
async function visitorIn(arm: "treatment" | "holdout"): Promise<string> {
  for (;;) {
    const v = await issuedVisitorFor(TEST_SHOP);
    if (v.arms.deal_seeker === arm) return v.id;
  }
}
/** The server recorded the offer as shown (a stored event, verified at ingest). */
const shown = (visitorId: string, arm = "treatment") =>
  prisma.event.create({ data: { shop: TEST_SHOP, visitorId, type: "shown", play: "deal_seeker", arm, occurredAt: new Date() } });
async function shownTreated(): Promise<string> {
  const v = await visitorIn("treatment");
  await shown(v);
  return v;
}

/** An id the app never signed that the old client-side hash put in the treatment arm. */
function madeUpTreated(prefix: string): string {
  for (let i = 0; ; i++) if (assignArm(`${prefix}-${i}`, "deal_seeker", 10) === "treatment") return `${prefix}-${i}`;
}

async function dealSeeker(enabled: boolean, settings: Record<string, number> = {}, discountId: string | null = DISCOUNT) {
  await prisma.playConfig.update({
    where: { shop_play: { shop: TEST_SHOP, play: "deal_seeker" } },
    data: { enabled, discountId, discountCode: discountId ? BASE_CODE : null, settings: JSON.stringify({ ...defaultSettings("deal_seeker"), ...settings }) },
  });
}
async function pool(n: number, discountId = DISCOUNT): Promise<string[]> {
  const codes = Array.from({ length: n }, (_, i) => `RP-POOL${String(i).padStart(5, "0")}`);
  await prisma.bundleCode.createMany({ data: codes.map((code, i) => ({ shop: TEST_SHOP, code, discountId, state: "pooled", createdAt: new Date(Date.now() + i) })) });
  return codes;
}
const issued = () => prisma.bundleCode.count({ where: { shop: TEST_SHOP, state: "issued" } });

beforeEach(async () => {
  await resetDatabase();
  await prisma.bundleCode.deleteMany();
  forgetVisitorKeys();
  await installShop();
  await ensureDefaultPlays(TEST_SHOP);
});

describe("POST /apps/proxy/bundle", () => {
  it("GIVEN the play on and a pool WHEN a treated visitor who was shown the offer asks THEN one pooled code, recorded as theirs, not cacheable", async () => {
    await dealSeeker(true);
    const codes = await pool(3);
    const v = await shownTreated();
    const res = await askFrom(v);
    expect(res.status).toBe(200);
    const { code } = (await res.json()) as { code: string };
    expect(codes).toContain(code);
    expect(code).not.toBe(BASE_CODE);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const row = await prisma.bundleCode.findUniqueOrThrow({ where: { shop_code: { shop: TEST_SHOP, code } } });
    expect(row).toMatchObject({ state: "issued", visitorId: v });
  });

  it("GIVEN two treated visitors WHEN each asks THEN each gets a different code", async () => {
    await dealSeeker(true);
    await pool(3);
    const a = (await (await askFrom(await shownTreated())).json()) as { code: string };
    const b = (await (await askFrom(await shownTreated())).json()) as { code: string };
    expect(a.code).not.toBe(b.code);
    expect(await issued()).toBe(2);
  });

  it("GIVEN a visitor holding an unused code WHEN they ask again THEN the same code and no second code spent", async () => {
    await dealSeeker(true);
    await pool(3);
    const v = await shownTreated();
    const first = (await (await askFrom(v)).json()) as { code: string };
    const again = (await (await askFrom(v)).json()) as { code: string };
    expect(again.code).toBe(first.code);
    expect(await issued()).toBe(1);
  });

  it("GIVEN the play on WHEN a holdout visitor asks (even with a shown event) THEN 403 and no code issued", async () => {
    await dealSeeker(true);
    const codes = await pool(2);
    const v = await visitorIn("holdout");
    await shown(v, "holdout");
    const res = await askFrom(v);
    expect(res.status).toBe(403);
    const text = await res.text();
    for (const c of [...codes, BASE_CODE]) expect(text).not.toContain(c);
    expect(await issued()).toBe(0);
  });

  it("GIVEN a treated visitor the offer was never shown to WHEN they ask THEN 403 not_shown and no code issued", async () => {
    await dealSeeker(true);
    await pool(2);
    const res = await askFrom(await visitorIn("treatment"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ reason: "not_shown" });
    expect(await issued()).toBe(0);
  });

  it("GIVEN a treated visitor whose shown report lands a second after they accepted WHEN they ask THEN a code, once it is stored", async () => {
    await dealSeeker(true);
    await pool(1);
    const v = await visitorIn("treatment");
    const late = new Promise((r) => setTimeout(r, 1000)).then(() => shown(v));
    const res = await askFrom(v);
    await late;
    expect(res.status).toBe(200);
  });

  it("GIVEN a treated visitor whose shown exposure is rolled up WHEN they ask THEN a code", async () => {
    await dealSeeker(true);
    await pool(1);
    const v = await visitorIn("treatment");
    await prisma.playExposure.create({ data: { shop: TEST_SHOP, play: "deal_seeker", visitorId: v, arm: "treatment", firstEligibleAt: new Date(), shownAt: new Date() } });
    expect((await askFrom(v)).status).toBe(200);
  });

  it("GIVEN the play on WHEN an id the app never signed asks (one a client-side hash would put in treatment, with a shown event) THEN 403 and no code", async () => {
    await dealSeeker(true);
    await pool(2);
    const id = madeUpTreated("bundle-made-up");
    await shown(id);
    const res = await askFrom(id);
    expect(res.status).toBe(403);
    expect(await issued()).toBe(0);
  });

  it("GIVEN a budget of 2 codes a day WHEN a third treated visitor asks THEN 429 budget and no code issued", async () => {
    await dealSeeker(true, { bundleCodesPerDay: 2 });
    await pool(5);
    expect((await askFrom(await shownTreated())).status).toBe(200);
    expect((await askFrom(await shownTreated())).status).toBe(200);
    const res = await askFrom(await shownTreated());
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ reason: "budget" });
    expect(await issued()).toBe(2);
  });

  it("GIVEN codes issued more than 24 hours ago WHEN the budget is checked THEN they no longer count", async () => {
    await dealSeeker(true, { bundleCodesPerDay: 1 });
    await pool(2);
    await prisma.bundleCode.create({ data: { shop: TEST_SHOP, code: "RP-OLD", discountId: DISCOUNT, state: "used", issuedAt: new Date(Date.now() - 25 * 3600_000) } });
    expect((await askFrom(await shownTreated())).status).toBe(200);
    expect((await askFrom(await shownTreated())).status).toBe(429);
  });

  it("GIVEN a discount budget of 30 a day and codes averaging 12 WHEN treated visitors ask THEN two codes are issued, the third would exceed it and gets 429", async () => {
    await dealSeeker(true, { bundleCodesPerDay: 0, bundleDiscountPerDay: 30 });
    await pool(5);
    // Last month's used codes gave 12 on average: what each new code is charged until it is used.
    await prisma.bundleCode.create({ data: { shop: TEST_SHOP, code: "RP-LASTMONTH", discountId: DISCOUNT, state: "used", amount: 12, issuedAt: new Date(Date.now() - 10 * 86_400_000), usedAt: new Date(Date.now() - 10 * 86_400_000) } });
    expect((await askFrom(await shownTreated())).status).toBe(200);
    expect((await askFrom(await shownTreated())).status).toBe(200);
    const res = await askFrom(await shownTreated());
    expect(res.status).toBe(429);
    expect(await issued()).toBe(2);
  });

  it("GIVEN an empty pool WHEN a treated visitor asks THEN 503 pool_empty", async () => {
    await dealSeeker(true);
    const res = await askFrom(await shownTreated());
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ reason: "pool_empty" });
  });

  it("GIVEN pooled codes of a replaced discount WHEN a treated visitor asks THEN none of them is handed out", async () => {
    await dealSeeker(true);
    await pool(2, "gid://shopify/DiscountCodeNode/4");
    expect((await askFrom(await shownTreated())).status).toBe(503);
  });

  it("GIVEN the play off, or on with only the earlier automatic discount WHEN a treated visitor asks THEN 404", async () => {
    await pool(2);
    await dealSeeker(false);
    expect((await askFrom(await shownTreated())).status).toBe(404);
    await dealSeeker(true, {}, "gid://shopify/DiscountAutomaticNode/9");
    expect((await askFrom(await shownTreated())).status).toBe(404);
  });

  it("GIVEN a forged signature, a bad body or a GET WHEN asked THEN 401 / 400 / 405", async () => {
    await dealSeeker(true);
    expect((await askFrom(await shownTreated(), { secret: "attacker" })).status).toBe(401);
    expect((await call(appProxyRequest("/bundle", { method: "POST", body: "{" }))).status).toBe(400);
    expect((await call(appProxyRequest("/bundle", { method: "POST", body: JSON.stringify({ visitorId: "x" }) }))).status).toBe(400);
    expect((await call(appProxyRequest("/bundle", { method: "POST", body: JSON.stringify({ visitorId: "visitor-0001", extra: 1 }) }))).status).toBe(400);
    expect((await call(appProxyRequest("/bundle"))).status).toBe(405);
  });

  it("GIVEN one visitor asking again and again WHEN over the limit THEN 429", async () => {
    await dealSeeker(true);
    await pool(2);
    const v = await shownTreated();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await askFrom(v)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it("GIVEN one address rotating treated visitor ids WHEN it asks for codes THEN it is held to 10, and another address still gets one", async () => {
    await dealSeeker(true, { bundleCodesPerDay: 0 });
    await pool(20);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await askFrom(await shownTreated(), { ip: "198.51.100.77" })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await askFrom(await shownTreated(), { ip: "203.0.113.5" })).status).toBe(200);
  });
});

describe("POST /api/checkout/bundle", () => {
  it("GIVEN a checkout session token WHEN a shown treated visitor asks THEN a code with CORS; a holdout visitor 403; a bad body 400 with CORS", async () => {
    const { action: checkoutAction } = await import("../routes/api.checkout.bundle");
    const { checkoutRequest } = await import("../../tests/helpers/shopify");
    const go = async (body: string) => {
      try {
        return await checkoutAction({ request: await checkoutRequest("/api/checkout/bundle", { method: "POST", body }), params: {}, context: {} });
      } catch (thrown) {
        if (thrown instanceof Response) return thrown;
        throw thrown;
      }
    };
    await dealSeeker(true);
    const codes = await pool(2);
    const ok = await go(JSON.stringify({ visitorId: await shownTreated() }));
    const okBody = (await ok.json()) as { code: string };
    expect(ok.status, JSON.stringify(okBody)).toBe(200);
    expect(codes).toContain(okBody.code);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    expect((await go(JSON.stringify({ visitorId: await visitorIn("holdout") }))).status).toBe(403);
    const bad = await go("{");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe("*");
  });
});
