// DailyPlayStat: the per-day aggregate of PlayExposure (first eligible day × play × arm) in the shop's stats zone.
// The rollup folds events into it set-based (rollup.server.ts); attribution and erasure apply a few exposures'
// changes through applyExposureChanges; rebuildDailyStats repairs it and re-keys it when the shop's zone changes.
// Every writer holds the shop's measurement lock, so the rows stay equal to the aggregate of the exposures.
import prisma from "../db.server";
import type { Prisma, PrismaClient } from "@prisma/client";
import { currentDialect, dialectSql, sqlDays, usableZone, type Dialect, type SqlDays } from "../db/dialect";
import { dayIn } from "../lib/stats/days";

type Tx = Prisma.TransactionClient | PrismaClient;

/**
 * Serialises measurement writers (rollup chunks, attribution, erasure) per shop. PostgreSQL: a transaction-level
 * advisory lock. SQLite has a single writer; callers make their first statement a write so the lock is taken
 * at the start of the transaction.
 */
export async function lockShopMeasurement(tx: Tx, shop: string, d: Dialect = currentDialect()): Promise<void> {
  if (d === "postgres") await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `rp-measure:${shop}`);
}

/** Upsert tail shared by the incremental DailyPlayStat writers: a day's row is incremented by the delta. */
export const ADD_TO_DAILY_STAT = `ON CONFLICT ("shop", "day", "play", "arm") DO UPDATE SET ${(["eligible", "shown", "engaged", "orders", "revenue", "discount"] as const)
  .map((c) => `"${c}" = "DailyPlayStat"."${c}" + excluded."${c}"`)
  .join(", ")}`;

/** One exposure's contribution to DailyPlayStat. */
export interface ExposureState {
  play: string;
  arm: string;
  firstEligibleAt: Date;
  shownAt: Date | null;
  engagedAt: Date | null;
  orders: number;
  revenue: number;
  discount: number;
}

interface DailyDelta {
  day: string;
  play: string;
  arm: string;
  eligible: number;
  shown: number;
  engaged: number;
  orders: number;
  revenue: number;
  discount: number;
}

/** UTC day, identical to dialectSql().day() without a zone on both databases. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The zone a shop's DailyPlayStat rows are keyed in (`Shop.statsZone`, set by rebuildDailyStats), or null (UTC).
 * Every writer reads it inside its locked transaction, so deltas always land on the days the rows are keyed by,
 * even right after a zone change in another process.
 */
export async function measurementZone(db: Tx, shop: string, d: Dialect = currentDialect()): Promise<string | null> {
  const row = await db.shop.findUnique({ where: { shop }, select: { statsZone: true } });
  return usableZone(db, row?.statsZone, d);
}

const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : v == null ? NaN : Date.parse(String(v)));

/** Time range [min, max] (ms) of timestamp values; NaN when there are none. */
export function rangeOf(values: unknown[]): [number, number] {
  const ms = values.map(toMs).filter((t) => Number.isFinite(t));
  return ms.length ? [Math.min(...ms), Math.max(...ms)] : [NaN, NaN];
}

/**
 * Applies the change of a few exposures (before → after; null = absent) to DailyPlayStat, inside the caller's
 * transaction. Used by attribution and erasure; the rollup does the same set-based.
 */
