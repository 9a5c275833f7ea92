/** Decision engine contract: which play is eligible, in which arm, and which intervention to show. */
import type { Arm, CustomerContext, PlayKey, PlayMessage, PublishedPlaysConfig } from "../plays/types";
import type { SessionSignals, VisitorState } from "../signals/types";
import type { Fx } from "../plays/money";

/** What the storefront can render. One intervention may reveal several parts (e.g. payment options + concierge). */
export const INTERVENTION_KINDS = [
  "returns_confidence", "checkout_prompt", "payment_options", "concierge",
  "alternatives", "bundle", "free_shipping_hint",
] as const;
export type InterventionKind = (typeof INTERVENTION_KINDS)[number];

export type PropensityBand = "low" | "medium" | "high";

export interface Intervention {
  play: PlayKey;
  /** The primary kind; `parts` lists every kind to reveal, primary first. */
  kind: InterventionKind;
  parts: InterventionKind[];
  message: PlayMessage;
  /** returns_confidence: guest-checkout prompt for low propensity, account prompt for loyalists. */
  checkoutPrompt?: "guest" | "account";
  /** payment_options: emphasise Buy Now Pay Later (cart ≥ aovMultiple × AOV). */
  bnpl?: boolean;
  /** alternatives: the removed product; bundle: the product on the page. */
  productId?: string;
}

export interface DecisionInput {
  config: PublishedPlaysConfig;
  session: SessionSignals;
  visitor: VisitorState;
  customer: CustomerContext | null;
  /** Purchase propensity 0–1, or null when no scorer ran (plays that need a band then stay ineligible). */
  propensity: number | null;
  now: number;
  /** Analytics consent (Customer Privacy API). Without it nothing personalised is decided. */
  consent: boolean;
  /** The play already showing on this page, if any: one intervention at a time. */
  active?: PlayKey | null;
  /** The arms the server decided for this visitor's signed id (app proxy profile); they win over local hashing. */
  arms?: Partial<Record<PlayKey, Arm>> | null;
  /** The storefront's presentment currency and Shopify's rate from the shop's currency (app/lib/plays/money.ts). */
  fx?: Fx | null;
}

export interface Decision {
  /** Every play eligible right now, in priority order, with the visitor's arm (holdout included). */
  eligible: { play: PlayKey; arm: Arm }[];
  /** What to reveal now, or null (nothing eligible, holdout, capped, dismissed, or another one is active). */
  show: Intervention | null;
}
