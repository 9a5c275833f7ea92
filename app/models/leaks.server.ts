// Leak finder aggregates: after each rollup, the events its cursor has settled are folded visit by visit into
// LeakVisit states and the day rows they change (LeakFunnelDay, LeakPathDay and its 7-day blocks LeakPathWeek), by
// the logic of lib/stats/visitFold.ts; PlayMoneyDay is recomputed for the days new events or orders touched. The
// from-scratch SQL aggregation (`aggregateLeakDaysFromScratch`, what lib/stats/funnel.ts `foldVisits` defines) is
// the reference a test holds the incremental fold to. The admin page reads only the day and block tables.
import prisma from "../db.server";
import type { Prisma, PrismaClient } from "@prisma/client";
import { addDays, dayIn, dayStart, offsetIntervals } from "../lib/stats/days";
import { PLAY_KEYS } from "../lib/plays/types";
import {
  emptyFunnel, funnelSteps, LEAK_RANGE_DAYS, LEAK_SIGNALS, leaksCsv, rankLeaks, storeRates, POLICY_VIEWS, REMOVALS, REPEAT_VIEWS, STALL_MS, type DayAggregate, type FunnelCounts, type PageRow, type ProductRow,
} from "../lib/stats/funnel";
import { DEFAULT_MARGIN, moneyLift, profitVerdict, verdictFor, type MoneyMoments } from "../lib/stats/profit";
import { analyzeLift } from "../lib/stats/lift";
import { newcombeDifference } from "../lib/stats/proportions";
import { listPlays } from "./plays.server";
import { addOnConflict, currentDialect, dialectSql, sqlDays, sqlInt, sqlString, type Dialect, type SqlDays } from "../db/dialect";
import {
  appendable, appendVisit, dayMapper, decodeVisit, encodeVisit, isoMs, LeakDeltas, newVisit, sortEvents, typeOfCode, VISIT_EVENT_TYPES, type FoldEvent, type VisitState,
} from "../lib/stats/visitFold";
import { lockShopMeasurement, measurementZone } from "./dailyStats.server";
import { databaseConfig } from "../db/config";

type Tx = Prisma.TransactionClient | PrismaClient;

export interface LeakFoldResult {
  days: number;
  events: number;
}

const num = (v: unknown) => (v == null ? 0 : Number(v));

/** Events per transaction of the visit fold. */
const FOLD_CHUNK = 200_000;
/** How far before the order cursor orders are read again. */
const ORDER_LOOKBACK_MS = 48 * 3_600_000;
const VISIT_TYPES_SQL = `(${VISIT_EVENT_TYPES.map((t) => `'${t}'`).join(", ")})`;

/**
 * Folds what changed since the last run for one shop: the events the rollup has settled since the leak cursor,
 * appended visit by visit (app/lib/stats/visitFold.ts), and the orders stored since. Each chunk of events moves the
 * cursor, the visit states and the day rows in one transaction under the shop's measurement lock, so a retry never
 * counts an event twice and an erasure (same lock) is never folded back.
 */
export async function foldLeaks(shop: string, options: { chunkSize?: number } = {}): Promise<LeakFoldResult> {
  const d = currentDialect();
  const sql = dialectSql(d);
  const zone = await measurementZone(prisma, shop, d);
  let cursor = await prisma.leakCursor.findUnique({ where: { shop } });
  if (!cursor) {
    try {
      cursor = await prisma.leakCursor.create({ data: { shop } });
    } catch {
      cursor = await prisma.leakCursor.findUniqueOrThrow({ where: { shop } });
    }
  }
  const rollup = await prisma.rollupCursor.findUnique({ where: { shop }, select: { lastEventId: true } });
  let lo = cursor.lastEventId;
  const hi = Math.max(lo, rollup?.lastEventId ?? 0);
  const chunk = Math.max(1, options.chunkSize ?? FOLD_CHUNK);
  const days = new Set<string>();
  const moneyDays = new Set<string>();
  let events = 0;
  while (lo < hi) {
    const next = await prisma.$queryRawUnsafe<{ id: number | bigint }[]>(
      sql.q(`SELECT "id" FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" > ? ORDER BY "id" LIMIT 1 OFFSET ?`),
      shop, lo, chunk - 1,
    );
    const end = Math.min(hi, next.length ? Number(next[0].id) : hi);
    // `chunk` events of the shop lie in (lo, end] unless the shop has fewer left.
    const r = await foldEventChunk(shop, lo, end, zone, d, chunk);
    if (!r) break; // another fold moved the cursor: it folds these events
    events += r.events;
    for (const day of r.days) days.add(day);
    for (const day of r.eventDays) moneyDays.add(day);
    lo = end;
  }
  const o = await foldNewOrders(shop, zone, d);
  for (const day of o.days) days.add(day);
  for (const day of o.moneyDays) moneyDays.add(day);
  await foldMoneyDays(shop, [...moneyDays], zone, d);
  return { days: new Set([...days, ...moneyDays]).size, events };
}

type VisitKey = { day: string; visitorId: string };
const keyOf = (day: string, visitorId: string) => `${day}\u0000${visitorId}`;
type Row = unknown[];

/**
 * Where a fold's statements run: a Prisma transaction (PostgreSQL, and the small order and erasure folds), or on
 * SQLite a direct better-sqlite3 connection, which reads and writes rows several times faster than the Prisma
 * client (docs/performance.md). Statements are the same `dialectSql` text; rows come back as arrays.
 */
interface FoldIO {
  d: Dialect;
  query(text: string, ...params: unknown[]): Promise<Row[]> | Row[];
  exec(text: string, ...params: unknown[]): Promise<number> | number;
  writeStates(shop: string, states: { day: string; visitorId: string; state: VisitState }[]): Promise<void> | void;
}

