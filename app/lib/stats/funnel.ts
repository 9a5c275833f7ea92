/**
 * Leak finder arithmetic: what one visit contributes to the funnel, the page exits and the product carts, how
 * stored daily rows add up over a range, and which leaks rank first. A visit is one visitor's events on one day
 * of the shop's calendar (its time zone). `foldVisits` is the reference definition; the leak job computes the same
 * counts set-based in SQL (app/models/leaks.server.ts) and a test keeps the two equal.
 */
import type { PlayKey } from "../plays/types";
import { wilsonInterval, type Interval } from "./proportions";

/** A stored event as the leak fold reads it (times in ms). */
export interface VisitEvent {
  type: string;
  pageType?: string | null;
  path?: string | null;
  at: number;
}

/** Hesitation signals, as the plays define them. */
export const LEAK_SIGNALS = ["policy", "stall", "cycles", "repeat"] as const;
export type LeakSignal = (typeof LEAK_SIGNALS)[number];

/** Policy (returns/shipping) page views in a visit above this count: "viewed returns/shipping pages > 2 times". */
export const POLICY_VIEWS = 3;
/** Removals from the cart in a visit: "product removed from cart > 2 times". */
export const REMOVALS = 3;
/** Views of one product in a visit without an add: "same product viewed ≥ 3 times". */
export const REPEAT_VIEWS = 3;
/** A cart view or checkout start followed by this long without another event: "stalls on cart/checkout > 45 s". */
export const STALL_MS = 45_000;

/** The play that answers each hesitation signal (the brief's table). */
export const PLAY_FOR_SIGNAL: Record<LeakSignal, PlayKey> = {
  policy: "confidence",
  stall: "vip",
  cycles: "indecision",
  repeat: "deal_seeker",
};

/** Date ranges the leak finder offers (whole days of the shop's zone, ending today). */
export const LEAK_RANGE_DAYS = [7, 30, 90] as const;

export const FUNNEL_STEPS = ["visits", "productViews", "adds", "carts", "checkouts", "orders"] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
export type FunnelCounts = Record<FunnelStep, number> & { bounces: number; abandonedCarts: number };

/** Page exits: `views` page views, `exits` visits that ended there, with the signals of those exiting visits. */
export interface PageRow {
  path: string;
  pageType: string;
  views: number;
  exits: number;
  policy: number;
  stall: number;
  cycles: number;
  repeat: number;
}

/**
 * Product carts: `viewVisits` visits that viewed the product, `carts` of them added to the cart from it (the
 * product page viewed last before the add), `abandoned` of those placed no order that day; signals are counted over the abandoned carts, except `repeat` (visits that
 * viewed the product ≥ 3 times without any add).
 */
export interface ProductRow {
  path: string;
  viewVisits: number;
  carts: number;
  abandoned: number;
  policy: number;
  stall: number;
  cycles: number;
  repeat: number;
}

export interface DayAggregate {
  funnel: FunnelCounts;
  pages: PageRow[];
  products: ProductRow[];
}

export function emptyFunnel(): FunnelCounts {
  return { visits: 0, productViews: 0, adds: 0, carts: 0, checkouts: 0, orders: 0, bounces: 0, abandonedCarts: 0 };
}

/** One visit's events (any order) and whether the visitor ordered that day → its signals and steps. */
export function summarizeVisit(events: readonly VisitEvent[], ordered: boolean) {
  const evs = [...events].sort((a, b) => a.at - b.at);
  const views = evs.filter((e) => e.type === "page_view");
  const productViews = new Map<string, number>();
  for (const v of views) if (v.pageType === "product" && v.path) productViews.set(v.path, (productViews.get(v.path) ?? 0) + 1);
  const added = evs.some((e) => e.type === "add_to_cart");
  // Each add is the cart of the product page viewed last before it (where its add-to-cart button was).
  const carted = new Set<string>();
  let lastProduct: string | null = null;
  for (const e of evs) {
    if (e.type === "page_view" && e.pageType === "product" && e.path) lastProduct = e.path;
    else if (e.type === "add_to_cart" && lastProduct) carted.add(lastProduct);
  }
  const checkout = evs.some((e) => e.type === "checkout_started");
  let stall = false;
  for (let i = 0; i < evs.length - 1; i++) {
    const e = evs[i];
    const atCart = (e.type === "page_view" && e.pageType === "cart") || e.type === "checkout_started";
    if (atCart && evs[i + 1].at - e.at >= STALL_MS) stall = true;
  }
  const signals: Record<LeakSignal, boolean> = {
    policy: views.filter((v) => v.pageType === "info").length >= POLICY_VIEWS,
    stall,
    cycles: evs.filter((e) => e.type === "remove_from_cart").length >= REMOVALS,
    repeat: !added && [...productViews.values()].some((n) => n >= REPEAT_VIEWS),
  };
  const last = views[views.length - 1];
  return {
    viewed: views.length > 0,
    bounce: views.length === 1,
    productViews,
    carted,
    added,
    cart: checkout || views.some((v) => v.pageType === "cart"),
    checkout,
    ordered,
    signals,
    views,
    exit: last ? { path: last.path ?? "", pageType: last.pageType ?? "other" } : null,
  };
}

