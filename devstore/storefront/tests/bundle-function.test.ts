// The bundle code whose value the app's discount Function decides, through the dev store's cart and checkout.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DevDiscount, DevStoreData } from "../../types";
import { Shopper, type TestStorefront, sampleStore, startStorefront } from "../testing";
import { USAGE_LIMIT_MESSAGE } from "../cart";

// Linen Shirt (variant 1011, $48), Cotton Tee (variant 1021, $20).
const SHIRT = 1011;
const TEE = 1021;
const CODE = "BUNDLE-FN1234";

const functionDiscount = (config: unknown, extra: Partial<DevDiscount> = {}): DevDiscount => ({
  id: "901",
  title: "Bundle & Save",
  kind: "code_app",
  code: CODE,
  functionHandle: "recovery-plays-discount",
  discountClasses: ["PRODUCT"],
  metafields: { "$app:recovery-plays.bundle": JSON.stringify(config) },
  percentage: 0.1,
  productIds: [],
  usageLimit: 1,
  status: "ACTIVE",
  startsAt: "2025-01-01T00:00:00.000Z",
  endsAt: null,
  ...extra,
});

interface Payload {
  total_discounts: string;
  discount_codes: { code: string }[];
  line_items: { variant_id: number; total_discount: string; properties: { name: string; value: string }[] }[];
}

let store: TestStorefront;
let data: DevStoreData;
beforeEach(async () => {
  data = sampleStore();
  data.discounts.push(functionDiscount({ percent: 10, capPercent: 25 }));
  store = await startStorefront({ data });
});
afterEach(() => store.close());

async function waitFor<T>(fn: () => T | undefined, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function checkoutWith(items: { id: number; quantity: number; properties?: Record<string, string> }[]) {
  const s = new Shopper(store.url);
  expect((await s.postJson("/cart/add.js", { items })).status).toBe(200);
  expect((await s.postJson("/cart/update.js", { discount: CODE })).status).toBe(200);
  expect((await s.get("/checkout")).status).toBe(200);
  const before = store.ctx.state.orders.length;
  expect((await s.postForm("/checkout", {})).status).toBe(303);
  return store.ctx.state.orders[before];
}

const bundle = { _rp_bundle: "1011" };

describe("bundle discount Function at checkout", () => {
  it("GIVEN a cart of a bundle pair and one other product WHEN paid with the code THEN only the bundle lines are discounted", async () => {
    const order = await checkoutWith([
      { id: SHIRT, quantity: 1, properties: bundle },
      { id: TEE, quantity: 1, properties: bundle },
      { id: TEE, quantity: 2 },
    ]);
    // 10 % of $48 + 10 % of $20; the two untagged tees ($40) keep their price.
    expect(order).toMatchObject({ totalDiscounts: 6.8, total: 48 + 20 + 40 - 6.8, discountCodes: [CODE] });
    const hook = await waitFor(() => store.webhooks.find((w) => w.topic === "orders/create"));
    const payload = hook.payload as Payload;
    expect(payload.line_items.map((l) => l.total_discount)).toEqual(["4.80", "2.00", "0.00"]);
    expect(payload.line_items[0].properties).toEqual([{ name: "_rp_bundle", value: "1011" }]);
  });

  it("GIVEN a two-item cart where only one line is a bundle line WHEN paid with the code THEN nothing is discounted", async () => {
    const order = await checkoutWith([{ id: SHIRT, quantity: 1, properties: bundle }, { id: TEE, quantity: 1 }]);
    expect(order).toMatchObject({ totalDiscounts: 0, total: 68, discountCodes: [] });
  });

  it("GIVEN a configured percentage above the cap WHEN paid with the code THEN the cap is what comes off", async () => {
    data.discounts[data.discounts.length - 1] = functionDiscount({ percent: 40, capPercent: 15 });
    const order = await checkoutWith([{ id: SHIRT, quantity: 1, properties: bundle }, { id: TEE, quantity: 1, properties: bundle }]);
    expect(order.totalDiscounts).toBeCloseTo(0.15 * 68, 2);
  });

  it("GIVEN a single-use code already used once WHEN a second shopper pays with it THEN checkout refuses it and places no order", async () => {
    await checkoutWith([{ id: SHIRT, quantity: 1, properties: bundle }, { id: TEE, quantity: 1, properties: bundle }]);
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { items: [{ id: SHIRT, quantity: 1, properties: bundle }, { id: TEE, quantity: 1, properties: bundle }] });
    await s.postJson("/cart/update.js", { discount: CODE });
    const before = store.ctx.state.orders.length;
    const res = await s.postForm("/checkout", {});
    expect(res.status).toBe(422);
    expect(await res.text()).toContain(USAGE_LIMIT_MESSAGE);
    expect(store.ctx.state.orders.length).toBe(before);
  });
});
