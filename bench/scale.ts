/**
 * `npm run bench:scale` — several stateless app instances on one PostgreSQL and Redis. Starts 3 web instances
 * (ROLE=web) and 1 worker (ROLE=worker) of the built app, behind a round-robin TCP balancer on loopback, with the
 * dev store pointing at the balancer. Then:
 *   1. SCALE_ONE_SECONDS (15 s) of the soak's mixed storefront traffic against one web instance directly
 *      → rpsOneInstance;
 *   2. SCALE_SECONDS (60 s) of the same traffic through the balancer; halfway, one web instance is killed by its
 *      pid (SIGKILL unless SCALE_KILL_SIGNAL says otherwise) → rpsThreeInstances (before the kill), errors, and
 *      errorsAfterKill (errors in the 5 s after the kill: the requests that were in flight on it);
 *   3. waits for the worker's rollup to fold every event, sampling its cursor → rollupLagP99Ms (stored → folded);
 *   4. reads pg-boss's job table: cron runs repeated in one minute slot, and per-shop runs of one job that
 *      overlapped in time → jobRunsDuplicated.
 * Prints progress, then last a JSON line:
 * {"instances":3,"requests","errors","errorsAfterKill","eventsAccepted","eventsStored","jobRunsDuplicated",
 *  "rollupLagP99Ms","rpsOneInstance","rpsThreeInstances", …details}.
 * Targets: eventsAccepted == eventsStored, except events of requests lost in flight on the killed instance
 * (stored, never answered: counted as eventsUnacknowledged), jobRunsDuplicated == 0, no error before the kill.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import pg from "pg";
import { runLoad, percentile, type LoadRequest } from "./lib/load";
import { fetchRetry, startBenchStack, type BenchStack } from "./lib/stack";
import { browserHeaders, checkoutHeaders, eventBatch, forgedArms, issueVisitors, madeUpVisitor, proxyPath, storedFrom, type IssuedVisitor, type Target } from "./lib/traffic";
import { buildDir, freePort, SCOPES } from "../scripts/stack";
import { bossConnection } from "../app/jobs/queue.server";
import { EXPECTED, type Kind, pick } from "./lib/mix";

const SECONDS = Number(process.env.SCALE_SECONDS ?? 60);
const ONE_SECONDS = Number(process.env.SCALE_ONE_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 12);
const KILL_SIGNAL = (process.env.SCALE_KILL_SIGNAL ?? "SIGKILL") as NodeJS.Signals;
const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://root@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const ROLLUP_WAIT_MS = 150_000;
// Signed visitors issued before the load (per-visitor limit: 20-batch burst, 2/s, shared across instances).
const VISITORS = Number(process.env.VISITORS ?? 5000);
const root = path.resolve(import.meta.dirname, "..");
const log = (m: string) => console.error(m);

// ------------------------------------------------------------------------------------------------ balancer

interface Balancer {
  server: net.Server;
  /**
   * Requests lost in flight: a backend connection closed while a request on it had no complete answer (autocannon
   * silently reconnects and moves on when a server closes a connection, so it would not count them).
   */
  lostAt: number[];
  /** Events in the bodies of those lost requests: the instance may have stored them without answering. */
  lostEvents: number[];
}

/**
 * Round-robin over backends per TCP connection; a backend that refuses a connection is skipped for a second.
 * With one request at a time per connection, a request is outstanding while the client's last bytes are newer
 * than the backend's last bytes.
 */
