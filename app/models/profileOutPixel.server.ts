/**
 * POST /api/pixel/events: the app's web pixel posts one standard checkout event per request. Guard and storage;
 * why the pixel is trusted this far and no further: ./profileOutCheckout.server.
 */
import { timingSafeEqual } from "node:crypto";
import { json } from "@remix-run/node";
import { z } from "zod";
import prisma from "../db.server";
import { PIXEL_CHECKOUT_EVENTS, PIXEL_EVENT_TYPE, STEP_AFTER } from "../lib/profile-out/checkout";
import { jsonError, readBody } from "./edge.server";
import { pixelKey } from "./profileOutCheckout.server";
import { createSharedRateLimiter } from "./shared.server";
import { verifyVisitorId } from "./visitors.server";
import { isShopActive } from "./webhooks.server";

export const MAX_PIXEL_BODY_BYTES = 2 * 1024;

const PixelBody = z
  .object({
    shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/).max(100),
    key: z.string().min(16).max(64),
    event: z.enum(PIXEL_CHECKOUT_EVENTS),
    checkout: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/),
    visitorId: z.string().max(128).nullable(),
    clientId: z.string().min(1).max(128),
    ts: z.number().finite(),
  })
  .strict();
export type PixelBody = z.infer<typeof PixelBody>;

// Per browser (Shopify's client id): a checkout is a handful of events, so bursts of 30 then 1 per second. Per shop:
// the same budget as storefront events.
const perClient = createSharedRateLimiter({ name: "pixel-client", capacity: 30, refillPerSecond: 1 });
const perShop = createSharedRateLimiter({ name: "pixel-shop", capacity: 2000, refillPerSecond: 1000 });

// The pixel runs in a sandbox with an opaque origin: any origin may post, none gets credentials.
const PIXEL_CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS", "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "7200" };

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The pixel endpoint's guard: CORS, POST only, bounded body, strict schema, the shop's own key, an installed shop,
 * rate limits. Returns the validated event or throws the Response to send.
 */
export async function authenticatePixel(request: Request): Promise<PixelBody> {
  if (request.method === "OPTIONS") throw new Response(null, { status: 204, headers: PIXEL_CORS });
  if (request.method !== "POST") throw jsonError(405, "Use POST", {}, PIXEL_CORS);
  let raw: unknown;
  try {
    raw = JSON.parse(await readBody(request, MAX_PIXEL_BODY_BYTES));
  } catch (err) {
    if (err instanceof Response) throw new Response(err.body, { status: err.status, headers: { ...Object.fromEntries(err.headers), ...PIXEL_CORS } });
    throw jsonError(400, "Malformed JSON body", {}, PIXEL_CORS);
  }
  const parsed = PixelBody.safeParse(raw);
  if (!parsed.success) throw jsonError(400, "Invalid pixel event", { issues: parsed.error.issues.slice(0, 5).map((i) => i.path.join(".")) }, PIXEL_CORS);
  const body = parsed.data;
  if (!sameKey(body.key, pixelKey(body.shop))) throw jsonError(401, "Unknown shop key", {}, PIXEL_CORS);
  let active: boolean;
  try {
    active = await isShopActive(body.shop);
  } catch {
    throw jsonError(503, "Service temporarily unavailable; retry later", {}, { ...PIXEL_CORS, "Retry-After": "5" });
  }
  if (!active) throw jsonError(404, "Recovery Plays is not installed on this shop", {}, PIXEL_CORS);
  if (!(await perClient.take(`${body.shop}:${body.clientId}`)) || !(await perShop.take(body.shop))) {
    throw jsonError(429, "Too many events; retry later", {}, { ...PIXEL_CORS, "Retry-After": "1" });
  }
  return body;
}

/**
 * Stores one checkout step. The visitor is the app's signed id when the cart carried one, else a pixel-only id
 * (`px:<client id>`) that can never match a storefront session; the customer comes from that visitor's own
 * storefront events (signed by the app proxy), never from the pixel.
 */
export async function recordPixelEvent(shop: string, body: PixelBody, now = Date.now()): Promise<Response> {
  try {
    const signed = body.visitorId && (await verifyVisitorId(shop, body.visitorId)) ? body.visitorId : null;
    const known = signed
      ? await prisma.event.findFirst({ where: { shop, visitorId: signed, customerId: { not: null } }, orderBy: { occurredAt: "desc" }, select: { customerId: true } })
      : null;
    // The event's own clock is the shopper's device: kept only when within the last hour, else the arrival time.
    const at = body.ts <= now && body.ts >= now - 3_600_000 ? body.ts : now;
    await prisma.event.create({
      data: {
        shop,
        visitorId: signed ?? `px:${body.clientId}`,
        customerId: known?.customerId ?? null,
        type: PIXEL_EVENT_TYPE,
        pageType: STEP_AFTER[body.event],
        path: `/checkouts/${body.checkout}`,
        occurredAt: new Date(at),
      },
    });
  } catch {
    return jsonError(503, "Event could not be stored; retry later", {}, PIXEL_CORS);
  }
  return json({ stored: 1 }, { status: 202, headers: PIXEL_CORS });
}
