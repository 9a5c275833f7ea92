// The app's background jobs. Cron entries only fan out: each one queues a per-shop job for every shop that needs
// it, and the per-shop queues guarantee one run per shop at a time with retries. Every job is idempotent (the
// rollup moves a compare-and-set cursor, publish is serialised per shop), so a retry after a crash never double
// counts.
import prisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import { refreshPageStats } from "../models/pageStats.server";
import { refillBundleCodes } from "../models/bundleCodes.server";
import { adaptShopFromEvents } from "../models/propensity.server";
import { publishConfig, retryPublishIfDue } from "../models/publish.server";
import { pruneExpiredData } from "../models/retention.server";
import { recomputeSegments } from "../models/profiles.server";
import { rollupEvents, shopsWithEvents } from "../models/rollup.server";
import { foldLeaks } from "../models/leakFold.server";
import { fireHesitations, syncAbandonedCheckouts } from "../models/profileOut.server";
import { pollStaleSyncs } from "../models/sync.server";
import { shopsWithDueWebhooks } from "../models/webhooks.server";
import { processDueWebhooks } from "../models/webhookTopics.server";
import { invalidationBus } from "../models/shared.server";
import type { Catalog } from "./queue.server";

const ROLLUP_MS = Number(process.env.ROLLUP_INTERVAL_MS ?? 30_000);
const UPKEEP_MS = Number(process.env.UPKEEP_INTERVAL_MS ?? 5 * 60_000);
const HOUR = 60 * 60_000;
// "Shopper hesitated": how often to look, and how long without an order counts as having left.
const HESITATION_SCAN_MS = Number(process.env.HESITATION_SCAN_MS ?? 60_000);
const HESITATION_LEAVE_MS = Number(process.env.HESITATION_LEAVE_MS ?? 30 * 60_000);

/** Shops that have the app installed now. */
async function activeShops(): Promise<string[]> {
  return (await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { shop: true } })).map((s) => s.shop);
}

export const appCatalog: Catalog = {
  cron: [
    {
      name: "rollup",
      cron: process.env.ROLLUP_CRON ?? "* * * * *",
      everyMs: ROLLUP_MS,
      run: async (ctx) => {
        for (const shop of await shopsWithEvents()) await ctx.enqueue("rollup-shop", shop);
      },
    },
    {
      name: "hesitations",
      cron: "* * * * *",
      everyMs: HESITATION_SCAN_MS,
      run: async (ctx) => {
        for (const shop of await activeShops()) await ctx.enqueue("hesitations-shop", shop);
      },
    },
    {
      name: "webhooks",
      cron: "* * * * *",
      everyMs: 30_000,
      run: async (ctx) => {
        for (const shop of await shopsWithDueWebhooks()) await ctx.enqueue("webhooks-shop", shop);
      },
    },
    {
      name: "upkeep",
      cron: "*/5 * * * *",
      everyMs: UPKEEP_MS,
      run: async (ctx) => {
        for (const shop of await activeShops()) await ctx.enqueue("upkeep-shop", shop);
      },
    },
    {
      name: "page-stats",
      cron: "7 * * * *",
      everyMs: HOUR,
      run: async (ctx) => {
        for (const shop of await activeShops()) await ctx.enqueue("page-stats-shop", shop);
      },
    },
    {
      // Per-shop learning, daily: the shop's settled sessions with outcomes re-fit its last layer.
      name: "learn",
      cron: "30 3 * * *",
      everyMs: 24 * HOUR,
      run: async (ctx) => {
        for (const shop of await activeShops()) await ctx.enqueue("learn-shop", shop);
      },
    },
    {
      // Quintiles drift as time passes (recency) even without new orders: recomputed daily.
      name: "segments",
      cron: "45 3 * * *",
      everyMs: 24 * HOUR,
      run: async (ctx) => {
        for (const shop of await activeShops()) await ctx.enqueue("segments-shop", shop);
      },
    },
    {
      name: "retention",
      cron: "15 */6 * * *",
      everyMs: 6 * HOUR,
      run: async () => {
        await pruneExpiredData(new Date());
      },
    },
  ],
  perShop: [
    {
      // Known customers who hesitated and left without buying fire the Flow trigger once each (the customer's
      // last_hesitation metafield is the watermark); only the last day is looked at.
      name: "hesitations-shop",
      expireInSeconds: 5 * 60,
      run: async (shop) => {
        const { admin } = await unauthenticated.admin(shop);
        // Shopify's abandoned checkouts first: the profile written with a trigger then knows the checkout stall.
        await syncAbandonedCheckouts(shop, admin);
        await fireHesitations(shop, admin, { storefrontUrl: `https://${shop}`, leaveMs: HESITATION_LEAVE_MS, since: new Date(Date.now() - 24 * HOUR) });
      },
    },
    // Webhook deliveries whose attempt failed (after Shopify got its 200) or whose worker died, retried with backoff.
    { name: "webhooks-shop", expireInSeconds: 20 * 60, run: async (shop) => void (await processDueWebhooks(shop)) },
    {
      name: "rollup-shop",
      expireInSeconds: 15 * 60,
      retryDelaySeconds: 10,
      // The leak aggregates follow the rollup: they read only events its cursor has settled.
      run: async (shop) => {
        await rollupEvents(shop);
        await foldLeaks(shop);
      },
    },
    {
      name: "upkeep-shop",
      expireInSeconds: 10 * 60,
      run: async (shop) => {
        const { admin } = await unauthenticated.admin(shop);
        await pollStaleSyncs(shop, admin);
        await retryPublishIfDue(shop, admin, new Date());
        // Single-use bundle codes: pending bulk creations settled, the pool topped up (nothing while the play is off).
        await refillBundleCodes(shop, admin);
      },
    },
    {
      // Fresh page aggregates reach the storefront's scorer through the published config (publishConfig only
      // bumps the version when the content changed).
      name: "page-stats-shop",
      expireInSeconds: 15 * 60,
      run: async (shop) => {
        await refreshPageStats(shop, { now: new Date() });
        const { admin } = await unauthenticated.admin(shop);
        await publishConfig(shop, admin);
      },
    },
    {
      // The guard decides; an accepted layer reaches the storefront's scorer through the published config.
      name: "learn-shop",
      expireInSeconds: 30 * 60,
      retryLimit: 2,
      run: async (shop) => {
        const run = await adaptShopFromEvents(shop, { now: new Date() });
        if (run.chosen === "candidate") {
          const { admin } = await unauthenticated.admin(shop);
          await publishConfig(shop, admin);
        }
      },
    },
    {
      // The recompute replaced this process's scales; the other instances drop theirs.
      name: "segments-shop",
      expireInSeconds: 30 * 60,
      run: async (shop) => {
        await recomputeSegments(shop);
        await invalidationBus().broadcast("shop-scales", shop);
      },
    },
  ],
};
