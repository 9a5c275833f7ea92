/**
 * Pure session-signal reducer. Functions mutate the state object they are given (the embed keeps one
 * object per page and serialises it), which keeps the per-event cost to a few hundred nanoseconds.
 */
import type { CurrentPage, PageKind, SessionSignals, SignalEvent, VisitorState, PageStats } from "./types";

/** GA's session definition: 30 minutes without activity ends a session. */
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;
/** One page's dwell is capped so a tab left open overnight does not read as deep browsing. */
const MAX_DWELL_PER_PAGE_S = 30 * 60;
/** Bounds the per-product maps so storage stays small on very long sessions. */
export const MAX_TRACKED_PRODUCTS = 24;
/** Visits kept per visitor (7 days); more than this adds nothing to any rule. */
const MAX_VISITS = 30;
/** Products remembered as "removed since their last add"; a cart rarely holds more distinct products. */
const MAX_CUT = 50;

export function newSession(now: number): SessionSignals {
  return {
    v: 1, start: now, last: now, views: {}, dwell: {}, pv: {}, adds: {}, rems: {},
    addCount: 0, remCount: 0, lastRemoved: null, page: null,
    bounceSum: 0, exitSum: 0, valueSum: 0, statN: 0, exitIntents: 0, subtotal: 0,
    checkoutStarted: false, dismissed: [],
  };
}

export function newVisitor(id: string, now: number): VisitorState {
  return { v: 1, id, visits: [], firstSeen: now, purchasedAt: null, shows: {} };
}

/**
 * Continues the stored session if it is still alive, otherwise starts a new one; records the visit
 * (session start) on the visitor and prunes visits older than 7 days.
 */
export function resumeSession(stored: SessionSignals | null, visitor: VisitorState, now: number): SessionSignals {
  const alive = stored !== null && now - stored.last < SESSION_TIMEOUT_MS && now >= stored.start;
  const session = alive ? stored : newSession(now);
  if (!visitor.visits.includes(session.start)) visitor.visits.push(session.start);
  visitor.visits = visitor.visits.filter((t) => now - t < WEEK_MS).slice(-MAX_VISITS);
  return session;
}

/** Moves the time spent on the current page since the last settle into the dwell totals. */
function settleDwell(s: SessionSignals, now: number): void {
  const p = s.page;
  if (!p || now <= p.since) return;
  const seconds = Math.min((now - p.since) / 1000, MAX_DWELL_PER_PAGE_S);
  s.dwell[p.kind] = (s.dwell[p.kind] ?? 0) + seconds;
  p.since = now;
}

function bump(map: Record<string, number>, key: string, by: number): void {
  if (!(key in map)) {
    const keys = Object.keys(map);
    if (keys.length >= MAX_TRACKED_PRODUCTS) delete map[keys[0]];
    map[key] = 0;
  }
  map[key] += by;
}

/** Page kinds the dataset counts as ProductRelated. */
export const PRODUCT_RELATED: readonly PageKind[] = ["product", "collection", "search", "cart"];

/** Shop-level page metrics of one page kind; the dataset-category keys (see `categoryOf`) are the fallback. */
function statsFor(pageStats: PageStats | undefined, kind: PageKind) {
  if (!pageStats) return undefined;
  return pageStats[kind] ?? pageStats[categoryOf(kind)];
}

/** The dataset's page category of a page kind (Administrative / Informational / ProductRelated), else "other". */
export function categoryOf(kind: PageKind): "administrative" | "informational" | "productRelated" | "other" {
  if (kind === "account") return "administrative";
  if (kind === "info") return "informational";
  return PRODUCT_RELATED.includes(kind) ? "productRelated" : "other";
}

/** Applies one signal event to the session (and visitor, for purchases). Returns the same session. */
export function applySignal(
  s: SessionSignals,
  visitor: VisitorState,
  e: SignalEvent,
  pageStats?: PageStats,
): SessionSignals {
  const now = e.ts;
  settleDwell(s, now);
  s.last = now;
  switch (e.type) {
    case "page_view": {
      s.views[e.kind] = (s.views[e.kind] ?? 0) + 1;
      const product = e.kind === "product" && e.productId ? String(e.productId) : null;
      if (product) bump(s.pv, product, 1);
      const page: CurrentPage = { kind: e.kind, product, since: now, idleSince: e.kind === "cart" ? now : null };
      s.page = page;
      const st = statsFor(pageStats, e.kind);
      if (st) {
        s.bounceSum += st.bounceRate;
        s.exitSum += st.exitRate;
        s.valueSum += st.pageValue;
        s.statN += 1;
      }
      break;
    }
    case "add_to_cart":
      s.addCount += 1;
      if (s.cut) s.cut = s.cut.filter((id) => id !== String(e.productId));
      bump(s.adds, String(e.productId), e.quantity ?? 1);
      if (s.page?.kind === "cart") s.page.idleSince = now;
      break;
    case "remove_from_cart": {
      // Indecision is add/remove cycles of one product: a stepper trim (4 → 3 → 2 → 1) is one decision, so a
      // removal counts only when the product was added again since its last counted removal.
      const id = String(e.productId);
      const cut = (s.cut ??= []);
      if (!cut.includes(id)) {
        s.remCount += 1;
        cut.push(id);
        if (cut.length > MAX_CUT) cut.shift();
      }
      s.lastRemoved = id;
      bump(s.rems, id, e.quantity ?? 1);
      if (s.page?.kind === "cart") s.page.idleSince = now;
      break;
    }
    case "cart_updated":
      s.subtotal = e.subtotal;
      if (e.currency) s.cur = e.currency;
      break;
    case "checkout_started":
      s.checkoutStarted = true;
      break;
    case "exit_intent":
      s.exitIntents += 1;
      break;
    case "purchase":
      visitor.purchasedAt = now;
      break;
    case "tick":
      break;
  }
  return s;
}

/** Seconds the shopper has been on the cart page without the cart changing (0 when not on the cart). */
export function cartStallSeconds(s: SessionSignals, now: number): number {
  const idle = s.page?.idleSince;
  return idle == null ? 0 : Math.max(0, (now - idle) / 1000);
}

export function sessionMinutes(s: SessionSignals, now: number): number {
  return Math.max(0, (now - s.start) / 60000);
}

/** Shipping/returns/policy/contact page views this session. */
export function policyViews(s: SessionSignals): number {
  return s.views.info ?? 0;
}

/** Views this session of the product on the current page (0 elsewhere). */
export function currentProductViews(s: SessionSignals): number {
  const p = s.page?.product;
  return p ? s.pv[p] ?? 0 : 0;
}

/** Sessions started in the last 7 days, the current one included. */
export function visitsLast7Days(v: VisitorState, now: number): number {
  let n = 0;
  for (const t of v.visits) if (now - t < WEEK_MS && t <= now) n++;
  return n;
}

/** A visitor is returning when a session of theirs started before the current one. */
export function isReturning(v: VisitorState, s: SessionSignals): boolean {
  return v.firstSeen < s.start || v.visits.some((t) => t < s.start);
}
