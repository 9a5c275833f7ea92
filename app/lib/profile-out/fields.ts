/**
 * The customer metafield contract: every customer metafield the app owns, with its Shopify type, purpose and
 * protected-customer-data level. Read by the definitions installer, the bulk write-back, the redact handler,
 * the docs (docs/profiles.md) and by other apps' surfaces (a payment customization Function input query reads
 * these keys). Pure: no runtime imports beyond the plays contract's types.
 *
 * Namespace: the reserved app prefix `$app:recovery_plays` (the same one as the published config). Shopify
 * stores it as `app--<app id>--recovery_plays`; a Function input query or the Admin API asks for it as
 * `metafield(namespace: "$app:recovery_plays", key: "stage")`.
 */
import type { LifecycleStage, PlayKey, RfmGroup } from "../plays/types";

export const PROFILE_NAMESPACE = "$app:recovery_plays";
export const PROFILE_OWNER_TYPE = "CUSTOMER" as const;

/** Shopify metafield type names used here (https://shopify.dev/docs/apps/build/custom-data/metafields/list-of-data-types). */
export type ProfileMetafieldType =
  | "single_line_text_field"
  | "number_decimal"
  | "number_integer"
  | "boolean"
  | "json"
  | "list.single_line_text_field";

/**
 * Protected customer data: "level1" is data about a customer that is neither name, email, phone nor address
 * (Shopify's level 1); nothing here is level 2.
 */
export type ProtectedDataLevel = "level1";

export interface ProfileFieldSpec {
  key: string;
  type: ProfileMetafieldType;
  /** Definition name shown on the customer page in the Shopify admin. */
  name: string;
  description: string;
  /** Written only for customers whose storefront consent allows analytics or marketing. */
  consentGated: boolean;
  /**
   * Whether Shopify customer segments can filter on it: segments accept customer metafield definitions of the
   * date/time, number, text and true/false types (help.shopify.com "Metafield-based customer segment filters");
   * json and lists are not among them.
   */
  segmentFilterable: boolean;
  level: ProtectedDataLevel;
}

export const PROFILE_FIELDS = [
  {
    key: "stage", type: "single_line_text_field", name: "Recovery Plays: lifecycle stage",
    description: "new_visitor, returning_visitor, first_time_customer, repeat_customer, loyalist, lapsing_loyalist or lapsed, from order history.",
    consentGated: false, segmentFilterable: true, level: "level1",
  },
  {
    key: "rfm_group", type: "single_line_text_field", name: "Recovery Plays: RFM group",
    description: "Recency/frequency/monetary group in Shopify's CustomerRfmGroup vocabulary (CHAMPIONS, LOYAL, AT_RISK…).",
    consentGated: false, segmentFilterable: true, level: "level1",
  },
  {
    key: "aov", type: "number_decimal", name: "Recovery Plays: average order value",
    description: "Net spend ÷ orders, in the shop currency, two decimals.",
    consentGated: false, segmentFilterable: true, level: "level1",
  },
  {
    key: "propensity_band", type: "single_line_text_field", name: "Recovery Plays: purchase propensity band",
    description: "low, medium or high: the band of the last scored storefront session.",
    consentGated: true, segmentFilterable: true, level: "level1",
  },
  {
    key: "last_hesitation", type: "json", name: "Recovery Plays: last hesitation",
    description: "JSON {play, barrier, at}: the last play the storefront matched, its barrier and when (ISO 8601).",
    consentGated: true, segmentFilterable: false, level: "level1",
  },
  {
    key: "hesitation_barrier", type: "single_line_text_field", name: "Recovery Plays: last hesitation barrier",
    description: "trust, convenience, indecision or price: last_hesitation's barrier as text, so segments can filter on it.",
    consentGated: true, segmentFilterable: true, level: "level1",
  },
  {
    key: "plays_seen", type: "list.single_line_text_field", name: "Recovery Plays: plays seen",
    description: "Play keys this customer was shown (confidence, vip, indecision, deal_seeker).",
    consentGated: true, segmentFilterable: false, level: "level1",
  },
  {
    key: "holdout", type: "boolean", name: "Recovery Plays: in a holdout",
    description: "True when the customer's visitor is in the holdout group of any enabled play (shown nothing, measured).",
    consentGated: true, segmentFilterable: true, level: "level1",
  },
  {
    key: "checkout_stall", type: "single_line_text_field", name: "Recovery Plays: checkout step last abandoned",
    description: "contact, shipping, payment or review: the last checkout step reached in an abandoned checkout.",
    consentGated: true, segmentFilterable: true, level: "level1",
  },
  {
    key: "checkout_abandons", type: "number_integer", name: "Recovery Plays: abandoned checkouts",
    description: "Abandoned checkouts seen for this customer (Shopify's abandoned checkouts joined to storefront sessions).",
    consentGated: true, segmentFilterable: true, level: "level1",
  },
] as const satisfies readonly ProfileFieldSpec[];

export type ProfileFieldKey = (typeof PROFILE_FIELDS)[number]["key"];

/** Barrier each play answers (the "why" behind a hesitation). */
export const PLAY_BARRIER = {
  confidence: "trust",
  vip: "convenience",
  indecision: "indecision",
  deal_seeker: "price",
} as const satisfies Record<PlayKey, string>;
export type Barrier = (typeof PLAY_BARRIER)[PlayKey];

export type CheckoutStep = "contact" | "shipping" | "payment" | "review";

/** Values as the app computes them, before Shopify's string encoding (see ./encode). Absent = not written. */
export interface ProfileValues {
  stage?: LifecycleStage;
  rfm_group?: RfmGroup;
  aov?: number;
  propensity_band?: "low" | "medium" | "high";
  last_hesitation?: { play: PlayKey; barrier: Barrier; at: string };
  hesitation_barrier?: Barrier;
  plays_seen?: PlayKey[];
  holdout?: boolean;
  checkout_stall?: CheckoutStep;
  checkout_abandons?: number;
}

export function fieldSpec(key: string): ProfileFieldSpec | undefined {
  return PROFILE_FIELDS.find((f) => f.key === key);
}
