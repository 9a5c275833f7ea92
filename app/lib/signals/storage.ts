/**
 * (De)serialisation of the signals for first-party storage. Parsing never throws: anything that is not a
 * state this version wrote (other version, tampering, truncation) is dropped and the shopper starts fresh.
 */
import type { SessionSignals, VisitorState } from "./types";

export const serializeSession = (s: SessionSignals): string => JSON.stringify(s);
export const serializeVisitor = (v: VisitorState): string => JSON.stringify(v);

/**
 * Field checks are written as property accesses, not key strings: the storefront bundle mangles internal
 * property names (esbuild mangleProps), and only property accesses are renamed consistently with the writer.
 */
const num = (v: unknown) => Number.isFinite(v);
const obj = (v: unknown) => typeof v === "object" && v !== null;

function parse<T>(raw: string | null, valid: (x: T) => boolean): T | null {
  try {
    const x = JSON.parse(raw || "null");
    return x && x.v === 1 && valid(x) ? x : null;
  } catch {
    return null;
  }
}

export function parseSession(raw: string | null): SessionSignals | null {
  return parse<SessionSignals>(
    raw,
    (s) =>
      num(s.start) && num(s.last) && obj(s.views) && obj(s.dwell) && obj(s.pv) && obj(s.adds) && obj(s.rems) &&
      obj(s.dismissed) && num(s.addCount) && num(s.remCount) && num(s.statN) && num(s.bounceSum) &&
      num(s.exitSum) && num(s.valueSum) && num(s.subtotal),
  );
}

export function parseVisitor(raw: string | null): VisitorState | null {
  const v = parse<VisitorState>(raw, (x) => obj(x.visits) && obj(x.shows) && num(x.firstSeen));
  // Ids the app signed are `<nonce>.<tag>` (app/lib/stats/visitor.ts): the dot is allowed.
  return v && /^[\w.-]{8,64}$/.test(String(v.id)) ? v : null;
}
