import { describe, expect, it } from "vitest";
import { brierScore, confusionAt, expectedCalibrationError, logLoss, rocAuc } from "./metrics";

describe("metrics", () => {
  it("GIVEN scores with a tie across classes WHEN AUC is computed THEN the tie counts half", () => {
    // Pairs (pos, neg): (0.8,0.1) win, (0.8,0.4) win, (0.4,0.1) win, (0.4,0.4) tie → 3.5 / 4
    expect(rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  it("GIVEN a single class WHEN AUC is computed THEN it is undefined (NaN)", () => {
    expect(rocAuc([0.2, 0.3], [1, 1])).toBeNaN();
  });

  it("GIVEN hand-picked probabilities WHEN Brier and log loss are computed THEN they match the formulas", () => {
    expect(brierScore([0.9, 0.2], [1, 0])).toBeCloseTo((0.01 + 0.04) / 2, 12);
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
  });

  it("GIVEN two bins off by known amounts WHEN ECE is computed THEN it is the size-weighted gap", () => {
    // bin [0.1,0.2): mean p 0.15, rate 0 → gap 0.15 × 2 rows; bin [0.9,1]: mean p 0.95, rate 1 → gap 0.05 × 2 rows
    expect(expectedCalibrationError([0.15, 0.15, 0.95, 0.95], [0, 0, 1, 1], 10)).toBeCloseTo((0.3 + 0.1) / 4, 12);
  });

  it("GIVEN a threshold WHEN confusion metrics are computed THEN p ≥ threshold predicts a purchase", () => {
    const c = confusionAt([0.5, 0.49, 0.7, 0.1], [1, 1, 0, 0], 0.5);
    expect(c.accuracy).toBeCloseTo(0.5, 12);
    expect(c.precision).toBeCloseTo(0.5, 12);
    expect(c.recall).toBeCloseTo(0.5, 12);
    expect(c.f1).toBeCloseTo(0.5, 12);
  });
});
