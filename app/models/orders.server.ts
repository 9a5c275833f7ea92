// Order folding: orders/create, orders/updated and orders/cancelled deliveries move a customer's profile by
// exactly the change of that order's contribution. Each order is stored once (ProfileOrder), so deliveries are
// idempotent and order-insensitive.
import type { CustomerProfile } from "@prisma/client";
import { rawTable, defaultStore, type Store } from "../db/store";
import { applyContribution, contributionOf, deriveProfile, legacyId, NO_CONTRIBUTION } from "../lib/segments";
import { amountOf, type OrderWebhook } from "./attribution.server";
import { aggregateOf, shopScales } from "./profiles.server";

interface ParsedOrder {
  orderId: string;
  customerId: string | null;
  createdAt: number;
  updatedAt: number;
  total: number;
  refunded: number;
  cancelledAt: number | null;
  voided: boolean;
  refunds: { at: number; amount: number }[];
}

/**
 * The parsed webhook (orderWebhookSchema, checked at the edge) as the fold reads it; null when its values cannot
 * be an order (no id, an unreadable creation time, a negative or non-numeric total).
 */
function normalizeOrder(o: OrderWebhook): ParsedOrder | null {
  const orderId = legacyId(String(o.id));
  const createdAt = Date.parse(o.created_at);
  const total = Number(o.total_price);
  if (!orderId || !Number.isFinite(createdAt) || !Number.isFinite(total) || total < 0) return null;
  const updatedRaw = o.updated_at ? Date.parse(o.updated_at) : NaN;
  const cancelledAt = o.cancelled_at ? Date.parse(o.cancelled_at) : null;
  const refunds: { at: number; amount: number }[] = [];
  for (const r of o.refunds ?? []) {
    // The transactions that returned money; simplified payloads carry the refunded amount directly.
    const amount = r.transactions?.length
      ? r.transactions.filter((t) => (t.kind ?? "refund") === "refund" && (t.status ?? "success") === "success").reduce((sum, t) => sum + amountOf(t.amount), 0)
      : amountOf(r.amount);
    const at = r.created_at ? Date.parse(r.created_at) : NaN;
    refunds.push({ at: Number.isFinite(at) ? at : createdAt, amount });
  }
  return {
    orderId,
    customerId: legacyId(o.customer?.id == null ? undefined : String(o.customer.id)),
    createdAt,
    updatedAt: Number.isFinite(updatedRaw) ? updatedRaw : createdAt,
    total,
    refunded: refunds.reduce((s, r) => s + r.amount, 0),
    cancelledAt: cancelledAt !== null && Number.isFinite(cancelledAt) ? cancelledAt : null,
    voided: o.financial_status === "voided",
    refunds,
  };
}

/** The order as a completed sync that started at `cutoff` saw it (refunds and cancellation up to then). */
function stateAsOf(o: ParsedOrder, cutoff: number) {
  const refunded = o.refunds.filter((r) => r.at <= cutoff).reduce((s, r) => s + r.amount, 0);
  const cancelled = (o.cancelledAt !== null && o.cancelledAt <= cutoff) || (o.voided && o.updatedAt <= cutoff);
  return { createdAt: o.createdAt, total: o.total, refunded, cancelled };
}

/** When the last completed history sync started: orders created before it are in the synced baseline. */
export async function baselineCutoff(shop: string, store: Store = defaultStore()): Promise<number | null> {
  const job = await store.db.syncJob.findFirst({ where: { shop, status: "completed" }, orderBy: { startedAt: "desc" }, select: { startedAt: true } });
  return job ? job.startedAt.getTime() : null;
}

export type OrderWebhookResult =
  | { applied: true; customerId: string | null; profile: CustomerProfile | null }
  | { applied: false; reason: "invalid" | "stale" | "duplicate" };

/**
 * orders/create and orders/updated-like deliveries. Idempotent: each order is stored once (ProfileOrder, keyed
 * by order id, with the source's updated_at); a repeated delivery is a no-op, an older one never regresses, and
 * the profile moves by exactly (new contribution − previous contribution) of that order.
 */
export async function applyOrderWebhook(shop: string, order: OrderWebhook, store: Store = defaultStore(), now = Date.now()): Promise<OrderWebhookResult> {
  const o = normalizeOrder(order);
  if (!o) return { applied: false, reason: "invalid" };
  const cutoff = await baselineCutoff(shop, store);
  const scales = o.customerId ? await shopScales(shop, store, now) : null;
  const cancelled = o.cancelledAt !== null || o.voided;
  return store.db.$transaction(async (tx) => {
    if (o.customerId) {
      await tx.customerProfile.upsert({ where: { shop_customerId: { shop, customerId: o.customerId } }, create: { shop, customerId: o.customerId }, update: {} });
      // Serialise concurrent deliveries for one customer (SQLite transactions are serial already).
      if (store.kind === "postgres") {
        await tx.$queryRawUnsafe(`SELECT 1 FROM ${rawTable(store, "CustomerProfile")} WHERE "shop" = $1 AND "customerId" = $2 FOR UPDATE`, shop, o.customerId);
      }
    }
    const existing = await tx.profileOrder.findUnique({ where: { shop_orderId: { shop, orderId: o.orderId } } });
    if (existing) {
      const seen = existing.sourceUpdatedAt.getTime();
      if (seen > o.updatedAt) return { applied: false as const, reason: "stale" as const };
      if (seen === o.updatedAt && existing.refunded === o.refunded && existing.cancelled === cancelled && existing.total === o.total) {
        return { applied: false as const, reason: "duplicate" as const };
      }
    }
    const before = existing
      ? contributionOf({ createdAt: existing.createdAt.getTime(), total: existing.total, refunded: existing.refunded, cancelled: existing.cancelled })
      : cutoff !== null && o.createdAt <= cutoff
        ? contributionOf(stateAsOf(o, cutoff))
        : NO_CONTRIBUTION;
    const after = contributionOf({ createdAt: o.createdAt, total: o.total, refunded: o.refunded, cancelled });
    const row = {
      customerId: o.customerId,
      createdAt: new Date(o.createdAt),
      total: o.total,
      refunded: o.refunded,
      cancelled,
      sourceUpdatedAt: new Date(o.updatedAt),
    };
    await tx.profileOrder.upsert({ where: { shop_orderId: { shop, orderId: o.orderId } }, create: { shop, orderId: o.orderId, ...row }, update: row });
    if (!o.customerId || !scales) return { applied: true as const, customerId: null, profile: null };
    const p = await tx.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: o.customerId } } });
    const agg = aggregateOf(p);
    applyContribution(agg, before, -1);
    applyContribution(agg, after, 1);
    // Order dates can't be un-folded in general (the other orders' dates aren't kept), but with no order left
    // there is no first or last order: a customer whose only order was cancelled is a prospect again.
    if (agg.ordersCount === 0) agg.firstOrderAt = agg.lastOrderAt = null;
    const d = deriveProfile(agg, scales, now);
    const profile = await tx.customerProfile.update({
      where: { shop_customerId: { shop, customerId: o.customerId } },
      data: {
        ordersCount: agg.ordersCount,
        grossSpend: agg.grossSpend,
        refunded: agg.refunded,
        firstOrderAt: agg.firstOrderAt === null ? null : new Date(agg.firstOrderAt),
        lastOrderAt: agg.lastOrderAt === null ? null : new Date(agg.lastOrderAt),
        ...d,
      },
    });
    return { applied: true as const, customerId: o.customerId, profile };
  }, { timeout: 30_000, maxWait: 10_000 });
}
