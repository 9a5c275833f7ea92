/**
 * Checkout behaviour in, on every plan: the app's web pixel (extensions/recovery-plays-pixel) posts Shopify's
 * standard checkout events to /api/pixel/events, and Shopify's abandoned checkouts (Admin API) are read and joined
 * to the app's storefront sessions through the `_rp_vid` cart attribute. The profile then knows where a customer
 * stalls in checkout ("abandoned at payment, twice"), and Analytics each play's effect on the abandoned-checkout
 * rate.
 *
 * Trust: a web pixel has no session token (it runs in Shopify's sandbox on the shopper's device), so what it sends
 * is a claim. The endpoint accepts only the shop's own key (issued by the app into the pixel's settings, so
 * nobody can write into a shop without having loaded its checkout), a strict schema and a bounded rate; the visitor
 * id counts only when the app signed it, and the customer comes only from the app's own signed storefront
 * sessions, never from the pixel. Nothing from the pixel decides an arm or money.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { json } from "@remix-run/node";
import { z } from "zod";
import prisma from "../db.server";
import {
  ABANDONED_EVENT_TYPE, PIXEL_CHECKOUT_EVENTS, PIXEL_EVENT_TYPE, STEP_AFTER, stallStep, visitorFromAttributes,
} from "../lib/profile-out/checkout";
import type { PlayKey } from "../lib/plays/types";
import { jsonError, readBody } from "./edge.server";
import { createSharedRateLimiter } from "./shared.server";
import { verifyVisitorId } from "./visitors.server";
import { isShopActive } from "./webhooks.server";
import { writeCustomerProfile } from "./profileOutCustomer.server";
import { accessDenied, client, type Admin, type ProfileOutOptions, type UserError } from "./profileOutShared.server";

// ------------------------------------------------------------------------------------------- pixel activation

export const WEB_PIXEL_CREATE = `#graphql
  mutation ProfilePixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {
      webPixel { id settings }
      userErrors { field message code }
    }
  }`;

export const WEB_PIXEL_UPDATE = `#graphql
  mutation ProfilePixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {
      webPixel { id settings }
      userErrors { field message code }
    }
  }`;

export const WEB_PIXEL = `#graphql
  query ProfilePixel {
    webPixel { id settings }
  }`;

/** The shop's pixel key: HMAC-SHA256 of the shop with the app secret, so only the app can issue it. */
export function pixelKey(shop: string, secret = process.env.SHOPIFY_API_SECRET ?? ""): string {
  return createHmac("sha256", secret).update(`pixel:${shop}`).digest("base64url").slice(0, 32);
}

export type PixelActivation = { status: "active"; id: string } | { status: "denied"; message: string } | { status: "failed"; message: string };

/**
 * Activates (or re-points) the app's web pixel on the shop: settings are the endpoint and the shop's key.
 * webPixelCreate needs `write_pixels` and `read_customer_events`; without them Shopify answers ACCESS_DENIED,
 * reported as `denied` for the admin page (the rest of the profile publication goes on).
 */
export async function ensureWebPixel(shop: string, admin: Admin, appUrl: string, o: ProfileOutOptions = {}): Promise<PixelActivation> {
  const c = client(admin, o);
  const settings = JSON.stringify({ endpoint: new URL("/api/pixel/events", appUrl).toString(), shopKey: pixelKey(shop) });
  try {
    const r = await c.request<{ webPixelCreate: { webPixel: { id: string } | null; userErrors: UserError[] } }>(WEB_PIXEL_CREATE, { webPixel: { settings } });
    const { webPixel, userErrors } = r.data.webPixelCreate;
    if (webPixel) return { status: "active", id: webPixel.id };
    if (!userErrors.some((e) => e.code === "TAKEN")) return { status: "failed", message: userErrors.map((e) => e.message).join("; ") };
    const existing = await c.request<{ webPixel: { id: string } | null }>(WEB_PIXEL);
    if (!existing.data.webPixel) return { status: "failed", message: "The web pixel exists but could not be read." };
    const u = await c.request<{ webPixelUpdate: { webPixel: { id: string } | null; userErrors: UserError[] } }>(WEB_PIXEL_UPDATE, { id: existing.data.webPixel.id, webPixel: { settings } });
    const up = u.data.webPixelUpdate;
    return up.webPixel ? { status: "active", id: up.webPixel.id } : { status: "failed", message: up.userErrors.map((e) => e.message).join("; ") };
  } catch (err) {
    if (err instanceof Response) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (accessDenied(err, "webPixelCreate") || accessDenied(err, "webPixelUpdate") || accessDenied(err, "webPixel")) return { status: "denied", message };
    return { status: "failed", message };
  }
}

