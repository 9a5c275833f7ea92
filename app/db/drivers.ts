// Direct driver connections beside Prisma, for the two paths where the Prisma client's per-query cost dominates:
// the bulk profile writer and the storefront's point reads (measured in docs/performance.md). One writer and one
// read-only reader per SQLite file, one small pool per PostgreSQL URL, opened lazily and kept for the process.
type SqliteDb = import("better-sqlite3").Database;
type PgPool = import("pg").Pool;

const sqliteWriters = new Map<string, SqliteDb>();
const sqliteReaders = new Map<string, { db: SqliteDb; prepared: unknown }>();
const pgPools = new Map<string, PgPool>();
let BetterSqlite: typeof import("better-sqlite3") | undefined;

/**
 * The SQLite file's bulk writer. It never waits on a lock inside SQLite (busy_timeout 0: waiting would block the
 * event loop); callers retry after an async pause instead.
 */
export async function sqliteWriter(file: string): Promise<SqliteDb> {
  let db = sqliteWriters.get(file);
  if (!db || !db.open) {
    BetterSqlite ??= (await import("better-sqlite3")).default;
    db = new BetterSqlite(file);
    db.pragma("busy_timeout = 0");
    // WAL + NORMAL: no fsync per commit (a power cut can lose the last commits, never corrupt); the bulk path
    // re-runs from the export anyway.
    db.pragma("synchronous = NORMAL");
    sqliteWriters.set(file, db);
  }
  return db;
}

/** A read-only connection to the SQLite file (WAL: readers never wait for the writer), `prepare` run once on open. */
export async function sqliteReader<T>(file: string, prepare: (db: SqliteDb) => T): Promise<T> {
  const cached = sqliteReaders.get(file);
  if (cached && cached.db.open) return cached.prepared as T;
  BetterSqlite ??= (await import("better-sqlite3")).default;
  const db = new BetterSqlite(file, { readonly: true, fileMustExist: true });
  // The timeout only covers a rare WAL recovery (it blocks).
  db.pragma("busy_timeout = 50");
  const prepared = prepare(db);
  sqliteReaders.set(file, { db, prepared });
  return prepared;
}

/** Closes the direct SQLite connections (tests and benches that delete their database file). */
export function closeSqliteWriters(): void {
  for (const db of sqliteWriters.values()) if (db.open) db.close();
  sqliteWriters.clear();
  for (const r of sqliteReaders.values()) if (r.db.open) r.db.close();
  sqliteReaders.clear();
}

/** A small pool per PostgreSQL URL for point reads. */
export async function pgPool(url: string): Promise<PgPool> {
  let pool = pgPools.get(url);
  if (!pool) {
    const pg = (await import("pg")).default;
    pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    pgPools.set(url, pool);
  }
  return pool;
}

/** One unpooled connection for a bulk write (a long transaction must not hold a point-read slot). */
export async function pgClient(url: string): Promise<import("pg").Client> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
