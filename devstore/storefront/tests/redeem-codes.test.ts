// Redeem codes added in bulk (discountRedeemCodeBulkAdd) and the per-code usage limit at the cart and checkout.
// Shopify: the discount's usageLimit "applies to each individual redeem code you create, not the combined total
// across all codes" (community.shopify.dev/t/…/12269); a used single-use code at checkout shows an error and
// the order cannot be placed with it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DevDiscount, DevStoreData } from "../../types";
import type { AdminContext } from "../../admin/context";
import { discountCodeRedeemCodeBulkDelete, discountRedeemCodeBulkAdd, findRedeemCodeBulkCreation, redeemCodeId, REDEEM_CODES_PER_CALL } from "../../admin/mutations";
import { Shopper, type TestStorefront, sampleStore, startStorefront } from "../testing";
import { USAGE_LIMIT_MESSAGE } from "../cart";

const SHIRT = 1011;
const TEE = 1021;
const DISCOUNT_GID = "gid://shopify/DiscountCodeNode/302";

const singleUse = (): DevDiscount => ({
  id: "302",
  title: "Bundle & Save 10%",
  kind: "code_basic",
  code: "BUNDLE-BASE",
  percentage: 0.1,
  productIds: [],
  appliesToAll: true,
  minimumQuantity: 2,
  usageLimit: 1,
  status: "ACTIVE",
  startsAt: "2025-01-01T00:00:00.000Z",
  endsAt: null,
});

let store: TestStorefront;
let data: DevStoreData;
let ctx: AdminContext;
let nextId = 9000;
beforeEach(async () => {
  data = sampleStore();
  data.discounts.push(singleUse());
  store = await startStorefront({ data });
  ctx = { env: { state: data, nextId: () => ++nextId } } as unknown as AdminContext;
});
afterEach(() => store.close());

const bundleDiscount = () => data.discounts.find((d) => d.id === "302")!;

async function buyWith(code: string): Promise<Response> {
  const s = new Shopper(store.url);
  expect((await s.postJson("/cart/add.js", { items: [{ id: SHIRT, quantity: 1 }, { id: TEE, quantity: 1 }] })).status).toBe(200);
  await s.postJson("/cart/update.js", { discount: code });
  return s.postForm("/checkout", {});
}

describe("discountRedeemCodeBulkAdd", () => {
  it("GIVEN new codes, one repeated and one taken by the discount's own code WHEN added THEN the others are added and each refused one says why", () => {
    const r = discountRedeemCodeBulkAdd(ctx, DISCOUNT_GID, [{ code: "RP-ONE" }, { code: "RP-TWO" }, { code: "rp-one" }, { code: "bundle-base" }]);
    expect(r.userErrors).toEqual([]);
    expect(bundleDiscount().redeemCodes).toEqual(["RP-ONE", "RP-TWO"]);
    const creation = findRedeemCodeBulkCreation(ctx, r.bulkCreation!.id)!;
    expect(creation).toMatchObject({ done: true, codesCount: 4, importedCount: 2, failedCount: 2 });
    expect(creation.results.filter((c) => c.error).map((c) => c.code)).toEqual(["rp-one", "bundle-base"]);
  });

  it("GIVEN more than 250 codes, or an unknown discount WHEN added THEN a user error and nothing added", () => {
    const many = Array.from({ length: REDEEM_CODES_PER_CALL + 1 }, (_, i) => ({ code: `RP-${i}` }));
    expect(discountRedeemCodeBulkAdd(ctx, DISCOUNT_GID, many).userErrors[0]).toMatchObject({ field: ["codes"] });
    expect(discountRedeemCodeBulkAdd(ctx, "gid://shopify/DiscountCodeNode/1", [{ code: "RP-X" }]).userErrors[0]).toMatchObject({ field: ["discountId"] });
    expect(bundleDiscount().redeemCodes ?? []).toEqual([]);
  });
});

