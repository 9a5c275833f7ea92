import { describe, expect, it } from "vitest";
import { analyzeLift } from "./lift";
import { erfc, sampleRatioTest } from "./srm";

describe("sampleRatioTest", () => {
  it("GIVEN exactly the configured 90/10 split WHEN tested THEN χ² is 0 and p is 1", () => {
    const r = sampleRatioTest(900, 100, 0.1);
    expect(r.chiSquare).toBe(0);
    expect(r.pValue).toBeCloseTo(1, 6);
    expect(r.mismatch).toBe(false);
  });

  it("GIVEN 520/480 against 50/50 WHEN tested THEN χ² = 1.6 by hand and p ≈ 0.2059 (no mismatch)", () => {
    // Expected 500/500: (20² + 20²) / 500 = 1.6; P(χ²₁ ≥ 1.6) = erfc(√0.8) = 0.20590.
    const r = sampleRatioTest(520, 480, 0.5);
    expect(r.chiSquare).toBeCloseTo(1.6, 10);
    expect(r.pValue).toBeCloseTo(0.2059, 4);
    expect(r.mismatch).toBe(false);
  });

  it("GIVEN 850/150 against 90/10 WHEN tested THEN χ² = 27.78 by hand and p < 0.001 (mismatch)", () => {
    // Expected 900/100: 50²/900 + 50²/100 = 2.777… + 25 = 27.777…; p = erfc(√13.89) ≈ 1.36e-7.
    const r = sampleRatioTest(850, 150, 0.1);
    expect(r.chiSquare).toBeCloseTo(27.7778, 4);
    expect(r.pValue).toBeLessThan(1e-6);
    expect(r.pValue).toBeGreaterThan(1e-8);
    expect(r.mismatch).toBe(true);
  });

  it("GIVEN a split at the 0.001 boundary (χ² = 10.83) WHEN tested THEN p ≈ 0.001", () => {
    // χ²₁ critical value for p = 0.001 is 10.828; at 50/50 over 5,000 visitors χ² = 2·d²/2500 for a deviation d.
    expect(sampleRatioTest(2617, 2383, 0.5).mismatch).toBe(true); // χ² = 10.95, p ≈ 0.00094
    expect(sampleRatioTest(2615, 2385, 0.5).mismatch).toBe(false); // χ² = 10.58, p ≈ 0.00114
  });

  it("GIVEN no holdout share or no visitors WHEN tested THEN the test does not run (p = 1)", () => {
    expect(sampleRatioTest(100, 0, 0)).toEqual({ chiSquare: 0, pValue: 1, mismatch: false });
    expect(sampleRatioTest(0, 0, 0.1)).toEqual({ chiSquare: 0, pValue: 1, mismatch: false });
  });

  it("GIVEN erfc WHEN evaluated at known points THEN it matches the tables", () => {
    expect(erfc(0)).toBeCloseTo(1, 6);
    expect(erfc(1)).toBeCloseTo(0.157299, 6);
    expect(erfc(-1)).toBeCloseTo(1.842701, 6);
    expect(erfc(3)).toBeCloseTo(2.209e-5, 8);
  });
});

describe("analyzeLift without a control or with a broken split", () => {
  it("GIVEN a 0 % holdout with treated orders WHEN analysed THEN no lift figure and 'no holdout'", () => {
    const r = analyzeLift({ visitors: 2, converted: 1, revenue: 50 }, { visitors: 0, converted: 0, revenue: 0 }, { expectedHoldoutShare: 0 });
    expect([r.verdict, r.reason]).toEqual(["no_control", "no_holdout"]);
    expect(r.relativeLift).toBeNull();
    expect(r.incrementalOrders.estimate).toBe(0);
  });

  it("GIVEN a configured holdout that received nobody WHEN analysed THEN 'no holdout' too", () => {
    const r = analyzeLift({ visitors: 5000, converted: 200, revenue: 1 }, { visitors: 0, converted: 0, revenue: 0 });
    expect(r.verdict).toBe("no_control");
  });

  it("GIVEN a holdout arm of 3 visitors WHEN analysed THEN the arm is too small to estimate", () => {
    const r = analyzeLift({ visitors: 27, converted: 3, revenue: 1 }, { visitors: 3, converted: 0, revenue: 0 }, { expectedHoldoutShare: 0.1 });
    expect([r.verdict, r.reason]).toEqual(["no_control", "arm_too_small"]);
  });

  it("GIVEN a strong lift on an arm split that contradicts the configuration WHEN analysed THEN 'data quality problem', no lift", () => {
    const r = analyzeLift(
      { visitors: 20000, converted: 1200, revenue: 60000 },
      { visitors: 4000, converted: 100, revenue: 5000 },
      { expectedHoldoutShare: 0.1 },
    );
    expect([r.verdict, r.reason]).toEqual(["data_quality", "sample_ratio_mismatch"]);
    expect(r.sampleRatio.pValue).toBeLessThan(0.001);
    expect(r.relativeLift).toBeNull();
  });

  it("GIVEN the same lift on the configured split WHEN analysed THEN the lift is stated", () => {
    const r = analyzeLift(
      { visitors: 36000, converted: 2160, revenue: 60000 },
      { visitors: 4000, converted: 100, revenue: 5000 },
      { expectedHoldoutShare: 0.1 },
    );
    expect(["working", "not_enough_data"]).toContain(r.verdict);
    expect(r.relativeLift?.estimate).toBeCloseTo(1.4, 6);
    expect(r.sampleRatio.mismatch).toBe(false);
  });
});
