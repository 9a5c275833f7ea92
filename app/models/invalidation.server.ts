// Which in-process caches drop an entry when another instance invalidates it (app/models/shared.server.ts), and
// who must say so. Every write that changes what a cache below holds broadcasts its topic:
// - shop-state (edge.server: installed/active, known proxy path): app/uninstalled (webhookTopics.server).
// - all three: shop/redact (webhookTopics.server), so no instance keeps an erased shop's cached state or key.
// - shop-scales (profiles.server: RFM quintile thresholds order webhooks and profile lookups score with): a
//   history sync (sync.server processHistory) and the segments recompute job (jobs/catalog.server).
// - shop-config (visitors.server: holdout shares the profile endpoints derive arms with and the event check
//   compares arms against): a play save (plays.server savePlay).
import { forgetShopState } from "./edge.server";
import { forgetShopScales } from "./profiles.server";
import { invalidationBus, type InvalidationBus } from "./shared.server";
import { forgetVisitorKeys } from "./visitors.server";

/** Wires a bus's topics to this process's caches. */
export function subscribeCaches(bus: InvalidationBus): void {
  bus.on("shop-state", (shop) => forgetShopState(shop));
  bus.on("shop-scales", (shop) => forgetShopScales(shop));
  // Drops the shop's signing key too: re-reading it is one query, and a redacted shop's key goes with it.
  bus.on("shop-config", (shop) => forgetVisitorKeys(shop));
}

let started = false;

/** Subscribes this process's caches to the other instances' invalidations (once per process). */
export function startCacheInvalidation(): void {
  if (started) return;
  started = true;
  subscribeCaches(invalidationBus());
}
