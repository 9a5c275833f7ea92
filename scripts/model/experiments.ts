// Session-3 experiments on the AUC plateau (docs/propensity.md "Further attempts"): bagging, stacking with the
// transformed logistic regression, month re-ordered by purchase rate. Cross-validated like the comparison
// (5-fold × 2 seeds, uncalibrated probabilities, so Brier/log loss compare with each other, not with report.json).
// Run: npx tsx scripts/model/experiments.ts [name prefix | month]
import { readSessionsCsv, TRAIN_CSV, type LabelledSession } from "./data";
import { crossValidate, type Learner } from "./evaluation";
import { encodeColumns, f1Threshold, SHIPPED_CONFIG } from "./pipeline";
import { trainGbdt, ensembleMargin, type GbdtOptions } from "./gbdt";
import { logisticLearner, transformedDesign } from "./baselines";
import { encodeFeatures, FEATURE_COUNT } from "../../app/lib/propensity/encode";

const rows = readSessionsCsv(TRAIN_CSV);
const sig = (m: number) => 1 / (1 + Math.exp(-m));
function gbdtMargins(train: LabelledSession[], opts: GbdtOptions, bags: number) {
  const cols = encodeColumns(train);
  const y = train.map((r) => r.label);
  const es = Array.from({ length: bags }, (_, b) => trainGbdt(cols, y, { ...opts, seed: opts.seed + 101 * b }));
  const x = new Float64Array(FEATURE_COUNT);
  return (r: LabelledSession) => { encodeFeatures(r.features, x); let s = 0; for (const e of es) s += ensembleMargin(e, x); return s / bags; };
}
function gbdtLearner(opts: GbdtOptions, bags = 1): Learner {
  return (train) => {
    const f = gbdtMargins(train, opts, bags);
    const y = train.map((r) => r.label);
    const predict = (rs: LabelledSession[]) => Float64Array.from(rs, (r) => sig(f(r)));
    return { predict, threshold: f1Threshold(predict(train), y) };
  };
}
function stackLearner(opts: GbdtOptions, w: number): Learner {
  return (train) => {
    const g = gbdtMargins(train, opts, 1);
    const lr = logisticLearner(transformedDesign, 1)(train);
    const logit = (p: number) => Math.log(p / (1 - p));
    const predict = (rs: LabelledSession[]) => { const pl = lr.predict(rs); return Float64Array.from(rs, (r, i) => sig((1 - w) * g(r) + w * logit(pl[i]))); };
    return { predict, threshold: f1Threshold(predict(train), train.map((r) => r.label)) };
  };
}
const base = SHIPPED_CONFIG.gbdt;
const which = process.argv[2] ?? "all";
const runs: [string, Learner][] = [
  ["shipped gbdt (no platt)", gbdtLearner(base)],
  ["bag5 subsample .8", gbdtLearner({ ...base, subsample: 0.8 }, 5)],
  ["bag5 subsample .7 lr .1 60 trees", gbdtLearner({ ...base, subsample: 0.7, learningRate: 0.1, trees: 60 }, 5)],
  ["stack gbdt+lr w .2", stackLearner(base, 0.2)],
  ["stack gbdt+lr w .35", stackLearner(base, 0.35)],
];
for (const [name, l] of runs) {
  if (which !== "all" && !name.startsWith(which)) continue;
  const t = Date.now();
  const r = crossValidate(rows, l, 5, [1, 2]);
  console.log(JSON.stringify({ name, auc: +r.pooled.auc.toFixed(4), brier: +r.pooled.brier.toFixed(4), ll: +r.pooled.logloss.toFixed(4), s: (Date.now() - t) / 1000 }));
}
// month re-ordered by training purchase rate (a 12-entry lookup would ship)
function monthRankLearner(opts: GbdtOptions): Learner {
  return (train) => {
    const pos = new Array(13).fill(0), cnt = new Array(13).fill(0);
    for (const r of train) { cnt[r.features.month]++; pos[r.features.month] += r.label; }
    const rate = (m: number) => (pos[m] + 0.155 * 20) / (cnt[m] + 20);
    const order = Array.from({ length: 12 }, (_, i) => i + 1).sort((a, b) => rate(a) - rate(b));
    const rank = new Array(13).fill(0); order.forEach((m, i) => (rank[m] = i + 1));
    const tx = (r: LabelledSession): LabelledSession => ({ ...r, features: { ...r.features, month: rank[r.features.month] ?? 0 } });
    const inner = gbdtLearner(opts)(train.map(tx));
    const predict = (rs: LabelledSession[]) => inner.predict(rs.map(tx));
    return { predict, threshold: inner.threshold };
  };
}
if (which === "all" || which === "month") {
  for (const [name, l] of [["month rank", monthRankLearner(base)], ["month rank d3 60", monthRankLearner({ ...base, depth: 3, trees: 60 })]] as [string, Learner][]) {
    const r = crossValidate(rows, l, 5, [1, 2]);
    console.log(JSON.stringify({ name, auc: +r.pooled.auc.toFixed(4), brier: +r.pooled.brier.toFixed(4), ll: +r.pooled.logloss.toFixed(4) }));
  }
}
