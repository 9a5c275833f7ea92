// One Prisma client for the process, on a driver adapter (no native query engine).
// SQLite by default (DATABASE_URL unset or file:…); PostgreSQL when DATABASE_URL is postgres://… or postgresql://….
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseConfig, databaseKind } from "./db/config";

export type Db = PrismaClient;

export { databaseKind };

export function sqlitePath(url?: string): string {
  return databaseConfig(url).file ?? path.join(process.cwd(), "prisma", "dev.sqlite");
}

/** Builds a client for a database URL (used by the singleton, migrations, tests and benchmarks). */
export function createPrismaClient(url = process.env.DATABASE_URL ?? ""): PrismaClient {
  const config = databaseConfig(url);
  if (config.kind === "postgres") {
    // The PostgreSQL client is generated from prisma/postgres/schema.prisma into its own folder; it has the
    // same model API, so it is typed as the SQLite one.
    const require = createRequire(path.join(process.cwd(), "package.json"));
    const { PrismaClient: PgClient } = require("./node_modules/.prisma-pg/client/index.js") as {
      PrismaClient: typeof PrismaClient;
    };
    // DATABASE_POOL_MAX: this process's ORM connections (the budget per role: docs/architecture.md).
    const adapter = new PrismaPg({ connectionString: config.pgUrl, max: Number(process.env.DATABASE_POOL_MAX ?? 10) }, { schema: config.schema });
    return new PgClient({ adapter });
  }
  const adapter = new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}` });
  return new PrismaClient({ adapter });
}

declare global {
  var __recoveryPlaysPrisma: PrismaClient | undefined;
}

// Reused across dev-server reloads so connections are not leaked.
const prisma: PrismaClient = globalThis.__recoveryPlaysPrisma ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalThis.__recoveryPlaysPrisma = prisma;

export default prisma;
