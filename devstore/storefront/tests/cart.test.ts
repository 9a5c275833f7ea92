import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Shopper, type TestStorefront, startStorefront } from "../testing";

let store: TestStorefront;
beforeAll(async () => {
  store = await startStorefront();
});
afterAll(() => store.close());

interface CartJson {
  token: string;
  item_count: number;
  total_price: number;
  original_total_price: number;
  total_discount: number;
  attributes: Record<string, string>;
  note: string | null;
  items: { id: number; key: string; quantity: number; price: number; line_price: number; product_id: number; properties: Record<string, string> }[];
}

const cartOf = async (s: Shopper) => (await (await s.get("/cart.js")).json()) as CartJson;

describe("Ajax Cart API", () => {
  it("GIVEN a new shopper WHEN /cart.js is read THEN an empty cart in cents comes back", async () => {
    const cart = await cartOf(new Shopper(store.url));
    expect(cart).toMatchObject({ item_count: 0, total_price: 0, items: [], attributes: {} });
  });

  it("GIVEN a JSON add WHEN /cart/add.js is posted THEN the line is returned and the cart keeps it", async () => {
    const s = new Shopper(store.url);
    const res = await s.postJson("/cart/add.js", { id: 1011, quantity: 2 });
    expect(res.status).toBe(200);
    const line = (await res.json()) as { id: number; quantity: number; price: number; line_price: number };
    expect(line).toMatchObject({ id: 1011, quantity: 2, price: 4800, line_price: 9600 });
    const cart = await cartOf(s);
    expect(cart.item_count).toBe(2);
    expect(cart.total_price).toBe(9600);
    expect(s.cookies.get("cart")).toBe(cart.token);
  });

  it("GIVEN a form-encoded add with items[] WHEN posted THEN every item is added and an items list returns", async () => {
    const s = new Shopper(store.url);
    const res = await s.fetch("/cart/add.js", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "items[][id]=1011&items[][quantity]=1&items[][id]=1021&items[][quantity]=3",
    });
    const body = (await res.json()) as { items: { id: number; quantity: number }[] };
    expect(body.items.map((i) => [i.id, i.quantity])).toEqual([
      [1011, 1],
      [1021, 3],
    ]);
    expect((await cartOf(s)).item_count).toBe(4);
  });

  it("GIVEN a multipart FormData add (what Dawn sends) WHEN posted THEN the item is added", async () => {
    const s = new Shopper(store.url);
    const form = new FormData();
    form.set("id", "1021");
    form.set("quantity", "2");
    form.set("properties[Engraving]", "Hi");
    const res = await s.fetch("/cart/add.js", { method: "POST", body: form });
    expect(res.status).toBe(200);
    const cart = await cartOf(s);
    expect(cart.items[0]).toMatchObject({ id: 1021, quantity: 2, properties: { Engraving: "Hi" } });
  });

  it("GIVEN an unknown variant WHEN added THEN a Shopify-shaped 422 error comes back and the cart is unchanged", async () => {
    const s = new Shopper(store.url);
    const res = await s.postJson("/cart/add.js", { id: 999999, quantity: 1 });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ status: 422, message: "Cart Error", description: "Cannot find variant" });
    expect((await cartOf(s)).item_count).toBe(0);
  });

  it("GIVEN a sold-out variant WHEN added THEN 422 says it is sold out", async () => {
    const res = await new Shopper(store.url).postJson("/cart/add.js", { id: 1032, quantity: 1 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { description: string }).description).toContain("sold out");
  });

  it("GIVEN more than the inventory WHEN added THEN 422 and nothing is added", async () => {
    const s = new Shopper(store.url);
    const res = await s.postJson("/cart/add.js", { id: 1031, quantity: 6 });
    expect(res.status).toBe(422);
    expect((await cartOf(s)).item_count).toBe(0);
  });

  it("GIVEN a cart with two lines WHEN /cart/change.js sets line 1 to 0 THEN that line is removed", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { items: [{ id: 1011, quantity: 1 }, { id: 1021, quantity: 1 }] });
    const res = await s.postJson("/cart/change.js", { line: 1, quantity: 0 });
    const cart = (await res.json()) as CartJson;
    expect(cart.items.map((i) => i.id)).toEqual([1021]);
  });

  it("GIVEN a cart line WHEN /cart/change.js targets it by key THEN its quantity changes", async () => {
    const s = new Shopper(store.url);
    const line = (await (await s.postJson("/cart/add.js", { id: 1011, quantity: 1 })).json()) as { key: string };
    const cart = (await (await s.postJson("/cart/change.js", { id: line.key, quantity: 3 })).json()) as CartJson;
    expect(cart.items[0].quantity).toBe(3);
  });

  it("GIVEN a change for a line that doesn't exist WHEN posted THEN 400 comes back", async () => {
    const res = await new Shopper(store.url).postJson("/cart/change.js", { line: 5, quantity: 1 });
    expect(res.status).toBe(400);
  });

  it("GIVEN cart attributes WHEN /cart/update.js sets and blanks them THEN set ones stay and blank ones are removed", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/update.js", { attributes: { _rp_vid: "v-123", _rp_plays: "confidence:treatment:shown", gift: "yes" }, note: "leave at door" });
    const res = await s.postJson("/cart/update.js", { attributes: { gift: "" } });
    const cart = (await res.json()) as CartJson;
    expect(cart.attributes).toEqual({ _rp_vid: "v-123", _rp_plays: "confidence:treatment:shown" });
    expect(cart.note).toBe("leave at door");
  });

  it("GIVEN /cart/update.js with updates by variant id WHEN posted THEN quantities are set and new variants added", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const cart = (await (await s.postJson("/cart/update.js", { updates: { 1011: 4, 1041: 1 } })).json()) as CartJson;
    expect(cart.items.map((i) => [i.id, i.quantity])).toEqual([
      [1011, 4],
      [1041, 1],
    ]);
  });

  it("GIVEN a cart with items and attributes WHEN /cart/clear.js is posted THEN items go and attributes stay", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    await s.postJson("/cart/update.js", { attributes: { _rp_vid: "v-1" } });
    const cart = (await (await s.postJson("/cart/clear.js", {})).json()) as CartJson;
    expect(cart.item_count).toBe(0);
    expect(cart.attributes).toEqual({ _rp_vid: "v-1" });
  });

  it("GIVEN a change with sections WHEN posted THEN the re-rendered sections come back with the cart", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const body = (await (await s.postJson("/cart/change.js", { line: 1, quantity: 2, sections: ["main-cart"] })).json()) as { sections: Record<string, string> };
    expect(body.sections["main-cart"]).toContain('value="2"');
  });

  it("GIVEN the plain product form WHEN posted without JavaScript THEN the item is added and the shopper is sent to /cart", async () => {
    const s = new Shopper(store.url);
    const res = await s.postForm("/cart/add", { form_type: "product", id: "2011", quantity: "1" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/cart");
    expect(await s.html("/cart")).toContain("Chef Knife");
  });

  it("GIVEN both bundle products in the cart WHEN priced THEN the active automatic bundle discount applies to them", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { items: [{ id: 2011, quantity: 1 }, { id: 2021, quantity: 1 }] });
    const cart = await cartOf(s);
    expect(cart.original_total_price).toBe(15500);
    expect(cart.total_discount).toBe(1550);
    expect(cart.total_price).toBe(13950);
  });

  it("GIVEN only one of the bundle products WHEN priced THEN no bundle discount applies", async () => {
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 2011, quantity: 2 });
    expect((await cartOf(s)).total_discount).toBe(0);
  });
});

