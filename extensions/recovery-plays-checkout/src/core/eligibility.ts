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
import { hasNoPurchase, isBigTicket as sharedIsBigTicket, isVipSegment, PRIORITY } from "../../../../app/lib/decisions/eligibility";

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

/** First-time buyer for the confidence play: the shared rule, fed with what checkout knows. */
export function isFirstTimeBuyer(settings: ConfidenceSettings, buyer: BuyerFacts): boolean {
  return hasNoPurchase({ profile: buyer.profile, checkoutOrdersCount: buyer.checkoutOrdersCount }, settings.noPurchaseSince);
}

export function isVip(settings: VipSettings, profile: CustomerContext | null): boolean {
  return isVipSegment(settings.segments, profile);
}

export interface CartFacts {
  subtotal: number;
  /** Presentment currency of the checkout. */
  currency: string;
}

/** Big-ticket cart, the shared rule: only compared when the checkout is in the shop currency. */
export function isBigTicket(
  settings: VipSettings,
  config: PublishedPlaysConfig,
  profile: CustomerContext | null,
  cart: CartFacts,
): boolean {
  return sharedIsBigTicket(settings.aovMultiple, config.shop, profile, cart);
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

const CHECKOUT_PLAYS: readonly string[] = ["vip", "confidence", "deal_seeker"];

/** The storefront's one priority order, restricted to the checkout plays. */
export const CHECKOUT_PRIORITY = PRIORITY.filter((p): p is CheckoutPlay => CHECKOUT_PLAYS.includes(p));

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
