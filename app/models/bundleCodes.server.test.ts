// Single-use bundle codes: the pool in Shopify (through the dev store's Admin API), what orders/create records,
// and the leak report — codes used by anyone other than their holder, never read from cart attributes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { Shopper } from "../../devstore/storefront/testing";
import { attributeOrder } from "./attribution.server";
import { BUNDLE_CODE_MAX_AGE_MS, bundleCodeLeaks, issueBundleCode, refillBundleCodes, poolTarget } from "./bundleCodes.server";
import { redactCustomer, reportCustomerData } from "./compliance.server";
import { replaceBundleCode, syncBundleDiscount } from "./discounts.server";
import { ensureDefaultPlays, getPlay } from "./plays.server";
import { signedVisitorFor } from "../../tests/helpers/visitors";
import { BUNDLE_LINE_PROPERTY } from "../lib/discounts/bundleFunction";

let seq = 0;
let shop = "";
const at = (d: number, h = 12) => new Date(Date.UTC(2026, 2, d, h));

beforeEach(async () => {
  shop = `codes-${++seq}.myshopify.com`;
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
});

/** A code issued to `visitor` (and the logged-in `customer`, when given). */
const issue = (code: string, visitor: string | null, customer: string | null = null) =>
  prisma.bundleCode.create({ data: { shop, code, discountId: "gid://shopify/DiscountCodeNode/5", state: "issued", visitorId: visitor, customerId: customer, issuedAt: at(2) } });

/** An orders/create payload paying `code` (12 off), from the signed `visitor` (or none) and `customer`. */
const paid = (id: number, code: string | null, visitor: string | null, customer: number | null = null, day = 3) => ({
  id,
  created_at: at(day).toISOString(),
  total_price: "108.00",
  total_discounts: code ? "12.00" : "0.00",
  customer: customer ? { id: customer } : null,
  note_attributes: visitor ? [{ name: "_rp_vid", value: visitor }] : [],
  discount_codes: code ? [{ code, amount: "12.00", type: "percentage" }] : [],
  discount_applications: code ? [{ type: "discount_code", code, value: "10.0", value_type: "percentage" }] : [],
});
const row = (code: string) => prisma.bundleCode.findUniqueOrThrow({ where: { shop_code: { shop, code } } });