function startBalancer(port: number, backends: number[]): Promise<Balancer> {
  let next = 0;
  const lostAt: number[] = [];
  const lostEvents: number[] = [];
  const downUntil = new Map<number, number>();
  const server = net.createServer((client) => {
    client.pause();
    client.on("error", () => undefined);
    const attempt = (tries: number) => {
      if (tries >= backends.length * 2 || client.destroyed) return client.destroy();
      let target = backends[next++ % backends.length]!;
      for (let k = 0; k < backends.length && (downUntil.get(target) ?? 0) > Date.now(); k++) target = backends[next++ % backends.length]!;
      const upstream = net.connect({ host: "127.0.0.1", port: target });
      let connected = false;
      let clientClosed = false;
      let lastUp = 0;
      let lastDown = 0;
      let seq = 0;
      // The client's bytes since the backend last answered: the outstanding request, if one is lost.
      let pending = "";
      upstream.once("connect", () => {
        connected = true;
        client.on("data", (chunk: Buffer) => {
          if (lastDown > lastUp) pending = "";
          pending += chunk.toString("utf8");
          lastUp = ++seq;
        });
        upstream.on("data", () => (lastDown = ++seq));
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on("error", () => {
        if (!connected) {
          downUntil.set(target, Date.now() + 1_000);
          attempt(tries + 1);
        } else client.destroy();
      });
      upstream.on("close", () => {
        if (!connected) return;
        if (!clientClosed && lastUp > lastDown) {
          lostAt.push(Date.now());
          // Every event of a bench batch carries "ts" (bench/lib/traffic.ts eventBatch).
          lostEvents.push(pending.includes("/events") ? (pending.match(/"ts":/g) ?? []).length : 0);
        }
        client.destroy();
      });
      client.on("close", () => {
        clientClosed = true;
        upstream.destroy();
      });
    };
    attempt(0);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ server, lostAt, lostEvents })));
}

// ------------------------------------------------------------------------------------------------ instances

function spawnInstance(stack: BenchStack, role: "web" | "worker", port: number): ChildProcess {
  return spawn(process.execPath, [`./${buildDir()}/serve.js`], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      ROLE: role,
      REDIS_URL,
      DATABASE_URL: stack.databaseUrl,
      SHOPIFY_API_KEY: stack.apiKey,
      SHOPIFY_API_SECRET: stack.apiSecret,
      SHOPIFY_APP_URL: stack.appUrl,
      SCOPES,
      SHOPIFY_ADMIN_API_ORIGIN: stack.storeUrl,
      APP_BRIDGE_URL: `${stack.storeUrl}/app-bridge.js`,
    },
  });
}

async function waitHealthy(url: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetchRetry(`${url}/healthz`)).status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ------------------------------------------------------------------------------------------------ traffic

interface PhaseStats {
  requests: number;
  seconds: number;
  errors: number;
  errorTimes: number[];
  responsesBefore: (t: number) => number;
  eventsAccepted: number;
  transportErrors: number;
}

