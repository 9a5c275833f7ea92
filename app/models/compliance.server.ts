// Mandatory compliance topics: erase or report what the app holds. The app stores no names, emails, phones or
// addresses (protected customer data level 1); what it holds per customer is keyed by the numeric customer id.
import { z } from "zod";
import prisma from "../db.server";
import { eraseCustomer } from "./profiles.server";
import { eraseCustomerEvents } from "./retention.server";

const shopifyId = z.union([z.number().int().nonnegative(), z.string().regex(/^(gid:\/\/shopify\/\w+\/)?\d{1,20}$/)]);

/** Payload of customers/redact and customers/data_request (extra fields allowed, ids bounded). */
export const CustomerPayloadSchema = z.object({
  customer: z.object({ id: shopifyId }).passthrough(),
  orders_to_redact: z.array(shopifyId).max(100_000).optional(),
  orders_requested: z.array(shopifyId).max(100_000).optional(),
}).passthrough();

export const ShopRedactPayloadSchema = z.object({ shop_domain: z.string().max(255).optional() }).passthrough();

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
  }
  await prisma.$transaction([
    prisma.profileOrder.deleteMany({ where: { shop, orderId: { in: orderIds } } }),
    prisma.orderAttribution.deleteMany({ where: { shop, orderId: { in: orderIds } } }),
    prisma.orderRefund.deleteMany({ where: { shop, orderId: { in: orderIds } } }),
  ]);
}

/** shop/redact (48 h after uninstall): every row of the shop, in every table. */
export async function redactShop(shop: string) {
  await prisma.$transaction([
    prisma.customerProfile.deleteMany({ where: { shop } }),
    prisma.profileOrder.deleteMany({ where: { shop } }),
    prisma.event.deleteMany({ where: { shop } }),
    prisma.playExposure.deleteMany({ where: { shop } }),
    prisma.dailyPlayStat.deleteMany({ where: { shop } }),
    prisma.orderAttribution.deleteMany({ where: { shop } }),
    prisma.orderRefund.deleteMany({ where: { shop } }),
    prisma.pageStat.deleteMany({ where: { shop } }),
    prisma.rollupCursor.deleteMany({ where: { shop } }),
    prisma.shopModel.deleteMany({ where: { shop } }),
    prisma.syncJob.deleteMany({ where: { shop } }),
    prisma.playConfig.deleteMany({ where: { shop } }),
    prisma.publishedConfig.deleteMany({ where: { shop } }),
    prisma.dataRequest.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
    prisma.webhookDelivery.deleteMany({ where: { shop } }),
    prisma.shop.deleteMany({ where: { shop } }),
  ]);
}

/** customers/data_request: a report of everything held about the customer, stored for the merchant. */
export async function reportCustomerData(shop: string, payload: RedactCustomerPayload) {
  const customerId = idOf(payload.customer?.id);
  if (!customerId) return null;
  const [profile, orders, events] = await Promise.all([
    prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    prisma.profileOrder.findMany({ where: { shop, customerId } }),
    prisma.event.count({ where: { shop, customerId } }),
  ]);
  const report = {
    customerId,
    generatedAt: new Date().toISOString(),
    profile,
    orders: orders.map((o) => ({ orderId: o.orderId, createdAt: o.createdAt, total: o.total, refunded: o.refunded })),
    storefrontEvents: events,
    note: "Recovery Plays stores no names, emails, phone numbers or addresses.",
  };
  return prisma.dataRequest.create({ data: { shop, customerId, report: JSON.stringify(report) } });
}
