import { describe, expect, it } from "vitest";
import { parse, validate } from "graphql";
import prisma from "../db.server";
import { adminSchema } from "../graphql/schema.server";
import {
  BULK_OPERATION,
  HISTORY_BULK_QUERY,
  onBulkOperationFinish,
  pollStaleSyncs,
  RUN_HISTORY_BULK,
  startHistorySync,
  syncStatus,
  type SyncOptions,
} from "./sync.server";

let seq = 0;
const newShop = () => `sync-${++seq}-${Math.random().toString(36).slice(2, 7)}.myshopify.com`;

const customerLine = (id: number, rfm = "LOYAL") => JSON.stringify({ id: `gid://shopify/Customer/${id}`, statistics: { rfmGroup: rfm } });
const orderLine = (id: number, cid: number, total: number, at = "2026-04-01T00:00:00Z", refunded = 0) =>
  JSON.stringify({
    id: `gid://shopify/Order/${id}`,
    createdAt: at,
    updatedAt: at,
    cancelledAt: null,
    displayFinancialStatus: "PAID",
    totalPriceSet: { shopMoney: { amount: String(total) } },
    totalRefundedSet: { shopMoney: { amount: String(refunded) } },
    __parentId: `gid://shopify/Customer/${cid}`,
  });

/** A fake Admin API: bulk operations whose fate the test decides, and a file server via injected fetch. */
function fakeShopify(fates: ("COMPLETED" | "FAILED" | "EXPIRED" | "RUNNING")[], jsonl: string) {
  const ops: { id: string; status: string }[] = [];
  const calls: string[] = [];
  const graphql = async (query: string, o?: { variables?: Record<string, unknown> }) => {
    if (query.includes("bulkOperationRunQuery")) {
      calls.push("run");
      expect(o?.variables?.query).toBe(HISTORY_BULK_QUERY);
      const id = `gid://shopify/BulkOperation/${ops.length + 1}`;
      ops.push({ id, status: fates[ops.length] ?? "COMPLETED" });
      return Response.json({ data: { bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED", createdAt: new Date().toISOString() }, userErrors: [] } } });
    }
    calls.push("node");
    const op = ops.find((x) => x.id === o?.variables?.id);
    if (!op) return Response.json({ data: { node: null } });
    const completed = op.status === "COMPLETED";
    return Response.json({
      data: {
        node: {
          id: op.id,
          status: op.status,
          errorCode: op.status === "FAILED" ? "INTERNAL_SERVER_ERROR" : null,
          createdAt: new Date().toISOString(),
          completedAt: null,
          objectCount: "10",
          url: completed ? "http://files.invalid/result.jsonl" : null,
          partialDataUrl: null,
        },
      },
    });
  };
  const fetchFile = (async () =>
    new Response(
      new ReadableStream({
        start(c) {
          const bytes = new TextEncoder().encode(jsonl);
          // Odd chunk sizes: lines are split across chunks.
          for (let i = 0; i < bytes.length; i += 37) c.enqueue(bytes.subarray(i, i + 37));
          c.close();
        },
      }),
    )) as unknown as typeof fetch;
  return { admin: { graphql }, ops, calls, fetchFile };
}

const quiet: SyncOptions = { log: () => {}, client: { sleep: async () => {} } };

const FILE = [
  customerLine(1, "CHAMPIONS"),
  orderLine(11, 1, 100),
  orderLine(12, 1, 50, "2026-04-02T00:00:00Z", 10),
  "{ this is not json",
  customerLine(2, "NEW"),
  orderLine(21, 2, 30),
  orderLine(22, 2, 30).slice(0, 60),
].join("\n");

describe("startHistorySync", () => {
  it("GIVEN a shop WHEN a sync starts THEN one bulk operation runs and the job is running with its id", async () => {
    const shop = newShop();
    const s = fakeShopify(["COMPLETED"], FILE);
    const job = await startHistorySync(shop, s.admin, quiet);
    expect(job).toMatchObject({ status: "running", bulkOperationId: "gid://shopify/BulkOperation/1", attempts: 1 });
  });

  it("GIVEN a sync already running WHEN started again THEN no second operation is created", async () => {
    const shop = newShop();
    const s = fakeShopify(["COMPLETED"], FILE);
    const a = await startHistorySync(shop, s.admin, quiet);
    const b = await startHistorySync(shop, s.admin, quiet);
    expect(b.id).toBe(a.id);
    expect(s.calls.filter((c) => c === "run")).toHaveLength(1);
  });

  it("GIVEN the Admin API keeps failing WHEN a sync starts THEN the job is reported failed with the error", async () => {
    const shop = newShop();
    const admin = { graphql: async () => new Response("down", { status: 503 }) };
    const job = await startHistorySync(shop, admin, { ...quiet, client: { sleep: async () => {}, maxAttempts: 2 } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/503/);
  });
});

describe("onBulkOperationFinish", () => {
  it("GIVEN a completed operation WHEN the finish webhook arrives THEN profiles, shop AOV and job counts are stored and bad lines are skipped", async () => {
    const shop = newShop();
    const s = fakeShopify(["COMPLETED"], FILE);
    const job = await startHistorySync(shop, s.admin, quiet);
    const done = await onBulkOperationFinish(shop, { admin_graphql_api_id: job.bulkOperationId as string, status: "completed" }, s.admin, { ...quiet, fetch: s.fetchFile });
    expect(done).toMatchObject({ status: "completed", ordersProcessed: 3, customersProcessed: 2, linesSkipped: 2 });
    const p1 = await prisma.customerProfile.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId: "1" } } });
    expect([p1.ordersCount, p1.netSpend, p1.aov, p1.shopifyRfmGroup]).toEqual([2, 140, 70, "CHAMPIONS"]);
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { shop } });
    expect(shopRow.shopAov).toBe(Math.round((170 / 3) * 100) / 100);
    expect((await syncStatus(shop)).progress).toBe(1);
  });

  it("GIVEN the finish webhook delivered twice WHEN handled THEN the file is processed once", async () => {
    const shop = newShop();
    const s = fakeShopify(["COMPLETED"], FILE);
    let downloads = 0;
    const fetchCounting = (async (u: string) => {
      downloads++;
      return s.fetchFile(u);
    }) as unknown as typeof fetch;
    const job = await startHistorySync(shop, s.admin, quiet);
    const payload = { admin_graphql_api_id: job.bulkOperationId as string };
    await onBulkOperationFinish(shop, payload, s.admin, { ...quiet, fetch: fetchCounting });
    await onBulkOperationFinish(shop, payload, s.admin, { ...quiet, fetch: fetchCounting });
    expect(downloads).toBe(1);
  });

  it("GIVEN a FAILED operation WHEN the finish webhook arrives THEN a new bulk operation is started", async () => {
    const shop = newShop();
    const s = fakeShopify(["FAILED", "COMPLETED"], FILE);
    const job = await startHistorySync(shop, s.admin, quiet);
    const retried = await onBulkOperationFinish(shop, { admin_graphql_api_id: job.bulkOperationId as string }, s.admin, quiet);
    expect(retried).toMatchObject({ status: "running", attempts: 2, bulkOperationId: "gid://shopify/BulkOperation/2" });
    expect(retried?.error).toMatch(/FAILED/);
  });

  it("GIVEN operations that keep expiring WHEN attempts are used up THEN the job is failed with the reason, not dropped", async () => {
    const shop = newShop();
    const s = fakeShopify(["EXPIRED", "EXPIRED", "EXPIRED"], FILE);
    let job = await startHistorySync(shop, s.admin, quiet);
    for (let i = 0; i < 3; i++) job = (await onBulkOperationFinish(shop, { admin_graphql_api_id: job.bulkOperationId as string }, s.admin, { ...quiet, maxAttempts: 3 }))!;
    expect(job).toMatchObject({ status: "failed", attempts: 3 });
    expect(job.error).toMatch(/EXPIRED/);
  });

  it("GIVEN an operation that is not ours WHEN the webhook arrives THEN it is ignored", async () => {
    const s = fakeShopify([], FILE);
    expect(await onBulkOperationFinish(newShop(), { admin_graphql_api_id: "gid://shopify/BulkOperation/999" }, s.admin, quiet)).toBeNull();
  });
});

describe("pollStaleSyncs", () => {
  it("GIVEN a finished operation whose webhook never came WHEN polled THEN the job completes", async () => {
    const shop = newShop();
    const s = fakeShopify(["COMPLETED"], FILE);
    await startHistorySync(shop, s.admin, quiet);
    const [job] = await pollStaleSyncs(shop, s.admin, { ...quiet, fetch: s.fetchFile });
    expect(job.status).toBe("completed");
  });

  it("GIVEN an operation still running WHEN polled THEN the job stays running", async () => {
    const shop = newShop();
    const s = fakeShopify(["RUNNING"], FILE);
    await startHistorySync(shop, s.admin, quiet);
    const [job] = await pollStaleSyncs(shop, s.admin, quiet);
    expect(job.status).toBe("running");
  });
});

describe("Admin documents", () => {
  it.each([
    ["bulk history query", HISTORY_BULK_QUERY],
    ["bulkOperationRunQuery mutation", RUN_HISTORY_BULK],
    ["bulk operation lookup", BULK_OPERATION],
  ])("GIVEN the %s WHEN validated against the pinned 2026-07 schema THEN it has no errors", (_n, doc) => {
    expect(validate(adminSchema(), parse(doc.replace("#graphql", "")))).toEqual([]);
  });
});