function prismaIO(tx: Tx, d: Dialect): FoldIO {
  const sql = dialectSql(d);
  return {
    d,
    query: async (text, ...params) => (await tx.$queryRawUnsafe<Record<string, unknown>[]>(sql.q(text), ...params)).map((r) => Object.values(r)),
    exec: (text, ...params) => tx.$executeRawUnsafe(sql.q(text), ...params),
    async writeStates(shop, states) {
      for (let i = 0; i < states.length; i += 1000) {
        const values = states.slice(i, i + 1000).map((r) => `(${sqlString(shop)}, ${sqlString(r.day)}, ${sqlString(r.visitorId)}, ${sqlString(encodeVisit(r.state))})`);
        await tx.$executeRawUnsafe(
          `INSERT INTO ${sql.t("LeakVisit")} ("shop", "day", "visitorId", "state") VALUES ${values.join(", ")}
           ON CONFLICT ("shop", "day", "visitorId") DO UPDATE SET "state" = excluded."state"`,
        );
      }
    },
  };
}

type SqliteDb = import("better-sqlite3").Database;
const sqliteFolders = new Map<string, { db: SqliteDb; statements: Map<string, import("better-sqlite3").Statement> }>();

/** The leak fold's own SQLite connection (its own, so no other code's transaction can interleave with one of its chunks). */
async function sqliteIO(file: string): Promise<FoldIO & { db: SqliteDb }> {
  let c = sqliteFolders.get(file);
  if (!c || !c.db.open) {
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(file);
    db.pragma("busy_timeout = 0"); // never block the event loop on a lock: BEGIN is retried after a pause
    db.pragma("synchronous = NORMAL");
    db.pragma("temp_store = MEMORY");
    db.pragma("cache_size = -131072");
    sqliteFolders.set(file, (c = { db, statements: new Map() }));
  }
  const { db, statements } = c;
  const prep = (text: string) => {
    let st = statements.get(text);
    if (!st) {
      st = db.prepare(text);
      if (statements.size > 200) statements.clear();
      statements.set(text, st);
    }
    return st;
  };
  return {
    d: "sqlite",
    db,
    query: (text, ...params) => prep(text).raw(true).all(...params) as Row[],
    exec: (text, ...params) => prep(text).run(...params).changes,
    writeStates(shop, states) {
      const st = prep(`INSERT INTO "LeakVisit" ("shop", "day", "visitorId", "state") VALUES (?, ?, ?, ?) ON CONFLICT ("shop", "day", "visitorId") DO UPDATE SET "state" = excluded."state"`);
      for (const r of states) st.run(shop, r.day, r.visitorId, encodeVisit(r.state));
    },
  };
}

/** Closes the fold's SQLite connections (tests and benches that delete their database file). */
export function closeLeakFoldConnections(): void {
  for (const c of sqliteFolders.values()) if (c.db.open) c.db.close();
  sqliteFolders.clear();
}

/** Runs `fn` in one write transaction of the fold's SQLite connection; a busy database is retried after a pause. */
async function sqliteTransaction<T>(io: FoldIO & { db: SqliteDb }, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      io.db.exec("BEGIN IMMEDIATE");
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || attempt >= 600) throw err;
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * (attempt + 1))));
    }
  }
  try {
    const out = await fn();
    io.db.exec("COMMIT");
    return out;
  } catch (err) {
    if (io.db.inTransaction) io.db.exec("ROLLBACK");
    throw err;
  }
}

/** The stored states of these visits (absent ones are new). */
async function loadVisits(io: FoldIO, shop: string, keys: Iterable<VisitKey>): Promise<Map<string, VisitState>> {
  const sql = dialectSql(io.d);
  const byDay = new Map<string, string[]>();
  for (const k of keys) {
    const list = byDay.get(k.day);
    if (list) list.push(k.visitorId);
    else byDay.set(k.day, [k.visitorId]);
  }
  const out = new Map<string, VisitState>();
  for (const [day, visitors] of byDay) {
    for (let i = 0; i < visitors.length; i += 2000) {
      const rows = await io.query(
        `SELECT "visitorId", "state" FROM ${sql.t("LeakVisit")} WHERE "shop" = ? AND "day" = ?
          AND "visitorId" IN (${visitors.slice(i, i + 2000).map(sqlString).join(", ")})`,
        shop, day,
      );
      for (const r of rows) out.set(keyOf(day, r[0] as string), decodeVisit(r[1] as string));
    }
  }
  return out;
}

const FUNNEL_COLUMNS = ["visits", "productViews", "adds", "carts", "checkouts", "orders", "bounces", "abandonedCarts"] as const;

/** Writes visit states, then the day rows' changes, then rebuilds the 7-day blocks those days belong to. */
async function writeFold(io: FoldIO, shop: string, states: { day: string; visitorId: string; state: VisitState }[], deltas: LeakDeltas): Promise<void> {
  const sql = dialectSql(io.d);
  const s = sqlString(shop);
  await io.writeStates(shop, states);
  const funnel = deltas.changedFunnel();
  for (let i = 0; i < funnel.length; i += 500) {
    const values = funnel.slice(i, i + 500).map((r) => `(${s}, ${sqlString(r.day)}, ${FUNNEL_COLUMNS.map((c) => sqlInt(r[c])).join(", ")})`);
    await io.exec(
      `INSERT INTO ${sql.t("LeakFunnelDay")} ("shop", "day", ${FUNNEL_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${values.join(", ")}
       ${addOnConflict("LeakFunnelDay", ["shop", "day"], FUNNEL_COLUMNS)}`,
    );
  }
  const paths = deltas.changedPaths();
  for (let i = 0; i < paths.length; i += 500) {
    const values = paths.slice(i, i + 500).map(
      (r) => `(${s}, ${sqlString(r.day)}, ${sqlString(r.kind)}, ${sqlString(r.path)}, ${sqlString(r.pageType)}, ${PATH_SUMS.map((c) => sqlInt(r[c])).join(", ")})`,
    );
    await io.exec(
      `INSERT INTO ${sql.t("LeakPathDay")} ("shop", "day", "kind", "path", "pageType", ${PATH_SUMS.map((c) => `"${c}"`).join(", ")}) VALUES ${values.join(", ")}
       ${addOnConflict("LeakPathDay", ["shop", "day", "kind", "path"], PATH_SUMS, ["pageType"])}`,
    );
  }
  for (const week of new Set(paths.map((r) => weekOf(r.day)))) await rebuildWeekIO(io, shop, week);
}

