import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fxOf, toPresentment, toShopCurrency } from "./money";

describe("money across currencies", () => {
  it("GIVEN Shopify's storefront currency object WHEN read THEN the active currency and numeric rate, or null when unusable", () => {
    expect(fxOf({ active: "EUR", rate: "0.92" })).toEqual({ currency: "EUR", rate: 0.92 });
    for (const bad of [null, undefined, {}, { active: "EUR" }, { active: "EUR", rate: "0" }, { active: "EUR", rate: "x" }, { active: "eur", rate: "1" }]) expect(fxOf(bad)).toBeNull();
  });
  it("GIVEN a euro cart in a dollar shop at 0.92 WHEN compared THEN it is converted to dollars, and a 75 USD threshold reads 69 EUR", () => {
    const fx = { currency: "EUR", rate: 0.92 };
    expect(toShopCurrency(46, "EUR", "USD", fx)).toBeCloseTo(50);
    expect(toPresentment(75, "USD", "EUR", fx)).toBeCloseTo(69);
  });
  it("GIVEN no rate, or a rate for another currency WHEN converting THEN null (nothing is compared or shown)", () => {
    expect(toShopCurrency(46, "EUR", "USD", null)).toBeNull();
    expect(toPresentment(75, "USD", "GBP", { currency: "EUR", rate: 0.92 })).toBeNull();
  });
  it("GIVEN the shop's own currency WHEN converting THEN the amount is unchanged, with or without a rate", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (a) => {
      expect(toShopCurrency(a, "USD", "USD", null)).toBe(a);
      expect(toPresentment(a, "USD", "USD", { currency: "EUR", rate: 2 })).toBe(a);
    }));
  });
  it("GIVEN any rate WHEN an amount goes to the shopper's currency and back THEN it is the same amount", () => {
    fc.assert(fc.property(fc.double({ min: 0.01, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (rate, a) => {
      const fx = { currency: "JPY", rate };
      expect(toShopCurrency(toPresentment(a, "USD", "JPY", fx)!, "JPY", "USD", fx)).toBeCloseTo(a, 6);
    }));
  });
});
