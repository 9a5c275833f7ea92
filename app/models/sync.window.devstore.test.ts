// Integration: the history sync against the real dev store when Shopify limits it — no read_all_orders (orders stop
// at 60 days) and bulk queries not enabled for the app.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { startDevStore, type DevStore } from "../../devstore/server";
import { setBulkQueries } from "../../devstore/admin/bulk";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { bulkFinishPayloadSchema, onBulkOperationFinish, startHistorySync, type BulkFinishPayload, type SyncOptions } from "./sync.server";
import { closeSqliteWriters } from "../db/drivers";

const API_KEY = "sync-window-key";
const API_SECRET = "sync-window-secret";
const NOW = Date.parse("2026-07-01T12:00:00Z");
const DAY = 86_400_000;
let store: DevStore;
let receiver: Server;
const finishes: Record<string, unknown>[] = [];
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

/** An admin whose token was granted `scopes` (the grant is fixed at token exchange). */
async function adminWith(scopes: string[]) {
  const before = store.env.scopes;
  store.env.scopes = scopes;
  try {
    const { graphql } = await devStoreAdmin(store, API_KEY, API_SECRET);
    return { graphql: (query: string, o?: { variables?: Record<string, unknown> }) => graphql(query, o) };
  } finally {
    store.env.scopes = before;
  }
}
const WITHOUT_ALL_ORDERS = ["read_customers", "read_orders", "read_themes", "write_discounts"];

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
});

afterAll(async () => {
  closeSqliteWriters();
  await store?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe("history sync without read_all_orders", () => {
  it("GIVEN no read_all_orders WHEN the sync completes THEN the job records the 60-day window and a loyal customer with only older orders is not a prospect", async () => {
    const shop = store.shopDomain;
    const admin = await adminWith(WITHOUT_ALL_ORDERS);
    const job = await startHistorySync(shop, admin, quiet);
    expect(job.status).toBe("running");
    const done = await onBulkOperationFinish(shop, await nextFinish(job.bulkOperationId as string), admin, quiet);
    expect(done).toMatchObject({ status: "completed", historyLimited: true });
    // The window is 60 days back from the operation's start on the store's clock.
    expect(Math.abs(done!.historyFrom!.getTime() - (NOW - 60 * DAY))).toBeLessThan(60_000);

    // A customer with 3+ non-cancelled orders, all older than 60 days.
    const byCustomer = new Map<string, { n: number; last: number }>();
    for (const o of store.state.orders) {
      if (!o.customerId || o.cancelledAt || o.financialStatus === "VOIDED") continue;
      const e = byCustomer.get(o.customerId) ?? { n: 0, last: 0 };
      byCustomer.set(o.customerId, { n: e.n + 1, last: Math.max(e.last, Date.parse(o.createdAt)) });
    }
    const loyal = [...byCustomer].filter(([id, e]) => e.n >= 3 && e.last < NOW - 61 * DAY && store.state.orders.every((o) => o.customerId !== id || Date.parse(o.createdAt) < NOW - 61 * DAY));
    expect(loyal.length).toBeGreaterThan(0);
    for (const [id, e] of loyal) {
      const p = await prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId: id } } });
      expect(p?.segment).not.toBe("PROSPECTS");
      expect(p!.ordersCount).toBeGreaterThanOrEqual(e.n);
    }
  });
});

describe("history sync without bulk access", () => {
  it("GIVEN bulk queries not enabled for the app WHEN the sync starts THEN the job fails with the typed reason bulk_access", async () => {
    const shop = `${store.shopDomain}`;
    await prisma.syncJob.deleteMany({ where: { shop } });
    setBulkQueries(store.env, false);
    try {
      const admin = await adminWith([...WITHOUT_ALL_ORDERS, "read_all_orders"]);
      const job = await startHistorySync(shop, admin, quiet);
      expect(job).toMatchObject({ status: "failed", errorReason: "bulk_access" });
      expect(job.error).toMatch(/Access denied/);
    } finally {
      setBulkQueries(store.env, true);
    }
  });
});
