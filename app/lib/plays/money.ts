/**
 * Money across currencies. The merchant's amounts (free-shipping threshold, AOVs, caps) are in the shop's currency;
 * a shopper in another market sees and pays in a presentment currency. Every comparison happens in the shop's
 * currency, and every amount a shopper reads is in theirs, converted with the rate Shopify gives the storefront
 * (`window.Shopify.currency`: `active` presentment currency, `rate` presentment units per shop unit). Without a rate
 * nothing is converted: callers show no amount and make no comparison. Pure.
 */

/** The storefront's presentment currency and Shopify's rate from the shop's currency to it. */
export interface Fx {
  currency: string;
  rate: number;
}

/** Reads `window.Shopify.currency` ({ active: "EUR", rate: "0.92" }); null when missing or not a usable rate. */
export function fxOf(c: { active?: unknown; rate?: unknown } | null | undefined): Fx | null {
  // Quoted: Shopify's field names must survive the embed bundle's property mangling.
  const active = c?.["active"];
  const rate = Number(c?.["rate"]);
  return typeof active === "string" && /^[A-Z]{3}$/.test(active) && Number.isFinite(rate) && rate > 0 ? { currency: active, rate } : null;
}

/** `amount` (in `currency`) in the shop's currency; null when it is another currency and no rate for it is known. */
export function toShopCurrency(amount: number, currency: string | null | undefined, shopCurrency: string, fx: Fx | null | undefined): number | null {
  if (!currency || currency === shopCurrency) return amount;
  return fx && fx.currency === currency ? amount / fx.rate : null;
}

/** A shop-currency `amount` in the presentment `currency`; null when it cannot be converted. */
export function toPresentment(amount: number, shopCurrency: string, currency: string | null | undefined, fx: Fx | null | undefined): number | null {
  if (!currency || currency === shopCurrency) return amount;
  return fx && fx.currency === currency ? amount * fx.rate : null;
}
