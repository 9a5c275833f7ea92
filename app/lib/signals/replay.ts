/**
 * Rebuilds storefront sessions from the page views the app stored, through the same reducer the embed runs
 * (session.ts, features.ts), so the features the server derives — per-shop learning, the explanation in the
 * customer lookup and analytics — are the ones the embed scored. Pure.
 *
 * A session is the GA one (a new session after 30 minutes without a page view). Its features are taken at its
 * last page view, so the last page's dwell is 0 (as in GA's session durations). A visitor's first session in the
 * input is "new", later ones "returning". A session is a purchase when the visitor has an attributed order from
 * its start to 30 minutes after its last page view (each order counts for one session).
 */
import type { PropensityFeatures } from "../propensity/features";
import { toPropensityFeatures } from "./features";
import { applySignal, newSession, newVisitor, SESSION_TIMEOUT_MS } from "./session";
import { PAGE_KINDS, type PageKind, type PageStats, type SessionSignals, type VisitorState } from "./types";

export interface StoredView {
  visitorId: string;
  /** The embed's page kind as stored with the page_view event (unknown values count as "other"). */
  pageType: string | null;
  at: number;
}

export interface StoredPurchase {
  visitorId: string;
  at: number;
}

export interface ReplayedSession {
  visitorId: string;
  start: number;
  end: number;
  views: number;
  features: PropensityFeatures;
  purchased: boolean;
}

const KINDS = new Set<string>(PAGE_KINDS);
const kindOf = (t: string | null): PageKind => (t !== null && KINDS.has(t) ? (t as PageKind) : "other");

/** Sessions of every visitor in `views` (any order), oldest first per visitor. */
export function replaySessions(views: StoredView[], purchases: StoredPurchase[] = [], pageStats?: PageStats): ReplayedSession[] {
  const byVisitor = new Map<string, StoredView[]>();
  for (const v of views) {
    if (!Number.isFinite(v.at)) continue;
    let list = byVisitor.get(v.visitorId);
    if (!list) byVisitor.set(v.visitorId, (list = []));
    list.push(v);
  }
  const ordersOf = new Map<string, number[]>();
  for (const p of purchases) {
    let list = ordersOf.get(p.visitorId);
    if (!list) ordersOf.set(p.visitorId, (list = []));
    list.push(p.at);
  }

  const out: ReplayedSession[] = [];
  for (const [visitorId, list] of byVisitor) {
    list.sort((a, b) => a.at - b.at);
    const orders = (ordersOf.get(visitorId) ?? []).sort((a, b) => a - b);
    const visitor: VisitorState = newVisitor(visitorId, list[0].at);
    let s: SessionSignals | null = null;
    let n = 0;
    const close = () => {
      if (!s) return;
      const i = orders.findIndex((t) => t >= s!.start && t <= s!.last + SESSION_TIMEOUT_MS);
      if (i >= 0) orders.splice(i, 1);
      out.push({ visitorId, start: s.start, end: s.last, views: n, features: toPropensityFeatures(s, visitor, s.last), purchased: i >= 0 });
    };
    for (const v of list) {
      if (!s || v.at - s.last >= SESSION_TIMEOUT_MS) {
        close();
        s = newSession(v.at);
        visitor.visits.push(v.at);
        n = 0;
      }
      applySignal(s, visitor, { type: "page_view", ts: v.at, kind: kindOf(v.pageType) }, pageStats);
      n++;
    }
    close();
  }
  return out;
}
