// Minimal checkout: the cart becomes a DevOrder (cart attributes → order attributes / note_attributes, the
// logged-in customer, totals with the automatic or code discount), and the REST-shaped orders/create payload.
import type { DevOrder, DevStoreData } from "../types";
import type { Catalog } from "./catalog";
import { type Cart, priceCart } from "./cart";
import { escapeHtml } from "./http";
import { translate } from "./liquid/engine";
import { checkoutPaymentMethods } from "./payments";
import { formatMoney, moneyFormats } from "./money";
import { refundWebhookPayload } from "../webhooks";

/** Scans orders appended since the last call for the highest order id / number / line item id. */
export class OrderNumbering {
  private scanned = 0;
  private ref: DevOrder[] | null = null;
  private maxId = 5_000_000_000;
  private maxNumber = 1000;
  private maxLineId = 10_000_000_000;

  next(orders: DevOrder[]): { id: string; name: string; lineId: () => string } {
    if (orders !== this.ref || orders.length < this.scanned) {
      this.ref = orders;
      this.scanned = 0;
    }
    for (let i = this.scanned; i < orders.length; i++) {
      const o = orders[i];
      const id = Number(o.id);
      if (id > this.maxId) this.maxId = id;
      const n = Number(String(o.name).replace(/\D/g, ""));
      if (n > this.maxNumber) this.maxNumber = n;
      for (const li of o.lineItems) {
        const lid = Number(li.id);
        if (lid > this.maxLineId) this.maxLineId = lid;
      }
    }
    this.scanned = orders.length;
    this.maxId += 1;
    this.maxNumber += 1;
    return { id: String(this.maxId), name: `#${this.maxNumber}`, lineId: () => String(++this.maxLineId) };
  }
}

/** Turns the cart into an order and appends it to the store data. The caller clears the cart. */
export function createOrderFromCart(
  cart: Cart,
  catalog: Catalog,
  data: DevStoreData,
  customerId: string | null,
  numbering: OrderNumbering,
  now = new Date(),
): DevOrder {
  const priced = priceCart(cart, catalog, data, now.getTime());
  const ids = numbering.next(data.orders);
  const iso = now.toISOString();
  const order: DevOrder = {
    id: ids.id,
    name: ids.name,
    customerId,
    createdAt: iso,
    updatedAt: iso,
    cancelledAt: null,
    financialStatus: "PAID",
    currencyCode: data.shop.currencyCode,
    subtotal: (priced.originalTotal - priced.totalDiscount) / 100,
    totalDiscounts: priced.totalDiscount / 100,
    total: priced.total / 100,
    refunded: 0,
    refunds: [],
    lineItems: priced.lines.map((pl) => ({
      id: ids.lineId(),
      productId: pl.line.productId,
      variantId: pl.line.variantId,
      title: pl.productTitle,
      quantity: pl.line.quantity,
      price: pl.unitCents / 100,
      discount: pl.discountCents / 100,
      properties: Object.entries(pl.line.properties).map(([name, value]) => ({ name, value })),
    })),
    attributes: Object.entries(cart.attributes).map(([key, value]) => ({ key, value })),
    // Only a code that actually discounted the order is recorded on it (an inapplicable one is dropped, as on Shopify).
    discountCodes: priced.applications.flatMap((a) => (a.code ? [a.code] : [])),
  };
  data.orders.push(order);
  return order;
}

const money = (n: number) => n.toFixed(2);
const setOf = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

/**
 * The order as Shopify's REST webhooks (orders/create, orders/updated) deliver it, its refunds included. Customer
 * PII (email, names, addresses) is left out, as for an app with protected customer data level 1 only.
 */
