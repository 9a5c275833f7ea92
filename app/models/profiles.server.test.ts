import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { applyOrderWebhook } from "./orders.server";
import {
  customerContext,
  eraseCustomer,
  eraseShop,
  forgetShopScales,
  getProfile,
  lookupCustomer,
  rfmAgreement,
} from "./profiles.server";

let seq = 0;
const newShop = () => `profiles-${++seq}-${Math.random().toString(36).slice(2, 7)}.myshopify.com`;

function order(id: number, customerId: number | null, over: Record<string, unknown> = {}) {
  return {
    id,
    created_at: "2026-05-01T10:00:00Z",
    updated_at: "2026-05-01T10:00:00Z",
    total_price: "100.00",
    financial_status: "paid",
    cancelled_at: null,
    customer: customerId === null ? null : { id: customerId },
    refunds: [],
    ...over,
  };
}

const refund = (amount: string, at = "2026-05-03T00:00:00Z") => ({ created_at: at, transactions: [{ amount, kind: "refund", status: "success" }] });
const now = Date.parse("2026-05-10T00:00:00Z");

describe("applyOrderWebhook", () => {
  it("GIVEN a first order WHEN delivered THEN the customer gets a profile with one order, spend and AOV", async () => {
    const shop = newShop();
    const r = await applyOrderWebhook(shop, order(1, 10), undefined, now);
    expect(r.applied).toBe(true);
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
    expect([p.ordersCount, p.netSpend, p.aov, p.stage]).toEqual([1, 100, 100, "first_time_customer"]);
  });

  it("GIVEN the same delivery twice WHEN applied THEN the second is a no-op and nothing is counted twice", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 10), undefined, now);
    const again = await applyOrderWebhook(shop, order(1, 10), undefined, now);
    expect(again).toEqual({ applied: false, reason: "duplicate" });
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
    expect(p.ordersCount).toBe(1);
  });

  it("GIVEN a refund update WHEN delivered THEN net spend and AOV drop by the refund", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 10), undefined, now);
    await applyOrderWebhook(shop, order(2, 10, { total_price: "50.00" }), undefined, now);
    await applyOrderWebhook(shop, order(1, 10, { updated_at: "2026-05-03T00:00:00Z", refunds: [refund("30.00")] }), undefined, now);
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
    expect([p.ordersCount, p.netSpend, p.aov]).toEqual([2, 120, 60]);
  });

  it("GIVEN an older update arriving after a newer one WHEN applied THEN it is ignored and the profile does not regress", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 10, { updated_at: "2026-05-03T00:00:00Z", refunds: [refund("40.00")] }), undefined, now);
    const stale = await applyOrderWebhook(shop, order(1, 10), undefined, now);
    expect(stale).toEqual({ applied: false, reason: "stale" });
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
    expect(p.netSpend).toBe(60);
  });

  it("GIVEN a cancellation WHEN delivered THEN the order no longer counts", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 10), undefined, now);
    await applyOrderWebhook(shop, order(2, 10), undefined, now);
    await applyOrderWebhook(shop, order(2, 10, { updated_at: "2026-05-02T00:00:00Z", cancelled_at: "2026-05-02T00:00:00Z" }), undefined, now);
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
    expect([p.ordersCount, p.netSpend]).toEqual([1, 100]);
  });

  it("GIVEN deliveries in any order WHEN all applied THEN the profile is the same", async () => {
    const deliveries = [
      order(1, 10),
      order(1, 10, { updated_at: "2026-05-03T00:00:00Z", refunds: [refund("25.00")] }),
      order(2, 10, { total_price: "80.00" }),
      order(3, 10, { total_price: "20.00", updated_at: "2026-05-04T00:00:00Z", cancelled_at: "2026-05-04T00:00:00Z" }),
    ];
    const results: unknown[] = [];
    for (const seqOrder of [[0, 1, 2, 3], [3, 1, 2, 0], [1, 0, 0, 3, 2, 1]]) {
      const shop = newShop();
      for (const i of seqOrder) await applyOrderWebhook(shop, deliveries[i], undefined, now);
      const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
      results.push([p.ordersCount, p.grossSpend, p.refunded, p.netSpend, p.aov]);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0]).toEqual([2, 180, 25, 155, 77.5]);
  });

  it("GIVEN a synced baseline WHEN a pre-sync order gets a refund after the sync THEN only that refund is subtracted", async () => {
    const shop = newShop();
    const syncStart = new Date("2026-05-05T00:00:00Z");
    await prisma.syncJob.create({ data: { shop, status: "completed", startedAt: syncStart, finishedAt: syncStart } });
    // Baseline from the bulk sync: two orders of 100, one of them already refunded 10 before the sync.
    await prisma.customerProfile.create({
      data: { shop, customerId: "10", ordersCount: 2, grossSpend: 200, refunded: 10, netSpend: 190, aov: 95, lastOrderAt: new Date("2026-05-01T10:00:00Z") },
    });
    forgetShopScales(shop);
    await applyOrderWebhook(
      shop,
      order(1, 10, { updated_at: "2026-05-06T00:00:00Z", refunds: [refund("10.00", "2026-05-02T00:00:00Z"), refund("15.00", "2026-05-06T00:00:00Z")] }),
      undefined,
      now,
    );
    const p = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "10" } } });
    expect([p.ordersCount, p.refunded, p.netSpend]).toEqual([2, 25, 175]);
  });

  it("GIVEN a guest order WHEN delivered THEN it is stored without creating a profile", async () => {
    const shop = newShop();
    const r = await applyOrderWebhook(shop, order(5, null), undefined, now);
    expect(r).toMatchObject({ applied: true, customerId: null });
    expect(await prisma.customerProfile.count({ where: { shop } })).toBe(0);
    expect(await prisma.profileOrder.count({ where: { shop } })).toBe(1);
  });

  it("GIVEN a payload that is not an order WHEN delivered THEN it is rejected as invalid and nothing is stored", async () => {
    const shop = newShop();
    expect(await applyOrderWebhook(shop, { id: "x", created_at: "2026-01-01T00:00:00Z", total_price: "NaN" })).toEqual({ applied: false, reason: "invalid" });
    expect(await prisma.profileOrder.count({ where: { shop } })).toBe(0);
  });
});