// ----------------------------------------------------------------------------------------------- the endpoint

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

// -------------------------------------------------------------------------------------- abandoned checkouts

export const ABANDONED_CHECKOUTS = `#graphql
  query ProfileAbandonedCheckouts($first: Int!, $after: String, $query: String) {
    abandonedCheckouts(first: $first, after: $after, query: $query, sortKey: ID) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id createdAt updatedAt completedAt
        customer { id }
        customAttributes { key value }
        totalPriceSet { shopMoney { amount } }
      }
    }
  }`;

interface AbandonedNode {
  id: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  customer: { id: string } | null;
  customAttributes: { key: string; value: string | null }[];
  totalPriceSet: { shopMoney: { amount: string } };
}

export type AbandonedSyncResult = { status: "ok"; stored: number; seen: number } | { status: "denied"; message: string };

/**
 * Reads Shopify's abandoned checkouts updated since the last one stored (30 days on the first run) and stores each
 * once (Event `checkout_abandoned`, path = its id): the customer from Shopify, the visitor from the `_rp_vid`
 * attribute when the app signed it, the step it stalled at from the pixel's steps of that visitor (or customer).
 * `abandonedCheckouts` needs `read_orders` (and, for a staff user, the manage_abandoned_checkouts permission):
 * an ACCESS_DENIED is reported as `denied`, not thrown.
 */
export async function syncAbandonedCheckouts(shop: string, admin: Admin, o: ProfileOutOptions & { maxPages?: number } = {}): Promise<AbandonedSyncResult> {
  const now = (o.now ?? Date.now)();
  const last = await prisma.event.findFirst({ where: { shop, type: ABANDONED_EVENT_TYPE }, orderBy: { occurredAt: "desc" }, select: { occurredAt: true } });
  const since = new Date(last ? last.occurredAt.getTime() - 24 * 3_600_000 : now - 30 * 24 * 3_600_000);
  const c = client(admin, o);
  let after: string | null = null;
  let stored = 0;
  let seen = 0;
  const touched = new Set<string>();
  for (let page = 0; page < (o.maxPages ?? 20); page++) {
    let r: { data: { abandonedCheckouts: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: AbandonedNode[] } } };
    try {
      r = await c.request<{ abandonedCheckouts: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: AbandonedNode[] } }>(ABANDONED_CHECKOUTS, {
        first: 100,
        after,
        query: `updated_at:>'${since.toISOString()}'`,
      });
    } catch (err) {
      if (err instanceof Response) throw err;
      if (accessDenied(err, "abandonedCheckouts")) return { status: "denied", message: err instanceof Error ? err.message : String(err) };
      throw err;
    }
    const { nodes, pageInfo } = r.data.abandonedCheckouts;
    seen += nodes.length;
    const have = new Set(
      (await prisma.event.findMany({ where: { shop, type: ABANDONED_EVENT_TYPE, path: { in: nodes.map((n) => n.id) } }, select: { path: true } })).map((e) => e.path),
    );
    for (const n of nodes) {
      if (have.has(n.id)) continue;
      const createdAt = new Date(n.createdAt);
      const updatedAt = new Date(n.updatedAt);
      const attr = visitorFromAttributes(n.customAttributes);
      const visitorId = attr && (await verifyVisitorId(shop, attr)) ? attr : null;
      const customerId = n.customer ? (/(\d+)$/.exec(n.customer.id)?.[1] ?? null) : null;
      const who = [...(visitorId ? [{ visitorId }] : []), ...(customerId ? [{ customerId }] : [])];
      const steps = who.length
        ? await prisma.event.findMany({
            where: { shop, type: PIXEL_EVENT_TYPE, OR: who, occurredAt: { gte: new Date(createdAt.getTime() - 5 * 60_000), lte: new Date(updatedAt.getTime() + 5 * 60_000) } },
            select: { pageType: true, occurredAt: true },
          })
        : [];
      await prisma.event.create({
        data: {
          shop,
          visitorId: visitorId ?? `ac:${n.id.replace(/^gid:\/\/shopify\/AbandonedCheckout\//, "")}`,
          customerId,
          type: ABANDONED_EVENT_TYPE,
          pageType: stallStep(steps.map((s) => ({ step: s.pageType ?? "", at: s.occurredAt })), createdAt, updatedAt),
          path: n.id,
          value: Number(n.totalPriceSet.shopMoney.amount) || 0,
          occurredAt: updatedAt,
        },
      });
      stored++;
      if (customerId) touched.add(customerId);
    }
    if (!pageInfo.hasNextPage || !pageInfo.endCursor) break;
    after = pageInfo.endCursor;
  }
  // The customers' metafields follow (checkout_stall, checkout_abandons: written only for consented customers).
  for (const id of touched) await writeCustomerProfile(shop, admin, id, o);
  return { status: "ok", stored, seen };
}

