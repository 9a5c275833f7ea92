/**
 * Every play's eligibility rule, in one place: the storefront engine (engine.ts) and the checkout extension
 * (extensions/recovery-plays-checkout/src/core/eligibility.ts) both import these, so the two surfaces cannot
 * drift apart. Pure: no DOM, no host API.
 */
import type { CustomerContext, PlayKey, RfmGroup } from "../plays/types";

/**
 * One intervention at a time, in this order: convenience for known VIPs first (they are the most valuable
 * and the least likely to need persuasion), then trust for anxious first-timers, then reassurance for the
 * undecided; the margin-costing deal-seeker offer comes last so no discount is shown where trust or
 * convenience is the barrier. Checkout uses the same order restricted to its plays.
 */
export const PRIORITY: readonly PlayKey[] = ["vip", "confidence", "indecision", "deal_seeker"];

/** What is known about a buyer's purchases; every field is optional evidence, strongest first. */
export interface PurchaseFacts {
  /** Profile from the app (metafield/backend); null when unknown. */
  profile: CustomerContext | null;
  /** Checkout's own `buyerIdentity.customer.ordersCount`, when shared. */
  checkoutOrdersCount?: number;
  /** When this device last completed a purchase (epoch ms), when the storefront tracked one. */
  devicePurchasedAt?: number | null;
}

/**
 * "No completed purchase (optionally none since the merchant's date)". The profile decides when known; a profile
 * with orders but no known last-order date cannot prove a purchase after the date, so it counts as none since.
 * Without a profile: checkout's order count, else this device's history; an unknown buyer counts as first-time
 * (the confidence copy is generic trust information, safe to show anyone).
 */
export function hasNoPurchase(facts: PurchaseFacts, since: string | null): boolean {
  const sinceMs = since ? Date.parse(since) : NaN;
  const { profile } = facts;
  if (profile) {
    if (profile.ordersCount <= 0) return true;
    if (!Number.isFinite(sinceMs)) return false;
    return profile.lastOrderAt == null || !(Date.parse(profile.lastOrderAt) >= sinceMs);
  }
  if (typeof facts.checkoutOrdersCount === "number") return facts.checkoutOrdersCount <= 0;
  if (facts.devicePurchasedAt == null) return true;
  return Number.isFinite(sinceMs) && facts.devicePurchasedAt < sinceMs;
}

/** The VIP play's segment: a known customer in one of the merchant's RFM groups. */
export function isVipSegment(segments: readonly RfmGroup[], profile: CustomerContext | null): boolean {
  return profile !== null && segments.includes(profile.segment);
}

/**
 * Big-ticket cart: subtotal ≥ multiple × the buyer's AOV (the shop's AOV when the buyer's is unknown). AOVs are
 * stored in the shop currency, so a cart in another currency is never compared (no cross-currency claim).
 */
export function isBigTicket(
  multiple: number,
  shop: { aov: number; currency: string },
  profile: CustomerContext | null,
  cart: { subtotal: number; currency: string | null },
): boolean {
  if (!shop.currency || cart.currency !== shop.currency) return false;
  const aov = profile && profile.aov > 0 ? profile.aov : shop.aov;
  if (!(aov > 0) || !(multiple > 0)) return false;
  return cart.subtotal >= multiple * aov;
}
