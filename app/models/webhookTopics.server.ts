// What each subscribed webhook topic does. The routes receive (app/routes/webhooks.*) and the "webhooks" job retries
// (app/jobs/catalog.server.ts) through this one table, so a delivery runs the same handler however it is attempted.
// Every handler is idempotent: an attempt that ran but could not record its outcome is simply run again.
import { z } from "zod";
import prisma from "../db.server";
import { attributeOrder, orderWebhookSchema, recordRefund, refundPayloadSchema } from "./attribution.server";
import { CustomerPayloadSchema, redactCustomer, redactShop, reportCustomerData, ShopRedactPayloadSchema } from "./compliance.server";
import { forgetShopState } from "./edge.server";
import { applyOrderWebhook } from "./orders.server";
import { invalidationBus } from "./shared.server";
import { bulkFinishPayloadSchema, onBulkOperationFinish } from "./sync.server";
import { afterHistorySync, afterOrder, afterRedact } from "./profileOut.server";
import { processDueDeliveries, shopDomainOf, webhookTopic, type WebhookTopic } from "./webhooks.server";

const ScopesPayload = z.object({ current: z.array(z.string().max(100)).max(100) });

/** app/uninstalled's body is the Shop resource: its myshopify_domain, when present, must be the header's shop. */
const UninstalledPayload = z.looseObject({ myshopify_domain: z.string().max(255).nullish() });


const topics: WebhookTopic[] = [
  webhookTopic({
    // app/scopes_update: keep the stored sessions' scope in step with what the merchant granted.
    topic: "app/scopes_update",
    schema: ScopesPayload,
    async handle({ shop, payload }) {
      const scope = payload.current.join(",");
      await prisma.$transaction([
        prisma.session.updateMany({ where: { shop }, data: { scope } }),
        prisma.shop.updateMany({ where: { shop }, data: { scopes: scope } }),
      ]);
    },
  }),
  webhookTopic({
    // app/uninstalled: stop all processing for the shop now (storefront/checkout endpoints refuse an uninstalled
    // shop) and drop its sessions. Data stays until shop/redact (48 h later), as Shopify requires.
    topic: "app/uninstalled",
    schema: UninstalledPayload,
    requireActiveShop: false,
    bodyShop: (payload) => payload.myshopify_domain,
    async handle({ shop }) {
      await prisma.$transaction([
        prisma.shop.upsert({ where: { shop }, create: { shop, uninstalledAt: new Date() }, update: { uninstalledAt: new Date() } }),
        prisma.session.deleteMany({ where: { shop } }),
      ]);
      // This process stops answering the shop's storefront and checkout at once; the other instances when the
      // invalidation reaches them through Redis (within the cache TTL without REDIS_URL).
      forgetShopState(shop);
      await invalidationBus().broadcast("shop-state", shop);
    },
  }),
  webhookTopic({
    // Folding a large history takes longer than Shopify waits for an answer: the attempt goes on after the 200,
    // its progress is recorded on the SyncJob, and a failure is retried from the inbox (and by the stale-sync poll).
    topic: "bulk_operations/finish",
    schema: bulkFinishPayloadSchema,
    async handle({ shop, payload, admin }) {
      const a = await admin();
      const job = await onBulkOperationFinish(shop, payload, a);
      // A finished history sync publishes the profiles into Shopify (one bulk mutation).
      if (job?.status === "completed") await afterHistorySync(shop, a);
    },
  }),
  webhookTopic({
    // customers/data_request (mandatory): store a report of what the app holds about the customer.
    topic: "customers/data_request",
    schema: CustomerPayloadSchema,
    requireActiveShop: false,
    bodyShop: shopDomainOf,
    async handle({ shop, payload }) {
      await reportCustomerData(shop, payload);
    },
  }),
  webhookTopic({
    // customers/redact (mandatory): erase the customer's profile, events and the listed orders.
    topic: "customers/redact",
    schema: CustomerPayloadSchema,
    requireActiveShop: false,
    bodyShop: shopDomainOf,
    async handle({ shop, payload, admin }) {
      await redactCustomer(shop, payload);
      await afterRedact(shop, payload.customer?.id, admin);
    },
  }),
  webhookTopic({
    // shop/redact (mandatory, 48 h after uninstall): erase everything the app holds for the shop the signed body
    // names (the receiver refused the delivery if the unsigned header named another).
    topic: "shop/redact",
    schema: ShopRedactPayloadSchema,
    requireActiveShop: false,
    bodyShop: shopDomainOf,
    async handle({ shop }) {
      await redactShop(shop);
      // Every instance forgets the erased shop's state, proxy path, scales and signing key at once.
      const bus = invalidationBus();
      await Promise.all([bus.invalidate("shop-state", shop), bus.invalidate("shop-scales", shop), bus.invalidate("shop-config", shop)]);
    },
  }),
  webhookTopic({
    // orders/create: fold the order into the customer's profile (idempotent by order id, never regressed by an
    // older update) and tie it to the plays it saw through the cart attributes carried into the order.
    topic: "orders/create",
    schema: orderWebhookSchema,
    async handle({ shop, payload, admin }) {
      await applyOrderWebhook(shop, payload);
      await attributeOrder(shop, payload);
      // Publishing the buyer's profile to Shopify is best effort and can take a minute of Admin API retries when
      // Shopify is slow or unreachable: it runs after the order is folded and attributed, never holding them up.
      void afterOrder(shop, payload, admin).catch((err: unknown) =>
        console.error("[profile-out] profile update after an order failed", { shop, status: err instanceof Response ? err.status : String(err) }),
      );
    },
  }),
  webhookTopic({
    // orders/updated (fired on every refund and cancellation, with the whole order): only the profile moves;
    // refunds/create already takes refunds off the attributed revenue.
    topic: "orders/updated",
    schema: orderWebhookSchema,
    async handle({ shop, payload }) {
      await applyOrderWebhook(shop, payload);
    },
  }),
  webhookTopic({
    // refunds/create: money returned on an attributed order comes off the revenue the plays are credited with
    // (idempotent by refund id; the conversion stands).
    topic: "refunds/create",
    schema: refundPayloadSchema,
    async handle({ shop, payload }) {
      await recordRefund(shop, payload);
    },
  }),
];

export const WEBHOOK_TOPICS: Record<string, WebhookTopic> = Object.fromEntries(topics.map((t) => [t.topic, t]));

/** The "webhooks-shop" job: the shop's deliveries whose retry is due. */
export const processDueWebhooks = (shop: string, now: Date = new Date()) => processDueDeliveries(shop, WEBHOOK_TOPICS, now);
