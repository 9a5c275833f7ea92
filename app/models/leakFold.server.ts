// Leak finder fold: after each rollup, the events its cursor has settled are folded visit by visit into LeakVisit
// states and the day rows they change (LeakFunnelDay, LeakPathDay and its 7-day blocks), by the logic of
// lib/stats/visitFold.ts; PlayMoneyDay is recomputed for the days new events or orders touched. A test holds it to
// the from-scratch SQL aggregation (leakScratch.server.ts).
import prisma from "../db.server";
import type { Prisma, PrismaClient } from "@prisma/client";
import { addDays, dayIn, dayStart, offsetIntervals } from "../lib/stats/days";
import { addOnConflict, currentDialect, dialectSql, sqlInt, sqlString, type Dialect } from "../db/dialect";
import {
  appendable, appendVisit, dayMapper, decodeVisit, encodeVisit, isoMs, LeakDeltas, newVisit, sortEvents, typeOfCode, VISIT_EVENT_TYPES, type FoldEvent, type VisitState,
} from "../lib/stats/visitFold";
import { PLAY_KEYS } from "../lib/plays/types";
import { lockShopMeasurement, measurementZone } from "./dailyStats.server";
import { databaseConfig } from "../db/config";
import {
  foldMoneyDays, PATH_SUMS, prismaIO, rebuildWeek, rebuildWeekIO, toMs, weekOf, type FoldIO, type Row,
} from "./leakDays.server";

type Tx = Prisma.TransactionClient | PrismaClient;

export interface LeakFoldResult {
  days: number;
  events: number;
}


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

