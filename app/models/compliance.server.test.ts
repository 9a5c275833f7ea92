// Erasure under load and under concurrency: shop/redact in bounded batches; customers/redact that a rollup running
// at the same moment cannot undo; retention and rollup passes that survive one shop's failure.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { redactCustomer, redactShop, SHOP_TABLES } from "./compliance.server";
import { pruneExpiredData } from "./retention.server";
import * as dialect from "../db/dialect";
import * as rollup from "./rollup.server";

const SHOP = "erase-a.myshopify.com";
const OTHER = "erase-b.myshopify.com";
const at = (d: number) => new Date(Date.UTC(2026, 2, d, 12));

async function seedShop(shop: string, n: number) {
  await prisma.shop.create({ data: { shop } });
  await prisma.customerProfile.createMany({ data: Array.from({ length: n }, (_, i) => ({ shop, customerId: String(i + 1), ordersCount: 1, netSpend: 10, aov: 10 })) });
  await prisma.event.createMany({
    data: Array.from({ length: n }, (_, i) => ({ shop, visitorId: `v-${i}`, customerId: String(i + 1), type: "eligible", play: "vip", arm: "treatment", occurredAt: at(2) })),
  });
  await rollup.rollupEvents(shop);
  await prisma.webhookDelivery.create({ data: { id: `w-${shop}`, shop, topic: "orders/create" } });
}

async function rowsOf(shop: string) {
  const where = { where: { shop } };
  const counts = await Promise.all([
    prisma.shop.count(where), prisma.customerProfile.count(where), prisma.event.count(where), prisma.playExposure.count(where),
    prisma.dailyPlayStat.count(where), prisma.rollupCursor.count(where), prisma.webhookDelivery.count(where),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

beforeEach(resetDatabase);
afterEach(() => vi.restoreAllMocks());

describe("shop/redact", () => {
  it("GIVEN a shop with more rows than a batch WHEN redacted THEN every row goes in bounded statements and the other shop is intact", async () => {
    await seedShop(SHOP, 120);
    await seedShop(OTHER, 30);
    const otherBefore = await rowsOf(OTHER);
    const raw = vi.spyOn(prisma, "$executeRawUnsafe");
    const deleted = await redactShop(SHOP, { batchSize: 50 });
    expect(await rowsOf(SHOP)).toBe(0);
    expect(await rowsOf(OTHER)).toBe(otherBefore);
    expect(deleted).toMatchObject({ Event: 120, CustomerProfile: 120, PlayExposure: 120, Shop: 1, WebhookDelivery: 1 });
    // 120 profiles at 50 a statement: three bounded deletes, none unbounded.
    const profileDeletes = raw.mock.calls.map((c) => String(c[0])).filter((q) => q.includes('"CustomerProfile"'));
    expect(profileDeletes).toHaveLength(3);
    expect(profileDeletes.every((q) => q.includes("LIMIT 50"))).toBe(true);
  });
});

describe("shop/redact covers the whole schema", () => {
  it("GIVEN every model of the Prisma schema WHEN one has a shop column THEN shop/redact empties its table", () => {
    const withShop = Prisma.dmmf.datamodel.models.filter((m) => m.fields.some((f) => f.name === "shop")).map((m) => m.name);
    expect(withShop.length).toBeGreaterThan(10);
    expect(withShop.filter((name) => !(SHOP_TABLES as string[]).includes(name))).toEqual([]);
  });
});

describe("customers/redact against a concurrent rollup", () => {
  it("GIVEN the customer's events not rolled up yet WHEN a rollup runs while the erasure is under way THEN no exposure or aggregate of theirs comes back", async () => {
    await prisma.shop.create({ data: { shop: SHOP } });
    await prisma.event.createMany({
      data: [
        { shop: SHOP, visitorId: "v-cust", customerId: "42", type: "eligible", play: "vip", arm: "treatment", occurredAt: at(3) },
        { shop: SHOP, visitorId: "v-cust", customerId: null, type: "shown", play: "vip", arm: "treatment", occurredAt: at(3) },
        { shop: SHOP, visitorId: "v-else", customerId: null, type: "eligible", play: "vip", arm: "treatment", occurredAt: at(3) },
      ],
    });
    await rollup.rollupEvents(SHOP); // v-cust's exposure exists and carries the customer id
    await prisma.event.create({ data: { shop: SHOP, visitorId: "v-cust", customerId: "42", type: "engaged", play: "vip", arm: "treatment", occurredAt: at(4) } });
    // A rollup lands the moment any event delete runs outside a transaction (where the old erasure deleted them).
    const original = prisma.event.deleteMany.bind(prisma.event);
    vi.spyOn(prisma.event, "deleteMany").mockImplementation((async (args: Parameters<typeof original>[0]) => {
      await rollup.rollupEvents(SHOP);
      return original(args);
    }) as never);
    await redactCustomer(SHOP, { customer: { id: 42 }, orders_to_redact: [] });
    vi.restoreAllMocks();
    await rollup.rollupEvents(SHOP);
    expect(await prisma.playExposure.findMany({ where: { shop: SHOP }, select: { visitorId: true } })).toEqual([{ visitorId: "v-else" }]);
    expect(await prisma.event.count({ where: { shop: SHOP, visitorId: "v-cust" } })).toBe(0);
    const stats = await prisma.dailyPlayStat.findMany({ where: { shop: SHOP } });
    expect(stats.reduce((s, r) => s + r.eligible, 0)).toBe(1);
    expect(stats.reduce((s, r) => s + r.shown + r.engaged, 0)).toBe(0);
  });
});

describe("one failing shop does not stop the loop", () => {
  it("GIVEN a shop whose retention pass throws WHEN the retention job runs THEN the other shops are still pruned", async () => {
    await prisma.shop.create({ data: { shop: SHOP, retentionDays: 10, statsZone: "Broken/Zone" } });
    await prisma.shop.create({ data: { shop: OTHER, retentionDays: 10 } });
    await prisma.event.createMany({ data: [SHOP, OTHER].map((shop) => ({ shop, visitorId: "v-old", type: "page_view", occurredAt: at(1) })) });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const real = dialect.usableZone;
    vi.spyOn(dialect, "usableZone").mockImplementation(async (db, zone, d) => {
      if (zone === "Broken/Zone") throw new Error("lock timeout");
      return real(db, zone, d);
    });
    const results = await pruneExpiredData(at(20));
    expect(results.map((r) => r.shop)).toEqual([OTHER]);
    expect(await prisma.event.count({ where: { shop: OTHER } })).toBe(0);
    expect(await prisma.event.count({ where: { shop: SHOP } })).toBe(1);
    expect(errors.mock.calls.flat().join(" ")).toContain(`retention for ${SHOP} failed`);
  });

  it("GIVEN a shop whose rollup throws WHEN every shop is rolled up THEN the other shops are still rolled up", async () => {
    for (const shop of [SHOP, OTHER]) {
      await prisma.event.create({ data: { shop, visitorId: "v-1", type: "eligible", play: "vip", arm: "treatment", occurredAt: at(3) } });
    }
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    // The first shop's (alphabetical order) chunk transaction fails.
    vi.spyOn(prisma, "$transaction").mockRejectedValueOnce(new Error("deadlock detected"));
    const r = await rollup.rollupEvents();
    expect(r.shops).toBe(1);
    expect(await prisma.playExposure.count({ where: { shop: OTHER } })).toBe(1);
    expect(await prisma.playExposure.count({ where: { shop: SHOP } })).toBe(0);
    expect(errors.mock.calls.flat().join(" ")).toContain(`rollup for ${SHOP} failed`);
  });
});
