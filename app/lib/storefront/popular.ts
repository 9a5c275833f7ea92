/**
 * Popular Alternatives: Shopify's related products, ranked by the shop's own recent sales (what the app counts per
 * product page: visits that added the product and then ordered), and how many recommendations an intervention asks
 * for. Pure; used by the embed, the lazy UI module and the app proxy.
 */

import type { Intervention } from "../decisions/types";
import type { PublishedPlaysConfig } from "../plays/types";

/** How many related products to ask Shopify for before ranking (the recommendations endpoint's largest `limit`). */
export const POPULAR_POOL = 10;

/** A storefront product handle: what the popularity endpoint accepts (lowercase letters, digits, hyphens; any script). */
export const HANDLE = /^[\p{Ll}\p{Lo}\p{N}-]{1,255}$/u;

/**
 * `items` ordered by `sales` of their handle (most sold first); ties and products without sales keep Shopify's
 * relevance order. Never drops or adds an item.
 */
export function rankBySales<T extends { handle?: string }>(items: readonly T[], sales: Readonly<Record<string, number>>): T[] {
  const score = (x: T) => (x.handle && Number.isFinite(sales[x.handle]) ? sales[x.handle] : 0);
  return items.map((x, i) => [x, i] as const).sort((a, b) => score(b[0]) - score(a[0]) || a[1] - b[1]).map((p) => p[0]);
}

/**
 * Recommendations an intervention fetches: the bundle asks for two (a second stands in for a sold-out first);
 * alternatives follow the merchant's count, where 0 means none (the reassurance shows alone).
 */
export function recsWanted(iv: Pick<Intervention, "kind">, cfg: PublishedPlaysConfig): number {
  if (iv.kind === "bundle") return 2;
  return iv.kind === "alternatives" ? (cfg.plays.indecision?.alternativesCount ?? 0) : 0;
}
