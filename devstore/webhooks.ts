// Webhook delivery to the app exactly as Shopify sends it: POST JSON to the subscription URI from shopify.app.toml
// with X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the app secret),
// X-Shopify-Shop-Domain, X-Shopify-API-Version, X-Shopify-Webhook-Id, X-Shopify-Event-Id, X-Shopify-Triggered-At;
// non-2xx answers and network errors are retried with backoff (Shopify retries for hours; we retry briefly).
import { randomUUID } from "node:crypto";
import { webhookHmac } from "./signing";
import { isProtectedTopic } from "./admin/scopes";
import { API_VERSION, type ProtectedDataAccess } from "./config";

export interface WebhookDelivery {
  topic: string;
  shop: string;
  url: string;
  status: number | null;
  attempts: number;
  webhookId: string;
  at: string;
}

export interface WebhookOptions {
  appUrl: string;
  apiSecret: string;
  routes: Record<string, string>;
  retries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  log?: (m: string) => void;
  /** The app's approved protected customer data access, read at each delivery (absent: approved, level 1). */
  protectedData?: () => ProtectedDataAccess;
}

export const signWebhook = webhookHmac;

export function createWebhookSender(opts: WebhookOptions) {
  const deliveries: WebhookDelivery[] = [];
  const retries = opts.retries ?? 3;
  const delay = opts.retryDelayMs ?? 250;
  async function deliverWebhook(topic: string, shop: string, payload: unknown): Promise<void> {
    const route = opts.routes[topic];
    if (!route) {
      opts.log?.(`[devstore] no subscription for ${topic}; not delivered`);
      return;
    }
    // Order, refund and customer payloads are protected customer data: an app without approved access (level 1)
    // gets no such webhook (protected-customer-data page: webhooks that relate to a single customer or order).
    if (isProtectedTopic(topic) && (opts.protectedData?.().level ?? 1) < 1) {
      opts.log?.(`[devstore] ${topic} carries protected customer data and the app is not approved for it; not delivered`);
      return;
    }
    const url = new URL(route, opts.appUrl).toString();
    const body = JSON.stringify(payload);
    const webhookId = randomUUID();
    const headers = {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-hmac-sha256": signWebhook(body, opts.apiSecret),
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": API_VERSION,
      "x-shopify-webhook-id": webhookId,
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
      "user-agent": "Shopify-Captain-Hook",
    };
    const record: WebhookDelivery = { topic, shop, url, status: null, attempts: 0, webhookId, at: headers["x-shopify-triggered-at"] };
    deliveries.push(record);
    for (let attempt = 0; attempt <= retries; attempt++) {
      record.attempts = attempt + 1;
      try {
        const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
        record.status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
      } catch {
        record.status = null;
      }
      if (attempt < retries) await new Promise((r) => setTimeout(r, delay * 2 ** attempt));
    }
    opts.log?.(`[devstore] webhook ${topic} to ${url} failed after ${record.attempts} attempts (last status ${record.status})`);
  }
  return { deliverWebhook, deliveries };
}

const decimal = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