async function traffic(stack: BenchStack, url: string, seconds: number, pool: readonly IssuedVisitor[], onHalfway?: () => void): Promise<PhaseStats> {
  const t: Target = stack;
  const ids = stack.customerIds;
  const now = () => Math.floor(Date.now() / 1000);
  const customer = () => ids[Math.floor(Math.random() * ids.length)];
  let seq = 0;
  let eventsAccepted = 0;
  const errorTimes: number[] = [];
  const responseTimes: number[] = [];
  const started = Date.now();
  const endEventsAt = started + (seconds - 3) * 1000;
  const build = (kind: Kind, _ctx: Record<string, unknown>): LoadRequest => {
    const visitor = pool[seq++ % pool.length]!;
    const post = (p: string, headers: Record<string, string>, body: string): LoadRequest => ({ method: "POST", path: p, headers: { ...headers, "content-type": "text/plain;charset=UTF-8" }, body });
    switch (kind) {
      case "proxyProfile": return { method: "GET", path: proxyPath(t, "profile", customer()), headers: browserHeaders() };
      case "proxyProfileLoggedOut": return { method: "GET", path: proxyPath(t, "profile", ""), headers: browserHeaders() };
      case "proxyEvents": return post(proxyPath(t, "events", Math.random() < 0.3 ? customer() : ""), browserHeaders(), eventBatch(visitor, 5 + Math.floor(Math.random() * 16)));
      case "checkoutProfile": return { method: "GET", path: "/api/checkout/profile", headers: checkoutHeaders(t, customer()) };
      case "checkoutEvents": return post("/api/checkout/events", checkoutHeaders(t, customer()), eventBatch(visitor, 2 + Math.floor(Math.random() * 4)));
      case "forgedProxy": return { method: "GET", path: proxyPath({ ...t, apiSecret: "attacker-secret" }, "profile", customer()), headers: browserHeaders() };
      case "staleProxy": return post(proxyPath(t, "events", "", now() - 600), browserHeaders(), eventBatch(visitor, 3));
      case "forgedToken": return { method: "GET", path: "/api/checkout/profile", headers: checkoutHeaders(t, customer(), undefined, "attacker-secret") };
      case "wrongAudience": return { method: "GET", path: "/api/checkout/profile", headers: checkoutHeaders(t, customer(), { aud: "someone-elses-app" }) };
      case "expiredToken": return post("/api/checkout/events", checkoutHeaders(t, customer(), { exp: now() - 120, nbf: now() - 300, iat: now() - 300 }), eventBatch(visitor, 2));
      case "malformedBatch": return post(proxyPath(t, "events", ""), browserHeaders(), `{"visitorId":"${visitor.id}","events":[{`);
      case "invalidBatch": return post(proxyPath(t, "events", ""), browserHeaders(), JSON.stringify({ visitorId: visitor.id, events: [{ type: "shown", occurredAt: Date.now() }] }));
      case "madeUpVisitor": return post(proxyPath(t, "events", ""), browserHeaders(), eventBatch(madeUpVisitor(), 5));
      case "forgedArm": return post(proxyPath(t, "events", ""), browserHeaders(), eventBatch(forgedArms(visitor), 5));
    }
  };
  const mixed: LoadRequest = {
    setupRequest: (req, ctx) => {
      const kind = pick(Date.now() < endEventsAt);
      ctx.kind = kind;
      return { ...req, ...build(kind, ctx) };
    },
    onResponse: (status, body, ctx) => {
      responseTimes.push(Date.now());
      if (status !== EXPECTED.get(ctx.kind as Kind)) {
        errorTimes.push(Date.now());
        return;
      }
      eventsAccepted += storedFrom(status, body);
    },
  };
  const halfway = onHalfway ? setTimeout(onHalfway, (seconds * 1000) / 2) : null;
  const r = await runLoad({
    url,
    duration: seconds,
    maxRequests: 2_000_000,
    connections: CONNECTIONS,
    requests: [mixed],
    onTransportError: () => errorTimes.push(Date.now()),
  });
  if (halfway) clearTimeout(halfway);
  return {
    requests: r.requests,
    seconds: r.seconds,
    errors: errorTimes.length,
    errorTimes,
    responsesBefore: (t) => responseTimes.filter((x) => x < t).length,
    eventsAccepted,
    transportErrors: r.transportErrors,
  };
}

// ------------------------------------------------------------------------------------------------ run

const schema = `bench_scale_${process.pid}_${randomBytes(3).toString("hex")}`;
const databaseUrl = `${PG_BASE}?schema=${schema}`;
const boss = bossConnection(databaseUrl).schema;
const children: ChildProcess[] = [];
const balancers: Balancer[] = [];
let stack: BenchStack | null = null;
const db = new pg.Client({ connectionString: PG_BASE });
await db.connect();

