// The database URL, parsed in one place: which dialect, the SQLite file, the PostgreSQL schema (`?schema=`, which
// the Prisma adapter honours but raw SQL must name itself) and the connection string without it (what `pg` and
// pg-boss accept). SQLite by default (unset or file:…); PostgreSQL for postgres://… or postgresql://….
import path from "node:path";

export type DbKind = "sqlite" | "postgres";

export interface DatabaseConfig {
  kind: DbKind;
  /** SQLite: the database file. */
  file?: string;
  /** PostgreSQL: the schema of the tables (default public). */
  schema: string;
  /** PostgreSQL: the connection string without `?schema`. */
  pgUrl?: string;
}

// Keyed by URL: tests and benches point DATABASE_URL at a new database before they import the app.
const parsed = new Map<string, DatabaseConfig>();

export function databaseConfig(url = process.env.DATABASE_URL ?? ""): DatabaseConfig {
  let c = parsed.get(url);
  if (!c) {
    c = parse(url);
    parsed.set(url, c);
  }
  return c;
}

function parse(url: string): DatabaseConfig {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    return { kind: "sqlite", schema: "public", file: url.startsWith("file:") ? url.slice(5) : path.join(process.cwd(), "prisma", "dev.sqlite") };
  }
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? "public";
  u.searchParams.delete("schema");
  return { kind: "postgres", schema, pgUrl: u.toString() };
}

export function databaseKind(url?: string): DbKind {
  return databaseConfig(url).kind;
}
