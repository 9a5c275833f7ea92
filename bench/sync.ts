// Benchmark: fold + persist 1,000,000 orders of bulk-operation JSONL into customer profiles, end to end
// (file stream → line splitter → fold → quintiles → batched upserts → shop AOV → job completed), on SQLite and on
// PostgreSQL, each in a fresh child process so its peak RSS is its own. Also prints what reading the same history
// page by page through the Admin API would cost (calls and minimum time at 100 points/s).
//
//   npm run bench:sync                 # 1,000,000 orders (≈ 330k customers)
//   BENCH_ORDERS=200000 npm run bench:sync
//
// Last line: {"orders","customers","seconds","ordersPerSecond","peakRssMb","db","writeBack":{…},"postgres":{…},"naive":{…}}
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, getOperationAST } from "graphql";
import pg from "pg";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const SEED = 20260715;
const SHOP = "bench-sync.myshopify.com";
const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://root@127.0.0.1:5432/test";
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..");

// The seed generator makes ≈ 3.3 orders per customer of which GUEST_ORDER_SHARE are guest orders (not reachable
// from customers, so not in this export).
function seedOptions() {
  const total = Math.round(ORDERS / (1 - 0.08));
  return { seed: SEED, customers: Math.round(total / 3.3), orders: total };
}

function jsonlPath(): string {
  const o = seedOptions();
  return path.join(tmpdir(), `rp-bench-sync-${o.seed}-${o.customers}-${o.orders}.jsonl`);
}

