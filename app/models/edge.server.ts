// Shared HTTP-edge helpers: bounded body reading, JSON parsing and zod validation that turn bad input into
// clear 400/413/422 responses instead of crashes, and the guards for storefront and checkout requests.
import { json } from "@remix-run/node";
import type { z } from "zod";
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

export function unavailable() {
  return jsonError(503, "Service temporarily unavailable; retry later", {}, { "Retry-After": "5" });
}

/** isShopActive, with a database outage turned into a 503 Response. */
async function activeOr503(shop: string): Promise<boolean> {
  try {
    return await isShopActive(shop);
  } catch {
    throw unavailable();
  }
}

/**
 * App proxy guard: the signature (HMAC of the sorted params with the app secret) and its timestamp (±90 s,
 * against replay) are verified by authenticate.public.appProxy; any failure → 401. The customer comes from
 * `logged_in_customer_id` only — a client cannot choose whose profile it reads.
 */
export async function authenticateProxy(request: Request): Promise<{ shop: string; customerId: string | null }> {
  let ctx;
  try {
    ctx = await authenticate.public.appProxy(request);
  } catch (err) {
    // The library answers a bad or stale signature with a Response; anything else (the session store is
    // unreachable) is an outage, not the caller's fault.
    if (!(err instanceof Response)) throw unavailable();
    if (err.status >= 500) throw err;
    throw jsonError(401, "Invalid or expired app proxy signature");
  }
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop") ?? "";
  if (!ctx.session || !(await activeOr503(shop))) throw jsonError(404, "Recovery Plays is not installed on this shop");
  const raw = url.searchParams.get("logged_in_customer_id") ?? "";
  return { shop, customerId: CUSTOMER_ID.test(raw) ? raw : null };
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