/** Attributed orders (visitor × day of the order) among `[from, to)` (ms). */
async function orderedVisits(io: FoldIO, shop: string, from: number, to: number, zone: string | null): Promise<Set<string>> {
  const sql = dialectSql(io.d);
  const rows = await io.query(
    `SELECT "visitorId", "createdAt" FROM ${sql.t("OrderAttribution")} WHERE "shop" = ? AND "visitorId" IS NOT NULL AND "createdAt" >= ${sql.ts} AND "createdAt" < ${sql.ts}`,
    shop, sql.tsValue(new Date(from)), sql.tsValue(new Date(to)),
  );
  return new Set(rows.map((r) => keyOf(dayIn(toMs(r[1]), zone), r[0] as string)));
}

const EVENT_COLUMNS = `"id", "visitorId", "type", "pageType", "path", "occurredAt"`;
/** SQLite: the type as its index in VISIT_EVENT_TYPES (an integer: no string materialized per event). */
const SQLITE_EVENT_COLUMNS = `"id", "visitorId", CASE "type" ${VISIT_EVENT_TYPES.map((t, i) => `WHEN '${t}' THEN ${i}`).join(" ")} ELSE -1 END, "pageType", "path", "occurredAt"`;
const eventColumns = (d: Dialect) => (d === "sqlite" ? SQLITE_EVENT_COLUMNS : EVENT_COLUMNS);

/** Event rows ([id, visitorId, type, pageType, path, occurredAt]) as the visit fold reads them, with their day. */
function foldEvents(rows: Row[], zone: string | null) {
  const evs: (FoldEvent & { visitorId: string })[] = new Array(rows.length);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const at = typeof r[5] === "string" ? isoMs(r[5]) : toMs(r[5]);
    if (at < min) min = at;
    if (at > max) max = at;
    evs[i] = { id: Number(r[0]), visitorId: r[1] as string, type: typeof r[2] === "number" ? typeOfCode(r[2]) : (r[2] as string), pageType: r[3] as string | null, path: r[4] as string | null, at };
  }
  return { evs, dayOf: dayMapper(offsetIntervals(zone, min, max)) };
}

/** One chunk of events (lo, hi]: null when another fold moved the cursor first. */
async function foldEventChunk(shop: string, lo: number, hi: number, zone: string | null, d: Dialect, expected: number) {
  const file = d === "sqlite" ? databaseConfig().file : undefined;
  if (file) {
    const io = await sqliteIO(file);
    return sqliteTransaction(io, () => foldChunkIn(io, shop, lo, hi, zone, expected));
  }
  return prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop, d);
      return foldChunkIn(prismaIO(tx, d), shop, lo, hi, zone, expected);
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

async function foldChunkIn(io: FoldIO, shop: string, lo: number, hi: number, zone: string | null, expected: number) {
  const sql = dialectSql(io.d);
  const moved = await io.exec(
    `UPDATE ${sql.t("LeakCursor")} SET "lastEventId" = ?, "updatedAt" = ${sql.ts} WHERE "shop" = ? AND "lastEventId" = ?`,
    hi, sql.tsValue(new Date()), shop, lo,
  );
  if (moved !== 1) return null;
  // On SQLite the id is the rowid: where the shop's events fill most of the id range (one large shop), reading the
  // table in rowid order is sequential, while the (shop, id) index costs a table lookup per row (≈ 4× slower).
  const scan = io.d === "sqlite" && hi - lo <= 3 * expected ? " NOT INDEXED" : "";
  const rows = await io.query(
    `SELECT ${eventColumns(io.d)} FROM ${sql.t("Event")}${scan} WHERE "shop" = ? AND "id" > ? AND "id" <= ? AND "type" IN ${VISIT_TYPES_SQL}`,
    shop, lo, hi,
  );
  const { evs, dayOf } = foldEvents(rows, zone);
  type Visit = VisitKey & { events: FoldEvent[]; next?: Visit };
  // Per visitor its visits of this chunk (usually one day; others chained): no key string per event.
  const byVisitor = new Map<string, Visit>();
  const deltas = new LeakDeltas();
  const eventDays = new Set<string>();
  for (const e of evs) {
    const day = dayOf(e.at);
    let v = byVisitor.get(e.visitorId);
    while (v && v.day !== day) v = v.next;
    if (v) v.events.push(e);
    else {
      const head = byVisitor.get(e.visitorId);
      const created: Visit = { day, visitorId: e.visitorId, events: [e], next: head?.next };
      if (head) head.next = created;
      else byVisitor.set(e.visitorId, created);
      eventDays.add(day);
    }
    if (e.type === "page_view") deltas.pageView(day, e);
  }
  const visits = new Map<string, Visit>();
  for (const head of byVisitor.values()) for (let v: Visit | undefined = head; v; v = v.next) visits.set(keyOf(v.day, v.visitorId), v);
  if (!visits.size) return { events: 0, days: [], eventDays: [] };
  const dayList = [...eventDays].sort();
  const ordered = await orderedVisits(io, shop, dayStart(dayList[0], zone), dayStart(addDays(dayList[dayList.length - 1], 1), zone), zone);
  const stored = await loadVisits(io, shop, visits.values());
  const states: { day: string; visitorId: string; state: VisitState }[] = [];
  const rebuild: (VisitKey & { old: VisitState })[] = [];
  for (const [key, v] of visits) {
    const events = sortEvents(v.events);
    const old = stored.get(key) ?? null;
    if (!appendable(old, events[0])) {
      rebuild.push({ day: v.day, visitorId: v.visitorId, old: old as VisitState });
      continue;
    }
    // Orders are read afresh for every visit with new events (one stored late, with an older time, counts too).
    const base = old ? (old.ordered || !ordered.has(key) ? old : { ...old, ordered: true }) : newVisit(ordered.has(key));
    const state = appendVisit(base, events);
    deltas.visit(v.day, old, -1);
    deltas.visit(v.day, state, 1);
    states.push({ day: v.day, visitorId: v.visitorId, state });
  }
  // Events earlier than their visit's last folded one: the visit is refolded from all its events up to hi.
  for (const day of new Set(rebuild.map((r) => r.day))) {
    const those = rebuild.filter((r) => r.day === day);
    const all = new Map<string, FoldEvent[]>();
    for (let i = 0; i < those.length; i += 2000) {
      const got = await io.query(
        `SELECT ${eventColumns(io.d)} FROM ${sql.t("Event")}
          WHERE "shop" = ? AND "occurredAt" >= ${sql.ts} AND "occurredAt" < ${sql.ts} AND "id" <= ? AND "type" IN ${VISIT_TYPES_SQL}
            AND "visitorId" IN (${those.slice(i, i + 2000).map((r) => sqlString(r.visitorId)).join(", ")})`,
        shop, sql.tsValue(new Date(dayStart(day, zone))), sql.tsValue(new Date(dayStart(addDays(day, 1), zone))), hi,
      );
      for (const e of foldEvents(got, zone).evs) {
        if (dayIn(e.at, zone) !== day) continue;
        const list = all.get(e.visitorId);
        if (list) list.push(e);
        else all.set(e.visitorId, [e]);
      }
    }
    for (const r of those) {
      const state = appendVisit(newVisit(r.old.ordered || ordered.has(keyOf(day, r.visitorId))), sortEvents(all.get(r.visitorId) ?? []));
      deltas.visit(day, r.old, -1);
      deltas.visit(day, state, 1);
      states.push({ day, visitorId: r.visitorId, state });
    }
  }
  await writeFold(io, shop, states, deltas);
  return { events: evs.length, days: [...deltas.days()], eventDays: dayList };
}

