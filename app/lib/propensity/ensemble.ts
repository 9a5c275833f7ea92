// The shipped model format (a calibrated gradient-boosted tree ensemble) and its compiled, allocation-free form.
// Pure: used by the storefront bundle, the server and benches.
import { FEATURE_KEYS } from "./encode";

/**
 * Serialised model (app/lib/propensity/model.json). Trees are in preorder: `trees[t][k]` is a split index into
 * `splits` for an internal node or -1 for a leaf; `values[t][k]` is that node's value in units of `quantum`,
 * relative to the tree's root (root values are folded into `base`). Internal values exist so a score can be
 * attributed exactly: every split hands the change from parent to child to its feature.
 */
export interface PropensityModelParams {
  version: number;
  /** Encoded feature order the splits refer to (must equal FEATURE_KEYS). */
  features: string[];
  /** Logit before any tree (prior log-odds + calibration + tree roots). */
  base: number;
  quantum: number;
  /** [feature index, threshold]: go left when x ≤ threshold. */
  splits: [number, number][];
  trees: number[][];
  values: number[][];
  /** Probability at or above which the app predicts a purchase (chosen for F1 on cross-validated scores). */
  threshold: number;
  /** Per-shop recalibration on top of the shipped logit: logit' = scale · logit + shift. Absent = identity. */
  calibration?: { scale: number; shift: number };
}

export interface CompiledModel {
  base: number;
  scale: number;
  shift: number;
  roots: Int32Array;
  feature: Int8Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

const cache = new WeakMap<PropensityModelParams, CompiledModel>();

/** Flattens every tree into shared typed arrays once per params object (cached). */
export function compileModel(params: PropensityModelParams): CompiledModel {
  const hit = cache.get(params);
  if (hit) return hit;
  if (params.features.length !== FEATURE_KEYS.length || params.features.some((f, i) => f !== FEATURE_KEYS[i])) {
    throw new Error("propensity model was trained on a different feature order");
  }
  let total = 0;
  for (const t of params.trees) total += t.length;
  const feature = new Int8Array(total).fill(-1);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total).fill(-1);
  const right = new Int32Array(total).fill(-1);
  const value = new Float64Array(total);
  const roots = new Int32Array(params.trees.length);
  let at = 0;
  params.trees.forEach((tree, ti) => {
    const vals = params.values[ti];
    const start = at;
    roots[ti] = start;
    let k = 0;
    // Preorder decode: returns the absolute index of the subtree rooted at tree[k].
    const read = (): number => {
      const self = start + k;
      const code = tree[k];
      value[self] = vals[k] * params.quantum;
      k++;
      if (code >= 0) {
        const [f, thr] = params.splits[code];
        feature[self] = f;
        threshold[self] = thr;
        left[self] = read();
        right[self] = read();
      }
      return self;
    };
    read();
    if (k !== tree.length) throw new Error(`propensity model tree ${ti} is malformed`);
    at += tree.length;
  });
  const compiled: CompiledModel = {
    base: params.base,
    scale: params.calibration?.scale ?? 1,
    shift: params.calibration?.shift ?? 0,
    roots,
    feature,
    threshold,
    left,
    right,
    value,
  };
  cache.set(params, compiled);
  return compiled;
}

/** Uncalibrated-by-shop logit (shipped calibration already folded in). */
export function rawMargin(m: CompiledModel, x: ArrayLike<number>): number {
  let z = m.base;
  const { roots, feature, threshold, left, right, value } = m;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t];
    let f = feature[k];
    while (f >= 0) {
      k = x[f] <= threshold[k] ? left[k] : right[k];
      f = feature[k];
    }
    z += value[k];
  }
  return z;
}

/** Adds each split's value change to its feature's slot in `out`; returns the raw margin. */
export function attributeMargin(m: CompiledModel, x: ArrayLike<number>, out: Float64Array): number {
  let z = m.base;
  const { roots, feature, threshold, left, right, value } = m;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t];
    let f = feature[k];
    while (f >= 0) {
      const next = x[f] <= threshold[k] ? left[k] : right[k];
      out[f] += value[next] - value[k];
      k = next;
      f = feature[k];
    }
    z += value[k];
  }
  return z;
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
