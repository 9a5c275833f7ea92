/**
 * Storefront session signals: what one shopper did this session (and, for visits and caps, the last days),
 * kept compact enough to live in first-party storage. Pure types only.
 */
import type { PlayKey } from "../plays/types";

/**
 * Page kinds the signals count. `info` covers shipping, returns/refund and other policy pages and contact
 * pages (the dataset's "Informational" category); `account` is the customer account area ("Administrative").
 */
export const PAGE_KINDS = ["home", "collection", "product", "search", "cart", "info", "account", "other"] as const;
export type PageKind = (typeof PAGE_KINDS)[number];

/** The current page, as needed for dwell and stall timing. */
export interface CurrentPage {
  kind: PageKind;
  /** Product id on product pages, else null. */
  product: string | null;
  /** ms: when dwell on this page was last settled into `dwell`. */
  since: number;
  /** ms: on the cart page, since when the cart has not changed (arrival or the last cart change). */
  idleSince: number | null;
}

/** One session (GA definition: ends after 30 minutes without activity). */
export interface SessionSignals {
  v: 1;
  /** ms epoch of the session's first event and of its latest one. */
  start: number;
  last: number;
  /** Page views and seconds of dwell per page kind. */
  views: Partial<Record<PageKind, number>>;
  dwell: Partial<Record<PageKind, number>>;
  /** Product id → views / units added / units removed this session (bounded to MAX_TRACKED_PRODUCTS). */
  pv: Record<string, number>;
  adds: Record<string, number>;
  rems: Record<string, number>;
  /** Add-to-cart actions this session (an action = one request, whatever the quantity). */
  addCount: number;
  /** Add/remove cycles: removals of a product that was (re-)added since its last counted removal. */
  remCount: number;
  /** Products whose last cart action was a removal (a further removal continues the same decision). */
  cut?: string[];
  lastRemoved: string | null;
  page: CurrentPage | null;
  /** Running sums of the shop-level page metrics over the pages viewed (averaged for the propensity features). */
  bounceSum: number;
  exitSum: number;
  valueSum: number;
  statN: number;
  exitIntents: number;
  /** Cart subtotal (major units) as last seen, in the cart's currency `cur`. */
  subtotal: number;
  /** The cart's (presentment) currency as last seen; absent in sessions stored before it was tracked. */
  cur?: string;
  checkoutStarted: boolean;
  /** Plays the shopper dismissed this session: not shown again in it. */
  dismissed: PlayKey[];
}

/** Per-visitor state kept across sessions (localStorage). */
export interface VisitorState {
  v: 1;
  /** Random, first-party visitor id (no PII): the holdout assignment and attribution key. */
  id: string;
  /** Session start times (ms) within the last 7 days, the current one included. */
  visits: number[];
  /** ms of the first session ever seen for this visitor: a visitor with older sessions is "returning". */
  firstSeen: number;
  /** ms of the last purchase known on this device, or null. */
  purchasedAt: number | null;
  /** Play → ms timestamps of showings inside the longest cap window (frequency caps). */
  shows: Partial<Record<PlayKey, number[]>>;
}

/** Signal events, derived by the embed from the page, the Ajax Cart API and timers. */
export type SignalEvent =
  | { type: "page_view"; ts: number; kind: PageKind; productId?: string | null }
  | { type: "add_to_cart"; ts: number; productId: string; quantity?: number }
  | { type: "remove_from_cart"; ts: number; productId: string; quantity?: number }
  | { type: "cart_updated"; ts: number; subtotal: number; currency?: string }
  | { type: "checkout_started"; ts: number }
  | { type: "exit_intent"; ts: number }
  | { type: "tick"; ts: number }
  | { type: "purchase"; ts: number };

export type PageStats = Record<string, { bounceRate: number; exitRate: number; pageValue: number }>;
