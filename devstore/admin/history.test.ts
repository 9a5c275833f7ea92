// The dev store's order history window (60 days without read_all_orders) and bulk operations access (enabled in the
// Partner Dashboard, lapsing after 31 days without a run), over HTTP as the app sees them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../server";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { BULK_ACCESS_LAPSE_MS, setBulkQueries } from "./bulk";

const API_KEY = "history-test-key";
const API_SECRET = "history-test-secret";
const NOW = Date.parse("2026-07-01T12:00:00Z");
const DAY = 86_400_000;
let store: DevStore;

type Gql = Awaited<ReturnType<typeof devStoreAdmin>>["graphql"];
async function call(graphql: Gql, query: string, variables: Record<string, unknown> = {}) {
  return (await (await graphql(query, { variables })).json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** A token granted `scopes` (the grant is taken at token exchange). */
async function adminWith(scopes: string[]): Promise<Gql> {
  const before = store.env.scopes;
  store.env.scopes = scopes;
  try {
    return (await devStoreAdmin(store, API_KEY, API_SECRET)).graphql;
  } finally {
    store.env.scopes = before;
  }
}

const BASE = ["read_customers", "read_orders", "read_themes", "write_discounts"];
const RUN_BULK = `mutation Run($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) { bulkOperation { id status createdAt } userErrors { message code } } }`;
const BULK_QUERY = `{ orders { edges { node { id createdAt } } } }`;

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 5, size: "test", now: NOW, quiet: true, webhookRetries: 0 });
});
afterAll(async () => {
  await store?.stop();
});

/** A customer whose orders are all older than 60 days (the seed has some; the test fails loudly if not). */
function loyalOldCustomer() {
  const byCustomer = new Map<string, number[]>();
  for (const o of store.state.orders) if (o.customerId) byCustomer.set(o.customerId, [...(byCustomer.get(o.customerId) ?? []), Date.parse(o.createdAt)]);
  const hit = [...byCustomer].find(([, at]) => at.length >= 2 && Math.max(...at) < NOW - 61 * DAY);
  if (!hit) throw new Error("seed has no customer with 2+ orders all older than 60 days");
  return { id: hit[0], orders: hit[1].length };
}

describe("dev store: 60-day order window", () => {
  it("GIVEN a token without read_all_orders WHEN orders are queried THEN only the last 60 days are served, and customer lifetime stats stay whole", async () => {
    const graphql = await adminWith(BASE);
    const r = await call(graphql, `{ orders(first: 250) { nodes { createdAt } } }`);
    expect(r.errors).toBeUndefined();
    const dates = (r.data.orders.nodes as { createdAt: string }[]).map((o) => Date.parse(o.createdAt));
    const recent = store.state.orders.filter((o) => Date.parse(o.createdAt) >= NOW - 60 * DAY).length;
    expect(dates.length).toBe(Math.min(250, recent));
    expect(Math.min(...dates)).toBeGreaterThanOrEqual(NOW - 60 * DAY - 5_000);

    const old = loyalOldCustomer();
    const c = await call(graphql, `query C($id: ID!) { customer(id: $id) { numberOfOrders lastOrder { id } orders(first: 50) { nodes { id } } } }`, { id: `gid://shopify/Customer/${old.id}` });
    expect(c.data.customer.numberOfOrders).toBe(String(old.orders));
    expect(c.data.customer.orders.nodes).toEqual([]);
    expect(c.data.customer.lastOrder).toBeNull();
  });

  it("GIVEN read_all_orders WHEN orders are queried THEN older orders are served too", async () => {
    const graphql = await adminWith([...BASE, "read_all_orders"]);
    const old = loyalOldCustomer();
    const c = await call(graphql, `query C($id: ID!) { customer(id: $id) { orders(first: 50) { nodes { id } } } }`, { id: `gid://shopify/Customer/${old.id}` });
    expect(c.data.customer.orders.nodes.length).toBe(old.orders);
  });
});

describe("dev store: bulk operations access", () => {
  it("GIVEN bulk queries not enabled for the app WHEN a bulk query starts THEN Shopify's ACCESS_DENIED error comes back and no operation exists", async () => {
    const graphql = await adminWith([...BASE, "read_all_orders"]);
    setBulkQueries(store.env, false);
    const before = store.env.bulkOps.length;
    const r = await call(graphql, RUN_BULK, { q: BULK_QUERY });
    expect(r.data?.bulkOperationRunQuery ?? null).toBeNull();
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: "ACCESS_DENIED" } });
    expect(r.errors?.[0]?.message).toMatch(/bulkOperationRunQuery/);
    expect(store.env.bulkOps.length).toBe(before);
  });

  it("GIVEN bulk queries enabled but not run for 31 days WHEN a bulk query starts THEN access has lapsed; enabled again THEN it runs", async () => {
    const graphql = await adminWith([...BASE, "read_all_orders"]);
    const now = store.env.now!();
    store.env.bulkAccess = { queriesEnabledAt: now - 90 * DAY, lastQueryRunAt: now - BULK_ACCESS_LAPSE_MS - DAY };
    const lapsed = await call(graphql, RUN_BULK, { q: BULK_QUERY });
    expect(lapsed.errors?.[0]).toMatchObject({ extensions: { code: "ACCESS_DENIED" } });

    store.env.bulkAccess = { queriesEnabledAt: now - 90 * DAY, lastQueryRunAt: now - 30 * DAY };
    const ran = await call(graphql, RUN_BULK, { q: BULK_QUERY });
    expect(ran.errors).toBeUndefined();
    expect(ran.data.bulkOperationRunQuery.userErrors).toEqual([]);
    // The run renews access, and createdAt is on the store's clock (the seed's now).
    expect(store.env.bulkAccess.lastQueryRunAt).toBeGreaterThanOrEqual(now);
    expect(Math.abs(Date.parse(ran.data.bulkOperationRunQuery.bulkOperation.createdAt) - NOW)).toBeLessThan(60_000);
  });
});
