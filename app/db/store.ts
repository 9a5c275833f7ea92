// A database and its dialect, as the models that write raw SQL or use a direct driver see it. The app uses the
// Prisma singleton and DATABASE_URL; benches and tests pass their own client and URL.
import type { PrismaClient } from "@prisma/client";
import prisma from "../db.server";
import { databaseConfig, type DbKind } from "./config";
import { qualifiedTable, type ShopTable } from "./dialect";

export type { DbKind };

export interface Store {
  db: PrismaClient;
  kind: DbKind;
  /** PostgreSQL schema of the tables (raw SQL is not rewritten by the adapter): from ?schema=, default public. */
  schema?: string;
  /** SQLite file, for the direct driver connections (bulk writer, point reads). */
  file?: string;
  /** PostgreSQL connection string (without ?schema), for the direct driver connections. */
  pgUrl?: string;
}

export function defaultStore(): Store {
  return storeFor(prisma, process.env.DATABASE_URL ?? "");
}

/** A store for a client built from a database URL. */
export function storeFor(db: PrismaClient, url: string): Store {
  const c = databaseConfig(url);
  if (c.kind === "sqlite") return { db, kind: c.kind, file: c.file };
  return { db, kind: c.kind, schema: c.schema, pgUrl: c.pgUrl };
}

/** A table name for raw SQL, schema-qualified on PostgreSQL and, with `alias`, aliased to its bare name. */
export function rawTable(store: Store, name: ShopTable, alias = false): string {
  const q = qualifiedTable(store.kind, store.schema ?? "public", name);
  return alias && store.kind === "postgres" ? `${q} AS "${name}"` : q;
}
