// The storefront's hottest read (one per logged-in page view): a profile's context columns by primary key,
// through a prepared statement on the database's own driver beside Prisma. Through the Prisma client (6.19,
// driver adapters) the same lookup costs ≈ 400 µs of CPU — it compiles every query in its WASM query compiler —
// and ≈ 130 µs as $queryRaw; the prepared statement costs ≈ 6 µs on SQLite (docs/performance.md).
import { pgPool, sqliteReader } from "./drivers";
import { rawTable, type Store } from "./store";

/** The four columns the storefront and checkout need, lastOrderAt as epoch ms. */
export interface ContextRow {
  ordersCount: number;
  aov: number;
  lastOrderAt: number | null;
  segment: string | null;
}

/**
 * SQLite: a read-only connection (WAL: readers never wait for the writer). PostgreSQL: a small pool with a named
 * prepared statement; the timestamp comes back as epoch ms from SQL, so no time-zone parsing happens in JS. Set
 * RP_POINT_READS=prisma to go through the Prisma client instead (same results: a test compares them).
 */
export async function readContextRow(store: Store, shop: string, customerId: string): Promise<ContextRow | null> {
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

type SqliteStatement = import("better-sqlite3").Statement<[string, string], { ordersCount: number; aov: number; lastOrderAt: string | null; segment: string | null }>;

async function sqliteContextRow(file: string, shop: string, customerId: string): Promise<ContextRow | null> {
  const context = await sqliteReader(
    file,
    (db) => db.prepare(`SELECT "ordersCount", "aov", "lastOrderAt", "segment" FROM "CustomerProfile" WHERE "shop" = ? AND "customerId" = ?`) as unknown as SqliteStatement,
  );
  const r = context.get(shop, customerId);
  if (!r) return null;
  return { ordersCount: r.ordersCount, aov: r.aov, lastOrderAt: r.lastOrderAt === null ? null : Date.parse(r.lastOrderAt), segment: r.segment };
}

async function pgContextRow(store: Store, shop: string, customerId: string): Promise<ContextRow | null> {
  const pool = await pgPool(store.pgUrl as string);
  const r = await pool.query<{ ordersCount: number; aov: number; lastOrderAtMs: number | null; segment: string | null }>({
    name: `rp_context_${store.schema ?? "public"}`,
    text:
      `SELECT "ordersCount", "aov", (EXTRACT(EPOCH FROM "lastOrderAt") * 1000)::float8 AS "lastOrderAtMs", "segment" ` +
      `FROM ${rawTable(store, "CustomerProfile")} WHERE "shop" = $1 AND "customerId" = $2`,
    values: [shop, customerId],
  });
  const row = r.rows[0];
  return row ? { ordersCount: row.ordersCount, aov: row.aov, lastOrderAt: row.lastOrderAtMs === null ? null : Math.round(row.lastOrderAtMs), segment: row.segment } : null;
}