/** Folds visits (each: its events and whether it ordered) into one day's aggregate. Visits without a page view are not visits. */
export function foldVisits(visits: readonly { events: readonly VisitEvent[]; ordered: boolean }[]): DayAggregate {
  const funnel = emptyFunnel();
  const pages = new Map<string, PageRow>();
  const products = new Map<string, ProductRow>();
  const page = (path: string, pageType: string) => {
    let r = pages.get(path);
    if (!r) pages.set(path, (r = { path, pageType, views: 0, exits: 0, policy: 0, stall: 0, cycles: 0, repeat: 0 }));
    return r;
  };
  for (const v of visits) {
    const s = summarizeVisit(v.events, v.ordered);
    if (!s.viewed) continue;
    funnel.visits++;
    if (s.bounce) funnel.bounces++;
    if (s.productViews.size) funnel.productViews++;
    if (s.added) funnel.adds++;
    if (s.added && !s.ordered) funnel.abandonedCarts++;
    if (s.cart) funnel.carts++;
    if (s.checkout) funnel.checkouts++;
    if (s.ordered) funnel.orders++;
    for (const view of s.views) page(view.path ?? "", view.pageType ?? "other").views++;
    if (s.exit) {
      const r = page(s.exit.path, s.exit.pageType);
      r.exits++;
      for (const k of LEAK_SIGNALS) if (s.signals[k]) r[k]++;
    }
    for (const [path, n] of s.productViews) {
      let r = products.get(path);
      if (!r) products.set(path, (r = { path, viewVisits: 0, carts: 0, abandoned: 0, policy: 0, stall: 0, cycles: 0, repeat: 0 }));
      r.viewVisits++;
      if (!s.added && n >= REPEAT_VIEWS) r.repeat++;
      if (!s.carted.has(path)) continue;
      r.carts++;
      if (s.ordered) continue;
      r.abandoned++;
      if (s.signals.policy) r.policy++;
      if (s.signals.stall) r.stall++;
      if (s.signals.cycles) r.cycles++;
    }
  }
  const byPath = <T extends { path: string }>(m: Map<string, T>) => [...m.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { funnel, pages: byPath(pages), products: byPath(products) };
}

/** Sums stored daily rows over a range (rows of the same path add up). */
export function sumAggregates(days: readonly DayAggregate[]): DayAggregate {
  const funnel = emptyFunnel();
  const pages = new Map<string, PageRow>();
  const products = new Map<string, ProductRow>();
  for (const d of days) {
    for (const k of Object.keys(funnel) as (keyof FunnelCounts)[]) funnel[k] += d.funnel[k];
    for (const p of d.pages) {
      const r = pages.get(p.path);
      if (!r) pages.set(p.path, { ...p });
      else for (const k of ["views", "exits", ...LEAK_SIGNALS] as const) r[k] += p[k];
    }
    for (const p of d.products) {
      const r = products.get(p.path);
      if (!r) products.set(p.path, { ...p });
      else for (const k of ["viewVisits", "carts", "abandoned", ...LEAK_SIGNALS] as const) r[k] += p[k];
    }
  }
  return { funnel, pages: [...pages.values()], products: [...products.values()] };
}

export interface FunnelStepView {
  step: FunnelStep;
  count: number;
  /** Share of the previous step (1 for the first step; 0 when the previous step is 0). */
  fromPrevious: number;
  /** Share of visits. */
  fromStart: number;
}

export function funnelSteps(f: FunnelCounts): FunnelStepView[] {
  return FUNNEL_STEPS.map((step, i) => {
    const prev = i === 0 ? f[step] : f[FUNNEL_STEPS[i - 1]];
    return {
      step,
      count: f[step],
      fromPrevious: i === 0 ? 1 : prev > 0 ? f[step] / prev : 0,
      fromStart: f.visits > 0 ? f[step] / f.visits : 0,
    };
  });
}

export interface Leak {
  kind: "page" | "product";
  path: string;
  /** Exit rate (pages) or cart abandonment rate (products), with its 95 % Wilson interval. */
  rate: Interval;
  /** Numerator and sample size of the rate: exits of views, abandoned of carts. */
  count: number;
  sample: number;
  /** The strongest hesitation signal among the leaking visits, with how many showed it; null when none did. */
  signal: { key: LeakSignal; count: number; share: number } | null;
  play: PlayKey | null;
}

export interface LeakOptions {
  /** Smallest sample (views or carts) a leak is ranked on: a few visits make any rate extreme. */
  minSample?: number;
  limit?: number;
}

function strongest(row: Record<LeakSignal, number>, base: number): Leak["signal"] {
  let best: Leak["signal"] = null;
  for (const key of LEAK_SIGNALS) {
    const count = row[key];
    if (count > 0 && (!best || count > best.count)) best = { key, count, share: base > 0 ? count / base : 0 };
  }
  return best;
}

/**
 * Leaks ranked by how many shoppers they lose (abandoned carts, exits), ties by rate: a 90 % exit rate on 10 views
 * loses fewer shoppers than 60 % on 10,000. Products first when they lose as many as pages, since a cart
 * abandoned is closer to an order than an exit.
 */
export function rankLeaks(agg: DayAggregate, o: LeakOptions = {}): Leak[] {
  const min = o.minSample ?? 20;
  const leaks: Leak[] = [];
  for (const p of agg.products) {
    if (p.carts < min || p.abandoned === 0) continue;
    const signal = strongest(p, p.abandoned);
    leaks.push({ kind: "product", path: p.path, rate: wilsonInterval(p.abandoned, p.carts), count: p.abandoned, sample: p.carts, signal, play: signal ? PLAY_FOR_SIGNAL[signal.key] : null });
  }
  for (const p of agg.pages) {
    if (p.views < min || p.exits === 0) continue;
    const signal = strongest(p, p.exits);
    leaks.push({ kind: "page", path: p.path, rate: wilsonInterval(p.exits, p.views), count: p.exits, sample: p.views, signal, play: signal ? PLAY_FOR_SIGNAL[signal.key] : null });
  }
  const order = (l: Leak) => (l.kind === "product" ? 0 : 1);
  leaks.sort((a, b) => b.count - a.count || b.rate.estimate - a.rate.estimate || order(a) - order(b) || (a.path < b.path ? -1 : 1));
  return leaks.slice(0, o.limit ?? 20);
}

/** Store rates to set beside the brief's reference figures. */
export function storeRates(f: FunnelCounts): { cartAbandonment: Interval | null; bounce: Interval | null } {
  return {
    cartAbandonment: f.adds > 0 ? wilsonInterval(f.abandonedCarts, f.adds) : null,
    bounce: f.visits > 0 ? wilsonInterval(f.bounces, f.visits) : null,
  };
}

/** The brief's reference figures (industry, not claims about the store). */
export const BENCHMARKS = {
  cartAbandonment: { low: 0.68, high: 0.72 },
  bounce: { excellentLow: 0.35, excellentHigh: 0.45, warning: 0.6 },
} as const;

export type BounceBand = "excellent" | "typical" | "warning" | "below";
export function bounceBand(rate: number): BounceBand {
  if (rate > BENCHMARKS.bounce.warning) return "warning";
  if (rate > BENCHMARKS.bounce.excellentHigh) return "typical";
  if (rate >= BENCHMARKS.bounce.excellentLow) return "excellent";
  return "below";
}

/** CSV of the leak table (RFC 4180 quoting; cells starting with = + - @ are prefixed so spreadsheets do not run them). */
export function leaksCsv(leaks: readonly Leak[], header: readonly string[], label: (l: Leak) => [string, string]): string {
  const cell = (v: string | number) => {
    let s = String(v);
    if (/^[=+\-@]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header.map(cell).join(",")];
  for (const l of leaks) {
    const [signal, play] = label(l);
    lines.push([l.kind, l.path, l.count, l.sample, l.rate.estimate.toFixed(4), l.rate.lower.toFixed(4), l.rate.upper.toFixed(4), signal, play].map(cell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
