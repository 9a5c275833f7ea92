// orders/updated → customer profile: refunds and cancellations after the order reach netSpend, the RFM monetary
// score and the segment; repeated and older deliveries change nothing; attribution is never touched.
import type { ActionFunctionArgs } from "@remix-run/node";
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { forgetShopScales, recomputeSegments } from "../../app/models/profiles.server";
import { resetDatabase } from "../helpers/db";
import { forgetVisitorKeys } from "../../app/models/visitors.server";
import { issuedVisitorFor } from "../helpers/visitors";
import { installShop, TEST_SHOP, webhookRequest } from "../helpers/shopify";

async function call(action: (args: ActionFunctionArgs) => Promise<Response>, request: Request) {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface OrderOpts {
  createdAt: number;
  updatedAt?: number;
  refunds?: { id: number; at: number; amount: number }[];
  cancelledAt?: number | null;
  attributes?: { name: string; value: string }[];
}

/** The REST order as Shopify sends it for orders/create and orders/updated (the fields the app reads). */
function orderPayload(id: number, customerId: number, total: number, o: OrderOpts) {
  const refunded = (o.refunds ?? []).reduce((s, r) => s + r.amount, 0);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt ?? o.createdAt),
    cancelled_at: o.cancelledAt ? iso(o.cancelledAt) : null,
    financial_status: refunded >= total ? "refunded" : refunded > 0 ? "partially_refunded" : "paid",
    total_price: total.toFixed(2),
    total_discounts: "0.00",
    customer: { id: customerId },
    note_attributes: o.attributes ?? [],
    line_items: [],
    refunds: (o.refunds ?? []).map((r) => ({
      id: r.id,
      order_id: id,
      created_at: iso(r.at),
      transactions: [{ amount: r.amount.toFixed(2), kind: "refund", status: "success" }],
    })),
  };
}

const send = (topic: "orders/create" | "orders/updated", payload: unknown, opts: { webhookId?: string; hmac?: string } = {}) =>
  call(topic === "orders/create" ? ordersCreate : ordersUpdated, webhookRequest(topic, payload, opts));
const profileOf = (customerId: string) => prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop: TEST_SHOP, customerId } } });

let now = 0;
beforeEach(async () => {
  await resetDatabase();
  await prisma.orderRefund.deleteMany();
  forgetShopScales(TEST_SHOP);
  forgetVisitorKeys(TEST_SHOP);
  await installShop();
  now = Date.now();
});

/**
 * Ten customers through orders/create: customer k (1..10) placed k orders of 40·k each over the last weeks, so
 * customer 10 is the shop's best on every axis. The quintile scales are then rebuilt, as the daily job does.
 */
async function seedShop() {
  let id = 1000;
  for (let k = 1; k <= 10; k++) {
    for (let j = 0; j < k; j++) {
      const createdAt = now - (j * 3 + (10 - k)) * DAY - 3_600_000;
      expect((await send("orders/create", orderPayload(++id, k, 40 * k, { createdAt }))).status).toBe(200);
    }
  }
  await recomputeSegments(TEST_SHOP);
}

