// Rollup: folds raw Events (after RollupCursor.lastEventId) into PlayExposure (one row per visitor × play, the
// unit of analysis) and keeps DailyPlayStat (per day first eligible × play × arm) equal to the aggregate of
// PlayExposure. Set-based SQL in chunks of events, one transaction per chunk (exposures, daily deltas and the
// cursor move together), so a crash loses nothing and a rerun double-counts nothing.
// The SQL runs on SQLite and PostgreSQL; the few dialect differences live in app/db/dialect.ts.
import prisma from "../db.server";
import { currentDialect, dialectSql, sqlDays, type Dialect, type SqlDays } from "../db/dialect";
import { ADD_TO_DAILY_STAT, lockShopMeasurement, measurementZone, rangeOf, syncStatsZone } from "./dailyStats.server";

export const PLAY_EVENT_TYPES_SQL = "('eligible','shown','engaged','dismissed')";

export interface RollupOptions {
  /** Events per transaction. */
  chunkSize?: number;
  /**
   * Optional extra delay: only events stored at least this long ago are folded (0 by default; the PostgreSQL
   * watermark below is what keeps late commits from being skipped).
   */
  settleMs?: number;
  /** PostgreSQL: how long to wait for in-flight Event inserts to finish before folding only what is settled. */
  settleWaitMs?: number;
  now?: Date;
}

export interface RollupResult {
  shops: number;
  events: number;
  exposures: number;
  chunks: number;
}

const DEFAULT_CHUNK = 1_000_000;

