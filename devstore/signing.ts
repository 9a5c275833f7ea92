// Shopify's signatures, in one place for the dev store (which signs as Shopify does), the tests and the benches:
// app-proxy query signatures, webhook HMACs and HS256 session tokens, all with the app's secret.
import { createHmac } from "node:crypto";

/**
 * The app-proxy signature (shopify.dev "Authenticate app proxies"): each query parameter except `signature` as
 * `key=value` (a repeated key's values joined by ","), those strings sorted, concatenated without separators,
 * HMAC-SHA256 with the app secret, hex.
 */
export function appProxySignature(params: Iterable<[string, string]> | Record<string, string | string[]>, secret: string): string {
  const entries: Iterable<[string, string | string[]]> = Symbol.iterator in params ? (params as Iterable<[string, string]>) : Object.entries(params);
  const grouped = new Map<string, string[]>();
  for (const [k, v] of entries) {
    if (k === "signature") continue;
    const list = grouped.get(k) ?? [];
    list.push(...(Array.isArray(v) ? v : [v]));
    grouped.set(k, list);
  }
  const message = [...grouped].map(([k, vs]) => `${k}=${vs.join(",")}`).sort().join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

/** X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw webhook body. */
export function webhookHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** An HS256 JWT (admin and checkout session tokens), claims as given. */
export function hs256Jwt(claims: object, secret: string): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