describe("product recommendations", () => {
  it("GIVEN a product with related products WHEN related recommendations are asked THEN they come back in Ajax product format", async () => {
    const res = await fetch(`${store.url}/recommendations/products.json?product_id=101&limit=4&intent=related`);
    const body = (await res.json()) as { intent: string; products: { id: number; handle: string; price: number }[] };
    expect(body.intent).toBe("related");
    expect(body.products.map((p) => p.handle)).toEqual(["cotton-tee", "wool-sweater"]);
    expect(body.products[0].price).toBe(2000);
  });

  it("GIVEN a product with complementary products WHEN complementary recommendations are asked THEN those come back", async () => {
    const body = (await (await fetch(`${store.url}/recommendations/products.json?product_id=201&intent=complementary`)).json()) as { products: { handle: string }[] };
    expect(body.products.map((p) => p.handle)).toEqual(["cutting-board"]);
  });

  it("GIVEN a limit WHEN recommendations are asked THEN no more than the limit come back", async () => {
    const body = (await (await fetch(`${store.url}/recommendations/products.json?product_id=101&limit=1`)).json()) as { products: unknown[] };
    expect(body.products).toHaveLength(1);
  });

  it("GIVEN no product_id WHEN recommendations are asked THEN 422", async () => {
    expect((await fetch(`${store.url}/recommendations/products.json`)).status).toBe(422);
  });

  it("GIVEN an unknown product WHEN recommendations are asked THEN 404", async () => {
    expect((await fetch(`${store.url}/recommendations/products.json?product_id=424242`)).status).toBe(404);
  });

  it("GIVEN a product handle WHEN /products/<handle>.js is fetched THEN the Ajax product JSON comes back", async () => {
    const body = (await (await fetch(`${store.url}/products/wool-sweater.js`)).json()) as { id: number; variants: { id: number; available: boolean }[] };
    expect(body.id).toBe(103);
    expect(body.variants.map((v) => [v.id, v.available])).toEqual([
      [1031, true],
      [1032, false],
    ]);
  });
});
