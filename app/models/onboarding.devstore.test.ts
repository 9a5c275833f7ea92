// Integration: the setup guide against the real dev store — deep links that open the dev store's own theme editor
// (built from the shop's admin URL, as on Shopify), and the grants Shopify can withhold, each detected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { embedEnabledIn, onboardingState, parseThemeJson } from "./onboarding.server";

const API_KEY = "onboarding-test-key";
const API_SECRET = "onboarding-test-secret";
const REQUIRED = ["read_customers", "read_orders", "read_all_orders", "write_discounts", "read_themes"];
let store: DevStore;

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

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 3, size: "test", quiet: true, webhookRetries: 0 });
});
afterAll(async () => {
  await store?.stop();
});

describe("onboarding against the dev store: theme editor deep links", () => {
  it("GIVEN the dev store's admin WHEN the embed link is built and opened THEN it is the dev store's own theme editor and it turns our embed on", async () => {
    const state = await onboardingState(store.shopDomain, await adminWith(REQUIRED), API_KEY, REQUIRED);
    expect(state.links.embed.startsWith(`${store.url}/admin/themes/current/editor?`)).toBe(true);
    expect(state.links.cartBlock.startsWith(`${store.url}/admin/themes/current/editor?`)).toBe(true);
    expect(state.theme.embedEnabled).toBe(false);

    const res = await fetch(state.links.embed);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("app-embed");
    expect(embedEnabledIn(parseThemeJson(store.state.themeFiles["config/settings_data.json"]))).toBe(true);

    const cart = await fetch(state.links.cartBlock);
    expect(cart.status).toBe(200);
    const after = await onboardingState(store.shopDomain, await adminWith(REQUIRED), API_KEY, REQUIRED);
    expect(after.theme).toMatchObject({ embedEnabled: true, cartBlock: true });
  });
});

describe("onboarding against the dev store: checkout editor link", () => {
  it("GIVEN a non-Plus dev store WHEN the checkout editor link is opened THEN the dev store's page shows only the thank-you target as available", async () => {
    const state = await onboardingState(store.shopDomain, await adminWith(REQUIRED), API_KEY, REQUIRED);
    expect(state.links.checkoutEditor).toBe(`${store.url}/admin/settings/checkout/editor`);
    const html = await (await fetch(state.links.checkoutEditor)).text();
    expect(html).toContain('data-target="purchase.thank-you.block.render" data-available="true"');
    expect(html).toContain('data-target="purchase.checkout.block.render" data-available="false"');
  });
});

describe("onboarding against the dev store: grants", () => {
  it("GIVEN a token without read_all_orders WHEN onboarding reads the shop THEN the missing scope is named", async () => {
    const state = await onboardingState(store.shopDomain, await adminWith(REQUIRED.filter((s) => s !== "read_all_orders")), API_KEY, REQUIRED);
    expect(state.grants.missingScopes).toEqual(["read_all_orders"]);
  });

  it("GIVEN every required scope granted WHEN onboarding reads the shop THEN nothing is missing", async () => {
    const state = await onboardingState(store.shopDomain, await adminWith(REQUIRED), API_KEY, REQUIRED);
    expect(state.grants.missingScopes).toEqual([]);
  });

  it("GIVEN the last sync refused bulk access, or a completed one cut at 60 days WHEN onboarding loads THEN each is reported", async () => {
    const shop = store.shopDomain;
    const admin = await adminWith(REQUIRED);
    await prisma.syncJob.create({ data: { shop, status: "failed", error: "start failed: Access denied", errorReason: "bulk_access", startedAt: new Date(Date.now() - 1000) } });
    expect((await onboardingState(shop, admin, API_KEY, REQUIRED)).grants.bulkAccess).toBe("denied");

    const from = new Date(Date.now() - 60 * 86_400_000);
    await prisma.syncJob.create({ data: { shop, status: "completed", historyFrom: from, historyLimited: true } });
    const state = await onboardingState(shop, admin, API_KEY, REQUIRED);
    expect(state.grants).toMatchObject({ bulkAccess: "ok", history: { from: from.toISOString(), limited: true } });
  });
});
