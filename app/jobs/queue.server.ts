// Background jobs for one process or many. On PostgreSQL the queue is pg-boss: its cron entries are evaluated by
// one instance at a time and de-duplicated per minute slot, so a schedule runs once per cluster however many
// workers start it; per-shop queues use the "stately" policy (at most one queued and one running job per shop), and
// a job whose worker dies stays "active" only until its expiry, after which pg-boss retries it with backoff.
// On SQLite (the embedded, single-process default) the same catalog runs in-process with timers: one process
// is the only writer anyway, so several instances need PostgreSQL (README, "Running more than one instance").
import PgBoss from "pg-boss";
import { z } from "zod";
import { databaseConfig } from "../db/config";

export type Role = "web" | "worker" | "all";

const RoleSchema = z.enum(["web", "worker", "all"]);

/** `ROLE`: web serves HTTP only, worker runs jobs only, all (the single-machine default) does both. */
export function parseRole(value: string | undefined): Role {
  if (value === undefined || value === "") return "all";
  const parsed = RoleSchema.safeParse(value);
  if (!parsed.success) throw new Error(`ROLE must be web, worker or all (got "${value}")`);
  return parsed.data;
}

export const runsJobs = (role: Role) => role !== "web";
export const servesHttp = (role: Role) => role !== "worker";

export interface JobContext {
  /** Queues a per-shop job; a job already queued for that shop makes this a no-op. */
  enqueue(job: string, shop: string): Promise<void>;
}

export interface CronJob {
  name: string;
  /** Five-field cron in UTC (pg-boss: one-minute resolution). */
  cron: string;
  /** The in-process runner's period (it has no cron parser of its own). */
  everyMs: number;
  run(ctx: JobContext): Promise<void>;
}

export interface ShopJob {
  name: string;
  run(shop: string): Promise<void>;
  /** A running job older than this is presumed dead (its worker crashed) and is retried. */
  expireInSeconds: number;
  retryLimit?: number;
  /** First retry delay; doubles with jitter on each further attempt. */
  retryDelaySeconds?: number;
}

export interface Catalog {
  cron: CronJob[];
  perShop: ShopJob[];
}

