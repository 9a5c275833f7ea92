// Integration: a dev store order placed through the storefront checkout (orders/create → profile + attribution),
// then refunded by the merchant through Admin refundCreate. The dev store fires refunds/create and orders/updated,
// signed, to the app's own route actions: the customer's profile shows the refund and the attributed revenue drops
// exactly once (the two webhooks must not count the same money twice).
import type { ActionFunctionArgs } from "@remix-run/node";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { action as refundsCreate } from "../../app/routes/webhooks.refunds.create";
import { startDevStore, type DevStore } from "../../devstore/server";
import { Shopper } from "../../devstore/storefront/testing";
import { merchantAdmin } from "../helpers/devstore";
import { resetDatabase } from "../helpers/db";
import { issuedVisitorFor } from "../helpers/visitors";
import { API_KEY, API_SECRET_KEY, APP_URL, installShop } from "../helpers/shopify";

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const ROUTES: Record<string, Action> = {
  "/webhooks/orders/create": ordersCreate,
  "/webhooks/orders/updated": ordersUpdated,
  "/webhooks/refunds/create": refundsCreate,
};

let store: DevStore;
let app: Server;
let graphql: ReturnType<typeof merchantAdmin>["graphql"];
const handled: { path: string; status: number }[] = [];

/** The app's side of the wire: Shopify's POST handed to the route module, as Remix would. */
async function toRoute(req: IncomingMessage): Promise<{ path: string; status: number }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const path = new URL(req.url ?? "/", APP_URL).pathname;
  const action = ROUTES[path];
  if (!action) return { path, status: 404 };
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const request = new Request(`${APP_URL}${path}`, { method: "POST", headers, body: Buffer.concat(chunks) });
  try {
    return { path, status: (await action({ request, params: {}, context: {} })).status };
  } catch (thrown) {
    if (thrown instanceof Response) return { path, status: thrown.status };
    throw thrown;
  }
}

