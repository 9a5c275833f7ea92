// The webhook inbox through the real routes: deliveries signed as Shopify signs them (its own test helpers), stored
// before the 200, retried from the inbox after a failure, processed once however often they arrive.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { installShop, TEST_SHOP, webhookRequest } from "../../tests/helpers/shopify";
import { action as shopRedact } from "../routes/webhooks.shop.redact";
import { action as customersRedact } from "../routes/webhooks.customers.redact";
import * as compliance from "./compliance.server";
import { retryDelayMs, shopsWithDueWebhooks } from "./webhooks.server";
import { processDueWebhooks } from "./webhookTopics.server";

const OTHER = "other-shop.myshopify.com";
const MINUTE = 60_000;

async function call(action: (args: ActionFunctionArgs) => Promise<Response>, request: Request) {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function seedCustomer(shop: string, customerId: string) {
  await prisma.customerProfile.create({ data: { shop, customerId, ordersCount: 1, netSpend: 40, aov: 40 } });
  await prisma.event.create({ data: { shop, visitorId: `v-${customerId}`, customerId, type: "page_view", occurredAt: new Date() } });
}

const redactPayload = (customerId: number) => ({ shop_domain: TEST_SHOP, customer: { id: customerId }, orders_to_redact: [] });
const profiles = (shop: string) => prisma.customerProfile.count({ where: { shop } });

beforeEach(async () => {
  await resetDatabase();
  await installShop();
  await installShop(OTHER);
});
afterEach(() => vi.restoreAllMocks());

describe("webhooks: the shop comes from the signed body", () => {
  it("GIVEN a signed shop/redact for one shop WHEN the unsigned header names another THEN 400 and nothing of the header's shop is erased", async () => {
    await seedCustomer(TEST_SHOP, "1");
    await seedCustomer(OTHER, "2");
    // The attacker holds a body Shopify signed for their own shop and puts the victim in the header.
    const res = await call(shopRedact, webhookRequest("shop/redact", { shop_domain: OTHER, shop_id: 2 }, { shop: TEST_SHOP }));
    expect(res.status).toBe(400);
    expect(await profiles(TEST_SHOP)).toBe(1);
    expect(await prisma.shop.count({ where: { shop: TEST_SHOP } })).toBe(1);
    expect(await profiles(OTHER)).toBe(1);
    expect(await prisma.webhookDelivery.count()).toBe(0);
  });

  it("GIVEN a customers/redact whose body names another shop than the header WHEN delivered THEN 400 and no customer is erased", async () => {
    await seedCustomer(TEST_SHOP, "1");
    const res = await call(customersRedact, webhookRequest("customers/redact", { ...redactPayload(1), shop_domain: OTHER }));
    expect(res.status).toBe(400);
    expect(await profiles(TEST_SHOP)).toBe(1);
  });

  it("GIVEN a shop/redact without the shop in its body WHEN delivered THEN 400 (the header alone is not trusted)", async () => {
    await seedCustomer(TEST_SHOP, "1");
    const res = await call(shopRedact, webhookRequest("shop/redact", { shop_id: 1 }));
    expect(res.status).toBe(400);
    expect(await profiles(TEST_SHOP)).toBe(1);
  });
});

describe("webhooks: inbox, retries, duplicates", () => {
  it("GIVEN a handler that fails twice WHEN the delivery arrives THEN 200 once stored, and the inbox retries it until it succeeds", async () => {
    await seedCustomer(TEST_SHOP, "1");
    const spy = vi.spyOn(compliance, "redactCustomer").mockRejectedValueOnce(new Error("database blip")).mockRejectedValueOnce(new Error("database blip"));
    const received = Date.now();
    const res = await call(customersRedact, webhookRequest("customers/redact", redactPayload(1), { webhookId: "retry-1" }));
    expect(res.status).toBe(200);
    let row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: "retry-1" } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "database blip" });
    expect(row.payload).toContain('"shop_domain"');
    expect(await profiles(TEST_SHOP)).toBe(1);

    // Not due yet: nothing runs.
    expect(await processDueWebhooks(TEST_SHOP, new Date(received + 10_000))).toEqual({ done: 0, pending: 0, failed: 0 });
    expect(await shopsWithDueWebhooks(new Date(received + retryDelayMs(1) + 1000))).toEqual([TEST_SHOP]);
    expect(await processDueWebhooks(TEST_SHOP, new Date(received + retryDelayMs(1) + 1000))).toEqual({ done: 0, pending: 1, failed: 0 });
    expect(await processDueWebhooks(TEST_SHOP, new Date(received + 60 * MINUTE))).toEqual({ done: 1, pending: 0, failed: 0 });

    row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: "retry-1" } });
    expect(row).toMatchObject({ status: "done", attempts: 3, payload: null, lastError: null });
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await profiles(TEST_SHOP)).toBe(0);
  });

  it("GIVEN a slow handler that fails after Shopify's redelivery got its 200 WHEN the inbox runs THEN the delivery is retried, not lost", async () => {
    await seedCustomer(TEST_SHOP, "1");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.spyOn(compliance, "redactCustomer").mockImplementationOnce(async () => {
      await gate;
      throw new Error("timed out talking to the database");
    });
    const first = call(customersRedact, webhookRequest("customers/redact", redactPayload(1), { webhookId: "slow-1" }));
    await vi.waitFor(async () => expect(await prisma.webhookDelivery.count({ where: { id: "slow-1" } })).toBe(1));
    // Shopify gave up waiting and redelivers: the copy is acknowledged and not run a second time.
    const again = await call(customersRedact, webhookRequest("customers/redact", redactPayload(1), { webhookId: "slow-1" }));
    expect(again.status).toBe(200);
    release();
    expect((await first).status).toBe(200);
    expect(await profiles(TEST_SHOP)).toBe(1);
    expect((await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: "slow-1" } })).status).toBe("pending");

    await processDueWebhooks(TEST_SHOP, new Date(Date.now() + 60 * MINUTE));
    expect(await profiles(TEST_SHOP)).toBe(0);
    expect((await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: "slow-1" } })).status).toBe("done");
  });

  it("GIVEN the same delivery three times WHEN it arrives THEN the handler runs once and a later retry pass finds nothing to do", async () => {
    await seedCustomer(TEST_SHOP, "1");
    const spy = vi.spyOn(compliance, "redactCustomer");
    for (let i = 0; i < 3; i++) {
      expect((await call(customersRedact, webhookRequest("customers/redact", redactPayload(1), { webhookId: "dup-9" }))).status).toBe(200);
    }
    expect(await processDueWebhooks(TEST_SHOP, new Date(Date.now() + 24 * 60 * MINUTE))).toEqual({ done: 0, pending: 0, failed: 0 });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await prisma.webhookDelivery.count()).toBe(1);
  });
});
