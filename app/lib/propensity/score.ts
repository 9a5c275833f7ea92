// The shipped model's scorer and nothing else: what the theme embed bundles. Named JSON imports let the bundler
// drop the explanation-only fields of model.json. Same arrays and same loop as `scorePropensity` in ./index, so
// the browser and the server score every session identically (tested).
import { base, nodes, quantum } from "./model.json";
import { encodeFeatures, FEATURE_COUNT } from "./encode";
import type { PropensityFeatures } from "./features";
import { compileForest, forestMargin, sigmoid } from "./forest";

const shipped = compileForest({ base, quantum, nodes });
const scratch = new Float64Array(FEATURE_COUNT);

/**
 * Probability (0–1) that the session ends in a purchase, with the shipped model and, when the shop has one, its
 * own last layer from the published config (`propensity`: logit' = scale · logit + shift).
 */
export function scorePropensity(f: PropensityFeatures, shop?: { scale: number; shift: number }): number {
  const m = forestMargin(shipped, encodeFeatures(f, scratch));
  return sigmoid(shop ? shop.scale * m + shop.shift : m);
}
