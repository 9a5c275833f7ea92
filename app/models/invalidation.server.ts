// Which in-process caches drop an entry when another instance invalidates it (app/models/shared.server.ts).
import { forgetShopState } from "./edge.server";
import { forgetShopScales } from "./profiles.server";
import { invalidationBus } from "./shared.server";

let started = false;

/** Subscribes this process's caches to the other instances' invalidations (once per process). */
export function startCacheInvalidation(): void {
  if (started) return;
  started = true;
  const bus = invalidationBus();
  bus.on("shop-state", (shop) => forgetShopState(shop));
  bus.on("shop-scales", (shop) => forgetShopScales(shop));
}
