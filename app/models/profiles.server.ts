// Customer profiles: persistence of the order → profile fold, incremental order webhooks, lookups, compliance.
// Every query is scoped by shop. No PII is stored (ids and money only: protected customer data level 1).
import type { CustomerProfile, PrismaClient } from "@prisma/client";
import prisma, { databaseKind, sqlitePath } from "../db.server";
import type { CustomerContext, LifecycleStage, RfmGroup } from "../lib/plays/types";
import { RFM_GROUPS } from "../lib/plays/types";
import {
  applyContribution,
  computeShopScales,
  contributionOf,
  deriveProfile,
  fmScore,
  legacyId,
  lifecycleStage,
  NO_CONTRIBUTION,
  shopAovOf,
  toCustomerContext,
  type ProfileAggregate,
  type ShopScales,
} from "../lib/segments";

export type DbKind = "sqlite" | "postgres";
/** A database and its dialect (benches pass their own clients; the app uses the singleton). */
export interface Store {
  db: PrismaClient;
  kind: DbKind;
  /** PostgreSQL schema of the tables (raw SQL is not rewritten by the adapter): from ?schema=, default public. */
  schema?: string;
  /** SQLite file, for the direct bulk writer (see persistProfiles). */
  file?: string;
  /** PostgreSQL connection string (without ?schema), for the direct bulk writer. */
  pgUrl?: string;
}

export function defaultStore(): Store {
  return storeFor(prisma, process.env.DATABASE_URL ?? "");
}

/** A store for a client built from a database URL. */
export function storeFor(db: PrismaClient, url: string): Store {
  const kind = databaseKind(url);
  if (kind === "sqlite") return { db, kind, file: sqlitePath(url) };
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? "public";
  u.searchParams.delete("schema");
  return { db, kind, schema, pgUrl: u.toString() };
}

/** A table name for raw SQL, schema-qualified on PostgreSQL and aliased to its bare name. */
export function rawTable(store: Store, name: string, alias = false): string {
  if (store.kind !== "postgres") return `"${name}"`;
  const q = `"${(store.schema ?? "public").replace(/"/g, "")}"."${name}"`;
  return alias ? `${q} AS "${name}"` : q;
}

/** One profile row as written by the bulk path and the recompute. */
export interface ProfileRow extends ProfileAggregate {
  customerId: string;
  netSpend: number;
  aov: number;
  rScore: number;
  fScore: number;
  mScore: number;
  segment: RfmGroup;
  stage: LifecycleStage;
  shopifyRfmGroup: RfmGroup | null;
}

