// The job queue on PostgreSQL: several instances start the same schedule and it runs once per slot; a job whose
// worker process dies mid-run is retried and completes once. PostgreSQL only: these run in the PostgreSQL stage
// of `npm test` (TEST_DB=postgres) and say so where skipped.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { bossConnection, createInProcessQueue, createPgQueue, parseRole, type Catalog, type JobQueue } from "./queue.server";

const onPg = process.env.TEST_DB === "postgres";
function requirePg(ctx: TestContext) {
  if (!onPg) {
    console.warn("SKIPPED here: the job-queue tests need PostgreSQL; they run in the PostgreSQL stage (TEST_DB=postgres)");
    ctx.skip();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(f: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await sleep(200);
  }
}

describe("ROLE", () => {
  it("GIVEN no ROLE WHEN parsed THEN all; GIVEN a typo THEN it refuses to start", () => {
    expect(parseRole(undefined)).toBe("all");
    expect(parseRole("worker")).toBe("worker");
    expect(() => parseRole("wokrer")).toThrow(/ROLE must be/);
  });
});

describe("job queue on PostgreSQL", () => {
  const tableSchema = `jobs_t_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  let db: pg.Client;
  const queues: JobQueue[] = [];

  beforeAll(async () => {
    if (!onPg) return;
    db = new pg.Client({ connectionString: bossConnection(process.env.DATABASE_URL!).connectionString });
    await db.connect();
    await db.query(`CREATE SCHEMA "${tableSchema}"`);
    await db.query(`CREATE TABLE "${tableSchema}".runs (who text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await db.query(`CREATE TABLE "${tableSchema}".attempts (job_id uuid, who text NOT NULL)`);
    await db.query(`CREATE TABLE "${tableSchema}".completions (job_id uuid, shop text)`);
  });
  afterAll(async () => {
    if (!onPg) return;
    await Promise.allSettled(queues.map((q) => q.stop()));
    await db.query(`DROP SCHEMA IF EXISTS "${tableSchema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${bossConnection(process.env.DATABASE_URL!).schema}" CASCADE`);
    await db.end();
  });

  it("GIVEN two instances that both start the same every-minute cron WHEN they run THEN each minute's run happens once", async (ctx) => {
    requirePg(ctx);
    const catalog = (who: string): Catalog => ({
      cron: [{ name: "tick", cron: "* * * * *", everyMs: 60_000, run: async () => void (await db.query(`INSERT INTO "${tableSchema}".runs (who) VALUES ($1)`, [who])) }],
      perShop: [],
    });
    const fast = { work: true, pollingIntervalSeconds: 0.5, cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, maintenanceIntervalSeconds: 1 };
    const a = createPgQueue({ databaseUrl: process.env.DATABASE_URL!, catalog: catalog("a"), ...fast });
    const b = createPgQueue({ databaseUrl: process.env.DATABASE_URL!, catalog: catalog("b"), ...fast });
    queues.push(a, b);
    await Promise.all([a.start(), b.start()]);
    await until(async () => (await db.query(`SELECT 1 FROM "${tableSchema}".runs`)).rowCount, 20_000);
    // Both timekeepers keep evaluating the schedule every second: give them several more chances to repeat it.
    await sleep(4_000);
    const { rows } = await db.query<{ slot: string; n: number }>(
      `SELECT date_trunc('minute', at)::text AS slot, COUNT(*)::int AS n FROM "${tableSchema}".runs GROUP BY 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const r of rows) expect(r.n, `runs in minute ${r.slot}`).toBe(1);
    await Promise.all([a.stop(), b.stop()]);
  }, 40_000);

  it("GIVEN per-process timers (the old scheduler's design) WHEN two instances run THEN the same upkeep runs twice", async () => {
    let runs = 0;
    const catalog: Catalog = { cron: [{ name: "tick", cron: "* * * * *", everyMs: 50, run: async () => void runs++ }], perShop: [] };
    const a = createInProcessQueue(catalog);
    const b = createInProcessQueue(catalog);
    await Promise.all([a.start(), b.start()]);
    await sleep(80);
    await Promise.all([a.stop(), b.stop()]);
    // This is why several instances need the PostgreSQL queue.
    expect(runs).toBe(2);
  });

  it("GIVEN a worker process that dies while running a shop's job WHEN its expiry passes THEN another worker retries it and it completes once", async (ctx) => {
    requirePg(ctx);
    const catalog: Catalog = {
      cron: [],
      perShop: [
        {
          name: "work-shop",
          expireInSeconds: 2,
          retryDelaySeconds: 1,
          run: async (shop) => {
            await db.query(`INSERT INTO "${tableSchema}".attempts (who) VALUES ('survivor')`);
            await db.query(`INSERT INTO "${tableSchema}".completions (shop) VALUES ($1)`, [shop]);
          },
        },
      ],
    };
    const url = process.env.DATABASE_URL!;
    const sender = createPgQueue({ databaseUrl: url, catalog, work: false });
    queues.push(sender);
    await sender.start();
    await sender.enqueue("work-shop", "a.myshopify.com");
    // A second request while one is queued is absorbed (one queued and one running job per shop).
    await sender.enqueue("work-shop", "a.myshopify.com");

    const { connectionString, schema } = bossConnection(url);
    const child = spawn(process.execPath, [path.join(import.meta.dirname, "fixtures/dying-worker.mjs"), connectionString, schema, "work-shop", tableSchema], {
      stdio: "inherit",
    });
    await until(async () => (await db.query(`SELECT 1 FROM "${tableSchema}".attempts WHERE who = 'doomed'`)).rowCount, 20_000);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const survivor = createPgQueue({ databaseUrl: url, catalog, work: true, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
    queues.push(survivor);
    await survivor.start();
    await until(async () => (await db.query(`SELECT 1 FROM "${tableSchema}".completions`)).rowCount, 25_000);
    await sleep(3_000);
    const completions = await db.query(`SELECT shop FROM "${tableSchema}".completions`);
    expect(completions.rows).toEqual([{ shop: "a.myshopify.com" }]);
    const attempts = await db.query(`SELECT who FROM "${tableSchema}".attempts WHERE job_id IS NOT NULL OR who = 'survivor' ORDER BY who`);
    expect(attempts.rows.map((r) => r.who)).toEqual(["doomed", "survivor"]);
    await survivor.stop();
  }, 60_000);
});