/** REST-shaped orders/create payload (the webhook body Shopify sends for API 2026-07), from a dev store order. */
export function orderWebhookPayload(
  order: import("./types").DevOrder,
  customer: import("./types").DevCustomer | null,
  shopCurrency: string,
): Record<string, unknown> {
  const shippingTotal = Math.max(0, order.total - order.subtotal + order.totalDiscounts);
  const money = (x: number) => ({ shop_money: { amount: decimal(x), currency_code: shopCurrency }, presentment_money: { amount: decimal(x), currency_code: order.currencyCode } });
  return {
    id: Number(order.id),
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name,
    order_number: Number(order.name.replace(/\D/g, "")),
    number: Number(order.name.replace(/\D/g, "")) - 1000,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    processed_at: order.createdAt,
    cancelled_at: order.cancelledAt,
    cancel_reason: order.cancelledAt ? (order.cancelReason ?? "customer").toLowerCase() : null,
    currency: order.currencyCode,
    presentment_currency: order.currencyCode,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: null,
    confirmed: true,
    test: false,
    subtotal_price: decimal(order.subtotal),
    total_discounts: decimal(order.totalDiscounts),
    total_line_items_price: decimal(order.lineItems.reduce((s, l) => s + l.price * l.quantity, 0)),
    total_price: decimal(order.total),
    current_total_price: decimal(order.total - order.refunded),
    total_tax: "0.00",
    total_price_set: money(order.total),
    subtotal_price_set: money(order.subtotal),
    total_discounts_set: money(order.totalDiscounts),
    total_shipping_price_set: money(shippingTotal),
    discount_codes: order.discountCodes.map((code) => ({ code, amount: decimal(order.totalDiscounts), type: "percentage" })),
    note: null,
    note_attributes: order.attributes.map((a) => ({ name: a.key, value: a.value })),
    customer: customer
      ? {
          id: Number(customer.id),
          admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`,
          created_at: customer.createdAt,
          updated_at: customer.createdAt,
          state: "enabled",
          currency: shopCurrency,
        }
      : null,
    line_items: order.lineItems.map((l) => ({
      id: Number(l.id),
      admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
      product_id: Number(l.productId),
      variant_id: Number(l.variantId),
      title: l.title,
      name: l.title,
      quantity: l.quantity,
      price: decimal(l.price),
      price_set: money(l.price),
      total_discount: "0.00",
      requires_shipping: true,
      taxable: true,
    })),
    refunds: order.refunds.map((r) => refundWebhookPayload(order, r)),
    shipping_lines: [{ title: shippingTotal > 0 ? "Standard" : "Free shipping", price: decimal(shippingTotal) }],
  };
}

/**
 * A refund in the REST shape: the refunds/create webhook body, and each entry of an order payload's `refunds`.
 * Seeded refunds have no recorded transactions: their amount is one successful refund transaction.
 */
export function refundWebhookPayload(order: import("./types").DevOrder, refund: import("./types").DevRefund): Record<string, unknown> {
  const money = (x: number) => ({ shop_money: { amount: decimal(x), currency_code: order.currencyCode }, presentment_money: { amount: decimal(x), currency_code: order.currencyCode } });
  const transactions = refund.transactions ?? (refund.amount > 0 ? [{ id: `${refund.id}1`, amount: refund.amount, gateway: "bogus" }] : []);
  const lines = new Map(order.lineItems.map((l) => [l.id, l]));
  return {
    id: Number(refund.id),
    admin_graphql_api_id: `gid://shopify/Refund/${refund.id}`,
    order_id: Number(order.id),
    created_at: refund.createdAt,
    processed_at: refund.createdAt,
    note: refund.note ?? null,
    restock: (refund.lineItems ?? []).some((l) => l.restockType !== "NO_RESTOCK"),
    user_id: null,
    refund_line_items: (refund.lineItems ?? []).map((rl) => {
      const li = lines.get(rl.lineItemId);
      const subtotal = (li?.price ?? 0) * rl.quantity;
      return {
        id: Number(rl.id),
        line_item_id: Number(rl.lineItemId),
        quantity: rl.quantity,
        restock_type: rl.restockType.toLowerCase(),
        location_id: null,
        subtotal: decimal(subtotal),
        subtotal_set: money(subtotal),
        total_tax: "0.00",
        total_tax_set: money(0),
      };
    }),
    transactions: transactions.map((t) => ({
      id: Number(t.id),
      admin_graphql_api_id: `gid://shopify/OrderTransaction/${t.id}`,
      order_id: Number(order.id),
      kind: "refund",
      gateway: t.gateway,
      status: "success",
      amount: decimal(t.amount),
      currency: order.currencyCode,
      created_at: refund.createdAt,
      processed_at: refund.createdAt,
      parent_id: null,
      test: false,
    })),
    order_adjustments: [],
    duties: [],
  };
}
