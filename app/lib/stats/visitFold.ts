/**
 * The leak finder's incremental visit fold: each visit (one visitor's events on one day of the shop's calendar)
 * keeps a small state, events are appended to it as the rollup's cursor passes them, and the stored daily rows
 * change by the difference between the visit's contribution after and before. Counting exactly what a from-scratch
 * aggregation of all events counts (app/models/leakScratch.server.ts `aggregateLeakDaysFromScratch`, the SQL form of
 * funnel.ts `foldVisits`), as long as events are appended in time order; a visit that receives an event earlier than
 * its last folded one is rebuilt from its stored events instead (`appendable`). Pure: no database, no framework.
 */
import { emptyFunnel, POLICY_VIEWS, REMOVALS, REPEAT_VIEWS, STALL_MS, type FunnelCounts } from "./funnel";
import type { OffsetInterval } from "./days";

/** The event types the leak finder reads. */
export const VISIT_EVENT_TYPES = ["page_view", "add_to_cart", "remove_from_cart", "checkout_started"] as const;

/** A stored event as the fold reads it (time in ms; `id` orders events of the same time). */
export interface FoldEvent {
  id: number;
  type: string;
  pageType: string | null;
  path: string | null;
  at: number;
}

/** What a visit needs to take more events in time order and to say what it contributes. */
export interface VisitState {
  /** Time of the last event folded (ms). */
  lastAt: number;
  /** The last event was at the cart (cart page view or checkout start): the next one decides a stall. */
  lastCart: boolean;
  views: number;
  /** Any product page view (with or without a path). */
  prod: boolean;
  added: boolean;
  cart: boolean;
  checkout: boolean;
  info: number;
  removals: number;
  stall: boolean;
  ordered: boolean;
  /** The last page view: where the visit exits. */
  exit: { path: string; pageType: string } | null;
  /** The product page viewed last (an add belongs to it). */
  lastProduct: string | null;
  /** Product path → [views, added to the cart from it (0/1)]. */
  products: Record<string, [number, number]>;
}

export function newVisit(ordered: boolean): VisitState {
  return {
    lastAt: Number.NEGATIVE_INFINITY, lastCart: false, views: 0, prod: false, added: false, cart: false, checkout: false,
    info: 0, removals: 0, stall: false, ordered, exit: null, lastProduct: null, products: {},
  };
}

/** Events (sorted by time, then id) can be appended to the state when none is earlier than its last folded event. */
export function appendable(state: VisitState | null, first: FoldEvent): boolean {
  return state === null || first.at >= state.lastAt;
}

/** Sorts one visit's events by time, then id (the order every window in the SQL form uses). */
export function sortEvents(events: FoldEvent[]): FoldEvent[] {
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1];
    const b = events[i];
    if (a.at > b.at || (a.at === b.at && a.id > b.id)) return events.sort((x, y) => x.at - y.at || x.id - y.id);
  }
  return events;
}

/** Appends events (sorted, none earlier than `state.lastAt`) to a copy of the state. */
export function appendVisit(state: VisitState, events: readonly FoldEvent[]): VisitState {
  const s: VisitState = { ...state, exit: state.exit && { ...state.exit }, products: { ...state.products } };
  for (const e of events) {
    if (s.lastCart && e.at - s.lastAt >= STALL_MS) s.stall = true;
    let atCart = false;
    if (e.type === "page_view") {
      s.views++;
      const path = e.path ?? "";
      if (e.pageType === "product") {
        s.prod = true;
        if (path !== "") {
          const p = s.products[path];
          s.products[path] = p ? [p[0] + 1, p[1]] : [1, 0];
          s.lastProduct = path;
        }
      } else if (e.pageType === "cart") atCart = true;
      else if (e.pageType === "info") s.info++;
      s.exit = { path, pageType: e.pageType ?? "other" };
    } else if (e.type === "add_to_cart") {
      s.added = true;
      if (s.lastProduct !== null) {
        const p = s.products[s.lastProduct];
        if (p[1] === 0) s.products[s.lastProduct] = [p[0], 1];
      }
    } else if (e.type === "remove_from_cart") s.removals++;
    else if (e.type === "checkout_started") {
      s.checkout = true;
      atCart = true;
    }
    if (atCart) s.cart = true;
    s.lastCart = atCart;
    s.lastAt = e.at;
  }
  return s;
}

/** The state as stored (compact JSON), and back. */
export function encodeVisit(s: VisitState): string {
  const flags = (s.lastCart ? 1 : 0) | (s.prod ? 2 : 0) | (s.added ? 4 : 0) | (s.cart ? 8 : 0) | (s.checkout ? 16 : 0) | (s.stall ? 32 : 0) | (s.ordered ? 64 : 0);
  return JSON.stringify([s.lastAt, flags, s.views, s.info, s.removals, s.exit?.path ?? null, s.exit?.pageType ?? null, s.lastProduct, s.products]);
}

export function decodeVisit(text: string): VisitState {
  const [lastAt, flags, views, info, removals, exitPath, exitType, lastProduct, products] = JSON.parse(text) as [
    number, number, number, number, number, string | null, string | null, string | null, Record<string, [number, number]>,
  ];
  return {
    lastAt, lastCart: (flags & 1) !== 0, prod: (flags & 2) !== 0, added: (flags & 4) !== 0, cart: (flags & 8) !== 0,
    checkout: (flags & 16) !== 0, stall: (flags & 32) !== 0, ordered: (flags & 64) !== 0, views, info, removals,
    exit: exitPath === null ? null : { path: exitPath, pageType: exitType ?? "other" }, lastProduct, products,
  };
}

