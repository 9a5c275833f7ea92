/**
 * (De)serialisation of the signals for first-party storage. Parsing never throws: anything that is not a
 * state this version wrote (other version, tampering, truncation) is dropped and the shopper starts fresh.
 */
import type { SessionSignals, VisitorState } from "./types";

export const serializeSession = (s: SessionSignals): string => JSON.stringify(s);
export const serializeVisitor = (v: VisitorState): string => JSON.stringify(v);

function parse(raw: string | null, keys: string[]): Record<string, unknown> | null {
  try {
    const x = JSON.parse(raw || "null");
    // Every listed field must exist with the type the reducer expects: "#name" a finite number, else an object.
    const ok = (k: string) => (k[0] === "#" ? Number.isFinite(x[k.slice(1)]) : typeof x[k] === "object" && x[k] !== null);
    return x && x.v === 1 && keys.every(ok) ? x : null;
  } catch {
    return null;
  }
}

export function parseSession(raw: string | null): SessionSignals | null {
  return parse(raw, ["#start", "#last", "views", "dwell", "pv", "adds", "rems", "dismissed", "#addCount", "#remCount", "#statN", "#bounceSum", "#exitSum", "#valueSum", "#subtotal"]) as SessionSignals | null;
}

export function parseVisitor(raw: string | null): VisitorState | null {
  const v = parse(raw, ["visits", "shows", "#firstSeen"]) as VisitorState | null;
  return v && /^[\w-]{8,64}$/.test(String(v.id)) ? v : null;
}
