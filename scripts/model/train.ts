// `npm run model:train` — trains the shipped propensity model on data/online-shoppers/train.csv, reports its
// cross-validated metrics and writes app/lib/propensity/model.json + scripts/model/report.json.
// `npm run model:train -- --compare` also cross-validates the candidate model classes (docs/propensity.md);
// `-- --budget` cross-validates the shipped pipeline at other value quanta and ensemble sizes (storefront bytes).
// Deterministic: fixed seeds, no clocks in the outputs.
import { writeFileSync } from "node:fs";
import { readSessionsCsv, TRAIN_CSV } from "./data";
import { logisticLearner, rawDesign, transformedDesign } from "./baselines";
import {
  crossValidate,
  meanSd,
  metricsOf,
  modelBytesGzip,
  storefrontBytesGzip,
  type CvResult,
  type Learner,
} from "./evaluation";
import { DEFAULT_GBDT, type GbdtOptions } from "./gbdt";
import { predict, SHIPPED_CONFIG, trainPropensityModel, type PipelineConfig } from "./pipeline";
import { compileModel } from "../../app/lib/propensity/ensemble";

const MODEL_PATH = "app/lib/propensity/model.json";
const REPORT_PATH = "scripts/model/report.json";
const COMPARISON_PATH = "scripts/model/comparison.json";
const BUDGET_PATH = "scripts/model/budget.json";

function gbdtLearner(cfg: PipelineConfig): Learner {
  return (train) => {
    const { params } = trainPropensityModel(train, cfg);
    return { params, threshold: params.threshold, predict: (rows) => predict(params, rows) };
  };
}

function withTrees(o: Partial<GbdtOptions>): PipelineConfig {
  return { ...SHIPPED_CONFIG, gbdt: { ...DEFAULT_GBDT, ...o } };
}

function summary(name: string, r: CvResult) {
  const auc = meanSd(r.foldAuc);
  const round = (x: number) => Number(x.toFixed(4));
  return {
    model: name,
    auc: round(r.pooled.auc),
    aucFoldMin: round(auc.min),
    aucFoldMax: round(auc.max),
    aucFoldSd: round(auc.sd),
    brier: round(r.pooled.brier),
    logloss: round(r.pooled.logloss),
    ece: round(r.pooled.ece),
    accuracy: round(r.pooled.accuracy),
    f1: round(r.pooled.f1),
    bytesGzip: r.bytesGzip ?? null,
    storefrontBytesGzip: r.storefrontBytesGzip ?? null,
  };
}

const started = Date.now();
const rows = readSessionsCsv(TRAIN_CSV);
const log = (s: string) => process.stderr.write(`${s}\n`);
log(`train: ${rows.length} sessions, ${rows.filter((r) => r.label === 1).length} purchases`);

if (process.argv.includes("--compare")) {
  const candidates: [string, Learner][] = [
    ["logistic regression, raw features", logisticLearner(rawDesign)],
    ["logistic regression, log/one-hot transforms", logisticLearner(transformedDesign)],
    ["additive model (boosted stumps, 300 × depth 1)", gbdtLearner(withTrees({ depth: 1, trees: 300, learningRate: 0.1 }))],
    ["boosted trees 100 × depth 2", gbdtLearner(withTrees({ depth: 2, trees: 100, learningRate: 0.15 }))],
    ["boosted trees 60 × depth 3", gbdtLearner(withTrees({ depth: 3, trees: 60, learningRate: 0.15 }))],
    ["boosted trees 40 × depth 4 (shipped)", gbdtLearner(SHIPPED_CONFIG)],
    ["boosted trees 150 × depth 5, lr 0.05 (size reference)", gbdtLearner(withTrees({ depth: 5, trees: 150, learningRate: 0.05, minChildWeight: 10, subsample: 0.8 }))],
  ];
  const table = [];
  for (const [name, learner] of candidates) {
    const t0 = Date.now();
    const s = summary(name, crossValidate(rows, learner, 5, [1, 2]));
    log(`${name}: ${JSON.stringify(s)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    table.push(s);
  }
  writeFileSync(COMPARISON_PATH, `${JSON.stringify({ folds: 5, repeats: 2, rows: rows.length, table }, null, 2)}\n`);
  log(`wrote ${COMPARISON_PATH}`);
}

if (process.argv.includes("--budget")) {
  // What the storefront's byte budget costs in accuracy: value precision and ensemble size around the shipped model.
  const q = (quantum: number): PipelineConfig => ({ ...SHIPPED_CONFIG, quantum });
  const t = (o: Partial<GbdtOptions>): PipelineConfig => ({ ...SHIPPED_CONFIG, gbdt: { ...SHIPPED_CONFIG.gbdt, ...o } });
  const candidates: [string, PipelineConfig][] = [
    ["40 × depth 4, quantum 0.002", q(0.002)],
    ["40 × depth 4, quantum 0.005", q(0.005)],
    ["40 × depth 4, quantum 0.01", q(0.01)],
    ["40 × depth 4, quantum 0.02 (shipped)", SHIPPED_CONFIG],
    ["40 × depth 4, quantum 0.04", q(0.04)],
    ["30 × depth 4, lr 0.2", t({ trees: 30, learningRate: 0.2 })],
    ["25 × depth 4, lr 0.24", t({ trees: 25, learningRate: 0.24 })],
    ["50 × depth 3, lr 0.18", t({ trees: 50, depth: 3, learningRate: 0.18 })],
    ["40 × depth 3, lr 0.2", t({ trees: 40, depth: 3, learningRate: 0.2 })],
  ];
  const table = [];
  for (const [name, cfg] of candidates) {
    const t0 = Date.now();
    const s = summary(name, crossValidate(rows, gbdtLearner(cfg), 5, [1, 2]));
    log(`${name}: ${JSON.stringify(s)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    table.push(s);
  }
  writeFileSync(BUDGET_PATH, `${JSON.stringify({ folds: 5, repeats: 2, rows: rows.length, table }, null, 2)}\n`);
  log(`wrote ${BUDGET_PATH}`);
}

// Honest estimate of the shipped procedure (boosting + its own inner calibration) on folds it never saw.
const cv = summary("shipped pipeline", crossValidate(rows, gbdtLearner(SHIPPED_CONFIG), 5, [7]));
log(`cross-validated (5-fold): ${JSON.stringify(cv)}`);

const trained = trainPropensityModel(rows, SHIPPED_CONFIG);
const params = trained.params;
writeFileSync(MODEL_PATH, `${JSON.stringify(params)}\n`);
const y = rows.map((r) => r.label);
const inSample = metricsOf(predict(params, rows), y, params.threshold);
const report = {
  data: { path: TRAIN_CSV, rows: rows.length, purchases: y.filter((v) => v === 1).length },
  config: SHIPPED_CONFIG,
  platt: { a: Number(trained.platt.a.toFixed(4)), b: Number(trained.platt.b.toFixed(4)) },
  threshold: params.threshold,
  modelBytesGzip: modelBytesGzip(params),
  storefrontModelBytesGzip: storefrontBytesGzip(params),
  crossValidated: cv,
  outOfFoldCalibration: metricsOf(trained.oof, y, params.threshold),
  inSampleNotAnEstimate: inSample,
};
writeFileSync(REPORT_PATH, `${JSON.stringify(report, null, 2)}\n`);
log(`wrote ${MODEL_PATH} (${report.modelBytesGzip} B gzip, ${compileModel(params).roots.length} trees, threshold ${params.threshold})`);
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
