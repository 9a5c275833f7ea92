// Integration: the real dev store (Admin GraphQL over the pinned schema, bulk operations, signed webhooks)
// → history sync → profiles equal a direct computation from the seed; a FAILED bulk operation is restarted.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { orderWebhookPayload } from "../../devstore/webhooks";
import { bulkFinishPayloadSchema, onBulkOperationFinish, startHistorySync, type BulkFinishPayload, type SyncOptions } from "./sync.server";
import { closeSqliteWriters } from "../db/drivers";
import { applyOrderWebhook } from "./orders.server";
import { orderWebhookSchema } from "./attribution.server";

const API_KEY = "sync-test-key";
const API_SECRET = "sync-test-secret";
const NOW = Date.parse("2026-07-01T12:00:00Z");
let store: DevStore;
let receiver: Server;
let graphql: Awaited<ReturnType<typeof devStoreAdmin>>["graphql"];
const finishes: Record<string, unknown>[] = [];

const admin = { graphql: (query: string, o?: { variables?: Record<string, unknown> }) => graphql(query, o) };
const quiet: SyncOptions = { log: () => {} };

/** The dev store's bulk_operations/finish delivery for the operation, parsed as the webhook edge parses it. */
async function nextFinish(opId: string): Promise<BulkFinishPayload> {
  for (let i = 0; i < 400; i++) {
    const hit = finishes.find((f) => f.admin_graphql_api_id === opId);
    if (hit) return bulkFinishPayloadSchema.parse(hit);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no bulk_operations/finish for ${opId}`);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.headers["x-shopify-topic"] === "bulk_operations/finish") finishes.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as { port: number }).port;
  store = await startDevStore({ port: 0, appUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, apiSecret: API_SECRET, seed: 11, size: "demo", now: NOW, quiet: true });
  ({ graphql } = await devStoreAdmin(store, API_KEY, API_SECRET));
});

afterAll(async () => {
  closeSqliteWriters();
  await store?.stop();
  await new Promise((r) => receiver?.close(r));
});

/** The profile definition applied directly to the seed: non-cancelled, non-voided orders; refunds subtracted. */
function expectedFromSeed() {
  const out = new Map<string, { ordersCount: number; netSpend: number; lastOrderAt: number | null; rfm: string | null }>();
  for (const c of store.state.customers) out.set(c.id, { ordersCount: 0, netSpend: 0, lastOrderAt: null, rfm: c.rfmGroup });
  for (const o of store.state.orders) {
    if (!o.customerId) continue;
    const e = out.get(o.customerId)!;
    if (o.cancelledAt || o.financialStatus === "VOIDED") continue;
    e.ordersCount++;
    e.netSpend += o.total - Math.min(o.refunded, o.total);
    const at = Date.parse(o.createdAt);
    e.lastOrderAt = e.lastOrderAt === null ? at : Math.max(e.lastOrderAt, at);
  }
  return out;
}

describe("history sync against the dev store", () => {
  it("GIVEN an installed shop WHEN the bulk sync completes THEN every customer's profile matches the seed", async () => {
    const shop = store.shopDomain;
    const job = await startHistorySync(shop, admin, quiet);
    expect(job.status).toBe("running");
    const done = await onBulkOperationFinish(shop, await nextFinish(job.bulkOperationId as string), admin, quiet);
    expect(done).toMatchObject({ status: "completed", linesSkipped: 0 });

    const expected = expectedFromSeed();
    const profiles = await prisma.customerProfile.findMany({ where: { shop } });
    expect(profiles.length).toBe(expected.size);
    for (const p of profiles) {
      const e = expected.get(p.customerId)!;
      expect([p.ordersCount, p.netSpend, p.lastOrderAt?.getTime() ?? null, p.shopifyRfmGroup], `customer ${p.customerId}`).toEqual([
        e.ordersCount,
        Math.round(e.netSpend * 100) / 100,
        e.lastOrderAt,
        e.rfm,
      ]);
    }
    const orders = [...expected.values()].reduce((s, e) => s + e.ordersCount, 0);
    const net = [...expected.values()].reduce((s, e) => s + e.netSpend, 0);
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { shop } });
    expect(shopRow.shopAov).toBeCloseTo(net / orders, 1);
  });

  it("GIVEN a synced shop WHEN orders/create is re-delivered for a synced order and a new order arrives THEN only the new one counts", async () => {
    const shop = store.shopDomain;
    const c = store.state.customers.find((x) => store.state.orders.some((o) => o.customerId === x.id && !o.cancelledAt && o.financialStatus === "PAID"))!;
    const old = store.state.orders.find((o) => o.customerId === c.id && !o.cancelledAt && o.financialStatus === "PAID")!;
    const before = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: c.id } } });
    await applyOrderWebhook(shop, orderWebhookSchema.parse(orderWebhookPayload(old, c, "USD")));
    const same = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: c.id } } });
    expect([same.ordersCount, same.netSpend]).toEqual([before.ordersCount, before.netSpend]);
    const at = new Date().toISOString();
    const fresh = { ...old, id: String(Number(old.id) + 999), createdAt: at, updatedAt: at, refunds: [], refunded: 0 };
    await applyOrderWebhook(shop, orderWebhookSchema.parse(orderWebhookPayload(fresh, c, "USD")));
    const after = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: c.id } } });
    expect([after.ordersCount, after.netSpend]).toEqual([before.ordersCount + 1, Math.round((before.netSpend + old.total) * 100) / 100]);
  });

  it("GIVEN the bulk operation FAILS WHEN its finish webhook arrives THEN a new operation is started and its result completes the job", async () => {
    const shop = store.shopDomain;
    store.setFaults({ bulkFail: "INTERNAL_SERVER_ERROR" });
    const job = await startHistorySync(shop, admin, quiet);
    const failed = await nextFinish(job.bulkOperationId as string);
    // The fault hits the first operation only: the restart must not race the switch being turned off.
    store.setFaults({ bulkFail: null });
    const retried = await onBulkOperationFinish(shop, failed, admin, quiet);
    expect(retried).toMatchObject({ status: "running", attempts: 2 });
    expect(retried?.bulkOperationId).not.toBe(job.bulkOperationId);
    const done = await onBulkOperationFinish(shop, await nextFinish(retried?.bulkOperationId as string), admin, quiet);
    expect(done).toMatchObject({ status: "completed", attempts: 2 });
  });
});
