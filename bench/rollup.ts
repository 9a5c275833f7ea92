// Benchmark: roll up N raw events (default 10,000,000) into PlayExposure / DailyPlayStat with the real
// rollupEvents(), then fold the leak finder's aggregates (foldLeaks, as the rollup job does); `seconds` is both,
// `rollupSeconds` / `leakSeconds` each. On SQLite the engine runs in this process, so `cpuSeconds` (and
// `rollupCpuSeconds`, the rollup's share) is the work itself, which a busy machine inflates far less than wall time.
// Event generation is not timed: on SQLite a template database is generated once with better-sqlite3 (cached in
// bench/out/) and copied fresh for every run.
//   npm run bench:rollup                          # SQLite, 10M events
//   npm run bench:rollup -- --events 1000000 --db postgres
//   npm run bench:rollup -- --zone America/Los_Angeles   # the shops measure on local days (BENCH_ZONE works too)
// Last line: {"events","seconds","eventsPerSecond",...}
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { migrate } from "../scripts/db-migrate-lib";
import { assignArm } from "../app/lib/stats/assignment";
import { PLAY_KEYS, type PlayKey } from "../app/lib/plays/types";
import { mulberry32 } from "../app/lib/stats/random";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1] ?? "");
const N = Number(args.get("events") ?? 10_000_000);
const KIND = (args.get("db") ?? "sqlite") as "sqlite" | "postgres";
const CHUNK = args.has("chunk") ? Number(args.get("chunk")) : undefined;
const ZONE = args.get("zone") || process.env.BENCH_ZONE || null;
const PG_BASE = process.env.TEST_PG_URL ?? "postgresql://root@127.0.0.1:5432/test";
const GENERATOR_VERSION = 1;
const DAYS = 30;
const START = Date.UTC(2026, 0, 1);
const SHOPS = [
  { shop: "bench-large.myshopify.com", weight: 0.7 },
  { shop: "bench-medium.myshopify.com", weight: 0.2 },
  { shop: "bench-small.myshopify.com", weight: 0.1 },
];

type Row = [shop: string, visitorId: string, customerId: string | null, type: string, play: string | null, arm: string | null,
  pageType: string | null, path: string | null, value: number | null, occurredAt: string, createdAt: string];

/**
 * Visitor journeys in time order: 2–6 page views, cart events, 0–2 plays (eligible re-evaluated on several pages;
 * treated visitors are shown the intervention, some engage or dismiss). 30 % are returning visitors, so later
 * chunks update exposures created earlier. Rows are passed to `sink` in id order until N events are produced.
 */
function generate(sink: (r: Row) => void) {
  const rand = mulberry32(20260101);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const perDay = N / DAYS;
  const seen: string[][] = SHOPS.map(() => []);
  let produced = 0;
  let visitorSeq = 0;
  const stats = { playEvents: 0 };
  const iso = (t: number) => new Date(t).toISOString().replace("Z", "+00:00");
  while (produced < N) {
    const dayIndex = Math.min(DAYS - 1, Math.floor(produced / perDay));
    const r = rand();
    const s = r < SHOPS[0].weight ? 0 : r < SHOPS[0].weight + SHOPS[1].weight ? 1 : 2;
    const shop = SHOPS[s].shop;
    const returning = seen[s].length > 1000 && rand() < 0.3;
    const visitorId = returning ? pick(seen[s]) : `v${(visitorSeq++).toString(36).padStart(8, "0")}`;
    if (!returning && seen[s].length < 200_000) seen[s].push(visitorId);
    const customerId = rand() < 0.15 ? String(1000 + Math.floor(rand() * 50_000)) : null;
    let t = START + dayIndex * 86_400_000 + Math.floor(rand() * 86_000_000);
    const emit = (type: string, play: PlayKey | null, pageType: string | null, value: number | null = null) => {
      if (produced >= N) return;
      t += 1000 + Math.floor(rand() * 30_000);
      const arm = play ? assignArm(visitorId, play, 10) : null;
      if (play) stats.playEvents++;
      sink([shop, visitorId, customerId, type, play, arm, pageType, pageType ? `/${pageType}s/x` : null, value, iso(t), iso(t)]);
      produced++;
    };
    const views = 2 + Math.floor(rand() * 5);
    for (let i = 0; i < views; i++) emit("page_view", null, pick(["product", "collection", "cart", "page", "index"]));
    if (rand() < 0.5) emit("add_to_cart", null, "product", Math.round(rand() * 20000) / 100);
    if (rand() < 0.2) emit("remove_from_cart", null, "cart");
    if (rand() < 0.2) emit("checkout_started", null, "cart");
    const k = rand();
    const plays = k < 0.3 ? 0 : k < 0.8 ? 1 : 2;
    const chosen = new Set<PlayKey>();
    while (chosen.size < plays) chosen.add(pick(PLAY_KEYS));
    for (const play of chosen) {
      const evals = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < evals; i++) emit("eligible", play, "cart");
      if (assignArm(visitorId, play, 10) === "treatment" && rand() < 0.8) {
        emit("shown", play, "cart");
        if (rand() < 0.25) emit("engaged", play, "cart");
        else if (rand() < 0.15) emit("dismissed", play, "cart");
      }
    }
  }
  return stats;
}

