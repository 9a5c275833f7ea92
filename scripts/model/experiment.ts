import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
import { readSessionsCsv, TRAIN_CSV } from "./data";
import { stratifiedFolds } from "./random";
import { trainGbdt, ensembleMargin, DEFAULT_GBDT, type GbdtOptions } from "./gbdt";
import { fitLogistic, logisticMargin } from "./logistic";
import { rocAuc, brierScore, logLoss, expectedCalibrationError } from "../../app/lib/propensity/metrics";
import type { PropensityFeatures } from "../../app/lib/propensity/features";

const data = readSessionsCsv(TRAIN_CSV);
const y = data.map((d) => d.label);
const vt = (v: string) => (v === "new" ? 0 : v === "returning" ? 1 : 2);
const treeRaw = (f: PropensityFeatures) => [f.administrative, f.administrativeDuration, f.informational, f.informationalDuration, f.productRelated, f.productRelatedDuration, f.bounceRates, f.exitRates, f.pageValues, f.specialDay, f.month, vt(f.visitorType), f.weekend ? 1 : 0];
const treeDer = (f: PropensityFeatures) => [...treeRaw(f), f.productRelatedDuration / Math.max(1, f.productRelated), f.administrative + f.informational + f.productRelated, f.administrativeDuration + f.informationalDuration + f.productRelatedDuration];
const l = Math.log1p;
const lrRaw = (f: PropensityFeatures) => treeRaw(f);
const lrT = (f: PropensityFeatures) => {
  const m = new Array(12).fill(0); if (f.month >= 1) m[f.month - 1] = 1;
  return [l(f.administrative), l(f.administrativeDuration), l(f.informational), l(f.informationalDuration), l(f.productRelated), l(f.productRelatedDuration), f.bounceRates * 10, f.exitRates * 10, l(f.pageValues), f.pageValues > 0 ? 1 : 0, f.specialDay, ...m, f.visitorType === "new" ? 1 : 0, f.visitorType === "other" ? 1 : 0, f.weekend ? 1 : 0];
};

