// One model, two providers: the generated PostgreSQL schema is in sync, and the two migration sets produce
// the same tables and columns on SQLite and on PostgreSQL.
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresSchema } from "../../scripts/prisma.mjs";
import { migrate } from "../../scripts/db-migrate-lib";
import { PG_BASE } from "../setup/db";

async function pgAvailable() {
  const c = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

describe("schema parity", () => {
  it("GIVEN prisma/schema.prisma WHEN the PostgreSQL schema is derived THEN the committed one matches", () => {
    const derived = postgresSchema(readFileSync("prisma/schema.prisma", "utf8"));
    expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toBe(derived);
  });

  it("GIVEN both migration sets WHEN applied THEN SQLite and PostgreSQL have the same tables and columns", async (ctx) => {
    if (!(await pgAvailable())) {
      console.warn("SKIPPED: PostgreSQL not reachable at " + PG_BASE + " — schema parity not checked");
      ctx.skip();
    }
    const file = path.join(mkdtempSync(path.join(tmpdir(), "rp-parity-")), "p.sqlite");
    await migrate(`file:${file}`);
    const lite = new Database(file);
    const liteTables: Record<string, string[]> = {};
    for (const { name } of lite.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]) {
      liteTables[name] = (lite.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => c.name).sort();
    }
    lite.close();

    const schema = `parity_${process.pid}`;
    await migrate(`${PG_BASE}?schema=${schema}`);
    const c = new pg.Client({ connectionString: PG_BASE });
    await c.connect();
    try {
      const rows = (await c.query(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1`, [schema],
      )).rows as { table_name: string; column_name: string }[];
      const pgTables: Record<string, string[]> = {};
      for (const r of rows) (pgTables[r.table_name] ??= []).push(r.column_name);
      for (const k of Object.keys(pgTables)) pgTables[k].sort();
      expect(pgTables).toEqual(liteTables);
      expect(Object.keys(pgTables).length).toBeGreaterThan(10);
    } finally {
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  });
});
