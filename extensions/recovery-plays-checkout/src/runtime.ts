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
import {
  buildTimeAppUrl,
  fetchProfileResult,
  sendEvents,
  type BackendDeps,
  type ProfileAnswer,
  type CheckoutEvent,
  type CheckoutEventType,
} from "./core/backend";
import {
  cartVisitorId,
  readConfig,
  storefrontPlays,
  toCustomerContext,
  toServerVisitor,
  VISITOR_ATTRIBUTE,
  type ServerVisitor,
} from "./core/data";
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

/** The logged-in buyer's order count; `buyerIdentity` only exists with protected customer data access, so reading it must never throw. */
export function checkoutOrdersCount(): number | undefined {
  try {
    const api = shopifyApi();
    if (!("buyerIdentity" in api) || !api.buyerIdentity) return undefined;
    return api.buyerIdentity.customer.value?.ordersCount;
  } catch {
    return undefined;
  }
}

export interface ProfileState {
  ready: boolean;
  profile: CustomerContext | null;
  /**
   * The app's visitor for this cart: its signed id and server-decided arms, and only once the cart's `_rp_vid`
   * carries that id (so the order is attributed to the visitor the events speak for). Null = no arm: render and
   * report nothing.
   */
  visitor: ServerVisitor | null;
}

const NOT_NEEDED: ProfileState = { ready: true, profile: null, visitor: null };
const PENDING: ProfileState = { ready: false, profile: null, visitor: null };

/**
 * The buyer's profile and the app's visitor, asked after the first render with a timeout (`?vid=` the cart's
 * `_rp_vid`: the app keeps it when it signed it, else issues a new id). Arms are never computed here: a client
 * cannot be trusted with measurement. When the app answers with an id the cart does not carry, it is written to
 * `_rp_vid`; the attribute change re-runs this hook, which then finds the answer in the shared cache. Only with the
 * buyer's analytics consent.
 */
export function useProfile(needed: boolean): ProfileState {
  const cartVid = cartVisitorId(shopifyApi().attributes.value);
  // Asking issues a tracking id and writes it to the cart, so it waits for analytics consent, as on the storefront:
  // without it the buyer gets no visitor, so no play and no event.
  const allowed = allowedProcessing().analytics;
  const [state, setState] = useState<{ vid: string | undefined; answer: ProfileAnswer } | null>(null);

  useEffect(() => {
    if (!needed || !allowed) return;
    let live = true;
    cachedProfile(cartVid).then((answer) => {
      if (!live) return;
      setState({ vid: cartVid, answer });
      if (answer.visitor && answer.visitor.id !== cartVid) void writeVisitorAttribute(answer.visitor.id);
    });
    return () => {
      live = false;
    };
  }, [needed, allowed, cartVid]);

  if (!needed || !allowed) return NOT_NEEDED;
  if (!state || state.vid !== cartVid) return PENDING;
  const { profile, visitor } = state.answer;
  return { ready: true, profile, visitor: visitor && visitor.id === cartVid ? visitor : null };
}

const PROFILE_CACHE_KEY = "rp_profile";
const PROFILE_CACHE_MS = 10 * 60 * 1000;

/**
 * Profile and visitor through `shopify.storage` (shared by this extension's targets) so step changes and sibling
 * targets do not call the backend again. A hit counts only for the visitor id the cart carries, and only
 * successful answers are cached; the write is awaited so the `_rp_vid` change it may trigger finds it.
 */
