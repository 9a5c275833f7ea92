import { describe, expect, it } from "vitest";
import { RFM_GROUPS } from "../plays/types";
import { computeScale, computeShopScales, rfmGroupOf, scoreCustomer, scoreOn } from "./rfm";

const DAY = 86_400_000;

describe("computeScale / scoreOn", () => {
  it("GIVEN ten distinct values WHEN scored THEN each fifth of the population gets its quintile", () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const scale = computeScale(values);
    expect(values.map((v) => scoreOn(scale, v))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it("GIVEN tied values WHEN scored THEN equal values always get equal scores", () => {
    const values = [1, 1, 1, 1, 1, 1, 2, 2, 3, 9];
    const scale = computeScale(values);
    const scores = values.map((v) => scoreOn(scale, v));
    for (let i = 0; i < values.length; i++)
      for (let j = 0; j < values.length; j++) if (values[i] === values[j]) expect(scores[i]).toBe(scores[j]);
    expect(scores[values.length - 1]).toBe(5);
  });

  it("GIVEN the input order shuffled WHEN the scale is computed THEN the scores do not change", () => {
    const values = [5, 3, 3, 8, 1, 1, 1, 13, 2, 8, 21];
    const shuffled = [...values].reverse();
    const a = computeScale(values);
    const b = computeScale(shuffled);
    expect(values.map((v) => scoreOn(a, v))).toEqual(values.map((v) => scoreOn(b, v)));
  });

  it("GIVEN a population where everyone is equal WHEN scored THEN everyone gets the middle score 3", () => {
    const scale = computeScale([1, 1, 1, 1]);
    expect(scoreOn(scale, 1)).toBe(3);
  });

  it("GIVEN an empty population WHEN scored THEN the score is 0 (nothing to rank against)", () => {
    expect(scoreOn(computeScale([]), 42)).toBe(0);
  });

  it("GIVEN a value between observed values WHEN scored THEN it gets the score of the highest threshold it reaches", () => {
    const scale = computeScale([10, 20, 30, 40, 50]);
    expect(scoreOn(scale, 35)).toBe(scoreOn(scale, 30));
    expect(scoreOn(scale, 1000)).toBe(5);
    expect(scoreOn(scale, -5)).toBe(1);
  });
});

describe("rfmGroupOf", () => {
  it("GIVEN every R and FM combination WHEN named THEN the name is one of Shopify's CustomerRfmGroup values", () => {
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++) expect(RFM_GROUPS).toContain(rfmGroupOf(r, f, m, 3));
  });

  it("GIVEN top recency, frequency and spend WHEN named THEN CHAMPIONS", () => {
    expect(rfmGroupOf(5, 5, 5, 10)).toBe("CHAMPIONS");
  });

  it("GIVEN the lowest recency with high frequency and spend WHEN named THEN PREVIOUSLY_LOYAL", () => {
    expect(rfmGroupOf(1, 5, 4, 10)).toBe("PREVIOUSLY_LOYAL");
  });

  it("GIVEN the lowest scores everywhere WHEN named THEN DORMANT", () => {
    expect(rfmGroupOf(1, 1, 1, 1)).toBe("DORMANT");
  });

  it("GIVEN a recent single low-value order WHEN named THEN NEW", () => {
    expect(rfmGroupOf(5, 1, 1, 1)).toBe("NEW");
  });

  it("GIVEN no order WHEN named THEN PROSPECTS", () => {
    expect(rfmGroupOf(5, 5, 5, 0)).toBe("PROSPECTS");
  });
});

describe("scoreCustomer within a shop", () => {
  const now = Date.UTC(2026, 0, 1);

  it("GIVEN a single-order shop WHEN scored THEN frequency is the same middle score for every customer", () => {
    const customers = Array.from({ length: 20 }, (_, i) => ({ ordersCount: 1, netSpend: 10 + i, lastOrderAt: now - i * DAY }));
    const scales = computeShopScales(customers);
    const fs = new Set(customers.map((c) => scoreCustomer(scales, c).fScore));
    expect([...fs]).toEqual([3]);
  });

  it("GIVEN a shop with one customer WHEN scored THEN all scores are 3 and the segment is NEEDS_ATTENTION", () => {
    const c = { ordersCount: 1, netSpend: 50, lastOrderAt: now };
    const r = scoreCustomer(computeShopScales([c]), c);
    expect(r).toEqual({ rScore: 3, fScore: 3, mScore: 3, segment: "NEEDS_ATTENTION" });
  });

  it("GIVEN zero-spend customers (fully refunded) WHEN scored THEN they share the lowest monetary score", () => {
    const customers = [
      { ordersCount: 1, netSpend: 0, lastOrderAt: now },
      { ordersCount: 1, netSpend: 0, lastOrderAt: now - DAY },
      ...Array.from({ length: 8 }, (_, i) => ({ ordersCount: 2, netSpend: 100 + i * 10, lastOrderAt: now - i * DAY })),
    ];
    const scales = computeShopScales(customers);
    expect(scoreCustomer(scales, customers[0]).mScore).toBe(1);
    expect(scoreCustomer(scales, customers[1]).mScore).toBe(1);
  });

  it("GIVEN a customer without orders WHEN scored THEN PROSPECTS with zero scores, and they do not shift the others' scales", () => {
    const buyers = Array.from({ length: 5 }, (_, i) => ({ ordersCount: i + 1, netSpend: 10 * (i + 1), lastOrderAt: now - i * DAY }));
    const prospect = { ordersCount: 0, netSpend: 0, lastOrderAt: null };
    const with0 = computeShopScales([...buyers, prospect]);
    const without = computeShopScales(buyers);
    expect(scoreCustomer(with0, prospect)).toEqual({ rScore: 0, fScore: 0, mScore: 0, segment: "PROSPECTS" });
    expect(with0).toEqual(without);
  });

  it("GIVEN more recent orders WHEN scored THEN recency score never decreases", () => {
    const customers = Array.from({ length: 50 }, (_, i) => ({ ordersCount: 1, netSpend: 10, lastOrderAt: now - i * 7 * DAY }));
    const scales = computeShopScales(customers);
    const rs = customers.map((c) => scoreCustomer(scales, c).rScore);
    for (let i = 1; i < rs.length; i++) expect(rs[i]).toBeLessThanOrEqual(rs[i - 1]);
    expect(rs[0]).toBe(5);
    expect(rs[rs.length - 1]).toBe(1);
  });
});