// ---------------------------------------------------------------------------------------------------------------
// SQL literals for the batched raw path. Values are validated, not trusted: ids are digits only, numbers finite,
// dates produced here, strings from closed vocabularies or quoted with '' doubling. Literals (rather than bind
// parameters) keep one multi-row statement portable across SQLite and PostgreSQL and are ~3× faster here.

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function sqlNum(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

function sqlInt(n: number): string {
  return sqlNum(Math.trunc(n));
}

/** Prisma's SQLite adapter stores DateTime as ISO text with "+00:00"; PostgreSQL parses the same literal. */
export function sqlDate(ms: number | null): string {
  return ms === null ? "NULL" : `'${sqliteIso(ms)}'`;
}

function sqlId(id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw new Error(`not a numeric id: ${id}`);
  return `'${id}'`;
}

const RFM_SET: ReadonlySet<string> = new Set(RFM_GROUPS);
function sqlGroup(g: string | null): string {
  if (g === null) return "NULL";
  if (!RFM_SET.has(g)) throw new Error(`not an RFM group: ${g}`);
  return `'${g}'`;
}

const PROFILE_COLUMNS = [
  "shop", "customerId", "ordersCount", "grossSpend", "refunded", "netSpend", "aov", "firstOrderAt", "lastOrderAt",
  "rScore", "fScore", "mScore", "segment", "stage", "shopifyRfmGroup", "updatedAt",
] as const;

/** Builds one multi-row upsert of profiles. `keepShopifyGroup` leaves a stored rfmGroup alone when ours is null. */
export function profileUpsertSql(store: Store, shop: string, rows: ProfileRow[], now: number, keepShopifyGroup = false): string {
  const s = sqlString(shop);
  const at = sqlDate(now);
  const values = rows.map(
    (r) =>
      `(${s},${sqlId(r.customerId)},${sqlInt(r.ordersCount)},${sqlNum(r.grossSpend)},${sqlNum(r.refunded)},${sqlNum(r.netSpend)},${sqlNum(r.aov)},` +
      `${sqlDate(r.firstOrderAt)},${sqlDate(r.lastOrderAt)},${sqlInt(r.rScore)},${sqlInt(r.fScore)},${sqlInt(r.mScore)},` +
      `${sqlGroup(r.segment)},${sqlString(r.stage)},${sqlGroup(r.shopifyRfmGroup)},${at})`,
  );
  const updates = PROFILE_COLUMNS.slice(2).map((c) =>
    c === "shopifyRfmGroup" && keepShopifyGroup
      ? `"${c}"=COALESCE(excluded."${c}","CustomerProfile"."${c}")`
      : `"${c}"=excluded."${c}"`,
  );
  return (
    `INSERT INTO ${rawTable(store, "CustomerProfile", true)} (${PROFILE_COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES ${values.join(",")} ` +
    `ON CONFLICT ("shop","customerId") DO UPDATE SET ${updates.join(",")}`
  );
}

export interface PersistOptions {
  now?: number;
  batch?: number;
  perTransaction?: number;
  keepShopifyGroup?: boolean;
  onProgress?: (written: number) => Promise<void> | void;
}

/**
 * Writes profiles in batched multi-row upserts, several statements per transaction. onProgress is called
 * after every committed transaction with the number of rows written so far.
 *
 * On SQLite with a known file the rows go through a second, direct better-sqlite3 connection with one prepared
 * multi-row statement (≈ 4–6× less CPU per row than a raw query through the Prisma adapter, measured by
 * bench/sync.ts). WAL lets it share the file with Prisma's connection; it never waits on a lock inside SQLite
 * (busy_timeout 0 would block the event loop), it retries the chunk after an async pause instead.
 */
export async function persistProfiles(store: Store, shop: string, rows: Iterable<ProfileRow>, opts: PersistOptions = {}): Promise<number> {
  if (process.env.RP_BULK_DIRECT !== "0") {
    if (store.kind === "sqlite" && store.file) return persistProfilesSqliteDirect(store.file, shop, rows, opts);
    if (store.kind === "postgres" && store.pgUrl) return persistProfilesPgDirect(store, shop, rows, opts);
  }
  const now = opts.now ?? Date.now();
  const batch = opts.batch ?? 1000;
  const perTx = opts.perTransaction ?? 20_000;
  let pending: string[] = [];
  let chunk: ProfileRow[] = [];
  let inTx = 0;
  let written = 0;
  const flushTx = async () => {
    if (pending.length === 0) return;
    const statements = pending;
    pending = [];
    await store.db.$transaction(async (tx) => {
      for (const sql of statements) await tx.$executeRawUnsafe(sql);
    }, { timeout: 120_000, maxWait: 30_000 });
    written += inTx;
    inTx = 0;
    if (opts.onProgress) await opts.onProgress(written);
  };
  for (const r of rows) {
    chunk.push(r);
    if (chunk.length >= batch) {
      pending.push(profileUpsertSql(store, shop, chunk, now, opts.keepShopifyGroup));
      inTx += chunk.length;
      chunk = [];
      if (inTx >= perTx) await flushTx();
    }
  }
  if (chunk.length > 0) {
    pending.push(profileUpsertSql(store, shop, chunk, now, opts.keepShopifyGroup));
    inTx += chunk.length;
  }
  await flushTx();
  return written;
}

/**
 * PostgreSQL bulk writer: one pooled-free `pg` connection, each statement upserts thousands of rows passed as
 * 16 typed arrays (`INSERT … SELECT * FROM unnest($1::text[], …)`), a few statements per transaction.
 */
async function persistProfilesPgDirect(store: Store, shop: string, rows: Iterable<ProfileRow>, opts: PersistOptions): Promise<number> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: store.pgUrl });
  await client.connect();
  const table = rawTable(store, "CustomerProfile", true);
  const types = ["text", "text", "int", "float8", "float8", "float8", "float8", "timestamp(3)", "timestamp(3)", "int", "int", "int", "text", "text", "text", "timestamp(3)"];
  const updates = PROFILE_COLUMNS.slice(2)
    .map((c) => (c === "shopifyRfmGroup" && opts.keepShopifyGroup ? `"${c}"=COALESCE(excluded."${c}","CustomerProfile"."${c}")` : `"${c}"=excluded."${c}"`))
    .join(",");
  const sql =
    `INSERT INTO ${table} (${PROFILE_COLUMNS.map((c) => `"${c}"`).join(",")}) ` +
    `SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(",")}) ON CONFLICT ("shop","customerId") DO UPDATE SET ${updates}`;
  const per = 5_000;
  const perTx = opts.perTransaction ?? 20_000;
  const at = isoOrNull(opts.now ?? Date.now());
  let cols: unknown[][] = PROFILE_COLUMNS.map(() => []);
  let inTx = 0;
  let written = 0;
  const flushStatement = async () => {
    if (cols[0].length === 0) return;
    await client.query(sql, cols);
    inTx += cols[0].length;
    cols = PROFILE_COLUMNS.map(() => []);
  };
  const commit = async () => {
    await client.query("COMMIT");
    written += inTx;
    inTx = 0;
    if (opts.onProgress) await opts.onProgress(written);
    await client.query("BEGIN");
  };
  try {
    await client.query("BEGIN");
    for (const r of rows) {
      const v = [shop, r.customerId, r.ordersCount, r.grossSpend, r.refunded, r.netSpend, r.aov, isoOrNull(r.firstOrderAt), isoOrNull(r.lastOrderAt),
        r.rScore, r.fScore, r.mScore, r.segment, r.stage, r.shopifyRfmGroup, at];
      for (let k = 0; k < v.length; k++) cols[k].push(v[k]);
      if (cols[0].length >= per) {
        await flushStatement();
        if (inTx >= perTx) await commit();
      }
    }
    await flushStatement();
    await client.query("COMMIT");
    written += inTx;
    if (opts.onProgress && inTx > 0) await opts.onProgress(written);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return written;
}

