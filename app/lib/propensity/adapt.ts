// Per-shop learning: the shipped model is the prior; a shop's own sessions with known outcomes re-fit its last
// layer (logit' = scale · logit + shift), shrunk towards the current model, and a guard only ships the candidate
// when it beats the current model on the shop's most recent held-out sessions. Pure.
import type { PropensityFeatures } from "./features";
import { encodeFeatures, FEATURE_COUNT } from "./encode";
import { compileModel, type PropensityModelParams } from "./ensemble";
import { forestMargin } from "./forest";
import { logLoss, rocAuc } from "./metrics";

export interface ShopSession {
  features: PropensityFeatures;
  purchased: boolean;
  /** Session start (epoch ms); the most recent sessions are the guard's hold-out. */
  at?: number;
}

export interface AdaptOptions {
  /** Weight of the prior in sessions' worth of evidence (larger = slower to move away from it). */
  priorSessions: number;
  /** Share of the most recent sessions held out for the guard. */
  holdoutFraction: number;
  /** Minimum hold-out size and purchases in it before any candidate may replace the current model. */
  minHoldout: number;
  minHoldoutPurchases: number;
}

export const DEFAULT_ADAPT: AdaptOptions = { priorSessions: 200, holdoutFraction: 0.3, minHoldout: 200, minHoldoutPurchases: 10 };

function calibrationOf(m: PropensityModelParams) {
  return { scale: m.calibration?.scale ?? 1, shift: m.calibration?.shift ?? 0 };
}

