/**
 * Lift analysis for one play: treatment against its randomized holdout, the incremental orders and revenue it
 * caused, and a plain-language verdict on a fixed-horizon design (decide only once the planned sample size is
 * reached, so that looking at the dashboard every day does not manufacture "working" plays out of noise).
 */
import { newcombeDifference, relativeLift, wilsonInterval, type Interval } from "./proportions";
import { sampleSizeTwoProportions, type SampleSize } from "./sampleSize";
import { sampleRatioTest, type SampleRatioResult } from "./srm";

export type Verdict = "not_enough_data" | "working" | "not_working" | "no_control" | "data_quality";

/** English labels (CSV export, logs). The admin renders verdicts through its locale files. */
export const VERDICT_LABELS: Record<Verdict, string> = {
  not_enough_data: "not enough data yet",
  working: "working",
  not_working: "not working",
  no_control: "no holdout: lift cannot be measured",
  data_quality: "data quality problem",
};

export type VerdictReason =
  /** Fewer visitors than the planned sample size in at least one arm. */
  | "below_sample_size"
  /** Planned size reached, interval still spans 0 and the minimum detectable effect: more data needed. */
  | "inconclusive"
  /** Interval for the difference lies above 0. */
  | "positive_lift"
  /** Interval lies at or below 0 (the play does not raise conversion, or lowers it). */
  | "no_lift"
  /** Interval excludes the minimum detectable effect: any lift is smaller than worth detecting. */
  | "below_minimum_effect"
  /** No holdout configured (0 %) or no holdout visitor: nothing to compare with, so no lift can be stated. */
  | "no_holdout"
  /** An arm has too few visitors for its rate to be estimated at all. */
  | "arm_too_small"
  /** The observed arm split contradicts the configured one (χ², p < 0.001): visitors were lost or forged. */
  | "sample_ratio_mismatch";

export interface ArmOutcome {
  /** Visitors in the arm (eligible for the play). */
  visitors: number;
  /** Visitors who ordered at least once. */
  converted: number;
  /** Revenue of those orders, shop currency. */
  revenue: number;
}

export interface LiftOptions {
  /** Smallest relative lift worth detecting (0.2 = +20 %). */
  minimumDetectableLift?: number;
  alpha?: number;
  power?: number;
  /** Baseline conversion used for planning when the data cannot supply one yet. */
  fallbackBaseline?: number;
  /** Holdout share used for planning when no visitor has been counted yet (0.1 = 10 %). */
  holdoutShare?: number;
  /**
   * The holdout share the play is configured with (0–1), for the control and sample-ratio checks; 0 means the
   * play runs without a holdout. Unknown (undefined): only the observed arms are checked.
   */
  expectedHoldoutShare?: number;
}

export const DEFAULT_LIFT_OPTIONS = {
  minimumDetectableLift: 0.2,
  alpha: 0.05,
  power: 0.8,
  fallbackBaseline: 0.03,
  holdoutShare: 0.1,
} as const satisfies Required<Omit<LiftOptions, "expectedHoldoutShare">>;

/** Below this many visitors an arm's conversion rate is not estimated (one order would swing it by ≥ 10 points). */
export const MIN_ARM_VISITORS = 10;

/** Verdicts that carry no lift figure: the page shows why instead of a number. */
export function hasLiftFigure(verdict: Verdict): boolean {
  return verdict !== "no_control" && verdict !== "data_quality";
}

/** Holdout conversions needed before its own rate is trusted as the planning baseline. */
const MIN_BASELINE_CONVERSIONS = 5;

export interface LiftAnalysis {
  treatmentRate: Interval;
  holdoutRate: Interval;
  /** Treatment rate − holdout rate (Newcombe hybrid score interval). */
  difference: Interval;
  /** Treatment rate / holdout rate − 1 (delta method on the log ratio); null without holdout conversions. */
  relativeLift: Interval | null;
  /** (treatment rate − holdout rate) × treated visitors. */
  incrementalOrders: Interval;
  /** Incremental orders × revenue per converted treated visitor. */
  incrementalRevenue: Interval;
  verdict: Verdict;
  reason: VerdictReason;
  /** Baseline conversion and minimum detectable lift the plan used. */
  plan: { baseline: number; minimumDetectableLift: number; required: SampleSize };
  /** Share of the plan reached, 0–1 (the lagging arm). */
  progress: number;
  /** The χ² test of the observed split against the configured holdout share (p = 1 when it cannot run). */
  sampleRatio: SampleRatioResult;
}

