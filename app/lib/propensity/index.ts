// Purchase propensity: calibrated probability that this session ends in a purchase, with an exact explanation.
// Pure and dependency-free so it runs in the theme embed bundle, on the server and in benches.
import type { PropensityBands } from "../plays/types";
import type { PropensityFeatures } from "./features";
import { FEATURE_COUNT, FEATURE_KEYS, encodeFeatures, type FeatureKey } from "./encode";
import { attributeMargin, compileModel, type PropensityModelParams } from "./ensemble";
import { forestMargin, sigmoid } from "./forest";
import shipped from "./model.json";

export type { PropensityFeatures } from "./features";
export type { PropensityModelParams } from "./ensemble";
export { modelFingerprint } from "./ensemble";
export { FEATURE_KEYS, encodeFeatures, type FeatureKey } from "./encode";
export { sigmoid } from "./forest";

/** The model trained by `npm run model:train` (calibrated on held-out folds). */
export const SHIPPED_MODEL = shipped as PropensityModelParams;

/** The app predicts "will purchase" at p ≥ this (used for F1 in `model:evaluate` and in analytics). */
export const PURCHASE_THRESHOLD: number = SHIPPED_MODEL.threshold;

export type PropensityBand = "low" | "medium" | "high";

const scratch = new Float64Array(FEATURE_COUNT);

/** Logit of the purchase probability (shop recalibration applied). Same loop as the storefront's ./score. */
export function propensityLogit(f: PropensityFeatures, model: PropensityModelParams = SHIPPED_MODEL): number {
  const m = compileModel(model);
  return m.scale * forestMargin(m, encodeFeatures(f, scratch)) + m.shift;
}

/** Probability (0–1) that the session ends in a purchase. */
export function scorePropensity(f: PropensityFeatures, model: PropensityModelParams = SHIPPED_MODEL): number {
  return sigmoid(propensityLogit(f, model));
}

export interface SignalContribution {
  signal: FeatureKey;
  /** Change of the logit due to this signal (positive pushes towards a purchase). */
  contribution: number;
}

export interface PropensityExplanation {
  probability: number;
  logit: number;
  /** Logit of a session the model knows nothing about (the starting point of every explanation). */
  base: number;
  /** Every signal's contribution; they sum to logit − base. */
  contributions: Record<FeatureKey, number>;
  /** Strongest signals pushing up (descending) and down (most negative first). */
  up: SignalContribution[];
  down: SignalContribution[];
}

/** Explains a score: per-signal logit contributions (path attribution through every tree), top `top` each way. */
export function explainPropensity(
  f: PropensityFeatures,
  model: PropensityModelParams = SHIPPED_MODEL,
  top = 3,
): PropensityExplanation {
  const m = compileModel(model);
  const x = encodeFeatures(f, new Float64Array(FEATURE_COUNT));
  const acc = new Float64Array(FEATURE_COUNT);
  const raw = attributeMargin(m, x, acc);
  const logit = m.scale * raw + m.shift;
  const base = m.scale * m.prior + m.shift;
  const contributions = {} as Record<FeatureKey, number>;
  const all: SignalContribution[] = [];
  FEATURE_KEYS.forEach((key, i) => {
    const c = m.scale * acc[i];
    contributions[key] = c;
    all.push({ signal: key, contribution: c });
  });
  const up = all.filter((s) => s.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, top);
  const down = all.filter((s) => s.contribution < 0).sort((a, b) => a.contribution - b.contribution).slice(0, top);
  return { probability: sigmoid(logit), logit, base, contributions, up, down };
}

/** low < bands.low ≤ medium < bands.high ≤ high. */
export function propensityBand(p: number, bands: PropensityBands): PropensityBand {
  if (!(p >= bands.low)) return "low";
  if (p < bands.high) return "medium";
  return "high";
}
