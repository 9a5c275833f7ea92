/**
 * The storefront engine and the checkout extension decide from the same rules (eligibility.ts): for the same
 * buyer facts, both surfaces must agree on who is in each play's segment and in which order plays win.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHECKOUT_PRIORITY,
  isBigTicket as checkoutBigTicket,
  matchingCheckoutPlays,
} from "../../../extensions/recovery-plays-checkout/src/core/eligibility";
import type { CustomerContext, RfmGroup } from "../plays/types";
import { newSession } from "../signals/session";
import { evaluatePlay, PRIORITY } from "./engine";
import { configWith, customer, input, T0 } from "../../../tests/helpers/decisionFixtures";

const SEED = 20260703;
const RUNS = 300;
const GROUPS: RfmGroup[] = ["CHAMPIONS", "LOYAL", "NEW", "AT_RISK", "DORMANT", "PROSPECTS"];
const iso = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 31) }).map((t) => new Date(t).toISOString());
const profile: fc.Arbitrary<CustomerContext | null> = fc.option(
  fc.record({
    ordersCount: fc.integer({ min: 0, max: 6 }),
    lastOrderAt: fc.option(iso, { nil: null }),
    segment: fc.constantFrom(...GROUPS),
    aov: fc.integer({ min: 0, max: 300 }),
  }).map((p) => customer(p)),
  { nil: null },
);

/** A cart page session with enough policy views for the confidence play and a long cart stall. */
function cartSession(subtotal: number, currency: string) {
  const s = newSession(T0);
  s.views.info = 5;
  s.page = { kind: "cart", product: null, since: T0, idleSince: T0 };
  s.subtotal = subtotal;
  s.cur = currency;
  return s;
}

describe("storefront and checkout agree", () => {
  it("GIVEN any buyer profile and no-purchase date WHEN both surfaces decide the confidence play THEN they agree", () => {
    fc.assert(
      fc.property(profile, fc.option(iso, { nil: null }), (p, since) => {
        const config = configWith(["confidence"]);
        config.plays.confidence!.noPurchaseSince = since;
        const storefront = evaluatePlay("confidence", input(config, { customer: p, session: cartSession(10, "EUR") })) !== null;
        const checkout = matchingCheckoutPlays({ config, profile: p, cart: { subtotal: 10, currency: "EUR" }, storefrontPlays: new Set() }).includes("confidence");
        expect(checkout).toBe(storefront);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("GIVEN any profile, cart and currency WHEN both surfaces decide the VIP segment and big-ticket rule THEN they agree", () => {
    fc.assert(
      fc.property(profile, fc.integer({ min: 0, max: 2000 }), fc.constantFrom("EUR", "USD"), (p, subtotal, currency) => {
        const config = configWith(["vip"]);
        const cart = { subtotal, currency };
        const iv = evaluatePlay("vip", input(config, { customer: p, session: cartSession(subtotal, currency), now: T0 + 3_600_000 }));
        const inSegment = p !== null && config.plays.vip!.segments.includes(p.segment);
        expect(iv !== null).toBe(inSegment);
        if (iv) expect(iv.bnpl).toBe(checkoutBigTicket(config.plays.vip!, config, p, cart));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("GIVEN the two priority lists WHEN compared THEN checkout's is the storefront's order restricted to its plays", () => {
    expect(CHECKOUT_PRIORITY).toEqual(PRIORITY.filter((p) => p !== "indecision"));
  });
});
