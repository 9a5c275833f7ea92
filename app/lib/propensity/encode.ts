// PropensityFeatures → the model's numeric input vector. Pure; shared by the scorer and the trainer so the
// shipped model always sees exactly what it was trained on.
import type { PropensityFeatures } from "./features";

/** Vector order; also the signal names an explanation reports. */
export const FEATURE_KEYS = [
  "administrative",
  "administrativeDuration",
  "informational",
  "informationalDuration",
  "productRelated",
  "productRelatedDuration",
  "bounceRates",
  "exitRates",
  "pageValues",
  "specialDay",
  "month",
  "visitorType",
  "weekend",
] as const satisfies readonly (keyof PropensityFeatures)[];

export type FeatureKey = (typeof FEATURE_KEYS)[number];

/** A literal (not FEATURE_KEYS.length) so the storefront bundle can drop the key names; the type checks it. */
export const FEATURE_COUNT: (typeof FEATURE_KEYS)["length"] = 13;

/** Counts, seconds and money: NaN or negative means "nothing observed"; +Infinity stays the largest value. */
function nonNegative(x: number): number {
  return x > 0 ? x : 0;
}

function fraction(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

/** new = 0, returning = 1, anything else (including unknown strings at runtime) = 2 ("Other" in the dataset). */
export function visitorTypeCode(v: unknown): number {
  return v === "new" ? 0 : v === "returning" ? 1 : 2;
}

/** Writes the encoded vector into `out` (reused by hot loops) and returns it. */
export function encodeFeatures(f: PropensityFeatures, out: Float64Array = new Float64Array(FEATURE_COUNT)): Float64Array {
  out[0] = nonNegative(f.administrative);
  out[1] = nonNegative(f.administrativeDuration);
  out[2] = nonNegative(f.informational);
  out[3] = nonNegative(f.informationalDuration);
  out[4] = nonNegative(f.productRelated);
  out[5] = nonNegative(f.productRelatedDuration);
  out[6] = fraction(f.bounceRates);
  out[7] = fraction(f.exitRates);
  out[8] = nonNegative(f.pageValues);
  out[9] = fraction(f.specialDay);
  // An invalid month is 0, below every month the model splits on.
  out[10] = Number.isInteger(f.month) && f.month >= 1 && f.month <= 12 ? f.month : 0;
  out[11] = visitorTypeCode(f.visitorType);
  out[12] = f.weekend === true ? 1 : 0;
  return out;
}
