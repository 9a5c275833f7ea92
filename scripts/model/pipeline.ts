// Training pipeline shared by `model:train`, the comparison report and tests: encode → boost → calibrate (Platt on
// out-of-fold margins) → export the compact params the app ships. Deterministic for a given seed.
import { encodeFeatures, FEATURE_COUNT, FEATURE_KEYS } from "../../app/lib/propensity/encode";
import type { PropensityModelParams } from "../../app/lib/propensity/ensemble";
import { scorePropensity } from "../../app/lib/propensity/index";
import { confusionAt } from "../../app/lib/propensity/metrics";
import type { LabelledSession } from "./data";
import { trainGbdt, type GbdtOptions, type TrainedEnsemble, DEFAULT_GBDT } from "./gbdt";
import { fitLogistic } from "./logistic";
import { stratifiedFolds } from "./random";

export interface PipelineConfig {
  gbdt: GbdtOptions;
  /** Folds for the out-of-fold margins Platt scaling is fitted on. */
  calibrationFolds: number;
  /** Value quantum of the exported node values (logit units). */
  quantum: number;
  seed: number;
}

/** The shipped configuration, chosen by the cross-validated comparison in scripts/model/train.ts. */
export const SHIPPED_CONFIG: PipelineConfig = {
  gbdt: { ...DEFAULT_GBDT, depth: 4, trees: 40, learningRate: 0.15, minChildWeight: 10, maxBins: 32 },
  calibrationFolds: 5,
  quantum: 0.02,
  seed: 20240605,
};

export function encodeColumns(rows: LabelledSession[]): Float64Array[] {
  const cols = Array.from({ length: FEATURE_COUNT }, () => new Float64Array(rows.length));
  const x = new Float64Array(FEATURE_COUNT);
  rows.forEach((r, i) => {
    encodeFeatures(r.features, x);
    for (let j = 0; j < FEATURE_COUNT; j++) cols[j][i] = x[j];
  });
  return cols;
}

function margins(e: TrainedEnsemble, cols: Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = e.base;
    for (const t of e.trees) {
      let k = 0;
      while (t.feature[k] >= 0) k = cols[t.feature[k]][i] <= t.threshold[k] ? t.left[k] : t.right[k];
      m += t.value[k];
    }
    out[i] = m;
  }
  return out;
}

/** Platt scaling: p = σ(a·margin + b), fitted by Newton on (margin, label) pairs with a vanishing ridge. */
export function fitPlatt(margin: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number } {
  const X = Array.from({ length: margin.length }, (_, i) => Float64Array.of(margin[i]));
  const fit = fitLogistic(X, y, 1e-6, { prior: { intercept: 0, weights: [1] } });
  return { a: fit.weights[0], b: fit.intercept };
}

interface ExportNode {
  /** Platt-scaled value relative to the tree's root, in units of the quantum. */
  v: number;
  split?: { f: number; thr: number; l: ExportNode; r: ExportNode };
}

/**
 * Serialises a trained ensemble in the ./forest format with the Platt map folded into every value (see
 * PropensityModelParams). Values are quantised; a split whose children end up as equal leaves becomes that leaf
 * (same scores, fewer bytes). Each tree is offset so its smallest leaf is 0; `base` takes the offsets back.
 */
export function exportParams(
  e: TrainedEnsemble,
  platt: { a: number; b: number },
  threshold: number,
  quantum: number,
): PropensityModelParams {
  let base = platt.a * e.base + platt.b;
  const nodes: number[] = [];
  const inner: number[] = [];
  for (const t of e.trees) {
    const root = t.value[0];
    base += platt.a * root;
    const read = (k: number): ExportNode => {
      const v = Math.round((platt.a * (t.value[k] - root)) / quantum);
      if (t.feature[k] < 0) return { v };
      const l = read(t.left[k]);
      const r = read(t.right[k]);
      if (!l.split && !r.split && l.v === r.v) return { v: l.v };
      return { v, split: { f: t.feature[k], thr: t.threshold[k], l, r } };
    };
    const tree = read(0);
    let min = Infinity;
    const lowest = (n: ExportNode): void => (n.split ? (lowest(n.split.l), lowest(n.split.r)) : void (min = Math.min(min, n.v)));
    lowest(tree);
    base += min * quantum;
    const emit = (n: ExportNode): void => {
      if (!n.split) return void nodes.push(n.v - min);
      nodes.push(-1 - n.split.f, n.split.thr);
      inner.push(n.v - min);
      emit(n.split.l);
      emit(n.split.r);
    };
    emit(tree);
  }
  return {
    version: 2,
    features: [...FEATURE_KEYS],
    base: Number(base.toFixed(4)),
    quantum,
    nodes,
    inner,
    threshold,
  };
}

/** Threshold (0.01 grid) that maximises F1 on the given probabilities. */
export function f1Threshold(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let best = 0.5;
  let bestF1 = -1;
  for (let t = 5; t <= 95; t++) {
    const f1 = confusionAt(p, y, t / 100).f1;
    if (f1 > bestF1 + 1e-12) {
      bestF1 = f1;
      best = t / 100;
    }
  }
  return best;
}

export interface TrainedModel {
  params: PropensityModelParams;
  platt: { a: number; b: number };
  /** Out-of-fold calibrated probabilities of the training rows (what the threshold was chosen on). */
  oof: Float64Array;
}

/** Full pipeline on `rows`: OOF margins → Platt → final fit on all rows → exported params. */
export function trainPropensityModel(rows: LabelledSession[], cfg: PipelineConfig = SHIPPED_CONFIG): TrainedModel {
  const y = rows.map((r) => r.label);
  const cols = encodeColumns(rows);
  const n = rows.length;
  const fold = stratifiedFolds(y, cfg.calibrationFolds, cfg.seed);
  const oofMargin = new Float64Array(n);
  for (let k = 0; k < cfg.calibrationFolds; k++) {
    const tr: number[] = [];
    const te: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === k ? te : tr).push(i);
    const e = trainGbdt(
      cols.map((c) => Float64Array.from(tr, (i) => c[i])),
      tr.map((i) => y[i]),
      { ...cfg.gbdt, seed: cfg.gbdt.seed + k },
    );
    const m = margins(e, cols.map((c) => Float64Array.from(te, (i) => c[i])), te.length);
    te.forEach((i, j) => (oofMargin[i] = m[j]));
  }
  const platt = fitPlatt(oofMargin, y);
  const oof = Float64Array.from(oofMargin, (m) => 1 / (1 + Math.exp(-(platt.a * m + platt.b))));
  const threshold = f1Threshold(oof, y);
  const full = trainGbdt(cols, y, cfg.gbdt);
  const params = exportParams(full, platt, threshold, cfg.quantum);
  return { params, platt, oof };
}

/** Probabilities of the exported (quantised, calibrated) model, through the app's own scorer. */
export function predict(params: PropensityModelParams, rows: LabelledSession[]): Float64Array {
  return Float64Array.from(rows, (r) => scorePropensity(r.features, params));
}
