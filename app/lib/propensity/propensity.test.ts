import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_BANDS } from "../plays/defaults";
import type { PropensityFeatures } from "./features";
import {
  explainPropensity,
  FEATURE_KEYS,
  propensityBand,
  propensityLogit,
  PURCHASE_THRESHOLD,
  scorePropensity,
  SHIPPED_MODEL,
} from "./index";
import { compileModel } from "./ensemble";
import { scorePropensity as scoreInBrowser } from "./score";

const empty: PropensityFeatures = {
  administrative: 0,
  administrativeDuration: 0,
  informational: 0,
  informationalDuration: 0,
  productRelated: 0,
  productRelatedDuration: 0,
  bounceRates: 0,
  exitRates: 0,
  pageValues: 0,
  specialDay: 0,
  month: 1,
  visitorType: "new",
  weekend: false,
};

const browsing: PropensityFeatures = {
  ...empty,
  administrative: 2,
  administrativeDuration: 60,
  productRelated: 25,
  productRelatedDuration: 900,
  bounceRates: 0.01,
  exitRates: 0.03,
  month: 11,
  visitorType: "returning",
};

const featuresArb: fc.Arbitrary<PropensityFeatures> = fc.record({
  administrative: fc.integer({ min: 0, max: 30 }),
  administrativeDuration: fc.double({ min: 0, max: 5000, noNaN: true }),
  informational: fc.integer({ min: 0, max: 20 }),
  informationalDuration: fc.double({ min: 0, max: 3000, noNaN: true }),
  productRelated: fc.integer({ min: 0, max: 700 }),
  productRelatedDuration: fc.double({ min: 0, max: 70000, noNaN: true }),
  bounceRates: fc.double({ min: 0, max: 0.2, noNaN: true }),
  exitRates: fc.double({ min: 0, max: 0.2, noNaN: true }),
  pageValues: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 400, noNaN: true })),
  specialDay: fc.constantFrom(0, 0.2, 0.4, 0.6, 0.8, 1),
  month: fc.integer({ min: 1, max: 12 }),
  visitorType: fc.constantFrom("new" as const, "returning" as const, "other" as const),
  weekend: fc.boolean(),
});

