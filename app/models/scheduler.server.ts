// Background upkeep inside the app process: roll raw events up into the per-play aggregates the analytics read,
// prune data past each shop's retention, recompute RFM quintiles daily, refresh page aggregates hourly, adapt each shop's propensity layer daily, pick up history syncs whose webhook never came, and retry failed
// config publishes. Every job is idempotent and safe to run on several instances at once (rollup takes a
// per-shop lock), so a restart or a second instance never double counts.
import prisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import { refreshPageStats } from "./pageStats.server";
import { adaptShopFromEvents } from "./propensity.server";
import { publishConfig, retryPublishIfDue } from "./publish.server";
import { pruneExpiredData } from "./retention.server";
import { recomputeSegments } from "./profiles.server";
import { rollupEvents } from "./rollup.server";
import { pollStaleSyncs } from "./sync.server";

const ROLLUP_MS = Number(process.env.ROLLUP_INTERVAL_MS ?? 30_000);
const UPKEEP_MS = Number(process.env.UPKEEP_INTERVAL_MS ?? 5 * 60_000);
const PRUNE_MS = 6 * 60 * 60_000;
const SEGMENTS_MS = 24 * 60 * 60_000;
const PAGE_STATS_MS = 60 * 60_000;
const ADAPT_MS = 24 * 60 * 60_000;

let started = false;
let lastPrune = 0;
let lastSegments = Date.now();
let lastPageStats = 0;
let lastAdapt = 0;

async function guarded(name: string, job: () => Promise<unknown>) {
  try {
    await job();
  } catch (err) {
    console.error(`scheduler: ${name} failed: ${err instanceof Error ? err.message : "error"}`);
  }
}

/** Shops that have the app installed now. */
async function activeShops(): Promise<string[]> {
  return (await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { shop: true } })).map((s) => s.shop);
}

export async function upkeep(now = new Date()) {
  const pageStatsDue = now.getTime() - lastPageStats > PAGE_STATS_MS;
  if (pageStatsDue) lastPageStats = now.getTime();
  for (const shop of await activeShops()) {
    await guarded(`upkeep ${shop}`, async () => {
      const { admin } = await unauthenticated.admin(shop);
      await pollStaleSyncs(shop, admin);
      await retryPublishIfDue(shop, admin, now);
      // Fresh page aggregates reach the storefront's propensity scorer through the published config
      // (publishConfig only bumps the version when the content changed).
      if (pageStatsDue) {
        await refreshPageStats(shop, { now });
        await publishConfig(shop, admin);
      }
    });
  }
  // Per-shop learning, daily (and once after a start): the shop's settled sessions with outcomes re-fit its last
  // layer; the guard decides, and an accepted layer reaches the storefront's scorer through the published config.
  if (now.getTime() - lastAdapt > ADAPT_MS) {
    lastAdapt = now.getTime();
    for (const shop of await activeShops()) {
      await guarded(`propensity ${shop}`, async () => {
        const run = await adaptShopFromEvents(shop, { now });
        if (run.chosen === "candidate") {
          const { admin } = await unauthenticated.admin(shop);
          await publishConfig(shop, admin);
        }
      });
    }
  }
  // Quintiles drift as time passes (recency) even without new orders: recompute them daily.
  if (now.getTime() - lastSegments > SEGMENTS_MS) {
    lastSegments = now.getTime();
    for (const shop of await activeShops()) await guarded(`segments ${shop}`, () => recomputeSegments(shop));
  }
  if (now.getTime() - lastPrune > PRUNE_MS) {
    lastPrune = now.getTime();
    await guarded("retention", () => pruneExpiredData(now));
  }
}

/** Starts the timers once per process (not under tests, nor when DISABLE_SCHEDULER=1). */
export function startScheduler() {
  if (started || process.env.DISABLE_SCHEDULER === "1" || process.env.VITEST) return;
  started = true;
  setInterval(() => void guarded("rollup", () => rollupEvents()), ROLLUP_MS).unref();
  setInterval(() => void upkeep(), UPKEEP_MS).unref();
}
