import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { assignArm } from "../lib/stats/assignment";
import { attributeOrder, attributionSummary, orderWebhookSchema, recentAttributions, recordRefund } from "./attribution.server";
import { rollupEvents } from "./rollup.server";
import { rebuildDailyStats } from "./dailyStats.server";
import { signedVisitorFor } from "../../tests/helpers/visitors";

let seq = 0;
let shop = "";
// The visitor id the app signed for this shop (what the embed writes to `_rp_vid`).
let VID = "";
beforeEach(async () => {
  shop = `attr-${++seq}.myshopify.com`;
  VID = await signedVisitorFor(shop);
});

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
/**
 * An order whose cart points to the visitor (`_rp_vid`), after the server recorded the exposures `plays` lists
 * (`play:arm:status`, stored as verified events an hour before the order, not rolled up). The cart also carries
 * `_rp_plays` as old embeds wrote it: attribution must ignore it.
 */
async function withAttrs(id: number, plays: string, extra: Record<string, unknown> = {}, s = shop, vid = VID) {
  const payload = order(id, { note_attributes: [{ name: "_rp_vid", value: vid }, { name: "_rp_plays", value: plays }], ...extra });
  const before = new Date(new Date(payload.created_at as string).getTime() - 3_600_000);
  for (const entry of plays.split(",").filter(Boolean)) {
    const [play, arm, status] = entry.split(":");
    await prisma.event.create({ data: { shop: s, visitorId: vid, type: "eligible", play, arm, occurredAt: before } });
    if (status === "shown") await prisma.event.create({ data: { shop: s, visitorId: vid, type: "shown", play, arm, occurredAt: before } });
  }
  return payload;
}

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
    const r = await attributeOrder(shop, await withAttrs(2, `vip:${arm}:eligible`), { bundleDiscountTitles: [] });
    expect(r).toMatchObject({ status: "attributed", plays: [{ play: "vip", arm, status: "eligible", source: "visitor" }] });
    expect(await prisma.playExposure.findFirstOrThrow({ where: { shop } })).toMatchObject({ orders: 1, revenue: 120, customerId: "5551" });
    expect((await stat("vip")).map((s) => [s.day, s.eligible, s.orders, s.revenue])).toEqual([["2026-03-01", 1, 1, 120]]);
  });

  it("GIVEN the same webhook delivered twice WHEN attributed THEN the second is a no-op", async () => {
    await attributeOrder(shop, await withAttrs(3, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    expect(await attributeOrder(shop, await withAttrs(3, "confidence:treatment:shown"), { bundleDiscountTitles: [] })).toEqual({ status: "duplicate", orderId: "3" });
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop } })).orders).toBe(1);
    expect((await stat("confidence"))[0].revenue).toBe(120);
  });

  it("GIVEN an order before its events are rolled up WHEN the rollup runs later THEN the visitor lands on the first-eligible day", async () => {
    const arm = assignArm(VID, "indecision", 10);
    await attributeOrder(shop, await withAttrs(4, `indecision:${arm}:shown`), { bundleDiscountTitles: [] });
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
    const payload = await withAttrs(5, "deal_seeker:treatment:shown,vip:treatment:eligible", {
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
    const payload = await withAttrs(6, "deal_seeker:treatment:shown", {
      discount_applications: [{ type: "automatic", title: "Bundle & Save" }],
      line_items: [{ discount_allocations: [{ amount: "7.50", discount_application_index: 0 }] }],
    });
    expect(await attributeOrder(shop, payload)).toMatchObject({ discount: 7.5 });
  });

  it("GIVEN an earlier exposure not listed in the cart WHEN the visitor orders THEN that play is credited too (source visitor)", async () => {
    await eligible("confidence", 1);
    await rollupEvents(shop, { settleMs: 0 });
    const r = await attributeOrder(shop, await withAttrs(7, "vip:treatment:shown"), { bundleDiscountTitles: [] });
    expect(r.status === "attributed" && r.plays.map((p) => [p.play, p.source])).toEqual([["confidence", "visitor"], ["vip", "visitor"]]);
  });

  it("GIVEN an exposure that began after the order WHEN the order arrives late THEN that play is not credited", async () => {
    await eligible("confidence", 5);
    await rollupEvents(shop, { settleMs: 0 });
    const r = await attributeOrder(shop, await withAttrs(8, ""), { bundleDiscountTitles: [] });
    expect(r.status === "attributed" && r.plays).toEqual([]);
  });

  it("GIVEN a malformed visitor id attribute WHEN attributed THEN the order is unattributed", async () => {
    const payload = order(9, { note_attributes: [{ name: "_rp_vid", value: "<script>" }, { name: "_rp_plays", value: "vip:treatment:shown" }] });
    expect(await attributeOrder(shop, payload, { bundleDiscountTitles: [] })).toMatchObject({ status: "unattributed" });
  });

  it("GIVEN a holdout visitor whose cart claims `_rp_plays=vip:treatment:shown` WHEN the order arrives THEN it counts for the holdout the server recorded", async () => {
    await prisma.event.create({ data: { shop, visitorId: VID, type: "eligible", play: "vip", arm: "holdout", occurredAt: at(2) } });
    const payload = order(12, { note_attributes: [{ name: "_rp_vid", value: VID }, { name: "_rp_plays", value: "vip:treatment:shown,confidence:treatment:shown" }] });
    const r = await attributeOrder(shop, payload, { bundleDiscountTitles: [] });
    expect(r.status === "attributed" && r.plays.map((p) => [p.play, p.arm, p.status])).toEqual([["vip", "holdout", "eligible"]]);
    expect((await stat("vip")).map((d) => [d.arm, d.orders])).toEqual([["holdout", 1]]);
    expect(await stat("confidence")).toEqual([]);
  });

  it.each([
    ["made up", "visitor-0001"],
    ["signed for another shop", "other"],
    ["with a forged tag", "forged"],
  ])("GIVEN a `_rp_vid` %s WHEN the order arrives THEN it is unattributed and no exposure counts it", async (_, kind) => {
    await prisma.event.create({ data: { shop, visitorId: VID, type: "shown", play: "vip", arm: "treatment", occurredAt: at(2) } });
    const vid = kind === "other" ? await signedVisitorFor(`x-${shop}`) : kind === "forged" ? `${VID.slice(0, 23)}${"A".repeat(22)}` : kind;
    const payload = order(13, { note_attributes: [{ name: "_rp_vid", value: vid }, { name: "_rp_plays", value: "vip:treatment:shown" }] });
    expect(await attributeOrder(shop, payload, { bundleDiscountTitles: [] })).toEqual({ status: "unattributed", orderId: "13" });
    expect(await prisma.playExposure.count({ where: { shop } })).toBe(0);
  });

  // Order payloads are validated once, at the webhook edge (400 before anything is stored): the schema is the check.
  it("GIVEN an amount no real order has (1e308, 1e13) WHEN the order webhook is validated THEN it is refused", () => {
    expect(orderWebhookSchema.safeParse(order(31, { total_price: "1e308" })).success).toBe(false);
    expect(orderWebhookSchema.safeParse(order(32, { total_price: 1e13 })).success).toBe(false);
    expect(orderWebhookSchema.safeParse(order(33, { discount_codes: [{ code: "X", amount: "-1e14" }] })).success).toBe(false);
    expect(orderWebhookSchema.safeParse(order(34)).success).toBe(true);
  });

  it("GIVEN a payload without an id WHEN the order webhook is validated THEN it is refused", () => {
    expect(orderWebhookSchema.safeParse({ created_at: at(1).toISOString(), total_price: "1" }).success).toBe(false);
  });

  it("GIVEN attributed and unattributed orders WHEN summarised THEN counts and revenue split by status", async () => {
    await attributeOrder(shop, order(10), { bundleDiscountTitles: [] });
    await attributeOrder(shop, await withAttrs(11, "vip:holdout:eligible"), { bundleDiscountTitles: [] });
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
    await attributeOrder(shop, await withAttrs(20, `vip:${assignArm(VID, "vip", 10)}:eligible`), { bundleDiscountTitles: [] });
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
    await attributeOrder(shop, await withAttrs(21, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    await recordRefund(shop, refund(901, 21, ["100.00"]));
    expect(await recordRefund(shop, refund(901, 21, ["100.00"]))).toEqual({ status: "duplicate", orderId: "21" });
    expect(await recordRefund(shop, refund(902, 21, ["100.00"]))).toMatchObject({ status: "applied", amount: 20 });
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop } })).revenue).toBe(0);
    expect((await stat("confidence"))[0].revenue).toBe(0);
    expect(await recordRefund(shop, refund(903, 21, ["0.00"]))).toEqual({ status: "no_amount", orderId: "21" });
  });

  it("GIVEN a refund delivered before its order WHEN the order arrives THEN it is attributed net of the refund", async () => {
    expect(await recordRefund(shop, refund(904, 22, ["45.50"]))).toEqual({ status: "unknown_order", orderId: "22" });
    await attributeOrder(shop, await withAttrs(22, "confidence:treatment:shown"), { bundleDiscountTitles: [] });
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop } })).revenue).toBe(74.5);
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "22" } } })).refunded).toBe(45.5);
    const summary = await attributionSummary(shop, { from: at(1), to: at(10) });
    expect(summary.attributedRevenue).toBe(74.5);
  });

  it("GIVEN a signed refunds/create webhook WHEN delivered THEN it is applied once; a malformed one is refused with 400", async () => {
    const { installShop, webhookRequest, TEST_SHOP } = await import("../../tests/helpers/shopify");
    const { action } = await import("../routes/webhooks.refunds.create");
    await installShop();
    const vid = await signedVisitorFor(TEST_SHOP);
    await attributeOrder(TEST_SHOP, await withAttrs(23, "confidence:treatment:shown", {}, TEST_SHOP, vid), { bundleDiscountTitles: [] });
    const call = (r: Request) => action({ request: r, params: {}, context: {} }).catch((e: unknown) => (e instanceof Response ? e : Promise.reject(e)));
    expect((await call(webhookRequest("refunds/create", refund(905, 23, ["20.00"])))).status).toBe(200);
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop: TEST_SHOP } })).revenue).toBe(100);
    expect((await call(webhookRequest("refunds/create", { id: 906 }))).status).toBe(400);
    expect((await call(webhookRequest("refunds/create", refund(907, 23, ["5.00"]), { hmac: "bad" }))).status).toBe(401);
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop: TEST_SHOP } })).revenue).toBe(100);
  });
});

