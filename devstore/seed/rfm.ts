// Shopify's customer statistics as the dev store reports them (Customer.statistics.rfmGroup / predictedSpendTier).
// Shopify's exact model is not public: this derives R, F and M scores (1–5) from fixed thresholds on recency,
// order count and net spend, adds a little deterministic noise, and maps (R, FM) onto CustomerRfmGroup with the
// descriptions of the 2026-07 schema. An app computing its own quintile RFM agrees often, but not always —
// as it would with Shopify.
import { Rng } from "./prng";

export type RfmGroup =
  | "ACTIVE" | "ALMOST_LOST" | "AT_RISK" | "CHAMPIONS" | "DORMANT" | "LOYAL"
  | "NEEDS_ATTENTION" | "NEW" | "PREVIOUSLY_LOYAL" | "PROMISING" | "PROSPECTS";
export type SpendTier = "HIGH" | "MEDIUM" | "LOW";

const DAY = 86_400_000;
const clamp = (x: number) => Math.max(1, Math.min(5, x));

export function recencyScore(days: number): number {
  return days <= 30 ? 5 : days <= 90 ? 4 : days <= 180 ? 3 : days <= 365 ? 2 : 1;
}
export function frequencyScore(orders: number): number {
  return orders <= 1 ? 1 : orders === 2 ? 2 : orders === 3 ? 3 : orders <= 5 ? 4 : 5;
}
export function monetaryScore(spent: number): number {
  return spent < 60 ? 1 : spent < 130 ? 2 : spent < 250 ? 3 : spent < 500 ? 4 : 5;
}

/** (R, combined F+M) → group, following the schema's descriptions of each CustomerRfmGroup value. */
export function rfmGroupFromScores(r: number, f: number, m: number): RfmGroup {
  const fm = Math.round((f + m) / 2);
  if (r === 5) return fm >= 4 ? "CHAMPIONS" : fm >= 2 ? "ACTIVE" : "NEW";
  if (r >= 3) {
    if (fm >= 4) return "LOYAL";
    if (fm >= 2) return r === 4 ? "ACTIVE" : "NEEDS_ATTENTION";
    return "PROMISING";
  }
  if (fm >= 5) return "PREVIOUSLY_LOYAL";
  if (fm >= 4 || (fm === 3 && r === 2)) return "AT_RISK";
  if (fm >= 2 && r === 2) return "ALMOST_LOST";
  return fm >= 3 ? "ALMOST_LOST" : "DORMANT";
}

export function rfmFor(
  noiseSeed: number,
  now: number,
  orders: number,
  spent: number,
  lastOrderAt: number | null,
): { group: RfmGroup; predictedSpendTier: SpendTier; scores: [number, number, number] | null } {
  if (orders === 0 || lastOrderAt === null) return { group: "PROSPECTS", predictedSpendTier: "LOW", scores: null };
  const rng = new Rng(noiseSeed);
  const scores: [number, number, number] = [
    recencyScore((now - lastOrderAt) / DAY),
    frequencyScore(orders),
    monetaryScore(spent),
  ];
  // Shopify's model is not ours: nudge one score of ~12 % of customers so agreement is high, not perfect.
  if (rng.chance(0.12)) {
    const which = rng.int(0, 2);
    scores[which] = clamp(scores[which]! + (rng.chance(0.5) ? 1 : -1));
  }
  const [r, f, m] = scores;
  const predictedSpendTier: SpendTier = r <= 1 ? "LOW" : m >= 4 && r >= 3 ? "HIGH" : f + m >= 4 ? "MEDIUM" : "LOW";
  return { group: rfmGroupFromScores(r, f, m), predictedSpendTier, scores };
}
