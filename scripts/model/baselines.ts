// Logistic-regression baselines for the model comparison (not shipped): raw features and with transforms.
import type { PropensityFeatures } from "../../app/lib/propensity/features";
import type { LabelledSession } from "./data";
import type { Learner } from "./evaluation";
import { fitLogistic, logisticMargin } from "./logistic";
import { f1Threshold } from "./pipeline";

const vt = (v: string) => (v === "new" ? 0 : v === "returning" ? 1 : 2);

export function rawDesign(f: PropensityFeatures): number[] {
  return [
    f.administrative,
    f.administrativeDuration,
    f.informational,
    f.informationalDuration,
    f.productRelated,
    f.productRelatedDuration,
    f.bounceRates,
    f.exitRates,
    f.pageValues,
    f.specialDay,
    f.month,
    vt(f.visitorType),
    f.weekend ? 1 : 0,
  ];
}

/** log1p of counts, seconds and page value, a "has page value" flag, month and visitor type one-hot. */
export function transformedDesign(f: PropensityFeatures): number[] {
  const l = Math.log1p;
  const month = new Array(12).fill(0);
  if (f.month >= 1 && f.month <= 12) month[f.month - 1] = 1;
  return [
    l(f.administrative),
    l(f.administrativeDuration),
    l(f.informational),
    l(f.informationalDuration),
    l(f.productRelated),
    l(f.productRelatedDuration),
    f.bounceRates,
    f.exitRates,
    l(f.pageValues),
    f.pageValues > 0 ? 1 : 0,
    f.specialDay,
    ...month,
    f.visitorType === "new" ? 1 : 0,
    f.visitorType === "other" ? 1 : 0,
    f.weekend ? 1 : 0,
  ];
}

/** Standardised, L2-regularised logistic regression on a design function. */
export function logisticLearner(design: (f: PropensityFeatures) => number[], l2 = 1): Learner {
  return (train: LabelledSession[]) => {
    const X = train.map((r) => design(r.features));
    const d = X[0].length;
    const mu = new Float64Array(d);
    const sd = new Float64Array(d);
    for (const x of X) for (let j = 0; j < d; j++) mu[j] += x[j] / X.length;
    for (const x of X) for (let j = 0; j < d; j++) sd[j] += (x[j] - mu[j]) ** 2 / X.length;
    for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
    const z = (x: number[]) => Float64Array.from(x, (v, j) => (v - mu[j]) / sd[j]);
    const fit = fitLogistic(X.map(z), train.map((r) => r.label), l2);
    const predict = (rows: LabelledSession[]) =>
      Float64Array.from(rows, (r) => 1 / (1 + Math.exp(-logisticMargin(fit, z(design(r.features))))));
    // F1-optimal threshold on the training rows, so F1 compares fairly with the boosted models' thresholds.
    return { threshold: f1Threshold(predict(train), train.map((r) => r.label)), predict };
  };
}
