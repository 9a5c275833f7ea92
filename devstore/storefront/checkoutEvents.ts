// What the dev store's checkout records and publishes: one checkout per cart token (the Admin API lists it as
// abandoned when the shopper leaves after giving contact details), and Shopify's standard checkout events,
// published to the app's web pixel in its sandbox (./pixel.ts) when the shopper's consent allows it.
import { abandonClock, activePixelSettings, isAbandoned, pixelExtension } from "../admin/checkouts";
import { isoSeconds } from "../seed/generate";
import type { DevCheckout, DevCustomer, DevOrder, DevStoreData } from "../types";
import type { Cart } from "./cart";
import { priceCart } from "./cart";
import type { Catalog } from "./catalog";
import { clientIdFor, compilePixel, newBrowserStore, pixelAllowed, runPixelPage, type BrowserStore } from "./pixel";
import type { ConsentState } from "./privacy";

/** The checkout sections the dev store's page submits, and the standard events each one publishes. */
export const STEP_EVENTS = {
  contact: ["checkout_contact_info_submitted"],
  shipping: ["checkout_address_info_submitted", "checkout_shipping_info_submitted"],
  payment: ["payment_info_submitted"],
} as const;
export type CheckoutSection = keyof typeof STEP_EVENTS;

interface Shopper {
  cart: Cart;
  customer: DevCustomer | null;
  consent: ConsentState;
}

export function createCheckoutTracker(state: DevStoreData, catalog: Catalog, shopDomain: string, storeUrl: () => string) {
  const browsers = new Map<string, BrowserStore>();
  let nextId = 7_000_000;

  function record(s: Shopper): DevCheckout {
    const list = (state.checkouts ??= []);
    const now = isoSeconds(Date.now());
    const priced = priceCart(s.cart, catalog, state);
    let c = list.find((x) => x.token === s.cart.token && !x.completedAt);
    if (!c) {
      c = { id: String(++nextId), token: s.cart.token, customerId: null, attributes: [], total: 0, quantity: 0, createdAt: now, updatedAt: now, contactAt: null, completedAt: null };
      list.push(c);
    }
    c.customerId = s.customer?.id ?? c.customerId;
    // A logged-in customer's contact details are on file: Shopify's checkout has them from the start.
    if (s.customer && !c.contactAt) c.contactAt = now;
    c.attributes = Object.entries(s.cart.attributes).map(([key, value]) => ({ key, value }));
    c.total = priced.total / 100;
    c.quantity = s.cart.lines.reduce((n, l) => n + l.quantity, 0);
    c.updatedAt = now;
    return c;
  }

  function checkoutData(c: DevCheckout, order: DevOrder | null) {
    const money = (amount: number) => ({ amount, currencyCode: state.shop.currencyCode });
    return {
      checkout: {
        token: c.token,
        attributes: c.attributes,
        currencyCode: state.shop.currencyCode,
        totalPrice: money(c.total),
        subtotalPrice: money(c.total),
        lineItems: [],
        email: null,
        order: order ? { id: order.id, customer: order.customerId ? { id: order.customerId } : null } : null,
      },
    };
  }

  async function publish(s: Shopper, c: DevCheckout, names: readonly string[], order: DevOrder | null = null): Promise<void> {
    const def = pixelExtension();
    const settings = activePixelSettings(state);
    if (!def || !settings || !pixelAllowed(def, s.consent)) return;
    const script = await compilePixel(def);
    if (!script) return;
    let store = browsers.get(s.cart.token);
    if (!store) browsers.set(s.cart.token, (store = newBrowserStore()));
    await runPixelPage(
      script,
      {
        store,
        clientId: clientIdFor(s.cart.token),
        href: `${storeUrl().replace(/\/$/, "")}/checkouts/${c.token}`,
        init: { customer: s.customer ? { id: s.customer.id } : null, shop: { name: state.shop.name, myshopifyDomain: shopDomain, paymentSettings: { currencyCode: state.shop.currencyCode } }, consent: s.consent },
        settings,
        fetch: (url, init) => fetch(url, init),
      },
      names.map((name) => ({ name, data: checkoutData(c, order) })),
    ).catch((err: unknown) => console.error("[devstore] web pixel failed:", err instanceof Error ? err.message : err));
  }

  return {
    /** GET /checkout: the checkout exists (or is resumed) and `checkout_started` is published. */
    async started(s: Shopper): Promise<void> {
      await publish(s, record(s), ["checkout_started"]);
    },
    /** A section submitted: contact details make the checkout abandonable; its standard events are published. */
    async section(s: Shopper, section: CheckoutSection): Promise<void> {
      const c = record(s);
      if (section === "contact" && !c.contactAt) c.contactAt = c.updatedAt;
      await publish(s, c, STEP_EVENTS[section]);
    },
    /** "Pay now": payment details, then the completed checkout with its order. */
    async completed(s: Shopper, order: DevOrder, email: string | null): Promise<void> {
      // Completed after it was listed as abandoned: Shopify keeps listing it, as recovered.
      const prior = (state.checkouts ?? []).find((x) => x.token === s.cart.token && !x.completedAt);
      const abandonedAt = prior && isAbandoned(prior, abandonClock(state)) ? prior.updatedAt : null;
      const c = record(s);
      if (email && !c.contactAt) c.contactAt = c.updatedAt;
      c.completedAt = isoSeconds(Date.now());
      c.abandonedAt = abandonedAt;
      await publish(s, c, ["payment_info_submitted", "checkout_completed"], order);
      browsers.delete(s.cart.token);
    },
  };
}
