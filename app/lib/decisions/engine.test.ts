import { describe, expect, it } from "vitest";
import { assignArm } from "../stats/assignment";
import { applySignal, newSession, newVisitor } from "../signals/session";
import type { PageKind, SessionSignals, VisitorState } from "../signals/types";
import type { PlayKey } from "../plays/types";
import { bandOf, decide, isCapped, PRIORITY, recordShown } from "./engine";
import { configWith, customer, input, T0 } from "../../../tests/helpers/decisionFixtures";

const S = 1000;
const MIN = 60 * S;

function journey(steps: Array<[number, PageKind, string?]>, start = T0): { s: SessionSignals; v: VisitorState } {
  const v = newVisitor("visitor-0001", start);
  const s = newSession(start);
  for (const [at, kind, productId] of steps) applySignal(s, v, { type: "page_view", ts: start + at, kind, productId });
  return { s, v };
}

/** A visitor id whose arm in `play` at `percent` holdout is `arm` (found, not assumed). */
function visitorIn(play: PlayKey, percent: number, arm: "holdout" | "treatment"): string {
  for (let i = 0; i < 10000; i++) if (assignArm(`v-${i}-abcdef`, play, percent) === arm) return `v-${i}-abcdef`;
  throw new Error("no visitor found");
}

function infoViewsThenCart(n: number) {
  const steps: Array<[number, PageKind]> = [];
  for (let i = 0; i < n; i++) steps.push([i * 10 * S, "info"]);
  steps.push([n * 10 * S, "cart"]);
  return journey(steps);
}

describe("confidence play: policy views > policyViewsMoreThan", () => {
  const config = configWith(["confidence"]);
  it("GIVEN 2 policy views and no purchase WHEN the cart is viewed THEN nothing is eligible", () => {
    const { s, v } = infoViewsThenCart(2);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).eligible).toEqual([]);
  });
  it("GIVEN 3 policy views and no purchase WHEN the cart is viewed THEN returns confidence is shown", () => {
    const { s, v } = infoViewsThenCart(3);
    const d = decide(input(config, { session: s, visitor: v, now: s.last }));
    expect(d.show?.kind).toBe("returns_confidence");
    expect(d.show?.message.heading).toBe(config.plays.confidence!.message.heading);
  });
  it("GIVEN 3 policy views WHEN the shopper is on a product page THEN nothing is eligible (cart surface only)", () => {
    const { s, v } = journey([[0, "info"], [S, "info"], [2 * S, "info"], [3 * S, "product", "7"]]);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).show).toBeNull();
  });
  it("GIVEN a customer with orders WHEN 3 policy views then the cart THEN nothing is eligible", () => {
    const { s, v } = infoViewsThenCart(3);
    expect(decide(input(config, { session: s, visitor: v, now: s.last, customer: customer({ ordersCount: 2 }) })).show).toBeNull();
  });
  it("GIVEN noPurchaseSince after the customer's last order WHEN 3 policy views then the cart THEN it is eligible", () => {
    const c = configWith(["confidence"]);
    c.plays.confidence!.noPurchaseSince = "2026-05-01";
    const { s, v } = infoViewsThenCart(3);
    const d = decide(input(c, { session: s, visitor: v, now: s.last, customer: customer({ lastOrderAt: "2026-04-01T00:00:00Z" }) }));
    expect(d.show?.play).toBe("confidence");
  });
  it("GIVEN a purchase known on this device WHEN an anonymous shopper qualifies otherwise THEN nothing is eligible", () => {
    const { s, v } = infoViewsThenCart(3);
    v.purchasedAt = T0 - 5 * MIN;
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).show).toBeNull();
  });
  it("GIVEN a low-propensity anonymous shopper WHEN eligible THEN the guest checkout prompt is added", () => {
    const { s, v } = infoViewsThenCart(3);
    const d = decide(input(config, { session: s, visitor: v, now: s.last, propensity: 0.1 }));
    expect(d.show?.checkoutPrompt).toBe("guest");
    expect(d.show?.parts).toEqual(["returns_confidence", "checkout_prompt"]);
  });
  it("GIVEN a loyalist with no purchase since the merchant's date WHEN eligible THEN the account prompt is added", () => {
    const c = configWith(["confidence"]);
    c.plays.confidence!.noPurchaseSince = "2026-05-01";
    const { s, v } = infoViewsThenCart(3);
    const d = decide(input(c, { session: s, visitor: v, now: s.last, propensity: 0.1, customer: customer({ stage: "loyalist" }) }));
    expect(d.show?.checkoutPrompt).toBe("account");
  });
  it("GIVEN a medium-propensity anonymous shopper WHEN eligible THEN no checkout prompt is added", () => {
    const { s, v } = infoViewsThenCart(3);
    const d = decide(input(config, { session: s, visitor: v, now: s.last, propensity: 0.3 }));
    expect(d.show?.checkoutPrompt).toBeUndefined();
  });
  it("GIVEN checkoutPrompt off WHEN a low-propensity shopper is eligible THEN no checkout prompt is added", () => {
    const c = configWith(["confidence"]);
    c.plays.confidence!.checkoutPrompt = false;
    const { s, v } = infoViewsThenCart(3);
    expect(decide(input(c, { session: s, visitor: v, now: s.last, propensity: 0.05 })).show?.parts).toEqual(["returns_confidence"]);
  });
});