export function analyzeLift(treatment: ArmOutcome, holdout: ArmOutcome, options: LiftOptions = {}): LiftAnalysis {
  const o: Required<Omit<LiftOptions, "expectedHoldoutShare">> = { ...DEFAULT_LIFT_OPTIONS };
  for (const [k, v] of Object.entries(options) as [keyof LiftOptions, number | undefined][]) {
    if (v !== undefined && k !== "expectedHoldoutShare") o[k] = v;
  }
  const expected = options.expectedHoldoutShare;
  const confidence = 1 - o.alpha;
  const treatmentRate = wilsonInterval(treatment.converted, treatment.visitors, confidence);
  const holdoutRate = wilsonInterval(holdout.converted, holdout.visitors, confidence);
  const difference = newcombeDifference(treatment.converted, treatment.visitors, holdout.converted, holdout.visitors, confidence);
  const lift = relativeLift(treatment.converted, treatment.visitors, holdout.converted, holdout.visitors, confidence);

  const scale = (i: Interval, k: number): Interval => ({ estimate: i.estimate * k, lower: i.lower * k, upper: i.upper * k });
  const incrementalOrders = scale(difference, treatment.visitors);
  const revenuePerConverter =
    treatment.converted > 0
      ? treatment.revenue / treatment.converted
      : holdout.converted > 0
        ? holdout.revenue / holdout.converted
        : 0;
  const incrementalRevenue = scale(incrementalOrders, revenuePerConverter);

  const baseline = planningBaseline(treatment, holdout, o.fallbackBaseline);
  const ratio =
    treatment.visitors > 0 && holdout.visitors > 0 ? treatment.visitors / holdout.visitors : (1 - o.holdoutShare) / o.holdoutShare;
  const plan = (relLift: number) =>
    sampleSizeTwoProportions({ baseline, target: Math.min(0.999, baseline * (1 + relLift)), alpha: o.alpha, power: o.power, ratio });
  const required = plan(o.minimumDetectableLift);
  const progress = Math.min(1, treatment.visitors / required.treatment, holdout.visitors / required.holdout);

  let verdict: Verdict;
  let reason: VerdictReason;
  let planned = { baseline, minimumDetectableLift: o.minimumDetectableLift, required };
  const minimumEffect = baseline * o.minimumDetectableLift;
  const sampleRatio = sampleRatioTest(treatment.visitors, holdout.visitors, expected ?? 0);
  // Without a control there is nothing to compare with; a split that contradicts its configuration means the arms
  // are not the randomized groups they claim to be. Either way no lift is stated, whatever the intervals say.
  const counted = treatment.visitors + holdout.visitors > 0;
  if (expected === 0 || (counted && holdout.visitors === 0)) {
    verdict = "no_control";
    reason = "no_holdout";
  } else if (sampleRatio.mismatch) {
    verdict = "data_quality";
    reason = "sample_ratio_mismatch";
  } else if (counted && (treatment.visitors < MIN_ARM_VISITORS || holdout.visitors < MIN_ARM_VISITORS)) {
    verdict = "no_control";
    reason = "arm_too_small";
  } else if (progress < 1) {
    verdict = "not_enough_data";
    reason = "below_sample_size";
  } else if (difference.lower > 0) {
    verdict = "working";
    reason = "positive_lift";
  } else if (difference.upper <= 0) {
    verdict = "not_working";
    reason = "no_lift";
  } else if (difference.upper < minimumEffect) {
    verdict = "not_working";
    reason = "below_minimum_effect";
  } else {
    // The plan was met but the interval still spans both 0 and the minimum effect: re-plan for the lift seen.
    verdict = "not_enough_data";
    reason = "inconclusive";
    const observed = lift && lift.estimate > 0 ? Math.min(lift.estimate, o.minimumDetectableLift) : o.minimumDetectableLift;
    planned = { baseline, minimumDetectableLift: observed, required: plan(observed) };
  }
  const measured = hasLiftFigure(verdict);
  const none: Interval = { estimate: 0, lower: 0, upper: 0 };
  return {
    treatmentRate,
    holdoutRate,
    difference: measured ? difference : none,
    relativeLift: measured ? lift : null,
    incrementalOrders: measured ? incrementalOrders : none,
    incrementalRevenue: measured ? incrementalRevenue : none,
    verdict,
    reason,
    plan: planned,
    // An inconclusive play always needs more data, even when the re-planned size is already met.
    progress: reason === "inconclusive"
      ? Math.min(0.99, treatment.visitors / planned.required.treatment, holdout.visitors / planned.required.holdout)
      : progress,
    sampleRatio,
  };
}

/** The holdout's own rate once it has a few conversions, else the pooled rate, else the fallback. */
function planningBaseline(t: ArmOutcome, h: ArmOutcome, fallback: number): number {
  const clamp = (p: number) => Math.min(0.5, Math.max(0.001, p));
  if (h.converted >= MIN_BASELINE_CONVERSIONS && h.visitors > 0) return clamp(h.converted / h.visitors);
  const n = t.visitors + h.visitors;
  const x = t.converted + h.converted;
  if (x > 0 && n > 0) return clamp(x / n);
  return fallback;
}
