import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { assignArm } from "../lib/stats/assignment";
import { attributeOrder, attributionSummary, bundleCodeLeaks, recentAttributions, recordRefund } from "./attribution.server";
import { rebuildDailyStats, rollupEvents } from "./rollup.server";

let seq = 0;
let shop = "";
beforeEach(() => {
  shop = `attr-${++seq}.myshopify.com`;
});

const VID = "visitor-0001";
const at = (d: number, h = 12) => new Date(Date.UTC(2026, 2, d, h));
const order = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  created_at: at(3).toISOString(),
  total_price: "120.00",
  total_discounts: "0.00",
  customer: { id: 5551 },
  note_attributes: [] as { name: string; value: string }[],
  ...extra,
});
const withAttrs = (id: number, plays: string, extra: Record<string, unknown> = {}) =>
  order(id, { note_attributes: [{ name: "_rp_vid", value: VID }, { name: "_rp_plays", value: plays }], ...extra });

async function eligible(play: "vip" | "confidence" | "deal_seeker" | "indecision", d: number, type = "eligible") {
  await prisma.event.create({
    data: { shop, visitorId: VID, type, play, arm: assignArm(VID, play, 10), occurredAt: at(d) },
  });
}

const stat = (play: string) => prisma.dailyPlayStat.findMany({ where: { shop, play }, orderBy: { day: "asc" } });

