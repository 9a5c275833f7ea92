import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { normalQuantile } from "./normal";
import { newcombeDifference, relativeLift, wilsonInterval } from "./proportions";
import { sampleSizeTwoProportions } from "./sampleSize";
import { analyzeLift } from "./lift";
import { mulberry32 } from "./random";

describe("normalQuantile", () => {
  // Reference quantiles of the standard normal (Abramowitz & Stegun 1964, Table 26.5).
  it.each([
    [0.975, 1.959964],
    [0.8, 0.841621],
    [0.995, 2.575829],
    [0.5, 0],
    [0.025, -1.959964],
  ])("GIVEN p=%s WHEN inverted THEN gives the tabulated z %s", (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });
});

describe("wilsonInterval", () => {
  // Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion: comparison of seven
  // methods", Stat Med 17:857–872, Table I, method 3 (Wilson score without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("GIVEN %s/%s WHEN the 95 %% Wilson interval is computed THEN it matches Newcombe (1998a) Table I", (x, n, lo, hi) => {
    const ci = wilsonInterval(x, n);
    expect(ci.lower).toBeCloseTo(lo, 4);
    expect(ci.upper).toBeCloseTo(hi, 4);
  });

  it("GIVEN no observations WHEN the interval is computed THEN it is the uninformative [0, 1]", () => {
    expect(wilsonInterval(0, 0)).toEqual({ estimate: 0, lower: 0, upper: 1 });
  });

  it("GIVEN impossible counts WHEN the interval is computed THEN it throws", () => {
    expect(() => wilsonInterval(5, 3)).toThrow(RangeError);
  });

  it("GIVEN any counts WHEN the interval is computed THEN it contains the estimate and stays in [0, 1]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const x = Math.floor(f * n);
        const ci = wilsonInterval(x, n);
        return ci.lower >= 0 && ci.upper <= 1 && ci.lower <= ci.estimate + 1e-12 && ci.estimate <= ci.upper + 1e-12;
      }),
    );
  });
});

describe("newcombeDifference", () => {
  // Newcombe RG (1998b), "Interval estimation for the difference between independent proportions: comparison
  // of eleven methods", Stat Med 17:873–890, Table II, method 10 (hybrid score without continuity correction).
  it.each([
    ["a", 56, 70, 48, 80, 0.0524, 0.3339],
    ["b", 9, 10, 3, 10, 0.1705, 0.809],
    ["d", 5, 56, 0, 29, -0.0381, 0.1926],
    ["e", 0, 10, 0, 20, -0.1611, 0.2775],
    ["f", 0, 10, 0, 10, -0.2775, 0.2775],
    ["g", 10, 10, 0, 20, 0.6791, 1],
    ["h", 10, 10, 0, 10, 0.6075, 1],
  ])("GIVEN example (%s) %s/%s − %s/%s WHEN the interval is computed THEN it matches Table II", (_id, x1, n1, x2, n2, lo, hi) => {
    const ci = newcombeDifference(x1, n1, x2, n2);
    expect(ci.estimate).toBeCloseTo(x1 / n1 - x2 / n2, 10);
    expect(ci.lower).toBeCloseTo(lo, 4);
    expect(ci.upper).toBeCloseTo(hi, 4);
  });

  it("GIVEN the groups swapped WHEN the interval is computed THEN it is the mirror image", () => {
    const a = newcombeDifference(56, 70, 48, 80);
    const b = newcombeDifference(48, 80, 56, 70);
    expect(b.lower).toBeCloseTo(-a.upper, 12);
    expect(b.upper).toBeCloseTo(-a.lower, 12);
  });
});

describe("relativeLift (delta method on the log ratio)", () => {
  it("GIVEN 6 % vs 4 % WHEN the lift is computed THEN the estimate is +50 % and the log-interval is symmetric", () => {
    const ci = relativeLift(60, 1000, 40, 1000)!;
    expect(ci.estimate).toBeCloseTo(0.5, 12);
    const mid = Math.log(1.5);
    expect(Math.log(1 + ci.upper) - mid).toBeCloseTo(mid - Math.log(1 + ci.lower), 12);
  });

  it("GIVEN a holdout without conversions WHEN the lift is computed THEN it is undefined (null)", () => {
    expect(relativeLift(3, 100, 0, 50)).toBeNull();
  });

  it("GIVEN repeated samples from known rates WHEN intervals are computed THEN about 95 % cover the true lift", () => {
    // Monte Carlo coverage with a fixed seed: 2 000 trials, 5 % vs 4 % conversion, 5 000 visitors per arm.
    const rand = mulberry32(12345);
    const draw = (p: number, n: number) => {
      let x = 0;
      for (let i = 0; i < n; i++) if (rand() < p) x++;
      return x;
    };
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const ci = relativeLift(draw(0.05, 5000), 5000, draw(0.04, 5000), 5000)!;
      if (ci.lower <= 0.25 && 0.25 <= ci.upper) covered++;
    }
    // Binomial sd of the coverage at 2 000 trials is ~0.5 %; ±1.5 % is three sd.
    expect(covered / trials).toBeGreaterThan(0.935);
    expect(covered / trials).toBeLessThan(0.965);
  });
});

