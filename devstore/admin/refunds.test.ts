// refundCreate on the dev store: Shopify's input/payload shapes (pinned 2026-07 schema), userErrors for what
// Shopify refuses, the mandatory @idempotent key, and the two webhooks a refund fires (refunds/create,
// orders/updated) delivered signed to the app.
import { createServer, type Server } from "node:http";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../server";
import { merchantAdmin } from "../../tests/helpers/devstore";
import type { DevOrder } from "../types";

const API_KEY = "refund-test-key";
const API_SECRET = "refund-test-secret";
let store: DevStore;
let receiver: Server;
let graphql: ReturnType<typeof merchantAdmin>["graphql"];
const received: { topic: string; hmac: string; body: string }[] = [];

const REFUND = `#graphql
  mutation DevRefund($input: RefundInput!, $key: String!) {
    refundCreate(input: $input) @idempotent(key: $key) {
      refund {
        id
        createdAt
        note
        totalRefundedSet { shopMoney { amount currencyCode } }
        transactions(first: 5) { nodes { kind status gateway amountSet { shopMoney { amount } } } }
        refundLineItems(first: 5) { nodes { quantity restockType lineItem { id } } }
      }
      order { id displayFinancialStatus totalRefundedSet { shopMoney { amount } } }
      userErrors { field message }
    }
  }`;

const REFUND_WITHOUT_KEY = `#graphql
  mutation DevRefundNoKey($input: RefundInput!) {
    refundCreate(input: $input) { refund { id } userErrors { field message } }
  }`;

let keys = 0;
async function refund(input: Record<string, unknown>, key = `key-${++keys}`) {
  const res = await graphql(REFUND, { variables: { input, key } });
  return (await res.json()) as { data?: { refundCreate: any }; errors?: { message: string; extensions?: { code?: string } }[] };
}

const gidOf = (o: DevOrder) => `gid://shopify/Order/${o.id}`;
const money = (o: DevOrder, amount: string) => ({ orderId: gidOf(o), amount, kind: "REFUND", gateway: "bogus" });
/** A distinct paid order with a customer and no refund yet, for each test. */
const used = new Set<string>();
function freshOrder(minLines = 1): DevOrder {
  const o = store.state.orders.find(
    (x) => !used.has(x.id) && x.financialStatus === "PAID" && !x.cancelledAt && x.customerId && x.refunds.length === 0 && x.lineItems.length >= minLines && x.total > 20,
  );
  if (!o) throw new Error("no fresh order left in the seed");
  used.add(o.id);
  return o;
}

async function hooksFor(orderId: string, count: number, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const hits = received.filter((r) => String(JSON.parse(r.body).order_id ?? JSON.parse(r.body).id) === orderId);
    if (hits.length >= count || Date.now() > end) return hits;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 150));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ topic: String(req.headers["x-shopify-topic"]), hmac: String(req.headers["x-shopify-hmac-sha256"]), body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as { port: number }).port;
  store = await startDevStore({ port: 0, appUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, apiSecret: API_SECRET, seed: 5, size: "test", quiet: true });
  // Refunds and cancellations are the merchant's, made in their admin with write_orders (the app has no such grant).
  ({ graphql } = merchantAdmin(store, "write_orders"));
});

