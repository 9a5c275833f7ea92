/**
 * Glue between the `shopify` global and the pure core: config, buyer profile (off the critical path), holdout
 * arm and event reporting. Shared by every target; each target runs in its own sandbox, so nothing here relies
 * on module-level state being shared between targets.
 */
import "@shopify/ui-extensions/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api as CheckoutBlockApi } from "@shopify/ui-extensions/purchase.checkout.block.render";
import type { Api as ThankYouApi } from "@shopify/ui-extensions/purchase.thank-you.block.render";
import type { Arm, CustomerContext, PlayKey, PublishedPlaysConfig } from "../../../app/lib/plays/types";
import { assignArm } from "../../../app/lib/stats/assignment";
import {
  buildTimeAppUrl,
  fetchProfileResult,
  sendEvents,
  type BackendDeps,
  type CheckoutEvent,
  type CheckoutEventType,
} from "./core/backend";
import { readConfig, storefrontPlays, toCustomerContext, visitorIdFrom, VISITOR_ATTRIBUTE } from "./core/data";
import { checkoutTurn, matchingCheckoutPlays, type CartFacts, type CheckoutPlay } from "./core/eligibility";

/** The standard API every purchase target has; checkout-only mutations are optional at the type level. */
export type StandardShopify = Omit<CheckoutBlockApi, "applyCartLinesChange" | "applyAttributeChange" | "applyDiscountCodeChange"> &
  Partial<Pick<CheckoutBlockApi, "applyCartLinesChange" | "applyAttributeChange" | "applyDiscountCodeChange">> &
  Partial<Pick<ThankYouApi, "orderConfirmation">>;

export function shopifyApi(): StandardShopify {
  return (globalThis as unknown as { shopify: StandardShopify }).shopify;
}

export function t(key: string, replacements?: Record<string, string | number>): string {
  try {
    return String(shopifyApi().i18n.translate(key, replacements));
  } catch {
    return "";
  }
}

export function backendDeps(): BackendDeps {
  return {
    appUrl: buildTimeAppUrl(),
    getToken: () => shopifyApi().sessionToken.get(),
    // Resolved per call so the host's (or a test's) fetch is used.
    fetch: (input, init) => fetch(input, init),
  };
}

/** The published plays config from the app-owned metafield; null = every play off. */
export function useConfig(): PublishedPlaysConfig | null {
  return readConfig(shopifyApi().appMetafields.value);
}

/** `buyerIdentity` only exists with protected customer data access; reading it must never throw. */
function buyerCustomer(): { known: boolean; loggedIn: boolean; ordersCount?: number } {
  try {
    const api = shopifyApi();
    if (!("buyerIdentity" in api) || !api.buyerIdentity) return { known: false, loggedIn: false };
    const customer = api.buyerIdentity.customer.value;
    return { known: true, loggedIn: Boolean(customer), ordersCount: customer?.ordersCount };
  } catch {
    return { known: false, loggedIn: false };
  }
}

export function checkoutOrdersCount(): number | undefined {
  return buyerCustomer().ordersCount;
}

export interface ProfileState {
  ready: boolean;
  profile: CustomerContext | null;
}

/**
 * The buyer's profile from the backend, called after the first render with a timeout; any failure resolves to
 * `null` (unknown buyer) so the target falls back. A known guest needs no call.
 */
export function useProfile(needed: boolean): ProfileState {
  const buyer = buyerCustomer();
  const skipNetwork = !needed || (buyer.known && !buyer.loggedIn);
  const [state, setState] = useState<ProfileState>({ ready: false, profile: null });

  useEffect(() => {
    if (skipNetwork) return;
    let live = true;
    cachedProfile().then((profile) => {
      if (live) setState({ ready: true, profile });
    });
    return () => {
      live = false;
    };
  }, [skipNetwork]);

  if (skipNetwork) return { ready: true, profile: null };
  return state;
}

const PROFILE_CACHE_KEY = "rp_profile";
const PROFILE_CACHE_MS = 10 * 60 * 1000;

/**
 * Profile through `shopify.storage` (shared by this extension's targets for the checkout session) so step
 * changes and sibling targets do not call the backend again. Only successful answers are cached.
 */
