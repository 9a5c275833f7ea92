/**
 * Sample-ratio check: is the observed treatment/holdout split consistent with the configured holdout share?
 * A randomized split that drifts from its configuration means visitors were lost, duplicated or forged in one arm,
 * and then no lift estimate can be trusted (Kohavi et al., "Trustworthy Online Controlled Experiments", ch. 21).
 * Pearson's χ² goodness of fit with one degree of freedom; p = P(χ²₁ ≥ x) = erfc(√(x/2)).
 */

/** p below which the split is called a mismatch (the customary SRM threshold: rare by chance, 1 in 1,000). */
export const SRM_ALPHA = 0.001;

export interface SampleRatioResult {
  chiSquare: number;
  pValue: number;
  mismatch: boolean;
}

/**
 * χ² test of `treatment` and `holdout` visitor counts against an expected holdout share in (0, 1). Without a
 * holdout share or without visitors the test cannot run: p = 1, no mismatch.
 */
export function sampleRatioTest(treatment: number, holdout: number, holdoutShare: number, alpha = SRM_ALPHA): SampleRatioResult {
  const n = treatment + holdout;
  if (!(n > 0) || !(holdoutShare > 0 && holdoutShare < 1)) return { chiSquare: 0, pValue: 1, mismatch: false };
  const eH = n * holdoutShare;
  const eT = n - eH;
  const chiSquare = (treatment - eT) ** 2 / eT + (holdout - eH) ** 2 / eH;
  const pValue = Math.min(1, erfc(Math.sqrt(chiSquare / 2)));
  return { chiSquare, pValue, mismatch: pValue < alpha };
}

/**
 * Complementary error function (Numerical Recipes' erfcc Chebyshev fit, fractional error < 1.2e-7 everywhere):
 * plenty for a 0.001 threshold.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