afterAll(async () => {
  await store?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe("refundCreate", () => {
  it("GIVEN a paid order WHEN part of it is refunded THEN the refund and the order show it and refunds/create + orders/updated arrive signed", async () => {
    const order = freshOrder();
    const before = order.updatedAt;
    const body = await refund({ orderId: gidOf(order), note: "Damaged", notify: false, transactions: [money(order, "12.50")] });
    const r = body.data!.refundCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.refund).toMatchObject({
      note: "Damaged",
      totalRefundedSet: { shopMoney: { amount: "12.5", currencyCode: order.currencyCode } },
      transactions: { nodes: [{ kind: "REFUND", status: "SUCCESS", gateway: "bogus", amountSet: { shopMoney: { amount: "12.5" } } }] },
    });
    expect(r.order).toMatchObject({ id: gidOf(order), displayFinancialStatus: "PARTIALLY_REFUNDED", totalRefundedSet: { shopMoney: { amount: "12.5" } } });

    const hooks = await hooksFor(order.id, 2);
    expect(hooks.map((h) => h.topic).sort()).toEqual(["orders/updated", "refunds/create"]);
    for (const h of hooks) expect(h.hmac).toBe(createHmac("sha256", API_SECRET).update(h.body, "utf8").digest("base64"));
    const refundHook = JSON.parse(hooks.find((h) => h.topic === "refunds/create")!.body);
    expect(refundHook).toMatchObject({
      id: Number(r.refund.id.split("/").pop()),
      order_id: Number(order.id),
      created_at: r.refund.createdAt,
      transactions: [{ amount: "12.50", kind: "refund", status: "success" }],
    });
    const orderHook = JSON.parse(hooks.find((h) => h.topic === "orders/updated")!.body);
    expect(orderHook).toMatchObject({ id: Number(order.id), financial_status: "partially_refunded", customer: { id: Number(order.customerId) } });
    expect(orderHook.refunds).toEqual([refundHook]);
    expect(Date.parse(orderHook.updated_at)).toBeGreaterThan(Date.parse(before));
  });

  it("GIVEN refunds that add up to the total WHEN the second one lands THEN the order is REFUNDED and its payload lists both", async () => {
    const order = freshOrder();
    const half = (Math.round(order.total * 50) / 100).toFixed(2);
    const rest = (Math.round(order.total * 100 - Math.round(order.total * 50)) / 100).toFixed(2);
    await refund({ orderId: gidOf(order), transactions: [money(order, half)] });
    const second = (await refund({ orderId: gidOf(order), transactions: [money(order, rest)] })).data!.refundCreate;
    expect(second.order.displayFinancialStatus).toBe("REFUNDED");
    const updates = (await hooksFor(order.id, 4)).filter((h) => h.topic === "orders/updated").map((h) => JSON.parse(h.body));
    const latest = updates.sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at))[0];
    expect(latest.refunds.map((x: any) => x.transactions[0].amount)).toEqual([half, rest]);
    expect(new Set(updates.map((u) => u.updated_at)).size).toBe(2);
  });

  it("GIVEN more than the order's refundable amount WHEN refunded THEN a userError, nothing changes and no webhook fires", async () => {
    const order = freshOrder();
    const r = (await refund({ orderId: gidOf(order), transactions: [money(order, (order.total + 0.01).toFixed(2))] })).data!.refundCreate;
    expect(r.refund).toBeNull();
    expect(r.userErrors).toEqual([{ field: ["transactions"], message: expect.stringMatching(/exceeds the refundable amount/) }]);
    expect([order.refunded, order.refunds.length, order.financialStatus]).toEqual([0, 0, "PAID"]);
    await settle();
    expect(await hooksFor(order.id, 1, 0)).toEqual([]);
  });

  it("GIVEN allowOverRefunding WHEN more than the total is refunded THEN Shopify's opt-in is honoured", async () => {
    const order = freshOrder();
    const amount = (order.total + 5).toFixed(2);
    const r = (await refund({ orderId: gidOf(order), allowOverRefunding: true, transactions: [money(order, amount)] })).data!.refundCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.order.displayFinancialStatus).toBe("REFUNDED");
  });

  it("GIVEN an unknown order WHEN refunded THEN a userError on orderId", async () => {
    const r = (await refund({ orderId: "gid://shopify/Order/1", transactions: [{ orderId: "gid://shopify/Order/1", amount: "5.00", kind: "REFUND", gateway: "bogus" }] })).data!.refundCreate;
    expect(r).toEqual({ refund: null, order: null, userErrors: [{ field: ["orderId"], message: "Order does not exist" }] });
  });

  it("GIVEN a transaction that is not a refund or belongs to another order WHEN refunded THEN userErrors name each field", async () => {
    const order = freshOrder();
    const r = (await refund({
      orderId: gidOf(order),
      transactions: [{ ...money(order, "1.00"), kind: "SALE" }, { ...money(order, "1.00"), orderId: "gid://shopify/Order/2" }, money(order, "0")],
    })).data!.refundCreate;
    expect(r.userErrors.map((e: { field: string[] }) => e.field)).toEqual([
      ["transactions", "0", "kind"],
      ["transactions", "1", "orderId"],
      ["transactions", "2", "amount"],
    ]);
    expect(order.refunds).toHaveLength(0);
  });

  it("GIVEN refund line items WHEN more units than bought are refunded THEN a userError; within the quantity they are recorded and move no money", async () => {
    const order = freshOrder();
    const li = order.lineItems[0];
    const line = (quantity: number) => ({ lineItemId: `gid://shopify/LineItem/${li.id}`, quantity, restockType: "RETURN" });
    const tooMany = (await refund({ orderId: gidOf(order), refundLineItems: [line(li.quantity + 1)] })).data!.refundCreate;
    expect(tooMany.userErrors).toEqual([{ field: ["refundLineItems", "0", "quantity"], message: expect.stringMatching(/more items than were purchased/) }]);
    const ok = (await refund({ orderId: gidOf(order), refundLineItems: [line(li.quantity)] })).data!.refundCreate;
    expect(ok.userErrors).toEqual([]);
    expect(ok.refund.refundLineItems.nodes).toEqual([{ quantity: li.quantity, restockType: "RETURN", lineItem: { id: `gid://shopify/LineItem/${li.id}` } }]);
    expect(ok.refund.transactions.nodes).toEqual([]);
    expect([order.refunded, ok.order.displayFinancialStatus]).toEqual([0, "PAID"]);
    const again = (await refund({ orderId: gidOf(order), refundLineItems: [line(1)] })).data!.refundCreate;
    expect(again.userErrors[0].message).toMatch(/\(0 left\)/);
  });

  it("GIVEN no @idempotent directive WHEN refundCreate is called THEN a top-level error and no refund (mandatory since 2026-04)", async () => {
    const order = freshOrder();
    const res = await graphql(REFUND_WITHOUT_KEY, { variables: { input: { orderId: gidOf(order), transactions: [money(order, "1.00")] } } });
    const body = (await res.json()) as { data: { refundCreate: unknown }; errors: { message: string }[] };
    expect(body.data.refundCreate).toBeNull();
    expect(body.errors[0].message).toMatch(/@idempotent directive is required/);
    expect(order.refunds).toHaveLength(0);
  });

  it("GIVEN a retry with the same idempotency key WHEN refundCreate runs again THEN the first refund is replayed, not repeated; other arguments are refused", async () => {
    const order = freshOrder();
    const input = { orderId: gidOf(order), transactions: [money(order, "3.00")] };
    const first = (await refund(input, "retry-key")).data!.refundCreate;
    const retry = (await refund(input, "retry-key")).data!.refundCreate;
    expect(retry.refund.id).toBe(first.refund.id);
    expect([order.refunds.length, order.refunded]).toEqual([1, 3]);
    const other = await refund({ ...input, transactions: [money(order, "4.00")] }, "retry-key");
    expect(other.errors?.[0].extensions?.code).toBe("IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
    await settle();
    expect((await hooksFor(order.id, 3, 300)).length).toBe(2);
  });
});