async function cachedProfile(cartVid: string | undefined): Promise<ProfileAnswer> {
  const storage = shopifyApi().storage;
  try {
    const hit = await storage.read<{ at: number; profile: unknown; visitor: unknown }>(PROFILE_CACHE_KEY);
    const visitor = toServerVisitor(hit?.visitor);
    if (hit && visitor && cartVid === visitor.id && Date.now() - hit.at < PROFILE_CACHE_MS) {
      return { ok: true, profile: toCustomerContext(hit.profile), visitor };
    }
  } catch {
    // Storage is an optimisation only.
  }
  const result = await fetchProfileResult(backendDeps(), cartVid);
  if (result.ok) {
    await storage.write(PROFILE_CACHE_KEY, { at: Date.now(), profile: result.profile, visitor: result.visitor }).catch(() => undefined);
  }
  return result;
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
 * (config, profile, cart, cart attributes, the server's arms for the cart's visitor), so they agree without
 * talking to each other. Undefined until the profile is settled; false without the app's visitor.
 */
export function useTurn(play: CheckoutPlay, config: PublishedPlaysConfig | null, profile: ProfileState): boolean | undefined {
  const api = shopifyApi();
  if (!profile.ready) return undefined;
  const visitor = profile.visitor;
  if (!visitor || !config) return false;
  const matching = matchingCheckoutPlays({
    config,
    profile: profile.profile,
    checkoutOrdersCount: checkoutOrdersCount(),
    cart: checkoutCart(),
    storefrontPlays: storefrontPlays(api.attributes.value),
  });
  return checkoutTurn(matching, (p) => (config.plays[p] ? (visitor.arms[p] ?? null) : null)) === play;
}

/**
 * What the buyer allows right now (Customer Privacy API: `allowedProcessing` combines their consent, the
 * merchant's privacy settings and their region). Without the API nothing is allowed.
 */
export function allowedProcessing(): { analytics: boolean; marketing: boolean } {
  try {
    const p = shopifyApi().customerPrivacy?.value?.allowedProcessing;
    return { analytics: p?.analytics === true, marketing: p?.marketing === true };
  } catch {
    return { analytics: false, marketing: false };
  }
}

/** Bumped when analytics consent is withdrawn: events queued under an older value are dropped, never sent. */
let consentEpoch = 0;
let watched: unknown = null;

/** Follows the buyer's consent in this sandbox (once per `customerPrivacy` object). */
function watchConsent(): void {
  try {
    const privacy = shopifyApi().customerPrivacy;
    if (!privacy || watched === privacy) return;
    watched = privacy;
    privacy.subscribe((c) => {
      if (c?.allowedProcessing?.analytics !== true) consentEpoch++;
    });
  } catch {
    // No Customer Privacy API: allowedProcessing() says no, so nothing is sent anyway.
  }
}

class ConsentWithdrawn extends Error {}

/**
 * Reports measurement events only while analytics processing is allowed. An event is queued until its session
 * token arrives; when the buyer withdraws consent meanwhile, the queued batch is dropped before anything leaves.
 */
export function reportEvents(visitorId: string, events: CheckoutEvent[]): void {
  watchConsent();
  if (!allowedProcessing().analytics) return;
  const queuedIn = consentEpoch;
  const base = backendDeps();
  void sendEvents(
    {
      ...base,
      getToken: async () => {
        const token = await base.getToken();
        if (queuedIn !== consentEpoch || !allowedProcessing().analytics) throw new ConsentWithdrawn();
        return token;
      },
    },
    visitorId,
    events,
  );
}

export interface Exposure {
  /** null while undecided, out of segment or without the app's visitor; "holdout" renders nothing. */
  arm: Arm | null;
  report: (type: CheckoutEventType) => void;
}

/**
 * The server's arm for an in-segment buyer of a published play, and measurement: `eligible` for both arms plus
 * `shown` for the treatment when it renders (it has the turn, `useTurn`), once per mount, always with the app's
 * signed id and the arm the app gave it (the events endpoint refuses anything else), and only with the buyer's
 * analytics consent (`reportEvents`).
 */
export function useExposure(
  play: PlayKey,
  published: boolean,
  inSegment: boolean | undefined,
  profile: ProfileState,
  options: { measure?: boolean; turn?: boolean } = {},
): Exposure {
  const visitor = profile.visitor;
  const arm = visitor && inSegment && published ? (visitor.arms[play] ?? null) : null;
  const measure = options.measure ?? true;
  const exposed = useRef(false);
  // The exposure is sent once per visitor, arm and measure; the rest is read as it is at that moment.
  const current = useRef({ visitor, play, turn: options.turn });
  current.current = { visitor, play, turn: options.turn };

  // engaged/dismissed: every interaction counts; eligible/shown are sent once by the effect below.
  const report = (type: CheckoutEventType) => {
    if (!visitor || !arm || !measure) return;
    reportEvents(visitor.id, [{ type, play, arm, ts: Date.now() }]);
  };

  const visitorId = visitor?.id;
  useEffect(() => {
    const { visitor, play, turn } = current.current;
    if (!visitor || !arm || !measure) return;
    if (exposed.current) return;
    exposed.current = true;
    const events: CheckoutEvent[] = [{ type: "eligible", play, arm, ts: Date.now() }];
    // A treated buyer whose turn went to a higher-priority play is eligible but was not shown this play.
    if (arm === "treatment" && turn !== false) events.push({ type: "shown", play, arm, ts: Date.now() });
    reportEvents(visitor.id, events);
  }, [visitorId, arm, measure]);

  return { arm, report };
}

/** Puts the app's id in `_rp_vid` so orders/create attributes the order to it; checkout may refuse (then no play). */
async function writeVisitorAttribute(visitorId: string): Promise<void> {
  try {
    const api = shopifyApi();
    if (!api.applyAttributeChange || !api.instructions.value.attributes.canUpdateAttributes) return;
    await api.applyAttributeChange({ type: "updateAttribute", key: VISITOR_ATTRIBUTE, value: visitorId });
  } catch {
    // Checkout must not be disturbed; without the attribute the visitor stays unset and nothing is measured.
  }
}

/** The shop's refund policy page (Shopify serves it at /policies/refund-policy on every storefront). */
export function refundPolicyUrl(storefrontUrl: string | undefined): string | null {
  if (!storefrontUrl || !/^https?:\/\//.test(storefrontUrl)) return null;
  return `${storefrontUrl.replace(/\/+$/, "")}/policies/refund-policy`;
}
