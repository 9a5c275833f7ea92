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
    if (err instanceof Response && err.status >= 500) throw err;
    throw jsonError(401, "Invalid or expired app proxy signature");
  }
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop") ?? "";
  if (!ctx.session || !(await isShopActive(shop))) throw jsonError(404, "Recovery Plays is not installed on this shop");
  const raw = url.searchParams.get("logged_in_customer_id") ?? "";
  return { shop, customerId: CUSTOMER_ID.test(raw) ? raw : null };
}

/** Strips a Shopify GID to its numeric id. */
export function numericId(gidOrId: string | null | undefined): string | null {
  if (!gidOrId) return null;
  const m = /(\d{1,20})$/.exec(gidOrId);
  return m ? m[1] : null;
}