const CANCEL = `#graphql
  mutation DevCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput) {
    orderCancel(orderId: $orderId, reason: $reason, restock: true, refundMethod: $refundMethod, notifyCustomer: false, staffNote: "Out of stock") {
      job { id done }
      orderCancelUserErrors { code field message }
    }
  }`;

async function cancel(orderId: string, refundMethod: Record<string, unknown> | null = null) {
  const res = await graphql(CANCEL, { variables: { orderId, reason: "INVENTORY", refundMethod } });
  return ((await res.json()) as { data: { orderCancel: any } }).data.orderCancel;
}

describe("orderCancel", () => {
  it("GIVEN a paid order WHEN cancelled with a refund to the original payment method THEN it is refunded in full and orders/updated carries cancelled_at", async () => {
    const order = freshOrder();
    const r = await cancel(gidOf(order), { originalPaymentMethodsRefund: true });
    expect(r).toMatchObject({ job: { done: true }, orderCancelUserErrors: [] });
    expect([order.financialStatus, order.refunded, order.cancelReason]).toEqual(["REFUNDED", order.total, "INVENTORY"]);
    const hooks = await hooksFor(order.id, 2);
    expect(hooks.map((h) => h.topic).sort()).toEqual(["orders/updated", "refunds/create"]);
    const updated = JSON.parse(hooks.find((h) => h.topic === "orders/updated")!.body);
    expect(updated).toMatchObject({ cancelled_at: order.cancelledAt, cancel_reason: "inventory", financial_status: "refunded", updated_at: order.cancelledAt });
    expect(updated.refunds).toHaveLength(1);
  });

  it("GIVEN a paid order WHEN cancelled without a refund THEN only orders/updated fires and no money moves", async () => {
    const order = freshOrder();
    expect((await cancel(gidOf(order))).orderCancelUserErrors).toEqual([]);
    expect([order.financialStatus, order.refunded, order.refunds.length]).toEqual(["PAID", 0, 0]);
    await settle();
    const hooks = await hooksFor(order.id, 1);
    expect(hooks.map((h) => h.topic)).toEqual(["orders/updated"]);
    expect(JSON.parse(hooks[0].body).cancelled_at).toBe(order.cancelledAt);
  });

  it("GIVEN a cancelled or unknown order WHEN cancelled THEN INVALID / NOT_FOUND user errors and nothing fires again", async () => {
    const order = freshOrder();
    await cancel(gidOf(order));
    await settle();
    const again = await cancel(gidOf(order), { originalPaymentMethodsRefund: true });
    expect(again).toEqual({ job: null, orderCancelUserErrors: [{ code: "INVALID", field: ["orderId"], message: "Order has already been cancelled." }] });
    expect(order.refunded).toBe(0);
    expect((await cancel("gid://shopify/Order/1")).orderCancelUserErrors).toEqual([{ code: "NOT_FOUND", field: ["orderId"], message: "Order does not exist" }]);
    await settle();
    expect(await hooksFor(order.id, 2, 0)).toHaveLength(1);
  });
});
