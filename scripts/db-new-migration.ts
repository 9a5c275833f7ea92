// `npm run db:new-migration -- <name>`: writes the next migration for BOTH dialects from the change between the
// last committed prisma/schema.prisma and the working one.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { migrationDir } from "./db-migrate-lib";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:new-migration -- <snake_case_name>");
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
execFileSync(process.execPath, [path.join(root, "scripts/prisma.mjs"), "generate"], { stdio: "ignore" });

function prisma(args: string[], env: Record<string, string> = {}) {
  return execFileSync(process.execPath, [path.join(root, "scripts/prisma.mjs"), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
}

const next = String(readdirSync(migrationDir("sqlite")).length + 1).padStart(4, "0") + "_" + name;

// Both dialects diff the previous datamodel (git HEAD's schema, which the checked-in migrations produce — a test
// checks that) against the working schema, through Prisma's JS schema engine (offline).
const dir = mkdtempSync(path.join(tmpdir(), "rp-mig-"));
const { postgresSchema } = await import("./prisma.mjs");
const prev = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: root, encoding: "utf8" });
const prevSqlite = path.join(dir, "prev.prisma");
const prevPg = path.join(dir, "prev-pg.prisma");
writeFileSync(prevSqlite, prev);
writeFileSync(prevPg, postgresSchema(prev));
const sqliteSql = prisma(["migrate", "diff", "--from-schema-datamodel", prevSqlite, "--to-schema-datamodel", "prisma/schema.prisma", "--script"]);
const pgSql = prisma(["migrate", "diff", "--from-schema-datamodel", prevPg, "--to-schema-datamodel", "prisma/postgres/schema.prisma", "--script"]);

for (const [kind, sql] of [["sqlite", sqliteSql], ["postgres", pgSql]] as const) {
  const target = path.join(migrationDir(kind), next);
  mkdirSync(target, { recursive: true });
  writeFileSync(path.join(target, "migration.sql"), sql);
  console.log(`wrote ${path.relative(root, target)}/migration.sql`);
}
