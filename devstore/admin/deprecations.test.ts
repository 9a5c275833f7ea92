// The dev store reports deprecated Admin API usage the way Shopify does: the response still answers, and the
// X-Shopify-API-Deprecated-Reason header lists each deprecated field or enum value the document used
// (shopify.dev/changelog/graphql-return-actual-deprecation-reasons).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../server";
import { devStoreAdmin } from "../../tests/helpers/devstore";

const API_KEY = "deprecation-test-key";
const API_SECRET = "deprecation-test-secret";
let store: DevStore;
let graphql: Awaited<ReturnType<typeof devStoreAdmin>>["graphql"];

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 3, size: "test", quiet: true, webhookRetries: 0 });
  ({ graphql } = await devStoreAdmin(store, API_KEY, API_SECRET));
});
afterAll(async () => {
  await store?.stop();
});

describe("deprecated Admin API usage", () => {
  it("GIVEN a query reading ShopPlan.displayName (deprecated in 2026-07) WHEN sent THEN it answers and the header names the field", async () => {
    const res = await graphql("query { shop { plan { displayName publicDisplayName } } }");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-shopify-api-deprecated-reason")).toBe("ShopPlan.displayName");
    const body = (await res.json()) as { data: { shop: { plan: { displayName: string; publicDisplayName: string } } } };
    expect(body.data.shop.plan.publicDisplayName).toBe(body.data.shop.plan.displayName);
  });

  it("GIVEN a query with no deprecated field WHEN sent THEN there is no deprecation header", async () => {
    const res = await graphql("query { shop { plan { publicDisplayName shopifyPlus } } }");
    expect(res.headers.get("x-shopify-api-deprecated-reason")).toBeNull();
  });
});
