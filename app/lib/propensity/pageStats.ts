// Shop-level page aggregates as Google Analytics (Universal Analytics) defines them, from the app's own sessions:
//   bounce rate of a page = single-page sessions that entered on it ÷ sessions that entered on it;
//   exit rate of a page   = page views that were the session's last ÷ page views of it;
//   page value of a page  = revenue of sessions that viewed it before the purchase ÷ its unique page views
//                           (sessions that viewed it at least once).
// The rollup folds sessions into counts (mergeable), publishes the rates, and the storefront averages them over
// the pages a session visits to get the model's bounceRates / exitRates / pageValues. Pure.

export interface SessionPageView {
  pageType: string;
  path?: string;
}

export interface SessionRecord {
  /** Page views in order. */
  pages: SessionPageView[];
  /** Revenue of the purchase made in this session (0 or absent = no purchase). */
  purchaseValue?: number;
  /**
   * Index of the first page view that happened after the purchase (e.g. the thank-you page); pages before it
   * receive the revenue. Default: all pages (purchase at the end of the session).
   */
  purchaseAt?: number;
}

export interface PageCounts {
  pageviews: number;
  uniquePageviews: number;
  entrances: number;
  bounces: number;
  exits: number;
  revenue: number;
}

export interface PageRates {
  bounceRate: number;
  exitRate: number;
  pageValue: number;
}

export type PageKey = "pageType" | "path";

function keyOf(p: SessionPageView, by: PageKey): string {
  return by === "path" ? (p.path ?? p.pageType) : p.pageType;
}

// Keys come from the storefront (paths, page types): define them as own properties so "__proto__" & co. are safe.
function setOwn<T>(map: Record<string, T>, key: string, value: T): T {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

function counts(map: Record<string, PageCounts>, key: string): PageCounts {
  if (Object.hasOwn(map, key)) return map[key];
  return setOwn(map, key, { pageviews: 0, uniquePageviews: 0, entrances: 0, bounces: 0, exits: 0, revenue: 0 });
}

/** Folds one session into `acc` (mutated and returned) so rollups can add sessions incrementally. */
export function addSession(acc: Record<string, PageCounts>, s: SessionRecord, by: PageKey = "pageType"): Record<string, PageCounts> {
  const n = s.pages.length;
  if (n === 0) return acc;
  const revenue = s.purchaseValue && s.purchaseValue > 0 ? s.purchaseValue : 0;
  const purchaseAt = Math.max(0, Math.min(n, s.purchaseAt ?? n));
  const seen = new Set<string>();
  const credited = new Set<string>();
  s.pages.forEach((p, i) => {
    const key = keyOf(p, by);
    const c = counts(acc, key);
    c.pageviews++;
    if (!seen.has(key)) {
      seen.add(key);
      c.uniquePageviews++;
    }
    if (revenue > 0 && i < purchaseAt && !credited.has(key)) {
      credited.add(key);
      c.revenue += revenue;
    }
  });
  const entry = counts(acc, keyOf(s.pages[0], by));
  entry.entrances++;
  if (n === 1) entry.bounces++;
  counts(acc, keyOf(s.pages[n - 1], by)).exits++;
  return acc;
}

/** Adds two count tables (e.g. yesterday's rollup and today's sessions). */
export function mergePageCounts(a: Record<string, PageCounts>, b: Record<string, PageCounts>): Record<string, PageCounts> {
  const out: Record<string, PageCounts> = {};
  for (const src of [a, b])
    for (const [key, c] of Object.entries(src)) {
      const o = counts(out, key);
      o.pageviews += c.pageviews;
      o.uniquePageviews += c.uniquePageviews;
      o.entrances += c.entrances;
      o.bounces += c.bounces;
      o.exits += c.exits;
      o.revenue += c.revenue;
    }
  return out;
}

/** Counts → GA rates. A page nobody entered on has bounce rate 0 (GA shows 0 % too). */
export function pageRates(table: Record<string, PageCounts>): Record<string, PageRates> {
  const out: Record<string, PageRates> = {};
  for (const [key, c] of Object.entries(table)) {
    setOwn(out, key, {
      bounceRate: c.entrances > 0 ? c.bounces / c.entrances : 0,
      exitRate: c.pageviews > 0 ? c.exits / c.pageviews : 0,
      pageValue: c.uniquePageviews > 0 ? c.revenue / c.uniquePageviews : 0,
    });
  }
  return out;
}

/** Per-page (or per page type) GA rates from a list of sessions. */
export function computePageStats(sessions: SessionRecord[], by: PageKey = "pageType"): Record<string, PageRates> {
  const acc: Record<string, PageCounts> = {};
  for (const s of sessions) addSession(acc, s, by);
  return pageRates(acc);
}

/**
 * The model's bounceRates / exitRates / pageValues for one session: the shop's rates averaged over the page views
 * so far (a page viewed twice counts twice). Pages without published stats are left out; none known → zeros.
 */
export function sessionPageAggregates(
  visited: string[],
  stats: Record<string, PageRates>,
): { bounceRates: number; exitRates: number; pageValues: number } {
  let b = 0;
  let e = 0;
  let v = 0;
  let n = 0;
  for (const key of visited) {
    if (!Object.hasOwn(stats, key)) continue;
    const s = stats[key];
    b += s.bounceRate;
    e += s.exitRate;
    v += s.pageValue;
    n++;
  }
  return n === 0 ? { bounceRates: 0, exitRates: 0, pageValues: 0 } : { bounceRates: b / n, exitRates: e / n, pageValues: v / n };
}
