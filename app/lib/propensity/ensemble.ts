// The shipped model format (a calibrated gradient-boosted tree ensemble) and its compiled form with the
// explanation values. Pure: used by the server, benches and training; the storefront only needs ./forest.
import { FEATURE_KEYS } from "./encode";
import { compileForest, type CompiledForest } from "./forest";

/**
 * Serialised model (app/lib/propensity/model.json). `nodes` is the ./forest array (all trees in preorder:
 * `−1 − feature, threshold` for a split, `value / quantum` for a leaf). `inner` holds the value of every split node,
 * in the same order and units, which an explanation needs: every split hands the change of value from parent to
 * child to its feature. Each tree's values carry an offset that makes its leaves ≥ 0; `base` subtracts them all.
 */
export interface PropensityModelParams {
  version: number;
  /** Encoded feature order the splits refer to (must equal FEATURE_KEYS). */
  features: string[];
  /** Logit before any leaf value is added (prior log-odds + calibration − the trees' offsets). */
  base: number;
  quantum: number;
  nodes: number[];
  inner: number[];
  /** Probability at or above which the app predicts a purchase (chosen for F1 on cross-validated scores). */
  threshold: number;
  /** Per-shop recalibration on top of the shipped logit: logit' = scale · logit + shift. Absent = identity. */
  calibration?: { scale: number; shift: number };
}

export interface CompiledModel extends CompiledForest {
  scale: number;
  shift: number;
  /** Node value in logits (split nodes from `inner`, leaves from `nodes`). */
  value: Float64Array;
  /** Logit of a session the model knows nothing about: base + every tree's root value. */
  prior: number;
}

const cache = new WeakMap<PropensityModelParams, CompiledModel>();

/** Validates the params once and compiles them (cached per params object). */
export function compileModel(params: PropensityModelParams): CompiledModel {
  const hit = cache.get(params);
  if (hit) return hit;
  if (params.features.length !== FEATURE_KEYS.length || params.features.some((f, i) => f !== FEATURE_KEYS[i])) {
    throw new Error("propensity model was trained on a different feature order");
  }
  validateNodes(params);
  const forest = compileForest(params);
  const a = params.nodes;
  const value = new Float64Array(a.length);
  for (let k = 0, j = 0; k < a.length; k++) {
    if (a[k] < 0) value[k++] = params.inner[j++] * params.quantum;
    else value[k] = a[k] * params.quantum;
  }
  let prior = params.base;
  for (const r of forest.roots) prior += value[r];
  const compiled: CompiledModel = {
    ...forest,
    scale: params.calibration?.scale ?? 1,
    shift: params.calibration?.shift ?? 0,
    value,
    prior,
  };
  cache.set(params, compiled);
  return compiled;
}

/** Every tree is complete, splits name a known feature, values are finite, `inner` has one value per split. */
function validateNodes(params: PropensityModelParams): void {
  const a = params.nodes;
  let i = 0;
  let splits = 0;
  const tree = (): boolean => {
    if (i >= a.length || !Number.isFinite(a[i])) return false;
    const code = a[i++];
    if (code >= 0) return true;
    if (!Number.isInteger(code) || -1 - code >= FEATURE_KEYS.length || !Number.isFinite(a[i++])) return false;
    splits++;
    return tree() && tree();
  };
  while (i < a.length) if (!tree()) throw new Error("propensity model nodes are malformed");
  if (a.length === 0 || splits !== params.inner.length || !params.inner.every(Number.isFinite)) {
    throw new Error("propensity model nodes are malformed");
  }
}

/** Adds each split's value change to its feature's slot in `out`; returns the raw margin (as ./forest computes it). */
export function attributeMargin(m: CompiledModel, x: ArrayLike<number>, out: Float64Array): number {
  const a = m.nodes;
  let sum = 0;
  for (let k of m.roots) {
    while (a[k] < 0) {
      const f = ~a[k];
      const next = x[f] <= a[k + 1] ? k + 2 : m.right[k];
      out[f] += m.value[next] - m.value[k];
      k = next;
    }
    sum += a[k];
  }
  return m.base + sum * m.quantum;
}

/** Short, stable fingerprint of a tree set (FNV-1a over its JSON, calibration excluded). */
export function modelFingerprint(params: PropensityModelParams): string {
  const { calibration: _ignored, ...trees } = params;
  const s = JSON.stringify(trees);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
