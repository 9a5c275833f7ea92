// Shared HTTP-edge helpers: bounded body reading, JSON parsing and zod validation that turn bad input into
// clear 400/413/422 responses instead of crashes, and the guards for storefront and checkout requests.
import { createHmac, timingSafeEqual } from "node:crypto";
import { json } from "@remix-run/node";
import type { z } from "zod";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { isShopActive } from "./webhooks.server";

export const MAX_BODY_BYTES = 64 * 1024;

export function jsonError(status: number, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return json({ error: message, ...extra }, { status, headers });
}

/** Reads at most `limit` bytes of the body; a larger body is refused with 413 without buffering it all. */
export async function readBody(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw jsonError(413, `Body too large (limit ${limit} bytes)`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw jsonError(413, `Body too large (limit ${limit} bytes)`);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

/** Parses and validates a JSON body with a zod schema: 400 for malformed JSON or a schema mismatch. */
export async function parseJsonBody<T extends z.ZodTypeAny>(
  request: Request,
  schema: T,
  limit = MAX_BODY_BYTES,
  headers?: HeadersInit,
): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readBody(request, limit);
  } catch (err) {
    if (err instanceof Response) throw withHeaders(err, headers);
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw jsonError(400, "Malformed JSON body", {}, headers);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
    throw jsonError(400, "Invalid request body", { issues }, headers);
  }
  return parsed.data;
}

function withHeaders(res: Response, headers?: HeadersInit) {
  if (!headers) return res;
  const h = new Headers(res.headers);
  new Headers(headers).forEach((v, k) => h.set(k, v));
  return new Response(res.body, { status: res.status, headers: h });
}

const CUSTOMER_ID = /^\d{1,20}$/;
/** A shop domain (myshopify.com or a configured custom domain); it is signed, this only bounds the cache keys. */
const SHOP_DOMAIN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;

export function unavailable() {
  return jsonError(503, "Service temporarily unavailable; retry later", {}, { "Retry-After": "5" });
}

// ---------------------------------------------------------------------------------------------------------------
// Shop state cache. Every storefront and checkout request needs "is the app installed and active on this shop";
// asking the database each time cost two ORM queries (~2 ms CPU) per request, more than the request's own work.
// Only positive answers are cached, for a short TTL, so an install is seen at once and an uninstall within the
// TTL at worst. app/uninstalled in this process must call forgetShopState(shop) to drop it immediately; another
// process (a second app instance) only learns of the uninstall when its own entry expires — that lag is the
// multi-process caveat (docs/performance.md). Off (TTL 0) outside production unless EDGE_SHOP_CACHE_MS is set.

const SHOP_CACHE_MAX = 10_000;
let shopCacheTtlMs = Number(process.env.EDGE_SHOP_CACHE_MS ?? (process.env.NODE_ENV === "production" ? 5_000 : 0));
const shopCache = new Map<string, number>();
const shopLookups = new Map<string, Promise<boolean>>();

/** Drops cached shop state (one shop, or all): call on app/uninstalled, shop/redact and re-install. */
export function forgetShopState(shop?: string) {
  if (shop === undefined) shopCache.clear();
  else for (const kind of ["proxy", "checkout"]) shopCache.delete(`${kind}:${shop}`);
  // A redacted or re-installed shop has a fresh row: its proxy path must be stored again.
  if (shop === undefined) knownProxyPaths.clear();
  else knownProxyPaths.delete(shop);
}

/** Sets the cache TTL (tests, or operators via EDGE_SHOP_CACHE_MS); 0 disables caching. */
export function setShopStateTtl(ms: number) {
  shopCacheTtlMs = Math.max(0, ms);
  shopCache.clear();
}

async function cachedShopCheck(key: string, lookup: () => Promise<boolean>): Promise<boolean> {
  if (shopCacheTtlMs > 0) {
    const until = shopCache.get(key);
    if (until !== undefined && until > Date.now()) return true;
  }
  // Concurrent misses for one shop share a lookup, so a burst after expiry costs one query, not hundreds.
  let pending = shopLookups.get(key);
  if (!pending) {
    pending = lookup().finally(() => shopLookups.delete(key));
    shopLookups.set(key, pending);
  }
  const ok = await pending;
  if (ok && shopCacheTtlMs > 0) {
    if (shopCache.size >= SHOP_CACHE_MAX) shopCache.delete(shopCache.keys().next().value as string);
    shopCache.set(key, Date.now() + shopCacheTtlMs);
  }
  return ok;
}