try {
  log(`scale: 3 web + 1 worker on PostgreSQL (schema ${schema}) and Redis; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores (load generator, dev store, 4 app processes, PostgreSQL and Redis share them)`);
  const [lbPort, oneLbPort, web1, web2, web3] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const balancer = await startBalancer(lbPort, [web1, web2, web3]);
  // The one-instance phase goes through the same balancer code, so the ratio compares instances, not the hop.
  const oneBalancer = await startBalancer(oneLbPort, [web1]);
  balancers.push(balancer, oneBalancer);
  stack = await startBenchStack({ databaseUrl, appPort: lbPort, env: { PORT: String(web1), ROLE: "web", REDIS_URL }, log });
  const second = spawnInstance(stack, "web", web2);
  const third = spawnInstance(stack, "web", web3);
  const worker = spawnInstance(stack, "worker", 0);
  children.push(second, third, worker);
  await Promise.all([waitHealthy(`http://127.0.0.1:${web2}`), waitHealthy(`http://127.0.0.1:${web3}`)]);
  log("instances up");

  // Visitors as the embed gets them: a signed id and its server arms from the profile endpoint (not measured).
  const pool = await issueVisitors(stack, VISITORS);
  log(`issued ${pool.length} visitors through the profile endpoint`);
  const cursorSamples: { t: number; id: number }[] = [];
  const sampler = setInterval(() => {
    void db
      .query(`SELECT "lastEventId" FROM "${schema}"."RollupCursor" WHERE "shop" = $1`, [stack!.shop])
      .then((r) => r.rows[0] && cursorSamples.push({ t: Date.now(), id: Number(r.rows[0].lastEventId) }))
      .catch(() => undefined);
  }, 500);

  const one = await traffic(stack, `http://127.0.0.1:${oneLbPort}`, ONE_SECONDS, pool);
  const rpsOneInstance = Math.round(one.requests / one.seconds);
  log(`one instance: ${one.requests} requests in ${one.seconds}s (${rpsOneInstance} req/s), errors ${one.errors}`);

  let killAt = 0;
  const started = Date.now();
  const three = await traffic(stack, `http://127.0.0.1:${lbPort}`, SECONDS, pool, () => {
    killAt = Date.now();
    second.kill(KILL_SIGNAL);
    log(`killed web instance pid ${second.pid} (${KILL_SIGNAL}) at ${((killAt - started) / 1000).toFixed(1)} s`);
  });
  const rpsThreeInstances = Math.round(three.responsesBefore(killAt) / ((killAt - started) / 1000));
  const errorTimes = [...three.errorTimes, ...balancer.lostAt];
  const errors = errorTimes.length;
  const errorsBeforeKill = errorTimes.filter((t) => t < killAt).length;
  const errorsAfterKill = errorTimes.filter((t) => t >= killAt && t < killAt + 5_000).length;
  const errorsLater = errorTimes.filter((t) => t >= killAt + 5_000).length;
  log(`three instances: ${three.requests} answered in ${three.seconds}s; ${rpsThreeInstances} req/s before the kill; errors ${errors} (lost in flight ${balancer.lostAt.length}; before kill ${errorsBeforeKill}, within 5 s after ${errorsAfterKill}, later ${errorsLater})`);

  const eventsAccepted = one.eventsAccepted + three.eventsAccepted;
  const eventsStored = Number(
    (await db.query(`SELECT COUNT(*) AS c FROM "${schema}"."Event" WHERE "shop" = $1 AND "visitorId" = ANY($2)`, [stack.shop, pool.map((v) => v.id)])).rows[0].c,
  );
  log(`events accepted ${eventsAccepted}, stored ${eventsStored}`);

  // The worker's rollup (pg-boss cron, one-minute resolution) folds everything stored.
  const maxId = Number((await db.query(`SELECT MAX("id") AS m FROM "${schema}"."Event" WHERE "shop" = $1`, [stack.shop])).rows[0].m ?? 0);
  const waitEnd = Date.now() + ROLLUP_WAIT_MS;
  while ((cursorSamples.at(-1)?.id ?? 0) < maxId && Date.now() < waitEnd) await new Promise((r) => setTimeout(r, 500));
  clearInterval(sampler);
  const caughtUp = (cursorSamples.at(-1)?.id ?? 0) >= maxId;
  // createdAt is a UTC TIMESTAMP without zone: read it as epoch ms, not through the client's local time zone.
  const events = (await db.query(`SELECT "id", EXTRACT(EPOCH FROM "createdAt") * 1000 AS ms FROM "${schema}"."Event" WHERE "shop" = $1 ORDER BY "id"`, [stack.shop])).rows as { id: number; ms: string }[];
  const lags: number[] = [];
  let s = 0;
  for (const e of events) {
    while (s < cursorSamples.length && cursorSamples[s]!.id < Number(e.id)) s++;
    lags.push((s < cursorSamples.length ? cursorSamples[s]!.t : Date.now()) - Number(e.ms));
  }
  lags.sort((a, b) => a - b);
  const rollupLagP99Ms = Math.round(percentile(lags, 99));
  log(`rollup ${caughtUp ? "caught up" : "did NOT catch up"}; lag p50 ${Math.round(percentile(lags, 50))} ms, p99 ${rollupLagP99Ms} ms`);

  const cronDupes = Number(
    (await db.query(
      `SELECT COALESCE(SUM(n - 1), 0) AS d FROM (SELECT name, date_trunc('minute', created_on) AS m, COUNT(*) AS n FROM "${boss}".job
        WHERE name IN ('rollup', 'webhooks', 'upkeep', 'page-stats', 'learn', 'segments', 'retention') GROUP BY 1, 2) x`,
    )).rows[0].d,
  );
  const overlapDupes = Number(
    (await db.query(
      `SELECT COUNT(*) AS d FROM "${boss}".job a JOIN "${boss}".job b ON a.name = b.name AND a.singleton_key = b.singleton_key AND a.id < b.id
        WHERE a.name LIKE '%-shop' AND a.started_on IS NOT NULL AND b.started_on IS NOT NULL
          AND a.started_on < COALESCE(b.completed_on, now()) AND b.started_on < COALESCE(a.completed_on, now())`,
    )).rows[0].d,
  );
  const jobRuns = (await db.query(`SELECT name, state, COUNT(*)::int AS n FROM "${boss}".job WHERE name NOT LIKE '\\_\\_%' GROUP BY 1, 2 ORDER BY 1, 2`)).rows;
  log(`job runs: ${jobRuns.map((r) => `${r.name}/${r.state} ${r.n}`).join(", ")}`);
  const jobRunsDuplicated = cronDupes + overlapDupes;

  // A request lost in flight on the killed instance may have stored its events without acknowledging them:
  // nothing accepted may be missing, and nothing may be stored beyond what those unanswered requests carried.
  const eventsUnacknowledged = balancer.lostEvents.reduce((a, b) => a + b, 0);
  const ok = eventsStored >= eventsAccepted && eventsStored <= eventsAccepted + eventsUnacknowledged && jobRunsDuplicated === 0 && errorsBeforeKill === 0 && errorsLater === 0 && caughtUp;
  process.exitCode = ok ? 0 : 1;
  console.log(
    JSON.stringify({
      instances: 3,
      requests: three.requests,
      errors,
      errorsAfterKill,
      eventsAccepted,
      eventsStored,
      eventsUnacknowledged,
      jobRunsDuplicated,
      rollupLagP99Ms,
      rpsOneInstance,
      rpsThreeInstances,
      ratioThreeToOne: Math.round((rpsThreeInstances / rpsOneInstance) * 100) / 100,
      errorsBeforeKill,
      errorsLaterThan5sAfterKill: errorsLater,
      transportErrors: three.transportErrors,
      lostInFlight: balancer.lostAt.length,
      killSignal: KILL_SIGNAL,
      rollupCaughtUp: caughtUp,
      cores: cpus().length,
    }),
  );
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1_000));
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await stack?.close();
  for (const b of balancers) b.server.close();
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.query(`DROP SCHEMA IF EXISTS "${boss}" CASCADE`);
  await db.end();
}