async function cachedProfile(): Promise<CustomerContext | null> {
  const storage = shopifyApi().storage;
  try {
    const hit = await storage.read<{ at: number; profile: unknown }>(PROFILE_CACHE_KEY);
    if (hit && Date.now() - hit.at < PROFILE_CACHE_MS) return toCustomerContext(hit.profile);
  } catch {
    // Storage is an optimisation only.
  }
  const result = await fetchProfileResult(backendDeps());
  if (result.ok) {
    storage.write(PROFILE_CACHE_KEY, { at: Date.now(), profile: result.profile }).catch(() => undefined);
  }
  return result.profile;
}

/** The checkout's subtotal in its presentment currency. */
export function checkoutCart(): CartFacts {
  const api = shopifyApi();
  return {
    subtotal: api.cost.subtotalAmount.value?.amount ?? 0,
    currency: api.cost.subtotalAmount.value?.currencyCode ?? api.localization.currency.value.isoCode,
  };
}

/**
 * Whether `play` has this checkout's one turn (`checkoutTurn`): every target works it out from the same facts
 * (config, profile, cart, cart attributes, deterministic arms), so they agree without talking to each other.
 * Undefined until the profile is settled.
 */
export function useTurn(play: CheckoutPlay, config: PublishedPlaysConfig | null, profile: ProfileState): boolean | undefined {
  const api = shopifyApi();
  if (!profile.ready) return undefined;
  const visitor = visitorIdFrom(api.attributes.value, api.checkoutToken.value);
  if (!visitor || !config) return false;
  const matching = matchingCheckoutPlays({
    config,
    profile: profile.profile,
    checkoutOrdersCount: checkoutOrdersCount(),
    cart: checkoutCart(),
    storefrontPlays: storefrontPlays(api.attributes.value),
  });
  const armOf = (p: CheckoutPlay) => {
    const settings = config.plays[p];
    return settings ? assignArm(visitor.id, p, settings.holdoutPercent) : null;
  };
  return checkoutTurn(matching, armOf) === play;
}

export interface Exposure {
  /** null while undecided or out of segment; "holdout" renders nothing; "treatment" renders the play. */
  arm: Arm | null;
  report: (type: CheckoutEventType) => void;
}

/**
 * Deterministic holdout arm for an in-segment buyer (same `assignArm` as the storefront), and measurement:
 * `eligible` for both arms plus `shown` for the treatment when it renders (it has the turn, `useTurn`), once per
 * mount. A visitor id derived from the checkout token is written to `_rp_vid` so the order can be attributed.
 */
export function useExposure(
  play: PlayKey,
  holdoutPercent: number | null,
  inSegment: boolean | undefined,
  options: { measure?: boolean; turn?: boolean } = {},
): Exposure {
  const api = shopifyApi();
  const visitor = visitorIdFrom(api.attributes.value, api.checkoutToken.value);
  const arm = visitor && inSegment && holdoutPercent !== null ? assignArm(visitor.id, play, holdoutPercent) : null;
  const measure = options.measure ?? true;
  const exposed = useRef(false);

  // engaged/dismissed: every interaction counts; eligible/shown are sent once by the effect below.
  const report = (type: CheckoutEventType) => {
    if (!visitor || !arm || !measure) return;
    void sendEvents(backendDeps(), visitor.id, [{ type, play, arm, ts: Date.now() }]);
  };

  useEffect(() => {
    if (!visitor || !arm || !measure) return;
    if (exposed.current) return;
    exposed.current = true;
    const events: CheckoutEvent[] = [{ type: "eligible", play, arm, ts: Date.now() }];
    // A treated buyer whose turn went to a higher-priority play is eligible but was not shown this play.
    if (arm === "treatment" && options.turn !== false) events.push({ type: "shown", play, arm, ts: Date.now() });
    void sendEvents(backendDeps(), visitor.id, events);
    if (visitor.derived) void writeVisitorAttribute(visitor.id);
  }, [visitor?.id, arm, measure]);

  return { arm, report };
}

async function writeVisitorAttribute(visitorId: string): Promise<void> {
  try {
    const api = shopifyApi();
    if (!api.applyAttributeChange || !api.instructions.value.attributes.canUpdateAttributes) return;
    await api.applyAttributeChange({ type: "updateAttribute", key: VISITOR_ATTRIBUTE, value: visitorId });
  } catch {
    // Attribution falls back to the checkout token events; checkout must not be disturbed.
  }
}

/** The shop's refund policy page (Shopify serves it at /policies/refund-policy on every storefront). */
export function refundPolicyUrl(storefrontUrl: string | undefined): string | null {
  if (!storefrontUrl || !/^https?:\/\//.test(storefrontUrl)) return null;
  return `${storefrontUrl.replace(/\/+$/, "")}/policies/refund-policy`;
}
