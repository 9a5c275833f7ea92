// Storefront and checkout traffic as the extensions send it: signed profile reads, event batches (the shapes of
// app/models/events.server.ts), checkout requests with session tokens — plus forged variants for negative load.
import { randomBytes } from "node:crypto";
import type { Db } from "../../app/db.server";
import { PLAY_KEYS, type Arm, type PlayKey } from "../../app/lib/plays/types";
import { appProxyUrl, checkoutSessionToken } from "./signing";
import { BROWSER_UA } from "./stack";

export interface Target {
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
}

export const CHECKOUT_ORIGIN = "https://extensions.shopifycdn.com";

/** A visitor as the embed holds it after its first profile read: the id the app signed and its arm per play. */
export interface IssuedVisitor {
  id: string;
  arms: Record<PlayKey, Arm>;
}

/**
 * `n` distinct visitors, each from its own profile read through the signed app proxy (logged out, no id
 * presented), as the embed gets them: only ids the app signed and the arms it derived pass the ingest gate.
 */
export async function issueVisitors(t: Target, n: number, concurrency = 8): Promise<IssuedVisitor[]> {
  const out = new Map<string, IssuedVisitor>();
  let asked = 0;
  const worker = async () => {
    while (asked < n * 2 && out.size < n) {
      asked++;
      const res = await fetch(t.appUrl + proxyPath(t, "profile", ""), { headers: browserHeaders() });
      const body = (await res.json()) as { visitor?: IssuedVisitor | null };
      if (res.status !== 200 || !body.visitor?.id) throw new Error(`profile answered ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      out.set(body.visitor.id, body.visitor);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (out.size < n) throw new Error(`only ${out.size} of ${n} visitors issued`);
  return [...out.values()].slice(0, n);
}

/** A visitor id the app never signed (the shape of a signed one), for negative load: refused with 403. */
export function madeUpVisitor(): IssuedVisitor {
  const id = `${randomBytes(16).toString("base64url")}.${randomBytes(16).toString("base64url")}`;
  return { id, arms: Object.fromEntries(PLAY_KEYS.map((p) => [p, "treatment"])) as Record<PlayKey, Arm> };
}

/** The same signed visitor claiming the other arm in every play, for negative load: refused with 403. */
export function forgedArms(v: IssuedVisitor): IssuedVisitor {
  return { id: v.id, arms: Object.fromEntries(PLAY_KEYS.map((p) => [p, v.arms[p] === "treatment" ? "holdout" : "treatment"])) as Record<PlayKey, Arm> };
}

const PAGE_TYPES = ["product", "collection", "cart", "index", "search"];

/**
 * A storefront event batch as the embed's beacon sends it (`ts` in epoch ms): page views, cart changes and play
 * events with the visitor's own (server-issued) arm, over the last few seconds.
 */
export function eventBatch(visitor: IssuedVisitor, size: number, now = Date.now()): string {
  const events = Array.from({ length: size }, (_, i) => {
    const ts = now - (size - i) * 1000;
    const k = i % 5;
    if (k === 0 || k === 1) {
      const pageType = PAGE_TYPES[i % PAGE_TYPES.length];
      return { type: "page_view", pageType, path: `/${pageType}s/item-${i}?utm_source=bench`, ts };
    }
    if (k === 2) return { type: "add_to_cart", value: 19.5 + i, pageType: "product", ts };
    const play = PLAY_KEYS[i % PLAY_KEYS.length];
    return { type: k === 3 ? "eligible" : "shown", play, arm: visitor.arms[play], ts };
  });
  return JSON.stringify({ visitorId: visitor.id, events });
}

/** Stored events per visitor for the given visitor ids (chunked IN lists), straight from the database. */
export async function storedPerVisitor(db: Db, shop: string, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.event.groupBy({ by: ["visitorId"], where: { shop, visitorId: { in: ids.slice(i, i + 500) } }, _count: { _all: true } });
    for (const r of rows) out.set(r.visitorId, r._count._all);
  }
  return out;
}

/** Path + query of a signed app-proxy request (autocannon takes paths relative to its base URL). */
export function proxyPath(t: Target, route: "profile" | "events", customerId = "", timestamp?: number): string {
  const url = appProxyUrl("", `/${route}`, { shop: t.shop, secret: t.apiSecret, customerId, timestamp });
  return url;
}

export function browserHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { "user-agent": BROWSER_UA, accept: "application/json", ...extra };
}

/** Headers of a checkout-extension fetch: Bearer session token (sub = customer GID when logged in) + Origin. */
export function checkoutHeaders(t: Target, customerId?: string, overrides?: Record<string, unknown>, secret = t.apiSecret): Record<string, string> {
  const token = checkoutSessionToken({ shop: t.shop, apiKey: t.apiKey, secret, customerId, ttlSeconds: 60, overrides });
  return browserHeaders({ authorization: `Bearer ${token}`, origin: CHECKOUT_ORIGIN });
}

/** Stored count from an ingestion answer (202 {stored}); 0 for anything else. */
export function storedFrom(status: number, body: string): number {
  if (status !== 202) return 0;
  try {
    const n = (JSON.parse(body) as { stored?: unknown }).stored;
    return typeof n === "number" ? n : 0;
  } catch {
    return 0;
  }
}
