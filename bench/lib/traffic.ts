// Storefront and checkout traffic as the extensions send it: signed profile reads, event batches (the shapes of
// app/models/events.server.ts), checkout requests with session tokens — plus forged variants for negative load.
import { randomBytes } from "node:crypto";
import { PLAY_KEYS } from "../../app/lib/plays/types";
import { appProxyUrl, checkoutSessionToken } from "./signing";
import { BROWSER_UA } from "./stack";

export interface Target {
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
}

export const CHECKOUT_ORIGIN = "https://extensions.shopifycdn.com";

export function visitorIds(n: number): string[] {
  return Array.from({ length: n }, () => `v_${randomBytes(9).toString("base64url")}`);
}

const PAGE_TYPES = ["product", "collection", "cart", "index", "search"];

/**
 * A storefront event batch as the embed's beacon sends it (`ts` in epoch ms): page views, cart changes and play
 * events with valid play/arm, over the last few seconds.
 */
export function eventBatch(visitorId: string, size: number, now = Date.now()): string {
  const events = Array.from({ length: size }, (_, i) => {
    const ts = now - (size - i) * 1000;
    const k = i % 5;
    if (k === 0 || k === 1) {
      const pageType = PAGE_TYPES[i % PAGE_TYPES.length];
      return { type: "page_view", pageType, path: `/${pageType}s/item-${i}?utm_source=bench`, ts };
    }
    if (k === 2) return { type: "add_to_cart", value: 19.5 + i, pageType: "product", ts };
    const play = PLAY_KEYS[i % PLAY_KEYS.length];
    return { type: k === 3 ? "eligible" : "shown", play, arm: i % 10 === 3 ? "holdout" : "treatment", ts };
  });
  return JSON.stringify({ visitorId, events });
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
