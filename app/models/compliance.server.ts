// Mandatory compliance topics: erase or report what the app holds. The app stores no names, emails, phones or
// addresses (protected customer data level 1); what it holds per customer is keyed by the numeric customer id.
import { z } from "zod";
import prisma from "../db.server";
import { eraseCustomer } from "./profiles.server";
import { eraseCustomerEvents } from "./retention.server";
import { currentDialect, dialectSql, type ShopTable } from "../db/dialect";
import { lockShopMeasurement } from "./dailyStats.server";

const shopifyId = z.union([z.number().int().nonnegative(), z.string().regex(/^(gid:\/\/shopify\/\w+\/)?\d{1,20}$/)]);

/** Payload of customers/redact and customers/data_request (extra fields allowed, ids bounded, the shop named). */
export const CustomerPayloadSchema = z.object({
  shop_domain: z.string().min(1).max(255),
  customer: z.object({ id: shopifyId }).passthrough(),
  orders_to_redact: z.array(shopifyId).max(100_000).optional(),
  orders_requested: z.array(shopifyId).max(100_000).optional(),
}).passthrough();

/** shop/redact names the shop to erase in its signed body; the unsigned X-Shopify-Shop-Domain header must agree. */
export const ShopRedactPayloadSchema = z.object({ shop_domain: z.string().min(1).max(255) }).passthrough();

