import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../server";
import { MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS } from "./paymentCustomizations";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
let store: DevStore;
let token = "";

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${store.url}/admin/api/2026-07/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token, "x-shopify-shop-domain": store.shopDomain },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as any;
}

const CREATE = `#graphql
  mutation Create($input: PaymentCustomizationInput!) {
    paymentCustomizationCreate(paymentCustomization: $input) {
      paymentCustomization { id enabled metafield(namespace: "$app:recovery_plays", key: "payment_customization") { jsonValue } }
      userErrors { field message code }
    }
  }`;
const ACTIVATE = `#graphql
  mutation Activate($ids: [ID!]!, $enabled: Boolean!) {
    paymentCustomizationActivation(ids: $ids, enabled: $enabled) { ids userErrors { message code } }
  }`;

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 7, size: "test", quiet: true });
  const res = await fetch(`${store.url}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-shop-domain": store.shopDomain },
    body: JSON.stringify({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: store.sessionToken(),
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await store.stop();
});

describe("dev store payment customizations", () => {
  it("GIVEN a create with a JSON metafield WHEN read back THEN it is enabled and the Function's configuration is there", async () => {
    const r = await gql(CREATE, { input: { title: "t", functionHandle: "recovery-plays-payments", enabled: true, metafields: [{ namespace: "$app:recovery_plays", key: "payment_customization", type: "json", value: '{"key":"ab"}' }] } });
    expect(r.data.paymentCustomizationCreate.userErrors).toEqual([]);
    expect(r.data.paymentCustomizationCreate.paymentCustomization.enabled).toBe(true);
    expect(r.data.paymentCustomizationCreate.paymentCustomization.metafield.jsonValue).toEqual({ key: "ab" });
  });

  it("GIVEN 25 active customizations WHEN another is activated THEN the cap error comes back and it stays off", async () => {
    const active = () => gql(`{ paymentCustomizations(first: 100) { nodes { id enabled } } }`).then((r) => r.data.paymentCustomizations.nodes.filter((n: { enabled: boolean }) => n.enabled).length);
    while ((await active()) < MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS) await gql(CREATE, { input: { title: "fill", functionHandle: "other", enabled: true } });
    const off = await gql(CREATE, { input: { title: "off", functionHandle: "recovery-plays-payments", enabled: false } });
    const id = off.data.paymentCustomizationCreate.paymentCustomization.id;
    const on = await gql(ACTIVATE, { ids: [id], enabled: true });
    expect(on.data.paymentCustomizationActivation.userErrors.map((e: { code: string }) => e.code)).toEqual(["MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS"]);
    expect(await active()).toBe(MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS);
    const created = await gql(CREATE, { input: { title: "26th", functionHandle: "recovery-plays-payments", enabled: true } });
    expect(created.data.paymentCustomizationCreate.userErrors.map((e: { code: string }) => e.code)).toEqual(["MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS"]);
  });

  it("GIVEN an active customization WHEN deactivated THEN it reads back disabled", async () => {
    const r = await gql(CREATE, { input: { title: "x", functionHandle: "recovery-plays-payments", enabled: false } });
    const id = r.data.paymentCustomizationCreate.paymentCustomization.id;
    await gql(ACTIVATE, { ids: [id], enabled: false });
    const nodes = (await gql(`{ paymentCustomizations(first: 100) { nodes { id enabled } } }`)).data.paymentCustomizations.nodes;
    expect(nodes.find((n: { id: string }) => n.id === id).enabled).toBe(false);
  });
});
