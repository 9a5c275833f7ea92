// Vitest setup: every test file gets its own fresh, migrated database, and the Shopify test credentials.
// TEST_DB=postgres runs the same suite against PostgreSQL (127.0.0.1:5432, database `test`): each file gets
// its own schema, dropped afterwards. Otherwise a temporary SQLite file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import pg from "pg";
import { API_KEY, API_SECRET_KEY, APP_URL } from "@shopify/shopify-api/test-helpers";
import { migrate } from "../../scripts/db-migrate-lib";
import { loadAppConfig } from "../../devstore/config";

process.env.SHOPIFY_API_KEY ??= API_KEY;
process.env.SHOPIFY_API_SECRET ??= API_SECRET_KEY;
process.env.SHOPIFY_APP_URL ??= APP_URL;
// The app is granted exactly what shopify.app.toml requests, as Shopify CLI passes SCOPES.
process.env.SCOPES ??= loadAppConfig(path.resolve(import.meta.dirname, "../../shopify.app.toml")).scopes.join(",");
// The suite talks to nobody: outgoing Admin calls must be routed by the test itself (devstore or a stub).
process.env.SHOPIFY_ADMIN_API_ORIGIN ??= "http://127.0.0.1:9";

export const PG_BASE = process.env.TEST_PG_URL ?? "postgresql://root@127.0.0.1:5432/test";

if (process.env.TEST_DB === "postgres") {
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  process.env.DATABASE_URL = `${PG_BASE}?schema=${schema}`;
  await migrate(process.env.DATABASE_URL);
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG_BASE });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });
} else {
  const dir = mkdtempSync(path.join(tmpdir(), "rp-test-"));
  process.env.DATABASE_URL = `file:${path.join(dir, "test.sqlite")}`;
  await migrate(process.env.DATABASE_URL);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
}
