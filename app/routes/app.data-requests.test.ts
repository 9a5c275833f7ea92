// customers/data_request reached the merchant: the report Shopify's webhook asked for is listed in the admin with
// its 30-day deadline, downloaded as JSON (then marked delivered), and no shop can download another shop's report.
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, installShop, TEST_SHOP, webhookRequest } from "../../tests/helpers/shopify";
import { action as dataRequestWebhook } from "./webhooks.customers.data_request";
import { loader as listLoader } from "./app.data-requests";
import { loader as downloadLoader } from "./app.data-requests.$id";

const OTHER_SHOP = "other-shop.myshopify.com";
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });
type Listed = { id: string; customerId: string; receivedAt: string; dueAt: string; deliveredAt: string | null; overdue: boolean };
const list = async (shop = TEST_SHOP) => ((await (await listLoader(args(await adminRequest("/app/data-requests", { shop })))).json()) as { requests: Listed[]; days: number });

beforeEach(async () => {
  await resetDatabase();
  await installShop();
  await installShop(OTHER_SHOP);
  await prisma.customerProfile.create({ data: { shop: TEST_SHOP, customerId: "77", ordersCount: 3, netSpend: 240, aov: 80, segment: "LOYAL", lastOrderAt: new Date() } });
});

describe("customer data requests in the admin", () => {
  it("GIVEN Shopify's signed customers/data_request WHEN the merchant opens Data requests THEN the report is pending, due 30 days after it arrived", async () => {
    const res = await dataRequestWebhook(args(webhookRequest("customers/data_request", { shop_domain: TEST_SHOP, customer: { id: 77 }, orders_requested: [], data_request: { id: 9999 } })));
    expect(res.status).toBe(200);
    const { requests, days } = await list();
    expect(days).toBe(30);
    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r).toMatchObject({ customerId: "77", deliveredAt: null, overdue: false });
    expect(Date.parse(r.dueAt) - Date.parse(r.receivedAt)).toBe(30 * 24 * 60 * 60 * 1000);
  });

  it("GIVEN a pending report WHEN the merchant downloads it THEN it is the JSON report of that customer, and it is then listed as delivered", async () => {
    await dataRequestWebhook(args(webhookRequest("customers/data_request", { shop_domain: TEST_SHOP, customer: { id: 77 } })));
    const [{ id }] = (await list()).requests;
    const res = await downloadLoader(args(await adminRequest(`/app/data-requests/${id}`), { id }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="recovery-plays-customer-77.json"');
    const report = (await res.json()) as { customerId: string; profile: { segment: string } };
    expect(report.customerId).toBe("77");
    expect(report.profile.segment).toBe("LOYAL");
    const [after] = (await list()).requests;
    expect(after.deliveredAt).not.toBeNull();
  });

  it("GIVEN a report received 31 days ago and never downloaded WHEN listed THEN it is overdue and listed first", async () => {
    await dataRequestWebhook(args(webhookRequest("customers/data_request", { shop_domain: TEST_SHOP, customer: { id: 77 } })));
    await dataRequestWebhook(args(webhookRequest("customers/data_request", { shop_domain: TEST_SHOP, customer: { id: 78 } })));
    const old = await prisma.dataRequest.findFirstOrThrow({ where: { customerId: "78" } });
    await prisma.dataRequest.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 31 * 24 * 60 * 60 * 1000) } });
    const { requests } = await list();
    expect(requests.map((r) => [r.customerId, r.overdue])).toEqual([["78", true], ["77", false]]);
  });

  it("GIVEN another shop's report id WHEN this shop asks for it THEN 404, and the other shop's report stays pending", async () => {
    await dataRequestWebhook(args(webhookRequest("customers/data_request", { shop_domain: OTHER_SHOP, customer: { id: 5 } }, { shop: OTHER_SHOP })));
    const [{ id }] = (await list(OTHER_SHOP)).requests;
    const res = await downloadLoader(args(await adminRequest(`/app/data-requests/${id}`), { id }));
    expect(res.status).toBe(404);
    expect((await list()).requests).toEqual([]);
    expect((await list(OTHER_SHOP)).requests[0].deliveredAt).toBeNull();
  });
});
