// Background upkeep: which runner this process starts, by ROLE (app/jobs/queue.server.ts explains the runners,
// app/jobs/catalog.server.ts lists the jobs). ROLE=web runs none; worker and all (the default) run the catalog:
// through pg-boss on PostgreSQL, so N instances run each schedule once and each shop's job once at a time; with
// timers in-process on SQLite, the single-process default.
import { databaseKind } from "../db.server";
import { appCatalog } from "../jobs/catalog.server";
import { createInProcessQueue, createPgQueue, parseRole, runsJobs, type JobQueue } from "../jobs/queue.server";
import { startCacheInvalidation } from "./invalidation.server";

declare global {
  var __recoveryPlaysJobs: JobQueue | undefined;
}

/** Starts this process's job runner once (not under tests, nor when DISABLE_SCHEDULER=1). */
export function startScheduler(): JobQueue | null {
  if (globalThis.__recoveryPlaysJobs || process.env.DISABLE_SCHEDULER === "1" || process.env.VITEST) return null;
  const role = parseRole(process.env.ROLE);
  startCacheInvalidation();
  if (!runsJobs(role)) return null;
  const url = process.env.DATABASE_URL ?? "";
  const queue =
    databaseKind(url) === "postgres"
      ? createPgQueue({
          databaseUrl: url,
          catalog: appCatalog,
          work: true,
          poolMax: Number(process.env.JOBS_POOL_MAX ?? 3),
          concurrency: Number(process.env.JOBS_CONCURRENCY ?? 2),
        })
      : createInProcessQueue(appCatalog);
  globalThis.__recoveryPlaysJobs = queue;
  queue.start().catch((err) => console.error(`jobs: could not start (${err instanceof Error ? err.message : "error"})`));
  return queue;
}

