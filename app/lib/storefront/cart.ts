/** Ajax Cart API helpers for the embed (pure): which requests mutate the cart, and what changed. */

/** Product id → quantity in the cart. */
export type CartSnapshot = Record<string, number>;

export interface AjaxCartLike {
  items: { product_id: number | string; quantity: number }[];
  total_price: number;
  /** The cart's presentment currency (ISO code); money in the cart is in it. */
  currency?: string;
  attributes?: Record<string, unknown> | null;
}

/** /cart/add, /cart/change, /cart/update, /cart/clear (optionally .js, locale-prefixed, absolute) — not /cart.js. */
const MUTATION = /\/cart\/(add|change|update|clear)(\.js)?(\?|$)/;
export function isCartMutation(url: string): boolean {
  return MUTATION.test(url.split("#")[0]);
}

export function isAjaxCart(x: unknown): x is AjaxCartLike {
  return typeof x === "object" && x !== null && Array.isArray((x as AjaxCartLike).items) &&
    typeof (x as AjaxCartLike).total_price === "number";
}

export function snapshotOf(items: AjaxCartLike["items"]): CartSnapshot {
  const s: CartSnapshot = {};
  for (const it of items) s[String(it.product_id)] = (s[String(it.product_id)] ?? 0) + it.quantity;
  return s;
}

/** Per-product quantity increases (adds) and decreases (removes) between two snapshots. */
export function diffCart(prev: CartSnapshot, next: CartSnapshot): { adds: [string, number][]; removes: [string, number][] } {
  const adds: [string, number][] = [];
  const removes: [string, number][] = [];
  for (const id in next) {
    const d = next[id] - (prev[id] ?? 0);
    if (d > 0) adds.push([id, d]);
    else if (d < 0) removes.push([id, -d]);
  }
  for (const id in prev) if (!(id in next) && prev[id] > 0) removes.push([id, prev[id]]);
  return { adds, removes };
}
