import type { PlayKey } from "../../../app/lib/plays/types";

/**
 * Where the checkout extension renders, which play each target serves and whether the merchant's plan can use
 * it. Pure data so the admin onboarding can import it without pulling in Preact.
 * Checkout (information/shipping/payment) targets render only on Shopify Plus; thank-you targets on all plans.
 */
export interface CheckoutTargetInfo {
  target: string;
  play: PlayKey;
  plusOnly: boolean;
  /** What the merchant sees described in onboarding (a locale key would couple the admin to this extension). */
  summary: string;
  /**
   * "block": the merchant chooses where it goes in the checkout editor; "static": fixed position next to a
   * core checkout feature. Both are added by the merchant in the checkout editor after install.
   */
  placement: "block" | "static";
}

export const CHECKOUT_EXTENSION_HANDLE = "recovery-plays-checkout";

export const CHECKOUT_TARGETS: readonly CheckoutTargetInfo[] = [
  {
    target: "purchase.checkout.block.render",
    play: "confidence",
    plusOnly: true,
    summary: "Returns and secure-payment reassurance for first-time buyers",
    placement: "block",
  },
  {
    target: "purchase.checkout.payment-method-list.render-before",
    play: "vip",
    plusOnly: true,
    summary: "Payment options for VIPs and instalment emphasis for big-ticket carts",
    placement: "static",
  },
  {
    target: "purchase.checkout.actions.render-before",
    play: "vip",
    plusOnly: true,
    summary: "Concierge contact when a VIP pauses on a checkout step",
    placement: "static",
  },
  {
    target: "purchase.checkout.cart-line-list.render-after",
    play: "deal_seeker",
    plusOnly: true,
    summary: "Bundle offer with the complementary product under the cart lines",
    placement: "static",
  },
  {
    target: "purchase.thank-you.block.render",
    play: "confidence",
    plusOnly: false,
    summary: "Returns reassurance on the thank-you page after a first order",
    placement: "block",
  },
];

/** The targets a shop can use: everything on Plus, thank-you only otherwise. */
export function targetsForPlan(isPlus: boolean): CheckoutTargetInfo[] {
  return CHECKOUT_TARGETS.filter((t) => isPlus || !t.plusOnly);
}
