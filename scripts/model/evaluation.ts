// Cross-validated evaluation helpers for the training report (model comparison and honest metrics).
import { gzipSync } from "node:zlib";
import type { PropensityModelParams } from "../../app/lib/propensity/ensemble";
import {
  brierScore,
  confusionAt,
  expectedCalibrationError,
  logLoss,
  rocAuc,
} from "../../app/lib/propensity/metrics";
import type { LabelledSession } from "./data";
import { stratifiedFolds } from "./random";

export interface Metrics {
  n: number;
  auc: number;
  brier: number;
  logloss: number;
  ece: number;
  accuracy: number;
  f1: number;
}

export function metricsOf(p: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Metrics {
  const c = confusionAt(p, y, threshold);
  return {
    n: p.length,
    auc: rocAuc(p, y),
    brier: brierScore(p, y),
    logloss: logLoss(p, y),
    ece: expectedCalibrationError(p, y, 10),
    accuracy: c.accuracy,
    f1: c.f1,
  };
}

export interface CvResult {
  /** Metrics of the pooled out-of-fold predictions, averaged over repeats. */
  pooled: Metrics;
  /** AUC of each test fold (spread shows how much a single split can flatter or hurt). */
  foldAuc: number[];
  foldBrier: number[];
  /** Mean gzip size of the fitted models' params: the whole file, and the part the storefront bundles. */
  bytesGzip?: number;
  storefrontBytesGzip?: number;
}

/** A learner: fit on training rows, return a probability function for test rows (+ optional shipped params). */
export type Learner = (train: LabelledSession[]) => {
  predict: (rows: LabelledSession[]) => Float64Array;
  threshold: number;
  params?: PropensityModelParams;
};

export function modelBytesGzip(params: PropensityModelParams): number {
  return gzipSync(Buffer.from(JSON.stringify(params)), { level: 9 }).length;
}

/** What the theme embed bundles of the params (app/lib/propensity/score.ts): base, quantum and the nodes. */
export function storefrontBytesGzip(params: PropensityModelParams): number {
  const { base, quantum, nodes } = params;
  return gzipSync(Buffer.from(JSON.stringify({ base, quantum, nodes })), { level: 9 }).length;
}

/** Stratified k-fold cross-validation, repeated once per seed. */
export function crossValidate(rows: LabelledSession[], learner: Learner, k: number, seeds: number[]): CvResult {
  const y = rows.map((r) => r.label);
  const pooled: Metrics[] = [];
  const foldAuc: number[] = [];
  const foldBrier: number[] = [];
  let bytes = 0;
  let storefrontBytes = 0;
  let fits = 0;
  for (const seed of seeds) {
    const fold = stratifiedFolds(y, k, seed);
    const p = new Float64Array(rows.length);
    const thr = new Float64Array(rows.length);
    for (let f = 0; f < k; f++) {
      const trainRows = rows.filter((_, i) => fold[i] !== f);
      const testIdx = rows.map((_, i) => i).filter((i) => fold[i] === f);
      const model = learner(trainRows);
      const pt = model.predict(testIdx.map((i) => rows[i]));
      testIdx.forEach((i, j) => {
        p[i] = pt[j];
        thr[i] = model.threshold;
      });
      const yt = testIdx.map((i) => y[i]);
      foldAuc.push(rocAuc(pt, yt));
      foldBrier.push(brierScore(pt, yt));
      if (model.params) {
        bytes += modelBytesGzip(model.params);
        storefrontBytes += storefrontBytesGzip(model.params);
        fits++;
      }
    }
    // F1 of each row at the threshold its own fold's model would use.
    const m = metricsOf(p, y, 0.5);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let correct = 0;
    for (let i = 0; i < p.length; i++) {
      const hit = p[i] >= thr[i];
      if (hit && y[i] === 1) tp++;
      else if (hit) fp++;
      else if (y[i] === 1) fn++;
      if (hit === (y[i] === 1)) correct++;
    }
    m.f1 = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
    m.accuracy = correct / p.length;
    pooled.push(m);
  }
  const avg = {} as Metrics;
  for (const key of Object.keys(pooled[0]) as (keyof Metrics)[])
    avg[key] = pooled.reduce((s, m) => s + m[key], 0) / pooled.length;
  const mean = (b: number) => (fits ? Math.round(b / fits) : undefined);
  return { pooled: avg, foldAuc, foldBrier, bytesGzip: mean(bytes), storefrontBytesGzip: mean(storefrontBytes) };
}

export function meanSd(xs: number[]): { mean: number; sd: number; min: number; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}
