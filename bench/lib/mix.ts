// The edge traffic mix shared by bench:soak and bench:scale: what share of requests each kind is, and the
// status each must get (forged and malformed kinds are refused; real shoppers' kinds are served).
export type Kind =
  | "proxyProfile" | "proxyProfileLoggedOut" | "proxyEvents" | "checkoutProfile" | "checkoutEvents"
  | "forgedProxy" | "staleProxy" | "forgedToken" | "wrongAudience" | "expiredToken" | "malformedBatch" | "invalidBatch"
  | "madeUpVisitor" | "forgedArm";

/** Share of traffic (sums to 100) and the status each kind must get. */
export const MIX: [Kind, number, number][] = [
  ["proxyProfile", 32, 200],
  ["proxyProfileLoggedOut", 6, 200],
  ["proxyEvents", 25, 202],
  ["checkoutProfile", 15, 200],
  ["checkoutEvents", 10, 202],
  ["forgedProxy", 2, 401],
  ["staleProxy", 2, 401],
  ["forgedToken", 1.5, 401],
  ["wrongAudience", 1, 401],
  ["expiredToken", 1, 401],
  ["malformedBatch", 1.5, 400],
  ["invalidBatch", 1, 400],
  ["madeUpVisitor", 1, 403],
  ["forgedArm", 1, 403],
];
export const EXPECTED = new Map(MIX.map(([k, , s]) => [k, s]));
export const EVENT_KINDS = new Set<Kind>(["proxyEvents", "checkoutEvents"]);

/** A kind drawn by its share; event kinds only while `allowEvents` (the tail of a run sends none). */
export function pick(allowEvents: boolean): Kind {
  for (;;) {
    let r = Math.random() * 100;
    for (const [k, w] of MIX) {
      r -= w;
      if (r < 0) {
        if (!allowEvents && EVENT_KINDS.has(k)) break;
        return k;
      }
    }
  }
}
