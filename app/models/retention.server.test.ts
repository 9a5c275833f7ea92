import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { assignArm } from "../lib/stats/assignment";
import { attributeOrder } from "./attribution.server";
import { eraseCustomerEvents, eraseShopMeasurement, pruneExpiredData } from "./retention.server";
import { rollupEvents } from "./rollup.server";
import { rebuildDailyStats } from "./dailyStats.server";
import { issuedVisitorFor } from "../../tests/helpers/visitors";

let seq = 0;
let shop = "";
beforeEach(async () => {
  shop = `retention-${++seq}.myshopify.com`;
});

const at = (d: number) => new Date(Date.UTC(2026, 2, d, 12));
const ev = (visitorId: string, d: number, customerId: string | null = null) => ({
  shop, visitorId, customerId, type: "eligible", play: "vip", arm: assignArm(visitorId, "vip", 10), occurredAt: at(d),
});

describe("pruneExpiredData", () => {
  it("GIVEN data older than the shop's retention WHEN pruned THEN events, exposures, cohorts and orders before the cutoff day go", async () => {
    await prisma.shop.create({ data: { shop, retentionDays: 10 } });
    await prisma.event.createMany({ data: [ev("visitor-old1", 1), ev("visitor-new1", 15)] });
    await rollupEvents(shop, { settleMs: 0 });
    await attributeOrder(shop, { id: 1, created_at: at(2).toISOString(), total_price: "10" }, { bundleDiscountTitles: [] });
    await attributeOrder(shop, { id: 2, created_at: at(16).toISOString(), total_price: "10" }, { bundleDiscountTitles: [] });
    const [r] = (await pruneExpiredData(at(20))).filter((x) => x.shop === shop);
    expect(r).toMatchObject({ cutoff: "2026-03-10T00:00:00.000Z", events: 1, exposures: 1, dailyStats: 1, orders: 1 });
    expect((await prisma.playExposure.findMany({ where: { shop } })).map((e) => e.visitorId)).toEqual(["visitor-new1"]);
    expect((await prisma.dailyPlayStat.findMany({ where: { shop } })).map((d) => d.day)).toEqual(["2026-03-15"]);
    expect(await prisma.event.count({ where: { shop } })).toBe(1);
  });

  it("GIVEN two shops with different retention WHEN pruned THEN each keeps its own window", async () => {
    const other = `${shop}-long`;
    await prisma.shop.createMany({ data: [{ shop, retentionDays: 5 }, { shop: other, retentionDays: 365 }] });
    await prisma.event.createMany({ data: [ev("visitor-aaaa", 1), { ...ev("visitor-bbbb", 1), shop: other }] });
    await pruneExpiredData(at(20));
    expect(await prisma.event.count({ where: { shop } })).toBe(0);
    expect(await prisma.event.count({ where: { shop: other } })).toBe(1);
  });
});

describe("eraseCustomerEvents", () => {
  it("GIVEN a customer's visitor with anonymous and logged-in events WHEN erased THEN all of them, the exposure and the order go and the aggregates drop them", async () => {
    // Ids the app issued, with their server arms: attribution follows only a _rp_vid that verifies.
    const cust = await issuedVisitorFor(shop);
    const othr = await issuedVisitorFor(shop);
    const signed = (v: typeof cust, d: number, customerId: string | null = null) => ({ ...ev(v.id, d, customerId), arm: v.arms.vip });
    await prisma.event.createMany({
      data: [signed(cust, 1), signed(cust, 2, "77"), signed(othr, 1)],
    });
    await rollupEvents(shop, { settleMs: 0 });
    await attributeOrder(shop, {
      id: 9, created_at: at(3).toISOString(), total_price: "50", customer: { id: 77 },
      note_attributes: [{ name: "_rp_vid", value: cust.id }],
    }, { bundleDiscountTitles: [] });
    expect((await prisma.orderAttribution.findFirstOrThrow({ where: { shop } })).visitorId).toBe(cust.id);
    const r = await eraseCustomerEvents(shop, "gid://shopify/Customer/77");
    expect(r).toEqual({ visitors: 1, events: 2, exposures: 1, orders: 1 });
    expect((await prisma.event.findMany({ where: { shop } })).map((e) => e.visitorId)).toEqual([othr.id]);
    const stats = await prisma.dailyPlayStat.findMany({ where: { shop } });
    expect(stats.reduce((a, s) => a + s.eligible, 0)).toBe(1);
    expect(stats.reduce((a, s) => a + s.revenue, 0)).toBe(0);
    const before = stats.map(({ day, arm, eligible, orders }) => ({ day, arm, eligible, orders }));
    await rebuildDailyStats(shop);
    expect((await prisma.dailyPlayStat.findMany({ where: { shop } })).map(({ day, arm, eligible, orders }) => ({ day, arm, eligible, orders }))).toEqual(before);
  });

  it("GIVEN order ids to redact without events WHEN erased THEN those attributions are deleted", async () => {
    await attributeOrder(shop, { id: 31, created_at: at(3).toISOString(), total_price: "5" }, { bundleDiscountTitles: [] });
    expect(await eraseCustomerEvents(shop, "88", { orderIds: ["gid://shopify/Order/31"] })).toMatchObject({ orders: 1 });
    expect(await prisma.orderAttribution.count({ where: { shop } })).toBe(0);
  });
});