describe("sampleSizeTwoProportions", () => {
  // Fleiss JL, Levin B, Paik MC (2003), Statistical Methods for Rates and Proportions, 3rd ed., Table A.4
  // (two-sided α = 0.05, power 0.80, equal groups, with continuity correction).
  it.each([
    [0.05, 0.1, 474],
    [0.1, 0.2, 219],
    [0.4, 0.6, 107],
  ])("GIVEN %s vs %s WHEN planned with continuity correction THEN each group needs %s (Fleiss Table A.4)", (p1, p2, n) => {
    const s = sampleSizeTwoProportions({ baseline: p1, target: p2, continuityCorrection: true });
    expect(s).toEqual({ holdout: n, treatment: n });
  });

  it("GIVEN 5 % vs 10 % WHEN planned without correction THEN the classical formula gives 435 per group", () => {
    // Same reference, eq. 4.14 (uncorrected): (1.96·√(2·0.075·0.925) + 0.8416·√(0.0475 + 0.09))² / 0.05² = 434.4.
    expect(sampleSizeTwoProportions({ baseline: 0.05, target: 0.1 })).toEqual({ holdout: 435, treatment: 435 });
  });

  it("GIVEN a 10 % holdout (ratio 9) WHEN planned THEN the holdout needs fewer and the total needs more than 1:1", () => {
    const equal = sampleSizeTwoProportions({ baseline: 0.04, target: 0.05 });
    const skewed = sampleSizeTwoProportions({ baseline: 0.04, target: 0.05, ratio: 9 });
    expect(skewed.holdout).toBeLessThan(equal.holdout);
    expect(skewed.holdout).toBeGreaterThan(equal.holdout / 2);
    expect(skewed.treatment).toBe(Math.ceil(skewed.holdout * 9));
    expect(skewed.holdout + skewed.treatment).toBeGreaterThan(2 * equal.holdout);
  });
});

describe("analyzeLift", () => {
  const arm = (visitors: number, converted: number, revenue = converted * 50) => ({ visitors, converted, revenue });

  it("GIVEN fewer visitors than planned WHEN analysed THEN the verdict is 'not enough data' even if the interval excludes 0", () => {
    const r = analyzeLift(arm(900, 90), arm(100, 2));
    expect(r.difference.lower).toBeGreaterThan(0);
    expect(r.verdict).toBe("not_enough_data");
    expect(r.reason).toBe("below_sample_size");
    expect(r.progress).toBeLessThan(1);
  });

  it("GIVEN the planned size and an interval above 0 WHEN analysed THEN the play is 'working'", () => {
    const r = analyzeLift(arm(90000, 4500), arm(10000, 400));
    expect(r.verdict).toBe("working");
    expect(r.incrementalOrders.estimate).toBeCloseTo((0.05 - 0.04) * 90000, 6);
    expect(r.incrementalRevenue.estimate).toBeCloseTo(900 * 50, 4);
  });

  it("GIVEN the planned size and equal rates WHEN analysed THEN the play is 'not working' (interval excludes the MDE)", () => {
    const r = analyzeLift(arm(90000, 3600), arm(10000, 400));
    expect(r.verdict).toBe("not_working");
    expect(r.reason).toBe("below_minimum_effect");
  });

  it("GIVEN the planned size and a clearly negative lift WHEN analysed THEN the play is 'not working' (no lift)", () => {
    const r = analyzeLift(arm(90000, 2700), arm(10000, 400));
    expect(r.verdict).toBe("not_working");
    expect(r.reason).toBe("no_lift");
  });

  it("GIVEN the planned size but an interval spanning 0 and the MDE WHEN analysed THEN more data is asked for", () => {
    // 4 % baseline, MDE +20 % (0.8 points), 10 % holdout: the plan needs ~5 900 holdout visitors. With 6 000 and
    // an observed +0.4 points the interval (about ±0.5 points) spans both 0 and 0.8 points.
    const planned = sampleSizeTwoProportions({ baseline: 0.04, target: 0.048, ratio: 9 });
    expect(planned.holdout).toBeLessThanOrEqual(6000);
    const r = analyzeLift(arm(54000, 2376), arm(6000, 240));
    expect(r.difference.lower).toBeLessThan(0);
    expect(r.difference.upper).toBeGreaterThan(0.008);
    expect(r.verdict).toBe("not_enough_data");
    expect(r.reason).toBe("inconclusive");
    expect(r.plan.required.holdout).toBeGreaterThan(6000);
    expect(r.progress).toBeLessThan(1);
  });

  it("GIVEN no data at all WHEN analysed THEN the plan uses the fallback baseline and the holdout share", () => {
    const r = analyzeLift(arm(0, 0), arm(0, 0), { fallbackBaseline: 0.03, holdoutShare: 0.1 });
    const expected = sampleSizeTwoProportions({ baseline: 0.03, target: 0.036, ratio: 9 });
    expect(r.plan.required).toEqual(expected);
    expect(r.relativeLift).toBeNull();
    expect(r.verdict).toBe("not_enough_data");
  });
});
