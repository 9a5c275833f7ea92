// Prisma CLI configuration: the JavaScript schema engine through a driver adapter, so migrations work offline
// without Prisma's native engines. SQLite (default) unless DATABASE_URL points at PostgreSQL.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

const sqliteFile = (process.env.DATABASE_URL ?? "").startsWith("file:")
  ? process.env.DATABASE_URL!.slice(5)
  : path.join("prisma", "dev.sqlite");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    return new PrismaBetterSQLite3({ url: `file:${sqliteFile}` });
  },
});