/** Shop row active (not uninstalled); a database outage becomes a 503 Response. */
async function activeOr503(shop: string): Promise<boolean> {
  try {
    return await cachedShopCheck(`checkout:${shop}`, () => isShopActive(shop));
  } catch {
    throw unavailable();
  }
}

/** Offline session stored (what authenticate.public.appProxy requires) and Shop row active; outage → 503. */
async function installedOr503(shop: string): Promise<boolean> {
  try {
    return await cachedShopCheck(`proxy:${shop}`, async () => {
      const [session, active] = await Promise.all([
        prisma.session.findUnique({ where: { id: `offline_${shop}` }, select: { id: true } }),
        isShopActive(shop),
      ]);
      return !!session && active;
    });
  } catch {
    throw unavailable();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// App proxy signature, as Shopify signs it (shopify.dev "Authenticate app proxies"): every query parameter except
// `signature` as `key=value`, a repeated key once with its values joined by "," in arrival order (Shopify's example
// signs `?extra=1&extra=2` as `extra=1,2`, and @shopify/shopify-api's validateHmac joins array values the same
// way), those strings sorted, concatenated without separators, HMAC-SHA256 with the app secret, hex; the timestamp
// within ±90 s (the library's tolerance). The library sorts by key with localeCompare instead, which orders some
// keys differently (e.g. "a1" vs "a", "Z" vs "a"), so that order is accepted too — both are HMACs with our secret.
// Done here instead of through authenticate.public.appProxy because that also loads the offline session from the
// database on every storefront request (and logs a line per request), and because it flattens the query with
// Object.fromEntries, keeping only the last of repeated values, so it refuses requests Shopify signed correctly.
// Stricter than the library: a missing or non-numeric timestamp is refused, and so is any repeat of a parameter
// Shopify itself sets (the app reads the first value; a signed repeat would still be ambiguous).

export const PROXY_TIMESTAMP_TOLERANCE_SEC = 90;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const PROXY_OWN_PARAMS = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);

export function verifyAppProxySignature(searchParams: URLSearchParams, secret: string, nowMs = Date.now()): boolean {
  const signature = searchParams.get("signature") ?? "";
  if (!secret || !HEX_SHA256.test(signature)) return false;
  const timestamp = searchParams.get("timestamp") ?? "";
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(Math.trunc(nowMs / 1000) - Number(timestamp)) > PROXY_TIMESTAMP_TOLERANCE_SEC) return false;
  const grouped = new Map<string, string[]>();
  for (const [k, v] of searchParams) {
    const values = grouped.get(k);
    if (!values) grouped.set(k, [v]);
    else if (PROXY_OWN_PARAMS.has(k)) return false;
    else values.push(v);
  }
  grouped.delete("signature");
  const pairs = [...grouped].map(([k, vs]): [string, string] => [k, `${k}=${vs.join(",")}`]);
  const given = Buffer.from(signature, "hex");
  const matches = (ordered: [string, string][]) =>
    timingSafeEqual(createHmac("sha256", secret).update(ordered.map(([, kv]) => kv).join("")).digest(), given);
  const shopifyOrder = [...pairs].sort(([, x], [, y]) => (x < y ? -1 : x > y ? 1 : 0));
  if (matches(shopifyOrder)) return true;
  const libraryOrder = [...pairs].sort(([a], [b]) => a.localeCompare(b));
  return libraryOrder.some(([k], i) => k !== shopifyOrder[i][0]) && matches(libraryOrder);
}

/**
 * App proxy guard: the signature and its timestamp (±90 s, against replay) are verified → 401 otherwise; the app
 * must be installed (offline session) and active on the signed shop → 404 otherwise. The customer comes from
 * `logged_in_customer_id` only — a client cannot choose whose profile it reads.
 */
export async function authenticateProxy(request: Request): Promise<{ shop: string; customerId: string | null }> {
  const url = new URL(request.url);
  if (!verifyAppProxySignature(url.searchParams, process.env.SHOPIFY_API_SECRET ?? "")) {
    throw jsonError(401, "Invalid or expired app proxy signature");
  }
  const shop = url.searchParams.get("shop") ?? "";
  if (!SHOP_DOMAIN.test(shop) || !(await installedOr503(shop))) throw jsonError(404, "Recovery Plays is not installed on this shop");
  await recordProxyPath(shop, url.searchParams.get("path_prefix") ?? "");
  const raw = url.searchParams.get("logged_in_customer_id") ?? "";
  return { shop, customerId: CUSTOMER_ID.test(raw) ? raw : null };
}

