/**
 * RFM scoring: quintiles within the shop, tie-safe, and the R × FM grid that names a segment in Shopify's
 * CustomerRfmGroup vocabulary. Pure; shared by the sync, the webhooks, the admin explanation and the benches.
 */
import type { RfmGroup } from "../plays/types";

/**
 * A score scale for one dimension: `minForScore[i]` is the smallest observed value that earns score i + 2
 * (i = 0..3 → scores 2..5), or null when no observed value reaches that score. Score 1 needs nothing.
 * Scores are a function of the value only, so equal values always get equal scores.
 */
export interface ScoreScale {
  minForScore: [number | null, number | null, number | null, number | null];
  /** How many customers the scale was computed from. */
  population: number;
}

export interface ShopScales {
  /** Recency on the last order time (epoch ms): more recent = higher score. */
  r: ScoreScale;
  /** Frequency on the count of non-cancelled orders. */
  f: ScoreScale;
  /** Monetary on net spend (refunds subtracted). */
  m: ScoreScale;
}

export const EMPTY_SCALE: ScoreScale = { minForScore: [null, null, null, null], population: 0 };

/**
 * Builds the quintile scale of a population. Each distinct value gets the quintile of its mid-rank
 * (the middle of the block of equal values), so ties share a score and a population where everyone is
 * equal (a single-order shop's frequency, a one-customer shop) lands in the middle (3) rather than at an
 * arbitrary end. With distinct values this is the usual "top 20 % → 5" quintile split.
 */
export function computeScale(values: ArrayLike<number>): ScoreScale {
  const n = values.length;
  if (n === 0) return { ...EMPTY_SCALE, minForScore: [null, null, null, null] };
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const minForScore: ScoreScale["minForScore"] = [null, null, null, null];
  let i = 0;
  while (i < n) {
    const v = sorted[i];
    let j = i;
    while (j + 1 < n && sorted[j + 1] === v) j++;
    // count(< v) = i, count(<= v) = j + 1; mid-rank percentile in (0, 1].
    const p = (i + j + 1) / (2 * n);
    const s = quintileOf(p);
    for (let k = 2; k <= s; k++) if (minForScore[k - 2] === null) minForScore[k - 2] = v;
    i = j + 1;
  }
  return { minForScore, population: n };
}

function quintileOf(p: number): number {
  return Math.min(5, Math.floor(p * 5 + 1e-9) + 1);
}

/** Score 1–5 of a value on a scale; 0 when the scale is empty (nothing to compare with). */
export function scoreOn(scale: ScoreScale, value: number): number {
  if (scale.population === 0) return 0;
  let s = 1;
  for (let k = 0; k < 4; k++) {
    const t = scale.minForScore[k];
    if (t !== null && value >= t) s = k + 2;
  }
  return s;
}

/** Shopify's formula: the group is read from R and the average of F and M, rounded half up. */
export function fmScore(f: number, m: number): number {
  return Math.floor((f + m + 1) / 2);
}

/**
 * The R × FM grid (rows R 5→1, columns FM 1→5), modelled on the standard RFM segment grid:
 *
 *   R5: NEW            PROMISING      ACTIVE           CHAMPIONS         CHAMPIONS
 *   R4: NEW            PROMISING      ACTIVE           LOYAL             CHAMPIONS
 *   R3: NEEDS_ATTENTION NEEDS_ATTENTION NEEDS_ATTENTION LOYAL            LOYAL
 *   R2: ALMOST_LOST    ALMOST_LOST    AT_RISK          AT_RISK           AT_RISK
 *   R1: DORMANT        DORMANT        ALMOST_LOST      PREVIOUSLY_LOYAL  PREVIOUSLY_LOYAL
 *
 * Customers without a (non-cancelled) order are PROSPECTS.
 */
const GRID: Record<number, [RfmGroup, RfmGroup, RfmGroup, RfmGroup, RfmGroup]> = {
  5: ["NEW", "PROMISING", "ACTIVE", "CHAMPIONS", "CHAMPIONS"],
  4: ["NEW", "PROMISING", "ACTIVE", "LOYAL", "CHAMPIONS"],
  3: ["NEEDS_ATTENTION", "NEEDS_ATTENTION", "NEEDS_ATTENTION", "LOYAL", "LOYAL"],
  2: ["ALMOST_LOST", "ALMOST_LOST", "AT_RISK", "AT_RISK", "AT_RISK"],
  1: ["DORMANT", "DORMANT", "ALMOST_LOST", "PREVIOUSLY_LOYAL", "PREVIOUSLY_LOYAL"],
};

export function rfmGroupOf(r: number, f: number, m: number, ordersCount: number): RfmGroup {
  if (ordersCount <= 0 || r < 1 || f < 1 || m < 1) return "PROSPECTS";
  const fm = fmScore(f, m);
  return GRID[clamp(r)][clamp(fm) - 1];
}

function clamp(s: number): number {
  return Math.max(1, Math.min(5, Math.round(s)));
}

export interface RfmInput {
  ordersCount: number;
  netSpend: number;
  /** Epoch ms of the last non-cancelled order, or null. */
  lastOrderAt: number | null;
}

export interface RfmResult {
  rScore: number;
  fScore: number;
  mScore: number;
  segment: RfmGroup;
}

/** Scores a customer against the shop's scales; customers without orders are unscored PROSPECTS. */
export function scoreCustomer(scales: ShopScales, c: RfmInput): RfmResult {
  if (c.ordersCount <= 0 || c.lastOrderAt === null) return { rScore: 0, fScore: 0, mScore: 0, segment: "PROSPECTS" };
  const rScore = scoreOn(scales.r, c.lastOrderAt);
  const fScore = scoreOn(scales.f, c.ordersCount);
  const mScore = scoreOn(scales.m, c.netSpend);
  return { rScore, fScore, mScore, segment: rfmGroupOf(rScore, fScore, mScore, c.ordersCount) };
}

/** Scales over the customers that have at least one order (prospects are not part of the ranking). */
export function computeShopScales(customers: Iterable<RfmInput>): ShopScales {
  const r: number[] = [];
  const f: number[] = [];
  const m: number[] = [];
  for (const c of customers) {
    if (c.ordersCount <= 0 || c.lastOrderAt === null) continue;
    r.push(c.lastOrderAt);
    f.push(c.ordersCount);
    m.push(c.netSpend);
  }
  return { r: computeScale(r), f: computeScale(f), m: computeScale(m) };
}
