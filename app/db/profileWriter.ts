// The bulk profile writer: the history sync and the periodic recompute write every profile of a shop at once.
// Three paths share one column list: the database's own driver (better-sqlite3 or `pg`, the default) and a raw
// multi-row upsert through Prisma (RP_BULK_DIRECT=0).
import type { CustomerProfile } from "@prisma/client";
import type { RfmGroup } from "../lib/plays/types";
import { RFM_GROUPS } from "../lib/plays/types";
import type { DerivedProfile, ProfileAggregate } from "../lib/segments";
import { isoOrNull, sqlId, sqlInt, sqlMember, sqlNum, sqlString } from "./dialect";
import { pgClient, sqliteWriter } from "./drivers";
import { rawTable, type Store } from "./store";

/** One profile row as written by the bulk path and the recompute: the folded aggregate and what derives from it. */
export interface ProfileRow extends ProfileAggregate, DerivedProfile {
  customerId: string;
  shopifyRfmGroup: RfmGroup | null;
}

const RFM_SET: ReadonlySet<string> = new Set(RFM_GROUPS);

interface Column {
  name: keyof CustomerProfile;
  /** PostgreSQL array element type for the unnest() writer. */
  pg: string;
  /** The value bound by the drivers (dates as the ISO text Prisma stores on SQLite; PostgreSQL parses it). */
  value(r: ProfileRow, shop: string, at: string | null): unknown;
  /** The validated SQL literal for the Prisma path. */
  literal(r: ProfileRow, shop: string, at: string | null): string;
}

function column<T>(name: keyof CustomerProfile, pg: string, value: (r: ProfileRow, shop: string, at: string | null) => T, literal: (v: T) => string): Column {
  return { name, pg, value, literal: (r, shop, at) => literal(value(r, shop, at)) };
}

const dateLiteral = (iso: string | null) => (iso === null ? "NULL" : `'${iso}'`);
const groupLiteral = (g: string | null) => sqlMember(g, RFM_SET, "an RFM group");

/**
 * Every column the bulk writers set, in order; the first two are the conflict key. A new CustomerProfile column
 * that the fold computes is one entry here (plus ProfileRow and the schema files).
 */
export const PROFILE_COLUMNS: readonly Column[] = [
  column("shop", "text", (_r, shop) => shop, sqlString),
  column("customerId", "text", (r) => r.customerId, sqlId),
  column("ordersCount", "int", (r) => r.ordersCount, sqlInt),
  column("grossSpend", "float8", (r) => r.grossSpend, sqlNum),
  column("refunded", "float8", (r) => r.refunded, sqlNum),
  column("netSpend", "float8", (r) => r.netSpend, sqlNum),
  column("aov", "float8", (r) => r.aov, sqlNum),
  column("firstOrderAt", "timestamp(3)", (r) => isoOrNull(r.firstOrderAt), dateLiteral),
  column("lastOrderAt", "timestamp(3)", (r) => isoOrNull(r.lastOrderAt), dateLiteral),
  column("rScore", "int", (r) => r.rScore, sqlInt),
  column("fScore", "int", (r) => r.fScore, sqlInt),
  column("mScore", "int", (r) => r.mScore, sqlInt),
  column("segment", "text", (r) => r.segment, groupLiteral),
  column("stage", "text", (r) => r.stage, sqlString),
  column("shopifyRfmGroup", "text", (r) => r.shopifyRfmGroup, groupLiteral),
  column("updatedAt", "timestamp(3)", (_r, _shop, at) => at, dateLiteral),
];

const COLUMN_LIST = PROFILE_COLUMNS.map((c) => `"${c.name}"`).join(",");

/** The upsert's SET clause. `keepShopifyGroup` leaves a stored rfmGroup alone when ours is null. */
function updateSet(keepShopifyGroup = false): string {
  return PROFILE_COLUMNS.slice(2)
    .map(({ name: c }) => (c === "shopifyRfmGroup" && keepShopifyGroup ? `"${c}"=COALESCE(excluded."${c}","CustomerProfile"."${c}")` : `"${c}"=excluded."${c}"`))
    .join(",");
}

/** Builds one multi-row upsert of profiles with validated literals. */
export function profileUpsertSql(store: Store, shop: string, rows: ProfileRow[], now: number, keepShopifyGroup = false): string {
  const at = isoOrNull(now);
  const values = rows.map((r) => `(${PROFILE_COLUMNS.map((c) => c.literal(r, shop, at)).join(",")})`);
  return (
    `INSERT INTO ${rawTable(store, "CustomerProfile", true)} (${COLUMN_LIST}) VALUES ${values.join(",")} ` +
    `ON CONFLICT ("shop","customerId") DO UPDATE SET ${updateSet(keepShopifyGroup)}`
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
 * PostgreSQL bulk writer: one unpooled `pg` connection, each statement upserts thousands of rows passed as one
 * typed array per column (`INSERT … SELECT * FROM unnest($1::text[], …)`), a few statements per transaction.
 */
async function persistProfilesPgDirect(store: Store, shop: string, rows: Iterable<ProfileRow>, opts: PersistOptions): Promise<number> {
  const client = await pgClient(store.pgUrl as string);
  const sql =
    `INSERT INTO ${rawTable(store, "CustomerProfile", true)} (${COLUMN_LIST}) ` +
    `SELECT * FROM unnest(${PROFILE_COLUMNS.map((c, i) => `$${i + 1}::${c.pg}[]`).join(",")}) ON CONFLICT ("shop","customerId") DO UPDATE SET ${updateSet(opts.keepShopifyGroup)}`;
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
      for (let k = 0; k < PROFILE_COLUMNS.length; k++) cols[k].push(PROFILE_COLUMNS[k].value(r, shop, at));
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

async function persistProfilesSqliteDirect(file: string, shop: string, rows: Iterable<ProfileRow>, opts: PersistOptions): Promise<number> {
  const db = await sqliteWriter(file);
  const per = 200;
  // Small transactions: the row objects of a chunk die young instead of being promoted (peak RSS).
  const perTx = opts.perTransaction ?? 1_000;
  const at = isoOrNull(opts.now ?? Date.now());
  const one = `(${PROFILE_COLUMNS.map(() => "?").join(",")})`;
  const sql = (n: number) => `INSERT INTO "CustomerProfile" (${COLUMN_LIST}) VALUES ${Array(n).fill(one).join(",")} ON CONFLICT ("shop","customerId") DO UPDATE SET ${updateSet(opts.keepShopifyGroup)}`;
  const full = db.prepare(sql(per));
  const args = (r: ProfileRow, out: unknown[]) => {
    for (const c of PROFILE_COLUMNS) out.push(c.value(r, shop, at));
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