describe("eraseShopMeasurement", () => {
  it("GIVEN a shop's measurement data WHEN erased THEN none of it remains and other shops keep theirs", async () => {
    const other = `${shop}-keep`;
    await prisma.event.createMany({ data: [ev("visitor-aaaa", 1), { ...ev("visitor-aaaa", 1), shop: other }] });
    await rollupEvents(shop, { settleMs: 0 });
    await rollupEvents(other, { settleMs: 0 });
    await eraseShopMeasurement(shop);
    for (const model of [prisma.event, prisma.playExposure, prisma.dailyPlayStat, prisma.rollupCursor] as const) {
      expect(await (model as typeof prisma.event).count({ where: { shop } })).toBe(0);
      expect(await (model as typeof prisma.event).count({ where: { shop: other } })).toBe(1);
    }
  });
});

describe("retention and erasure on a shop's local days", () => {
  const LA = "America/Los_Angeles";

  it("GIVEN a Los Angeles shop WHEN pruned THEN the cutoff is local midnight and exposures and cohorts on either side of it stay together", async () => {
    await prisma.shop.create({ data: { shop, retentionDays: 10, ianaTimezone: LA } });
    // Local 2026-03-09 23:30 and 2026-03-10 00:30 (PDT since March 8th: UTC−7).
    await prisma.event.createMany({
      data: [
        { ...ev("visitor-old1", 1), occurredAt: new Date("2026-03-10T06:30:00Z") },
        { ...ev("visitor-new1", 1), occurredAt: new Date("2026-03-10T07:30:00Z") },
      ],
    });
    await rollupEvents(shop, { settleMs: 0 });
    // 2026-03-20T05:00Z is still March 19th in Los Angeles: its cutoff day is March 9th.
    const [r] = (await pruneExpiredData(new Date("2026-03-20T05:00:00Z"))).filter((x) => x.shop === shop);
    expect(r).toMatchObject({ cutoff: "2026-03-09T07:00:00.000Z", exposures: 0, dailyStats: 0 });
    const [r2] = (await pruneExpiredData(new Date("2026-03-20T08:00:00Z"))).filter((x) => x.shop === shop);
    expect(r2).toMatchObject({ cutoff: "2026-03-10T07:00:00.000Z", exposures: 1, dailyStats: 1 });
    expect((await prisma.playExposure.findMany({ where: { shop } })).map((e) => e.visitorId)).toEqual(["visitor-new1"]);
    expect((await prisma.dailyPlayStat.findMany({ where: { shop } })).map((d) => [d.day, d.eligible])).toEqual([["2026-03-10", 1]]);
  });

  it("GIVEN a Los Angeles shop WHEN a customer is erased THEN their exposure leaves the local day it was counted on", async () => {
    await prisma.shop.create({ data: { shop, ianaTimezone: LA } });
    await prisma.event.createMany({
      data: [
        { ...ev("visitor-cust", 1, "77"), occurredAt: new Date("2026-03-02T05:00:00Z") },
        { ...ev("visitor-othr", 1), occurredAt: new Date("2026-03-02T06:00:00Z") },
      ],
    });
    await rollupEvents(shop, { settleMs: 0 });
    await eraseCustomerEvents(shop, "77");
    expect((await prisma.dailyPlayStat.findMany({ where: { shop } })).map((d) => [d.day, d.eligible])).toEqual([["2026-03-01", 1]]);
  });
});