/**
 * Orders stored since the last fold: each visit of the ordering visitor on the order's day becomes ordered (a visit
 * not folded yet reads its orders when it is), and the money of the visitor's exposures is recomputed.
 */
async function foldNewOrders(shop: string, zone: string | null, d: Dialect): Promise<{ days: string[]; moneyDays: string[] }> {
  return prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop, d);
      const cursor = await tx.leakCursor.findUnique({ where: { shop } });
      if (!cursor) return { days: [], moneyDays: [] };
      // Orders are keyed by their own time, and a webhook may store one after a later one: the orders of the last
      // ORDER_LOOKBACK_MS before the cursor are read again (making a visit ordered twice changes nothing).
      const orders = await tx.orderAttribution.findMany({
        where: { shop, NOT: { visitorId: null }, ...(cursor.ordersAt ? { createdAt: { gt: new Date(cursor.ordersAt.getTime() - ORDER_LOOKBACK_MS) } } : {}) },
        select: { visitorId: true, createdAt: true },
      });
      if (!orders.length) return { days: [], moneyDays: [] };
      let ordersAt = cursor.ordersAt;
      const keys = new Map<string, VisitKey>();
      const buyers = new Set<string>();
      for (const o of orders) {
        const day = dayIn(o.createdAt, zone);
        keys.set(keyOf(day, o.visitorId as string), { day, visitorId: o.visitorId as string });
        if (!cursor.ordersAt || o.createdAt > cursor.ordersAt) buyers.add(o.visitorId as string);
        if (!ordersAt || o.createdAt > ordersAt) ordersAt = o.createdAt;
      }
      const io = prismaIO(tx, d);
      const stored = await loadVisits(io, shop, keys.values());
      const deltas = new LeakDeltas();
      const states: { day: string; visitorId: string; state: VisitState }[] = [];
      for (const [key, k] of keys) {
        const old = stored.get(key);
        if (!old || old.ordered) continue;
        const state = { ...old, ordered: true };
        deltas.visit(k.day, old, -1);
        deltas.visit(k.day, state, 1);
        states.push({ ...k, state });
        buyers.add(k.visitorId);
      }
      await writeFold(io, shop, states, deltas);
      await tx.leakCursor.update({ where: { shop }, data: { ordersAt } });
      const moneyDays = new Set<string>();
      const visitors = [...buyers];
      for (let i = 0; i < visitors.length; i += 500) {
        const exposures = await tx.playExposure.findMany({
          where: { shop, play: { in: [...PLAY_KEYS] }, visitorId: { in: visitors.slice(i, i + 500) } },
          select: { firstEligibleAt: true },
        });
        for (const e of exposures) moneyDays.add(dayIn(e.firstEligibleAt, zone));
      }
      return { days: [...deltas.days()], moneyDays: [...moneyDays] };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/**
 * customers/redact, inside its transaction under the measurement lock and before the events go: the erased
 * visitors' visits leave the day rows (what they contributed, and their folded page views) and their states are
 * deleted, so the stored rows equal an aggregation of the events that remain.
 */
export async function forgetLeakVisitors(tx: Tx, shop: string, visitors: string[], d: Dialect = currentDialect()): Promise<number> {
  if (!visitors.length) return 0;
  const zone = await measurementZone(tx, shop, d);
  const cursor = await tx.leakCursor.findUnique({ where: { shop }, select: { lastEventId: true } });
  const deltas = new LeakDeltas();
  let forgotten = 0;
  for (let i = 0; i < visitors.length; i += 500) {
    const batch = visitors.slice(i, i + 500);
    const rows = await tx.leakVisit.findMany({ where: { shop, visitorId: { in: batch } } });
    for (const r of rows) deltas.visit(r.day, decodeVisit(r.state), -1);
    const views = await tx.event.findMany({
      where: { shop, visitorId: { in: batch }, type: "page_view", id: { lte: cursor?.lastEventId ?? 0 } },
      select: { id: true, type: true, pageType: true, path: true, occurredAt: true },
    });
    for (const e of views) deltas.pageView(dayIn(e.occurredAt, zone), { ...e, at: e.occurredAt.getTime() }, -1);
    forgotten += (await tx.leakVisit.deleteMany({ where: { shop, visitorId: { in: batch } } })).count;
  }
  const days = [...deltas.days()];
  await writeFold(prismaIO(tx, d), shop, [], deltas);
  if (days.length) {
    await tx.leakFunnelDay.deleteMany({ where: { shop, day: { in: days }, visits: { lte: 0 } } });
    await tx.leakPathDay.deleteMany({ where: { shop, day: { in: days }, views: { lte: 0 } } });
    for (const week of new Set(days.map(weekOf))) await rebuildWeek(tx, shop, week, d);
  }
  return forgotten;
}

const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : v == null ? NaN : Date.parse(String(v)));

/** Seconds between two timestamp columns. */
function secondsBetween(d: Dialect, a: string, b: string): string {
  return d === "sqlite" ? `((julianday(${b}) - julianday(${a})) * 86400.0)` : `EXTRACT(EPOCH FROM (${b} - ${a}))`;
}

