// The Deal-Seeker bundle discount in Shopify (through the dev store's Admin API and checkout): an app discount run
// by the bundle Function where the Function is deployed, so a code takes money off the bundle's lines only, and the
// basic whole-cart code where Shopify answers "Function not found.".
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { Shopper } from "../../devstore/storefront/testing";
import { BUNDLE_FUNCTION_HANDLE, BUNDLE_LINE_PROPERTY } from "../lib/discounts/bundleFunction";
import type { DealSeekerSettings } from "../lib/plays/types";
import { issueBundleCode } from "./bundleCodes.server";
import { syncBundleDiscount } from "./discounts.server";
import { ensureDefaultPlays, getPlay } from "./plays.server";
import { signedVisitorFor } from "../../tests/helpers/visitors";

const API_KEY = "discounts-key";
const API_SECRET = "discounts-secret";
let store: DevStore;
let admin: Awaited<ReturnType<typeof devStoreAdmin>>;
let shop = "";

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 7, size: "test", quiet: true, webhookRetries: 0 });
  admin = await devStoreAdmin(store, API_KEY, API_SECRET);
  shop = store.shopDomain;
});
afterAll(() => store.stop());

beforeEach(async () => {
  delete store.state.deployedFunctions;
  await prisma.playConfig.deleteMany({ where: { shop } });
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
  await ensureDefaultPlays(shop);
});

async function turnOn(settings: Partial<DealSeekerSettings> = {}) {
  const current = await getPlay(shop, "deal_seeker");
  const merged = { ...current.settings, ...settings };
  await prisma.playConfig.update({ where: { shop_play: { shop, play: "deal_seeker" } }, data: { enabled: true, settings: JSON.stringify(merged) } });
  return syncBundleDiscount(shop, admin, await getPlay(shop, "deal_seeker"));
}

const stored = (discountId: string | null) => store.state.discounts.find((d) => `gid://shopify/DiscountCodeNode/${d.id}` === discountId)!;

/** Three priced variants of different products: two for the bundle, one bought besides it. */
function threeVariants() {
  const products = store.state.products.filter((p) => p.variants.some((v) => Number(v.price) > 0)).slice(0, 3);
  return products.map((p) => p.variants.find((v) => Number(v.price) > 0)!);
}

async function issuedCode(): Promise<string> {
  const play = await getPlay(shop, "deal_seeker");
  const r = await issueBundleCode(shop, { visitorId: await signedVisitorFor(shop), customerId: null, discountId: play.discountId!, settings: play.settings });
  if (r.status !== "issued") throw new Error(r.status);
  return r.code;
}

/** Pays a cart with the code; each line's discount as the order records it. */
async function payWith(code: string, items: { id: number; quantity: number; properties?: Record<string, string> }[]) {
  const shopper = new Shopper(store.url);
  expect((await shopper.postJson("/cart/add.js", { items })).status).toBe(200);
  expect((await shopper.postJson("/cart/update.js", { discount: code })).status).toBe(200);
  expect((await shopper.postForm("/checkout", {})).status).toBe(303);
  return store.state.orders[store.state.orders.length - 1]!;
}

describe("the bundle discount in Shopify", () => {
  it("GIVEN the Function deployed WHEN the play is turned on THEN an app discount of the Function is created, with the percentage and the cap in its metafield", async () => {
    const synced = await turnOn({ discountPercent: 10, discountCapPercent: 15 });
    expect(synced).toMatchObject({ active: true, kind: "bundle_lines" });
    const d = stored(synced.discountId);
    expect(d).toMatchObject({ kind: "code_app", functionHandle: BUNDLE_FUNCTION_HANDLE, discountClasses: ["PRODUCT"], usageLimit: 1 });
    const config = Object.entries(d.metafields ?? {}).find(([k]) => k.endsWith("--recovery-plays.bundle"));
    expect(JSON.parse(config![1])).toEqual({ percent: 10, capPercent: 15 });
  });

  it("GIVEN a cart of the two bundle lines and one other product WHEN paid with an issued code THEN only the bundle lines are discounted", async () => {
    await turnOn({ discountPercent: 10 });
    const code = await issuedCode();
    const [a, b, other] = threeVariants();
    const tagged = { [BUNDLE_LINE_PROPERTY]: "1" };
    const order = await payWith(code, [
      { id: Number(a!.id), quantity: 1, properties: tagged },
      { id: Number(b!.id), quantity: 1, properties: tagged },
      { id: Number(other!.id), quantity: 1 },
    ]);
    const off = (variantId: string) => order.lineItems.find((l) => String(l.variantId) === variantId)!.discount ?? 0;
    expect(off(a!.id)).toBeCloseTo(Number(a!.price) * 0.1, 2);
    expect(off(b!.id)).toBeCloseTo(Number(b!.price) * 0.1, 2);
    expect(off(other!.id)).toBe(0);
    expect(order.discountCodes).toEqual([code]);
  });

  it("GIVEN a two-item cart where only one line is a bundle line WHEN paid with an issued code THEN nothing is discounted", async () => {
    await turnOn({ discountPercent: 10 });
    const code = await issuedCode();
    const [a, , other] = threeVariants();
    const order = await payWith(code, [
      { id: Number(a!.id), quantity: 1, properties: { [BUNDLE_LINE_PROPERTY]: "1" } },
      { id: Number(other!.id), quantity: 1 },
    ]);
    expect(order.totalDiscounts).toBe(0);
  });

  it("GIVEN the app discount WHEN the merchant changes the percentage THEN the same discount's metafield carries it", async () => {
    const first = await turnOn({ discountPercent: 10 });
    const second = await turnOn({ discountPercent: 12 });
    expect(second.discountId).toBe(first.discountId);
    const config = Object.entries(stored(second.discountId).metafields ?? {}).find(([k]) => k.endsWith("--recovery-plays.bundle"));
    expect(JSON.parse(config![1])).toMatchObject({ percent: 12 });
  });

  it("GIVEN a shop where the Function is not deployed WHEN the play is turned on THEN Shopify's 'Function not found.' leads to the basic whole-cart code", async () => {
    store.state.deployedFunctions = [];
    const synced = await turnOn({ discountPercent: 10 });
    expect(synced).toMatchObject({ active: true, kind: "whole_cart" });
    expect(stored(synced.discountId)).toMatchObject({ kind: "code_basic", usageLimit: 1 });
  });
});