describe("attribution on a shop's local days", () => {
  const LA = "America/Los_Angeles";
  // 2026-03-02T05:00Z is still March 1st in Los Angeles (UTC−8).
  const lateEvening = new Date("2026-03-02T05:00:00Z");

  it("GIVEN a Los Angeles shop and an exposure rolled up on its local day WHEN the order and a refund arrive THEN the deltas land on that same day, as a rebuild makes it", async () => {
    await prisma.shop.update({ where: { shop }, data: { ianaTimezone: LA } });
    const arm = assignArm(VID, "vip", 10);
    await prisma.event.create({ data: { shop, visitorId: VID, type: "eligible", play: "vip", arm, occurredAt: lateEvening } });
    await rollupEvents(shop, { settleMs: 0 });
    await attributeOrder(shop, await withAttrs(40, `vip:${arm}:eligible`), { bundleDiscountTitles: [] });
    await recordRefund(shop, { id: 940, order_id: 40, created_at: at(5).toISOString(), transactions: [{ amount: "20.00", kind: "refund", status: "success" }] });
    const rows = (await stat("vip")).map((s) => [s.day, s.eligible, s.orders, s.revenue]);
    expect(rows).toEqual([["2026-03-01", 1, 1, 100]]);
    await rebuildDailyStats(shop);
    expect((await stat("vip")).map((s) => [s.day, s.eligible, s.orders, s.revenue])).toEqual(rows);
  });

  it("GIVEN a Los Angeles shop and an order before any rollup WHEN attributed THEN the stand-in exposure counts on the order's local day", async () => {
    await prisma.shop.update({ where: { shop }, data: { ianaTimezone: LA, statsZone: LA } });
    const arm = assignArm(VID, "confidence", 10);
    await attributeOrder(shop, await withAttrs(41, `confidence:${arm}:shown`, { created_at: lateEvening.toISOString() }), { bundleDiscountTitles: [] });
    expect((await stat("confidence")).map((s) => [s.day, s.orders])).toEqual([["2026-03-01", 1]]);
  });
});