/**
 * The 7-day block a day belongs to, named by its first day: blocks start on Mondays, counted from 1970-01-05, so a
 * block never depends on the range asked for.
 */
export function weekOf(day: string): string {
  const n = Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  return addDays(day, -((((n - 4) % 7) + 7) % 7));
}

/** Dirty days grouped by their 7-day block: one pass (and one transaction) per block, which it then rebuilds. */
function runsOf(days: string[]): string[][] {
  const runs = new Map<string, string[]>();
  for (const day of [...days].sort()) runs.set(weekOf(day), [...(runs.get(weekOf(day)) ?? []), day]);
  return [...runs.values()];
}

const PATH_SUMS = ["views", "exits", "abandoned", "policy", "stall", "cycles", "repeat"] as const;

/** Rebuilds a block's LeakPathWeek rows from its LeakPathDay rows. */
async function rebuildWeek(tx: Tx, shop: string, week: string, d: Dialect): Promise<void> {
  await rebuildWeekIO(prismaIO(tx, d), shop, week);
}

async function rebuildWeekIO(io: FoldIO, shop: string, week: string): Promise<void> {
  const sql = dialectSql(io.d);
  await io.exec(`DELETE FROM ${sql.t("LeakPathWeek")} WHERE "shop" = ? AND "week" = ?`, shop, week);
  await io.exec(
    `INSERT INTO ${sql.t("LeakPathWeek")} ("shop", "week", "kind", "path", "pageType", ${PATH_SUMS.map((c) => `"${c}"`).join(", ")})
      SELECT ?, ?, "kind", "path", MIN("pageType"), ${PATH_SUMS.map((c) => `SUM("${c}")`).join(", ")}
      FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" <= ? GROUP BY "kind", "path"`,
    shop, week, shop, week, addDays(week, 6),
  );
}

/** Rebuilds every LeakPathWeek row of a shop from its LeakPathDay rows (repair, and shops folded before weeks existed). */
export async function rebuildLeakWeeks(shop: string, d: Dialect = currentDialect()): Promise<number> {
  const days = await prisma.leakPathDay.findMany({ where: { shop }, select: { day: true }, distinct: ["day"] });
  const weeks = [...new Set(days.map((r) => weekOf(r.day)))];
  for (const week of weeks) await prisma.$transaction((tx) => rebuildWeek(tx, shop, week, d), { timeout: 600_000, maxWait: 60_000 });
  return weeks.length;
}

/** Recomputes PlayMoneyDay for whole days (from PlayExposure), the days of each 7-day block in one transaction. */
export async function foldMoneyDays(shop: string, moneyDays: string[], zone: string | null, d: Dialect): Promise<void> {
  const sql = dialectSql(d);
  for (const m of runsOf([...new Set(moneyDays)])) {
    const fromMs = dayStart(m[0], zone);
    const toMs = dayStart(addDays(m[m.length - 1], 1), zone);
    const days = sqlDays(d, zone, fromMs, toMs);
    await prisma.$transaction(
      async (tx) => {
        await tx.playMoneyDay.deleteMany({ where: { shop, day: { in: m } } });
        await tx.$executeRawUnsafe(
          sql.q(`INSERT INTO ${sql.t("PlayMoneyDay")} ("shop", "day", "play", "arm", "visitors", "revenue", "revenueSq", "discount", "discountSq", "cross")
            SELECT ?, x."d", x."play", x."arm", COUNT(*), SUM(x."revenue"), SUM(x."revenue" * x."revenue"), SUM(x."discount"), SUM(x."discount" * x."discount"), SUM(x."revenue" * x."discount")
            FROM (SELECT ${sql.day(`"firstEligibleAt"`, days)} AS "d", "play", "arm", "revenue", "discount" FROM ${sql.t("PlayExposure")}
                  WHERE "shop" = ? AND "firstEligibleAt" >= ${sql.ts} AND "firstEligibleAt" < ${sql.ts}) AS x
            WHERE x."d" IN (${m.map(() => "?").join(", ")})
            GROUP BY x."d", x."play", x."arm"`),
          shop, shop, sql.tsValue(new Date(fromMs)), sql.tsValue(new Date(toMs)), ...m,
        );
      },
      { timeout: 600_000, maxWait: 60_000 },
    );
  }
}

/**
 * The from-scratch aggregation: every day with events up to the leak cursor is recomputed whole from the stored
 * events, set-based in SQL (what lib/stats/funnel.ts `foldVisits` defines). The incremental fold must give exactly
 * these rows (tests compare them); it also repairs a shop's day rows (the visit states stay valid).
 */
export async function aggregateLeakDaysFromScratch(shop: string, d: Dialect = currentDialect()): Promise<number> {
  const sql = dialectSql(d);
  const zone = await measurementZone(prisma, shop, d);
  const cursor = await prisma.leakCursor.findUnique({ where: { shop }, select: { lastEventId: true } });
  const upTo = cursor?.lastEventId ?? 0;
  const [range] = await prisma.$queryRawUnsafe<{ a: unknown; b: unknown }[]>(
    sql.q(`SELECT MIN("occurredAt") AS a, MAX("occurredAt") AS b FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" <= ?`), shop, upTo,
  );
  const all = sqlDays(d, zone, toMs(range?.a), toMs(range?.b));
  const rows = await prisma.$queryRawUnsafe<{ day: string }[]>(
    sql.q(`SELECT DISTINCT ${sql.day(`"occurredAt"`, all)} AS "day" FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" <= ?`), shop, upTo,
  );
  const dayList = rows.map((r) => r.day).sort();
  for (const run of runsOf(dayList)) {
    const fromMs = dayStart(run[0], zone);
    const toMs = dayStart(addDays(run[run.length - 1], 1), zone);
    await prisma.$transaction(
      async (tx) => {
        await lockShopMeasurement(tx, shop, d);
        await foldVisitsOfDays(tx, shop, run, sql.tsValue(new Date(fromMs)), sql.tsValue(new Date(toMs)), sqlDays(d, zone, fromMs, toMs), d, upTo);
        await rebuildWeek(tx, shop, weekOf(run[0]), d);
      },
      { timeout: 600_000, maxWait: 60_000 },
    );
  }
  return dayList.length;
}

