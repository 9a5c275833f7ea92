// Signing storefront and checkout requests exactly as Shopify does, with node:crypto only (no test helpers), so
// benches and tests can share it: app-proxy query signatures and checkout-extension session tokens.
import { createHmac, randomUUID } from "node:crypto";

export const PROXY_PATH_PREFIX = "/apps/recovery-plays";

/**
 * Shopify's app-proxy signature (shopify.dev "Authenticate app proxies"): each query parameter except
 * `signature` as `key=value` (repeated keys' values joined by ","), those strings sorted (byte order, as Ruby's
 * Array#sort in Shopify's example), concatenated without separators, HMAC-SHA256 with the app secret, hex.
 */
export function appProxySignature(params: Record<string, string | string[]>, secret: string): string {
  const message = Object.keys(params)
    .filter((k) => k !== "signature")
    .map((k) => {
      const v = params[k];
      return `${k}=${Array.isArray(v) ? v.join(",") : v}`;
    })
    .sort()
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

export interface AppProxyQueryOptions {
  shop: string;
  secret: string;
  /** Numeric id of the logged-in customer; empty/absent = logged out (Shopify sends an empty value). */
  customerId?: string;
  /** Seconds since epoch; defaults to now. The app accepts ±90 s. */
  timestamp?: number;
  pathPrefix?: string;
  extra?: Record<string, string>;
}

/** The query string Shopify appends when it forwards a storefront request through the app proxy. */
export function appProxyQuery(opts: AppProxyQueryOptions): string {
  const params: Record<string, string> = {
    shop: opts.shop,
    logged_in_customer_id: opts.customerId ?? "",
    path_prefix: opts.pathPrefix ?? PROXY_PATH_PREFIX,
    timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    ...opts.extra,
  };
  const signature = appProxySignature(params, opts.secret);
  return new URLSearchParams({ ...params, signature }).toString();
}

/** `${appUrl}/apps/proxy${path}?…signed…` — the URL the app sees for a proxied storefront request. */
export function appProxyUrl(appUrl: string, path: string, opts: AppProxyQueryOptions): string {
  return `${appUrl}/apps/proxy${path}?${appProxyQuery(opts)}`;
}

export interface SessionTokenOptions {
  shop: string;
  apiKey: string;
  secret: string;
  /** Numeric customer id → `sub: gid://shopify/Customer/<id>`; absent = buyer not logged in (no `sub`). */
  customerId?: string;
  /** Lifetime in seconds (Shopify's are 60 s). */
  ttlSeconds?: number;
  /** Seconds since epoch used as iat/nbf; defaults to now. */
  now?: number;
  /** Claim overrides (e.g. a wrong `aud`) for negative cases; `undefined` removes a claim. */
  overrides?: Record<string, unknown>;
}

const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** A checkout UI extension session token: HS256 JWT signed with the app secret, claims as Shopify issues them. */
export function checkoutSessionToken(opts: SessionTokenOptions): string {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: `https://${opts.shop}/admin`,
    dest: `https://${opts.shop}`,
    aud: opts.apiKey,
    sub: opts.customerId ? `gid://shopify/Customer/${opts.customerId}` : undefined,
    exp: now + (opts.ttlSeconds ?? 60),
    nbf: now,
    iat: now,
    jti: randomUUID(),
    sid: randomUUID(),
    ...opts.overrides,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac("sha256", opts.secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