describe("attributeOrder", () => {
  it("GIVEN an order without cart attributes WHEN attributed THEN it is stored unattributed and touches no play", async () => {
    expect(await attributeOrder(shop, order(1), { bundleDiscountTitles: [] })).toEqual({ status: "unattributed", orderId: "1" });
    const row = await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "1" } } });
    expect(row.visitorId).toBeNull();
    expect(await prisma.playExposure.count({ where: { shop } })).toBe(0);
  });

  it("GIVEN a rolled-up exposure WHEN its visitor's order arrives THEN the exposure and its cohort day count the order", async () => {
    await eligible("vip", 1);
    await rollupEvents(shop, { settleMs: 0 });
    const arm = assignArm(VID, "vip", 10);
    const r = await attributeOrder(shop, withAttrs(2, `vip:${arm}:eligible`), { bundleDiscountTitles: [] });
    expect(r).toMatchObject({ status: "attributed", plays: [{ play: "vip", arm, status: "eligible", source: "cart" }] });
    expect(await prisma.playExposure.findFirstOrThrow({ where: { shop } })).toMatchObject({ orders: 1, revenue: 120, customerId: "5551" });
    expect((await stat("vip")).map((s) => [s.day, s.eligible, s.orders, s.revenue])).toEqual([["2026-03-01", 1, 1, 120]]);
  });

  it("GIVEN the same webhook delivered twice WHEN attributed THEN the second is a no-op", async () => {
    await attributeOrder(shop, withAttrs(3, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    expect(await attributeOrder(shop, withAttrs(3, "confidence:treatment:shown"), { bundleDiscountTitles: [] })).toEqual({ status: "duplicate", orderId: "3" });
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop } })).orders).toBe(1);
    expect((await stat("confidence"))[0].revenue).toBe(120);
  });

  it("GIVEN an order before its events are rolled up WHEN the rollup runs later THEN the visitor lands on the first-eligible day", async () => {
    const arm = assignArm(VID, "indecision", 10);
    await attributeOrder(shop, withAttrs(4, `indecision:${arm}:shown`), { bundleDiscountTitles: [] });
    expect((await stat("indecision")).map((s) => s.day)).toEqual(["2026-03-03"]);
    await eligible("indecision", 1);
    await eligible("indecision", 1, "shown");
    await rollupEvents(shop, { settleMs: 0 });
    const rows = await stat("indecision");
    expect(rows.map((s) => [s.day, s.eligible, s.shown, s.orders, s.revenue])).toEqual([["2026-03-01", 1, 1, 1, 120]]);
    await rebuildDailyStats(shop);
    expect(await stat("indecision")).toEqual(rows);
  });

  it("GIVEN the app's bundle discount on the order WHEN attributed THEN its amount is the deal-seeker play's cost only", async () => {
    const payload = withAttrs(5, "deal_seeker:treatment:shown,vip:treatment:eligible", {
      total_discounts: "15.00",
      discount_applications: [
        { type: "automatic", title: "Bundle & Save", value: "10.0", value_type: "percentage" },
        { type: "discount_code", code: "WELCOME", value: "5.0", value_type: "fixed_amount" },
      ],
      line_items: [
        { discount_allocations: [{ amount: "6.00", discount_application_index: 0 }, { amount: "5.00", discount_application_index: 1 }] },
        { discount_allocations: [{ amount: "4.00", discount_application_index: 0 }] },
      ],
    });
    const r = await attributeOrder(shop, payload, { bundleDiscountTitles: ["Bundle & Save"] });
    expect(r).toMatchObject({ status: "attributed", discount: 10 });
    const ex = await prisma.playExposure.findMany({ where: { shop }, orderBy: { play: "asc" } });
    expect(ex.map((e) => [e.play, e.discount])).toEqual([["deal_seeker", 10], ["vip", 0]]);
  });

  it("GIVEN no title passed WHEN attributed THEN the bundle discount title comes from the published config", async () => {
    await prisma.publishedConfig.create({ data: { shop, payload: JSON.stringify({ shop: { bundleDiscountTitle: "Bundle & Save" } }) } });
    const payload = withAttrs(6, "deal_seeker:treatment:shown", {
      discount_applications: [{ type: "automatic", title: "Bundle & Save" }],
      line_items: [{ discount_allocations: [{ amount: "7.50", discount_application_index: 0 }] }],
    });
    expect(await attributeOrder(shop, payload)).toMatchObject({ discount: 7.5 });
  });

  it("GIVEN an earlier exposure not listed in the cart WHEN the visitor orders THEN that play is credited too (source visitor)", async () => {
    await eligible("confidence", 1);
    await rollupEvents(shop, { settleMs: 0 });
    const r = await attributeOrder(shop, withAttrs(7, "vip:treatment:shown"), { bundleDiscountTitles: [] });
    expect(r.status === "attributed" && r.plays.map((p) => [p.play, p.source])).toEqual([["vip", "cart"], ["confidence", "visitor"]]);
  });

  it("GIVEN an exposure that began after the order WHEN the order arrives late THEN that play is not credited", async () => {
    await eligible("confidence", 5);
    await rollupEvents(shop, { settleMs: 0 });
    const r = await attributeOrder(shop, withAttrs(8, ""), { bundleDiscountTitles: [] });
    expect(r.status === "attributed" && r.plays).toEqual([]);
  });

  it("GIVEN a malformed visitor id attribute WHEN attributed THEN the order is unattributed", async () => {
    const payload = order(9, { note_attributes: [{ name: "_rp_vid", value: "<script>" }, { name: "_rp_plays", value: "vip:treatment:shown" }] });
    expect(await attributeOrder(shop, payload, { bundleDiscountTitles: [] })).toMatchObject({ status: "unattributed" });
  });

  it("GIVEN an amount no real order has (1e308) WHEN attributed THEN the payload is refused and nothing is stored", async () => {
    await expect(attributeOrder(shop, order(31, { total_price: "1e308" }), { bundleDiscountTitles: [] })).rejects.toThrow();
    await expect(attributeOrder(shop, order(32, { total_price: 1e13 }), { bundleDiscountTitles: [] })).rejects.toThrow();
    expect(await prisma.orderAttribution.count({ where: { shop } })).toBe(0);
  });

  it("GIVEN a payload without an id WHEN attributed THEN it throws", async () => {
    await expect(attributeOrder(shop, { created_at: at(1).toISOString(), total_price: "1" })).rejects.toThrow();
  });

  it("GIVEN attributed and unattributed orders WHEN summarised THEN counts and revenue split by status", async () => {
    await attributeOrder(shop, order(10), { bundleDiscountTitles: [] });
    await attributeOrder(shop, withAttrs(11, "vip:holdout:eligible"), { bundleDiscountTitles: [] });
    expect(await attributionSummary(shop, { from: at(1), to: at(10) })).toEqual({
      orders: 2, attributedOrders: 1, unattributedOrders: 1, attributedRevenue: 120, unattributedRevenue: 120,
    });
    expect((await recentAttributions(shop)).map((r) => [r.orderId, r.plays.map((p) => p.play)])).toEqual([["11", ["vip"]]]);
  });
});