async function prepareSqlite(): Promise<{ url: string; playEvents: number }> {
  const outDir = path.join(process.cwd(), "bench", "out");
  mkdirSync(outDir, { recursive: true });
  const template = path.join(outDir, `rollup-template-v${GENERATOR_VERSION}-${N}.sqlite`);
  const meta = `${template}.playEvents`;
  if (!existsSync(template) || !existsSync(meta)) {
    const building = `${template}.building`;
    rmSync(building, { force: true });
    await migrate(`file:${building}`);
    const db = new Database(building);
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -1048576");
    db.pragma("temp_store = MEMORY");
    // Secondary indexes are rebuilt after the load (same end state, much faster than maintaining them per row).
    const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Event' AND sql IS NOT NULL`).all() as { name: string; sql: string }[];
    for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
    const insert = db.prepare(
      `INSERT INTO "Event" ("shop","visitorId","customerId","type","play","arm","pageType","path","value","occurredAt","createdAt") VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const started = Date.now();
    db.exec("BEGIN");
    let n = 0;
    const stats = generate((r) => {
      insert.run(r);
      if (++n % 500_000 === 0) {
        db.exec("COMMIT; BEGIN");
        process.stderr.write(`generated ${n} events\n`);
      }
    });
    db.exec("COMMIT");
    process.stderr.write(`rows loaded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const ix of indexes) db.exec(ix.sql);
    db.pragma("journal_mode = WAL");
    db.close();
    renameSync(building, template);
    writeFileSync(meta, String(stats.playEvents));
    process.stderr.write(`template generated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const run = path.join(outDir, "rollup-run.sqlite");
  for (const f of [run, `${run}-wal`, `${run}-shm`]) rmSync(f, { force: true });
  copyFileSync(template, run);
  // A template generated before a later migration gets it here (not timed).
  await migrate(`file:${run}`);
  return { url: `file:${run}`, playEvents: Number(readFileSync(meta, "utf8")) };
}

async function preparePostgres(): Promise<{ url: string; playEvents: number; cleanup: () => Promise<void> }> {
  const schema = `bench_rollup_${process.pid}`;
  const url = `${PG_BASE}?schema=${schema}`;
  await migrate(url);
  const client = new pg.Client({ connectionString: PG_BASE });
  await client.connect();
  let batch: Row[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const values: unknown[] = [];
    const tuples = batch.map((r, i) => {
      values.push(...r);
      return `(${r.map((_, j) => `$${i * 11 + j + 1}`).join(",")})`;
    });
    await client.query(
      `INSERT INTO "${schema}"."Event" ("shop","visitorId","customerId","type","play","arm","pageType","path","value","occurredAt","createdAt") VALUES ${tuples.join(",")}`,
      values,
    );
    batch = [];
  };
  const rows: Row[] = [];
  const stats = generate((r) => rows.push(r));
  for (const r of rows) {
    batch.push(r);
    if (batch.length === 2000) await flush();
  }
  await flush();
  await client.query(`ANALYZE "${schema}"."Event"`);
  return {
    url,
    playEvents: stats.playEvents,
    cleanup: async () => {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

async function main() {
  const prepared: { url: string; playEvents: number; cleanup?: () => Promise<void> } =
    KIND === "postgres" ? await preparePostgres() : await prepareSqlite();
  process.env.DATABASE_URL = prepared.url;
  const { rollupEvents } = await import("../app/models/rollup.server");
  const { default: prisma } = await import("../app/db.server");
  if (ZONE) {
    // Shops whose daily stats are already keyed in the zone (as after onboarding stored it): no rebuild is timed.
    await prisma.shop.createMany({ data: SHOPS.map(({ shop }) => ({ shop, ianaTimezone: ZONE, statsZone: ZONE })) });
  }
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await rollupEvents(undefined, { chunkSize: CHUNK, settleMs: 0 });
  const rollupSeconds = (performance.now() - started) / 1000;
  const rollupCpu = process.cpuUsage(cpu0);
  // The leak finder's funnel, path and money aggregates follow each rollup (the same per-shop job): timed with it.
  const { foldLeaks } = await import("../app/models/leakFold.server");
  let leakDays = 0;
  for (const { shop } of SHOPS) leakDays += (await foldLeaks(shop)).days;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Sanity: the aggregates account for every exposure.
  const exposures = await prisma.playExposure.count();
  const eligible = (await prisma.dailyPlayStat.aggregate({ _sum: { eligible: true } }))._sum.eligible ?? 0;
  const dailyRows = await prisma.dailyPlayStat.count();
  const visits = (await prisma.leakFunnelDay.aggregate({ _sum: { visits: true } }))._sum.visits ?? 0;
  const leakPathRows = await prisma.leakPathDay.count();
  await prisma.$disconnect();
  await prepared.cleanup?.();
  if (visits === 0 || leakPathRows === 0) throw new Error("leak aggregates are empty");
  if (result.events !== N || eligible !== exposures) {
    throw new Error(`rollup mismatch: events ${result.events}/${N}, eligible ${eligible} vs exposures ${exposures}`);
  }
  console.log(
    JSON.stringify({
      db: KIND,
      zone: ZONE,
      events: result.events,
      seconds: Math.round(seconds * 100) / 100,
      rollupSeconds: Math.round(rollupSeconds * 100) / 100,
      leakSeconds: Math.round((seconds - rollupSeconds) * 100) / 100,
      leakDays,
      visits,
      leakPathRows,
      eventsPerSecond: Math.round(result.events / seconds),
      playEvents: prepared.playEvents,
      exposures,
      dailyRows,
      shops: result.shops,
      chunks: result.chunks,
      // The database engine runs in this process (SQLite): CPU seconds show what the machine's load took away.
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      rollupCpuSeconds: Math.round((rollupCpu.user + rollupCpu.system) / 1e4) / 100,
      loadAverage: Math.round(loadavg()[0] * 10) / 10,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