/** Folds all new events of one shop, or of every shop with events when `shop` is omitted. */
export async function rollupEvents(shop?: string, options: RollupOptions = {}): Promise<RollupResult> {
  const d = currentDialect();
  let restoreSync: number | null = null;
  let restoreCheckpoint = 1000;
  if (d === "sqlite") {
    // Large GROUP BYs and temp tables stay in memory; memory-mapped reads avoid a syscall per page.
    await prisma.$executeRawUnsafe("PRAGMA temp_store = MEMORY");
    await prisma.$executeRawUnsafe("PRAGMA cache_size = -262144");
    await prisma.$queryRawUnsafe("PRAGMA mmap_size = 2147418112");
    // WAL + synchronous=NORMAL for the rollup's own commits: no fsync per chunk. A chunk lost to a power cut
    // loses its cursor move with it, so it is simply folded again. Restored afterwards for ingestion.
    // (Only in WAL mode: with a rollback journal NORMAL could corrupt the file on power loss.)
    const [mode] = await prisma.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    if (mode?.journal_mode === "wal") {
      const [row] = await prisma.$queryRawUnsafe<{ synchronous: number | bigint }[]>("PRAGMA synchronous");
      restoreSync = Number(row?.synchronous ?? 2);
      await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
      // One checkpoint at the end instead of one per chunk: pages touched by many chunks are copied back once.
      const [ac] = await prisma.$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>("PRAGMA wal_autocheckpoint");
      restoreCheckpoint = Number(ac?.wal_autocheckpoint ?? 1000);
      await prisma.$queryRawUnsafe("PRAGMA wal_autocheckpoint = 0");
    }
  }
  const total: RollupResult = { shops: 0, events: 0, exposures: 0, chunks: 0 };
  try {
    const shops = shop ? [shop] : await shopsWithEvents(d);
    for (const s of shops) {
      let r: Awaited<ReturnType<typeof rollupShop>>;
      if (shop) r = await rollupShop(s, d, options); // one shop's job: its failure is the job's (retried)
      else {
        // All shops in one pass: one shop's failure is logged and the others are still rolled up.
        try {
          r = await rollupShop(s, d, options);
        } catch (err) {
          console.error(`rollup for ${s} failed: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
      }
      if (r.chunks > 0) total.shops++;
      total.events += r.events;
      total.exposures += r.exposures;
      total.chunks += r.chunks;
    }
  } finally {
    if (restoreSync !== null) {
      await prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(PASSIVE)");
      await prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${Math.trunc(restoreCheckpoint)}`);
      await prisma.$executeRawUnsafe(`PRAGMA synchronous = ${Math.trunc(restoreSync)}`);
    }
  }
  return total;
}

/** Distinct shops in Event by a loose index scan on (shop, id): one index seek per shop, not a table scan. */
export async function shopsWithEvents(d: Dialect = currentDialect()): Promise<string[]> {
  const sql = dialectSql(d);
  const shops: string[] = [];
  let after = "";
  for (;;) {
    const rows = await prisma.$queryRawUnsafe<{ s: string | null }[]>(sql.q(`SELECT MIN("shop") AS s FROM ${sql.t("Event")} WHERE "shop" > ?`), after);
    const s = rows[0]?.s;
    if (!s) return shops;
    shops.push(s);
    after = s;
  }
}

async function rollupShop(shop: string, d: Dialect, options: RollupOptions) {
  const sql = dialectSql(d);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const settleMs = options.settleMs ?? 0;
  const now = options.now ?? new Date();
  const result = { events: 0, exposures: 0, chunks: 0 };

  try {
    await syncStatsZone(shop);
  } catch (e) {
    // The chunks below still write in the zone the rows are keyed by; the next run retries the rebuild.
    console.error(`rollup: rebuilding ${shop}'s daily stats in its time zone failed`, e);
  }
  const cursor = await ensureCursor(shop);
  let lo = cursor;
  const maxRow = await prisma.$queryRawUnsafe<{ m: number | bigint | null }[]>(sql.q(`SELECT MAX("id") AS m FROM ${sql.t("Event")} WHERE "shop" = ?`), shop);
  let hiMax = Number(maxRow[0]?.m ?? 0);
  if (hiMax <= lo) return result;
  if (d === "postgres") {
    const settled = await settledEventId(options.settleWaitMs ?? 2_000);
    hiMax = settled === null ? lo : Math.min(hiMax, settled);
    if (hiMax <= lo) return result;
  }
  if (settleMs > 0) {
    const cutoff = new Date(now.getTime() - settleMs);
    const young = await prisma.$queryRawUnsafe<{ m: number | bigint | null }[]>(
      sql.q(`SELECT MIN("id") AS m FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" > ? AND "createdAt" >= ${sql.ts}`),
      shop, lo, sql.tsValue(cutoff),
    );
    if (young[0]?.m != null) hiMax = Math.min(hiMax, Number(young[0].m) - 1);
  }

  while (lo < hiMax) {
    const next = await prisma.$queryRawUnsafe<{ id: number | bigint }[]>(
      sql.q(`SELECT "id" FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" > ? ORDER BY "id" LIMIT 1 OFFSET ?`),
      shop, lo, chunkSize - 1,
    );
    const hi = Math.min(hiMax, next.length ? Number(next[0].id) : hiMax);
    const r = await foldChunk(shop, lo, hi, d);
    result.events += r.events;
    result.exposures += r.exposures;
    result.chunks++;
    lo = hi;
  }
  return result;
}

/**
 * PostgreSQL's watermark: the highest Event id below which no insert can still commit. Ids come from a sequence
 * when a row is inserted, but rows commit in any order, so "the highest visible id" can pass an id whose
 * transaction is still open; a cursor moved past it would skip that event for ever. An INSERT holds
 * RowExclusiveLock on the table from before it draws its ids until its transaction ends. So: read the sequence
 * (every id at or below it is drawn), then list the transactions holding that lock (every open transaction that
 * could own one of those ids is among them), and wait for them to end. Then every id at or below the sequence
 * value is committed (visible) or rolled back (never will be). Returns null when they do not end within
 * `waitMs` (the next run tries again; nothing is skipped, only delayed). Other writers of Event (retention,
 * erasure) are short and only delay it too.
 */
export async function settledEventId(waitMs: number): Promise<number | null> {
  const sql = dialectSql("postgres");
  const table = sql.t("Event");
  const [seq] = await prisma.$queryRawUnsafe<{ s: number | bigint | null }[]>(
    `SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass) AS s`,
    table,
  );
  const high = Number(seq?.s ?? 0);
  const writers = await prisma.$queryRawUnsafe<{ v: string }[]>(
    `SELECT DISTINCT virtualtransaction AS v FROM pg_locks WHERE locktype = 'relation' AND relation = $1::regclass AND mode = 'RowExclusiveLock'`,
    table,
  );
  let open = writers.map((w) => w.v);
  const deadline = Date.now() + waitMs;
  while (open.length > 0) {
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 20));
    const still = await prisma.$queryRawUnsafe<{ v: string }[]>(
      `SELECT DISTINCT virtualtransaction AS v FROM pg_locks
       WHERE locktype = 'relation' AND relation = $1::regclass AND mode = 'RowExclusiveLock' AND virtualtransaction = ANY($2::text[])`,
      table, open,
    );
    open = still.map((w) => w.v);
  }
  return high;
}