describe("recordRefund", () => {
  const refund = (id: number, orderId: number, amounts: (string | [string, string, string])[]) => ({
    id,
    order_id: orderId,
    created_at: at(5).toISOString(),
    transactions: amounts.map((a) => (Array.isArray(a) ? { amount: a[0], kind: a[1], status: a[2] } : { amount: a, kind: "refund", status: "success" })),
  });

  it("GIVEN an attributed order WHEN part of it is refunded THEN the order, the exposure and its cohort day lose that revenue; the conversion stands", async () => {
    await eligible("vip", 1);
    await rollupEvents(shop, { settleMs: 0 });
    await attributeOrder(shop, withAttrs(20, `vip:${assignArm(VID, "vip", 10)}:eligible`), { bundleDiscountTitles: [] });
    // Failed and non-refund transactions are not money back.
    const r = await recordRefund(shop, refund(900, 20, ["30.00", ["50.00", "refund", "failure"], ["10.00", "sale", "success"]]));
    expect(r).toEqual({ status: "applied", orderId: "20", amount: 30, plays: ["vip"] });
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "20" } } })).refunded).toBe(30);
    expect(await prisma.playExposure.findFirstOrThrow({ where: { shop } })).toMatchObject({ orders: 1, revenue: 90 });
    expect((await stat("vip")).map((s) => [s.day, s.orders, s.revenue])).toEqual([["2026-03-01", 1, 90]]);
    // The set-based rebuild agrees with the incremental change.
    await rebuildDailyStats(shop);
    expect((await stat("vip")).map((s) => [s.day, s.orders, s.revenue])).toEqual([["2026-03-01", 1, 90]]);
  });

  it("GIVEN the same refund twice, or refunds above the order's total WHEN recorded THEN nothing is subtracted twice and revenue never goes below zero", async () => {
    await attributeOrder(shop, withAttrs(21, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    await recordRefund(shop, refund(901, 21, ["100.00"]));
    expect(await recordRefund(shop, refund(901, 21, ["100.00"]))).toEqual({ status: "duplicate", orderId: "21" });
    expect(await recordRefund(shop, refund(902, 21, ["100.00"]))).toMatchObject({ status: "applied", amount: 20 });
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop } })).revenue).toBe(0);
    expect((await stat("confidence"))[0].revenue).toBe(0);
    expect(await recordRefund(shop, refund(903, 21, ["0.00"]))).toEqual({ status: "no_amount", orderId: "21" });
  });

  it("GIVEN a refund delivered before its order WHEN the order arrives THEN it is attributed net of the refund", async () => {
    expect(await recordRefund(shop, refund(904, 22, ["45.50"]))).toEqual({ status: "unknown_order", orderId: "22" });
    await attributeOrder(shop, withAttrs(22, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop } })).revenue).toBe(74.5);
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "22" } } })).refunded).toBe(45.5);
    const summary = await attributionSummary(shop, { from: at(1), to: at(10) });
    expect(summary.attributedRevenue).toBe(74.5);
  });

  it("GIVEN a signed refunds/create webhook WHEN delivered THEN it is applied once; a malformed one is refused with 400", async () => {
    const { installShop, webhookRequest, TEST_SHOP } = await import("../../tests/helpers/shopify");
    const { action } = await import("../routes/webhooks.refunds.create");
    await installShop();
    await attributeOrder(TEST_SHOP, withAttrs(23, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    const call = (r: Request) => action({ request: r, params: {}, context: {} }).catch((e: unknown) => (e instanceof Response ? e : Promise.reject(e)));
    expect((await call(webhookRequest("refunds/create", refund(905, 23, ["20.00"])))).status).toBe(200);
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop: TEST_SHOP } })).revenue).toBe(100);
    expect((await call(webhookRequest("refunds/create", { id: 906 }))).status).toBe(400);
    expect((await call(webhookRequest("refunds/create", refund(907, 23, ["5.00"]), { hmac: "bad" }))).status).toBe(401);
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop: TEST_SHOP } })).revenue).toBe(100);
  });
});

