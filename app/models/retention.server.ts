// Data retention and erasure for measurement data: the scheduled cleanup honours Shop.retentionDays; the
// compliance webhooks erase one customer's data (customers/redact) or everything of a shop (shop/redact).
import prisma from "../db.server";
import { PLAY_KEYS } from "../lib/plays/types";
import { addDays, dayIn, dayStart } from "../lib/stats/days";
import { forgetLeakVisitors } from "./leakFold.server";
import { currentDialect, dialectSql, usableZone } from "../db/dialect";
import { applyExposureChanges, lockShopMeasurement } from "./dailyStats.server";

const DELETE_BATCH = 50_000;

export interface PruneResult {
  shop: string;
  cutoff: string;
  events: number;
  exposures: number;
  dailyStats: number;
  orders: number;
}

/**
 * Deletes, per shop, raw events, exposures, daily aggregates and order attributions older than the shop's
 * retention. The cutoff is the start of a day in the shop's measurement zone (`Shop.statsZone`, the days its
 * DailyPlayStat rows are keyed by; UTC without one) so exposures and their daily cohorts leave together.
 */
export async function pruneExpiredData(now: Date = new Date()): Promise<PruneResult[]> {
  const shops = await prisma.shop.findMany({ select: { shop: true, retentionDays: true, statsZone: true } });
  const results: PruneResult[] = [];
  for (const { shop, retentionDays, statsZone } of shops) {
    try {
      results.push(await pruneShop(shop, retentionDays, statsZone, now));
    } catch (err) {
      // One shop's failure (a lock timeout, a bad zone) must not keep every later shop's expired data.
      console.error(`retention for ${shop} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return results;
}

async function pruneShop(shop: string, retentionDays: number, statsZone: string | null, now: Date): Promise<PruneResult> {
  const days = Math.max(1, retentionDays);
  const zone = await usableZone(prisma, statsZone);
  const cutoffDay = addDays(dayIn(now, zone), -days);
  const cutoff = new Date(dayStart(cutoffDay, zone));
  const events = await deleteEventsInBatches(shop, `"occurredAt" < ${dialectSql(currentDialect()).ts}`, [dialectSql(currentDialect()).tsValue(cutoff)]);
  const { exposures, dailyStats } = await prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop);
      const dailyStats = (await tx.dailyPlayStat.deleteMany({ where: { shop, day: { lt: cutoffDay } } })).count;
      // Visit states of days whose events are gone (the day rows stay: they are the history).
      await tx.leakVisit.deleteMany({ where: { shop, day: { lt: cutoffDay } } });
      const exposures = (await tx.playExposure.deleteMany({ where: { shop, firstEligibleAt: { lt: cutoff } } })).count;
      return { exposures, dailyStats };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  const orders = (await prisma.orderAttribution.deleteMany({ where: { shop, createdAt: { lt: cutoff } } })).count;
  await prisma.orderRefund.deleteMany({ where: { shop, createdAt: { lt: cutoff } } });
  return { shop, cutoff: cutoff.toISOString(), events, exposures, dailyStats, orders };
}

/** Deletes a shop's events matching a condition, in batches so a large delete never holds the lock for long. */
async function deleteEventsInBatches(shop: string, condition: string, params: unknown[]): Promise<number> {
  const sql = dialectSql(currentDialect());
  const t = sql.t("Event");
  let total = 0;
  for (;;) {
    const n = await prisma.$executeRawUnsafe(
      sql.q(`DELETE FROM ${t} WHERE "id" IN (SELECT "id" FROM ${t} WHERE "shop" = ? AND ${condition} LIMIT ${DELETE_BATCH})`),
      shop,
      ...params,
    );
    total += n;
    if (n < DELETE_BATCH) return total;
  }
}

export interface EraseResult {
  visitors: number;
  events: number;
  exposures: number;
  orders: number;
}

/**
 * customers/redact: erases the customer's events, the events of every visitor id linked to the customer (before
 * and after login), their exposures (removed from the daily aggregates too) and their order attributions.
 */
export async function eraseCustomerEvents(shop: string, customerId: string, options: { orderIds?: string[] } = {}): Promise<EraseResult> {
  const id = /(\d+)$/.exec(customerId)?.[1] ?? customerId;
  const orderIds = (options.orderIds ?? []).map((o) => /(\d+)$/.exec(String(o))?.[1] ?? String(o));
  // One transaction under the shop's measurement lock, events included: a rollup chunk either ran before (its
  // exposures are found and removed here) or runs after (the events are gone). Deleting the events after the
  // exposures, outside the lock, let a rollup in between fold them back into exposures and daily aggregates.
  return prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop);
      const [fromEvents, fromExposures] = await Promise.all([
        tx.event.findMany({ where: { shop, customerId: id }, select: { visitorId: true }, distinct: ["visitorId"] }),
        tx.playExposure.findMany({ where: { shop, customerId: id }, select: { visitorId: true }, distinct: ["visitorId"] }),
      ]);
      const visitors = [...new Set([...fromEvents, ...fromExposures].map((r) => r.visitorId))];
      // Their visits leave the leak finder's rows and states while their events are still there to say what they counted.
      await forgetLeakVisitors(tx, shop, visitors);
      let events = (await tx.event.deleteMany({ where: { shop, customerId: id } })).count;
      // Visitors are found through exposures too: their events (before login, without the customer id) go with them.
      for (let i = 0; i < visitors.length; i += 500) {
        events += (await tx.event.deleteMany({ where: { shop, visitorId: { in: visitors.slice(i, i + 500) } } })).count;
      }
      // play IN (…) lets the (shop, play, visitorId) primary key serve the lookup.
      const byVisitor = { shop, play: { in: [...PLAY_KEYS] }, visitorId: { in: visitors } };
      const rows = visitors.length ? await tx.playExposure.findMany({ where: byVisitor }) : [];
      const exposures = visitors.length ? (await tx.playExposure.deleteMany({ where: byVisitor })).count : 0;
      await applyExposureChanges(tx, shop, rows.map((before) => ({ before, after: null })));
      const orders = (
        await tx.orderAttribution.deleteMany({
          where: { shop, OR: [...(visitors.length ? [{ visitorId: { in: visitors } }] : []), ...(orderIds.length ? [{ orderId: { in: orderIds } }] : [])] },
        })
      ).count;
      return { visitors: visitors.length, events, exposures, orders: visitors.length || orderIds.length ? orders : 0 };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** shop/redact: removes every measurement row of the shop. */
export async function eraseShopMeasurement(shop: string): Promise<{ events: number; exposures: number; dailyStats: number; orders: number }> {
  const events = await deleteEventsInBatches(shop, "1 = 1", []);
  return prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop);
      const exposures = (await tx.playExposure.deleteMany({ where: { shop } })).count;
      const dailyStats = (await tx.dailyPlayStat.deleteMany({ where: { shop } })).count;
      const orders = (await tx.orderAttribution.deleteMany({ where: { shop } })).count;
      await tx.orderRefund.deleteMany({ where: { shop } });
      await tx.rollupCursor.deleteMany({ where: { shop } });
      // Events that arrived during the batched delete.
      const late = (await tx.event.deleteMany({ where: { shop } })).count;
      return { events: events + late, exposures, dailyStats, orders };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
