// A running app + dev store for load benches: installed the way Shopify does it (the admin frame's id_token →
// token exchange → afterAuth), customer profiles stored for the customers the bench logs in as, and a direct
// database handle for the after-run count checks.
import { readdirSync, readFileSync } from "node:fs";
import { startStack, type Stack } from "../../scripts/stack";
import { createPrismaClient, type Db } from "../../app/db.server";

export const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

export interface BenchStack extends Stack {
  db: Db;
  /** Numeric ids of customers that have a stored profile. */
  customerIds: string[];
  /** Events stored for the shop. */
  eventCount(): Promise<number>;
  /** CPU seconds (user + system) the app server process has used so far; null when /proc is unavailable. */
  serverCpuSeconds(): number | null;
  close(): Promise<void>;
}

/**
 * fetch with one retry on a dropped keep-alive socket (the server closes idle connections after 5 s and undici
 * may reuse one in that instant: "other side closed").
 */
export async function fetchRetry(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
    return fetch(url, init);
  }
}

/** The app server (serve.js) child that startStack spawned from this process. */
function findServerPid(): number | null {
  try {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, "utf8").includes("serve.js")) return Number(name);
      } catch {
        // the process went away while we looked
      }
    }
  } catch {
    // no /proc (not Linux)
  }
  return null;
}

/** utime + stime of a process in seconds (Linux clock ticks are 1/100 s). */
function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function legacy(id: string): string {
  return /(\d+)$/.exec(id)?.[1] ?? id;
}

/** Opens the dev store's admin, follows its iframe to the app (token exchange stores the offline session). */
async function install(stack: Stack): Promise<void> {
  const html = await (await fetchRetry(`${stack.storeUrl}/admin`, { headers: { "user-agent": BROWSER_UA } })).text();
  const raw = /<iframe[^>]*\ssrc="([^"]+)"/.exec(html)?.[1];
  if (!raw) throw new Error("dev store admin has no app iframe");
  const src = raw.replaceAll("&#38;", "&").replaceAll("&amp;", "&");
  const res = await fetchRetry(src, { headers: { "user-agent": BROWSER_UA }, redirect: "manual" });
  await res.arrayBuffer();
  if (res.status >= 500) throw new Error(`app install (token exchange) answered ${res.status}`);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

export async function startBenchStack(opts: {
  databaseUrl?: string;
  profiles?: number;
  log?: (m: string) => void;
  /** The app URL's port (e.g. a load balancer in front of several instances) and extra env for the app server. */
  appPort?: number;
  env?: Record<string, string>;
} = {}): Promise<BenchStack> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const stack = await startStack({ databaseUrl: opts.databaseUrl, quiet: true, size: "demo", appPort: opts.appPort, env: opts.env });
  const db = createPrismaClient(stack.databaseUrl);
  try {
    await install(stack);
    const installed = await waitFor(async () => {
      const [session, shop] = await Promise.all([
        db.session.count({ where: { shop: stack.shop, isOnline: false } }),
        db.shop.findUnique({ where: { shop: stack.shop } }),
      ]);
      return session > 0 && !!shop && shop.uninstalledAt === null;
    }, 15_000);
    if (!installed) throw new Error("shop did not get installed (no offline session / Shop row)");
    // The install starts the history sync in the background; let it settle so it does not compete with the load.
    const settled = await waitFor(
      async () => (await db.syncJob.count({ where: { shop: stack.shop, finishedAt: null, status: { notIn: ["failed", "completed", "succeeded", "cancelled"] } } })) === 0,
      20_000,
    );
    if (!settled) log("history sync still running; measuring anyway");
    // Profiles for the bench's logged-in customers: kept if the sync already stored them, created otherwise.
    const customers = (stack.devstore.state.customers as { id: string }[]).slice(0, opts.profiles ?? 200);
    const now = Date.now();
    const customerIds: string[] = [];
    for (const [i, c] of customers.entries()) {
      const customerId = legacy(c.id);
      customerIds.push(customerId);
      await db.customerProfile.upsert({
        where: { shop_customerId: { shop: stack.shop, customerId } },
        update: {},
        create: {
          shop: stack.shop,
          customerId,
          ordersCount: 1 + (i % 5),
          grossSpend: 80 * (1 + (i % 5)),
          netSpend: 80 * (1 + (i % 5)),
          aov: 80,
          firstOrderAt: new Date(now - (400 - i) * 86_400_000),
          lastOrderAt: new Date(now - (i % 300) * 86_400_000),
          segment: ["CHAMPIONS", "LOYAL", "ACTIVE", "AT_RISK", "NEW"][i % 5],
        },
      });
    }
    const serverPid = findServerPid();
    return {
      ...stack,
      db,
      customerIds,
      eventCount: () => db.event.count({ where: { shop: stack.shop } }),
      serverCpuSeconds: () => cpuSeconds(serverPid),
      async close() {
        await stack.stop();
        await db.$disconnect();
      },
    };
  } catch (err) {
    await stack.stop();
    await db.$disconnect();
    throw err;
  }
}
