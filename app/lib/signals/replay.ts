/**
 * Rebuilds storefront sessions from the page views the app stored, through the same reducer the embed runs
 * (session.ts, features.ts), so the features the server derives — per-shop learning, the explanation in the
 * customer lookup and analytics — are the ones the embed scored. Pure.
 *
 * A session is the GA one (a new session after 30 minutes without a page view). Its features are taken at its
 * last page view, so the last page's dwell is 0 (as in GA's session durations). A visitor's first session in the
 * input is "new", later ones "returning". A session is a purchase when the visitor has an attributed order from
 * its start to 30 minutes after its last page view (each order counts for one session). Month, Weekend and
 * SpecialDay are taken on the wall clock of the given IANA zone (the shop's; invalid → UTC), or of the runtime's
 * zone when none is given (what the embed does in the shopper's browser).
 */
import type { PropensityFeatures } from "../propensity/features";
import { applySignal, newSession, newVisitor, SESSION_TIMEOUT_MS } from "./session";
import { PAGE_KINDS, type PageKind, type PageStats, type VisitorState } from "./types";
import { zonedPropensityFeatures } from "./zone";

export interface StoredView {
  visitorId: string;
  /** The embed's page kind as stored with the page_view event (unknown values count as "other"). */
  pageType: string | null;
  at: number;
}

export interface StoredPurchase {
  visitorId: string;
  at: number;
  /** Order total (page value needs it; the propensity label only needs the purchase). */
  total?: number;
}

/** One visitor's GA session: its page views in time order and the order it ended in, if any. */
export interface SplitSession {
  visitorId: string;
  views: StoredView[];
  purchase: StoredPurchase | null;
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

/**
 * Splits stored page views (any order) into GA sessions per visitor, oldest first: a new session after 30
 * minutes without a page view (the embed's own rule, SESSION_TIMEOUT_MS). Each session gets the first of its
 * visitor's orders placed from its start to 30 minutes after its last page view; an order counts once.
 */
export function splitSessions(views: StoredView[], purchases: StoredPurchase[] = []): SplitSession[] {
  const byVisitor = new Map<string, StoredView[]>();
  for (const v of views) {
    if (!Number.isFinite(v.at)) continue;
    let list = byVisitor.get(v.visitorId);
    if (!list) byVisitor.set(v.visitorId, (list = []));
    list.push(v);
  }
  const ordersOf = new Map<string, StoredPurchase[]>();
  for (const p of purchases) {
    let list = ordersOf.get(p.visitorId);
    if (!list) ordersOf.set(p.visitorId, (list = []));
    list.push(p);
  }

  const out: SplitSession[] = [];
  for (const [visitorId, list] of byVisitor) {
    list.sort((a, b) => a.at - b.at);
    const orders = (ordersOf.get(visitorId) ?? []).sort((a, b) => a.at - b.at);
    let current: StoredView[] = [];
    const close = () => {
      if (current.length === 0) return;
      const start = current[0].at;
      const last = current[current.length - 1].at;
      const i = orders.findIndex((o) => o.at >= start && o.at <= last + SESSION_TIMEOUT_MS);
      out.push({ visitorId, views: current, purchase: i >= 0 ? orders.splice(i, 1)[0] : null });
      current = [];
    };
    for (const v of list) {
      if (current.length > 0 && v.at - current[current.length - 1].at >= SESSION_TIMEOUT_MS) close();
      current.push(v);
    }
    close();
  }
  return out;
}

/**
 * Sessions of every visitor in `views` (any order), oldest first per visitor, through the embed's reducer; the
 * calendar features in `timeZone` (IANA name), else in the runtime's local time.
 */
export function replaySessions(views: StoredView[], purchases: StoredPurchase[] = [], pageStats?: PageStats, timeZone?: string): ReplayedSession[] {
  const visitors = new Map<string, VisitorState>();
  return splitSessions(views, purchases).map(({ visitorId, views: sessionViews, purchase }) => {
    const start = sessionViews[0].at;
    let visitor = visitors.get(visitorId);
    if (!visitor) visitors.set(visitorId, (visitor = newVisitor(visitorId, start)));
    visitor.visits.push(start);
    const s = newSession(start);
    for (const v of sessionViews) applySignal(s, visitor, { type: "page_view", ts: v.at, kind: kindOf(v.pageType) }, pageStats);
    return { visitorId, start, end: s.last, views: sessionViews.length, features: zonedPropensityFeatures(s, visitor, s.last, timeZone), purchased: purchase !== null };
  });
}