function rawMargins(model: PropensityModelParams, sessions: ShopSession[]): Float64Array {
  const c = compileModel(model);
  const x = new Float64Array(FEATURE_COUNT);
  return Float64Array.from(sessions, (s) => forestMargin(c, encodeFeatures(s.features, x)));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Candidate: the shop's maximum a-posteriori last layer. Gaussian prior centred on the current calibration with
 * precision priorSessions × 0.1 (≈ the Fisher information of that many sessions at a 10 % purchase rate).
 */
export function fitShopCandidate(
  current: PropensityModelParams,
  sessions: ShopSession[],
  priorSessions = DEFAULT_ADAPT.priorSessions,
): PropensityModelParams {
  const prior = calibrationOf(current);
  const raw = rawMargins(current, sessions);
  const lambda = priorSessions * 0.1;
  // Penalised negative log-likelihood: the objective each damped Newton step must lower.
  const objective = (a: number, b: number) => {
    let f = 0.5 * lambda * ((a - prior.scale) ** 2 + (b - prior.shift) ** 2);
    for (let i = 0; i < raw.length; i++) {
      const z = a * raw[i] + b;
      // log(1 + e^z) − y·z, computed without overflow.
      f += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - (sessions[i].purchased ? z : 0);
    }
    return f;
  };
  let a = prior.scale;
  let b = prior.shift;
  let f = objective(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = lambda * (a - prior.scale);
    let gb = lambda * (b - prior.shift);
    let haa = lambda;
    let hab = 0;
    let hbb = lambda;
    for (let i = 0; i < raw.length; i++) {
      const p = sigmoid(a * raw[i] + b);
      const r = p - (sessions[i].purchased ? 1 : 0);
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * raw[i];
      gb += r;
      haa += w * raw[i] * raw[i];
      hab += w * raw[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Damped: far from the optimum (sessions far off the prior, saturated probabilities) a full Newton step can
    // overshoot and diverge; halve it until the objective goes down.
    let t = 1;
    let next = objective(a - da, b - db);
    while (!(next <= f) && t > 1e-6) {
      t /= 2;
      next = objective(a - t * da, b - t * db);
    }
    if (!(next <= f)) break;
    a -= t * da;
    b -= t * db;
    const moved = t * (Math.abs(da) + Math.abs(db));
    f = next;
    if (moved < 1e-10) break;
  }
  // A non-positive scale would invert the ranking; the guard would refuse it anyway, but never produce one.
  a = Math.max(a, 0.05);
  return { ...current, calibration: { scale: a, shift: b } };
}

export interface ModelScore {
  n: number;
  logloss: number;
  auc: number;
}

export interface ModelChoice {
  model: PropensityModelParams;
  chosen: "current" | "candidate";
  reason: string;
  current: ModelScore;
  candidate: ModelScore;
}

function scoreOn(model: PropensityModelParams, sessions: ShopSession[]): { p: Float64Array; y: Float64Array; s: ModelScore } {
  const { scale, shift } = calibrationOf(model);
  const raw = rawMargins(model, sessions);
  const z = Float64Array.from(raw, (m) => scale * m + shift);
  const p = Float64Array.from(z, sigmoid);
  const y = Float64Array.from(sessions, (s) => (s.purchased ? 1 : 0));
  // AUC on logits (saturated probabilities would tie sessions the model does rank), rounded so sessions that reach
  // the same leaves tie for every model whatever the floating-point summation order.
  const ranked = Float64Array.from(z, (v) => Math.round(v * 1e9) / 1e9);
  return { p, y, s: { n: sessions.length, logloss: logLoss(p, y), auc: rocAuc(ranked, y) } };
}

/** Rounding in a monotone recalibration can reorder near-identical scores; that is not a worse ranking. */
const AUC_TIE_TOLERANCE = 1e-4;

/**
 * The guard: keeps `current` unless `candidate` has lower log loss on the shop's recent held-out sessions by more
 * than one standard error of the paired per-session difference, and an AUC no lower than current's (up to
 * AUC_TIE_TOLERANCE).
 */
export function chooseModel(
  current: PropensityModelParams,
  candidate: PropensityModelParams,
  recent: ShopSession[],
  opts: Pick<AdaptOptions, "minHoldout" | "minHoldoutPurchases"> = DEFAULT_ADAPT,
): ModelChoice {
  const cur = scoreOn(current, recent);
  const cand = scoreOn(candidate, recent);
  const keep = (reason: string): ModelChoice => ({ model: current, chosen: "current", reason, current: cur.s, candidate: cand.s });
  const purchases = cur.y.reduce((s, v) => s + v, 0);
  if (recent.length < opts.minHoldout || purchases < opts.minHoldoutPurchases || purchases === recent.length) {
    return keep("not enough recent sessions with outcomes to compare");
  }
  const eps = 1e-12;
  const loss = (q: number, y: number) => -(y === 1 ? Math.log(Math.max(q, eps)) : Math.log(Math.max(1 - q, eps)));
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < recent.length; i++) {
    const d = loss(cur.p[i], cur.y[i]) - loss(cand.p[i], cand.y[i]);
    sum += d;
    sumSq += d * d;
  }
  const n = recent.length;
  const gain = sum / n;
  const se = Math.sqrt(Math.max(0, sumSq / n - gain * gain) / n);
  if (!(gain > se && gain > 0)) return keep("candidate does not lower log loss on recent sessions");
  if (!(cand.s.auc >= cur.s.auc - AUC_TIE_TOLERANCE)) return keep("candidate ranks recent sessions worse (AUC)");
  return { model: candidate, chosen: "candidate", reason: "candidate lowers log loss on recent sessions", current: cur.s, candidate: cand.s };
}

/** Fits a candidate on the older sessions and lets the guard judge it on the most recent ones. */
export function adaptShopModel(
  current: PropensityModelParams,
  sessions: ShopSession[],
  opts: AdaptOptions = DEFAULT_ADAPT,
): ModelChoice {
  const ordered = sessions.map((s, i) => ({ s, i })).sort((p, q) => (p.s.at ?? p.i) - (q.s.at ?? q.i) || p.i - q.i);
  const cut = Math.floor(ordered.length * (1 - opts.holdoutFraction));
  const older = ordered.slice(0, cut).map((o) => o.s);
  const recent = ordered.slice(cut).map((o) => o.s);
  const candidate = fitShopCandidate(current, older, opts.priorSessions);
  return chooseModel(current, candidate, recent, opts);
}