export async function applyExposureChanges(
  tx: Tx,
  shop: string,
  changes: { before: ExposureState | null; after: ExposureState | null }[],
): Promise<void> {
  if (changes.length === 0) return;
  const zone = await measurementZone(tx, shop);
  const deltas = new Map<string, DailyDelta>();
  const add = (e: ExposureState, sign: 1 | -1) => {
    const day = dayIn(e.firstEligibleAt, zone);
    const key = `${day}|${e.play}|${e.arm}`;
    const row = deltas.get(key) ?? { day, play: e.play, arm: e.arm, eligible: 0, shown: 0, engaged: 0, orders: 0, revenue: 0, discount: 0 };
    row.eligible += sign;
    row.shown += e.shownAt ? sign : 0;
    row.engaged += e.engagedAt ? sign : 0;
    row.orders += e.orders > 0 ? sign : 0;
    row.revenue += sign * e.revenue;
    row.discount += sign * e.discount;
    deltas.set(key, row);
  };
  for (const c of changes) {
    if (c.before) add(c.before, -1);
    if (c.after) add(c.after, 1);
  }
  const rows = [...deltas.values()].filter((r) => r.eligible || r.shown || r.engaged || r.orders || r.revenue || r.discount);
  if (rows.length === 0) return;
  const sql = dialectSql(currentDialect());
  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("DailyPlayStat")} ("shop", "day", "play", "arm", "eligible", "shown", "engaged", "orders", "revenue", "discount")
      VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
      ${ADD_TO_DAILY_STAT}`),
    ...rows.flatMap((r) => [shop, r.day, r.play, r.arm, r.eligible, r.shown, r.engaged, r.orders, r.revenue, r.discount]),
  );
  // A cohort can only empty when some exposure left it.
  if (rows.some((r) => r.eligible < 0)) await tx.dailyPlayStat.deleteMany({ where: { shop, eligible: { lte: 0 } } });
}

/**
 * Rebuilds a shop's DailyPlayStat from PlayExposure (repair tool; the rollup keeps them equal incrementally) on the
 * days of the shop's current zone (`Shop.ianaTimezone`; UTC without a usable one), and records that zone as the one
 * the rows are keyed in (`Shop.statsZone`) in the same transaction. Returns the number of rows written.
 */
export async function rebuildDailyStats(shop: string): Promise<number> {
  const d = currentDialect();
  const sql = dialectSql(d);
  return prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop, d);
      await tx.dailyPlayStat.deleteMany({ where: { shop } });
      const row = await tx.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } });
      const zone = await usableZone(tx, row?.ianaTimezone, d);
      let days: SqlDays = null;
      if (zone) {
        const [r] = await tx.$queryRawUnsafe<Record<string, unknown>[]>(
          sql.q(`SELECT MIN("firstEligibleAt") AS a, MAX("firstEligibleAt") AS b FROM ${sql.t("PlayExposure")} WHERE "shop" = ?`),
          shop,
        );
        const [from, to] = rangeOf(Object.values(r ?? {}));
        days = sqlDays(d, zone, from, to);
      }
      const written = await tx.$executeRawUnsafe(
        sql.q(`INSERT INTO ${sql.t("DailyPlayStat")} ("shop", "day", "play", "arm", "eligible", "shown", "engaged", "orders", "revenue", "discount")
          SELECT ?, ${sql.day(`"firstEligibleAt"`, days)}, "play", "arm", COUNT(*),
            SUM(CASE WHEN "shownAt" IS NULL THEN 0 ELSE 1 END), SUM(CASE WHEN "engagedAt" IS NULL THEN 0 ELSE 1 END),
            SUM(CASE WHEN "orders" > 0 THEN 1 ELSE 0 END), SUM("revenue"), SUM("discount")
          FROM ${sql.t("PlayExposure")} WHERE "shop" = ? GROUP BY 2, 3, 4`),
        shop, shop,
      );
      if (row) await tx.shop.update({ where: { shop }, data: { statsZone: zone } });
      return written;
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/**
 * Rebuilds a shop's daily stats when they are keyed by another zone than its current one (the zone was first
 * stored or changed, or an earlier rebuild failed). Pass the shop row when the caller has it (no extra read).
 * Returns whether it rebuilt.
 */
export async function syncStatsZone(shop: string, known?: { ianaTimezone: string | null; statsZone: string | null } | null): Promise<boolean> {
  const row = known ?? (await prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true, statsZone: true } }));
  if (!row) return false;
  if ((await usableZone(prisma, row.ianaTimezone)) === (row.statsZone ?? null)) return false;
  await rebuildDailyStats(shop);
  return true;
}