// ---------------------------------------------------------------------------------------------------------------
// The app proxy's storefront path. Merchants can change the proxy's prefix and subpath, so the storefront cannot
// hard-code `/apps/recovery-plays`: Shopify states the path each request came in on as the signed `path_prefix`.
// A new value is stored on the shop and the published config is marked pending, so the next publish (admin page
// load or the 5-minute upkeep) hands it to the storefront; the request itself never waits on the Admin API.
// Same-origin paths only: a value that is not `/<prefix>/<subpath>` is ignored.

const PROXY_PATH = /^\/[a-z]{1,20}\/[A-Za-z0-9._~-]{1,100}$/;
const knownProxyPaths = new Map<string, string>();

/** Stores a changed `path_prefix` and queues a republish; a database failure is ignored (next request retries). */
export async function recordProxyPath(shop: string, pathPrefix: string): Promise<boolean> {
  if (!PROXY_PATH.test(pathPrefix) || knownProxyPaths.get(shop) === pathPrefix) return false;
  try {
    const changed = await prisma.shop.updateMany({
      where: { shop, OR: [{ proxyPathPrefix: null }, { proxyPathPrefix: { not: pathPrefix } }] },
      data: { proxyPathPrefix: pathPrefix },
    });
    if (knownProxyPaths.size >= SHOP_CACHE_MAX) knownProxyPaths.delete(knownProxyPaths.keys().next().value as string);
    knownProxyPaths.set(shop, pathPrefix);
    if (changed.count === 0) return false;
    await prisma.publishedConfig.updateMany({ where: { shop }, data: { status: "pending" } });
    return true;
  } catch {
    return false;
  }
}

/** Forgets the remembered proxy paths (tests; a shop's row was redacted). */
export function forgetProxyPaths() {
  knownProxyPaths.clear();
}

/** Strips a Shopify GID to its numeric id. */
export function numericId(gidOrId: string | null | undefined): string | null {
  if (!gidOrId) return null;
  const m = /(\d{1,20})$/.exec(gidOrId);
  return m ? m[1] : null;
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Max-Age": "7200",
};

export interface CheckoutAuth {
  shop: string;
  /** Numeric customer id from the token's `sub` (only present when the buyer is logged in and permitted). */
  customerId: string | null;
  cors: (res: Response) => Response;
}

/**
 * Checkout-extension guard: the session token (JWT signed with the app secret) is verified by
 * authenticate.public.checkout (signature, exp, nbf); the audience (our API key) and issuer/destination (the
 * same shop) are checked here too, since the library skips the audience check for extension tokens. Every
 * answer — preflight, error or data — carries CORS headers so the extension's fetch can read it.
 */
export async function authenticateCheckout(request: Request): Promise<CheckoutAuth> {
  const cors = (res: Response) => {
    const headers = new Headers(res.headers);
    for (const [k, v] of Object.entries(CORS)) headers.set(k, v);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
  if (request.method === "OPTIONS") throw cors(new Response(null, { status: 204 }));
  let token;
  try {
    ({ sessionToken: token } = await authenticate.public.checkout(request));
  } catch (err) {
    if (!(err instanceof Response)) throw cors(unavailable());
    if (err.status >= 500) throw cors(err);
    throw cors(jsonError(401, "Invalid or expired session token"));
  }
  const dest = safeHost(token.dest);
  const iss = safeHost(token.iss);
  if (token.aud !== process.env.SHOPIFY_API_KEY || !dest || (iss && iss !== dest)) {
    throw cors(jsonError(401, "Session token was not issued for this app"));
  }
  if (!(await activeOr503(dest).catch((r: Response) => Promise.reject(cors(r))))) throw cors(jsonError(404, "Recovery Plays is not installed on this shop"));
  const sub = typeof token.sub === "string" && token.sub.startsWith("gid://shopify/Customer/") ? numericId(token.sub) : null;
  return { shop: dest, customerId: sub, cors };
}

function safeHost(v: unknown): string | null {
  if (typeof v !== "string" || !v) return null;
  try {
    return new URL(v.includes("://") ? v : `https://${v}`).hostname;
  } catch {
    return null;
  }
}