export function orderWebhookPayload(order: DevOrder, data?: DevStoreData): Record<string, unknown> {
  const currency = order.currencyCode;
  const lineTotal = order.lineItems.reduce((s, l) => s + l.price * l.quantity, 0);
  const code = order.discountCodes[0];
  const codeDiscount = code ? data?.discounts.find((d) => (d.kind === "code_basic" || d.kind === "code_app") && d.code?.toLowerCase() === code.toLowerCase()) : undefined;
  const codeType = codeDiscount?.amount ? "fixed_amount" : "percentage";
  const discountApplications =
    order.totalDiscounts <= 0
      ? []
      : code
        ? [{
            target_type: "line_item",
            type: "discount_code",
            value: codeDiscount ? (codeDiscount.amount ? money(codeDiscount.amount) : (codeDiscount.percentage * 100).toFixed(1)) : "",
            value_type: codeType,
            allocation_method: "across",
            target_selection: codeDiscount?.appliesToAll === false || codeDiscount?.kind === "code_app" ? "entitled" : "all",
            code,
          }]
        : [{ target_type: "line_item", type: "automatic", value: "", value_type: "percentage", allocation_method: "across", target_selection: "entitled", title: "Automatic discount" }];
  const products = new Map((data?.products ?? []).map((p) => [p.id, p]));
  let remainingDiscount = Math.round(order.totalDiscounts * 100);
  const lineItems = order.lineItems.map((li, i) => {
    const product = products.get(li.productId);
    const variant = product?.variants.find((v) => v.id === li.variantId);
    // The checkout's own allocation when it recorded one; else (seeded orders) pro rata, the last line taking
    // the rounding remainder.
    const lineCents = Math.round(li.price * li.quantity * 100);
    const share =
      li.discount !== undefined
        ? Math.round(li.discount * 100)
        : i === order.lineItems.length - 1
          ? remainingDiscount
          : Math.round((order.totalDiscounts * 100 * lineCents) / Math.max(1, Math.round(lineTotal * 100)));
    remainingDiscount -= share;
    const discount = (share / 100).toFixed(2);
    return {
      id: Number(li.id),
      admin_graphql_api_id: `gid://shopify/LineItem/${li.id}`,
      product_id: Number(li.productId),
      variant_id: Number(li.variantId),
      title: li.title,
      name: variant && variant.title !== "Default Title" ? `${li.title} - ${variant.title}` : li.title,
      variant_title: variant && variant.title !== "Default Title" ? variant.title : null,
      vendor: product?.vendor ?? null,
      sku: variant?.sku ?? "",
      quantity: li.quantity,
      current_quantity: li.quantity,
      fulfillable_quantity: li.quantity,
      fulfillment_status: null,
      gift_card: false,
      grams: 0,
      price: money(li.price),
      price_set: setOf(money(li.price), currency),
      total_discount: discount,
      total_discount_set: setOf(discount, currency),
      discount_allocations: share > 0 ? [{ amount: discount, amount_set: setOf(discount, currency), discount_application_index: 0 }] : [],
      properties: li.properties ?? [],
      requires_shipping: true,
      taxable: true,
      tax_lines: [],
      duties: [],
    };
  });
  return {
    id: Number(order.id),
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name,
    order_number: Number(order.name.replace(/\D/g, "")) || null,
    number: (Number(order.name.replace(/\D/g, "")) || 1000) - 1000,
    email: "",
    contact_email: null,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    processed_at: order.createdAt,
    cancelled_at: order.cancelledAt,
    cancel_reason: order.cancelledAt ? (order.cancelReason ?? "other").toLowerCase() : null,
    closed_at: null,
    confirmed: true,
    test: false,
    currency,
    presentment_currency: currency,
    total_price: money(order.total),
    total_price_set: setOf(money(order.total), currency),
    current_total_price: money(order.total - order.refunded),
    subtotal_price: money(order.subtotal),
    subtotal_price_set: setOf(money(order.subtotal), currency),
    total_line_items_price: money(lineTotal),
    total_discounts: money(order.totalDiscounts),
    total_discounts_set: setOf(money(order.totalDiscounts), currency),
    total_tax: "0.00",
    taxes_included: false,
    total_shipping_price_set: setOf("0.00", currency),
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: null,
    customer: order.customerId
      ? {
          id: Number(order.customerId),
          admin_graphql_api_id: `gid://shopify/Customer/${order.customerId}`,
          created_at: data?.customers.find((c) => c.id === order.customerId)?.createdAt ?? null,
          state: "enabled",
          verified_email: true,
          tax_exempt: false,
          currency,
        }
      : null,
    note: null,
    note_attributes: order.attributes.map((a) => ({ name: a.key, value: a.value })),
    line_items: lineItems,
    // One discount applies per order here, so the code's amount is the order's discount total.
    discount_codes: order.discountCodes.map((c) => ({ code: c, amount: money(order.totalDiscounts), type: codeType })),
    discount_applications: discountApplications,
    shipping_lines: [],
    tax_lines: [],
    refunds: order.refunds.map((r) => refundWebhookPayload(order, r)),
    fulfillments: [],
    payment_gateway_names: ["bogus"],
    source_name: "web",
    tags: "",
    buyer_accepts_marketing: false,
  };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:640px;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}table{width:100%;border-collapse:collapse}td,th{padding:.5rem;border-bottom:1px solid #ddd;text-align:left}.button{display:inline-block;padding:.75rem 1.5rem;font:inherit;font-weight:600;color:#fff;background:#1f4d3a;border:0;border-radius:4px;cursor:pointer;text-decoration:none}.muted{color:#595959}label{display:block;margin-top:1rem}input{font:inherit;padding:.5rem;width:100%}</style>
</head><body>${body}</body></html>`;
}

/** The checkout page (GET /checkout): cart summary and a "Pay now" button. */
export function checkoutPage(cart: Cart, catalog: Catalog, data: DevStoreData, locale: unknown, loggedIn: boolean, customerId: string | null = null): string {
  const t = (k: string, a: Record<string, unknown> = {}) => translate(locale, `checkout.${k}`, a);
  const fmt = moneyFormats(data.shop.currencyCode);
  const priced = priceCart(cart, catalog, data);
  const rows = priced.lines
    .map((pl) => `<tr><td>${escapeHtml(pl.title)} × ${pl.line.quantity}</td><td>${escapeHtml(formatMoney(pl.finalLineCents, fmt.money))}</td></tr>`)
    .join("");
  const discount = priced.totalDiscount
    ? `<tr><td>${escapeHtml(t("discounts"))} (${escapeHtml(priced.applications[0].title)})</td><td>-${escapeHtml(formatMoney(priced.totalDiscount, fmt.money))}</td></tr>`
    : "";
  return page(
    `${t("title")} – ${data.shop.name}`,
    `<main><h1>${escapeHtml(t("title"))}</h1>
<table><tbody>${rows}
<tr><td>${escapeHtml(t("subtotal"))}</td><td>${escapeHtml(formatMoney(priced.originalTotal, fmt.money))}</td></tr>${discount}
<tr><th scope="row">${escapeHtml(t("total"))}</th><td><strong id="checkout-total">${escapeHtml(formatMoney(priced.total, fmt.withCurrency))}</strong></td></tr></tbody></table>
<h2 id="payment-methods-title">${escapeHtml(t("payment_methods"))}</h2>
<ol id="payment-methods" aria-labelledby="payment-methods-title">${checkoutPaymentMethods(data, customerId, priced.originalTotal / 100)
    .map((m) => `<li data-payment-method="${escapeHtml(m.id)}">${escapeHtml(m.name)}</li>`)
    .join("")}</ol>
<form method="post" action="/checkout" id="checkout-sections">
${(["contact", "shipping", "payment"] as const).map((k) => `<button type="submit" name="section" value="${k}" id="save-${k}">${escapeHtml(t(`save_${k}`))}</button>`).join(" ")}
</form>
<form method="post" action="/checkout">
${loggedIn ? "" : `<label for="checkout-email">${escapeHtml(t("email"))}</label><input id="checkout-email" type="email" name="email" autocomplete="email">`}
<p class="muted">${escapeHtml(t("demo_note"))}</p>
<button type="submit" class="button" id="pay-now">${escapeHtml(t("pay_now"))}</button>
</form>
<p><a href="/cart">${escapeHtml(t("back"))}</a></p></main>`,
  );
}

/** The thank-you page after checkout. */
export function thankYouPage(order: DevOrder, data: DevStoreData, locale: unknown): string {
  const t = (k: string, a: Record<string, unknown> = {}) => translate(locale, `checkout.${k}`, a);
  const fmt = moneyFormats(data.shop.currencyCode);
  return page(
    t("thank_you"),
    `<main><h1>${escapeHtml(t("thank_you"))}</h1>
<p id="order-name" data-order-id="${escapeHtml(order.id)}">${t("order_name", { name: order.name })}</p>
<p>${escapeHtml(t("confirmation"))}</p>
<p><strong>${escapeHtml(t("total"))}:</strong> ${escapeHtml(formatMoney(Math.round(order.total * 100), fmt.withCurrency))}</p>
<p><a class="button" href="/">${escapeHtml(translate(locale, "general.continue_shopping", {}))}</a></p></main>`,
  );
}
