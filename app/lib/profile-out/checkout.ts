/**
 * Checkout behaviour in: Shopify's standard checkout events (seen by the app's web pixel) and Shopify's abandoned
 * checkouts (Admin API), turned into where a customer stalls in checkout. Pure: shared by the pixel extension, the
 * app's pixel endpoint, the abandoned-checkout reader, the dev store and the tests.
 */
import { VISITOR_ATTRIBUTE } from "../stats/attribution";
import type { CheckoutStep } from "./fields";

/** The standard checkout events the pixel subscribes to (shopify.dev/docs/api/web-pixels-api/standard-events). */
export const PIXEL_CHECKOUT_EVENTS = [
  "checkout_started",
  "checkout_contact_info_submitted",
  "checkout_address_info_submitted",
  "checkout_shipping_info_submitted",
  "payment_info_submitted",
  "checkout_completed",
] as const;
export type PixelCheckoutEvent = (typeof PIXEL_CHECKOUT_EVENTS)[number];

/**
 * The step the shopper is on after each event: entering checkout puts them on contact; each submitted section
 * moves them to the next; after payment details only the review/pay action is left. `completed` ends it.
 */
export const STEP_AFTER: Record<PixelCheckoutEvent, CheckoutStep | "completed"> = {
  checkout_started: "contact",
  checkout_contact_info_submitted: "shipping",
  checkout_address_info_submitted: "shipping",
  checkout_shipping_info_submitted: "payment",
  payment_info_submitted: "review",
  checkout_completed: "completed",
};

export const CHECKOUT_STEPS: readonly CheckoutStep[] = ["contact", "shipping", "payment", "review"];

/** Event types the app stores for checkout behaviour (Event.type); the step goes in Event.pageType. */
export const PIXEL_EVENT_TYPE = "checkout_step";
export const ABANDONED_EVENT_TYPE = "checkout_abandoned";

/** The furthest of two steps (a shopper who went back to edit contact details did reach payment). */
export function furthest(a: CheckoutStep | "completed" | null, b: CheckoutStep | "completed" | null): CheckoutStep | "completed" | null {
  if (a === "completed" || b === "completed") return "completed";
  if (!a) return b;
  if (!b) return a;
  return CHECKOUT_STEPS.indexOf(a) >= CHECKOUT_STEPS.indexOf(b) ? a : b;
}

/** The app's visitor id from checkout attributes (the cart's `_rp_vid`, set by the theme embed). */
export function visitorFromAttributes(attrs: readonly { key: string; value: string | null }[] | null | undefined): string | null {
  const v = attrs?.find((a) => a.key === VISITOR_ATTRIBUTE)?.value;
  return typeof v === "string" && v.length > 0 && v.length <= 128 ? v : null;
}

/** What the pixel sends to the app for one event. Nothing about money or arms: the app never trusts it for either. */
export interface PixelEventBody {
  shop: string;
  /** The per-shop key from the pixel's settings (see models/profileOutCheckout.server pixelKey). */
  key: string;
  event: PixelCheckoutEvent;
  /** Shopify's checkout token (groups the events of one checkout). */
  checkout: string;
  /** The app's visitor id from the `_rp_vid` cart attribute, when the storefront embed set one. */
  visitorId: string | null;
  /** Shopify's pixel client id (per browser), the fallback grouping when no visitor id came along. */
  clientId: string;
  ts: number;
}

/** One abandoned checkout as the app keeps it, joined to the visitor's checkout steps. */
export interface AbandonedCheckoutRow {
  id: string;
  customerId: string | null;
  visitorId: string | null;
  at: Date;
  step: CheckoutStep;
}

/**
 * The step an abandoned checkout stalled at: the furthest step the pixel saw for the same visitor between the
 * checkout's creation and its last update. Without pixel data (no consent, no embed) Shopify's own definition
 * applies: a checkout is abandoned once contact information was added, so the shopper was on shipping.
 */
export function stallStep(steps: readonly { step: string; at: Date }[], createdAt: Date, updatedAt: Date, slackMs = 5 * 60_000): CheckoutStep {
  let best: CheckoutStep | "completed" | null = null;
  for (const s of steps) {
    const t = s.at.getTime();
    if (t < createdAt.getTime() - slackMs || t > updatedAt.getTime() + slackMs) continue;
    if (s.step === "completed" || (CHECKOUT_STEPS as readonly string[]).includes(s.step)) best = furthest(best, s.step as CheckoutStep);
  }
  return best && best !== "completed" ? best : "shipping";
}

/** "abandoned at payment, twice": the latest stall step and how many abandoned checkouts stalled there. */
export interface StallSummary {
  step: CheckoutStep;
  atStep: number;
  total: number;
}

export function stallSummary(rows: readonly { step: CheckoutStep; at: Date }[]): StallSummary | null {
  if (rows.length === 0) return null;
  const latest = rows.reduce((a, b) => (b.at > a.at ? b : a));
  return { step: latest.step, atStep: rows.filter((r) => r.step === latest.step).length, total: rows.length };
}
