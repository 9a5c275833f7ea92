// A small, deterministic histogram gradient-boosted tree ensemble for logistic loss (training side only).
// Trees keep every node's Newton value so the shipped scorer can attribute a score exactly to features
// (path attribution: each split hands the change of value from parent to child to the split's feature).
import { mulberry32 } from "./random";

export interface GbdtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  /** Minimum hessian sum in a child. */
  minChildWeight: number;
  maxBins: number;
  /** Row fraction per tree (1 = all rows, deterministic either way: seeded). */
  subsample: number;
  seed: number;
}

export const DEFAULT_GBDT: GbdtOptions = {
  trees: 120,
  depth: 3,
  learningRate: 0.1,
  lambda: 1,
  minChildWeight: 5,
  maxBins: 32,
  subsample: 1,
  seed: 1,
};

/** A tree in flat arrays: feature < 0 marks a leaf. value is the (learning-rate scaled) Newton value of the node. */
export interface TrainedTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface TrainedEnsemble {
  base: number;
  trees: TrainedTree[];
}

/** Rounds a cut between two sorted distinct values to the fewest significant digits that still separate them. */
export function roundCut(lo: number, hi: number): number {
  const mid = (lo + hi) / 2;
  for (let digits = 1; digits <= 15; digits++) {
    const t = Number(mid.toPrecision(digits));
    if (t >= lo && t < hi) return t;
  }
  return lo;
}

/** Candidate thresholds per feature: midpoints of distinct values, or of quantiles when there are many. */
export function buildCuts(columns: Float64Array[], maxBins: number): number[][] {
  return columns.map((col) => {
    const sorted = Float64Array.from(col).sort();
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    if (distinct.length <= 1) return [];
    let cand: number[];
    if (distinct.length <= maxBins) cand = distinct;
    else {
      cand = [];
      for (let q = 0; q <= maxBins; q++) {
        const v = sorted[Math.min(sorted.length - 1, Math.floor((q / maxBins) * sorted.length))];
        if (cand.length === 0 || v > cand[cand.length - 1]) cand.push(v);
      }
      // The smallest value is often a large mass (zeros); keep a cut right above it.
      if (cand[0] !== distinct[0]) cand.unshift(distinct[0]);
      if (cand.length > 1 && cand[1] === distinct[0]) cand.splice(1, 1);
      if (cand.length === 1) cand.push(distinct[1]);
    }
    // On integer-valued columns (counts, month, codes) x ≤ t and x ≤ ⌊t⌋ split every possible value the same
    // way; the integer is the shorter number to ship.
    const integral = distinct.every(Number.isInteger);
    const cuts: number[] = [];
    for (let i = 0; i + 1 < cand.length; i++) {
      const t = roundCut(cand[i], cand[i + 1]);
      cuts.push(integral ? Math.floor(t) : t);
    }
    return cuts;
  });
}

function binColumn(col: Float64Array, cuts: number[]): Uint8Array {
  const out = new Uint8Array(col.length);
  for (let i = 0; i < col.length; i++) {
    let b = 0;
    while (b < cuts.length && col[i] > cuts[b]) b++;
    out[i] = b;
  }
  return out;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Trains on columns (feature-major) and 0/1 labels; optional per-row weights. */
export function trainGbdt(
  columns: Float64Array[],
  y: ArrayLike<number>,
  opts: GbdtOptions = DEFAULT_GBDT,
  allowed?: boolean[],
): TrainedEnsemble {
  const n = y.length;
  const d = columns.length;
  const cuts = buildCuts(columns, opts.maxBins);
  const bins = columns.map((c, j) => binColumn(c, cuts[j]));
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  const base = Math.log(prior / (1 - prior));
  const margin = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const rand = mulberry32(opts.seed);
  const trees: TrainedTree[] = [];
  const maxB = Math.max(1, ...cuts.map((c) => c.length + 1));
  const histG = new Float64Array(maxB);
  const histH = new Float64Array(maxB);

  for (let t = 0; t < opts.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]);
      g[i] = p - y[i];
      h[i] = Math.max(p * (1 - p), 1e-12);
    }
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (opts.subsample >= 1 || rand() < opts.subsample) rows.push(i);
    const tree: TrainedTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const grow = (idx: number[], depth: number): number => {
      let G = 0;
      let H = 0;
      for (const i of idx) {
        G += g[i];
        H += h[i];
      }
      const node = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-G / (H + opts.lambda)) * opts.learningRate);
      if (depth >= opts.depth || H < 2 * opts.minChildWeight) return node;
      const parentScore = (G * G) / (H + opts.lambda);
      let bestGain = 1e-9;
      let bestF = -1;
      let bestB = -1;
      for (let j = 0; j < d; j++) {
        if (allowed && !allowed[j]) continue;
        const nb = cuts[j].length + 1;
        if (nb < 2) continue;
        histG.fill(0, 0, nb);
        histH.fill(0, 0, nb);
        const bj = bins[j];
        for (const i of idx) {
          histG[bj[i]] += g[i];
          histH[bj[i]] += h[i];
        }
        let gl = 0;
        let hl = 0;
        for (let b = 0; b < nb - 1; b++) {
          gl += histG[b];
          hl += histH[b];
          const hr = H - hl;
          if (hl < opts.minChildWeight || hr < opts.minChildWeight) continue;
          const gr = G - gl;
          const gain = (gl * gl) / (hl + opts.lambda) + (gr * gr) / (hr + opts.lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = j;
            bestB = b;
          }
        }
      }
      if (bestF < 0) return node;
      const li: number[] = [];
      const ri: number[] = [];
      const bj = bins[bestF];
      for (const i of idx) (bj[i] <= bestB ? li : ri).push(i);
      tree.feature[node] = bestF;
      tree.threshold[node] = cuts[bestF][bestB];
      tree.left[node] = grow(li, depth + 1);
      tree.right[node] = grow(ri, depth + 1);
      return node;
    };
    grow(rows, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (tree.feature[k] >= 0) k = columns[tree.feature[k]][i] <= tree.threshold[k] ? tree.left[k] : tree.right[k];
      margin[i] += tree.value[k];
    }
  }
  return { base, trees };
}

/** Raw margin (logit) of one row given as a feature vector. */
export function ensembleMargin(e: TrainedEnsemble, x: ArrayLike<number>): number {
  let m = e.base;
  for (const t of e.trees) {
    let k = 0;
    while (t.feature[k] >= 0) k = x[t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
    m += t.value[k];
  }
  return m;
}
