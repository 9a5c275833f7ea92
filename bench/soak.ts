/**
 * `npm run bench:soak` — mixed storefront + checkout traffic against the built app (remix-serve, production) on
 * SQLite and then on PostgreSQL (a fresh schema, dropped afterwards), the load criterion. Per database,
 * SOAK_SECONDS (default 45 s; the two load phases together are capped at 120 s) of autocannon on loopback with:
 *   profile reads through the signed app proxy (logged in and out), event batches through the proxy, checkout
 *   profile reads and checkout events with session tokens, and ~12% hostile requests (forged or stale proxy
 *   signatures, forged / wrong-audience / expired tokens, malformed or invalid batches, made-up visitor ids and
 *   forged arms) that must be refused with their 4xx — verified per request, not counted as errors. An error is
 *   any other status or a transport failure. Event batches come from VISITORS visitors issued first through the
 *   profile endpoint (signed id and server arms, as the embed gets them). eventsAccepted = events the app
 *   acknowledged (202 {stored}); eventsStored = rows found afterwards for those visitors. Event batches stop 3 s
 *   before the end so none is in flight when the run stops.
 * Prints a line per database, then last: {"requests","errors","p99Ms","eventsAccepted","eventsStored","postgres":{…}}.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import pg from "pg";
import { runLoad, type LoadRequest } from "./lib/load";
import { startBenchStack, type BenchStack } from "./lib/stack";
import { browserHeaders, checkoutHeaders, eventBatch, forgedArms, issueVisitors, madeUpVisitor, proxyPath, storedFrom, storedPerVisitor, type Target } from "./lib/traffic";
import { EXPECTED, type Kind, pick } from "./lib/mix";

const TOTAL_CAP_SECONDS = 120;
const SOAK_SECONDS = Math.min(Number(process.env.SOAK_SECONDS ?? 45), TOTAL_CAP_SECONDS / 2);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const MAX_REQUESTS = Number(process.env.MAX_REQUESTS ?? 500_000);
// Enough visitors that none nears the per-visitor limit (20-batch burst, 2/s) over a run.
const VISITORS = Number(process.env.VISITORS ?? 3000);
const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://root@127.0.0.1:5432/test";
const log = (m: string) => console.error(m);

interface DbResult {
  requests: number;
  errors: number;
  p99Ms: number;
  eventsAccepted: number;
  eventsStored: number;
}

async function soak(label: string, databaseUrl?: string): Promise<DbResult> {
  const stack: BenchStack = await startBenchStack({ databaseUrl, log });
  try {
    const t: Target = stack;
    const ids = stack.customerIds;
    const issueStart = Date.now();
    const pool = await issueVisitors(t, VISITORS);
    log(`${label}: issued ${pool.length} visitors through the profile endpoint in ${((Date.now() - issueStart) / 1000).toFixed(1)} s`);
    let seq = 0;
    let eventsAccepted = 0;
    const unexpected = new Map<string, number>();
    const samples: string[] = [];
    const byKind = new Map<Kind, number>();
    const endEventsAt = Date.now() + (SOAK_SECONDS - 3) * 1000;
    const customer = () => ids[Math.floor(Math.random() * ids.length)];
    const now = () => Math.floor(Date.now() / 1000);

    const build = (kind: Kind, _ctx: Record<string, unknown>): LoadRequest => {
      const visitor = pool[seq++ % pool.length];
      const post = (path: string, headers: Record<string, string>, body: string): LoadRequest => ({ method: "POST", path, headers: { ...headers, "content-type": "text/plain;charset=UTF-8" }, body });
      switch (kind) {
        case "proxyProfile":
          return { method: "GET", path: proxyPath(t, "profile", customer()), headers: browserHeaders() };
        case "proxyProfileLoggedOut":
          return { method: "GET", path: proxyPath(t, "profile", ""), headers: browserHeaders() };
        case "proxyEvents":
          return post(proxyPath(t, "events", Math.random() < 0.3 ? customer() : ""), browserHeaders(), eventBatch(visitor, 5 + Math.floor(Math.random() * 16)));
        case "checkoutProfile":
          return { method: "GET", path: "/api/checkout/profile", headers: checkoutHeaders(t, customer()) };
        case "checkoutEvents":
          return post("/api/checkout/events", checkoutHeaders(t, customer()), eventBatch(visitor, 2 + Math.floor(Math.random() * 4)));
        case "forgedProxy":
          return { method: "GET", path: proxyPath({ ...t, apiSecret: "attacker-secret" }, "profile", customer()), headers: browserHeaders() };
        case "staleProxy":
          return post(proxyPath(t, "events", "", now() - 600), browserHeaders(), eventBatch(visitor, 3));
        case "forgedToken":
          return { method: "GET", path: "/api/checkout/profile", headers: checkoutHeaders(t, customer(), undefined, "attacker-secret") };
        case "wrongAudience":
          return { method: "GET", path: "/api/checkout/profile", headers: checkoutHeaders(t, customer(), { aud: "someone-elses-app" }) };
        case "expiredToken":
          return post("/api/checkout/events", checkoutHeaders(t, customer(), { exp: now() - 120, nbf: now() - 300, iat: now() - 300 }), eventBatch(visitor, 2));
        case "malformedBatch":
          return post(proxyPath(t, "events", ""), browserHeaders(), `{"visitorId":"${visitor.id}","events":[{`);
        case "invalidBatch":
          return post(proxyPath(t, "events", ""), browserHeaders(), JSON.stringify({ visitorId: visitor.id, events: [{ type: "shown", occurredAt: Date.now() }] }));
        case "madeUpVisitor":
          return post(proxyPath(t, "events", ""), browserHeaders(), eventBatch(madeUpVisitor(), 5));
        case "forgedArm":
          return post(proxyPath(t, "events", ""), browserHeaders(), eventBatch(forgedArms(visitor), 5));
      }
    };

    const mixed: LoadRequest = {
      setupRequest: (req, ctx) => {
        const kind = pick(Date.now() < endEventsAt);
        ctx.kind = kind;
        return { ...req, ...build(kind, ctx) };
      },
      onResponse: (status, body, ctx) => {
        const kind = ctx.kind as Kind;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        if (status !== EXPECTED.get(kind)) {
          const key = `${kind}→${status}`;
          unexpected.set(key, (unexpected.get(key) ?? 0) + 1);
          if (samples.length < 5) samples.push(`${key}: ${body.slice(0, 160)}`);
          return;
        }
        eventsAccepted += storedFrom(status, body);
      },
    };

    const cpu0 = stack.serverCpuSeconds();
    const r = await runLoad({ url: stack.appUrl, duration: SOAK_SECONDS, maxRequests: MAX_REQUESTS, connections: CONNECTIONS, requests: [mixed] });
    const cpu1 = stack.serverCpuSeconds();
    const eventsStored = [...(await storedPerVisitor(stack.db, stack.shop, pool.map((v) => v.id))).values()].reduce((a, b) => a + b, 0);
    const wrong = [...unexpected.values()].reduce((a, b) => a + b, 0);
    const errors = wrong + r.transportErrors;
    const mix = [...byKind.entries()].map(([k, n]) => `${k} ${n}`).join(", ");
    const cpu = cpu0 !== null && cpu1 !== null && r.requests ? ` server CPU ${(((cpu1 - cpu0) * 1000) / r.requests).toFixed(2)} ms/req;` : "";
    console.log(
      `${label.padEnd(10)} ${r.requests} requests in ${r.seconds}s (${r.rps} req/s), p50 ${r.latencyMs.p50} p95 ${r.latencyMs.p95} p99 ${r.latencyMs.p99} ms;` +
        `${cpu} errors ${errors} (unexpected statuses ${wrong}, transport ${r.transportErrors}); events accepted ${eventsAccepted}, stored ${eventsStored}`,
    );
    console.log(`${"".padEnd(10)} mix: ${mix}`);
    if (unexpected.size) console.log(`${"".padEnd(10)} unexpected: ${[...unexpected.entries()].map(([k, n]) => `${k} ×${n}`).join(", ")}; e.g. ${samples.join(" | ")}`);
    return { requests: r.requests, errors, p99Ms: r.latencyMs.p99, eventsAccepted, eventsStored };
  } finally {
    await stack.close();
  }
}

console.log(`soak: ${SOAK_SECONDS} s per database, ${CONNECTIONS} connections; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores (client and server share them)`);
const sqlite = await soak("sqlite");
const schema = `bench_soak_${process.pid}_${randomBytes(3).toString("hex")}`;
let postgres: DbResult;
try {
  postgres = await soak("postgres", `${PG_BASE}?schema=${schema}`);
} finally {
  const c = new pg.Client({ connectionString: PG_BASE });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
}
const ok = (d: DbResult) => d.errors === 0 && d.eventsAccepted === d.eventsStored;
process.exitCode = ok(sqlite) && ok(postgres) ? 0 : 1;
console.log(JSON.stringify({ ...sqlite, postgres }));