const REFUND = `#graphql
  mutation MerchantRefund($input: RefundInput!, $key: String!) {
    refundCreate(input: $input) @idempotent(key: $key) {
      refund { id }
      userErrors { field message }
    }
  }`;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  await resetDatabase();
  app = createServer((req, res) => {
    toRoute(req).then(
      (r) => {
        handled.push(r);
        res.writeHead(r.status).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  const port = (app.address() as { port: number }).port;
  store = await startDevStore({ port: 0, appUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, apiSecret: API_SECRET_KEY, seed: 3, size: "test", quiet: true, webhookRetries: 0 });
  // Refunds and cancellations are the merchant's, made in their admin with write_orders (the app has no such grant).
  ({ graphql } = merchantAdmin(store, "write_orders"));
  await installShop(store.shopDomain);
});

afterAll(async () => {
  await store?.stop();
  await new Promise((r) => app?.close(r));
});

/**
 * A logged-in customer's paid storefront checkout by a visitor the app issued (signed id) and showed the
 * Confidence play to: the exposure is server-recorded (events as the ingest gate stores them, with the server's
 * arm), and the cart carries only the `_rp_vid` pointer, as the embed writes it.
 */
async function storefrontOrder(customerIndex: number) {
  const shop = store.shopDomain;
  const visitor = await issuedVisitorFor(shop);
  const visitorId = visitor.id;
  const arm = visitor.arms.confidence;
  const shownAt = new Date(Date.now() - 60_000);
  await prisma.event.createMany({
    data: [
      { shop, visitorId, type: "eligible", play: "confidence", arm, occurredAt: shownAt },
      ...(arm === "treatment" ? [{ shop, visitorId, type: "shown", play: "confidence", arm, occurredAt: shownAt }] : []),
    ],
  });
  const customer = store.state.customers[customerIndex];
  const variant = store.state.products[0].variants[0];
  const shopper = new Shopper(store.url);
  await shopper.postForm("/account/login", { "customer[email]": customer.email, "customer[password]": customer.password });
  await shopper.postJson("/cart/add.js", { id: Number(variant.id), quantity: 2 });
  await shopper.postJson("/cart/update.js", { attributes: { _rp_vid: visitorId } });
  expect((await shopper.get("/checkout")).status).toBe(200);
  expect((await shopper.postForm("/checkout", {})).status).toBe(303);
  const order = store.state.orders[store.state.orders.length - 1];
  expect(order.customerId).toBe(customer.id);
  return { customer, order, visitorId };
}

describe("merchant refund on the dev store → app", () => {
  it("GIVEN an attributed storefront order WHEN the merchant refunds part and then the rest THEN the profile shows each refund and attributed revenue drops exactly once per refund", async () => {
    const shop = store.shopDomain;
    const { customer, order, visitorId } = await storefrontOrder(0);

    const attributed = await until("orders/create", () => prisma.orderAttribution.findUnique({ where: { shop_orderId: { shop, orderId: order.id } } }));
    expect(attributed).toMatchObject({ visitorId, total: order.total, refunded: 0 });
    const profileKey = { shop_customerId: { shop, customerId: customer.id } };
    expect(await prisma.customerProfile.findUniqueOrThrow({ where: profileKey })).toMatchObject({ ordersCount: 1, grossSpend: order.total, refunded: 0, netSpend: order.total });
    const exposure = { shop_play_visitorId: { shop, play: "confidence", visitorId } };
    expect((await prisma.playExposure.findUniqueOrThrow({ where: exposure })).revenue).toBe(order.total);
    const statRevenue = async () => (await prisma.dailyPlayStat.aggregate({ where: { shop, play: "confidence" }, _sum: { revenue: true } }))._sum.revenue;
    expect(await statRevenue()).toBe(order.total);

    // The merchant refunds 10.00 through the Admin API.
    const transaction = (amount: string) => ({ orderId: `gid://shopify/Order/${order.id}`, amount, kind: "REFUND", gateway: "bogus" });
    const first = (await (await graphql(REFUND, { variables: { key: "refund-1", input: { orderId: `gid://shopify/Order/${order.id}`, notify: true, transactions: [transaction("10.00")] } } })).json()) as any;
    expect(first.data.refundCreate.userErrors).toEqual([]);
    await until("both webhooks of the first refund", async () => handled.filter((h) => h.path !== "/webhooks/orders/create").length >= 2);
    const net = Math.round((order.total - 10) * 100) / 100;
    expect(await prisma.customerProfile.findUniqueOrThrow({ where: profileKey })).toMatchObject({ ordersCount: 1, grossSpend: order.total, refunded: 10, netSpend: net });
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: order.id } } })).refunded).toBe(10);
    expect((await prisma.playExposure.findUniqueOrThrow({ where: exposure })).revenue).toBe(net);
    expect(await statRevenue()).toBe(net);

    // Then the rest: the customer has returned everything.
    const rest = (Math.round(order.total * 100) - 1000) / 100;
    const second = (await (await graphql(REFUND, { variables: { key: "refund-2", input: { orderId: `gid://shopify/Order/${order.id}`, transactions: [transaction(rest.toFixed(2))] } } })).json()) as any;
    expect(second.data.refundCreate.userErrors).toEqual([]);
    await until("both webhooks of the second refund", async () => handled.filter((h) => h.path !== "/webhooks/orders/create").length >= 4);
    expect(await prisma.customerProfile.findUniqueOrThrow({ where: profileKey })).toMatchObject({ ordersCount: 1, grossSpend: order.total, refunded: order.total, netSpend: 0, aov: 0 });
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: order.id } } })).refunded).toBe(order.total);
    expect((await prisma.playExposure.findUniqueOrThrow({ where: exposure })).revenue).toBe(0);
    expect(await statRevenue()).toBe(0);

    expect(handled.map((h) => `${h.path} ${h.status}`).sort()).toEqual([
      "/webhooks/orders/create 200",
      "/webhooks/orders/updated 200",
      "/webhooks/orders/updated 200",
      "/webhooks/refunds/create 200",
      "/webhooks/refunds/create 200",
    ]);
    expect(await prisma.orderRefund.count({ where: { shop, orderId: order.id } })).toBe(2);
    expect(await prisma.profileOrder.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: order.id } } })).toMatchObject({ refunded: order.total, cancelled: false });
  });

  it("GIVEN an attributed storefront order WHEN the merchant cancels it with a refund THEN it leaves the customer's profile and its attributed revenue is refunded once", async () => {
    const shop = store.shopDomain;
    const creates = () => handled.filter((h) => h.path === "/webhooks/orders/create").length;
    const createsBefore = creates();
    const { customer, order, visitorId } = await storefrontOrder(1);
    await until("orders/create", () => prisma.orderAttribution.findUnique({ where: { shop_orderId: { shop, orderId: order.id } } }));
    // The inbox processes a delivery before it answers; wait for the answer too, so it is not counted below.
    await until("orders/create answered", async () => creates() > createsBefore);
    const profileKey = { shop_customerId: { shop, customerId: customer.id } };
    expect(await prisma.customerProfile.findUniqueOrThrow({ where: profileKey })).toMatchObject({ ordersCount: 1, netSpend: order.total });
    const from = handled.length;

    const CANCEL = `#graphql
      mutation MerchantCancel($orderId: ID!) {
        orderCancel(orderId: $orderId, reason: CUSTOMER, restock: true, refundMethod: { originalPaymentMethodsRefund: true }) {
          orderCancelUserErrors { code field message }
        }
      }`;
    const res = (await (await graphql(CANCEL, { variables: { orderId: `gid://shopify/Order/${order.id}` } })).json()) as any;
    expect(res.data.orderCancel.orderCancelUserErrors).toEqual([]);
    await until("refunds/create and orders/updated", async () => handled.length - from >= 2);

    expect(await prisma.customerProfile.findUniqueOrThrow({ where: profileKey })).toMatchObject({ ordersCount: 0, grossSpend: 0, refunded: 0, netSpend: 0, lastOrderAt: null });
    expect(await prisma.profileOrder.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: order.id } } })).toMatchObject({ cancelled: true, refunded: order.total });
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: order.id } } })).refunded).toBe(order.total);
    const exposure = { shop_play_visitorId: { shop, play: "confidence", visitorId } };
    expect((await prisma.playExposure.findUniqueOrThrow({ where: exposure })).revenue).toBe(0);
    expect(handled.slice(from).map((h) => `${h.path} ${h.status}`).sort()).toEqual(["/webhooks/orders/updated 200", "/webhooks/refunds/create 200"]);
  });
});
