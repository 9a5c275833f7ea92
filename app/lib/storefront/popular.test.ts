import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { HANDLE, rankBySales } from "./popular";

describe("popular alternatives", () => {
  it("GIVEN Shopify's related products and the shop's recent sales WHEN ranked THEN the most sold come first, the rest in Shopify's order", () => {
    const related = [{ handle: "a" }, { handle: "b" }, { handle: "c" }, { handle: "d" }];
    expect(rankBySales(related, { c: 9, b: 2 }).map((x) => x.handle)).toEqual(["c", "b", "a", "d"]);
  });
  it("GIVEN no sales known WHEN ranked THEN Shopify's order is kept", () => {
    const related = [{ handle: "x" }, {}, { handle: "y" }];
    expect(rankBySales(related, {})).toEqual(related);
  });
  it("GIVEN any list and any sales WHEN ranked THEN it is a permutation ordered by sales", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { maxLength: 10 }), fc.dictionary(fc.constantFrom("a", "b", "c"), fc.nat(50)), (hs, sales) => {
        const items = hs.map((handle, i) => ({ handle, i }));
        const ranked = rankBySales(items, sales);
        expect([...ranked].sort((p, q) => p.i - q.i)).toEqual(items);
        for (let k = 1; k < ranked.length; k++) expect(sales[ranked[k - 1].handle] ?? 0).toBeGreaterThanOrEqual(sales[ranked[k].handle] ?? 0);
      }),
    );
  });
  it("GIVEN handles WHEN checked THEN Shopify-style handles pass and anything else is refused", () => {
    expect(["linen-shirt", "t-shirt-2", "été-robe"].every((h) => HANDLE.test(h))).toBe(true);
    expect(["", "A", "a/b", "a,b", "a b", "x".repeat(256)].some((h) => HANDLE.test(h))).toBe(false);
  });
});
