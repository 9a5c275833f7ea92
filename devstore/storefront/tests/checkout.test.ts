import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { orderWebhookPayload } from "../index";
import { Shopper, type TestStorefront, startStorefront } from "../testing";

let store: TestStorefront;
beforeEach(async () => {
  store = await startStorefront();
});
afterEach(() => store.close());

async function waitFor<T>(fn: () => T | undefined, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pay(s: Shopper): Promise<Response> {
  expect((await s.get("/checkout")).status).toBe(200);
  return s.postForm("/checkout", {});
}

interface Payload {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  total_price: string;
  subtotal_price: string;
  total_discounts: string;
  financial_status: string;
  customer: { id: number; admin_graphql_api_id: string } | null;
  note_attributes: { name: string; value: string }[];
  line_items: { variant_id: number; quantity: number; price: string }[];
  refunds: unknown[];
  cancelled_at: null;
  currency: string;
}

describe("checkout", () => {
  it("GIVEN a cart with attributes WHEN the shopper pays THEN an order with those attributes is created and orders/create fires", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 2 });
    await s.postJson("/cart/update.js", { attributes: { _rp_vid: "v-42", _rp_plays: "confidence:treatment:shown" } });
    const before = store.ctx.state.orders.length;
    const res = await pay(s);
    expect(res.status).toBe(303);
    const order = store.ctx.state.orders[before];
    expect(order.attributes).toEqual([
      { key: "_rp_vid", value: "v-42" },
      { key: "_rp_plays", value: "confidence:treatment:shown" },
    ]);
    expect(order).toMatchObject({ customerId: null, total: 96, subtotal: 96, totalDiscounts: 0, financialStatus: "PAID", name: "#1002" });
    const hook = await waitFor(() => store.webhooks.find((w) => w.topic === "orders/create"));
    const payload = hook.payload as Payload;
    expect(payload).toMatchObject({
      id: Number(order.id),
      admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
      total_price: "96.00",
      financial_status: "paid",
      customer: null,
      refunds: [],
      cancelled_at: null,
      currency: "USD",
    });
    expect(payload.note_attributes).toEqual([
      { name: "_rp_vid", value: "v-42" },
      { name: "_rp_plays", value: "confidence:treatment:shown" },
    ]);
    expect(payload.line_items).toMatchObject([{ variant_id: 1011, quantity: 2, price: "48.00" }]);
  });

  it("GIVEN a paid checkout WHEN the shopper follows the redirect THEN the thank-you page shows the order and the cart is empty", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const res = await pay(s);
    const html = await s.html(res.headers.get("location")!);
    expect(html).toContain("Thank you for your order!");
    expect(html).toContain("#1002");
    expect(((await (await s.get("/cart.js")).json()) as { item_count: number }).item_count).toBe(0);
  });

  it("GIVEN a logged-in customer WHEN they pay THEN the order and webhook carry the customer", async () => {
    const s = new Shopper(store.url);
    await s.postForm("/account/login", { "customer[email]": "vip@example.com", "customer[password]": "hunter22" });
    await s.postJson("/cart/add.js", { id: 1021, quantity: 1 });
    await pay(s);
    const order = store.ctx.state.orders.at(-1)!;
    expect(order.customerId).toBe("9001");
    const payload = (await waitFor(() => store.webhooks[0])).payload as Payload;
    expect(payload.customer).toMatchObject({ id: 9001, admin_graphql_api_id: "gid://shopify/Customer/9001" });
    expect(JSON.stringify(payload)).not.toContain("vip@example.com");
  });

  it("GIVEN the bundle products in the cart WHEN the shopper pays THEN the active automatic discount is applied to the order", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { items: [{ id: 2011, quantity: 1 }, { id: 2021, quantity: 1 }] });
    await pay(s);
    const order = store.ctx.state.orders.at(-1)!;
    expect(order).toMatchObject({ totalDiscounts: 15.5, subtotal: 139.5, total: 139.5 });
    const payload = (await waitFor(() => store.webhooks[0])).payload as Payload;
    expect(payload).toMatchObject({ total_discounts: "15.50", subtotal_price: "139.50", total_price: "139.50" });
  });

  it("GIVEN an expired discount WHEN the shopper pays THEN no discount is applied", async () => {
    store.ctx.state.discounts[0].endsAt = "2025-02-01T00:00:00.000Z";
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { items: [{ id: 2011, quantity: 1 }, { id: 2021, quantity: 1 }] });
    await pay(s);
    expect(store.ctx.state.orders.at(-1)!.totalDiscounts).toBe(0);
  });

  it("GIVEN an empty cart WHEN the checkout is opened THEN the shopper is sent back to the cart and no order is made", async () => {
    const s = new Shopper(store.url);
    const before = store.ctx.state.orders.length;
    const res = await s.get("/checkout");
    expect(res.headers.get("location")).toBe("/cart");
    await s.postForm("/checkout", {});
    expect(store.ctx.state.orders.length).toBe(before);
    expect(store.webhooks).toEqual([]);
  });

  it("GIVEN the cart form's checkout button WHEN posted THEN the shopper lands on the checkout", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const res = await s.postForm("/cart", { "updates[]": "2", checkout: "" });
    expect(res.headers.get("location")).toBe("/checkout");
    expect(await s.html("/checkout")).toContain("$96.00");
  });

  it("GIVEN an existing order WHEN its webhook payload is built THEN money fields are strings and ids numbers, like Shopify REST", () => {
    const payload = orderWebhookPayload(store.ctx.state.orders[0], store.ctx.state) as unknown as Payload;
    expect(payload).toMatchObject({ id: 7001, name: "#1001", total_price: "120.00", subtotal_price: "120.00", total_discounts: "0.00" });
    expect(payload.customer).toMatchObject({ id: 9001 });
  });
});
