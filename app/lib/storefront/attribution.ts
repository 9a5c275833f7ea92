/** Cart-attribute attribution (`_rp_plays`): pure helpers shared by the embed and its tests. */
import type { Arm, PlayKey } from "../plays/types";

/** play → "arm:shown" | "arm:eligible". */
export type Attribution = Partial<Record<PlayKey, string>>;

/** Records eligibility (never downgrading "shown") and returns whether anything changed. */
export function markEligible(att: Attribution, play: PlayKey, arm: Arm): boolean {
  const cur = att[play];
  if (cur === `${arm}:eligible` || cur === `${arm}:shown`) return false;
  att[play] = `${arm}:eligible`;
  return true;
}

export function markShown(att: Attribution, play: PlayKey, arm: Arm): boolean {
  if (att[play] === `${arm}:shown`) return false;
  att[play] = `${arm}:shown`;
  return true;
}

/** The `_rp_plays` cart attribute: `play:arm:shown|eligible`, comma-separated, in a stable order. */
export function attributionValue(att: Attribution): string {
  return Object.keys(att).sort().map((p) => `${p}:${att[p as PlayKey]}`).join(",");
}
