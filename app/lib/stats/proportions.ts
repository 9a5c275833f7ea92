/**
 * Intervals for conversion rates and their comparison. Methods (see docs/measurement.md):
 * - single proportion: Wilson score interval (Wilson 1927; Newcombe 1998a method 3);
 * - difference of two independent proportions: Newcombe's hybrid score interval (Newcombe 1998b method 10),
 *   built from the two Wilson intervals;
 * - relative lift p_t / p_h − 1: delta method on the log risk ratio (Katz et al. 1978), 0.5 added to every cell
 *   when a count is zero.
 */
import { zForConfidence } from "./normal";

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** Wilson score interval for x successes out of n. n = 0 gives the uninformative [0, 1]. */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  assertCounts(x, n);
  if (n === 0) return { estimate: 0, lower: 0, upper: 1 };
  const z = zForConfidence(confidence);
  const z2 = z * z;
  const p = x / n;
  const centre = (x + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((x * (n - x)) / n + z2 / 4);
  // Clamp rounding noise at the edges (x = 0 or x = n give exact 0 / 1 limits).
  return { estimate: p, lower: x === 0 ? 0 : Math.max(0, centre - half), upper: x === n ? 1 : Math.min(1, centre + half) };
}

/**
 * Newcombe hybrid score interval for p1 − p2 (group 1 = treatment, group 2 = holdout in this app).
 * L = d − √((p1 − l1)² + (u2 − p2)²), U = d + √((u1 − p1)² + (p2 − l2)²) with (l, u) the Wilson limits.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
  const a = wilsonInterval(x1, n1, confidence);
  const b = wilsonInterval(x2, n2, confidence);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    lower: d - Math.sqrt((a.estimate - a.lower) ** 2 + (b.upper - b.estimate) ** 2),
    upper: d + Math.sqrt((a.upper - a.estimate) ** 2 + (b.estimate - b.lower) ** 2),
  };
}

/**
 * Relative lift of group 1 over group 2 (p1 / p2 − 1) with a delta-method interval on log(p1 / p2).
 * Null when group 2 has no successes or either group is empty: the ratio is then undefined.
 */
export function relativeLift(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval | null {
  assertCounts(x1, n1);
  assertCounts(x2, n2);
  if (n1 === 0 || n2 === 0 || x2 === 0) return null;
  const z = zForConfidence(confidence);
  const estimate = x1 / n1 / (x2 / n2) - 1;
  // Zero cells make the log-ratio variance infinite: the usual remedy adds 0.5 to each cell.
  const k = x1 === 0 || x1 === n1 || x2 === n2 ? 0.5 : 0;
  const a = x1 + k;
  const m = n1 + 2 * k;
  const c = x2 + k;
  const o = n2 + 2 * k;
  const logRatio = Math.log(a / m / (c / o));
  const se = Math.sqrt(1 / a - 1 / m + 1 / c - 1 / o);
  return { estimate, lower: Math.exp(logRatio - z * se) - 1, upper: Math.exp(logRatio + z * se) - 1 };
}

function assertCounts(x: number, n: number) {
  if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || n < 0 || x > n) {
    throw new RangeError(`counts must be integers with 0 ≤ x ≤ n, got x=${x}, n=${n}`);
  }
}
