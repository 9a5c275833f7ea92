/**
 * Who is in each checkout play's segment. Pure functions of the published config, the buyer profile (null when
 * unknown) and checkout facts, so every rule is unit-tested without a checkout host.
 */
import type {
  ConfidenceSettings,
  CustomerContext,
  DealSeekerSettings,
  PublishedPlaysConfig,
  VipSettings,
} from "../../../../app/lib/plays/types";

/** A play's settings when it is published (= enabled) and the merchant put it on the checkout surface. */
export function checkoutSettings<K extends "confidence" | "vip" | "deal_seeker">(
  config: PublishedPlaysConfig | null,
  play: K,
): PublishedPlaysConfig["plays"][K] | null {
  const settings = config?.plays[play];
  return settings && settings.surfaces.includes("checkout") ? settings : null;
}

export interface BuyerFacts {
  /** Profile from the precomputed metafield or the backend; null when unknown (guest, app down, timeout). */
  profile: CustomerContext | null;
  /** `buyerIdentity.customer.ordersCount` when checkout shares it (protected customer data), else undefined. */
  checkoutOrdersCount?: number;
}

/**
 * First-time buyer for the confidence play: no completed purchase (optionally none since `noPurchaseSince`).
 * An unknown buyer counts as first-time: the copy is generic trust information, safe to show anyone.
 */
export function isFirstTimeBuyer(settings: ConfidenceSettings, buyer: BuyerFacts): boolean {
  const { profile } = buyer;
  if (profile) {
    if (profile.ordersCount === 0) return true;
    if (settings.noPurchaseSince && profile.lastOrderAt) {
      return Date.parse(profile.lastOrderAt) < Date.parse(settings.noPurchaseSince);
    }
    return false;
  }
  if (typeof buyer.checkoutOrdersCount === "number") return buyer.checkoutOrdersCount === 0;
  return true;
}

export function isVip(settings: VipSettings, profile: CustomerContext | null): boolean {
  return profile !== null && settings.segments.includes(profile.segment);
}

export interface CartFacts {
  subtotal: number;
  /** Presentment currency of the checkout. */
  currency: string;
}

/**
 * Big-ticket cart: subtotal ≥ aovMultiple × the buyer's AOV (shop AOV when unknown). Only compared when the
 * checkout is in the shop currency, since AOVs are stored in shop currency.
 */
export function isBigTicket(
  settings: VipSettings,
  config: PublishedPlaysConfig,
  profile: CustomerContext | null,
  cart: CartFacts,
): boolean {
  if (!config.shop.currency || cart.currency !== config.shop.currency) return false;
  const aov = profile && profile.aov > 0 ? profile.aov : config.shop.aov;
  if (!(aov > 0) || !(settings.aovMultiple > 0)) return false;
  return cart.subtotal >= settings.aovMultiple * aov;
}

/** Deal seeker in checkout = the storefront's decision engine flagged this visitor for the play. */
export function isDealSeeker(storefrontPlays: ReadonlySet<string>): boolean {
  return storefrontPlays.has("deal_seeker");
}

/** The bundle discount actually configured in Shopify, capped; null when there is none (no savings claim). */
export function bundleDiscountPercent(settings: DealSeekerSettings, config: PublishedPlaysConfig): number | null {
  if (!config.shop.bundleDiscountTitle) return null;
  const percent = Math.min(settings.discountPercent, settings.discountCapPercent);
  return percent > 0 ? percent : null;
}

/** Concierge contact as a safe href: an email becomes mailto:, only http(s) URLs pass; anything else → null. */
export function conciergeHref(contact: string): string | null {
  const value = contact.trim();
  if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(value)) return `mailto:${value}`;
  if (/^https?:\/\/[^\s]+$/i.test(value)) return value;
  return null;
}

export type CheckoutPlay = "vip" | "confidence" | "deal_seeker";

/**
 * One intervention at a time, in the storefront engine's order (app/lib/decisions/engine.ts PRIORITY):
 * convenience for VIPs first, then trust, and the margin-costing bundle last, so no discount is offered where
 * trust or convenience is the barrier.
 */
export const CHECKOUT_PRIORITY: readonly CheckoutPlay[] = ["vip", "confidence", "deal_seeker"];

export interface CheckoutFacts extends BuyerFacts {
  config: PublishedPlaysConfig | null;
  cart: CartFacts;
  /** Plays the storefront listed in the `_rp_plays` cart attribute. */
  storefrontPlays: ReadonlySet<string>;
}

/**
 * The checkout plays whose segment this buyer is in, in priority order. vip: an RFM VIP or a big-ticket cart (the
 * payment-options rule; the concierge adds its stall on top); confidence: a first-time buyer; deal_seeker:
 * flagged by the storefront.
 */
export function matchingCheckoutPlays(facts: CheckoutFacts): CheckoutPlay[] {
  const { config } = facts;
  const vip = checkoutSettings(config, "vip");
  const confidence = checkoutSettings(config, "confidence");
  const dealSeeker = checkoutSettings(config, "deal_seeker");
  const matches: Record<CheckoutPlay, boolean> = {
    vip: !!vip && !!config && (isVip(vip, facts.profile) || isBigTicket(vip, config, facts.profile, facts.cart)),
    confidence: !!confidence && isFirstTimeBuyer(confidence, facts),
    deal_seeker: !!dealSeeker && isDealSeeker(facts.storefrontPlays),
  };
  return CHECKOUT_PRIORITY.filter((p) => matches[p]);
}

/**
 * The play whose intervention may show: the first matching play whose buyer is in its treatment arm. A play's
 * holdout hands the turn to the next play, as on the storefront, so each play is measured against "nothing".
 */
export function checkoutTurn(matching: readonly CheckoutPlay[], armOf: (play: CheckoutPlay) => "treatment" | "holdout" | null): CheckoutPlay | null {
  for (const play of matching) if (armOf(play) === "treatment") return play;
  return null;
}
