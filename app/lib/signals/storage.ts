/**
 * Compact (de)serialisation of the signals for first-party storage. Parsing never throws: anything that is
 * not a state this version wrote is dropped and the shopper starts fresh.
 */
import type { SessionSignals, VisitorState } from "./types";

const round = (x: number) => Math.round(x * 10) / 10;

export function serializeSession(s: SessionSignals): string {
  const dwell: SessionSignals["dwell"] = {};
  for (const k in s.dwell) dwell[k as keyof typeof dwell] = round(s.dwell[k as keyof typeof dwell] ?? 0);
  return JSON.stringify({ ...s, dwell, bounceSum: round4(s.bounceSum), exitSum: round4(s.exitSum), valueSum: round(s.valueSum) });
}
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

export function parseSession(raw: string | null): SessionSignals | null {
  if (!raw) return null;
  try {
    const x: unknown = JSON.parse(raw);
    if (!isObj(x) || x.v !== 1 || !isNum(x.start) || !isNum(x.last)) return null;
    for (const k of ["views", "dwell", "pv", "adds", "rems"]) if (!isObj(x[k])) return null;
    for (const k of ["addCount", "remCount", "bounceSum", "exitSum", "valueSum", "statN", "exitIntents", "subtotal"]) {
      if (!isNum(x[k])) return null;
    }
    if (!Array.isArray(x.dismissed)) return null;
    if (x.page !== null && !(isObj(x.page) && typeof x.page.kind === "string" && isNum(x.page.since))) return null;
    return x as unknown as SessionSignals;
  } catch {
    return null;
  }
}

export function serializeVisitor(v: VisitorState): string {
  return JSON.stringify(v);
}

export function parseVisitor(raw: string | null): VisitorState | null {
  if (!raw) return null;
  try {
    const x: unknown = JSON.parse(raw);
    if (!isObj(x) || x.v !== 1 || typeof x.id !== "string" || !/^[\w-]{8,64}$/.test(x.id)) return null;
    if (!Array.isArray(x.visits) || !x.visits.every(isNum) || !isNum(x.firstSeen) || !isObj(x.shows)) return null;
    if (x.purchasedAt !== null && !isNum(x.purchasedAt)) return null;
    return x as unknown as VisitorState;
  } catch {
    return null;
  }
}