describe("orders/updated webhook → customer profile", () => {
  it("GIVEN a Champion WHEN orders/updated carries a refund of every order THEN netSpend falls to zero, the monetary score drops and the segment moves", async () => {
    await seedShop();
    const before = await profileOf("10");
    expect(before).toMatchObject({ segment: "CHAMPIONS", mScore: 5, netSpend: 4000 });
    const orders = await prisma.profileOrder.findMany({ where: { shop: TEST_SHOP, customerId: "10" } });
    let refundId = 500;
    for (const o of orders) {
      const payload = orderPayload(Number(o.orderId), 10, o.total, {
        createdAt: o.createdAt.getTime(),
        updatedAt: now,
        refunds: [{ id: ++refundId, at: now - 1000, amount: o.total }],
      });
      expect((await send("orders/updated", payload)).status).toBe(200);
    }
    const after = await profileOf("10");
    expect(after).toMatchObject({ ordersCount: 10, grossSpend: 4000, refunded: 4000, netSpend: 0, aov: 0, mScore: 1 });
    expect(after.segment).not.toBe("CHAMPIONS");
  });

  it("GIVEN a partial refund WHEN orders/updated arrives THEN only that amount comes off the customer's net spend", async () => {
    await seedShop();
    const payload = orderPayload(1001, 1, 40, { createdAt: now - 9 * DAY - 3_600_000, updatedAt: now, refunds: [{ id: 9, at: now, amount: 15 }] });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await profileOf("1")).toMatchObject({ ordersCount: 1, grossSpend: 40, refunded: 15, netSpend: 25, aov: 25 });
  });

  it("GIVEN an applied refund WHEN the same update is delivered again under a new webhook id THEN the profile is unchanged", async () => {
    await seedShop();
    const payload = orderPayload(1001, 1, 40, { createdAt: now - 9 * DAY - 3_600_000, updatedAt: now, refunds: [{ id: 9, at: now, amount: 15 }] });
    await send("orders/updated", payload);
    const once = await profileOf("1");
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect((await send("orders/updated", payload, { webhookId: "same-id" })).status).toBe(200);
    expect((await send("orders/updated", payload, { webhookId: "same-id" })).status).toBe(200);
    const again = await profileOf("1");
    expect([again.refunded, again.netSpend, again.ordersCount, again.segment]).toEqual([once.refunded, once.netSpend, once.ordersCount, once.segment]);
    expect(again.refunded).toBe(15);
  });

  it("GIVEN a second refund already folded WHEN an older update (first refund only) arrives late THEN it does not regress the profile", async () => {
    await seedShop();
    const createdAt = now - 9 * DAY - 3_600_000;
    const first = { id: 9, at: now - 60_000, amount: 10 };
    const second = { id: 10, at: now - 1000, amount: 20 };
    await send("orders/updated", orderPayload(1001, 1, 40, { createdAt, updatedAt: now, refunds: [first, second] }));
    expect((await send("orders/updated", orderPayload(1001, 1, 40, { createdAt, updatedAt: now - 60_000, refunds: [first] }))).status).toBe(200);
    expect(await profileOf("1")).toMatchObject({ refunded: 30, netSpend: 10 });
    const row = await prisma.profileOrder.findUniqueOrThrow({ where: { shop_orderId: { shop: TEST_SHOP, orderId: "1001" } } });
    expect([row.refunded, row.sourceUpdatedAt.getTime()]).toEqual([30, now]);
  });

  it("GIVEN a cancelled order WHEN orders/updated carries cancelled_at THEN the order leaves the customer's profile", async () => {
    await seedShop();
    const payload = orderPayload(1002, 2, 80, { createdAt: now - 8 * DAY - 3_600_000, updatedAt: now, cancelledAt: now });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await profileOf("2")).toMatchObject({ ordersCount: 1, grossSpend: 80, netSpend: 80 });
  });

  it("GIVEN a customer's only order WHEN orders/updated cancels it THEN no order is left: no order dates, a prospect again", async () => {
    await seedShop();
    const payload = orderPayload(1001, 1, 40, { createdAt: now - 9 * DAY - 3_600_000, updatedAt: now, cancelledAt: now });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await profileOf("1")).toMatchObject({ ordersCount: 0, grossSpend: 0, netSpend: 0, firstOrderAt: null, lastOrderAt: null, segment: "PROSPECTS" });
  });

  it("GIVEN an order the app never saw and no history sync WHEN orders/updated arrives with a refund THEN the order is folded net of the refund", async () => {
    const createdAt = now - 400 * DAY;
    const payload = orderPayload(77, 4242, 100, { createdAt, updatedAt: now, refunds: [{ id: 1, at: now - 1000, amount: 30 }] });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await profileOf("4242")).toMatchObject({ ordersCount: 1, grossSpend: 100, refunded: 30, netSpend: 70 });
  });

  it("GIVEN a completed history sync that counted an old order WHEN a later refund of it arrives by orders/updated THEN only the refund is applied", async () => {
    const createdAt = now - 400 * DAY;
    const syncStart = now - 2 * DAY;
    // The synced baseline: the order with the refund made before the sync, as the bulk fold stored it.
    await prisma.syncJob.create({ data: { shop: TEST_SHOP, status: "completed", startedAt: new Date(syncStart), finishedAt: new Date(syncStart + 60_000) } });
    await prisma.customerProfile.create({
      data: { shop: TEST_SHOP, customerId: "4242", ordersCount: 1, grossSpend: 100, refunded: 10, netSpend: 90, aov: 90, firstOrderAt: new Date(createdAt), lastOrderAt: new Date(createdAt) },
    });
    const early = { id: 1, at: createdAt + DAY, amount: 10 };
    const late = { id: 2, at: now - 1000, amount: 30 };
    const payload = orderPayload(77, 4242, 100, { createdAt, updatedAt: now, refunds: [early, late] });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await profileOf("4242")).toMatchObject({ ordersCount: 1, grossSpend: 100, refunded: 40, netSpend: 60 });
  });

  it("GIVEN a forged HMAC WHEN orders/updated arrives THEN 401 and nothing is stored", async () => {
    const payload = orderPayload(77, 4242, 100, { createdAt: now - DAY, updatedAt: now, refunds: [{ id: 1, at: now, amount: 30 }] });
    expect((await send("orders/updated", payload, { hmac: "Zm9yZ2Vk" })).status).toBe(401);
    expect(await prisma.webhookDelivery.count()).toBe(0);
    expect(await prisma.profileOrder.count()).toBe(0);
    expect(await prisma.customerProfile.count()).toBe(0);
  });

  it.each([
    ["no id", { created_at: iso(Date.now()), total_price: "10.00" }],
    ["a refund transaction without an amount", { id: 5, created_at: iso(Date.now()), total_price: "10.00", refunds: [{ transactions: [{ kind: "refund" }] }] }],
    ["an amount that is not a number", { id: 5, created_at: iso(Date.now()), total_price: "10.00", refunds: [{ transactions: [{ amount: "1e999" }] }] }],
    ["a total too large to add up", { id: 5, created_at: iso(Date.now()), total_price: "1e308" }],
    ["refunds that are not a list", { id: 5, created_at: iso(Date.now()), total_price: "10.00", refunds: "all of it" }],
  ])("GIVEN a signed orders/updated with %s WHEN delivered THEN 400 and nothing is stored", async (_name, payload) => {
    expect((await send("orders/updated", payload)).status).toBe(400);
    expect(await prisma.webhookDelivery.count()).toBe(0);
    expect(await prisma.profileOrder.count()).toBe(0);
  });

  it("GIVEN a signed orders/create with a total too large to add up WHEN delivered THEN 400 and nothing is stored (the same bound as orders/updated)", async () => {
    expect((await send("orders/create", { id: 6, created_at: iso(Date.now()), total_price: "1e308" })).status).toBe(400);
    expect(await prisma.webhookDelivery.count()).toBe(0);
    expect(await prisma.profileOrder.count()).toBe(0);
    expect(await prisma.orderAttribution.count()).toBe(0);
  });

  it("GIVEN an uninstalled shop WHEN orders/updated arrives THEN it is acknowledged without effect, like orders/create", async () => {
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date() } });
    const payload = orderPayload(77, 4242, 100, { createdAt: now - DAY, updatedAt: now, refunds: [{ id: 1, at: now, amount: 30 }] });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await prisma.profileOrder.count()).toBe(0);
    expect(await prisma.customerProfile.count()).toBe(0);
  });

  it("GIVEN an attributed order WHEN orders/updated carries its refund THEN attribution is untouched (refunds/create owns it)", async () => {
    const createdAt = now - DAY;
    // A visitor the app issued, shown the Confidence play before the order: the exposure is what the ingest gate
    // stored (server arm), and the cart carries only the _rp_vid pointer, as the embed writes it.
    const { id: visitorId, arms } = await issuedVisitorFor(TEST_SHOP);
    const arm = arms.confidence;
    const shownAt = new Date(createdAt - 60_000);
    await prisma.event.createMany({
      data: [
        { shop: TEST_SHOP, visitorId, type: "eligible", play: "confidence", arm, occurredAt: shownAt },
        ...(arm === "treatment" ? [{ shop: TEST_SHOP, visitorId, type: "shown", play: "confidence", arm, occurredAt: shownAt }] : []),
      ],
    });
    const attributes = [{ name: "_rp_vid", value: visitorId }];
    expect((await send("orders/create", orderPayload(88, 7, 120, { createdAt, attributes }))).status).toBe(200);
    const exposure = await prisma.playExposure.findFirstOrThrow({ where: { shop: TEST_SHOP } });
    expect(exposure).toMatchObject({ play: "confidence", visitorId, revenue: 120 });
    const payload = orderPayload(88, 7, 120, { createdAt, updatedAt: now, attributes, refunds: [{ id: 3, at: now, amount: 50 }] });
    expect((await send("orders/updated", payload)).status).toBe(200);
    expect(await profileOf("7")).toMatchObject({ refunded: 50, netSpend: 70 });
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop: TEST_SHOP, orderId: "88" } } })).refunded).toBe(0);
    expect((await prisma.playExposure.findFirstOrThrow({ where: { shop: TEST_SHOP } })).revenue).toBe(exposure.revenue);
    expect(await prisma.orderAttribution.count()).toBe(1);
  });
});
