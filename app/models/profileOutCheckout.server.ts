/**
 * Checkout behaviour in, on every plan: the app's web pixel (extensions/recovery-plays-pixel) posts Shopify's
 * standard checkout events to /api/pixel/events, and Shopify's abandoned checkouts (Admin API) are read and joined
 * to the app's storefront sessions through the `_rp_vid` cart attribute. The profile then knows where a customer
 * stalls in checkout ("abandoned at payment, twice"), and Analytics each play's effect on the abandoned-checkout
 * rate.
 *
 * The endpoint itself (guard and storage) is ./profileOutPixel.server, kept apart because it needs the HTTP edge.
 *
 * Trust: a web pixel has no session token (it runs in Shopify's sandbox on the shopper's device), so what it sends
 * is a claim. The endpoint accepts only the shop's own key (issued by the app into the pixel's settings, so
 * nobody can write into a shop without having loaded its checkout), a strict schema and a bounded rate; the visitor
 * id counts only when the app signed it, and the customer comes only from the app's own signed storefront
 * sessions, never from the pixel. Nothing from the pixel decides an arm or money.
 */
import { createHmac } from "node:crypto";
import prisma from "../db.server";
import { ABANDONED_EVENT_TYPE, PIXEL_EVENT_TYPE, stallStep, visitorFromAttributes } from "../lib/profile-out/checkout";
import type { PlayKey } from "../lib/plays/types";
import { verifyVisitorId } from "./visitors.server";
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
 * Reads Shopify's abandoned checkouts updated since the last one stored (an hour of overlap; 30 days on the first run) and stores each
 * once (Event `checkout_abandoned`, path = its id): the customer from Shopify, the visitor from the `_rp_vid`
 * attribute when the app signed it, the step it stalled at from the pixel's steps of that visitor (or customer).
 * `abandonedCheckouts` needs `read_orders` (and, for a staff user, the manage_abandoned_checkouts permission):
 * an ACCESS_DENIED is reported as `denied`, not thrown.
 */
export async function syncAbandonedCheckouts(shop: string, admin: Admin, o: ProfileOutOptions & { maxPages?: number } = {}): Promise<AbandonedSyncResult> {
  const now = (o.now ?? Date.now)();
  const last = await prisma.event.findFirst({ where: { shop, type: ABANDONED_EVENT_TYPE }, orderBy: { occurredAt: "desc" }, select: { occurredAt: true } });
  // An hour of overlap: Shopify lists a checkout ten minutes after its last update, in update order; repeats are
  // skipped by id below. The scan runs every minute, so a day of overlap would re-read a day each time.
  const since = new Date(last ? last.occurredAt.getTime() - 3_600_000 : now - 30 * 24 * 3_600_000);
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