describe("orders/create and the leak report", () => {
  it("GIVEN a code used by the visitor it was issued to WHEN the order is recorded THEN it is used, not leaked, and the order's bundle discount is the code's", async () => {
    const holder = await signedVisitorFor(shop);
    await issue("RP-AAAAAAAAAAAA", holder);
    const r = await attributeOrder(shop, paid(1, "rp-aaaaaaaaaaaa", holder));
    expect(r.status).toBe("attributed");
    expect(await row("RP-AAAAAAAAAAAA")).toMatchObject({ state: "used", orderId: "1", leaked: false, amount: 12 });
    expect((await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "1" } } })).discount).toBe(12);
    expect(await bundleCodeLeaks(shop, at(2))).toEqual({ discountedOrders: 1, leakedOrders: 0, leakedDiscount: 0 });
  });

  it("GIVEN a code used by another signed visitor WHEN recorded THEN it is a leak with its discount", async () => {
    const holder = await signedVisitorFor(shop);
    const other = await signedVisitorFor(shop);
    await issue("RP-BBBBBBBBBBBB", holder);
    await attributeOrder(shop, paid(2, "RP-BBBBBBBBBBBB", other));
    expect(await row("RP-BBBBBBBBBBBB")).toMatchObject({ state: "used", leaked: true, orderVisitorId: other });
    expect(await bundleCodeLeaks(shop, at(2))).toEqual({ discountedOrders: 1, leakedOrders: 1, leakedDiscount: 12 });
  });

  it("GIVEN an order without a visitor id WHEN its customer is the one the code was issued to THEN no leak; WHEN nobody is known THEN a leak", async () => {
    const holder = await signedVisitorFor(shop);
    await issue("RP-CCCCCCCCCCCC", holder, "7001");
    await issue("RP-DDDDDDDDDDDD", holder);
    await attributeOrder(shop, paid(3, "RP-CCCCCCCCCCCC", null, 7001));
    await attributeOrder(shop, paid(4, "RP-DDDDDDDDDDDD", null, null));
    expect((await row("RP-CCCCCCCCCCCC")).leaked).toBe(false);
    expect((await row("RP-DDDDDDDDDDDD")).leaked).toBe(true);
  });

  it("GIVEN a cart claiming the treatment arm (`_rp_plays`) from a visitor who holds no code WHEN the order uses someone's code THEN the claim does not hide the leak", async () => {
    const holder = await signedVisitorFor(shop);
    const other = await signedVisitorFor(shop);
    await issue("RP-EEEEEEEEEEEE", holder);
    const payload = paid(5, "RP-EEEEEEEEEEEE", other);
    payload.note_attributes.push({ name: "_rp_plays", value: "deal_seeker:treatment:shown" });
    await attributeOrder(shop, payload);
    expect((await bundleCodeLeaks(shop, at(2))).leakedOrders).toBe(1);
  });

  it("GIVEN the discount's own code (never issued) WHEN an order uses it THEN a leak", async () => {
    await ensureDefaultPlays(shop);
    await prisma.playConfig.update({ where: { shop_play: { shop, play: "deal_seeker" } }, data: { discountId: "gid://shopify/DiscountCodeNode/5", discountCode: "BUNDLE-BASE23456" } });
    await attributeOrder(shop, paid(6, "BUNDLE-BASE23456", await signedVisitorFor(shop)));
    expect(await bundleCodeLeaks(shop, at(2))).toEqual({ discountedOrders: 1, leakedOrders: 1, leakedDiscount: 12 });
  });

  it("GIVEN a leaked order WHEN its delivery is repeated THEN nothing is counted twice", async () => {
    await issue("RP-FFFFFFFFFFFF", await signedVisitorFor(shop));
    const payload = paid(7, "RP-FFFFFFFFFFFF", null);
    await attributeOrder(shop, payload);
    expect((await attributeOrder(shop, payload)).status).toBe("duplicate");
    expect(await bundleCodeLeaks(shop, at(2))).toEqual({ discountedOrders: 1, leakedOrders: 1, leakedDiscount: 12 });
  });

  it("GIVEN orders without a bundle code, before the window, or of another shop WHEN leaks are counted THEN none of them counts", async () => {
    await issue("RP-GGGGGGGGGGGG", await signedVisitorFor(shop));
    await attributeOrder(shop, paid(8, null, null));
    await attributeOrder(shop, paid(9, "RP-GGGGGGGGGGGG", null, null, 1));
    await attributeOrder(`other-${shop}`, paid(10, "RP-GGGGGGGGGGGG", null));
    expect(await bundleCodeLeaks(shop, at(2))).toEqual({ discountedOrders: 0, leakedOrders: 0, leakedDiscount: 0 });
    expect((await bundleCodeLeaks(shop, at(1))).leakedOrders).toBe(1);
  });

  it("GIVEN a code issued to a logged-in customer WHEN customers/data_request arrives THEN the report lists the code", async () => {
    await issue("RP-JJJJJJJJJJJJ", await signedVisitorFor(shop), "7003");
    const stored = await reportCustomerData(shop, { shop_domain: shop, customer: { id: 7003 } } as never);
    expect(JSON.parse(stored!.report).bundleCodes).toEqual([expect.objectContaining({ code: "RP-JJJJJJJJJJJJ", state: "issued" })]);
  });

  it("GIVEN a code issued to a logged-in customer WHEN customers/redact arrives THEN the code forgets the customer and keeps its order", async () => {
    await issue("RP-HHHHHHHHHHHH", await signedVisitorFor(shop), "7002");
    await attributeOrder(shop, paid(11, "RP-HHHHHHHHHHHH", null, 7002));
    await redactCustomer(shop, { shop_domain: shop, customer: { id: 7002 }, orders_to_redact: [] } as never);
    expect(await row("RP-HHHHHHHHHHHH")).toMatchObject({ customerId: null, orderId: "11", leaked: false });
  });
});

describe("issuing under concurrency", () => {
  it("GIVEN a budget of 3 codes and 10 visitors asking at once WHEN issued concurrently THEN exactly 3 distinct codes go out", async () => {
    const discountId = "gid://shopify/DiscountCodeNode/5";
    await prisma.bundleCode.createMany({ data: Array.from({ length: 10 }, (_, i) => ({ shop, code: `RP-RACE${i}`, discountId, state: "pooled" })) });
    const settings = { bundleCodesPerDay: 3, bundleDiscountPerDay: 0, discountPercent: 10 };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => issueBundleCode(shop, { visitorId: `v${i}`, customerId: null, discountId, settings })));
    const codes = results.flatMap((r) => (r.status === "issued" ? [r.code] : []));
    expect(new Set(codes).size).toBe(3);
    expect(results.filter((r) => r.status === "budget")).toHaveLength(7);
    expect(await prisma.bundleCode.count({ where: { shop, state: "issued" } })).toBe(3);
  });
});