describe("reads", () => {
  it("GIVEN a profile WHEN the storefront asks for its context THEN stage, segment, orders, AOV and last order come back", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 10), undefined, now);
    const ctx = await customerContext(shop, "gid://shopify/Customer/10", undefined, now);
    expect(ctx).toMatchObject({ stage: "first_time_customer", ordersCount: 1, aov: 100, lastOrderAt: "2026-05-01T10:00:00.000Z" });
    expect(await customerContext(shop, "999")).toBeNull();
  });

  it("GIVEN stored profiles WHEN the context is read by the direct point read and by the Prisma client THEN both agree, incl. a missing order date and a missing row", async () => {
    const shop = newShop();
    await prisma.customerProfile.createMany({
      data: [
        { shop, customerId: "1", ordersCount: 3, aov: 41.5, lastOrderAt: new Date("2026-04-30T23:59:59.123Z"), segment: "LOYAL" },
        { shop, customerId: "2", ordersCount: 0, aov: 0, lastOrderAt: null, segment: "PROSPECTS" },
      ],
    });
    // Another shop's row with the same customer id must never be read.
    await prisma.customerProfile.create({ data: { shop: `other-${shop}`, customerId: "3", ordersCount: 9, segment: "CHAMPIONS" } });
    const read = async () => Promise.all(["1", "2", "3"].map((id) => customerContext(shop, id, undefined, now)));
    const direct = await read();
    const previous = process.env.RP_POINT_READS;
    process.env.RP_POINT_READS = "prisma";
    try {
      expect(await read()).toEqual(direct);
    } finally {
      if (previous === undefined) delete process.env.RP_POINT_READS;
      else process.env.RP_POINT_READS = previous;
    }
    expect(direct[0]).toMatchObject({ ordersCount: 3, aov: 41.5, lastOrderAt: "2026-04-30T23:59:59.123Z", segment: "LOYAL" });
    expect(direct[1]).toMatchObject({ ordersCount: 0, lastOrderAt: null, segment: "PROSPECTS" });
    expect(direct[2]).toBeNull();
  });

  it("GIVEN a profile WHEN explained THEN scores, thresholds and the segment agree with each other", async () => {
    const shop = newShop();
    for (let i = 1; i <= 10; i++) await applyOrderWebhook(shop, order(i, i, { total_price: String(i * 10) }), undefined, now);
    forgetShopScales(shop);
    const v = await getProfile(shop, "10", undefined, now);
    expect(v?.explanation.scores.m).toBe(5);
    expect(v?.explanation.population).toBe(10);
    expect(v?.explanation.thresholds.monetary[3]).not.toBeNull();
    expect(v?.segment).toBe(v?.explanation.segment);
  });

  it("GIVEN an email WHEN looked up THEN nothing is found (emails are level-2 protected data the app does not process)", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 42), undefined, now);
    expect(await lookupCustomer(shop, "ana@example.com")).toBeNull();
    expect((await lookupCustomer(shop, "gid://shopify/Customer/42"))?.customerId).toBe("42");
  });

  it("GIVEN Shopify's rfmGroup on some profiles WHEN agreement is measured THEN it counts matching segments", async () => {
    const shop = newShop();
    await prisma.customerProfile.createMany({
      data: [
        { shop, customerId: "1", segment: "LOYAL", shopifyRfmGroup: "LOYAL" },
        { shop, customerId: "2", segment: "NEW", shopifyRfmGroup: "ACTIVE" },
        { shop, customerId: "3", segment: "NEW", shopifyRfmGroup: null },
      ],
    });
    const a = await rfmAgreement(shop);
    expect([a.compared, a.agreeing, a.rate]).toEqual([2, 1, 0.5]);
  });
});

describe("compliance", () => {
  it("GIVEN two customers WHEN one is redacted THEN only their profile and orders are gone", async () => {
    const shop = newShop();
    await applyOrderWebhook(shop, order(1, 10), undefined, now);
    await applyOrderWebhook(shop, order(2, 11), undefined, now);
    const r = await eraseCustomer(shop, 10);
    expect(r).toEqual({ profiles: 1, orders: 1 });
    expect(await prisma.customerProfile.count({ where: { shop } })).toBe(1);
    expect(await prisma.profileOrder.count({ where: { shop, customerId: "10" } })).toBe(0);
  });

  it("GIVEN two shops WHEN one is redacted THEN all its profiles, orders and sync jobs are gone and the other shop is untouched", async () => {
    const a = newShop();
    const b = newShop();
    for (const s of [a, b]) {
      await applyOrderWebhook(s, order(1, 10), undefined, now);
      await applyOrderWebhook(s, order(2, null), undefined, now);
      await prisma.syncJob.create({ data: { shop: s, status: "completed" } });
    }
    const before = await prisma.customerProfile.count({ where: { shop: b } });
    expect(await eraseShop(a)).toEqual({ profiles: 1, orders: 2, syncJobs: 1 });
    const left = await Promise.all([prisma.customerProfile.count({ where: { shop: a } }), prisma.profileOrder.count({ where: { shop: a } }), prisma.syncJob.count({ where: { shop: a } })]);
    expect(left).toEqual([0, 0, 0]);
    expect(await prisma.customerProfile.count({ where: { shop: b } })).toBe(before);
  });
});
