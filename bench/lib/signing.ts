// Storefront and checkout requests as Shopify sends them, signed by devstore/signing.ts: app-proxy queries and
// checkout-extension session tokens.
import { randomUUID } from "node:crypto";
import { appProxySignature, hs256Jwt } from "../../devstore/signing";

export { appProxySignature };

export const PROXY_PATH_PREFIX = "/apps/recovery-plays";

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
  return hs256Jwt(claims, opts.secret);
}