async function foldVisitsOfDays(tx: Tx, shop: string, dayList: string[], from: string, to: string, days: SqlDays, d: Dialect, upTo: number): Promise<void> {
  const sql = dialectSql(d);
  const temp = (name: string, select: string) =>
    d === "sqlite" ? `CREATE TEMP TABLE ${name} AS ${select}` : `CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${select}`;
  const drop = async () => {
    if (d === "sqlite") for (const t of ["rp_lev", "rp_vis", "rp_pv", "rp_add"]) await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS temp.${t}`);
  };
  // PostgreSQL's default 4 MB of sort memory sends a week's window sort (~100 MB for a large shop) to disk in
  // many merge passes; this transaction may use more (SET LOCAL ends with it).
  if (d === "postgres") await tx.$executeRawUnsafe(`SET LOCAL work_mem = '256MB'`);
  await tx.leakFunnelDay.deleteMany({ where: { shop, day: { in: dayList } } });
  await tx.leakPathDay.deleteMany({ where: { shop, day: { in: dayList } } });
  await drop();
  const inDays = `"d" IN (${dayList.map(() => "?").join(", ")})`;
  const atCart = `(("t" = 'page_view' AND "pt" = 'cart') OR "t" = 'checkout_started')`;
  // A visit is (day, visitor): every window is partitioned by both, all with one ordering, so one sort serves them.
  // Running counts per row: `g` numbers the product views (an add belongs to the view with its count), `pvn` the
  // page views (the visit's last page view has pvn = pvt, its total); at a visit's last row (no next event) the
  // running counts are the visit's totals, so the visits are read from those rows without another sort or group.
  const w = `PARTITION BY "d", "v" ORDER BY "at", "id"`;
  const running = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END) OVER (${w} ROWS UNBOUNDED PRECEDING)`;
  await tx.$executeRawUnsafe(
    sql.q(temp("rp_lev", `SELECT "d", "v", "t", "pt", "p", "at", "id",
        LEAD("at") OVER (${w}) AS "nxt",
        ${running(`"t" = 'page_view' AND "pt" = 'product' AND "p" <> ''`)} AS "g",
        ${running(`"t" = 'page_view'`)} AS "pvn",
        SUM(CASE WHEN "t" = 'page_view' THEN 1 ELSE 0 END) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS "pvt",
        ${running(`"t" = 'page_view' AND "pt" = 'product'`)} AS "prodc",
        ${running(`"t" = 'add_to_cart'`)} AS "addc",
        ${running(atCart)} AS "cartc",
        ${running(`"t" = 'checkout_started'`)} AS "coc",
        ${running(`"t" = 'page_view' AND "pt" = 'info'`)} AS "infoc",
        ${running(`"t" = 'remove_from_cart'`)} AS "remc"
      FROM (SELECT ${sql.day(`"occurredAt"`, days)} AS "d", "visitorId" AS "v", "type" AS "t", "pageType" AS "pt", COALESCE("path", '') AS "p",
              "occurredAt" AS "at", "id"
            FROM ${sql.t("Event")}
            WHERE "shop" = ? AND "occurredAt" >= ${sql.ts} AND "occurredAt" < ${sql.ts} AND "id" <= ?
              AND "type" IN ('page_view', 'add_to_cart', 'remove_from_cart', 'checkout_started')) AS e
      WHERE ${inDays}`)),
    shop, from, to, upTo, ...dayList,
  );
  const flag = (c: string) => `CASE WHEN "${c}" > 0 THEN 1 ELSE 0 END`;
  await tx.$executeRawUnsafe(
    temp("rp_vis", `SELECT "d", "v", "pvn" AS "views", ${flag("prodc")} AS "prod", ${flag("addc")} AS "added", ${flag("cartc")} AS "cart",
        ${flag("coc")} AS "co", CASE WHEN "infoc" >= ${POLICY_VIEWS} THEN 1 ELSE 0 END AS "policy", 0 AS "stall",
        CASE WHEN "remc" >= ${REMOVALS} THEN 1 ELSE 0 END AS "cycles", 0 AS "ordered", 0 AS "rep"
      FROM rp_lev WHERE "nxt" IS NULL`),
  );
  await tx.$executeRawUnsafe(`CREATE INDEX rp_vis_v ON rp_vis ("d", "v")`);
  // A stall: the shopper sat on the cart or checkout for STALL_MS or more before the next event.
  await tx.$executeRawUnsafe(
    `UPDATE rp_vis SET "stall" = 1 WHERE ("d", "v") IN (SELECT "d", "v" FROM rp_lev
      WHERE ${atCart} AND "nxt" IS NOT NULL AND ${secondsBetween(d, `"at"`, `"nxt"`)} >= ${STALL_MS / 1000 - 0.0005})`,
  );
  // A visit ordered when its visitor has an attributed order on that day.
  await tx.$executeRawUnsafe(
    sql.q(`UPDATE rp_vis SET "ordered" = 1 WHERE ("d", "v") IN (
      SELECT ${sql.day(`"createdAt"`, days)}, "visitorId" FROM ${sql.t("OrderAttribution")}
      WHERE "shop" = ? AND "visitorId" IS NOT NULL AND "createdAt" >= ${sql.ts} AND "createdAt" < ${sql.ts})`),
    shop, from, to,
  );
  await tx.$executeRawUnsafe(
    temp("rp_pv", `SELECT "d", "v", "p", COUNT(*) AS "n" FROM rp_lev WHERE "t" = 'page_view' AND "pt" = 'product' AND "p" <> '' GROUP BY "d", "v", "p"`),
  );
  // Each add belongs to the product page viewed last before it: the product view with the same running count.
  await tx.$executeRawUnsafe(`CREATE INDEX rp_lev_vg ON rp_lev ("v", "d", "g")`);
  await tx.$executeRawUnsafe(
    temp("rp_add", `SELECT DISTINCT a."d", a."v", pv."p" FROM rp_lev a
      JOIN rp_lev pv ON pv."v" = a."v" AND pv."d" = a."d" AND pv."g" = a."g" AND pv."t" = 'page_view' AND pv."pt" = 'product' AND pv."p" <> ''
      WHERE a."t" = 'add_to_cart' AND a."g" > 0`),
  );
  await tx.$executeRawUnsafe(
    `UPDATE rp_vis SET "rep" = 1 WHERE "added" = 0 AND ("d", "v") IN (SELECT "d", "v" FROM rp_pv WHERE "n" >= ${REPEAT_VIEWS})`,
  );

  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakFunnelDay")} ("shop", "day", "visits", "productViews", "adds", "carts", "checkouts", "orders", "bounces", "abandonedCarts")
      SELECT ?, "d", COUNT(*), SUM("prod"), SUM("added"), SUM("cart"), SUM("co"), SUM("ordered"),
        SUM(CASE WHEN "views" = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN "added" = 1 AND "ordered" = 0 THEN 1 ELSE 0 END)
      FROM rp_vis WHERE "views" > 0 GROUP BY "d"`),
    shop,
  );
  // Pages: views per path, and the visits that ended there (their last page view) with their signals.
  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakPathDay")} ("shop", "day", "kind", "path", "pageType", "views", "exits", "policy", "stall", "cycles", "repeat")
      SELECT ?, pv."d", 'page', pv."p", pv."pt", pv."views", COALESCE(x."exits", 0), COALESCE(x."policy", 0), COALESCE(x."stall", 0),
        COALESCE(x."cycles", 0), COALESCE(x."rep", 0)
      FROM (SELECT "d", "p", MIN(COALESCE("pt", 'other')) AS "pt", COUNT(*) AS "views" FROM rp_lev WHERE "t" = 'page_view' GROUP BY "d", "p") AS pv
      LEFT JOIN (
        SELECT e."d", e."p", COUNT(*) AS "exits", SUM(vi."policy") AS "policy", SUM(vi."stall") AS "stall", SUM(vi."cycles") AS "cycles", SUM(vi."rep") AS "rep"
        FROM rp_lev e JOIN rp_vis vi ON vi."v" = e."v" AND vi."d" = e."d"
        WHERE e."t" = 'page_view' AND e."pvn" = e."pvt" GROUP BY e."d", e."p"
      ) AS x ON x."d" = pv."d" AND x."p" = pv."p"`),
    shop,
  );
  const carted = `ad."v" IS NOT NULL AND vi."ordered" = 0`;
  const abandoned = (col: string) => `SUM(CASE WHEN ${carted} AND vi."${col}" = 1 THEN 1 ELSE 0 END)`;
  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakPathDay")} ("shop", "day", "kind", "path", "pageType", "views", "exits", "abandoned", "policy", "stall", "cycles", "repeat")
      SELECT ?, pv."d", 'product', pv."p", 'product', COUNT(*), SUM(CASE WHEN ad."v" IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN ${carted} THEN 1 ELSE 0 END),
        ${abandoned("policy")}, ${abandoned("stall")}, ${abandoned("cycles")},
        SUM(CASE WHEN vi."added" = 0 AND pv."n" >= ${REPEAT_VIEWS} THEN 1 ELSE 0 END)
      FROM rp_pv pv JOIN rp_vis vi ON vi."v" = pv."v" AND vi."d" = pv."d"
      LEFT JOIN rp_add ad ON ad."v" = pv."v" AND ad."d" = pv."d" AND ad."p" = pv."p"
      GROUP BY pv."d", pv."p"`),
    shop,
  );
  await drop();
}

/** The stored aggregates of a range of days [from, to] (inclusive), summed: what the leak page shows. */
export async function loadLeakRange(shop: string, from: string, to: string): Promise<{ aggregate: DayAggregate; daily: (FunnelCounts & { day: string })[] }> {
  const d = currentDialect();
  const sql = dialectSql(d);
  // Whole 7-day blocks inside the range come from LeakPathWeek, the days before the first and after the last from
  // LeakPathDay: the sum is the same, over a fraction of the rows.
  const firstWeek = weekOf(from) === from ? from : addDays(weekOf(from), 7);
  const lastWeek = addDays(weekOf(addDays(to, 1)), -7);
  const weeks = firstWeek <= lastWeek;
  const cols = `"kind", "path", "pageType", ${PATH_SUMS.map((c) => `"${c}"`).join(", ")}`;
  const parts = weeks
    ? [
        { q: `SELECT ${cols} FROM ${sql.t("LeakPathWeek")} WHERE "shop" = ? AND "week" >= ? AND "week" <= ?`, args: [shop, firstWeek, lastWeek] },
        { q: `SELECT ${cols} FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" < ?`, args: [shop, from, firstWeek] },
        { q: `SELECT ${cols} FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" > ? AND "day" <= ?`, args: [shop, addDays(lastWeek, 6), to] },
      ]
    : [{ q: `SELECT ${cols} FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" <= ?`, args: [shop, from, to] }];
  type PathSum = { kind: string; path: string; pageType: string | null } & Record<(typeof PATH_SUMS)[number], unknown>;
  const [funnelRows, pathRows] = await Promise.all([
    prisma.leakFunnelDay.findMany({ where: { shop, day: { gte: from, lte: to } }, orderBy: { day: "asc" } }),
    prisma.$queryRawUnsafe<PathSum[]>(
      sql.q(`SELECT "kind", "path", MIN("pageType") AS "pageType", ${PATH_SUMS.map((c) => `SUM("${c}") AS "${c}"`).join(", ")}
        FROM (${parts.map((p) => p.q).join(" UNION ALL ")}) AS r GROUP BY "kind", "path"`),
      ...parts.flatMap((p) => p.args),
    ),
  ]);
  const funnel = emptyFunnel();
  const daily = funnelRows.map(({ shop: _s, day, ...c }) => ({ day, ...c }));
  for (const r of daily) for (const k of Object.keys(funnel) as (keyof FunnelCounts)[]) funnel[k] += r[k];
  const pages: PageRow[] = [];
  const products: ProductRow[] = [];
  for (const r of pathRows) {
    const signals = Object.fromEntries(LEAK_SIGNALS.map((k) => [k, num(r[k])])) as Record<(typeof LEAK_SIGNALS)[number], number>;
    if (r.kind === "page") pages.push({ path: r.path, pageType: r.pageType ?? "other", views: num(r.views), exits: num(r.exits), ...signals });
    else products.push({ path: r.path, viewVisits: num(r.views), carts: num(r.exits), abandoned: num(r.abandoned), ...signals });
  }
  return { aggregate: { funnel, pages, products }, daily };
}