describe("vip play: cart stall > stallSeconds", () => {
  const config = configWith(["vip"]);
  const cart = () => journey([[0, "product", "1"], [5 * S, "cart"]]);
  it("GIVEN a CHAMPIONS customer WHEN stalled 44 s on the cart THEN nothing is eligible", () => {
    const { s, v } = cart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 44 * S, customer: customer() })).eligible).toEqual([]);
  });
  it("GIVEN a CHAMPIONS customer WHEN stalled 46 s on the cart THEN payment options are shown", () => {
    const { s, v } = cart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer() })).show?.kind).toBe("payment_options");
  });
  it("GIVEN a stall of 46 s WHEN the cart changed 10 s ago THEN the stall restarts and nothing is eligible", () => {
    const { s, v } = cart();
    applySignal(s, v, { type: "remove_from_cart", ts: s.last + 36 * S, productId: "1" });
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 10 * S, customer: customer() })).show).toBeNull();
  });
  it("GIVEN an AT_RISK customer WHEN stalled 46 s THEN nothing is eligible (segment)", () => {
    const { s, v } = cart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer({ segment: "AT_RISK" }) })).show).toBeNull();
  });
  it("GIVEN an anonymous shopper WHEN stalled 46 s THEN nothing is eligible (VIPs are known customers)", () => {
    const { s, v } = cart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 46 * S })).show).toBeNull();
  });
  it("GIVEN a cart of 2.9× the customer's AOV WHEN shown THEN BNPL is not emphasised", () => {
    const { s, v } = cart();
    applySignal(s, v, { type: "cart_updated", ts: s.last, subtotal: 2.9 * 80 });
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer({ aov: 80 }) })).show?.bnpl).toBe(false);
  });
  it("GIVEN a cart of exactly 3× the customer's AOV WHEN shown THEN BNPL is emphasised", () => {
    const { s, v } = cart();
    applySignal(s, v, { type: "cart_updated", ts: s.last, subtotal: 3 * 80 });
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer({ aov: 80 }) })).show?.bnpl).toBe(true);
  });
  it("GIVEN a customer without AOV WHEN the cart is 3× the shop AOV THEN BNPL is emphasised", () => {
    const { s, v } = cart();
    applySignal(s, v, { type: "cart_updated", ts: s.last, subtotal: 3 * config.shop.aov });
    expect(decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer({ aov: 0 }) })).show?.bnpl).toBe(true);
  });
  it("GIVEN a euro cart of 3× the dollar AOV after Shopify's rate WHEN shown THEN BNPL is emphasised; without a rate it is not", () => {
    const { s, v } = cart();
    // 120 EUR at 0.5 EUR per USD = 240 USD = 3 × 80 USD.
    applySignal(s, v, { type: "cart_updated", ts: s.last, subtotal: 120, currency: "EUR" });
    const c = { ...config, shop: { ...config.shop, currency: "USD" } };
    const at = (fx: { currency: string; rate: number } | null) =>
      decide(input(c, { session: s, visitor: v, now: s.last + 46 * S, customer: customer({ aov: 80 }), fx })).show?.bnpl;
    expect(at({ currency: "EUR", rate: 0.5 })).toBe(true);
    expect(at(null)).toBe(false);
  });
  it("GIVEN a concierge contact WHEN shown THEN the concierge part is revealed too", () => {
    const c = configWith(["vip"]);
    c.plays.vip!.conciergeContact = "vip@example.com";
    const { s, v } = cart();
    expect(decide(input(c, { session: s, visitor: v, now: s.last + 46 * S, customer: customer() })).show?.parts).toEqual(["payment_options", "concierge"]);
  });
});

