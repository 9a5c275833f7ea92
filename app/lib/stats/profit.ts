/**
 * Revenue per visitor and profit per visitor, treatment against holdout, with 95 % intervals (Welch's difference of
 * means under the normal approximation: per-visitor money is far from normal, but arms of hundreds of visitors make
 * the mean's sampling distribution close enough, and below MIN_ARM_VISITORS no figure is given).
 *
 * Profit of a visitor = margin × (revenue + discount) − discount: revenue is what the orders paid after the
 * discount, the margin applies to the undiscounted price, and the discount comes out of the merchant's profit.
 * The moments come from the play's exposures: visitors who did not order contribute zeros.
 */
import { MIN_ARM_VISITORS, type Verdict } from "./lift";
import { zForConfidence } from "./normal";
import type { Interval } from "./proportions";

/** One arm's visitor count and sums over its visitors (r = revenue, d = discount, per visitor). */
export interface MoneyMoments {
  visitors: number;
  revenue: number;
  revenueSq: number;
  discount: number;
  discountSq: number;
  /** Σ r·d */
  cross: number;
}

export interface MoneyLift {
  /** Treatment − holdout revenue per visitor. */
  revenuePerVisitor: Interval;
  /** Treatment − holdout profit per visitor. */
  profitPerVisitor: Interval;
  /** Per-visitor profit difference × treated visitors. */
  incrementalProfit: Interval;
  treatment: { revenuePerVisitor: number; profitPerVisitor: number };
  holdout: { revenuePerVisitor: number; profitPerVisitor: number };
}

export const DEFAULT_MARGIN = 0.5;

/** Mean and sample variance of y = a·r + b·d per visitor from the moments. */
function meanVar(m: MoneyMoments, a: number, b: number): { mean: number; variance: number } {
  const n = m.visitors;
  if (n <= 0) return { mean: 0, variance: 0 };
  const sum = a * m.revenue + b * m.discount;
  const sumSq = a * a * m.revenueSq + b * b * m.discountSq + 2 * a * b * m.cross;
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  return { mean, variance };
}

function difference(t: MoneyMoments, h: MoneyMoments, a: number, b: number, z: number): Interval {
  const x = meanVar(t, a, b);
  const y = meanVar(h, a, b);
  const estimate = x.mean - y.mean;
  const se = Math.sqrt((t.visitors > 0 ? x.variance / t.visitors : 0) + (h.visitors > 0 ? y.variance / h.visitors : 0));
  return { estimate, lower: estimate - z * se, upper: estimate + z * se };
}

/** Revenue and profit per visitor lift; `margin` is a fraction (0.5 = 50 %). */
export function moneyLift(t: MoneyMoments, h: MoneyMoments, margin = DEFAULT_MARGIN, confidence = 0.95): MoneyLift {
  const z = zForConfidence(confidence);
  const m = Math.min(1, Math.max(0, margin));
  const revenuePerVisitor = difference(t, h, 1, 0, z);
  const profitPerVisitor = difference(t, h, m, m - 1, z);
  const k = t.visitors;
  return {
    revenuePerVisitor,
    profitPerVisitor,
    incrementalProfit: { estimate: profitPerVisitor.estimate * k, lower: profitPerVisitor.lower * k, upper: profitPerVisitor.upper * k },
    treatment: { revenuePerVisitor: meanVar(t, 1, 0).mean, profitPerVisitor: meanVar(t, m, m - 1).mean },
    holdout: { revenuePerVisitor: meanVar(h, 1, 0).mean, profitPerVisitor: meanVar(h, m, m - 1).mean },
  };
}

/**
 * Verdict on profit for a play that costs money: working only when the profit interval lies above 0, not working
 * when it lies at or below 0. Without a holdout (or arms too small to estimate) there is no verdict.
 */
export function profitVerdict(t: MoneyMoments, h: MoneyMoments, lift: MoneyLift, holdoutConfigured = true): Verdict {
  if (!holdoutConfigured || h.visitors === 0) return "no_control";
  if (t.visitors < MIN_ARM_VISITORS || h.visitors < MIN_ARM_VISITORS) return "no_control";
  if (lift.profitPerVisitor.lower > 0) return "working";
  if (lift.profitPerVisitor.upper <= 0) return "not_working";
  return "not_enough_data";
}

/** Where a play costs money its verdict is the profit one; elsewhere the conversion verdict stands. */
export function verdictFor(costsMoney: boolean, conversion: Verdict, profit: Verdict): Verdict {
  if (!costsMoney) return conversion;
  // A data-quality problem found by the conversion analysis (sample-ratio mismatch) voids any money verdict too.
  if (conversion === "data_quality" || conversion === "no_control") return conversion;
  return profit;
}