/** Money moments per play and arm over a range of days first eligible. */
export async function loadPlayMoney(shop: string, from: string, to: string): Promise<Map<string, { treatment: MoneyMoments; holdout: MoneyMoments }>> {
  const rows = await prisma.playMoneyDay.groupBy({
    by: ["play", "arm"],
    where: { shop, day: { gte: from, lte: to } },
    _sum: { visitors: true, revenue: true, revenueSq: true, discount: true, discountSq: true, cross: true },
  });
  const zero = (): MoneyMoments => ({ visitors: 0, revenue: 0, revenueSq: 0, discount: 0, discountSq: 0, cross: 0 });
  const out = new Map<string, { treatment: MoneyMoments; holdout: MoneyMoments }>();
  for (const r of rows) {
    const entry = out.get(r.play) ?? { treatment: zero(), holdout: zero() };
    const m: MoneyMoments = {
      visitors: r._sum.visitors ?? 0, revenue: r._sum.revenue ?? 0, revenueSq: r._sum.revenueSq ?? 0,
      discount: r._sum.discount ?? 0, discountSq: r._sum.discountSq ?? 0, cross: r._sum.cross ?? 0,
    };
    if (r.arm === "holdout") entry.holdout = m;
    else entry.treatment = m;
    out.set(r.play, entry);
  }
  return out;
}