describe("indecision play: session > sessionMinutes AND removals > removalsMoreThan", () => {
  const config = configWith(["indecision"]);
  function undecided(removals: number, minutes: number) {
    const { s, v } = journey([[0, "product", "1"]]);
    for (let i = 0; i < removals; i++) {
      applySignal(s, v, { type: "add_to_cart", ts: T0 + (i + 1) * S, productId: "1" });
      applySignal(s, v, { type: "remove_from_cart", ts: T0 + (i + 1) * S + 500, productId: "1" });
    }
    applySignal(s, v, { type: "page_view", ts: T0 + minutes * MIN, kind: "cart" });
    return { s, v };
  }
  it("GIVEN 3 removals WHEN the session is exactly 10 min THEN nothing is eligible", () => {
    const { s, v } = undecided(3, 10);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).eligible).toEqual([]);
  });
  it("GIVEN 3 removals WHEN the session is 11 min THEN alternatives for the removed product are shown", () => {
    const { s, v } = undecided(3, 11);
    const d = decide(input(config, { session: s, visitor: v, now: s.last }));
    expect(d.show?.kind).toBe("alternatives");
    expect(d.show?.productId).toBe("1");
  });
  it("GIVEN 2 removals WHEN the session is 11 min THEN nothing is eligible", () => {
    const { s, v } = undecided(2, 11);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).eligible).toEqual([]);
  });
});

describe("deal-seeker play: low propensity, same product ≥ sameProductViewsAtLeast, no add-to-cart", () => {
  const config = configWith(["deal_seeker"]);
  const views = (n: number) => journey(Array.from({ length: n }, (_, i) => [i * 30 * S, "product", "42"] as [number, PageKind, string]));
  it("GIVEN 2 views of the same product WHEN low propensity THEN nothing is eligible", () => {
    const { s, v } = views(2);
    expect(decide(input(config, { session: s, visitor: v, now: s.last, propensity: 0.1 })).eligible).toEqual([]);
  });
  it("GIVEN 3 views of the same product WHEN low propensity THEN the bundle for that product is shown", () => {
    const { s, v } = views(3);
    const d = decide(input(config, { session: s, visitor: v, now: s.last, propensity: 0.1 }));
    expect(d.show).toMatchObject({ kind: "bundle", productId: "42" });
  });
  it("GIVEN 3 views WHEN propensity sits exactly on the low band edge (0.2) THEN nothing is eligible (medium)", () => {
    const { s, v } = views(3);
    expect(decide(input(config, { session: s, visitor: v, now: s.last, propensity: config.bands.low })).show).toBeNull();
  });
  it("GIVEN 3 views and an add-to-cart this session WHEN low propensity THEN nothing is eligible", () => {
    const { s, v } = views(3);
    applySignal(s, v, { type: "add_to_cart", ts: s.last + S, productId: "9" });
    expect(decide(input(config, { session: s, visitor: v, now: s.last, propensity: 0.1 })).show).toBeNull();
  });
  it("GIVEN 3 views WHEN no propensity could be computed THEN nothing is eligible (never discount blind)", () => {
    const { s, v } = views(3);
    expect(decide(input(config, { session: s, visitor: v, now: s.last, propensity: null })).show).toBeNull();
  });
  it("GIVEN 3 visits this week, a cart under the free-shipping threshold WHEN low propensity on the product page THEN the hint is shown", () => {
    const c = configWith(["deal_seeker"]);
    c.plays.deal_seeker!.freeShippingThreshold = 75;
    const { s, v } = journey([[0, "product", "5"]]);
    v.visits = [T0 - 3 * 86400000, T0 - 86400000, T0];
    applySignal(s, v, { type: "cart_updated", ts: T0 + S, subtotal: 40 });
    expect(decide(input(c, { session: s, visitor: v, now: T0 + S, propensity: 0.1 })).show?.kind).toBe("free_shipping_hint");
  });
  const priceSensitiveAtCart = (subtotal: number, currency: string) => {
    const { s, v } = journey([[0, "product", "5"], [5, "cart"]]);
    v.visits = [T0 - 3 * 86400000, T0 - 86400000, T0];
    applySignal(s, v, { type: "cart_updated", ts: T0 + 6 * S, subtotal, currency });
    return { s, v };
  };
  const hintConfig = () => {
    const c = configWith(["deal_seeker"]);
    c.plays.deal_seeker!.freeShippingThreshold = 75;
    c.shop.currency = "USD";
    return c;
  };
  it("GIVEN a price-sensitive shopper on the cart WHEN under the threshold THEN the free-shipping hint reaches the cart", () => {
    const { s, v } = priceSensitiveAtCart(40, "USD");
    expect(decide(input(hintConfig(), { session: s, visitor: v, now: T0 + 6 * S, propensity: 0.1 })).show?.kind).toBe("free_shipping_hint");
  });
  it("GIVEN a euro cart in a dollar shop WHEN Shopify's rate converts it THEN the threshold is compared in dollars", () => {
    const fx = { currency: "EUR", rate: 0.5 };
    // 40 EUR = 80 USD: over the 75 USD threshold, although 40 < 75.
    const over = priceSensitiveAtCart(40, "EUR");
    expect(decide(input(hintConfig(), { session: over.s, visitor: over.v, now: T0 + 6 * S, propensity: 0.1, fx })).show).toBeNull();
    const under = priceSensitiveAtCart(30, "EUR");
    expect(decide(input(hintConfig(), { session: under.s, visitor: under.v, now: T0 + 6 * S, propensity: 0.1, fx })).show?.kind).toBe("free_shipping_hint");
  });
  it("GIVEN a cart in another currency and no rate WHEN price-sensitive THEN no hint (its amount could not be true)", () => {
    const { s, v } = priceSensitiveAtCart(10, "EUR");
    expect(decide(input(hintConfig(), { session: s, visitor: v, now: T0 + 6 * S, propensity: 0.1, fx: null })).show).toBeNull();
  });
  it("GIVEN only 2 visits this week WHEN otherwise price-sensitive THEN no free-shipping hint", () => {
    const c = configWith(["deal_seeker"]);
    c.plays.deal_seeker!.freeShippingThreshold = 75;
    const { s, v } = journey([[0, "product", "5"]]);
    v.visits = [T0 - 86400000, T0];
    applySignal(s, v, { type: "cart_updated", ts: T0 + S, subtotal: 40 });
    expect(decide(input(c, { session: s, visitor: v, now: T0 + S, propensity: 0.1 })).show).toBeNull();
  });
});

