import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DevDiscount, DevStoreData } from "../../types";
import { Shopper, type TestStorefront, sampleStore, startStorefront } from "../testing";

// Linen Shirt (variant 1011, $48) and Cotton Tee (variant 1021, $20): outside the sample store's kitchen bundle.
const SHIRT = 1011;
const TEE = 1021;
const CODE = "BUNDLE-ABC";

const codeDiscount = (extra: Partial<DevDiscount> = {}): DevDiscount => ({
  id: "302",
  title: "Bundle & Save 10%",
  kind: "code_basic",
  code: CODE,
  percentage: 0.1,
  productIds: [],
  appliesToAll: true,
  minimumQuantity: 2,
  status: "ACTIVE",
  startsAt: "2025-01-01T00:00:00.000Z",
  endsAt: null,
  ...extra,
});

interface Allocation { amount: number; discount_application: { type: string; title: string; value: string; value_type: string } }
interface CartJson {
  total_price: number;
  original_total_price: number;
  total_discount: number;
  discount_codes: { code: string; applicable: boolean }[];
  cart_level_discount_applications: unknown[];
  items: { line_price: number; total_discount: number; discounts: { amount: number; title: string }[]; line_level_discount_allocations: Allocation[] }[];
}

let store: TestStorefront;
let data: DevStoreData;
beforeEach(async () => {
  data = sampleStore();
  data.discounts.push(codeDiscount());
  store = await startStorefront({ data });
});
afterEach(() => store.close());

async function shopperWith(items: { id: number; quantity: number }[]): Promise<Shopper> {
  const s = new Shopper(store.url);
  expect((await s.postJson("/cart/add.js", { items })).status).toBe(200);
  return s;
}
const applyCodes = async (s: Shopper, discount: unknown) => s.postJson("/cart/update.js", { discount });
const cartOf = async (s: Shopper) => (await (await s.get("/cart.js")).json()) as CartJson;

