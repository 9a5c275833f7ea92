// Exact attribution: orders/create carries the `_rp_vid` cart attribute the storefront wrote — a pointer to the
// visitor id the app signed, never a claim. The plays and arms an order counts for are only the exposures the server
// recorded for that id (PlayExposure, and its verified events not rolled up yet); `_rp_plays` and any id that does
// not verify are ignored (shoppers can edit cart attributes). Orders without a signed id are stored as
// unattributed. Each attributed order updates the visitor's PlayExposure rows and, with them, DailyPlayStat.
import { z } from "zod";
import { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { VISITOR_ATTRIBUTE, type ExposureStatus } from "../lib/stats/attribution";
import { PLAY_KEYS, type PlayKey } from "../lib/plays/types";
import { recordBundleCodeUse } from "./bundleCodes.server";
import { MAX_EVENT_AGE_MS, normalizeCustomerId } from "./events.server";
import { verifyVisitorId } from "./visitors.server";
import { applyExposureChanges, lockShopMeasurement, type ExposureState } from "./dailyStats.server";
import { paymentsExposureForOrder, recordPaymentsExposure } from "./paymentCustomization.server";

/** Plays whose intervention carries the app's discount, so the discount is their cost. */
const DISCOUNT_PLAYS: readonly PlayKey[] = ["deal_seeker"];

// Amounts beyond any real order are refused (400), not stored: sums of such values overflow to Infinity.
const MAX_AMOUNT = 1e12;
/** A money amount as Shopify sends it (a decimal string or a number); absent or not a number reads as 0. */
export function amountOf(v: string | number | null | undefined): number {
  const n = typeof v === "number" ? v : v == null || v.trim() === "" ? NaN : Number(v);
  return Number.isFinite(n) ? n : 0;
}
/**
 * A money field: checked (a refinement, not a transform), so the parsed payload keeps Shopify's shape and one
 * type serves the webhook edge, the handlers and the tests; handlers read it through `amountOf`.
 */
const money = z.union([z.string(), z.number()]).refine((v) => {
  const n = typeof v === "number" ? v : v.trim() === "" ? NaN : Number(v);
  return Number.isFinite(n) && Math.abs(n) <= MAX_AMOUNT;
}, "not an amount, or out of range");

/** The fields of the REST orders/create webhook payload that attribution reads. */
export const orderPayloadSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  created_at: z.string(),
  total_price: money,
  total_discounts: money.optional(),
  customer: z.looseObject({ id: z.union([z.number(), z.string()]) }).nullish(),
  note_attributes: z.array(z.looseObject({ name: z.string(), value: z.union([z.string(), z.number()]).nullish() })).nullish(),
  discount_codes: z.array(z.looseObject({ code: z.string(), amount: money })).nullish(),
  discount_applications: z
    .array(z.looseObject({ type: z.string().optional(), title: z.string().nullish(), code: z.string().nullish() }))
    .nullish(),
  line_items: z
    .array(
      z.looseObject({
        discount_allocations: z
          .array(z.looseObject({ amount: money, discount_application_index: z.number().int() }))
          .nullish(),
      }),
    )
    .nullish(),
});
export type OrderPayload = z.output<typeof orderPayloadSchema>;

/**
 * The one schema of an order webhook (orders/create and orders/updated): what attribution reads plus what the
 * profile fold reads (refunds with their transactions, cancellation, the update's time). Validated once, at the
 * webhook edge; the handlers take the parsed payload.
 */
export const orderWebhookSchema = orderPayloadSchema.extend({
  updated_at: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  financial_status: z.string().nullish(),
  refunds: z
    .array(
      z.looseObject({
        created_at: z.string().nullish(),
        /** Simplified payloads (the dev store's, older fixtures) may carry the refunded amount directly. */
        amount: money.nullish(),
        transactions: z.array(z.looseObject({ amount: money, kind: z.string().nullish(), status: z.string().nullish() })).max(1000).nullish(),
      }),
    )
    .max(1000)
    .nullish(),
});
export type OrderWebhook = z.output<typeof orderWebhookSchema>;

