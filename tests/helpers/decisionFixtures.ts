/** Shared builders for decision-engine tests and the storefront bench (pure). */
import { DEFAULT_BANDS, defaultSettings } from "../../app/lib/plays/defaults";
import type { CustomerContext, PlayKey, PublishedPlaysConfig } from "../../app/lib/plays/types";
import { newSession, newVisitor } from "../../app/lib/signals/session";
import type { SessionSignals, VisitorState } from "../../app/lib/signals/types";
import type { DecisionInput } from "../../app/lib/decisions/types";

export const T0 = Date.UTC(2026, 5, 3, 12, 0, 0);

/** A published config with the given plays enabled at their defaults, holdout 0 unless overridden. */
export function configWith(plays: PlayKey[], holdoutPercent = 0): PublishedPlaysConfig {
  const c: PublishedPlaysConfig = {
    version: 1, bands: { ...DEFAULT_BANDS }, plays: {},
    shop: { currency: "EUR", aov: 50, bundleDiscountTitle: "Bundle & Save" },
    pageStats: {},
  };
  for (const p of plays) {
    const st = defaultSettings(p);
    st.holdoutPercent = holdoutPercent;
    (c.plays as Record<string, unknown>)[p] = st;
  }
  return c;
}

export function customer(over: Partial<CustomerContext> = {}): CustomerContext {
  return { stage: "repeat_customer", segment: "CHAMPIONS", ordersCount: 4, aov: 80, lastOrderAt: "2026-04-01T00:00:00Z", ...over };
}

export function input(config: PublishedPlaysConfig, over: Partial<DecisionInput> & { session?: SessionSignals; visitor?: VisitorState } = {}): DecisionInput {
  return {
    config,
    session: over.session ?? newSession(T0),
    visitor: over.visitor ?? newVisitor("visitor-0001", T0),
    customer: over.customer ?? null,
    propensity: over.propensity ?? null,
    now: over.now ?? T0,
    consent: over.consent ?? true,
    active: over.active ?? null,
    fx: over.fx ?? null,
  };
}
