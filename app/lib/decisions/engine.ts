/**
 * The decision engine: pure and allocation-light, run by the theme embed on every signal event.
 * Rules follow docs/storefront.md ("Rules") and the merchant's published settings.
 */
import type { CustomerContext, PlayKey, PropensityBands, PublishedPlaysConfig } from "../plays/types";
import { assignArm } from "../stats/assignment";
import type { SessionSignals, VisitorState } from "../signals/types";
import { cartStallSeconds, currentProductViews, policyViews, sessionMinutes, visitsLast7Days, DAY_MS } from "../signals/session";
import type { Decision, DecisionInput, Intervention, PropensityBand } from "./types";
import { hasNoPurchase, isBigTicket, isVipSegment, PRIORITY } from "./eligibility";
import { toShopCurrency } from "../plays/money";

export { PRIORITY } from "./eligibility";

/** PRODUCT.md "return visit count": ≥ 3 visits in 7 days without a purchase marks a price-sensitive visitor. */
export const RETURN_VISITS_AT_LEAST = 3;

const LOYALIST_STAGES: readonly string[] = ["loyalist", "lapsing_loyalist"];

/** low < bands.low ≤ medium < bands.high ≤ high. */
export function bandOf(p: number | null, bands: PropensityBands): PropensityBand | null {
  if (p == null || !Number.isFinite(p)) return null;
  return p < bands.low ? "low" : p < bands.high ? "medium" : "high";
}

/** "No completed purchase (since the merchant's date)": from the customer profile, else this device's history. */
function noPurchase(customer: CustomerContext | null, visitor: VisitorState, since: string | null): boolean {
  return hasNoPurchase({ profile: customer, devicePurchasedAt: visitor.purchasedAt }, since);
}

function surfaceOf(s: SessionSignals): "cart" | "product" | null {
  const k = s.page?.kind;
  return k === "cart" ? "cart" : k === "product" ? "product" : null;
}

/** The intervention this play would show now, or null when its segment/signal/surface rule does not hold. */
export function evaluatePlay(play: PlayKey, input: DecisionInput): Intervention | null {
  const { config, session: s, customer, now } = input;
  const surface = surfaceOf(s);
  const enabled = config.plays[play];
  // Only the merchant's chosen surfaces; the cart is the only surface of every play but deal_seeker (its bundle on
  // the product page, its free-shipping hint on the product page and the cart).
  if (!surface || !enabled || !enabled.surfaces.includes(surface) || (surface !== "cart" && play !== "deal_seeker")) return null;
  // The settings below are non-null: `enabled` is config.plays[play].
  switch (play) {
    case "confidence": {
      const st = config.plays.confidence!;
      if (!(policyViews(s) > st.policyViewsMoreThan)) return null;
      if (!noPurchase(customer, input.visitor, st.noPurchaseSince)) return null;
      const iv: Intervention = { play, kind: "returns_confidence", parts: ["returns_confidence"], message: st.message };
      if (st.checkoutPrompt) {
        const band = bandOf(input.propensity, config.bands);
        if (customer && LOYALIST_STAGES.includes(customer.stage)) iv.checkoutPrompt = "account";
        else if (band === "low") iv.checkoutPrompt = "guest";
        if (iv.checkoutPrompt) iv.parts.push("checkout_prompt");
      }
      return iv;
    }
    case "vip": {
      const st = config.plays.vip!;
      if (!isVipSegment(st.segments, customer)) return null;
      if (!(cartStallSeconds(s, now) > st.stallSeconds)) return null;
      // AOVs are in the shop's currency: the cart is compared in it too (Shopify's rate), or not at all. Sessions
      // stored before the cart currency was tracked carry none: their subtotal was the shop's.
      const subtotal = toShopCurrency(s.subtotal, s.cur, config.shop.currency, input.fx);
      const bnpl = subtotal != null && isBigTicket(st.aovMultiple, config.shop, customer, { subtotal, currency: config.shop.currency });
      const iv: Intervention = { play, kind: "payment_options", parts: ["payment_options"], message: st.message, bnpl };
      if (st.conciergeContact.trim()) iv.parts.push("concierge");
      return iv;
    }
    case "indecision": {
      const st = config.plays.indecision!;
      if (!(sessionMinutes(s, now) > st.sessionMinutes) || !(s.remCount > st.removalsMoreThan)) return null;
      const iv: Intervention = { play, kind: "alternatives", parts: ["alternatives"], message: st.message };
      if (s.lastRemoved) iv.productId = s.lastRemoved;
      return iv;
    }
    case "deal_seeker": {
      const st = config.plays.deal_seeker!;
      if (bandOf(input.propensity, config.bands) !== "low") return null;
      const product = s.page?.product;
      if (surface === "product" && product && currentProductViews(s) >= st.sameProductViewsAtLeast && s.addCount === 0) {
        return { play, kind: "bundle", parts: ["bundle"], message: st.message, productId: product };
      }
      // The threshold is in the shop's currency; a cart in another one is converted with Shopify's rate, and without
      // a rate there is no hint (it could not say a true amount).
      const subtotal = toShopCurrency(s.subtotal, s.cur, config.shop.currency, input.fx);
      if (
        subtotal != null &&
        st.freeShippingThreshold > 0 && subtotal > 0 && subtotal < st.freeShippingThreshold &&
        visitsLast7Days(input.visitor, now) >= RETURN_VISITS_AT_LEAST &&
        noPurchase(customer, input.visitor, null)
      ) {
        return { play, kind: "free_shipping_hint", parts: ["free_shipping_hint"], message: st.message };
      }
      return null;
    }
  }
}

/** Showings of a play inside its frequency-cap window have reached the cap. */
export function isCapped(visitor: VisitorState, play: PlayKey, config: PublishedPlaysConfig, now: number): boolean {
  const st = config.plays[play];
  if (!st) return true;
  const shows = visitor.shows[play];
  if (!shows || shows.length === 0) return false;
  const from = now - st.frequencyCapDays * DAY_MS;
  let n = 0;
  for (const t of shows) if (t > from) n++;
  return n >= st.frequencyCapCount;
}

/** Records a showing (for the frequency cap); keeps only the showings inside the cap window. */
export function recordShown(visitor: VisitorState, play: PlayKey, config: PublishedPlaysConfig, now: number): void {
  const st = config.plays[play];
  const from = now - (st ? st.frequencyCapDays : 1) * DAY_MS;
  const shows = (visitor.shows[play] ?? []).filter((t) => t > from);
  shows.push(now);
  visitor.shows[play] = shows;
}

const NOTHING: Decision = { eligible: [], show: null };

/**
 * Evaluates every enabled play. Holdout visitors are evaluated identically (they appear in `eligible`) but
 * are never shown anything; without consent nothing personalised is decided at all.
 */
export function decide(input: DecisionInput): Decision {
  if (!input.consent) return NOTHING;
  const { config, visitor, session } = input;
  const eligible: Decision["eligible"] = [];
  let show: Intervention | null = null;
  for (const play of PRIORITY) {
    const st = config.plays[play];
    if (!st) continue;
    const iv = evaluatePlay(play, input);
    if (!iv) continue;
    const arm = input.arms?.[play] ?? assignArm(visitor.id, play, st.holdoutPercent);
    eligible.push({ play, arm });
    if (show || input.active || arm === "holdout") continue;
    if (session.dismissed.includes(play) || isCapped(visitor, play, config, input.now)) continue;
    show = iv;
  }
  return { eligible, show };
}
