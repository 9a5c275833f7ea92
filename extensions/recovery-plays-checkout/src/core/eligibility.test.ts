// @vitest-environment node
import { describe, expect, test } from "vitest";
import { defaultSettings } from "../../../../app/lib/plays/defaults";
import { customer, publishedConfig } from "../testing/fixtures";
import { bundleDiscountPercent, checkoutTurn, conciergeHref, isBigTicket, isFirstTimeBuyer, isVip, matchingCheckoutPlays } from "./eligibility";

describe("isFirstTimeBuyer", () => {
  const settings = defaultSettings("confidence");

  test("GIVEN a profile with orders and no date filter WHEN checked THEN is not first-time", () => {
    expect(isFirstTimeBuyer(settings, { profile: customer({ ordersCount: 2 }) })).toBe(false);
  });

  test("GIVEN noPurchaseSince after the last order WHEN checked THEN counts as first-time again", () => {
    const since = { ...settings, noPurchaseSince: "2026-03-01" };

    expect(isFirstTimeBuyer(since, { profile: customer({ ordersCount: 2, lastOrderAt: "2025-12-01T00:00:00Z" }) })).toBe(true);
  });

  test("GIVEN no profile but checkout says the customer has orders WHEN checked THEN is not first-time", () => {
    expect(isFirstTimeBuyer(settings, { profile: null, checkoutOrdersCount: 5 })).toBe(false);
  });

  test("GIVEN nothing is known about the buyer WHEN checked THEN counts as first-time", () => {
    expect(isFirstTimeBuyer(settings, { profile: null })).toBe(true);
  });
});

describe("isVip / isBigTicket", () => {
  const vip = defaultSettings("vip");
  const config = publishedConfig(["vip"], { shop: { aov: 50 } });

  test("GIVEN an unknown buyer WHEN checked THEN is not a VIP", () => {
    expect(isVip(vip, null)).toBe(false);
  });

  test("GIVEN a cart just below 3× the buyer's AOV WHEN checked THEN is not big-ticket", () => {
    expect(isBigTicket(vip, config, customer({ aov: 100 }), { subtotal: 299.99, currency: "USD" })).toBe(false);
  });

  test("GIVEN a buyer without AOV WHEN the cart reaches 3× the shop AOV THEN is big-ticket", () => {
    expect(isBigTicket(vip, config, customer({ aov: 0 }), { subtotal: 150, currency: "USD" })).toBe(true);
  });
});

describe("bundleDiscountPercent", () => {
  test("GIVEN a percent above the cap WHEN computed THEN the cap applies", () => {
    const settings = { ...defaultSettings("deal_seeker"), discountPercent: 30, discountCapPercent: 15 };
    const config = publishedConfig(["deal_seeker"], { shop: { bundleDiscountTitle: "Bundle" } });

    expect(bundleDiscountPercent(settings, config)).toBe(15);
  });
});

describe("conciergeHref", () => {
  test.each([
    ["help@shop.example", "mailto:help@shop.example"],
    ["https://shop.example/help", "https://shop.example/help"],
    ["javascript:alert(1)", null],
    ["call us", null],
  ])("GIVEN contact %s WHEN turned into a link THEN href is %s", (contact, href) => {
    expect(conciergeHref(contact)).toBe(href);
  });
});

describe("one intervention at a time in checkout", () => {
  const all = publishedConfig(["vip", "confidence", "deal_seeker"], { shop: { aov: 50 } });
  const cart = { subtotal: 40, currency: "USD" };
  const flagged = new Set(["deal_seeker"]);

  test("GIVEN an unknown buyer with a big cart whom the storefront flagged as a deal seeker WHEN matched THEN all three plays match, VIP first and the bundle last", () => {
    const matching = matchingCheckoutPlays({ config: all, profile: null, cart: { subtotal: 500, currency: "USD" }, storefrontPlays: flagged });
    expect(matching).toEqual(["vip", "confidence", "deal_seeker"]);
    expect(checkoutTurn(matching, () => "treatment")).toBe("vip");
  });

  test("GIVEN a repeat customer flagged as a deal seeker with a small cart WHEN matched THEN only the bundle matches and has the turn", () => {
    const matching = matchingCheckoutPlays({ config: all, profile: customer({ ordersCount: 3, segment: "PROMISING", aov: 60 }), cart, storefrontPlays: flagged });
    expect(matching).toEqual(["deal_seeker"]);
    expect(checkoutTurn(matching, () => "treatment")).toBe("deal_seeker");
  });

  test("GIVEN the higher play's holdout WHEN the turn is decided THEN the next matching play in its treatment arm shows", () => {
    expect(checkoutTurn(["confidence", "deal_seeker"], (p) => (p === "confidence" ? "holdout" : "treatment"))).toBe("deal_seeker");
    expect(checkoutTurn(["confidence", "deal_seeker"], () => "holdout")).toBeNull();
  });

  test("GIVEN a play that is off or not on the checkout surface WHEN matched THEN it never takes the turn", () => {
    const onlyBundle = publishedConfig(["deal_seeker"]);
    expect(matchingCheckoutPlays({ config: onlyBundle, profile: null, cart: { subtotal: 500, currency: "USD" }, storefrontPlays: flagged })).toEqual(["deal_seeker"]);
    const cartOnly = publishedConfig(["confidence", "deal_seeker"]);
    cartOnly.plays.confidence!.surfaces = ["cart"];
    expect(matchingCheckoutPlays({ config: cartOnly, profile: null, cart, storefrontPlays: flagged })).toEqual(["deal_seeker"]);
    expect(matchingCheckoutPlays({ config: null, profile: null, cart, storefrontPlays: flagged })).toEqual([]);
  });
});
