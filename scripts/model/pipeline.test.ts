import { describe, expect, it } from "vitest";
import { expectedCalibrationError } from "../../app/lib/propensity/metrics";
import { readSessionsCsv, TRAIN_CSV } from "./data";
import { ensembleMargin, trainGbdt, DEFAULT_GBDT } from "./gbdt";
import { encodeColumns, exportParams, predict, SHIPPED_CONFIG, trainPropensityModel } from "./pipeline";
import { stratifiedFolds } from "./random";
import { propensityLogit } from "../../app/lib/propensity/index";
import { compileModel } from "../../app/lib/propensity/ensemble";

const rows = readSessionsCsv(TRAIN_CSV);

describe("training pipeline", () => {
  it("GIVEN the same data and seed WHEN trained twice THEN the exported params are identical", () => {
    const subset = rows.slice(0, 2500);
    const cfg = { ...SHIPPED_CONFIG, gbdt: { ...SHIPPED_CONFIG.gbdt, trees: 10, subsample: 0.8 } };
    const a = trainPropensityModel(subset, cfg).params;
    const b = trainPropensityModel(subset, cfg).params;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(compileModel(a).roots).toHaveLength(10);
  });

  it("GIVEN a validation split the model never saw WHEN its calibrated scores are binned THEN ECE(10) ≤ 0.03", () => {
    const fold = stratifiedFolds(rows.map((r) => r.label), 5, 99);
    const train = rows.filter((_, i) => fold[i] !== 0);
    const valid = rows.filter((_, i) => fold[i] === 0);
    const { params } = trainPropensityModel(train, SHIPPED_CONFIG);
    const p = predict(params, valid);
    const ece = expectedCalibrationError(p, valid.map((r) => r.label), 10);
    expect(ece).toBeLessThanOrEqual(0.03);
  });

  it("GIVEN a trained ensemble WHEN exported and scored by the app's scorer THEN logits match up to value quantisation", () => {
    const subset = rows.slice(0, 3000);
    const cols = encodeColumns(subset);
    const e = trainGbdt(cols, subset.map((r) => r.label), { ...DEFAULT_GBDT, trees: 20, depth: 3 });
    const quantum = 0.002;
    const params = exportParams(e, { a: 1, b: 0 }, 0.5, quantum);
    for (let i = 0; i < 200; i++) {
      const x = cols.map((c) => c[i]);
      expect(Math.abs(propensityLogit(subset[i].features, params) - ensembleMargin(e, x))).toBeLessThan(20 * quantum);
    }
  });

  it("GIVEN quantised values WHEN exported THEN no split is left whose two children are leaves of equal value", () => {
    const subset = rows.slice(0, 3000);
    const e = trainGbdt(encodeColumns(subset), subset.map((r) => r.label), { ...DEFAULT_GBDT, trees: 30, depth: 4 });
    const m = compileModel(exportParams(e, { a: 1, b: 0 }, 0.5, 0.05));
    let redundant = 0;
    for (let k = 0; k < m.nodes.length; k++) {
      if (m.nodes[k] >= 0) continue;
      const l = k + 2;
      const r = m.right[k];
      if (m.nodes[l] >= 0 && m.nodes[r] >= 0 && m.nodes[l] === m.nodes[r]) redundant++;
      k++;
    }
    expect(redundant).toBe(0);
  });
});