async function ensureJsonl(): Promise<{ file: string; customers: number; orders: number; bytes: number }> {
  const file = jsonlPath();
  const meta = `${file}.meta.json`;
  if (existsSync(file) && existsSync(meta)) {
    const m = JSON.parse(await import("node:fs").then((f) => f.readFileSync(meta, "utf8")));
    if (m.bytes === statSync(file).size) return { file, ...m };
  }
  const { writeHistoryJsonl } = await import("../devstore/seed/jsonl");
  const t = performance.now();
  const r = await writeHistoryJsonl(seedOptions(), file);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(meta, JSON.stringify({ customers: r.customers, orders: r.orders, bytes: r.bytes }));
  console.error(`generated ${r.orders} orders / ${r.customers} customers (${(r.bytes / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { file, customers: r.customers, orders: r.orders, bytes: r.bytes };
}

// ---------------------------------------------------------------------------------------------------------------
// Child: one database, one run.

async function child(kind: "sqlite" | "postgres", file: string): Promise<void> {
  const { migrate } = await import("../scripts/db-migrate-lib");
  const { createPrismaClient } = await import("../app/db.server");
  const { processHistory } = await import("../app/models/sync.server");
  const { storeFor } = await import("../app/db/store");
  const { closeSqliteWriters } = await import("../app/db/drivers");
  let url: string;
  let cleanup: () => Promise<void>;
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-bench-sync-"));
    url = `file:${path.join(dir, "bench.sqlite")}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `bench_sync_${process.pid}`;
    url = `${PG_BASE}?schema=${schema}`;
    cleanup = async () => {
      const c = new pg.Client({ connectionString: PG_BASE });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    };
  }
  await migrate(url);
  const db = createPrismaClient(url);
  let peak = process.memoryUsage().rss;
  let atPeak = process.memoryUsage();
  let peakAt = 0;
  const started = performance.now();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      atPeak = m;
      peakAt = performance.now() - started;
    }
  }, 25);
  try {
    const job = await db.syncJob.create({ data: { shop: SHOP, status: "processing" } });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // A file stream stands in for fetch(url).body (both are async iterables of bytes).
    const stream = createReadStream(file, { highWaterMark: 1 << 16 });
    const r = await processHistory(SHOP, job.id, stream, { store: storeFor(db, url), cutoff: Date.now(), log: () => {} });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const stored = await db.customerProfile.count({ where: { shop: SHOP } });
    if (stored !== r.customers) throw new Error(`stored ${stored} profiles, expected ${r.customers}`);
    const out = {
      orders: r.orders,
      customers: r.customers,
      seconds: Math.round(seconds * 100) / 100,
      ordersPerSecond: Math.round(r.orders / seconds),
      peakRssMb: Math.round(peak / 1048576),
      db: kind,
      linesSkipped: r.linesSkipped,
      peakAtMs: Math.round(peakAt),
      memoryAtPeakMb: Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, Math.round(v / 1048576)])),
      cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      // The machine is shared: orders per CPU-second of this process is the load-independent figure.
      ordersPerCpuSecond: Math.round(r.orders / ((cpu.user + cpu.system) / 1e6)),
      timings: r.timings,
      loadAverage: (await import("node:os")).loadavg()[0],
      shopAov: r.shopAov,
    };
    if (kind === "sqlite") {
      // Written back from a fresh process on this database (after this one let go of its SQLite writers).
      closeSqliteWriters();
      (out as Record<string, unknown>).writeBack = await runChild("writeback", url);
    }
    console.log(JSON.stringify(out));
  } finally {
    clearInterval(sampler);
    closeSqliteWriters();
    await db.$disconnect();
    await cleanup();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Write-back: the synced profiles published into Shopify as ONE bulk mutation (a staged JSONL of metafieldsSet
// variables), against the paginated metafieldsSet alternative (25 metafields a call). Runs in its own process on
// the database the sync left, as the app's write-back job does after a sync: its peak RSS is the write-back's own.

async function writeBackChild(url: string): Promise<void> {
  const { createPrismaClient } = await import("../app/db.server");
  const { storeFor } = await import("../app/db/store");
  const { closeHistoryReaders } = await import("../app/models/profileOut.server");
  const db = createPrismaClient(url);
  try {
    console.log(JSON.stringify(await writeBackBench(storeFor(db, url))));
  } finally {
    closeHistoryReaders();
    await db.$disconnect();
  }
}

async function writeBackBench(store: import("../app/db/store").Store) {
  const { historyChunks, historyRows, buildJsonlFile, writeBackProfiles } = await import("../app/models/profileOut.server");
  const { historyLine, paginatedCalls } = await import("../app/lib/profile-out/encode");
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  // The app's whole path, streamed: keyset pages out of the database → JSONL lines → a temporary file.
  let t = performance.now();
  const cpu0 = process.cpuUsage();
  const file = await buildJsonlFile(historyChunks(SHOP, 10_000, store));
  const fileSeconds = (performance.now() - t) / 1000;
  const fileCpu = process.cpuUsage(cpu0);
  rmSync(file.dir, { recursive: true, force: true });
  const buildPeak = peak;
  // The Admin calls one write-back makes, counted on a stand-in Admin API (the upload body is read to the end).
  const calls: string[] = [];
  const admin = {
    graphql: async (q: string) => {
      const op = /mutation (\w+)/.exec(q)?.[1] ?? "query";
      calls.push(op);
      const data =
        op === "ProfileStagedUpload"
          ? { stagedUploadsCreate: { stagedTargets: [{ url: "http://upload.invalid/", resourceUrl: "", parameters: [{ name: "key", value: "tmp/bench/profiles.jsonl" }] }], userErrors: [] } }
          : { bulkOperationRunMutation: { bulkOperation: { id: "gid://shopify/BulkOperation/1", status: "CREATED" }, userErrors: [] } };
      return new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } });
    },
  };
  let uploaded = 0;
  const fakeFetch = (async (_u: string, init?: RequestInit) => {
    // Read the multipart body as a stream, as an HTTP client would send it (the file part comes from disk).
    const reader = new Response(init?.body as FormData).body!.getReader();
    for (let c = await reader.read(); !c.done; c = await reader.read()) uploaded += c.value.byteLength;
    calls.push("upload");
    return new Response("", { status: 201 });
  }) as typeof fetch;
  t = performance.now();
  const r = await writeBackProfiles(SHOP, admin, { fetch: fakeFetch }, historyChunks(SHOP, 10_000, store));
  const writeBackSeconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  const writeBackPeak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  // Line encoding alone (what the customers/s target measures), streamed page by page like the app: only the
  // encoding is timed, never more than one page of rows is held.
  let encodeMs = 0;
  let encoded = 0;
  let bytes = 0;
  for await (const rows of historyRows(SHOP, 10_000, store)) {
    const t0 = performance.now();
    for (const row of rows) bytes += historyLine({ customerId: row.customerId, stage: "loyalist", segment: row.segment, aov: row.aov }).length + 1;
    encodeMs += performance.now() - t0;
    encoded += rows.length;
  }
  const customers = r.status === "started" ? r.customers : 0;
  return {
    customers,
    jsonlBytes: file.bytes,
    uploadedBytes: uploaded,
    buildCustomersPerSecond: Math.round(encoded / (encodeMs / 1000)),
    dbToFileCustomersPerSecond: Math.round(file.lines / fileSeconds),
    // The machine is shared: customers per CPU-second of this process is the load-independent figure.
    dbToFileCustomersPerCpuSecond: Math.round(file.lines / ((fileCpu.user + fileCpu.system) / 1e6)),
    loadAverage: (await import("node:os")).loadavg()[0],
    writeBackSeconds: Math.round(writeBackSeconds * 100) / 100,
    peakRssMb: Math.round(writeBackPeak / 1048576),
    rssBeforeMb: Math.round(rss0 / 1048576),
    buildPeakRssMb: Math.round(buildPeak / 1048576),
    bulkMutations: calls.filter((c) => c === "ProfileBulkWrite").length,
    adminCalls: calls,
    paginatedMetafieldsSetCalls: paginatedCalls(customers * 3),
    builtBytes: bytes,
    process: "separate (fresh) process on the synced database",
  };
}

