/**
 * `npm run bench:proxy` — the storefront/checkout edge under load, autocannon on loopback
 * against the built app (remix-serve, NODE_ENV=production) on SQLite (or BENCH_DATABASE_URL), installed on the
 * dev store through token exchange:
 *   1. app-proxy profile of logged-in customers with stored profiles → profileRps, profileP99Ms
 *      (targets ≥ 1,500 req/s at p99 ≤ 25 ms);
 *   2. app-proxy event batches (EVENTS_PER_BATCH events) from VISITORS visitors the app issued first through the
 *      profile endpoint (signed id and server arms, as the embed gets them) → eventsPerSecond (≥ 5,000/s) and
 *      eventsLost = accepted (sum of 202 {stored}) − rows counted in the database afterwards (must be 0);
 *   3. checkout-extension profile with a session token → checkoutP95Ms (≤ 100 ms);
 *   4. in-process, the app's own signed-id check (verifyVisitorIdWithKey) over VERIFY_IDS issued ids → verifyP99Us,
 *      the CPU every event batch and attributed order pays for the signature.
 * Each phase runs PHASE_SECONDS (default 10 s) and at most MAX_REQUESTS requests. Client and server share the
 * machine's 2 cores, so the numbers are a floor for a server with the CPU to itself.
 * Last line: {"profileRps","profileP99Ms","eventsPerSecond","eventsLost","checkoutP95Ms","verifyP99Us","verifyMeanUs"}.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { signNewVisitorId, verifyVisitorIdWithKey } from "../app/models/visitors.server";
import { runLoad, type LoadRequest, type LoadResult } from "./lib/load";
import { fetchRetry, startBenchStack } from "./lib/stack";
import { browserHeaders, checkoutHeaders, eventBatch, issueVisitors, proxyPath, storedFrom, storedPerVisitor, type Target } from "./lib/traffic";

const PHASE_SECONDS = Number(process.env.PHASE_SECONDS ?? 10);
const MAX_REQUESTS = Number(process.env.MAX_REQUESTS ?? 200_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const EVENTS_PER_BATCH = Number(process.env.EVENTS_PER_BATCH ?? 20);
// Enough visitors that none nears the per-visitor limit (20-batch burst, 2/s) in a phase.
const VISITORS = Number(process.env.VISITORS ?? 4000);
const VERIFY_IDS = Number(process.env.VERIFY_IDS ?? 100_000);
// Shoppers per address in the events phase (a household behind one router): each batch carries its visitor's
// X-Forwarded-For, so the per-IP limit runs on every batch as it does behind the app proxy.
const VISITORS_PER_IP = Number(process.env.VISITORS_PER_IP ?? 4);
const log = (m: string) => console.error(m);

type Measured = LoadResult & { serverCpuMsPerRequest: number | null };

/** Runs a phase and adds the app server's CPU time per request (the capacity figure that contention distorts least). */
async function measured(run: () => Promise<LoadResult>): Promise<Measured> {
  const c0 = stack.serverCpuSeconds();
  const r = await run();
  const c1 = stack.serverCpuSeconds();
  const serverCpuMsPerRequest = c0 === null || c1 === null || r.requests === 0 ? null : Math.round(((c1 - c0) * 1000 * 100) / r.requests) / 100;
  return { ...r, serverCpuMsPerRequest };
}

/**
 * The cost of checking one signed id, measured on the app's own function in this process: each call timed alone
 * (valid ids, the path every accepted batch takes; a forged tag costs the same HMAC). Microseconds.
 */
function verifyCost(n: number): { p99Us: number; meanUs: number } {
  const key = randomBytes(32);
  const ids = Array.from({ length: n }, () => signNewVisitorId(key));
  for (let i = 0; i < Math.min(n, 10_000); i++) verifyVisitorIdWithKey(key, ids[i]); // warm-up (JIT)
  const ns = new Float64Array(n);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    if (verifyVisitorIdWithKey(key, ids[i])) ok++;
    ns[i] = Number(process.hrtime.bigint() - t0);
  }
  if (ok !== n) throw new Error(`${n - ok} issued ids did not verify`);
  ns.sort();
  const us = (v: number) => Math.round(v / 10) / 100;
  return { p99Us: us(ns[Math.min(n - 1, Math.ceil(n * 0.99) - 1)]), meanUs: us(ns.reduce((a, b) => a + b, 0) / n) };
}

function line(name: string, r: Measured, extra = "") {
  const st = Object.entries(r.statuses).map(([k, v]) => `${k}:${v}`).join(" ");
  console.log(
    `${name.padEnd(17)} ${String(r.requests).padStart(7)} req in ${r.seconds}s = ${r.rps} req/s  ` +
      `p50 ${r.latencyMs.p50} p95 ${r.latencyMs.p95} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms  [${st}] ` +
      `transport errors ${r.transportErrors}, server CPU ${r.serverCpuMsPerRequest ?? "?"} ms/req${extra ? "  " + extra : ""}`,
  );
}