/** A change of one stored LeakPathDay row (page: views, exits; product: views = visits that viewed it, exits = carts). */
export interface PathDelta {
  day: string;
  kind: "page" | "product";
  path: string;
  pageType: string;
  views: number;
  exits: number;
  abandoned: number;
  policy: number;
  stall: number;
  cycles: number;
  repeat: number;
}

/** Changes of the stored day rows, summed over visits before they are written. */
export class LeakDeltas {
  readonly funnel = new Map<string, FunnelCounts>();
  /** day → kind → path → change (nested: no key string built per event). */
  private readonly paths = new Map<string, { page: Map<string, PathDelta>; product: Map<string, PathDelta> }>();

  private path(day: string, kind: "page" | "product", path: string, pageType: string): PathDelta {
    let byKind = this.paths.get(day);
    if (!byKind) this.paths.set(day, (byKind = { page: new Map(), product: new Map() }));
    const m = byKind[kind];
    let r = m.get(path);
    if (!r) m.set(path, (r = { day, kind, path, pageType, views: 0, exits: 0, abandoned: 0, policy: 0, stall: 0, cycles: 0, repeat: 0 }));
    else if (pageType < r.pageType) r.pageType = pageType;
    return r;
  }

  /** One page view (counted per event, whatever the visit's state). */
  pageView(day: string, e: FoldEvent, sign = 1): void {
    this.path(day, "page", e.path ?? "", e.pageType ?? "other").views += sign;
  }

  /** Adds (sign 1) or removes (sign −1) what a visit in state `s` contributes, page views aside. */
  visit(day: string, s: VisitState | null, sign: 1 | -1): void {
    if (!s || s.views === 0) return;
    let f = this.funnel.get(day);
    if (!f) this.funnel.set(day, (f = emptyFunnel()));
    const abandoned = s.added && !s.ordered;
    f.visits += sign;
    if (s.prod) f.productViews += sign;
    if (s.added) f.adds += sign;
    if (s.cart) f.carts += sign;
    if (s.checkout) f.checkouts += sign;
    if (s.ordered) f.orders += sign;
    if (s.views === 1) f.bounces += sign;
    if (abandoned) f.abandonedCarts += sign;
    const policy = s.info >= POLICY_VIEWS;
    const cycles = s.removals >= REMOVALS;
    let repeat = false;
    if (!s.added) for (const p in s.products) if (s.products[p][0] >= REPEAT_VIEWS) repeat = true;
    if (s.exit) {
      const r = this.path(day, "page", s.exit.path, s.exit.pageType);
      r.exits += sign;
      if (policy) r.policy += sign;
      if (s.stall) r.stall += sign;
      if (cycles) r.cycles += sign;
      if (repeat) r.repeat += sign;
    }
    for (const path in s.products) {
      const [n, carted] = s.products[path];
      const r = this.path(day, "product", path, "product");
      r.views += sign;
      if (!s.added && n >= REPEAT_VIEWS) r.repeat += sign;
      if (!carted) continue;
      r.exits += sign;
      if (s.ordered) continue;
      r.abandoned += sign;
      if (policy) r.policy += sign;
      if (s.stall) r.stall += sign;
      if (cycles) r.cycles += sign;
    }
  }

  /** The rows that change (all-zero changes dropped). */
  changedPaths(): PathDelta[] {
    const out: PathDelta[] = [];
    for (const { page, product } of this.paths.values()) {
      for (const m of [page, product]) for (const r of m.values()) if (r.views || r.exits || r.abandoned || r.policy || r.stall || r.cycles || r.repeat) out.push(r);
    }
    return out;
  }

  changedFunnel(): (FunnelCounts & { day: string })[] {
    return [...this.funnel].filter(([, f]) => Object.values(f).some((v) => v !== 0)).map(([day, f]) => ({ day, ...f }));
  }

  /** Every day with a change. */
  days(): Set<string> {
    const out = new Set<string>();
    for (const r of this.changedPaths()) out.add(r.day);
    for (const r of this.changedFunnel()) out.add(r.day);
    return out;
  }
}

const DAY_MS = 86_400_000;

/** The event types as small codes (SQL maps `type` to its index here, so no type string is read per event). */
export const typeOfCode = (code: number): string => VISIT_EVENT_TYPES[code] ?? "other";

const digits = (s: string, from: number, n: number) => {
  let v = 0;
  for (let i = from; i < from + n; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
};

/**
 * Epoch ms of a stored timestamp text ("2026-05-01T10:00:00.000+00:00", what Prisma writes on SQLite), without a
 * Date per event; any other form goes through Date.parse.
 */
export function isoMs(s: string): number {
  if (s.length === 29 && s.charCodeAt(10) === 84 && s.endsWith("+00:00") && s.charCodeAt(19) === 46) {
    const ms = Date.UTC(digits(s, 0, 4), digits(s, 5, 2) - 1, digits(s, 8, 2), digits(s, 11, 2), digits(s, 14, 2), digits(s, 17, 2), digits(s, 20, 3));
    if (Number.isFinite(ms)) return ms;
  }
  return Date.parse(s);
}

/**
 * Instant (ms) → day in the zone whose offsets over the events' time range are `intervals` (`offsetIntervals`):
 * the same day SQL's `dialectSql().day` and `dayIn` give, without Intl per event.
 */
export function dayMapper(intervals: readonly OffsetInterval[]): (ms: number) => string {
  const names = new Map<number, string>();
  return (ms) => {
    let off = intervals[intervals.length - 1].offsetSeconds;
    for (const iv of intervals) {
      if (ms < iv.until) {
        off = iv.offsetSeconds;
        break;
      }
    }
    const n = Math.floor((ms + off * 1000) / DAY_MS);
    let day = names.get(n);
    if (day === undefined) {
      day = new Date(n * DAY_MS).toISOString().slice(0, 10);
      names.set(n, day);
    }
    return day;
  };
}