/** The range asked for (?days=, one of LEAK_RANGE_DAYS, 30 by default) as whole days of the shop's zone ending today. */
export async function leakRange(shop: string, searchParams: URLSearchParams, now = new Date()) {
  const asked = Number(searchParams.get("days"));
  const days = (LEAK_RANGE_DAYS as readonly number[]).includes(asked) ? asked : 30;
  const zone = await measurementZone(prisma, shop);
  const to = dayIn(now, zone);
  // Smallest sample a leak is ranked on (?min=, 1–1000; 20 by default): small shops may ask for fewer.
  const min = Number(searchParams.get("min"));
  const minSample = Number.isInteger(min) && min >= 1 && min <= 1000 ? min : 20;
  return { days, from: addDays(to, -(days - 1)), to, zone, minSample };
}

/** Everything the leak page shows for a range, from aggregates only. */
export async function getLeakReport(shop: string, range: { from: string; to: string; minSample?: number }) {
  const [{ aggregate, daily }, money, armRows, plays, shopRow] = await Promise.all([
    loadLeakRange(shop, range.from, range.to),
    loadPlayMoney(shop, range.from, range.to),
    prisma.dailyPlayStat.groupBy({ by: ["play", "arm"], where: { shop, day: { gte: range.from, lte: range.to } }, _sum: { eligible: true, orders: true, revenue: true } }),
    listPlays(shop),
    prisma.shop.findUnique({ where: { shop }, select: { marginPercent: true } }),
  ]);
  const margin = (shopRow?.marginPercent ?? DEFAULT_MARGIN * 100) / 100;
  const arms = (play: string, arm: string) => {
    const r = armRows.find((x) => x.play === play && x.arm === arm);
    return { visitors: r?._sum.eligible ?? 0, converted: r?._sum.orders ?? 0, revenue: r?._sum.revenue ?? 0 };
  };
  const playRows = plays.map((p) => {
    const t = arms(p.play, "treatment");
    const h = arms(p.play, "holdout");
    const conversion = analyzeLift(t, h, { expectedHoldoutShare: p.settings.holdoutPercent / 100 });
    const m = money.get(p.play) ?? { treatment: { ...ZERO }, holdout: { ...ZERO } };
    const lift = moneyLift(m.treatment, m.holdout, margin);
    const costsMoney = p.play === "deal_seeker";
    const profit = profitVerdict(m.treatment, m.holdout, lift, p.settings.holdoutPercent > 0);
    return {
      play: p.play, enabled: p.enabled, version: p.version, costsMoney, treatment: t, holdout: h, lift,
      conversionVerdict: conversion.verdict, verdict: verdictFor(costsMoney, conversion.verdict, profit),
    };
  });
  // Abandonment among the plays' eligible visitors, holdout minus treatment (pooled over plays; a visitor eligible
  // for two plays counts in both).
  const pooled = playRows.reduce((a, r) => ({ tv: a.tv + r.treatment.visitors, tc: a.tc + r.treatment.converted, hv: a.hv + r.holdout.visitors, hc: a.hc + r.holdout.converted }), { tv: 0, tc: 0, hv: 0, hc: 0 });
  const reduction = pooled.tv > 0 && pooled.hv > 0 ? newcombeDifference(pooled.tc, pooled.tv, pooled.hc, pooled.hv) : null;
  return {
    funnel: aggregate.funnel,
    steps: funnelSteps(aggregate.funnel),
    daily,
    leaks: rankLeaks(aggregate, { minSample: range.minSample }),
    minSample: range.minSample ?? 20,
    rates: storeRates(aggregate.funnel),
    reduction: reduction && { ...reduction, treatment: pooled.tv, holdout: pooled.hv },
    plays: playRows,
    marginPercent: margin * 100,
  };
}

const ZERO: MoneyMoments = { visitors: 0, revenue: 0, revenueSq: 0, discount: 0, discountSq: 0, cross: 0 };

/** The leak table as CSV (English headers and labels: a file for spreadsheets, not UI copy). */
export async function getLeakCsv(shop: string, range: { from: string; to: string; minSample?: number }): Promise<string> {
  const { aggregate } = await loadLeakRange(shop, range.from, range.to);
  return leaksCsv(
    rankLeaks(aggregate, { limit: 500, minSample: range.minSample }),
    ["kind", "path", "lost", "sample", "rate", "rate_low_95", "rate_high_95", "signal", "play"],
    (l) => [l.signal ? `${l.signal.key} (${l.signal.count})` : "", l.play ?? ""],
  );
}

/** The merchant's margin in percent (0–100), for profit. */
export async function setMarginPercent(shop: string, percent: number): Promise<void> {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError("margin must be 0–100");
  await prisma.shop.update({ where: { shop }, data: { marginPercent: percent } });
}