const idOf = (v: unknown) => (v === null || v === undefined ? null : String(v).replace(/^gid:\/\/shopify\/\w+\//, ""));

export interface RedactCustomerPayload {
  customer?: { id?: number | string | null } | null;
  orders_to_redact?: (number | string)[];
  orders_requested?: (number | string)[];
}

/**
 * customers/redact: the customer's profile and folded orders (profiles.server), every event and exposure of the
 * visitors they used with the aggregates adjusted (retention.server), the listed orders, and any data report.
 */
export async function redactCustomer(shop: string, payload: RedactCustomerPayload) {
  const customerId = idOf(payload.customer?.id);
  const orderIds = (payload.orders_to_redact ?? []).map((o) => String(idOf(o)));
  if (customerId) {
    await eraseCustomer(shop, customerId);
    await eraseCustomerEvents(shop, customerId, { orderIds });
    await prisma.dataRequest.deleteMany({ where: { shop, customerId } });
    // A bundle code keeps its order and visitor (the leak report), never who the customer was.
    await prisma.bundleCode.updateMany({ where: { shop, customerId }, data: { customerId: null } });
  }
  await prisma.$transaction([
    prisma.profileOrder.deleteMany({ where: { shop, orderId: { in: orderIds } } }),
    prisma.orderAttribution.deleteMany({ where: { shop, orderId: { in: orderIds } } }),
    prisma.orderRefund.deleteMany({ where: { shop, orderId: { in: orderIds } } }),
  ]);
}

/**
 * Tables shop/redact empties, in this order: measurement first (events before what is rolled up from them), the
 * shop's identity last, so an erasure cut short is simply run again by the webhook inbox's retry.
 */
export const SHOP_TABLES: ShopTable[] = [
  "Event", "PlayExposure", "DailyPlayStat", "OrderAttribution", "OrderRefund", "PageStat", "RollupCursor", "ShopModel",
  "LeakFunnelDay", "LeakPathDay", "LeakPathWeek", "PlayMoneyDay", "LeakCursor", "LeakVisit", "CustomerProfile", "ProfileOrder", "DataRequest",
  "SyncJob", "BundleCode", "PlayConfig", "PublishedConfig", "Session", "WebhookDelivery", "Shop",
];
export const REDACT_BATCH = 5000;

/**
 * shop/redact (48 h after uninstall): every row of the shop, in every table, in batches of `batchSize` rows per
 * statement — a large shop's millions of events never sit in one transaction holding locks for minutes. The app
 * was uninstalled 48 h earlier, so nothing new arrives; a rollup chunk that was running is swept up at the end
 * under the shop's measurement lock.
 */
export async function redactShop(shop: string, options: { batchSize?: number } = {}): Promise<Record<string, number>> {
  const batch = Math.max(1, Math.trunc(options.batchSize ?? REDACT_BATCH));
  const d = currentDialect();
  const sql = dialectSql(d);
  const deleted: Record<string, number> = {};
  const sweep = (table: ShopTable) => {
    const t = sql.t(table);
    // A row's physical address (rowid / ctid) works for every table, whatever its primary key.
    return d === "sqlite"
      ? `DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE "shop" = ? LIMIT ${batch})`
      : `DELETE FROM ${t} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t} WHERE "shop" = $1 LIMIT ${batch}))`;
  };
  for (const table of SHOP_TABLES) {
    if (table === "Shop" || table === "WebhookDelivery") continue;
    deleted[table] = 0;
    for (;;) {
      const n = await prisma.$executeRawUnsafe(sweep(table), shop);
      deleted[table] += n;
      if (n < batch) break;
    }
  }
  // What a rollup chunk running during the sweep may have committed, then the shop itself.
  await prisma.$transaction(
    async (tx) => {
      await lockShopMeasurement(tx, shop);
      for (const table of ["Event", "PlayExposure", "DailyPlayStat", "OrderAttribution", "RollupCursor"] as const) {
        deleted[table] += await tx.$executeRawUnsafe(sql.q(`DELETE FROM ${sql.t(table)} WHERE "shop" = ?`), shop);
      }
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  deleted.WebhookDelivery = (await prisma.webhookDelivery.deleteMany({ where: { shop } })).count;
  deleted.Shop = (await prisma.shop.deleteMany({ where: { shop } })).count;
  return deleted;
}

/** customers/data_request: a report of everything held about the customer, stored for the merchant. */
export async function reportCustomerData(shop: string, payload: RedactCustomerPayload) {
  const customerId = idOf(payload.customer?.id);
  if (!customerId) return null;
  const [profile, orders, events, codes] = await Promise.all([
    prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    prisma.profileOrder.findMany({ where: { shop, customerId } }),
    prisma.event.count({ where: { shop, customerId } }),
    prisma.bundleCode.findMany({ where: { shop, customerId }, select: { code: true, state: true, issuedAt: true, usedAt: true, orderId: true } }),
  ]);
  const report = {
    customerId,
    generatedAt: new Date().toISOString(),
    profile,
    orders: orders.map((o) => ({ orderId: o.orderId, createdAt: o.createdAt, total: o.total, refunded: o.refunded })),
    storefrontEvents: events,
    bundleCodes: codes,
    note: "Recovery Plays stores no names, emails, phone numbers or addresses.",
  };
  return prisma.dataRequest.create({ data: { shop, customerId, report: JSON.stringify(report) } });
}

// ---------------------------------------------------------------------------------------------------------------
// Handing the reports over. Shopify forwards the customer's request to the app; the merchant answers the customer,
// so each stored report is listed for the merchant with its deadline and downloaded from the admin. Shopify's
// privacy-law compliance page gives the window: "Complete the action within 30 days of receiving the request."

export const DATA_REQUEST_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DataRequestSummary {
  id: string;
  customerId: string;
  receivedAt: string;
  /** receivedAt + 30 days: when the report must have reached the customer. */
  dueAt: string;
  deliveredAt: string | null;
  overdue: boolean;
}

/** Pending reports first (oldest, i.e. most urgent, first), then the 50 latest delivered ones. */
export async function listDataRequests(shop: string, now = new Date()): Promise<DataRequestSummary[]> {
  const select = { id: true, customerId: true, createdAt: true, deliveredAt: true } as const;
  const [pending, delivered] = await Promise.all([
    prisma.dataRequest.findMany({ where: { shop, deliveredAt: null }, orderBy: { createdAt: "asc" }, select }),
    prisma.dataRequest.findMany({ where: { shop, deliveredAt: { not: null } }, orderBy: { deliveredAt: "desc" }, take: 50, select }),
  ]);
  return [...pending, ...delivered].map((r) => {
    const due = new Date(r.createdAt.getTime() + DATA_REQUEST_DAYS * DAY_MS);
    return {
      id: r.id,
      customerId: r.customerId,
      receivedAt: r.createdAt.toISOString(),
      dueAt: due.toISOString(),
      deliveredAt: r.deliveredAt?.toISOString() ?? null,
      overdue: !r.deliveredAt && due.getTime() < now.getTime(),
    };
  });
}

/** The stored report of one of the shop's requests, marked delivered the first time it is downloaded. */
export async function takeDataRequestReport(shop: string, id: string, now = new Date()): Promise<{ customerId: string; report: string } | null> {
  const row = await prisma.dataRequest.findFirst({ where: { id, shop }, select: { id: true, customerId: true, report: true, deliveredAt: true } });
  if (!row) return null;
  if (!row.deliveredAt) await prisma.dataRequest.updateMany({ where: { id: row.id, shop, deliveredAt: null }, data: { deliveredAt: now } });
  return { customerId: row.customerId, report: row.report };
}