type SqliteDb = import("better-sqlite3").Database;
const sqliteWriters = new Map<string, SqliteDb>();

async function sqliteWriter(file: string): Promise<SqliteDb> {
  let db = sqliteWriters.get(file);
  if (!db || !db.open) {
    const Database = (await import("better-sqlite3")).default;
    db = new Database(file);
    db.pragma("busy_timeout = 0");
    // WAL + NORMAL: no fsync per commit (a power cut can lose the last commits, never corrupt); the bulk path
    // re-runs from the export anyway.
    db.pragma("synchronous = NORMAL");
    sqliteWriters.set(file, db);
  }
  return db;
}

/** Closes the direct SQLite writers (tests and benches that delete their database file). */
export function closeSqliteWriters(): void {
  for (const db of sqliteWriters.values()) if (db.open) db.close();
  sqliteWriters.clear();
  for (const r of sqliteReaders.values()) if (r.db.open) r.db.close();
  sqliteReaders.clear();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : sqliteIso(ms);
}

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/**
 * Epoch ms → the text Prisma's SQLite adapter stores for a DateTime ("2026-05-01T10:00:00.000+00:00"), without
 * allocating a Date (hot in the bulk writer). Civil-from-days after H. Hinnant; years 1970–9999.
 */
export function sqliteIso(ms: number): string {
  if (!(ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString().replace("Z", "+00:00");
  const days = Math.floor(ms / 86_400_000);
  let rem = ms - days * 86_400_000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}.${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}+00:00`;
}

async function persistProfilesSqliteDirect(file: string, shop: string, rows: Iterable<ProfileRow>, opts: PersistOptions): Promise<number> {
  const db = await sqliteWriter(file);
  const per = 200;
  // Small transactions: the row objects of a chunk die young instead of being promoted (peak RSS).
  const perTx = opts.perTransaction ?? 1_000;
  const at = isoOrNull(opts.now ?? Date.now());
  const cols = PROFILE_COLUMNS.map((c) => `"${c}"`).join(",");
  const updates = PROFILE_COLUMNS.slice(2)
    .map((c) => (c === "shopifyRfmGroup" && opts.keepShopifyGroup ? `"${c}"=COALESCE(excluded."${c}","CustomerProfile"."${c}")` : `"${c}"=excluded."${c}"`))
    .join(",");
  const one = `(${PROFILE_COLUMNS.map(() => "?").join(",")})`;
  const sql = (n: number) => `INSERT INTO "CustomerProfile" (${cols}) VALUES ${Array(n).fill(one).join(",")} ON CONFLICT ("shop","customerId") DO UPDATE SET ${updates}`;
  const full = db.prepare(sql(per));
  const args = (r: ProfileRow, out: unknown[]) => {
    out.push(shop, r.customerId, r.ordersCount, r.grossSpend, r.refunded, r.netSpend, r.aov, isoOrNull(r.firstOrderAt), isoOrNull(r.lastOrderAt),
      r.rScore, r.fScore, r.mScore, r.segment, r.stage, r.shopifyRfmGroup, at);
  };
  const writeChunk = db.transaction((chunk: ProfileRow[]) => {
    let i = 0;
    const buf: unknown[] = [];
    for (; i + per <= chunk.length; i += per) {
      buf.length = 0;
      for (let j = i; j < i + per; j++) args(chunk[j], buf);
      full.run(buf);
    }
    if (i < chunk.length) {
      buf.length = 0;
      for (let j = i; j < chunk.length; j++) args(chunk[j], buf);
      db.prepare(sql(chunk.length - i)).run(buf);
    }
  });
  let written = 0;
  let chunk: ProfileRow[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      try {
        writeChunk(chunk);
        break;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || attempt >= 200) throw err;
        await new Promise((r) => setTimeout(r, Math.min(200, 5 * (attempt + 1))));
      }
    }
    written += chunk.length;
    chunk = [];
    if (opts.onProgress) await opts.onProgress(written);
    // Let webhooks and requests run between chunks (better-sqlite3 is synchronous).
    await new Promise((r) => setImmediate(r));
  };
  for (const r of rows) {
    chunk.push(r);
    if (chunk.length >= perTx) await flush();
  }
  await flush();
  return written;
}

// ---------------------------------------------------------------------------------------------------------------
// Shop scales (quintile thresholds). Kept in process memory and rebuilt from the profiles when missing or older
// than SCALE_TTL_MS; a sync or a recompute replaces them. (A persisted column is requested in the report.)

const SCALE_TTL_MS = 15 * 60_000;
const scaleCache = new Map<string, { scales: ShopScales; at: number }>();

export function rememberShopScales(shop: string, scales: ShopScales, now = Date.now()): void {
  scaleCache.set(shop, { scales, at: now });
}

export function forgetShopScales(shop: string): void {
  scaleCache.delete(shop);
}

export async function shopScales(shop: string, store: Store = defaultStore(), now = Date.now()): Promise<ShopScales> {
  const hit = scaleCache.get(shop);
  if (hit && now - hit.at < SCALE_TTL_MS) return hit.scales;
  const rows = await store.db.customerProfile.findMany({
    where: { shop, ordersCount: { gt: 0 } },
    select: { ordersCount: true, netSpend: true, lastOrderAt: true },
  });
  const scales = computeShopScales(rows.map((r) => ({ ordersCount: r.ordersCount, netSpend: r.netSpend, lastOrderAt: r.lastOrderAt?.getTime() ?? null })));
  rememberShopScales(shop, scales, now);
  return scales;
}

/**
 * Periodic recompute: rebuilds the shop's quintile scales from the stored profiles, rescores every profile
 * (segment and stage), and sets the shop AOV. Returns how many profiles were rescored.
 */
export async function recomputeSegments(shop: string, store: Store = defaultStore(), now = Date.now()): Promise<{ profiles: number; shopAov: number }> {
  const all = await store.db.customerProfile.findMany({ where: { shop } });
  const aggs = all.map((p) => ({ p, a: aggregateOf(p) }));
  const scales = computeShopScales(aggs.map(({ a }) => ({ ordersCount: a.ordersCount, netSpend: Math.max(0, a.grossSpend - a.refunded), lastOrderAt: a.lastOrderAt })));
  let totalNet = 0;
  let totalOrders = 0;
  const rows: ProfileRow[] = aggs.map(({ p, a }) => {
    const d = deriveProfile(a, scales, now);
    totalNet += d.netSpend;
    totalOrders += a.ordersCount;
    return { customerId: p.customerId, ...a, ...d, shopifyRfmGroup: asGroup(p.shopifyRfmGroup) };
  });
  await persistProfiles(store, shop, rows, { now });
  const shopAov = shopAovOf(totalNet, totalOrders);
  await store.db.shop.upsert({ where: { shop }, create: { shop, shopAov }, update: { shopAov } });
  rememberShopScales(shop, scales, now);
  return { profiles: rows.length, shopAov };
}

function aggregateOf(p: Pick<CustomerProfile, "ordersCount" | "grossSpend" | "refunded" | "firstOrderAt" | "lastOrderAt">): ProfileAggregate {
  return {
    ordersCount: p.ordersCount,
    grossSpend: p.grossSpend,
    refunded: p.refunded,
    firstOrderAt: p.firstOrderAt?.getTime() ?? null,
    lastOrderAt: p.lastOrderAt?.getTime() ?? null,
  };
}

function asGroup(g: string | null | undefined): RfmGroup | null {
  return g && RFM_SET.has(g) ? (g as RfmGroup) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Incremental updates from order webhooks

/** The fields of a REST order webhook payload (orders/create, orders/updated, orders/cancelled) that we use. */
export interface OrderWebhookPayload {
  id: number | string;
  created_at: string;
  updated_at?: string | null;
  total_price: string | number;
  cancelled_at?: string | null;
  financial_status?: string | null;
  customer?: { id: number | string } | null;
  refunds?: {
    created_at?: string | null;
    /** Simplified payloads may carry the refunded amount directly. */
    amount?: string | number | null;
    transactions?: { amount?: string | number | null; kind?: string | null; status?: string | null }[] | null;
  }[] | null;
}

interface ParsedOrder {
  orderId: string;
  customerId: string | null;
  createdAt: number;
  updatedAt: number;
  total: number;
  refunded: number;
  cancelledAt: number | null;
  voided: boolean;
  refunds: { at: number; amount: number }[];
}

function num(x: unknown): number {
  const n = typeof x === "number" ? x : typeof x === "string" ? Number(x) : NaN;
  return Number.isFinite(n) ? n : NaN;
}

/** Validates the payload; null when it cannot be an order. */
export function parseOrderWebhook(p: unknown): ParsedOrder | null {
  if (!p || typeof p !== "object") return null;
  const o = p as OrderWebhookPayload;
  const orderId = legacyId(o.id as string);
  const createdAt = typeof o.created_at === "string" ? Date.parse(o.created_at) : NaN;
  const total = num(o.total_price);
  if (!orderId || !Number.isFinite(createdAt) || !Number.isFinite(total) || total < 0) return null;
  const updatedRaw = typeof o.updated_at === "string" ? Date.parse(o.updated_at) : NaN;
  const cancelledAt = typeof o.cancelled_at === "string" && o.cancelled_at ? Date.parse(o.cancelled_at) : null;
  const refunds: { at: number; amount: number }[] = [];
  for (const r of Array.isArray(o.refunds) ? o.refunds : []) {
    if (!r || typeof r !== "object") continue;
    let amount = 0;
    if (Array.isArray(r.transactions) && r.transactions.length > 0) {
      for (const t of r.transactions) {
        if (t && (t.kind ?? "refund") === "refund" && (t.status ?? "success") === "success") {
          const a = num(t.amount);
          if (Number.isFinite(a)) amount += a;
        }
      }
    } else {
      const a = num(r.amount);
      if (Number.isFinite(a)) amount = a;
    }
    const at = typeof r.created_at === "string" ? Date.parse(r.created_at) : NaN;
    refunds.push({ at: Number.isFinite(at) ? at : createdAt, amount });
  }
  return {
    orderId,
    customerId: legacyId(o.customer?.id as string | undefined),
    createdAt,
    updatedAt: Number.isFinite(updatedRaw) ? updatedRaw : createdAt,
    total,
    refunded: refunds.reduce((s, r) => s + r.amount, 0),
    cancelledAt: cancelledAt !== null && Number.isFinite(cancelledAt) ? cancelledAt : null,
    voided: o.financial_status === "voided",
    refunds,
  };
}

/** The order as a completed sync that started at `cutoff` saw it (refunds and cancellation up to then). */
function stateAsOf(o: ParsedOrder, cutoff: number) {
  const refunded = o.refunds.filter((r) => r.at <= cutoff).reduce((s, r) => s + r.amount, 0);
  const cancelled = (o.cancelledAt !== null && o.cancelledAt <= cutoff) || (o.voided && o.updatedAt <= cutoff);
  return { createdAt: o.createdAt, total: o.total, refunded, cancelled };
}

/** When the last completed history sync started: orders created before it are in the synced baseline. */
export async function baselineCutoff(shop: string, store: Store = defaultStore()): Promise<number | null> {
  const job = await store.db.syncJob.findFirst({ where: { shop, status: "completed" }, orderBy: { startedAt: "desc" }, select: { startedAt: true } });
  return job ? job.startedAt.getTime() : null;
}

export type OrderWebhookResult =
  | { applied: true; customerId: string | null; profile: CustomerProfile | null }
  | { applied: false; reason: "invalid" | "stale" | "duplicate" };

/**
 * orders/create and orders/updated-like deliveries. Idempotent: each order is stored once (ProfileOrder, keyed
 * by order id, with the source's updated_at); a repeated delivery is a no-op, an older one never regresses, and
 * the profile moves by exactly (new contribution − previous contribution) of that order.
 */
export async function applyOrderWebhook(shop: string, payload: unknown, store: Store = defaultStore(), now = Date.now()): Promise<OrderWebhookResult> {
  const o = parseOrderWebhook(payload);
  if (!o) return { applied: false, reason: "invalid" };
  const cutoff = await baselineCutoff(shop, store);
  const scales = o.customerId ? await shopScales(shop, store, now) : null;
  const cancelled = o.cancelledAt !== null || o.voided;
  return store.db.$transaction(async (tx) => {
    if (o.customerId) {
      await tx.customerProfile.upsert({ where: { shop_customerId: { shop, customerId: o.customerId } }, create: { shop, customerId: o.customerId }, update: {} });
      // Serialise concurrent deliveries for one customer (SQLite transactions are serial already).
      if (store.kind === "postgres") {
        await tx.$queryRawUnsafe(`SELECT 1 FROM ${rawTable(store, "CustomerProfile")} WHERE "shop" = $1 AND "customerId" = $2 FOR UPDATE`, shop, o.customerId);
      }
    }
    const existing = await tx.profileOrder.findUnique({ where: { shop_orderId: { shop, orderId: o.orderId } } });
    if (existing) {
      const seen = existing.sourceUpdatedAt.getTime();
      if (seen > o.updatedAt) return { applied: false as const, reason: "stale" as const };
      if (seen === o.updatedAt && existing.refunded === o.refunded && existing.cancelled === cancelled && existing.total === o.total) {
        return { applied: false as const, reason: "duplicate" as const };
      }
    }
    const before = existing
      ? contributionOf({ createdAt: existing.createdAt.getTime(), total: existing.total, refunded: existing.refunded, cancelled: existing.cancelled })
      : cutoff !== null && o.createdAt <= cutoff
        ? contributionOf(stateAsOf(o, cutoff))
        : NO_CONTRIBUTION;
    const after = contributionOf({ createdAt: o.createdAt, total: o.total, refunded: o.refunded, cancelled });
    const row = {
      customerId: o.customerId,
      createdAt: new Date(o.createdAt),
      total: o.total,
      refunded: o.refunded,
      cancelled,
      sourceUpdatedAt: new Date(o.updatedAt),
    };
    await tx.profileOrder.upsert({ where: { shop_orderId: { shop, orderId: o.orderId } }, create: { shop, orderId: o.orderId, ...row }, update: row });
    if (!o.customerId || !scales) return { applied: true as const, customerId: null, profile: null };
    const p = await tx.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: o.customerId } } });
    const agg = aggregateOf(p);
    applyContribution(agg, before, -1);
    applyContribution(agg, after, 1);
    // Order dates can't be un-folded in general (the other orders' dates aren't kept), but with no order left
    // there is no first or last order: a customer whose only order was cancelled is a prospect again.
    if (agg.ordersCount === 0) agg.firstOrderAt = agg.lastOrderAt = null;
    const d = deriveProfile(agg, scales, now);
    const profile = await tx.customerProfile.update({
      where: { shop_customerId: { shop, customerId: o.customerId } },
      data: {
        ordersCount: agg.ordersCount,
        grossSpend: agg.grossSpend,
        refunded: agg.refunded,
        firstOrderAt: agg.firstOrderAt === null ? null : new Date(agg.firstOrderAt),
        lastOrderAt: agg.lastOrderAt === null ? null : new Date(agg.lastOrderAt),
        ...d,
      },
    });
    return { applied: true as const, customerId: o.customerId, profile };
  }, { timeout: 30_000, maxWait: 10_000 });
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

export interface SegmentExplanation {
  scores: { r: number; f: number; m: number; fm: number };
  /** The smallest value that earns scores 2..5 in this shop (null: no customer reaches it). */
  thresholds: {
    recency: (string | null)[];
    frequency: (number | null)[];
    monetary: (number | null)[];
  };
  population: number;
  segment: RfmGroup;
  shopifyRfmGroup: RfmGroup | null;
  agreesWithShopify: boolean | null;
  stage: LifecycleStage;
  reasons: string[];
}

export interface ProfileView {
  customerId: string;
  ordersCount: number;
  netSpend: number;
  grossSpend: number;
  refunded: number;
  aov: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  segment: RfmGroup;
  stage: LifecycleStage;
  shopifyRfmGroup: RfmGroup | null;
  explanation: SegmentExplanation;
}

/** A profile with why it is in its segment (scores against the shop's current thresholds). */
export async function getProfile(shop: string, customerId: string, store: Store = defaultStore(), now = Date.now()): Promise<ProfileView | null> {
  const id = legacyId(customerId);
  if (!id) return null;
  const p = await store.db.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId: id } } });
  if (!p) return null;
  const scales = await shopScales(shop, store, now);
  const a = aggregateOf(p);
  const d = deriveProfile(a, scales, now);
  const shopifyRfmGroup = asGroup(p.shopifyRfmGroup);
  const reasons: string[] = [];
  if (a.ordersCount === 0) reasons.push("No completed order yet: prospects are not ranked.");
  else {
    reasons.push(`Recency ${d.rScore}/5: last order ${new Date(a.lastOrderAt as number).toISOString().slice(0, 10)}.`);
    reasons.push(`Frequency ${d.fScore}/5: ${a.ordersCount} order(s).`);
    reasons.push(`Monetary ${d.mScore}/5: net spend ${d.netSpend.toFixed(2)}.`);
    reasons.push(`R ${d.rScore} with FM ${fmScore(d.fScore, d.mScore)} (average of F and M) is ${d.segment} in the R×FM grid.`);
  }
  return {
    customerId: p.customerId,
    ordersCount: a.ordersCount,
    netSpend: d.netSpend,
    grossSpend: a.grossSpend,
    refunded: a.refunded,
    aov: d.aov,
    firstOrderAt: p.firstOrderAt?.toISOString() ?? null,
    lastOrderAt: p.lastOrderAt?.toISOString() ?? null,
    segment: d.segment,
    stage: d.stage,
    shopifyRfmGroup,
    explanation: {
      scores: { r: d.rScore, f: d.fScore, m: d.mScore, fm: d.rScore ? fmScore(d.fScore, d.mScore) : 0 },
      thresholds: {
        recency: scales.r.minForScore.map((t) => (t === null ? null : new Date(t).toISOString())),
        frequency: [...scales.f.minForScore],
        monetary: [...scales.m.minForScore],
      },
      population: scales.f.population,
      segment: d.segment,
      shopifyRfmGroup,
      agreesWithShopify: shopifyRfmGroup ? shopifyRfmGroup === d.segment : null,
      stage: d.stage,
      reasons,
    },
  };
}

/**
 * Admin lookup by customer id (numeric or GID), straight to the stored profile; null when nothing matches.
 * Not by email: resolving an email means processing a protected customer field (level 2), and the app is
 * designed to need level 1 only (docs/profiles.md).
 */
export async function lookupCustomer(shop: string, idOrGid: string, store: Store = defaultStore()): Promise<ProfileView | null> {
  const id = legacyId(idOrGid.trim().slice(0, 64));
  return id ? getProfile(shop, id, store) : null;
}

/** Storefront/checkout context: one primary-key read; the stage is recomputed for now. */
export async function customerContext(shop: string, customerId: string | null | undefined, store: Store = defaultStore(), now = Date.now()): Promise<CustomerContext | null> {
  const id = legacyId(customerId);
  if (!id) return null;
  const p = await readContextRow(store, shop, id);
  if (!p) return null;
  return toCustomerContext({ ordersCount: p.ordersCount, aov: p.aov, lastOrderAt: p.lastOrderAt, segment: asGroup(p.segment) ?? "PROSPECTS" }, now);
}

/** The four columns the storefront and checkout need, lastOrderAt as epoch ms. */
interface ContextRow {
  ordersCount: number;
  aov: number;
  lastOrderAt: number | null;
  segment: string | null;
}

/**
 * The storefront's hottest read (one per logged-in page view): a primary-key lookup through a prepared
 * statement on the database's own driver, beside Prisma. Through the Prisma client (6.19, driver adapters) the
 * same lookup costs ≈ 400 µs of CPU — it compiles every query in its WASM query compiler — and ≈ 130 µs as
 * $queryRaw; the prepared statement costs ≈ 6 µs on SQLite (measured on this lookup, docs/performance.md).
 * SQLite: a read-only connection (WAL: readers never wait for the writer). PostgreSQL: a small pool with a
 * named prepared statement; the timestamp comes back as epoch ms from SQL, so no time-zone parsing happens in
 * JS. Set RP_POINT_READS=prisma to go through the Prisma client instead (same results: a test compares them).
 */
async function readContextRow(store: Store, shop: string, customerId: string): Promise<ContextRow | null> {
  if (process.env.RP_POINT_READS !== "prisma") {
    if (store.kind === "sqlite" && store.file) return sqliteContextRow(store.file, shop, customerId);
    if (store.kind === "postgres" && store.pgUrl) return pgContextRow(store, shop, customerId);
  }
  const p = await store.db.customerProfile.findUnique({
    where: { shop_customerId: { shop, customerId } },
    select: { ordersCount: true, aov: true, lastOrderAt: true, segment: true },
  });
  return p && { ordersCount: p.ordersCount, aov: p.aov, lastOrderAt: p.lastOrderAt?.getTime() ?? null, segment: p.segment };
}

const CONTEXT_COLUMNS = `"ordersCount", "aov", "lastOrderAt", "segment"`;
type SqliteStatement = import("better-sqlite3").Statement<[string, string], { ordersCount: number; aov: number; lastOrderAt: string | null; segment: string | null }>;
const sqliteReaders = new Map<string, { db: SqliteDb; context: SqliteStatement }>();
let BetterSqlite: typeof import("better-sqlite3") | undefined;

async function sqliteContextRow(file: string, shop: string, customerId: string): Promise<ContextRow | null> {
  let reader = sqliteReaders.get(file);
  if (!reader || !reader.db.open) {
    BetterSqlite ??= (await import("better-sqlite3")).default;
    const db = new BetterSqlite(file, { readonly: true, fileMustExist: true });
    // Readers in WAL mode do not wait for the writer; the timeout only covers a rare WAL recovery (it blocks).
    db.pragma("busy_timeout = 50");
    const context = db.prepare(`SELECT ${CONTEXT_COLUMNS} FROM "CustomerProfile" WHERE "shop" = ? AND "customerId" = ?`) as unknown as SqliteStatement;
    reader = { db, context };
    sqliteReaders.set(file, reader);
  }
  const r = reader.context.get(shop, customerId);
  if (!r) return null;
  return { ordersCount: r.ordersCount, aov: r.aov, lastOrderAt: r.lastOrderAt === null ? null : Date.parse(r.lastOrderAt), segment: r.segment };
}

type PgPool = import("pg").Pool;
const pgPools = new Map<string, PgPool>();

async function pgContextRow(store: Store, shop: string, customerId: string): Promise<ContextRow | null> {
  const url = store.pgUrl as string;
  let pool = pgPools.get(url);
  if (!pool) {
    const pg = (await import("pg")).default;
    pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    pgPools.set(url, pool);
  }
  const table = rawTable(store, "CustomerProfile");
  const r = await pool.query<{ ordersCount: number; aov: number; lastOrderAtMs: number | null; segment: string | null }>({
    name: `rp_context_${store.schema ?? "public"}`,
    text:
      `SELECT "ordersCount", "aov", (EXTRACT(EPOCH FROM "lastOrderAt") * 1000)::float8 AS "lastOrderAtMs", "segment" ` +
      `FROM ${table} WHERE "shop" = $1 AND "customerId" = $2`,
    values: [shop, customerId],
  });
  const row = r.rows[0];
  return row ? { ordersCount: row.ordersCount, aov: row.aov, lastOrderAt: row.lastOrderAtMs === null ? null : Math.round(row.lastOrderAtMs), segment: row.segment } : null;
}

/** Stage of a stored profile for now (the admin list uses the stored snapshot; this is the live value). */
export function liveStage(p: Pick<CustomerProfile, "ordersCount" | "lastOrderAt" | "segment">, now = Date.now()): LifecycleStage {
  return lifecycleStage({ ordersCount: p.ordersCount, lastOrderAt: p.lastOrderAt?.getTime() ?? null, segment: asGroup(p.segment) ?? "PROSPECTS" }, now);
}

/** How often our segment equals Shopify's rfmGroup, over customers where Shopify reported one. */
export async function rfmAgreement(shop: string, store: Store = defaultStore()): Promise<{ compared: number; agreeing: number; rate: number | null; byGroup: Record<string, { compared: number; agreeing: number }> }> {
  const groups = await store.db.customerProfile.groupBy({
    by: ["segment", "shopifyRfmGroup"],
    where: { shop, shopifyRfmGroup: { not: null } },
    _count: { _all: true },
  });
  let compared = 0;
  let agreeing = 0;
  const byGroup: Record<string, { compared: number; agreeing: number }> = {};
  for (const g of groups) {
    const n = g._count._all;
    const key = g.shopifyRfmGroup as string;
    byGroup[key] ??= { compared: 0, agreeing: 0 };
    byGroup[key].compared += n;
    compared += n;
    if (g.segment === g.shopifyRfmGroup) {
      agreeing += n;
      byGroup[key].agreeing += n;
    }
  }
  return { compared, agreeing, rate: compared > 0 ? agreeing / compared : null, byGroup };
}

// ---------------------------------------------------------------------------------------------------------------
// Compliance

/** customers/redact: the customer's profile and stored orders. Returns rows deleted. */
export async function eraseCustomer(shop: string, customerId: string | number, store: Store = defaultStore()): Promise<{ profiles: number; orders: number }> {
  const id = legacyId(String(customerId));
  if (!id) return { profiles: 0, orders: 0 };
  const [orders, profiles] = await store.db.$transaction([
    store.db.profileOrder.deleteMany({ where: { shop, customerId: id } }),
    store.db.customerProfile.deleteMany({ where: { shop, customerId: id } }),
  ]);
  return { profiles: profiles.count, orders: orders.count };
}

/** shop/redact: every profile, stored order and sync job of the shop. */
export async function eraseShop(shop: string, store: Store = defaultStore()): Promise<{ profiles: number; orders: number; syncJobs: number }> {
  const [orders, profiles, jobs] = await store.db.$transaction([
    store.db.profileOrder.deleteMany({ where: { shop } }),
    store.db.customerProfile.deleteMany({ where: { shop } }),
    store.db.syncJob.deleteMany({ where: { shop } }),
  ]);
  forgetShopScales(shop);
  return { profiles: profiles.count, orders: orders.count, syncJobs: jobs.count };
}
