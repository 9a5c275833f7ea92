/**
 * The four recovery plays: the contract shared by the admin (settings), the publisher (metafield payload),
 * the storefront decision engine and the checkout extension. Pure types and defaults — no runtime imports.
 */
export const PLAY_KEYS = ["confidence", "vip", "indecision", "deal_seeker"] as const;
export type PlayKey = (typeof PLAY_KEYS)[number];

export type Surface = "cart" | "product" | "checkout";
export type Arm = "treatment" | "holdout";

/** Shopify's CustomerRfmGroup vocabulary (Admin API 2025-04+). */
export const RFM_GROUPS = [
  "CHAMPIONS", "LOYAL", "ACTIVE", "NEW", "PROMISING", "NEEDS_ATTENTION",
  "AT_RISK", "ALMOST_LOST", "PREVIOUSLY_LOYAL", "DORMANT", "PROSPECTS",
] as const;
export type RfmGroup = (typeof RFM_GROUPS)[number];

export const LIFECYCLE_STAGES = [
  "new_visitor", "returning_visitor", "first_time_customer", "repeat_customer",
  "loyalist", "lapsing_loyalist", "lapsed",
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface PlayMessage {
  heading: string;
  body: string;
  /** Call-to-action label, when the intervention has a button. */
  cta: string;
}

export interface CommonPlaySettings {
  surfaces: Surface[];
  /** Percent of eligible visitors kept in the holdout (shown nothing). 0–50. */
  holdoutPercent: number;
  /** At most this many showings of this play per visitor in `frequencyCapDays` days. */
  frequencyCapCount: number;
  frequencyCapDays: number;
  message: PlayMessage;
}

export interface ConfidenceSettings extends CommonPlaySettings {
  /** Eligible when returns/shipping/policy page views this session are MORE than this (default 2). */
  policyViewsMoreThan: number;
  /** ISO date: ignore purchases before it ("no completed purchase since"); null = ever. */
  noPurchaseSince: string | null;
  /** Offer guest checkout to low-propensity visitors, an account prompt to loyalists. */
  checkoutPrompt: boolean;
  /** The return window the copy promises: fills `{return_days}` in the message (app/lib/plays/copy.ts). */
  returnDays: number;
}

export interface VipSettings extends CommonPlaySettings {
  segments: RfmGroup[];
  /** Stall on cart/checkout longer than this many seconds (default 45). */
  stallSeconds: number;
  /** BNPL emphasis when cart subtotal >= this multiple of the customer's AOV (default 3). */
  aovMultiple: number;
  /** Concierge contact shown to VIPs (email address or URL). */
  conciergeContact: string;
}

export interface IndecisionSettings extends CommonPlaySettings {
  /** Session longer than this many minutes (default 10). */
  sessionMinutes: number;
  /** Removals from cart MORE than this many times this session (default 2). */
  removalsMoreThan: number;
  /** The return window the copy promises: fills `{return_days}` in the message (app/lib/plays/copy.ts). */
  returnDays: number;
  alternativesCount: number;
}

export interface DealSeekerSettings extends CommonPlaySettings {
  /** Same product viewed at least this many times with no add-to-cart (default 3). */
  sameProductViewsAtLeast: number;
  /** Bundle discount percent (a code discount in Shopify, one single-use code per treated visitor). Never above discountCapPercent. */
  discountPercent: number;
  discountCapPercent: number;
  /** Show a personalised free-shipping threshold hint. 0 = no threshold configured. */
  freeShippingThreshold: number;
  /** Daily budget: at most this many single-use bundle codes issued in any 24 hours. 0 = no code-count limit. */
  bundleCodesPerDay: number;
  /** Daily budget: bundle discount value (shop currency) issued in any 24 hours. 0 = no value limit. */
  bundleDiscountPerDay: number;
}

export interface PlaySettingsMap {
  confidence: ConfidenceSettings;
  vip: VipSettings;
  indecision: IndecisionSettings;
  deal_seeker: DealSeekerSettings;
}

export interface PropensityBands {
  /** low < low ≤ medium < high ≤ high */
  low: number;
  high: number;
}

export interface PlayState<K extends PlayKey = PlayKey> {
  enabled: boolean;
  settings: PlaySettingsMap[K];
}

/**
 * The JSON published to the app-owned metafield `$app:recovery_plays.config` (AppInstallation) and read by the
 * theme app extension (Liquid: app.metafields["$app:recovery_plays"].config.value) and the checkout extension.
 * Only enabled plays are included, so nothing the merchant did not enable can reach shoppers.
 */
export interface PublishedPlaysConfig {
  version: number;
  bands: PropensityBands;
  plays: Partial<{ [K in PlayKey]: PlaySettingsMap[K] }>;
  shop: {
    currency: string;
    /** Shop-level AOV for anonymous shoppers. */
    aov: number;
    /** Bundle discount code/title when the deal-seeker discount exists in Shopify. */
    bundleDiscountTitle?: string;
  };
  /** Shop-level page aggregates by page type (GA definitions) for the propensity features. */
  pageStats: Record<string, { bounceRate: number; exitRate: number; pageValue: number }>;
  /**
   * The shop's own last layer on the shipped propensity model (logit' = scale · logit + shift), present once
   * per-shop learning has replaced the shipped calibration (app/lib/propensity/adapt.ts).
   */
  propensity?: { scale: number; shift: number };
  /**
   * Storefront path of the app proxy (`/<prefix>/<subpath>`, no trailing slash) from the shop's signed proxy
   * requests (`path_prefix`); absent until one was seen, when the storefront uses the toml's `/apps/recovery-plays`.
   */
  proxy?: string;
}

/** The customer context the storefront (app proxy) and checkout endpoint return. Never contains PII. */
export interface CustomerContext {
  stage: LifecycleStage;
  segment: RfmGroup;
  ordersCount: number;
  aov: number;
  lastOrderAt: string | null;
}
