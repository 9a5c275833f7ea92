#!/usr/bin/env node
// Runs the Prisma CLI without native engine downloads (Node 20, offline but for the npm registry).
// The app uses engineType "client" + driver adapters, so no query engine is needed at run time; the CLI
// still checks that engine files exist, so point it at placeholders when the real ones are absent.
// `generate` also regenerates prisma/postgres/schema.prisma from prisma/schema.prisma (one model, two providers).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const placeholders = join(root, "node_modules", ".cache", "prisma-placeholders");

export function postgresSchema(sqliteSchema) {
  return (
    "// GENERATED from prisma/schema.prisma by scripts/prisma.mjs — do not edit.\n" +
    sqliteSchema
      .replace('provider = "sqlite"', 'provider = "postgresql"')
      .replace('url      = "file:./dev.sqlite"', 'url      = env("DATABASE_URL")')
      .replace(/engineType = "client"/, 'engineType = "client"\n  output     = "../../node_modules/.prisma-pg/client"')
  );
}

function engineEnv() {
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
  mkdirSync(placeholders, { recursive: true });
  const q = join(placeholders, "libquery_engine.so.node");
  const s = join(placeholders, "schema-engine");
  if (!existsSync(q)) writeFileSync(q, "");
  if (!existsSync(s)) writeFileSync(s, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
  env.PRISMA_QUERY_ENGINE_LIBRARY ??= q;
  env.PRISMA_SCHEMA_ENGINE_BINARY ??= s;
  env.PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING = "1";
  return env;
}

export function runPrisma(args) {
  const bin = join(root, "node_modules", "prisma", "build", "index.js");
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: engineEnv(), stdio: "inherit" });
  return r.status ?? 1;
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === "generate") {
    const src = readFileSync(join(root, "prisma", "schema.prisma"), "utf8");
    mkdirSync(join(root, "prisma", "postgres"), { recursive: true });
    writeFileSync(join(root, "prisma", "postgres", "schema.prisma"), postgresSchema(src));
    let code = runPrisma(["generate", "--schema", "prisma/schema.prisma"]);
    if (code === 0) code = runPrisma(["generate", "--schema", "prisma/postgres/schema.prisma"]);
    process.exit(code);
  }
  process.exit(runPrisma(args));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
