import { describe, expect, it } from "vitest";
import { moneyLift, profitVerdict, verdictFor, type MoneyMoments } from "./profit";

// Hand-computed case. Treatment: 4 visitors, revenues 100, 0, 0, 50 and discounts 10, 0, 0, 0.
// Holdout: 3 visitors, revenues 60, 0, 0, no discount.
const treatment: MoneyMoments = { visitors: 4, revenue: 150, revenueSq: 100 * 100 + 50 * 50, discount: 10, discountSq: 100, cross: 100 * 10 };
const holdout: MoneyMoments = { visitors: 3, revenue: 60, revenueSq: 3600, discount: 0, discountSq: 0, cross: 0 };

describe("moneyLift", () => {
  it("GIVEN the hand case WHEN revenue per visitor lift is computed THEN it is 37.5 − 20 with Welch's 95 % interval", () => {
    // Means 150/4 = 37.5 and 60/3 = 20. Variances: (62.5² + 37.5² + 37.5² + 12.5²)/3 = 6875/3 and (40² + 20² + 20²)/2 = 1200.
    // SE = √(6875/12 + 400) = 31.19161; half width = 1.959964 × SE = 61.13444.
    const l = moneyLift(treatment, holdout, 0.5);
    expect(l.treatment.revenuePerVisitor).toBeCloseTo(37.5, 10);
    expect(l.holdout.revenuePerVisitor).toBeCloseTo(20, 10);
    expect(l.revenuePerVisitor.estimate).toBeCloseTo(17.5, 10);
    expect(l.revenuePerVisitor.lower).toBeCloseTo(-43.63444, 4);
    expect(l.revenuePerVisitor.upper).toBeCloseTo(78.63444, 4);
  });

  it("GIVEN a 50 % margin WHEN profit per visitor lift is computed THEN the discount comes out of profit", () => {
    // Profit per visitor = 0.5 × (r + d) − d: treatment 45, 0, 0, 25 (mean 17.5); holdout 30, 0, 0 (mean 10).
    // Variances 1425/3 = 475 and 600/2 = 300; SE = √(475/4 + 300/3) = 14.79020; half width 28.98826.
    const l = moneyLift(treatment, holdout, 0.5);
    expect(l.treatment.profitPerVisitor).toBeCloseTo(17.5, 10);
    expect(l.holdout.profitPerVisitor).toBeCloseTo(10, 10);
    expect(l.profitPerVisitor.estimate).toBeCloseTo(7.5, 10);
    expect(l.profitPerVisitor.lower).toBeCloseTo(-21.48826, 4);
    expect(l.profitPerVisitor.upper).toBeCloseTo(36.48826, 4);
    expect(l.incrementalProfit.estimate).toBeCloseTo(30, 10);
  });

  it("GIVEN a 20 % margin WHEN the discount exceeds the extra margin THEN the profit lift is negative while revenue lift is positive", () => {
    // Treatment: 0.2 × 110 − 10 = 12, and 0.2 × 50 = 10 → mean 22/4 = 5.5; holdout 0.2 × 60 = 12 → mean 4. Revenue still 37.5 vs 20.
    const t: MoneyMoments = { ...treatment, revenue: 150, discount: 10 };
    const l = moneyLift(t, holdout, 0.2);
    expect(l.profitPerVisitor.estimate).toBeCloseTo(1.5, 10);
    const costly = moneyLift({ ...treatment, discount: 40, discountSq: 1600, cross: 4000 }, holdout, 0.2);
    // 0.2 × 140 − 40 = −12, and 10 → mean −2/4 = −0.5; holdout mean 4 → −4.5.
    expect(costly.profitPerVisitor.estimate).toBeCloseTo(-4.5, 10);
    expect(costly.revenuePerVisitor.estimate).toBeCloseTo(17.5, 10);
  });
});

describe("profitVerdict", () => {
  const arm = (visitors: number, revenue: number, revenueSq: number): MoneyMoments => ({ visitors, revenue, revenueSq, discount: 0, discountSq: 0, cross: 0 });

  it("GIVEN a profit interval above zero WHEN judged THEN the play is working", () => {
    // 100 visitors each paying 10 vs 100 paying 0: variance 0, interval [5, 5] at 50 % margin.
    const t = arm(100, 1000, 10_000);
    const h = arm(100, 0, 0);
    expect(profitVerdict(t, h, moneyLift(t, h))).toBe("working");
  });

  it("GIVEN discounts that cost more than the extra margin WHEN judged THEN the play is not working", () => {
    const t: MoneyMoments = { visitors: 100, revenue: 1000, revenueSq: 10_000, discount: 1000, discountSq: 10_000, cross: 10_000 };
    const h = arm(100, 1000, 10_000);
    // Treatment profit 0.5 × 20 − 10 = 0 per visitor, holdout 5: the interval is [−5, −5].
    expect(profitVerdict(t, h, moneyLift(t, h))).toBe("not_working");
  });

  it("GIVEN no holdout visitors WHEN judged THEN there is no verdict", () => {
    const t = arm(100, 1000, 10_000);
    const h = arm(0, 0, 0);
    expect(profitVerdict(t, h, moneyLift(t, h))).toBe("no_control");
  });

  it("GIVEN a play that costs money WHEN conversion says working but profit does not THEN the profit verdict wins", () => {
    expect(verdictFor(true, "working", "not_working")).toBe("not_working");
    expect(verdictFor(false, "working", "not_working")).toBe("working");
  });
});