describe("propensity bands", () => {
  const bands = { low: 0.2, high: 0.6 };
  it("GIVEN p just under the low edge WHEN banded THEN low", () => expect(bandOf(0.1999, bands)).toBe("low"));
  it("GIVEN p on the low edge WHEN banded THEN medium", () => expect(bandOf(0.2, bands)).toBe("medium"));
  it("GIVEN p just under the high edge WHEN banded THEN medium", () => expect(bandOf(0.5999, bands)).toBe("medium"));
  it("GIVEN p on the high edge WHEN banded THEN high", () => expect(bandOf(0.6, bands)).toBe("high"));
  it("GIVEN no propensity WHEN banded THEN no band", () => expect(bandOf(null, bands)).toBeNull());
});

describe("caps, holdout, priority, consent", () => {
  const eligibleCart = () => infoViewsThenCart(3);
  it("GIVEN a play shown once today with a cap of 1/day WHEN eligible again THEN it is eligible but not shown", () => {
    const config = configWith(["confidence"]);
    const { s, v } = eligibleCart();
    recordShown(v, "confidence", config, s.last - MIN);
    const d = decide(input(config, { session: s, visitor: v, now: s.last }));
    expect(d.eligible).toEqual([{ play: "confidence", arm: "treatment" }]);
    expect(d.show).toBeNull();
  });
  it("GIVEN a showing 25 hours ago with a cap of 1/day WHEN eligible again THEN it is shown", () => {
    const config = configWith(["confidence"]);
    const { s, v } = eligibleCart();
    recordShown(v, "confidence", config, s.last - 25 * 60 * MIN);
    expect(isCapped(v, "confidence", config, s.last)).toBe(false);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).show?.play).toBe("confidence");
  });
  it("GIVEN a cap of 2 per 3 days and one showing WHEN eligible again THEN it is shown", () => {
    const config = configWith(["confidence"]);
    config.plays.confidence!.frequencyCapCount = 2;
    config.plays.confidence!.frequencyCapDays = 3;
    const { s, v } = eligibleCart();
    recordShown(v, "confidence", config, s.last - 48 * 60 * MIN);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).show?.play).toBe("confidence");
  });
  it("GIVEN a holdout visitor WHEN eligible THEN eligibility is recorded with the holdout arm and nothing is shown", () => {
    const config = configWith(["confidence"], 50);
    const { s } = eligibleCart();
    const v = newVisitor(visitorIn("confidence", 50, "holdout"), T0);
    const d = decide(input(config, { session: s, visitor: v, now: s.last }));
    expect(d.eligible).toEqual([{ play: "confidence", arm: "holdout" }]);
    expect(d.show).toBeNull();
  });
  it("GIVEN a treatment visitor at 50 % holdout WHEN eligible THEN it is shown", () => {
    const config = configWith(["confidence"], 50);
    const { s } = eligibleCart();
    const v = newVisitor(visitorIn("confidence", 50, "treatment"), T0);
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).show?.play).toBe("confidence");
  });
  it("GIVEN VIP and confidence both eligible WHEN deciding THEN only the VIP play is shown and both are eligible", () => {
    const config = configWith(["confidence", "vip"]);
    config.plays.confidence!.noPurchaseSince = "2026-05-01";
    const { s, v } = eligibleCart();
    const d = decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer() }));
    expect(d.show?.play).toBe("vip");
    expect(d.eligible.map((e) => e.play)).toEqual(["vip", "confidence"]);
  });
  it("GIVEN the higher-priority play in holdout WHEN the next play is eligible THEN the next play is shown", () => {
    const config = configWith(["confidence", "vip"]);
    config.plays.vip!.holdoutPercent = 50;
    config.plays.confidence!.noPurchaseSince = "2026-05-01";
    const { s } = eligibleCart();
    const v = newVisitor(visitorIn("vip", 50, "holdout"), T0);
    const d = decide(input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer() }));
    expect(d.show?.play).toBe("confidence");
  });
  it("GIVEN an intervention already active on the page WHEN another play becomes eligible THEN nothing new is shown", () => {
    const config = configWith(["confidence"]);
    const { s, v } = eligibleCart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last, active: "vip" })).show).toBeNull();
  });
  it("GIVEN the shopper dismissed the play this session WHEN eligible again THEN it is not shown", () => {
    const config = configWith(["confidence"]);
    const { s, v } = eligibleCart();
    s.dismissed.push("confidence");
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).show).toBeNull();
  });
  it("GIVEN analytics consent is denied WHEN every rule holds THEN nothing is eligible or shown", () => {
    const config = configWith(["confidence"]);
    const { s, v } = eligibleCart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last, consent: false }))).toEqual({ eligible: [], show: null });
  });
  it("GIVEN a play that is not in the published config WHEN its rule holds THEN nothing is eligible", () => {
    const config = configWith(["vip"]);
    const { s, v } = eligibleCart();
    expect(decide(input(config, { session: s, visitor: v, now: s.last })).eligible).toEqual([]);
  });
  it("GIVEN the priority order WHEN listed THEN every play appears exactly once", () => {
    expect([...PRIORITY].sort()).toEqual(["confidence", "deal_seeker", "indecision", "vip"]);
  });
});

describe("server-decided arms", () => {
  it("GIVEN arms from the app proxy WHEN a play is eligible THEN the server's arm wins over local hashing", async () => {
    const { configWith, input, customer } = await import("../../../tests/helpers/decisionFixtures");
    const config = configWith(["vip"], 50);
    // A CHAMPIONS customer stalled 46 s on the cart: the VIP play is eligible.
    const { s, v } = journey([[0, "product", "1"], [5 * S, "cart"]]);
    const base = input(config, { session: s, visitor: v, now: s.last + 46 * S, customer: customer() });
    for (const arm of ["treatment", "holdout"] as const) {
      const arms = { vip: arm };
      const { eligible } = decide({ ...base, arms });
      expect(eligible.length).toBeGreaterThan(0);
      for (const e of eligible) expect(e.arm).toBe(arm);
    }
    // Without arms (tests, benches) the local hash stands.
    for (const e of decide(base).eligible) expect(e.arm).toBe(assignArm(base.visitor.id, e.play, 50));
  });
});
