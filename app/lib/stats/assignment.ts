import type { Arm, PlayKey } from "../plays/types";

/** FNV-1a 32-bit hash: fast, dependency-free and identical in the browser, on the server and in benches. */
export function fnv1a(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bucket 0–9999 for a visitor in a play; independent across plays (the play key salts the hash). */
export function bucket(visitorId: string, play: PlayKey): number {
  return fnv1a(`${play}:${visitorId}`) % 10000;
}

/**
 * Deterministic holdout assignment: the same visitor always lands in the same arm of a play, and the holdout
 * share is holdoutPercent % of visitors (basis points precision).
 */
export function assignArm(visitorId: string, play: PlayKey, holdoutPercent: number): Arm {
  return bucket(visitorId, play) < Math.round(holdoutPercent * 100) ? "holdout" : "treatment";
}
