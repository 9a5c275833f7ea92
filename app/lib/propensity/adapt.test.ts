import { describe, expect, it } from "vitest";
import { readSessionsCsv, TRAIN_CSV } from "../../../scripts/model/data";
import { mulberry32 } from "../../../scripts/model/random";
import { adaptShopModel, chooseModel, fitShopCandidate, type ShopSession } from "./adapt";
import { propensityLogit, sigmoid, SHIPPED_MODEL } from "./index";

const features = readSessionsCsv(TRAIN_CSV).map((r) => r.features);

/** A shop whose true purchase logit is scale · shipped logit + shift (outcomes drawn with a fixed seed). */
function shopSessions(n: number, scale: number, shift: number, seed: number): ShopSession[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const f = features[(i * 7919) % features.length];
    return { features: f, purchased: rand() < sigmoid(scale * propensityLogit(f) + shift), at: i };
  });
}

describe("fitShopCandidate", () => {
  it("GIVEN no sessions WHEN a candidate is fitted THEN it keeps the prior's calibration", () => {
    const c = fitShopCandidate(SHIPPED_MODEL, []);
    expect(c.calibration).toEqual({ scale: 1, shift: 0 });
  });

  it("GIVEN a shop converting less than the prior predicts WHEN fitted THEN the shift moves down", () => {
    const c = fitShopCandidate(SHIPPED_MODEL, shopSessions(3000, 1, -1.2, 1));
    expect(c.calibration!.shift).toBeLessThan(-0.5);
  });

  it("GIVEN sessions far above the prior with few distinct scores WHEN fitted THEN the fit converges instead of overshooting (damped Newton)", () => {
    // Browse-only sessions the shipped model gives ~5 %, half of which bought: a full Newton step from the prior
    // lands in saturated probabilities and diverged (found by the events → adaptation test).
    const base = features.find((f) => f.pageValues === 0 && f.productRelated <= 3)!;
    const sessions = Array.from({ length: 800 }, (_, i) => ({ features: { ...base, productRelated: 1 + (i % 3) }, purchased: i % 2 === 0, at: i }));
    const c = fitShopCandidate(SHIPPED_MODEL, sessions);
    const mean = (m: typeof SHIPPED_MODEL) => sessions.reduce((s, x) => s + sigmoid((m.calibration?.scale ?? 1) * propensityLogit(x.features) + (m.calibration?.shift ?? 0)), 0) / sessions.length;
    expect(mean(SHIPPED_MODEL)).toBeLessThan(0.2);
    expect(mean(c)).toBeGreaterThan(0.35);
    expect(mean(c)).toBeLessThan(0.65);
  });
});

describe("chooseModel", () => {
  it("GIVEN a candidate worse on the shop's recent sessions WHEN guarded THEN the current model is kept", () => {
    const recent = shopSessions(1500, 1, 0, 2);
    const worse = { ...SHIPPED_MODEL, calibration: { scale: 0.4, shift: 1.5 } };
    const choice = chooseModel(SHIPPED_MODEL, worse, recent);
    expect(choice.chosen).toBe("current");
    expect(choice.model).toBe(SHIPPED_MODEL);
    expect(choice.candidate.logloss).toBeGreaterThan(choice.current.logloss);
  });

  it("GIVEN too few recent sessions WHEN guarded THEN the current model is kept whatever the candidate", () => {
    const recent = shopSessions(50, 1, -1.2, 4);
    const better = fitShopCandidate(SHIPPED_MODEL, shopSessions(3000, 1, -1.2, 5));
    const choice = chooseModel(SHIPPED_MODEL, better, recent);
    expect(choice.chosen).toBe("current");
    expect(choice.reason).toMatch(/not enough/);
  });
});

describe("adaptShopModel", () => {
  it("GIVEN a shop that converts less than the prior predicts WHEN adapted THEN the guard ships a candidate with lower recent log loss", () => {
    const choice = adaptShopModel(SHIPPED_MODEL, shopSessions(4000, 0.8, -1, 6));
    expect(choice.chosen).toBe("candidate");
    expect(choice.candidate.logloss).toBeLessThan(choice.current.logloss);
    expect(choice.model.calibration).toBeDefined();
  });

  it("GIVEN a shop that behaves like the training store WHEN adapted THEN no change is shipped", () => {
    const choice = adaptShopModel(SHIPPED_MODEL, shopSessions(4000, 1, 0, 7));
    expect(choice.chosen).toBe("current");
  });
});