describe("discount codes on the Ajax cart", () => {
  it("GIVEN two items WHEN the code is applied through /cart/update.js THEN 10 % comes off and the code is applicable", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }, { id: TEE, quantity: 1 }]);
    const res = await applyCodes(s, CODE);
    expect(res.status).toBe(200);
    const cart = (await res.json()) as CartJson;
    expect(cart.discount_codes).toEqual([{ code: CODE, applicable: true }]);
    expect(cart).toMatchObject({ original_total_price: 6800, total_discount: 680, total_price: 6120 });
    expect(cart.items.map((i) => i.line_price)).toEqual([4320, 1800]);
    expect(cart.items[0].discounts).toEqual([{ amount: 480, title: CODE }]);
    expect(cart.items[0].line_level_discount_allocations[0]).toMatchObject({
      amount: 480,
      discount_application: { type: "discount_code", title: CODE, value: "10.0", value_type: "percentage" },
    });
    expect(cart.cart_level_discount_applications).toEqual([]);
    expect(await cartOf(s)).toMatchObject({ total_discount: 680, discount_codes: [{ code: CODE, applicable: true }] });
  });

  it("GIVEN the code in lower case WHEN applied THEN it matches and the cart keeps it as entered", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    const cart = (await (await applyCodes(s, "bundle-abc")).json()) as CartJson;
    expect(cart.discount_codes).toEqual([{ code: "bundle-abc", applicable: true }]);
    expect(cart.total_discount).toBe(960);
  });

  it("GIVEN one item and a code with a two-item minimum WHEN applied THEN it is remembered but not applicable and nothing comes off", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }]);
    const cart = (await (await applyCodes(s, CODE)).json()) as CartJson;
    expect(cart.discount_codes).toEqual([{ code: CODE, applicable: false }]);
    expect(cart.total_discount).toBe(0);
    expect(cart.items[0].line_level_discount_allocations).toEqual([]);
  });

  it("GIVEN a code that doesn't meet its minimum WHEN a second item is added THEN the code starts to apply", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }]);
    await applyCodes(s, CODE);
    await s.postJson("/cart/add.js", { id: TEE, quantity: 1 });
    expect(await cartOf(s)).toMatchObject({ total_discount: 680, discount_codes: [{ code: CODE, applicable: true }] });
  });

  it("GIVEN two items and no code WHEN priced THEN the code discount does not apply", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }, { id: TEE, quantity: 1 }]);
    expect(await cartOf(s)).toMatchObject({ total_discount: 0, total_price: 6800, discount_codes: [] });
  });

  it("GIVEN an unknown code WHEN applied THEN it is listed as not applicable", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    const cart = (await (await applyCodes(s, "NOPE")).json()) as CartJson;
    expect(cart.discount_codes).toEqual([{ code: "NOPE", applicable: false }]);
    expect(cart.total_discount).toBe(0);
  });

  it("GIVEN a deactivated code discount WHEN its code is applied THEN it is not applicable", async () => {
    data.discounts[1].endsAt = "2025-02-01T00:00:00.000Z";
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    const cart = (await (await applyCodes(s, CODE)).json()) as CartJson;
    expect(cart.discount_codes).toEqual([{ code: CODE, applicable: false }]);
    expect(cart.total_discount).toBe(0);
  });

  it("GIVEN several comma-separated codes WHEN applied THEN each is listed in order with its own applicability", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    const cart = (await (await applyCodes(s, "NOPE, BUNDLE-ABC,nope")).json()) as CartJson;
    expect(cart.discount_codes).toEqual([{ code: "NOPE", applicable: false }, { code: CODE, applicable: true }]);
  });

  it("GIVEN an applied code WHEN discount is set to an empty string THEN the code is gone and so is the discount", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    await applyCodes(s, CODE);
    const cart = (await (await applyCodes(s, "")).json()) as CartJson;
    expect(cart.discount_codes).toEqual([]);
    expect(cart.total_discount).toBe(0);
  });

  it("GIVEN an update without discount WHEN other fields change THEN the applied code stays", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    await applyCodes(s, CODE);
    await s.postJson("/cart/update.js", { attributes: { rp_variant: "treatment" } });
    expect((await cartOf(s)).discount_codes).toEqual([{ code: CODE, applicable: true }]);
  });

  it("GIVEN discount as a list instead of a string WHEN posted THEN 400 and the cart keeps its codes", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    await applyCodes(s, CODE);
    const res = await applyCodes(s, [CODE, "OTHER"]);
    expect(res.status).toBe(400);
    expect((await cartOf(s)).discount_codes).toEqual([{ code: CODE, applicable: true }]);
  });

  it("GIVEN a code at its usage limit WHEN applied THEN it is not applicable", async () => {
    data.discounts[1].usageLimit = 1;
    data.orders[0].discountCodes = ["bundle-abc"];
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    expect(((await (await applyCodes(s, CODE)).json()) as CartJson).discount_codes).toEqual([{ code: CODE, applicable: false }]);
  });

  it("GIVEN a bigger automatic discount WHEN the code is also on the cart THEN only the best applies and the code is not applicable", async () => {
    data.discounts.push({ ...codeDiscount({ id: "303", kind: "automatic_basic", title: "Spring 20%", percentage: 0.2 }), code: undefined });
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }, { id: TEE, quantity: 1 }]);
    const cart = (await (await applyCodes(s, CODE)).json()) as CartJson;
    expect(cart.total_discount).toBe(1360);
    expect(cart.discount_codes).toEqual([{ code: CODE, applicable: false }]);
    expect(cart.items[0].line_level_discount_allocations[0].discount_application).toMatchObject({ type: "automatic", title: "Spring 20%" });
  });
});