async function ensureCursor(shop: string): Promise<number> {
  const found = await prisma.rollupCursor.findUnique({ where: { shop } });
  if (found) return found.lastEventId;
  try {
    await prisma.rollupCursor.create({ data: { shop, lastEventId: 0 } });
  } catch {
    // Another worker created it first.
  }
  return (await prisma.rollupCursor.findUniqueOrThrow({ where: { shop } })).lastEventId;
}

export class RollupConflictError extends Error {
  constructor(shop: string) {
    super(`rollup cursor for ${shop} moved concurrently`);
  }
}

async function foldChunk(shop: string, lo: number, hi: number, d: Dialect) {
  const sql = dialectSql(d);
  return prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop, d);
      // Compare-and-set on the cursor: a concurrent rollup of the same range makes this chunk a no-op.
      const moved = await tx.$executeRawUnsafe(
        sql.q(`UPDATE ${sql.t("RollupCursor")} SET "lastEventId" = ?, "updatedAt" = ${sql.ts} WHERE "shop" = ? AND "lastEventId" = ?`),
        hi, sql.tsValue(new Date()), shop, lo,
      );
      if (moved !== 1) throw new RollupConflictError(shop);

      const countRows = await tx.$queryRawUnsafe<{ c: number | bigint }[]>(
        sql.q(`SELECT COUNT(*) AS c FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" > ? AND "id" <= ?`), shop, lo, hi,
      );
      const events = Number(countRows[0]?.c ?? 0);

      if (d === "sqlite") await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS temp.rp_keys`);
      // One row per (play, visitor) of the chunk: the merged new state, and the exposure's previous state ("o…").
      await tx.$executeRawUnsafe(
        `CREATE TEMP TABLE rp_keys ("play" TEXT NOT NULL, "visitorId" TEXT NOT NULL, "arm" TEXT NOT NULL, "customerId" TEXT,
          "firstAt" ${sql.tsType} NOT NULL, "shownAt" ${sql.tsType}, "engagedAt" ${sql.tsType},
          "existed" INTEGER NOT NULL DEFAULT 0, "oArm" TEXT, "oCustomerId" TEXT, "oFirstAt" ${sql.tsType}, "oShownAt" ${sql.tsType},
          "oEngagedAt" ${sql.tsType}, "orders" INTEGER NOT NULL DEFAULT 0, "revenue" ${sql.realType} NOT NULL DEFAULT 0,
          "discount" ${sql.realType} NOT NULL DEFAULT 0)${sql.tempSuffix}`,
      );

      // Any play event implies eligibility: a lost "eligible" beacon must not drop the visitor from the cohort.
      const exposures = await tx.$executeRawUnsafe(
        sql.q(`INSERT INTO rp_keys ("play", "visitorId", "arm", "customerId", "firstAt", "shownAt", "engagedAt")
          SELECT "play", "visitorId", MIN("arm"), MAX("customerId"), MIN("occurredAt"),
                 MIN(CASE WHEN "type" = 'shown' THEN "occurredAt" END),
                 MIN(CASE WHEN "type" = 'engaged' THEN "occurredAt" END)
          FROM ${sql.t("Event")}
          WHERE "shop" = ? AND "id" > ? AND "id" <= ? AND "type" IN ${PLAY_EVENT_TYPES_SQL}
            AND "play" IS NOT NULL AND "arm" IS NOT NULL
          GROUP BY "play", "visitorId"`),
        shop, lo, hi,
      );

      if (exposures > 0) {
        // Merge with existing exposures (one lookup each): earliest times win, the first arm seen sticks
        // (assignment is deterministic; a changed holdout share must not move people between arms).
        await tx.$executeRawUnsafe(
          sql.q(`UPDATE rp_keys SET "existed" = 1, "oArm" = pe."arm", "oCustomerId" = pe."customerId",
              "oFirstAt" = pe."firstEligibleAt", "oShownAt" = pe."shownAt", "oEngagedAt" = pe."engagedAt",
              "orders" = pe."orders", "revenue" = pe."revenue", "discount" = pe."discount",
              "arm" = pe."arm",
              "customerId" = COALESCE(pe."customerId", rp_keys."customerId"),
              "firstAt" = CASE WHEN pe."firstEligibleAt" < rp_keys."firstAt" THEN pe."firstEligibleAt" ELSE rp_keys."firstAt" END,
              "shownAt" = CASE WHEN pe."shownAt" IS NULL OR rp_keys."shownAt" < pe."shownAt"
                               THEN COALESCE(rp_keys."shownAt", pe."shownAt") ELSE pe."shownAt" END,
              "engagedAt" = CASE WHEN pe."engagedAt" IS NULL OR rp_keys."engagedAt" < pe."engagedAt"
                                 THEN COALESCE(rp_keys."engagedAt", pe."engagedAt") ELSE pe."engagedAt" END
            FROM ${sql.t("PlayExposure")} pe
            WHERE pe."shop" = ? AND pe."play" = rp_keys."play" AND pe."visitorId" = rp_keys."visitorId"`),
          shop,
        );
        // Returning visitors whose exposure did not change (the common case) cost no write.
        const changed = `("existed" = 0 OR "firstAt" <> "oFirstAt" OR "shownAt" IS DISTINCT FROM "oShownAt"
          OR "engagedAt" IS DISTINCT FROM "oEngagedAt" OR "customerId" IS DISTINCT FROM "oCustomerId")`;
        await tx.$executeRawUnsafe(
          sql.q(`INSERT INTO ${sql.t("PlayExposure")} ("shop", "play", "visitorId", "arm", "customerId", "firstEligibleAt", "shownAt", "engagedAt")
            SELECT ?, "play", "visitorId", "arm", "customerId", "firstAt", "shownAt", "engagedAt" FROM rp_keys WHERE ${changed}
            ON CONFLICT ("shop", "play", "visitorId") DO UPDATE SET
              "firstEligibleAt" = excluded."firstEligibleAt", "shownAt" = excluded."shownAt",
              "engagedAt" = excluded."engagedAt", "customerId" = excluded."customerId"`),
          shop,
        );
        // DailyPlayStat += new contribution − previous contribution of every changed exposure, on the shop's days.
        const zone = await measurementZone(tx, shop, d);
        let days: SqlDays;
        if (zone && d === "sqlite") {
          const [r] = await tx.$queryRawUnsafe<Record<string, unknown>[]>(
            `SELECT MIN("firstAt") AS a, MAX("firstAt") AS b, MIN("oFirstAt") AS c, MAX("oFirstAt") AS e FROM rp_keys`,
          );
          const [from, to] = rangeOf(Object.values(r ?? {}));
          days = sqlDays(d, zone, from, to);
        } else days = sqlDays(d, zone, NaN, NaN);
        await tx.$executeRawUnsafe(
          sql.q(`INSERT INTO ${sql.t("DailyPlayStat")} ("shop", "day", "play", "arm", "eligible", "shown", "engaged", "orders", "revenue", "discount")
            SELECT ?, "day", "play", "arm", SUM("e"), SUM("s"), SUM("g"), SUM("o"), SUM("r"), SUM("x") FROM (
              SELECT ${sql.day(`"firstAt"`, days)} AS "day", "play", "arm", 1 AS "e",
                     CASE WHEN "shownAt" IS NULL THEN 0 ELSE 1 END AS "s", CASE WHEN "engagedAt" IS NULL THEN 0 ELSE 1 END AS "g",
                     CASE WHEN "orders" > 0 THEN 1 ELSE 0 END AS "o", "revenue" AS "r", "discount" AS "x"
              FROM rp_keys WHERE ${changed}
              UNION ALL
              SELECT ${sql.day(`"oFirstAt"`, days)}, "play", "oArm", -1,
                     CASE WHEN "oShownAt" IS NULL THEN 0 ELSE -1 END, CASE WHEN "oEngagedAt" IS NULL THEN 0 ELSE -1 END,
                     CASE WHEN "orders" > 0 THEN -1 ELSE 0 END, -"revenue", -"discount"
              FROM rp_keys WHERE "existed" = 1 AND ${changed}
            ) AS delta WHERE 1 = 1 GROUP BY "day", "play", "arm"
            ${ADD_TO_DAILY_STAT}`),
          shop,
        );
        // A cohort emptied by exposures moving to an earlier day.
        await tx.$executeRawUnsafe(sql.q(`DELETE FROM ${sql.t("DailyPlayStat")} WHERE "shop" = ? AND "eligible" <= 0`), shop);
      }
      if (d === "sqlite") await tx.$executeRawUnsafe(`DROP TABLE temp.rp_keys`);
      return { events, exposures };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}
