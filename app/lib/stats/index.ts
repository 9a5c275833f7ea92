export { assignArm, bucket, fnv1a } from "./assignment";
export { normalQuantile, zForConfidence } from "./normal";
export { newcombeDifference, relativeLift, wilsonInterval, type Interval } from "./proportions";
export { sampleSizeTwoProportions, type SampleSize, type SampleSizeInput } from "./sampleSize";
export {
  analyzeLift,
  DEFAULT_LIFT_OPTIONS,
  hasLiftFigure,
  MIN_ARM_VISITORS,
  VERDICT_LABELS,
  type ArmOutcome,
  type LiftAnalysis,
  type LiftOptions,
  type Verdict,
  type VerdictReason,
} from "./lift";
export {
  formatPlaysAttribute,
  parsePlaysAttribute,
  PLAYS_ATTRIBUTE,
  VISITOR_ATTRIBUTE,
  type ExposureStatus,
  type PlayAttribution,
} from "./attribution";
export { erfc, sampleRatioTest, SRM_ALPHA, type SampleRatioResult } from "./srm";
export {
  armMessage,
  armOfDigest,
  bucketOfDigest,
  idMessage,
  isSignedVisitorIdFormat,
  SIGNED_VISITOR_ID,
  splitVisitorId,
} from "./visitor";
