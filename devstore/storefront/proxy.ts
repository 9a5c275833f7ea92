// App proxy: /apps/<subpath>/* on the shop's domain is forwarded to the app's proxy URL with Shopify's signed
// query parameters (shop, logged_in_customer_id, path_prefix, timestamp, signature). Client-supplied copies of
// those parameters are stripped, so a shopper can never pose as another customer. Cookies are not forwarded and
// Set-Cookie is not passed back, like Shopify.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { appProxySignature } from "../signing";

/**
 * Shopify sets up an app proxy only for an app granted `write_app_proxy` ("Configuring an app proxy requires the
 * `write_app_proxy` access scope", shopify.dev/docs/apps/build/online-store/app-proxies); without it the path is
 * an ordinary storefront 404. `scopes` null = no toml read, the documented default (configured).
 */
export function appProxyConfigured(scopes: readonly string[] | null): boolean {
  return scopes === null || scopes.includes("write_app_proxy");
}

const RESERVED = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature", "hmac"]);

export { appProxySignature };

export interface ProxyTarget {
  /** App origin, e.g. http://127.0.0.1:3000. */
  appUrl: string;
  /** Path of the app's proxy URL, e.g. /apps/proxy. */
  proxyPath: string;
  /** Storefront prefix, e.g. /apps/recovery-plays. */
  prefix: string;
  shopDomain: string;
  secret: string;
  timeoutMs: number;
}

/** Builds the upstream URL for a storefront proxy request (exported for tests and benchmarks). */
export function signedProxyUrl(target: ProxyTarget, storefrontPath: string, search: URLSearchParams, customerId: string | null, now = Date.now()): URL {
  const rest = storefrontPath.slice(target.prefix.length);
  const url = new URL(`${target.proxyPath.replace(/\/$/, "")}${rest}`, target.appUrl);
  const params = new URLSearchParams();
  for (const [k, v] of search) if (!RESERVED.has(k)) params.append(k, v);
  params.append("shop", target.shopDomain);
  params.append("logged_in_customer_id", customerId ?? "");
  params.append("path_prefix", target.prefix);
  params.append("timestamp", String(Math.floor(now / 1000)));
  params.append("signature", appProxySignature(params, target.secret));
  url.search = params.toString();
  return url;
}

const FORWARD_HEADERS = ["content-type", "content-length", "accept", "accept-language", "user-agent", "content-encoding"];
const RETURN_HEADERS = ["content-type", "cache-control", "location", "content-encoding", "vary", "etag", "last-modified"];

/**
 * Forwards the request and streams the response back. `renderLiquid` handles `application/liquid` responses
 * (Shopify renders those inside the theme layout).
 */
export function forwardAppProxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: ProxyTarget,
  url: URL,
  customerId: string | null,
  renderLiquid: (source: string) => Promise<string>,
): Promise<void> {
  const upstreamUrl = signedProxyUrl(target, url.pathname, url.searchParams, customerId);
  const headers: Record<string, string> = {};
  for (const h of FORWARD_HEADERS) {
    const v = req.headers[h];
    if (typeof v === "string") headers[h] = v;
  }
  if (req.headers["transfer-encoding"]) headers["transfer-encoding"] = String(req.headers["transfer-encoding"]);
  headers["x-forwarded-for"] = req.socket.remoteAddress ?? "127.0.0.1";
  headers["x-forwarded-host"] = target.shopDomain;
  headers["x-forwarded-proto"] = "https";
  const client = upstreamUrl.protocol === "https:" ? https : http;
  return new Promise<void>((resolve) => {
    let done = false;
    const fail = (status: number, message: string) => {
      if (done) return;
      done = true;
      if (!res.headersSent) {
        res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
        res.end(message);
      } else res.destroy();
      resolve();
    };
    const upstream = client.request(upstreamUrl, { method: req.method, headers, timeout: target.timeoutMs }, (up) => {
      const type = String(up.headers["content-type"] ?? "");
      if (type.startsWith("application/liquid")) {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          renderLiquid(Buffer.concat(chunks).toString("utf8"))
            .then((html) => {
              if (done) return;
              done = true;
              res.writeHead(up.statusCode ?? 200, { "content-type": "text/html; charset=utf-8" });
              res.end(html);
              resolve();
            })
            .catch(() => fail(500, "Liquid error in app proxy response"));
        });
        up.on("error", () => fail(502, "Bad Gateway"));
        return;
      }
      const out: Record<string, string> = {};
      for (const h of RETURN_HEADERS) {
        const v = up.headers[h];
        if (typeof v === "string") out[h] = v;
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on("end", () => {
        done = true;
        resolve();
      });
      up.on("error", () => fail(502, "Bad Gateway"));
    });
    upstream.on("timeout", () => {
      upstream.destroy();
      fail(504, "Gateway Timeout");
    });
    upstream.on("error", () => fail(502, "Bad Gateway"));
    req.pipe(upstream);
  });
}
