import type { ActionFunctionArgs } from "@remix-run/node";
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../helpers/db";
import prisma from "../../app/db.server";
import { action as uninstalled } from "../../app/routes/webhooks.app.uninstalled";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { action as dataRequest } from "../../app/routes/webhooks.customers.data_request";
import { action as scopesUpdate } from "../../app/routes/webhooks.app.scopes_update";
import { installShop, TEST_SHOP, webhookRequest } from "../helpers/shopify";

async function call(action: (args: ActionFunctionArgs) => Promise<Response>, request: Request) {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function seedCustomerData(shop: string, customerId: string) {
  await prisma.customerProfile.create({ data: { shop, customerId, ordersCount: 2, netSpend: 80, aov: 40 } });
  await prisma.profileOrder.create({
    data: { shop, orderId: `10${customerId}`, customerId, createdAt: new Date(), total: 40, sourceUpdatedAt: new Date() },
  });
  await prisma.event.create({
    data: { shop, visitorId: `v-${customerId}`, customerId, type: "shown", play: "confidence", arm: "treatment", occurredAt: new Date() },
  });
  await prisma.playExposure.create({
    data: { shop, play: "confidence", visitorId: `v-${customerId}`, arm: "treatment", customerId, firstEligibleAt: new Date() },
  });
}

async function countShopRows(shop: string) {
  const where = { where: { shop } };
  const counts = await Promise.all([
    prisma.customerProfile.count(where), prisma.profileOrder.count(where), prisma.event.count(where),
    prisma.playExposure.count(where), prisma.session.count(where), prisma.shop.count(where),
    prisma.playConfig.count(where), prisma.dataRequest.count(where),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

describe("webhooks", () => {
  beforeEach(resetDatabase);

  it("GIVEN a bad HMAC WHEN app/uninstalled arrives THEN 401 and nothing is written", async () => {
    await installShop();
    const res = await call(uninstalled, webhookRequest("app/uninstalled", { id: 1 }, { hmac: "Zm9yZ2Vk" }));
    expect(res.status).toBe(401);
    expect(await prisma.webhookDelivery.count()).toBe(0);
    expect((await prisma.shop.findUnique({ where: { shop: TEST_SHOP } }))?.uninstalledAt).toBeNull();
  });

  it("GIVEN a body signed with another secret WHEN delivered THEN 401", async () => {
    const res = await call(uninstalled, webhookRequest("app/uninstalled", { id: 1 }, { secret: "not-the-secret" }));
    expect(res.status).toBe(401);
  });

  it("GIVEN a valid app/uninstalled WHEN delivered THEN 200, the shop is marked uninstalled and sessions dropped", async () => {
    await installShop();
    const res = await call(uninstalled, webhookRequest("app/uninstalled", { id: 1 }));
    expect(res.status).toBe(200);
    expect((await prisma.shop.findUnique({ where: { shop: TEST_SHOP } }))?.uninstalledAt).toBeInstanceOf(Date);
    expect(await prisma.session.count({ where: { shop: TEST_SHOP } })).toBe(0);
  });

  it("GIVEN the same webhook id delivered twice WHEN data_request arrives THEN only one report is stored", async () => {
    await installShop();
    await seedCustomerData(TEST_SHOP, "42");
    const payload = { shop_domain: TEST_SHOP, customer: { id: 42 }, orders_requested: [] };
    const first = await call(dataRequest, webhookRequest("customers/data_request", payload, { webhookId: "dup-1" }));
    const again = await call(dataRequest, webhookRequest("customers/data_request", payload, { webhookId: "dup-1" }));
    expect([first.status, again.status]).toEqual([200, 200]);
    const reports = await prisma.dataRequest.findMany({ where: { shop: TEST_SHOP } });
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0].report).profile.customerId).toBe("42");
  });

  it("GIVEN two customers' data WHEN customers/redact arrives for one THEN only that customer's rows are erased", async () => {
    await installShop();
    await seedCustomerData(TEST_SHOP, "1");
    await seedCustomerData(TEST_SHOP, "2");
    const res = await call(
      customersRedact,
      webhookRequest("customers/redact", { shop_domain: TEST_SHOP, customer: { id: 1 }, orders_to_redact: [101] }),
    );
    expect(res.status).toBe(200);
    expect(await prisma.customerProfile.count({ where: { customerId: "1" } })).toBe(0);
    expect(await prisma.event.count({ where: { customerId: "1" } })).toBe(0);
    expect(await prisma.playExposure.count({ where: { visitorId: "v-1" } })).toBe(0);
    expect(await prisma.profileOrder.count({ where: { orderId: "101" } })).toBe(0);
    expect(await prisma.customerProfile.count({ where: { customerId: "2" } })).toBe(1);
    expect(await prisma.event.count({ where: { customerId: "2" } })).toBe(1);
  });

  it("GIVEN two shops' data WHEN shop/redact arrives for one THEN every row of that shop is gone and the other is intact", async () => {
    const other = "other-shop.myshopify.com";
    await installShop();
    await installShop(other);
    await seedCustomerData(TEST_SHOP, "1");
    await seedCustomerData(other, "1");
    const before = await countShopRows(other);
    expect(await countShopRows(TEST_SHOP)).toBeGreaterThan(0);
    const res = await call(shopRedact, webhookRequest("shop/redact", { shop_domain: TEST_SHOP, shop_id: 1 }));
    expect(res.status).toBe(200);
    expect(await countShopRows(TEST_SHOP)).toBe(0);
    expect(await countShopRows(other)).toBe(before);
  });

  it("GIVEN granted scopes change WHEN app/scopes_update arrives THEN stored sessions carry the new scope", async () => {
    await installShop();
    const res = await call(scopesUpdate, webhookRequest("app/scopes_update", { current: ["read_orders"], previous: [] }));
    expect(res.status).toBe(200);
    const session = await prisma.session.findFirst({ where: { shop: TEST_SHOP } });
    expect(session?.scope).toBe("read_orders");
  });
});