function runChild(kind: string, file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, "--child", kind, file], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE_ENV: "production" },
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last));
      else reject(new Error(`${kind} child exited ${code}: ${out}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The naive alternative: page customers (250 per call, numberOfOrders to skip the ones without orders), then
// each customer's orders at the largest page size whose requested cost stays ≤ 1,000 points. Costs come from the
// dev store's implementation of Shopify's formula (devstore/admin/cost.ts) over these exact documents.

const NAIVE_CUSTOMERS = `#graphql
  query NaiveCustomers($after: String) {
    customers(first: 250, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id numberOfOrders statistics { rfmGroup } }
    }
  }`;

const naiveOrders = (first: number) => `#graphql
  query NaiveOrders($id: ID!, $after: String) {
    customer(id: $id) {
      orders(first: ${first}, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id createdAt updatedAt cancelledAt displayFinancialStatus
          totalPriceSet { shopMoney { amount } }
          totalRefundedSet { shopMoney { amount } }
        }
      }
    }
  }`;

async function naiveCost(file: string, restoreRate = 100) {
  const { adminSchema } = await import("../app/graphql/schema.server");
  const { queryCost } = await import("../devstore/admin/cost");
  const schema = adminSchema();
  const cost = (q: string, vars: Record<string, unknown> = {}) => {
    const doc = parse(q.replace("#graphql", ""));
    return queryCost(schema, doc, getOperationAST(doc)!, vars);
  };
  // Requested cost is linear in the page size: base + n × perNode (actual cost: n = nodes returned).
  const c0 = cost(NAIVE_CUSTOMERS.replace("first: 250", "first: 0"));
  const c1 = cost(NAIVE_CUSTOMERS.replace("first: 250", "first: 1"));
  const o0 = cost(naiveOrders(0), { id: "gid://shopify/Customer/1" });
  const o1 = cost(naiveOrders(1), { id: "gid://shopify/Customer/1" });
  const perOrder = o1 - o0;
  const orderPage = Math.min(250, Math.floor((1000 - o0) / perOrder));
  const customerPage = Math.min(250, Math.floor((1000 - c0) / (c1 - c0)));
  let calls = 0;
  let points = 0;
  let customers = 0;
  let current = 0;
  const flushCustomer = () => {
    if (current === 0) return;
    const pages = Math.ceil(current / orderPage);
    calls += pages;
    points += pages * o0 + current * perOrder;
    current = 0;
  };
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.includes('"__parentId"')) current++;
    else {
      flushCustomer();
      customers++;
    }
  }
  flushCustomer();
  const customerPages = Math.ceil(customers / customerPage);
  calls += customerPages;
  points += customerPages * c0 + customers * (c1 - c0);
  return {
    apiCalls: calls,
    minSeconds: Math.round(points / restoreRate),
    costPoints: points,
    restoreRate,
    pageSizes: { customers: customerPage, orders: orderPage },
    costPerPage: { customers: c0 + customerPage * (c1 - c0), orders: o0 + orderPage * perOrder },
    bulkOperations: 1,
  };
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--child" && args[1] === "writeback") return writeBackChild(args[2]!);
  if (args[0] === "--child") return child(args[1] as "sqlite" | "postgres", args[2]);
  const data = await ensureJsonl();
  const sqlite = await runChild("sqlite", data.file);
  console.log(JSON.stringify(sqlite));
  let postgres: Record<string, unknown>;
  try {
    postgres = await runChild("postgres", data.file);
  } catch (err) {
    postgres = { db: "postgres", error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
  }
  console.log(JSON.stringify(postgres));
  const naive = await naiveCost(data.file);
  console.log(JSON.stringify({ ...sqlite, postgres, naive, file: { bytes: data.bytes, customers: data.customers, orders: data.orders } }));
}

await main();