describe("scorePropensity", () => {
  it("GIVEN an empty session WHEN scored THEN it is a finite probability in the low band", () => {
    const p = scorePropensity(empty);
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeGreaterThan(0);
    expect(propensityBand(p, DEFAULT_BANDS)).toBe("low");
  });

  it("GIVEN huge or infinite durations WHEN scored THEN the probability stays finite and within 0–1", () => {
    for (const d of [1e9, Number.MAX_VALUE, Infinity]) {
      const p = scorePropensity({ ...browsing, productRelatedDuration: d, administrativeDuration: d, informationalDuration: d });
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });

  it("GIVEN NaN and negative inputs WHEN scored THEN they count as nothing observed", () => {
    const broken = { ...empty, productRelated: NaN, productRelatedDuration: -5, pageValues: NaN, bounceRates: -1 };
    expect(scorePropensity(broken)).toBe(scorePropensity(empty));
  });

  it("GIVEN an unknown visitor type WHEN scored THEN it is scored as the dataset's 'other' visitors", () => {
    const unknown = { ...browsing, visitorType: "bot" as unknown as PropensityFeatures["visitorType"] };
    expect(scorePropensity(unknown)).toBe(scorePropensity({ ...browsing, visitorType: "other" }));
  });

  it("GIVEN an out-of-range month WHEN scored THEN a finite probability is returned", () => {
    expect(Number.isFinite(scorePropensity({ ...browsing, month: 13 }))).toBe(true);
  });

  it("GIVEN the same browsing with a high page value WHEN scored THEN propensity is higher", () => {
    expect(scorePropensity({ ...browsing, pageValues: 40 })).toBeGreaterThan(scorePropensity(browsing));
  });

  it("GIVEN a shop recalibration WHEN scored THEN the logit is scale · shipped logit + shift", () => {
    const shop = { ...SHIPPED_MODEL, calibration: { scale: 0.8, shift: -0.5 } };
    expect(propensityLogit(browsing, shop)).toBeCloseTo(0.8 * propensityLogit(browsing) - 0.5, 12);
  });
});

describe("explainPropensity", () => {
  it("GIVEN any session WHEN explained THEN contributions sum to the score's logit minus base", () => {
    fc.assert(
      fc.property(featuresArb, (f) => {
        const e = explainPropensity(f);
        const sum = FEATURE_KEYS.reduce((s, k) => s + e.contributions[k], 0);
        expect(sum).toBeCloseTo(e.logit - e.base, 9);
        expect(e.logit).toBeCloseTo(propensityLogit(f), 9);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("GIVEN a shop-calibrated model WHEN explained THEN contributions still sum to its logit minus base", () => {
    const shop = { ...SHIPPED_MODEL, calibration: { scale: 1.3, shift: 0.4 } };
    const e = explainPropensity({ ...browsing, pageValues: 12 }, shop);
    const sum = Object.values(e.contributions).reduce((s, c) => s + c, 0);
    expect(sum).toBeCloseTo(e.logit - e.base, 9);
    expect(e.probability).toBeCloseTo(scorePropensity({ ...browsing, pageValues: 12 }, shop), 12);
  });

  it("GIVEN a session WHEN explained THEN up holds positive signals in descending order and down negative ones ascending", () => {
    const e = explainPropensity({ ...browsing, pageValues: 25 }, SHIPPED_MODEL, 3);
    expect(e.up.length).toBeGreaterThan(0);
    expect(e.up.every((s) => s.contribution > 0)).toBe(true);
    expect(e.down.every((s) => s.contribution < 0)).toBe(true);
    for (let i = 1; i < e.up.length; i++) expect(e.up[i - 1].contribution).toBeGreaterThanOrEqual(e.up[i].contribution);
    for (let i = 1; i < e.down.length; i++) expect(e.down[i - 1].contribution).toBeLessThanOrEqual(e.down[i].contribution);
    expect(e.up[0].signal).toBe("pageValues");
  });
});

describe("propensityBand", () => {
  it("GIVEN probabilities at the band edges WHEN banded THEN low < low ≤ medium < high ≤ high", () => {
    const bands = { low: 0.2, high: 0.6 };
    expect(propensityBand(0.1999, bands)).toBe("low");
    expect(propensityBand(0.2, bands)).toBe("medium");
    expect(propensityBand(0.5999, bands)).toBe("medium");
    expect(propensityBand(0.6, bands)).toBe("high");
  });

  it("GIVEN a NaN probability WHEN banded THEN it is low (never qualifies a shopper as likely buyer)", () => {
    expect(propensityBand(NaN, { low: 0.2, high: 0.6 })).toBe("low");
  });
});

describe("shipped model", () => {
  it("GIVEN the shipped params WHEN inspected THEN the decision threshold is a probability strictly inside 0–1", () => {
    expect(PURCHASE_THRESHOLD).toBeGreaterThan(0);
    expect(PURCHASE_THRESHOLD).toBeLessThan(1);
    expect(SHIPPED_MODEL.nodes.length).toBeGreaterThan(0);
  });

  it("GIVEN params with a different feature order WHEN compiled THEN it refuses them", () => {
    const wrong = { ...SHIPPED_MODEL, features: [...SHIPPED_MODEL.features].reverse() };
    expect(() => compileModel(wrong)).toThrow(/feature order/);
  });
});

describe("storefront scorer (./score)", () => {
  it("GIVEN any session WHEN scored by the storefront scorer and the server scorer THEN the probabilities are identical", () => {
    fc.assert(
      fc.property(featuresArb, (f) => {
        expect(scoreInBrowser(f)).toBe(scorePropensity(f));
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it("GIVEN a shop's own last layer WHEN the storefront scorer gets it from the config THEN it scores as the server does with that layer", () => {
    fc.assert(
      fc.property(featuresArb, fc.double({ min: 0.2, max: 3, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (f, scale, shift) => {
        const server = scorePropensity(f, { ...SHIPPED_MODEL, calibration: { scale, shift } });
        expect(scoreInBrowser(f, { scale, shift })).toBeCloseTo(server, 12);
        if (Math.abs(shift) > 0.01 && server > 1e-6 && server < 1 - 1e-6) expect(scoreInBrowser(f, { scale, shift })).not.toBeCloseTo(scoreInBrowser(f), 6);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe("model format", () => {
  it("GIVEN nodes that end inside a tree WHEN compiled THEN it refuses them", () => {
    const cut = { ...SHIPPED_MODEL, nodes: SHIPPED_MODEL.nodes.slice(0, -1) };
    expect(() => compileModel(cut)).toThrow(/malformed/);
  });

  it("GIVEN a split on a feature index the encoder does not produce WHEN compiled THEN it refuses it", () => {
    const nodes = [...SHIPPED_MODEL.nodes];
    nodes[SHIPPED_MODEL.nodes.findIndex((v) => v < 0)] = -1 - FEATURE_KEYS.length;
    expect(() => compileModel({ ...SHIPPED_MODEL, nodes })).toThrow(/malformed/);
  });

  it("GIVEN the shipped model WHEN compiled THEN every leaf value is non-negative (splits are the only negative codes)", () => {
    const m = compileModel(SHIPPED_MODEL);
    const leaves: number[] = [];
    const visit = (k: number): void => {
      if (m.nodes[k] < 0) {
        visit(k + 2);
        visit(m.right[k]);
      } else leaves.push(m.nodes[k]);
    };
    m.roots.forEach(visit);
    expect(leaves.length).toBe(SHIPPED_MODEL.nodes.length - 2 * SHIPPED_MODEL.inner.length);
    expect(Math.min(...leaves)).toBe(0);
  });
});
