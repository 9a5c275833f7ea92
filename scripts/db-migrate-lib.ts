import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export function isPostgres(url: string) {
  return /^postgres(ql)?:\/\//.test(url);
}

export function migrationDir(kind: "sqlite" | "postgres") {
  return path.join(root, "prisma", kind === "postgres" ? "migrations-postgres" : "migrations");
}

export function listMigrations(kind: "sqlite" | "postgres") {
  const dir = migrationDir(kind);
  return readdirSync(dir)
    .filter((d) => existsSync(path.join(dir, d, "migration.sql")))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

/** Applies pending migrations; returns the names applied. Each migration runs in one transaction. */
export async function migrate(url: string): Promise<string[]> {
  if (isPostgres(url)) return migratePostgres(url);
  const file = url.startsWith("file:") ? url.slice(5) : path.join(root, "prisma", "dev.sqlite");
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "_rp_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TEXT NOT NULL)`);
    const done = new Set(db.prepare(`SELECT name FROM "_rp_migrations"`).all().map((r) => (r as { name: string }).name));
    const applied: string[] = [];
    for (const m of listMigrations("sqlite")) {
      if (done.has(m.name)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare(`INSERT INTO "_rp_migrations" (name, "appliedAt") VALUES (?, ?)`).run(m.name, new Date().toISOString());
      })();
      applied.push(m.name);
    }
    return applied;
  } finally {
    db.close();
  }
}

/** Splits postgres://…?schema=x into a connection string and the schema (created if missing). */
export function pgTarget(url: string) {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? "public";
  u.searchParams.delete("schema");
  return { connectionString: u.toString(), schema };
}

async function migratePostgres(url: string): Promise<string[]> {
  const { connectionString, schema } = pgTarget(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, "")}"`);
    await client.query(`SET search_path TO "${schema.replace(/"/g, "")}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "_rp_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = new Set((await client.query(`SELECT name FROM "_rp_migrations"`)).rows.map((r) => r.name as string));
    const applied: string[] = [];
    for (const m of listMigrations("postgres")) {
      if (done.has(m.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_rp_migrations" (name) VALUES ($1)`, [m.name]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`${m.name}: ${err instanceof Error ? err.message : err}`, { cause: err });
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.end();
  }
}