describe("discountCodeRedeemCodeBulkDelete", () => {
  it("GIVEN three redeem codes WHEN one is deleted by its id THEN it is gone, the others keep their ids, and a cart with it gets no discount", async () => {
    discountRedeemCodeBulkAdd(ctx, DISCOUNT_GID, [{ code: "RP-ONE" }, { code: "RP-TWO" }, { code: "RP-THREE" }]);
    const ids = ["RP-ONE", "RP-TWO", "RP-THREE"].map((c) => redeemCodeId(bundleDiscount(), c));
    expect(new Set(ids).size).toBe(3);
    const r = discountCodeRedeemCodeBulkDelete(ctx, { discountId: DISCOUNT_GID, ids: [ids[0]] });
    expect(r).toMatchObject({ job: { done: true }, userErrors: [] });
    expect(bundleDiscount().redeemCodes).toEqual(["RP-TWO", "RP-THREE"]);
    expect(["RP-TWO", "RP-THREE"].map((c) => redeemCodeId(bundleDiscount(), c))).toEqual(ids.slice(1));
    const orders = data.orders.length;
    expect((await buyWith("RP-ONE")).status).toBe(303);
    expect(data.orders.length).toBe(orders + 1);
    expect([data.orders.at(-1)!.discountCodes, data.orders.at(-1)!.totalDiscounts]).toEqual([[], 0]);
  });

  it("GIVEN a search instead of ids, no ids, or an unknown discount WHEN deleting THEN a user error and nothing deleted", () => {
    discountRedeemCodeBulkAdd(ctx, DISCOUNT_GID, [{ code: "RP-ONE" }]);
    expect(discountCodeRedeemCodeBulkDelete(ctx, { discountId: DISCOUNT_GID, search: "code:RP-ONE" }).userErrors[0]).toMatchObject({ field: ["search"] });
    expect(discountCodeRedeemCodeBulkDelete(ctx, { discountId: DISCOUNT_GID, ids: [] }).userErrors[0]).toMatchObject({ field: ["ids"] });
    expect(discountCodeRedeemCodeBulkDelete(ctx, { discountId: "gid://shopify/DiscountCodeNode/1", ids: [redeemCodeId(bundleDiscount(), "RP-ONE")] }).userErrors[0]).toMatchObject({ field: ["discountId"] });
    expect(bundleDiscount().redeemCodes).toEqual(["RP-ONE"]);
  });
});

describe("single-use redeem codes at checkout", () => {
  it("GIVEN two redeem codes of a usageLimit 1 discount WHEN each is used once THEN both orders get the discount", async () => {
    discountRedeemCodeBulkAdd(ctx, DISCOUNT_GID, [{ code: "RP-ONE" }, { code: "RP-TWO" }]);
    expect((await buyWith("RP-ONE")).status).toBe(303);
    expect((await buyWith("rp-two")).status).toBe(303);
    expect(data.orders.slice(-2).map((o) => [o.discountCodes, o.totalDiscounts])).toEqual([[["RP-ONE"], 6.8], [["rp-two"], 6.8]]);
  });

  it("GIVEN a redeem code already used once WHEN another cart carries it THEN the cart shows it not applicable and checkout refuses with Shopify's message, placing no order", async () => {
    discountRedeemCodeBulkAdd(ctx, DISCOUNT_GID, [{ code: "RP-ONE" }]);
    expect((await buyWith("RP-ONE")).status).toBe(303);
    const orders = data.orders.length;
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { items: [{ id: SHIRT, quantity: 1 }, { id: TEE, quantity: 1 }] });
    const cart = (await (await s.postJson("/cart/update.js", { discount: "RP-ONE" })).json()) as { discount_codes: unknown; total_discount: number };
    expect(cart).toMatchObject({ discount_codes: [{ code: "RP-ONE", applicable: false }], total_discount: 0 });
    const res = await s.postForm("/checkout", {});
    expect(res.status).toBe(422);
    expect(await res.text()).toContain(USAGE_LIMIT_MESSAGE);
    expect(data.orders.length).toBe(orders);
  });
});
