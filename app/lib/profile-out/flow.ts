/**
 * The "Shopper hesitated" Flow trigger: its handle and payload. The keys are the fields the trigger extension
 * declares (extensions/recovery-plays-flow/shopify.extension.toml); `customer_id` is the customer_reference field.
 * Flow field keys may contain only letters and spaces (Shopify CLI's trigger schema), hence "cart value".
 */
import type { PlayKey } from "../plays/types";
import { PLAY_BARRIER } from "./fields";

export const HESITATED_TRIGGER_HANDLE = "shopper-hesitated";

export interface HesitationInput {
  customerId: string;
  play: PlayKey;
  cartValue: number;
  /** The customer's AOV (0 when unknown). */
  aov: number;
  propensityBand: "low" | "medium" | "high" | null;
  storefrontUrl: string;
  holdout: boolean;
}

export interface HesitatedPayload {
  customer_id: number;
  play: string;
  barrier: string;
  "cart value": number;
  "cart aov ratio": number;
  "propensity band": string;
  "storefront url": string;
  holdout: boolean;
}

export function hesitatedPayload(h: HesitationInput): HesitatedPayload {
  return {
    customer_id: Number(h.customerId),
    play: h.play,
    barrier: PLAY_BARRIER[h.play],
    "cart value": Math.round(h.cartValue * 100) / 100,
    "cart aov ratio": h.aov > 0 ? Math.round((h.cartValue / h.aov) * 100) / 100 : 0,
    "propensity band": h.propensityBand ?? "unknown",
    "storefront url": h.storefrontUrl,
    holdout: h.holdout,
  };
}