describe("bundleCodeLeaks", () => {
  const CODE = "BUNDLE-TESTCODE23";
  // A two-item order paying the bundle code, from `visitor` (or no visitor id), listing `plays` in the cart.
  const coded = (id: number, visitor: string | null, plays = "", day = 3) =>
    order(id, {
      created_at: at(day).toISOString(),
      total_discounts: "12.00",
      note_attributes: visitor ? [{ name: "_rp_vid", value: visitor }, ...(plays ? [{ name: "_rp_plays", value: plays }] : [])] : [],
      discount_codes: [{ code: CODE, amount: "12.00", type: "percentage" }],
      discount_applications: [{ type: "discount_code", code: CODE, value: "10.0", value_type: "percentage" }],
      line_items: [{ discount_allocations: [{ amount: "12.00", discount_application_index: 0 }] }],
    });
  const titles = { bundleDiscountTitles: [CODE] };

  it("GIVEN bundle-code orders from offered, holdout, unknown and anonymous shoppers WHEN leaks are counted THEN only the ones never offered the bundle are leaks", async () => {
    // Offered: the cart lists the treatment exposure.
    await attributeOrder(shop, coded(1, "visitor-offered1", "deal_seeker:treatment:shown"), titles);
    // Offered: no cart listing, but the visitor's treatment exposure is rolled up after the order was recorded.
    await attributeOrder(shop, coded(2, "visitor-offered2"), titles);
    await prisma.playExposure.create({ data: { shop, play: "deal_seeker", visitorId: "visitor-offered2", arm: "treatment", firstEligibleAt: at(2) } });
    // Leaks: a holdout visitor, a visitor never exposed, an order without a visitor id.
    await prisma.playExposure.create({ data: { shop, play: "deal_seeker", visitorId: "visitor-holdout", arm: "holdout", firstEligibleAt: at(2) } });
    await attributeOrder(shop, coded(3, "visitor-holdout"), titles);
    await attributeOrder(shop, coded(4, "visitor-stranger"), titles);
    await attributeOrder(shop, coded(5, null), titles);
    // Not counted: an order without the bundle discount, one before the window, and another shop's order.
    await attributeOrder(shop, order(6), titles);
    await attributeOrder(shop, coded(7, "visitor-stranger2", "", 1), titles);
    await attributeOrder(`other-${shop}`, coded(8, "visitor-stranger3"), titles);

    expect(await bundleCodeLeaks(shop, at(2))).toEqual({ discountedOrders: 5, leakedOrders: 3, leakedDiscount: 36 });
  });

  it("GIVEN a shop whose bundle orders all came through the offer WHEN leaks are counted THEN there are none", async () => {
    await attributeOrder(shop, coded(1, "visitor-offered1", "deal_seeker:treatment:shown"), titles);
    expect(await bundleCodeLeaks(shop, at(1))).toEqual({ discountedOrders: 1, leakedOrders: 0, leakedDiscount: 0 });
    expect(await bundleCodeLeaks(shop, at(4))).toEqual({ discountedOrders: 0, leakedOrders: 0, leakedDiscount: 0 });
  });
});

describe("attribution on a shop's local days", () => {
  const LA = "America/Los_Angeles";
  // 2026-03-02T05:00Z is still March 1st in Los Angeles (UTC−8).
  const lateEvening = new Date("2026-03-02T05:00:00Z");

  it("GIVEN a Los Angeles shop and an exposure rolled up on its local day WHEN the order and a refund arrive THEN the deltas land on that same day, as a rebuild makes it", async () => {
    await prisma.shop.create({ data: { shop, ianaTimezone: LA } });
    const arm = assignArm(VID, "vip", 10);
    await prisma.event.create({ data: { shop, visitorId: VID, type: "eligible", play: "vip", arm, occurredAt: lateEvening } });
    await rollupEvents(shop, { settleMs: 0 });
    await attributeOrder(shop, withAttrs(40, `vip:${arm}:eligible`), { bundleDiscountTitles: [] });
    await recordRefund(shop, { id: 940, order_id: 40, created_at: at(5).toISOString(), transactions: [{ amount: "20.00", kind: "refund", status: "success" }] });
    const rows = (await stat("vip")).map((s) => [s.day, s.eligible, s.orders, s.revenue]);
    expect(rows).toEqual([["2026-03-01", 1, 1, 100]]);
    await rebuildDailyStats(shop);
    expect((await stat("vip")).map((s) => [s.day, s.eligible, s.orders, s.revenue])).toEqual(rows);
  });

  it("GIVEN a Los Angeles shop and an order before any rollup WHEN attributed THEN the stand-in exposure counts on the order's local day", async () => {
    await prisma.shop.create({ data: { shop, ianaTimezone: LA, statsZone: LA } });
    const arm = assignArm(VID, "confidence", 10);
    await attributeOrder(shop, withAttrs(41, `confidence:${arm}:shown`, { created_at: lateEvening.toISOString() }), { bundleDiscountTitles: [] });
    expect((await stat("confidence")).map((s) => [s.day, s.orders])).toEqual([["2026-03-01", 1]]);
  });
});
