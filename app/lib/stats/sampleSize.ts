/**
 * Sample size for comparing two independent proportions with a two-sided test (Fleiss, Levin & Paik 2003,
 * §4.2; unequal groups after Fleiss, Tytun & Ury 1980). Group sizes are holdout n and treatment r·n.
 */
import { normalQuantile } from "./normal";

export interface SampleSizeInput {
  /** Conversion rate in the holdout (control). */
  baseline: number;
  /** Conversion rate in the treatment group the test should detect. */
  target: number;
  alpha?: number;
  power?: number;
  /** Treatment visitors per holdout visitor (a 10 % holdout gives 9). */
  ratio?: number;
  /** Fleiss' continuity correction (the tabulated values); off for planning the score-interval analysis. */
  continuityCorrection?: boolean;
}

export interface SampleSize {
  holdout: number;
  treatment: number;
}

export function sampleSizeTwoProportions(input: SampleSizeInput): SampleSize {
  const { baseline: p1, target: p2, alpha = 0.05, power = 0.8, ratio: r = 1, continuityCorrection = false } = input;
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1)) throw new RangeError("proportions must be in (0, 1)");
  if (p1 === p2) throw new RangeError("baseline and target must differ");
  if (!(r > 0)) throw new RangeError("ratio must be positive");
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const delta = Math.abs(p2 - p1);
  const pBar = (p1 + r * p2) / (1 + r);
  const n = (za * Math.sqrt((1 + 1 / r) * pBar * (1 - pBar)) + zb * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / r)) ** 2 / delta ** 2;
  const corrected = continuityCorrection ? (n / 4) * (1 + Math.sqrt(1 + (2 * (r + 1)) / (r * n * delta))) ** 2 : n;
  const holdout = Math.ceil(corrected - 1e-9);
  return { holdout, treatment: Math.ceil(holdout * r - 1e-9) };
}