export interface AttributedPlay {
  play: PlayKey;
  arm: string;
  status: ExposureStatus;
  /**
   * "visitor": an exposure the server recorded for the signed id ("cart" only in orders stored before that rule);
   * "customer": the payment customization Function's exposure, keyed by the order's customer.
   */
  source: "cart" | "visitor" | "customer";
  /** The exposure's key when it is not the order's visitor id (the Function's customer exposure). */
  exposureId?: string;
}

export type AttributionResult =
  | { status: "attributed"; orderId: string; visitorId: string | null; plays: AttributedPlay[]; total: number; discount: number }
  | { status: "unattributed"; orderId: string }
  | { status: "duplicate"; orderId: string };

export interface AttributionOptions {
  /** Titles/codes of the app's bundle discount; read from the published config when omitted. */
  bundleDiscountTitles?: string[];
}

/**
 * Records one order (idempotent by order id). Throws a ZodError on a payload without id/created_at/total_price,
 * and on database failure (the webhook then answers 5xx and Shopify retries).
 */
export async function attributeOrder(shop: string, order: OrderPayload, options: AttributionOptions = {}): Promise<AttributionResult> {
  const orderId = String(order.id);
  const createdAt = new Date(order.created_at);
  if (Number.isNaN(createdAt.getTime())) throw new RangeError(`order ${orderId}: invalid created_at`);
  const attrs = new Map((order.note_attributes ?? []).map((a) => [a.name, a.value == null ? "" : String(a.value)]));
  const presented = attrs.get(VISITOR_ATTRIBUTE);
  const visitorId = presented && (await verifyVisitorId(shop, presented)) ? presented : null;
  const total = amountOf(order.total_price);
  const titles = options.bundleDiscountTitles ?? (await bundleDiscountTitles(shop));
  const customerId = normalizeCustomerId(order.customer?.id ?? null);
  // The order's single-use bundle codes: marked used (and leaked when the order is not their holder's).
  const bundleAmount = await recordBundleCodeUse(shop, {
    orderId, codes: (order.discount_codes ?? []).map((c) => ({ code: c.code, amount: amountOf(c.amount) })), visitorId, customerId, createdAt,
  });
  const discount = bundleAmount > 0 ? bundleAmount : appDiscount(order, titles);
  const subtotal = typeof order.subtotal_price === "string" || typeof order.subtotal_price === "number" ? Number(order.subtotal_price) : null;
  // Read before the transaction (it queries through the shared client); null when the Function did not run for it.
  const viaFunction = await paymentsExposureForOrder(shop, { orderId, customerId, createdAt, subtotal: Number.isFinite(subtotal) ? subtotal : null });

  try {
    return await prisma.$transaction(
      async (tx) => {
        await lockShopMeasurement(tx, shop);
        // Written first: on SQLite this takes the write lock; a repeated delivery fails here (primary key).
        await tx.orderAttribution.create({
          data: { shop, orderId, visitorId, plays: "[]", total, discount, createdAt },
        });
        // A refund delivered before its order (webhooks are not ordered) is taken off now.
        const early = (await tx.orderRefund.aggregate({ where: { shop, orderId }, _sum: { amount: true } }))._sum.amount ?? 0;
        const refunded = Math.min(total, early);
        if (refunded > 0) await tx.orderAttribution.update({ where: { shop_orderId: { shop, orderId } }, data: { refunded } });
        const revenue = Math.round((total - refunded) * 100) / 100;
        if (!visitorId) {
          if (!viaFunction) return { status: "unattributed", orderId } as const;
          const plays: AttributedPlay[] = [await recordPaymentsExposure(tx, shop, viaFunction, { createdAt, revenue, countOrder: true })];
          await tx.orderAttribution.update({ where: { shop_orderId: { shop, orderId } }, data: { plays: JSON.stringify(plays) } });
          return { status: "attributed", orderId, visitorId: null, plays, total, discount } as const;
        }

        // play IN (…) lets the (shop, play, visitorId) primary key serve the lookup (there is no visitor index).
        const existing = await tx.playExposure.findMany({ where: { shop, play: { in: [...PLAY_KEYS] }, visitorId } });
        const byPlay = new Map(existing.map((e) => [e.play, e]));
        const plays: AttributedPlay[] = [];
        for (const e of existing) {
          if (e.firstEligibleAt > createdAt) continue;
          plays.push({ play: e.play as PlayKey, arm: e.arm, status: e.shownAt && e.shownAt <= createdAt ? "shown" : "eligible", source: "visitor" });
        }
        // Exposures whose events are stored (verified at ingest: signed id, server arm) but not rolled up yet. Bounded
        // by the oldest event ingestion accepts, so the (shop, occurredAt) index serves it.
        const recent = await tx.event.findMany({
          where: {
            shop, visitorId, type: { in: ["eligible", "shown"] }, play: { in: [...PLAY_KEYS] }, arm: { in: ["treatment", "holdout"] },
            occurredAt: { gte: new Date(createdAt.getTime() - MAX_EVENT_AGE_MS), lte: createdAt },
          },
          select: { play: true, arm: true, type: true },
        });
        for (const e of recent) {
          const known = plays.find((p) => p.play === e.play);
          if (known) {
            if (e.type === "shown") known.status = "shown";
            continue;
          }
          plays.push({ play: e.play as PlayKey, arm: e.arm as string, status: e.type === "shown" ? "shown" : "eligible", source: "visitor" });
        }

        const changes: { before: ExposureState | null; after: ExposureState }[] = [];
        for (const p of plays) {
          const cost = DISCOUNT_PLAYS.includes(p.play) ? discount : 0;
          const before = byPlay.get(p.play) ?? null;
          if (before) {
            // The exposure's own arm stands: it came from the deterministic assignment when first seen.
            p.arm = before.arm;
            const after = await tx.playExposure.update({
              where: { shop_play_visitorId: { shop, play: p.play, visitorId } },
              data: {
                orders: { increment: 1 },
                revenue: { increment: revenue },
                discount: { increment: cost },
                shownAt: p.status === "shown" && !before.shownAt ? createdAt : undefined,
                customerId: before.customerId ?? customerId,
              },
            });
            changes.push({ before, after });
          } else {
            // Events not rolled up yet: the order time stands in until the rollup brings the earlier event times.
            const after = await tx.playExposure.create({
              data: {
                shop, play: p.play, visitorId, arm: p.arm, customerId, firstEligibleAt: createdAt,
                shownAt: p.status === "shown" ? createdAt : null, orders: 1, revenue, discount: cost,
              },
            });
            changes.push({ before: null, after });
          }
        }
        await applyExposureChanges(tx, shop, changes);
        if (viaFunction) {
          const already = plays.some((p) => p.play === "vip");
          const p = await recordPaymentsExposure(tx, shop, viaFunction, { createdAt, revenue, countOrder: !already });
          if (!already) plays.push(p);
        }
        await tx.orderAttribution.update({
          where: { shop_orderId: { shop, orderId } },
          data: { plays: JSON.stringify(plays) },
        });
        return { status: "attributed", orderId, visitorId, plays, total, discount } as const;
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return { status: "duplicate", orderId };
    if (isUniqueViolation(e)) return { status: "duplicate", orderId };
    throw e;
  }
}

function isUniqueViolation(e: unknown): boolean {
  // The PostgreSQL client is generated separately; its error class is not this module's Prisma namespace.
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}

/** Amount of the order's discounts that are the app's bundle discount (matched by title or code). */
export function appDiscount(order: z.output<typeof orderPayloadSchema>, titles: readonly string[]): number {
  if (titles.length === 0) return 0;
  const wanted = new Set(titles.map((t) => t.trim().toLowerCase()));
  const apps = order.discount_applications ?? [];
  const matching = new Set<number>();
  apps.forEach((a, i) => {
    const name = (a.title ?? a.code ?? "").trim().toLowerCase();
    if (name && wanted.has(name)) matching.add(i);
  });
  let amount = 0;
  let allocated = false;
  for (const li of order.line_items ?? []) {
    for (const al of li.discount_allocations ?? []) {
      allocated = true;
      if (matching.has(al.discount_application_index)) amount += amountOf(al.amount);
    }
  }
  if (!allocated) {
    for (const c of order.discount_codes ?? []) if (wanted.has(c.code.trim().toLowerCase())) amount += amountOf(c.amount);
    if (amount === 0 && matching.size > 0 && matching.size === apps.length) amount = amountOf(order.total_discounts);
  }
  return Math.round(amount * 100) / 100;
}

/** The bundle discount's title (automatic discounts are named by it) and its code (code discounts by that). */
async function bundleDiscountTitles(shop: string): Promise<string[]> {
  const [published, play] = await Promise.all([
    prisma.publishedConfig.findUnique({ where: { shop }, select: { payload: true } }),
    prisma.playConfig.findUnique({ where: { shop_play: { shop, play: "deal_seeker" } }, select: { discountCode: true } }),
  ]);
  const names = play?.discountCode ? [play.discountCode] : [];
  try {
    const title = (JSON.parse(published?.payload ?? "{}") as { shop?: { bundleDiscountTitle?: string } }).shop?.bundleDiscountTitle;
    if (title) names.push(title);
  } catch {
    // A corrupt snapshot only loses the title match.
  }
  return names;
}

/** The fields of the REST refunds/create webhook payload that attribution reads. */
export const refundPayloadSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  order_id: z.union([z.number(), z.string()]),
  created_at: z.string().nullish(),
  transactions: z
    .array(z.looseObject({ amount: money, kind: z.string().nullish(), status: z.string().nullish() }))
    .max(1000)
    .nullish(),
});