describe("automatic discount minimums", () => {
  beforeEach(() => {
    data.discounts.push({ ...codeDiscount({ id: "304", kind: "automatic_basic", title: "Two or more", percentage: 0.05 }), code: undefined });
  });

  it("GIVEN an automatic discount for two or more items WHEN the cart holds one THEN nothing comes off", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }]);
    expect((await cartOf(s)).total_discount).toBe(0);
  });

  it("GIVEN an automatic discount for two or more items WHEN the cart holds two THEN it applies", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    expect((await cartOf(s)).total_discount).toBe(480);
  });

  it("GIVEN an automatic discount with a $100 minimum subtotal WHEN the cart is under and then over it THEN it applies only over", async () => {
    data.discounts[2].minimumQuantity = null;
    data.discounts[2].minimumSubtotal = 100;
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    expect((await cartOf(s)).total_discount).toBe(0);
    await s.postJson("/cart/add.js", { id: TEE, quantity: 1 });
    expect((await cartOf(s)).total_discount).toBe(580);
  });
});

describe("shareable discount link", () => {
  it("GIVEN /discount/CODE?redirect=/cart WHEN followed THEN the code is on the cart and the shopper lands on /cart", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 2 }]);
    const res = await s.get(`/discount/${CODE}?redirect=/cart`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/cart");
    expect((await cartOf(s)).discount_codes).toEqual([{ code: CODE, applicable: true }]);
  });

  it("GIVEN a new shopper WHEN the link is followed THEN a cart is started with the code", async () => {
    const s = new Shopper(store.url);
    await s.get(`/discount/${CODE}`);
    await s.postJson("/cart/add.js", { id: SHIRT, quantity: 2 });
    expect((await cartOf(s)).total_discount).toBe(960);
  });

  it("GIVEN a redirect to another origin WHEN the link is followed THEN the shopper is sent to / instead", async () => {
    const s = new Shopper(store.url);
    for (const to of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const res = await s.get(`/discount/${CODE}?redirect=${encodeURIComponent(to)}`);
      expect(res.headers.get("location")).toBe("/");
    }
  });
});

describe("checkout with a discount code", () => {
  interface Payload {
    total_price: string;
    subtotal_price: string;
    total_discounts: string;
    discount_codes: { code: string; amount: string; type: string }[];
    discount_applications: { type: string; code?: string; value: string; value_type: string }[];
  }
  async function pay(s: Shopper): Promise<Payload> {
    expect((await s.get("/checkout")).status).toBe(200);
    await s.postForm("/checkout", {});
    for (let i = 0; i < 200 && !store.webhooks.length; i++) await new Promise((r) => setTimeout(r, 10));
    return store.webhooks.find((w) => w.topic === "orders/create")!.payload as Payload;
  }

  it("GIVEN an applied code WHEN the shopper pays THEN the order and orders/create carry the code and the discounted totals", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }, { id: TEE, quantity: 1 }]);
    await applyCodes(s, CODE);
    const payload = await pay(s);
    expect(store.ctx.state.orders.at(-1)).toMatchObject({ discountCodes: [CODE], totalDiscounts: 6.8, total: 61.2 });
    expect(payload).toMatchObject({ total_discounts: "6.80", subtotal_price: "61.20", total_price: "61.20" });
    expect(payload.discount_codes).toEqual([{ code: CODE, amount: "6.80", type: "percentage" }]);
    expect(payload.discount_applications).toEqual([
      expect.objectContaining({ type: "discount_code", code: CODE, value: "10.0", value_type: "percentage" }),
    ]);
  });

  it("GIVEN a code that isn't applicable WHEN the shopper pays THEN the order has no code and no discount", async () => {
    const s = await shopperWith([{ id: SHIRT, quantity: 1 }]);
    await applyCodes(s, CODE);
    const payload = await pay(s);
    expect(store.ctx.state.orders.at(-1)).toMatchObject({ discountCodes: [], totalDiscounts: 0 });
    expect(payload.discount_codes).toEqual([]);
  });
});