// ------------------------------------------------------------------------------------------------ analytics

export interface AbandonRate {
  play: PlayKey;
  arm: string;
  /** Visitors first eligible in the window. */
  exposed: number;
  /** Of them, visitors who reached checkout afterwards (the pixel saw a step). */
  started: number;
  /** Of them, visitors with an abandoned checkout afterwards (Shopify's list, joined by visitor id). */
  abandoned: number;
  /** abandoned / started, null without checkouts. */
  rate: number | null;
}

/**
 * Each play's abandoned-checkout rate by arm (treatment vs holdout) for visitors first eligible in [from, to):
 * the share of those who reached checkout and then abandoned it. Read from stored events only.
 */
export async function abandonRates(shop: string, from: Date, to: Date): Promise<AbandonRate[]> {
  const exposures = await prisma.playExposure.findMany({
    where: { shop, firstEligibleAt: { gte: from, lt: to } },
    select: { play: true, arm: true, visitorId: true, firstEligibleAt: true },
  });
  if (exposures.length === 0) return [];
  const visitors = [...new Set(exposures.map((e) => e.visitorId))];
  const events: { visitorId: string; type: string; occurredAt: Date }[] = [];
  // Chunked: a bound parameter list stays far below SQLite's and PostgreSQL's limits.
  for (let i = 0; i < visitors.length; i += 5000) {
    events.push(...(await prisma.event.findMany({
      where: { shop, type: { in: [PIXEL_EVENT_TYPE, ABANDONED_EVENT_TYPE] }, occurredAt: { gte: from }, visitorId: { in: visitors.slice(i, i + 5000) } },
      select: { visitorId: true, type: true, occurredAt: true },
    })));
  }
  const byVisitor = new Map<string, { type: string; at: number }[]>();
  for (const e of events) {
    const list = byVisitor.get(e.visitorId) ?? [];
    list.push({ type: e.type, at: e.occurredAt.getTime() });
    byVisitor.set(e.visitorId, list);
  }
  const out = new Map<string, AbandonRate>();
  for (const x of exposures) {
    const k = `${x.play}:${x.arm}`;
    const row = out.get(k) ?? { play: x.play as PlayKey, arm: x.arm, exposed: 0, started: 0, abandoned: 0, rate: null };
    row.exposed++;
    const after = (byVisitor.get(x.visitorId) ?? []).filter((e) => e.at >= x.firstEligibleAt.getTime());
    const abandoned = after.some((e) => e.type === ABANDONED_EVENT_TYPE);
    // An abandoned checkout means checkout was reached even when the pixel could not see it (no consent).
    if (abandoned || after.some((e) => e.type === PIXEL_EVENT_TYPE)) row.started++;
    if (abandoned) row.abandoned++;
    out.set(k, row);
  }
  return [...out.values()]
    .map((r) => ({ ...r, rate: r.started ? r.abandoned / r.started : null }))
    .sort((a, b) => a.play.localeCompare(b.play) || a.arm.localeCompare(b.arm));
}