const stack = await startBenchStack({ databaseUrl: process.env.BENCH_DATABASE_URL, log });
console.log(`load average before the run: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores (client and server share them)`);
const t: Target = stack;
try {
  const ids = stack.customerIds;
  const base = stack.appUrl;

  // Sanity: a logged-in customer gets their stored context; the run is meaningless otherwise.
  const probe = await fetchRetry(base + proxyPath(t, "profile", ids[0]), { headers: browserHeaders() });
  const probeBody = (await probe.json()) as { customer?: unknown };
  if (probe.status !== 200 || !probeBody.customer) throw new Error(`profile probe answered ${probe.status} ${JSON.stringify(probeBody)}`);

  // Warm-up (JIT, connection pools, SQLite page cache), not measured.
  await runLoad({ url: base + proxyPath(t, "profile", ids[0]), duration: 2, connections: CONNECTIONS, headers: browserHeaders() });

  // 1. Profile: each request is a different logged-in customer (signed once per customer up front: ±90 s window).
  const profilePaths = ids.map((id) => proxyPath(t, "profile", id));
  let pi = 0;
  const profile = await measured(() => runLoad({
    url: base,
    duration: PHASE_SECONDS,
    maxRequests: MAX_REQUESTS,
    connections: CONNECTIONS,
    requests: [{ method: "GET", headers: browserHeaders(), setupRequest: (req) => ({ ...req, path: profilePaths[pi++ % profilePaths.length] }) }],
  }));
  line("proxy profile", profile);

  // 2. Events: the visitors are issued first, each by its own profile read, as the embed gets its id and arms
  // (not measured). Batches rotate over them (many shoppers, each well inside the per-visitor limit), and each
  // acknowledged batch can be found again in the database: lost = Σ acknowledged − stored, per visitor.
  const issueStart = Date.now();
  const pool = await issueVisitors(t, VISITORS);
  log(`issued ${pool.length} visitors through the profile endpoint in ${((Date.now() - issueStart) / 1000).toFixed(1)} s`);
  const eventsPath = proxyPath(t, "events", "");
  const acked = new Map<string, number>();
  let accepted = 0;
  let seq = 0;
  const eventsReq: LoadRequest = {
    method: "POST",
    path: eventsPath,
    headers: browserHeaders({ "content-type": "text/plain;charset=UTF-8" }),
    setupRequest: (req, ctx) => {
      const i = seq++ % pool.length;
      const visitor = pool[i];
      ctx.visitor = visitor.id;
      const a = Math.floor(i / VISITORS_PER_IP);
      const ip = `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`;
      return { ...req, headers: { ...req.headers, "x-forwarded-for": ip }, body: eventBatch(visitor, EVENTS_PER_BATCH) };
    },
    onResponse: (status, body, ctx) => {
      const n = storedFrom(status, body);
      if (n > 0) {
        accepted += n;
        acked.set(ctx.visitor as string, (acked.get(ctx.visitor as string) ?? 0) + n);
      }
    },
  };
  const events = await measured(() => runLoad({ url: base, duration: PHASE_SECONDS, maxRequests: MAX_REQUESTS, connections: CONNECTIONS, requests: [eventsReq] }));
  const storedByVisitor = await storedPerVisitor(stack.db, stack.shop, pool.map((v) => v.id));
  let eventsLost = 0;
  for (const [visitor, n] of acked) eventsLost += Math.max(0, n - (storedByVisitor.get(visitor) ?? 0));
  const stored = [...storedByVisitor.values()].reduce((a, b) => a + b, 0);
  const eventsPerSecond = Math.round(accepted / events.seconds);
  line("proxy events", events, `${accepted} events acknowledged, ${stored} stored (${EVENTS_PER_BATCH}/batch; ${stored - accepted + eventsLost} from batches in flight at the stop), lost ${eventsLost} = ${eventsPerSecond} events/s`);

  // 3. Checkout profile: session tokens minted for a rotating set of buyers (60 s lifetime, like Shopify's).
  const tokens = ids.slice(0, 50).map((id) => checkoutHeaders(t, id));
  let ci = 0;
  const checkout = await measured(() => runLoad({
    url: base,
    duration: PHASE_SECONDS,
    maxRequests: MAX_REQUESTS,
    connections: CONNECTIONS,
    requests: [{ method: "GET", path: "/api/checkout/profile", setupRequest: (req) => ({ ...req, headers: tokens[ci++ % tokens.length] }) }],
  }));
  line("checkout profile", checkout);

  // 4. Signed-id check, in this process (the load generator is idle now).
  const verify = verifyCost(VERIFY_IDS);
  console.log(`verify signed id  ${VERIFY_IDS} ids: mean ${verify.meanUs} µs, p99 ${verify.p99Us} µs (verifyVisitorIdWithKey, in process)`);

  const ok = (r: LoadResult, code: string) => r.transportErrors === 0 && Object.keys(r.statuses).every((s) => s === code);
  const result = {
    profileRps: profile.rps,
    profileP99Ms: profile.latencyMs.p99,
    eventsPerSecond,
    eventsLost,
    checkoutP95Ms: checkout.latencyMs.p95,
    verifyP99Us: verify.p99Us,
    verifyMeanUs: verify.meanUs,
  };
  const unexpected = [!ok(profile, "200") && "profile", !ok(events, "202") && "events", !ok(checkout, "200") && "checkout"].filter(Boolean);
  console.log(
    `targets: profile ≥1500 req/s ${result.profileRps >= 1500 ? "ok" : "MISSED"}, p99 ≤25 ms ${result.profileP99Ms <= 25 ? "ok" : "MISSED"}; ` +
      `events ≥5000/s ${eventsPerSecond >= 5000 ? "ok" : "MISSED"}, lost 0 ${result.eventsLost === 0 ? "ok" : "MISSED"}; ` +
      `checkout p95 ≤100 ms ${result.checkoutP95Ms <= 100 ? "ok" : "MISSED"}` +
      (unexpected.length ? `; unexpected statuses in: ${unexpected.join(", ")}` : ""),
  );
  console.log(JSON.stringify(result));
  process.exitCode = eventsLost === 0 ? 0 : 1;
} finally {
  await stack.close();
}
