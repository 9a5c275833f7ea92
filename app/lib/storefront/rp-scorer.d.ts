/** Build-time alias (scripts/build-extensions.ts): the propensity scorer bundled into the embed. */
declare module "rp-scorer" {
  import type { PropensityFeatures } from "../propensity/features";
  export const scorePropensity: ((f: PropensityFeatures, shop?: { scale: number; shift: number }) => number) | undefined;
}