function cv(name: string, fit: (tr: number[]) => (i: number) => number, seeds = [1, 2]) {
  const res: number[][] = [];
  const t0 = Date.now();
  for (const s of seeds) {
    const fold = stratifiedFolds(y, 5, s);
    const p = new Float64Array(y.length);
    for (let k = 0; k < 5; k++) {
      const tr: number[] = []; const te: number[] = [];
      for (let i = 0; i < y.length; i++) (fold[i] === k ? te : tr).push(i);
      const score = fit(tr);
      for (const i of te) p[i] = 1 / (1 + Math.exp(-score(i)));
    }
    res.push([rocAuc(p, y), brierScore(p, y), logLoss(p, y), expectedCalibrationError(p, y)]);
  }
  const avg = res[0].map((_, j) => res.reduce((a, r) => a + r[j], 0) / res.length);
  console.log(name.padEnd(40), avg.map((v) => v.toFixed(4)).join("  "), `${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

function lr(feat: (f: PropensityFeatures) => number[], l2: number) {
  const X = data.map((d) => Float64Array.from(feat(d.features)));
  // standardise on the training fold
  return (tr: number[]) => {
    const dd = X[0].length; const mu = new Float64Array(dd); const sd = new Float64Array(dd);
    for (const i of tr) for (let j = 0; j < dd; j++) mu[j] += X[i][j] / tr.length;
    for (const i of tr) for (let j = 0; j < dd; j++) sd[j] += (X[i][j] - mu[j]) ** 2 / tr.length;
    for (let j = 0; j < dd; j++) sd[j] = Math.sqrt(sd[j]) || 1;
    const Z = (x: Float64Array) => x.map((v, j) => (v - mu[j]) / sd[j]);
    const fit = fitLogistic(tr.map((i) => Z(X[i])), tr.map((i) => y[i]), l2);
    return (i: number) => logisticMargin(fit, Z(X[i]));
  };
}
function gb(feat: (f: PropensityFeatures) => number[], o: Partial<GbdtOptions>) {
  const X = data.map((d) => feat(d.features));
  return (tr: number[]) => {
    const cols = X[0].map((_, j) => Float64Array.from(tr.map((i) => X[i][j])));
    const e = trainGbdt(cols, tr.map((i) => y[i]), { ...DEFAULT_GBDT, ...o });
    return (i: number) => ensembleMargin(e, X[i]);
  };
}
const which = process.argv[2] ?? "all";
if (which === "all" || which === "lr") {
  cv("LR raw", lr(lrRaw, 1));
  cv("LR transformed", lr(lrT, 1));
}
const grid: [string, (f: PropensityFeatures) => number[], Partial<GbdtOptions>][] = [
  ["GB d1 300 lr.1", treeRaw, { depth: 1, trees: 300, learningRate: 0.1 }],
  ["GB d2 150 lr.1", treeRaw, { depth: 2, trees: 150, learningRate: 0.1 }],
  ["GB d3 100 lr.1", treeRaw, { depth: 3, trees: 100, learningRate: 0.1 }],
  ["GB d3 100 lr.1 der", treeDer, { depth: 3, trees: 100, learningRate: 0.1 }],
  ["GB d4 60 lr.1", treeRaw, { depth: 4, trees: 60, learningRate: 0.1 }],
  ["GB d3 200 lr.05", treeRaw, { depth: 3, trees: 200, learningRate: 0.05 }],
  ["GB d3 100 lr.1 mcw20", treeRaw, { depth: 3, trees: 100, learningRate: 0.1, minChildWeight: 20 }],
];
if (which === "all" || which === "gb") for (const [n, f, o] of grid) cv(n, gb(f, o));
if (which === "der") {
  const tot = (f: PropensityFeatures) => f.administrative + f.informational + f.productRelated;
  const cands: [string, (f: PropensityFeatures) => number][] = [
    ["pv*prod", (f) => f.pageValues * f.productRelated],
    ["pv*tot", (f) => f.pageValues * tot(f)],
    ["pv/exit", (f) => f.pageValues / Math.max(0.001, f.exitRates)],
    ["exit-bounce", (f) => f.exitRates - f.bounceRates],
    ["exit*tot", (f) => f.exitRates * tot(f)],
    ["pvPerDur", (f) => f.pageValues / Math.max(1, f.productRelatedDuration)],
    ["nov", (f) => (f.month === 11 ? 1 : 0)],
  ];
  for (const [n, c] of cands) cv(`GB d3 + ${n}`, gb((f) => [...treeRaw(f), c(f)], { depth: 3, trees: 100 }), [1]);
  cv(`GB d3 base`, gb(treeRaw, { depth: 3, trees: 100 }), [1]);
}
if (which === "grid") {
  const g2: Partial<GbdtOptions>[] = [
    { depth: 3, trees: 100, maxBins: 64 },
    { depth: 3, trees: 100, maxBins: 16 },
    { depth: 4, trees: 150, learningRate: 0.05, subsample: 0.8 },
    { depth: 5, trees: 100, learningRate: 0.05, subsample: 0.8, minChildWeight: 10 },
    { depth: 3, trees: 300, learningRate: 0.03, subsample: 0.7, lambda: 5 },
    { depth: 6, trees: 150, learningRate: 0.03, subsample: 0.7, minChildWeight: 10, lambda: 5 },
    { depth: 2, trees: 300, learningRate: 0.05 },
  ];
  for (const o of g2) cv(`GB ${JSON.stringify(o)}`, gb(treeRaw, o), [1, 2]);
}
if (which === "codes") {
  const raw = require("node:fs").readFileSync("data/online-shoppers/train.csv", "utf8").split("\n").slice(1).filter(Boolean).map((l: string) => l.split(",").slice(11, 15).map(Number));
  const X = data.map((d, i) => [...treeRaw(d.features), ...raw[i]]);
  cv("GB d3 WITH os/browser/region/traffic", (tr) => {
    const cols = X[0].map((_, j) => Float64Array.from(tr.map((i) => X[i][j])));
    const e = trainGbdt(cols, tr.map((i) => y[i]), { ...DEFAULT_GBDT, depth: 3, trees: 100 });
    return (i) => ensembleMargin(e, X[i]);
  });
}
if (which === "small") {
  const g2: Partial<GbdtOptions>[] = [
    { depth: 3, trees: 30, learningRate: 0.3 },
    { depth: 3, trees: 50, learningRate: 0.2 },
    { depth: 4, trees: 30, learningRate: 0.2 },
    { depth: 4, trees: 40, learningRate: 0.15, minChildWeight: 10 },
    { depth: 5, trees: 30, learningRate: 0.15, minChildWeight: 10, subsample: 0.8 },
  ];
  for (const o of g2) cv(`GB ${JSON.stringify(o)}`, gb(treeRaw, o), [1, 2]);
}
if (which === "blend") {
  const a = lr(lrT, 1); const b = gb(treeRaw, { depth: 3, trees: 100 });
  cv("blend LR+GB d3", (tr) => { const fa = a(tr), fb = b(tr); return (i) => 0.3 * fa(i) + 0.7 * fb(i); }, [1, 2]);
}