describe("the code pool in Shopify (dev store)", () => {
  const API_KEY = "bundle-codes-key";
  const API_SECRET = "bundle-codes-secret";
  let store: DevStore;
  let admin: Awaited<ReturnType<typeof devStoreAdmin>>;
  beforeAll(async () => {
    store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 5, size: "test", quiet: true, webhookRetries: 0 });
    admin = await devStoreAdmin(store, API_KEY, API_SECRET);
  });
  afterAll(() => store.stop());

  it("GIVEN the play turned on WHEN the discount is synced THEN it is single-use per code and a pool of recorded codes exists in Shopify; a second refill adds none", async () => {
    shop = store.shopDomain;
    await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
    await ensureDefaultPlays(shop);
    await prisma.playConfig.update({ where: { shop_play: { shop, play: "deal_seeker" } }, data: { enabled: true } });
    const play = await getPlay(shop, "deal_seeker");
    const synced = await syncBundleDiscount(shop, admin, play);
    expect(synced.active).toBe(true);
    const discount = store.state.discounts.find((d) => `gid://shopify/DiscountCodeNode/${d.id}` === synced.discountId)!;
    expect(discount.usageLimit).toBe(1);
    const pooled = await prisma.bundleCode.findMany({ where: { shop, state: "pooled" }, select: { code: true } });
    expect(pooled).toHaveLength(poolTarget(play.settings));
    const inShopify = new Set((discount.redeemCodes ?? []).map((c) => c.toUpperCase()));
    expect(pooled.every((c) => inShopify.has(c.code))).toBe(true);
    const base = (await getPlay(shop, "deal_seeker")).discountCode;
    expect(base).toBeTruthy();
    expect(pooled.some((c) => c.code === base)).toBe(false);
    expect((await refillBundleCodes(shop, admin)).added).toBe(0);
  });

  it("GIVEN a pool WHEN the merchant replaces the discount THEN the old codes are expired and a fresh pool of the new discount is ready", async () => {
    shop = store.shopDomain;
    const before = await getPlay(shop, "deal_seeker");
    await replaceBundleCode(shop, admin, before);
    const after = await getPlay(shop, "deal_seeker");
    expect(after.discountId).not.toBe(before.discountId);
    expect(await prisma.bundleCode.count({ where: { shop, discountId: before.discountId!, state: { not: "expired" } } })).toBe(0);
    expect(await prisma.bundleCode.count({ where: { shop, discountId: after.discountId!, state: "pooled" } })).toBe(poolTarget(after.settings));
  });

  /** A shopper (own cookie jar) with two items and `code` in the cart: the cart's code line and the order placed. */
  async function cartWith(code: string) {
    const shopper = new Shopper(store.url);
    const variants = store.state.products.flatMap((p) => p.variants).filter((v) => Number(v.price) > 0).slice(0, 2);
    expect((await shopper.postJson("/cart/add.js", { items: variants.map((v) => ({ id: Number(v.id), quantity: 1, properties: { [BUNDLE_LINE_PROPERTY]: "1" } })) })).status).toBe(200);
    const cart = (await (await shopper.postJson("/cart/update.js", { discount: code })).json()) as {
      discount_codes: { code: string; applicable: boolean }[];
      total_discount: number;
    };
    const checkout = await shopper.postForm("/checkout", {});
    return { cart, status: checkout.status, order: store.state.orders[store.state.orders.length - 1]! };
  }

  it("GIVEN a code issued 49 hours ago and never used, and one issued an hour ago WHEN the upkeep refill runs THEN the old one is deleted in Shopify and expired, and the dev store's checkout no longer takes it", async () => {
    shop = store.shopDomain;
    const play = await getPlay(shop, "deal_seeker");
    const now = new Date();
    const issueAt = async (ms: number) => {
      const r = await issueBundleCode(shop, { visitorId: await signedVisitorFor(shop), customerId: null, discountId: play.discountId!, settings: play.settings, now: new Date(now.getTime() - ms) });
      if (r.status !== "issued") throw new Error(r.status);
      return r.code;
    };
    const old = await issueAt(BUNDLE_CODE_MAX_AGE_MS + 3_600_000);
    const recent = await issueAt(3_600_000);
    expect((await row(old)).redeemCodeId).toMatch(/^gid:\/\/shopify\/DiscountRedeemCode\//);

    await refillBundleCodes(shop, admin, { now });
    const discount = store.state.discounts.find((d) => `gid://shopify/DiscountCodeNode/${d.id}` === play.discountId)!;
    const inShopify = (discount.redeemCodes ?? []).map((c) => c.toUpperCase());
    expect(inShopify).not.toContain(old);
    expect(inShopify).toContain(recent);
    expect((await row(old)).state).toBe("expired");
    expect((await row(recent)).state).toBe("issued");

    const stale = await cartWith(old);
    expect(stale.cart).toMatchObject({ discount_codes: [{ code: old, applicable: false }], total_discount: 0 });
    expect(stale.status).toBe(303);
    expect([stale.order.discountCodes, stale.order.totalDiscounts]).toEqual([[], 0]);
    const fresh = await cartWith(recent);
    expect(fresh.cart.discount_codes).toEqual([{ code: recent, applicable: true }]);
    expect(fresh.order.discountCodes).toEqual([recent]);
  });
});