export type RefundResult =
  | { status: "applied"; orderId: string; amount: number; plays: PlayKey[] }
  | { status: "unknown_order" | "duplicate" | "no_amount"; orderId: string };

/**
 * refunds/create: money returned on an order the app attributed comes off that order's revenue and off the
 * revenue of every play exposure it counted for (and so off DailyPlayStat and the reported incremental revenue).
 * The conversion itself stands (the shopper did buy). Idempotent by refund id; a refund never takes an order's
 * revenue below zero. Orders the app never saw (before install, unattributed ones included) are only recorded.
 */
export type RefundPayload = z.output<typeof refundPayloadSchema>;

export async function recordRefund(shop: string, refund: RefundPayload): Promise<RefundResult> {
  const orderId = String(refund.order_id);
  const refundId = String(refund.id);
  const amount = Math.round(
    (refund.transactions ?? []).filter((t) => (t.kind ?? "refund") === "refund" && (t.status ?? "success") === "success").reduce((s, t) => s + Math.max(0, amountOf(t.amount)), 0) * 100,
  ) / 100;
  if (!(amount > 0)) return { status: "no_amount", orderId };
  const parsedAt = refund.created_at ? new Date(refund.created_at) : new Date();
  const createdAt = Number.isNaN(parsedAt.getTime()) ? new Date() : parsedAt;
  try {
    return await prisma.$transaction(
      async (tx) => {
        await lockShopMeasurement(tx, shop);
        await tx.orderRefund.create({ data: { shop, refundId, orderId, amount, createdAt } });
        const order = await tx.orderAttribution.findUnique({ where: { shop_orderId: { shop, orderId } } });
        if (!order) return { status: "unknown_order", orderId } as const;
        const take = Math.min(amount, Math.max(0, order.total - order.refunded));
        await tx.orderAttribution.update({ where: { shop_orderId: { shop, orderId } }, data: { refunded: { increment: take } } });
        const plays = parsePlaysJson(order.plays);
        if (plays.length === 0 || take === 0) return { status: "applied", orderId, amount: take, plays: [] } as const;
        // Each play's exposure: the order's visitor's, or the one the stored entry names (the Function's customer).
        const keyOf = new Map(
          storedPlays(order.plays).map((p) => {
            const own = (p as { exposureId?: unknown }).exposureId;
            return [p.play, typeof own === "string" ? own : order.visitorId];
          }),
        );
        const changes: { before: ExposureState | null; after: ExposureState }[] = [];
        for (const play of plays) {
          const visitorId = keyOf.get(play);
          if (!visitorId) continue;
          const before = await tx.playExposure.findUnique({ where: { shop_play_visitorId: { shop, play, visitorId } } });
          if (!before) continue;
          const after = await tx.playExposure.update({
            where: { shop_play_visitorId: { shop, play, visitorId } },
            data: { revenue: Math.max(0, Math.round((before.revenue - take) * 100) / 100) },
          });
          changes.push({ before, after });
        }
        await applyExposureChanges(tx, shop, changes);
        return { status: "applied", orderId, amount: take, plays: changes.map((c) => c.after.play as PlayKey) } as const;
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  } catch (e) {
    if ((e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") || isUniqueViolation(e)) return { status: "duplicate", orderId };
    throw e;
  }
}

/** The plays an attributed order counted for (its stored `plays` JSON); anything unreadable counts for none. */
function parsePlaysJson(json: string): PlayKey[] {
  return [...new Set(storedPlays(json).map((p) => p.play).filter((p): p is PlayKey => (PLAY_KEYS as readonly string[]).includes(p)))];
}

/** The entries of a stored `plays` JSON that name a play (with their arm as stored). */
function storedPlays(json: string): { play: string; arm?: unknown }[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((p): p is { play: string; arm?: unknown } => !!p && typeof p === "object" && typeof (p as { play?: unknown }).play === "string") : [];
  } catch {
    return [];
  }
}

export interface AttributionSummary {
  orders: number;
  attributedOrders: number;
  unattributedOrders: number;
  attributedRevenue: number;
  unattributedRevenue: number;
}

/** Orders by attribution status in a date range (orders' own dates), for the Analytics page header. */
export async function attributionSummary(shop: string, range: { from: Date; to: Date }): Promise<AttributionSummary> {
  const where = { shop, createdAt: { gte: range.from, lt: range.to } };
  const [attributed, unattributed] = await Promise.all([
    prisma.orderAttribution.aggregate({ where: { ...where, visitorId: { not: null } }, _count: true, _sum: { total: true, refunded: true } }),
    prisma.orderAttribution.aggregate({ where: { ...where, visitorId: null }, _count: true, _sum: { total: true, refunded: true } }),
  ]);
  return {
    orders: attributed._count + unattributed._count,
    attributedOrders: attributed._count,
    unattributedOrders: unattributed._count,
    attributedRevenue: (attributed._sum.total ?? 0) - (attributed._sum.refunded ?? 0),
    unattributedRevenue: (unattributed._sum.total ?? 0) - (unattributed._sum.refunded ?? 0),
  };
}

export interface RecentAttribution {
  orderId: string;
  createdAt: Date;
  total: number;
  discount: number;
  plays: AttributedPlay[];
}

/** Latest attributed orders with their plays (newest first). */
export async function recentAttributions(shop: string, limit = 20): Promise<RecentAttribution[]> {
  const rows = await prisma.orderAttribution.findMany({
    where: { shop, visitorId: { not: null } },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(limit, 1), 100),
  });
  return rows.map((r) => ({ orderId: r.orderId, createdAt: r.createdAt, total: r.total, discount: r.discount, plays: JSON.parse(r.plays) as AttributedPlay[] }));
}