export interface JobQueue {
  readonly kind: "pg-boss" | "in-process";
  start(): Promise<void>;
  enqueue(job: string, shop: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PgQueueOptions {
  /** The app's DATABASE_URL (`?schema=` is honoured: the queue lives in `<schema>_pgboss`, or `pgboss`). */
  databaseUrl: string;
  catalog: Catalog;
  /** Run workers and evaluate cron (worker/all); false = only send jobs. */
  work: boolean;
  /** Connections pg-boss may open (docs/architecture.md, connection budget). */
  poolMax?: number;
  /** Concurrent jobs per per-shop queue in this process. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  cronMonitorIntervalSeconds?: number;
  cronWorkerIntervalSeconds?: number;
  maintenanceIntervalSeconds?: number;
  onError?: (err: Error) => void;
}

export function bossConnection(databaseUrl: string): { connectionString: string; schema: string } {
  const { pgUrl, schema } = databaseConfig(databaseUrl);
  if (!pgUrl) throw new Error("pg-boss needs a PostgreSQL DATABASE_URL");
  return { connectionString: pgUrl, schema: schema !== "public" ? `${schema}_pgboss` : "pgboss" };
}

export function createPgQueue(opts: PgQueueOptions): JobQueue & { boss: PgBoss } {
  const { connectionString, schema } = bossConnection(opts.databaseUrl);
  const boss = new PgBoss({
    connectionString,
    schema,
    max: opts.poolMax ?? 3,
    application_name: `recovery-plays-jobs`,
    supervise: opts.work,
    schedule: opts.work,
    // Evaluated every 10 s (one instance at a time): a minute's cron runs within ~12 s of its slot.
    cronMonitorIntervalSeconds: opts.cronMonitorIntervalSeconds ?? 10,
    cronWorkerIntervalSeconds: opts.cronWorkerIntervalSeconds ?? 2,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
  });
  boss.on("error", opts.onError ?? ((err) => console.error(`jobs: ${err.message}`)));
  const shopJobs = new Map(opts.catalog.perShop.map((j) => [j.name, j]));
  const enqueue = async (job: string, shop: string) => {
    if (!shopJobs.has(job)) throw new Error(`unknown job ${job}`);
    await boss.send(job, { shop }, { singletonKey: shop });
  };
  const ctx: JobContext = { enqueue };
  const polling = opts.pollingIntervalSeconds ?? 2;
  return {
    kind: "pg-boss",
    boss,
    enqueue,
    async start() {
      await boss.start();
      // Instances that start together create the same queues at once; pg-boss's queue creation (a partition per
      // queue) can then deadlock in PostgreSQL. The loser retries and finds the queue made.
      const createQueue = async (name: string, options: Parameters<typeof boss.createQueue>[1]) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await boss.createQueue(name, options);
          } catch (err) {
            if ((err as { code?: string }).code !== "40P01" || attempt >= 5) throw err;
            await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
          }
        }
      };
      for (const j of opts.catalog.perShop) {
        await createQueue(j.name, {
          name: j.name,
          policy: "stately",
          retryLimit: j.retryLimit ?? 5,
          retryDelay: j.retryDelaySeconds ?? 15,
          retryBackoff: true,
          expireInSeconds: j.expireInSeconds,
        });
      }
      for (const c of opts.catalog.cron) {
        await createQueue(c.name, { name: c.name, policy: "standard", retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 15 * 60 });
      }
      if (!opts.work) return;
      for (const c of opts.catalog.cron) {
        await boss.schedule(c.name, c.cron, {}, { tz: "UTC" });
        await boss.work(c.name, { batchSize: 1, pollingIntervalSeconds: polling }, async () => {
          await c.run(ctx);
        });
      }
      for (const j of opts.catalog.perShop) {
        for (let i = 0; i < Math.max(1, opts.concurrency ?? 1); i++) {
          await boss.work<{ shop: string }>(j.name, { batchSize: 1, pollingIntervalSeconds: polling }, async ([job]) => {
            if (job) await j.run(job.data.shop);
          });
        }
      }
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 20_000 });
    },
  };
}

/**
 * The embedded runner: timers for the cron entries, one promise chain per (job, shop) so a shop's jobs never
 * overlap, a job already waiting absorbs further requests, failures retried with exponential backoff.
 */
export function createInProcessQueue(catalog: Catalog, onError = (m: string) => console.error(m)): JobQueue {
  const shopJobs = new Map(catalog.perShop.map((j) => [j.name, j]));
  const running = new Map<string, Promise<void>>();
  const waiting = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const attempt = async (job: ShopJob, shop: string, n: number): Promise<void> => {
    try {
      await job.run(shop);
    } catch (err) {
      const message = err instanceof Error ? err.message : "error";
      const limit = job.retryLimit ?? 5;
      if (n >= limit || stopped) return onError(`jobs: ${job.name} ${shop} failed: ${message}`);
      onError(`jobs: ${job.name} ${shop} failed (attempt ${n + 1}), retrying: ${message}`);
      const delay = (job.retryDelaySeconds ?? 15) * 1000 * 2 ** n * (1 + Math.random());
      const t = setTimeout(() => void enqueue(job.name, shop, n + 1), delay);
      t.unref();
      timers.push(t);
    }
  };

  const enqueue = async (name: string, shop: string, n = 0): Promise<void> => {
    const job = shopJobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    if (stopped) return;
    const key = `${name}\u0000${shop}`;
    if (waiting.has(key)) return;
    waiting.add(key);
    const previous = running.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      waiting.delete(key);
      await attempt(job, shop, n);
    });
    running.set(key, next);
    void next.finally(() => {
      if (running.get(key) === next) running.delete(key);
    });
  };
  const ctx: JobContext = { enqueue: (job, shop) => enqueue(job, shop) };

  return {
    kind: "in-process",
    enqueue: (job, shop) => enqueue(job, shop),
    async start() {
      for (const c of catalog.cron) {
        let busy = false;
        const t = setInterval(() => {
          if (busy || stopped) return;
          busy = true;
          c.run(ctx)
            .catch((err) => onError(`jobs: ${c.name} failed: ${err instanceof Error ? err.message : "error"}`))
            .finally(() => (busy = false));
        }, c.everyMs);
        t.unref();
        timers.push(t);
      }
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...running.values()]);
    },
  };
}
