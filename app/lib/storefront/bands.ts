/**
 * Deciding before the propensity scorer is loaded. Propensity reaches the decision only through its band
 * (decisions/engine `bandOf`), so deciding once per band tells whether the score can change anything right now.
 * When it cannot, that decision stands and the scorer (the embed's heaviest part: its model) is never loaded.
 */
import type { PropensityBands } from "../plays/types";
import type { Decision } from "../decisions/types";

/** The decision when every band gives the same one; null when the band matters (the scorer is needed). */
export function bandFreeDecision(run: (propensity: number) => Decision, bands: PropensityBands): Decision | null {
  // One propensity inside each band: low < bands.low ≤ medium < bands.high ≤ high.
  const all = [0, bands.low, bands.high].map(run);
  const key = JSON.stringify(all[0]);
  return all.every((x) => JSON.stringify(x) === key) ? all[0] : null;
}
