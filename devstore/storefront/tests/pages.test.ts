import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Shopper, type TestStorefront, startStorefront } from "../testing";

let store: TestStorefront;
beforeAll(async () => {
  store = await startStorefront();
});
afterAll(() => store.close());

describe("storefront templates", () => {
  it.each([
    ["/", "template-index", "Featured products"],
    ["/collections/all", "template-collection", "Linen Shirt"],
    ["/collections/kitchen", "template-collection", "Chef Knife"],
    ["/products/linen-shirt", "template-product", 'action="/cart/add"'],
    ["/cart", "template-cart", "Your cart is empty"],
    ["/policies/refund-policy", "template-policy", "Free 30-day returns on every order."],
    ["/policies/shipping-policy", "template-policy", "Free shipping on orders over $75."],
    ["/pages/contact", "template-page", "hello@test-shop.example"],
    ["/account/login", "template-customers-login", 'name="customer[email]"'],
    ["/search?q=linen", "template-search", "Linen Shirt"],
  ])("GIVEN the dev store WHEN a shopper opens %s THEN the page renders with its template", async (path, bodyClass, text) => {
    const res = await new Shopper(store.url).get(path);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain(`class="${bodyClass}"`);
    expect(html).toContain(text);
    expect(html).toContain("S.customerPrivacy={");
    expect(html).not.toContain("translation missing");
  });

  it("GIVEN an unknown product WHEN it is requested THEN the 404 template answers with status 404", async () => {
    const res = await new Shopper(store.url).get("/products/does-not-exist");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Page not found");
  });

  it("GIVEN a path outside the storefront WHEN it is requested THEN the handler leaves it to the server", async () => {
    const res = await new Shopper(store.url).get("/admin/api/2026-07/graphql.json");
    expect(await res.text()).toBe("not a storefront path");
  });

  it("GIVEN product text with markup WHEN the collection renders THEN the title is escaped", async () => {
    const html = await new Shopper(store.url).html("/collections/kitchen");
    expect(html).toContain("Cutting &lt;Board&gt;");
    expect(html).not.toContain("Cutting <Board>");
  });

  it("GIVEN a product with a sold-out variant WHEN the product page renders THEN that option is disabled and prices are money-formatted", async () => {
    const html = await new Shopper(store.url).html("/products/wool-sweater");
    expect(html).toMatch(/<option value="1032"[^>]*disabled>Large &ndash; \$95\.00<\/option>/);
    expect(html).toContain("$90.00");
  });

  it("GIVEN more products than a page WHEN a collection page beyond the end is asked THEN it clamps to the last page", async () => {
    const html = await new Shopper(store.url).html("/collections/all?page=9");
    expect(html).toContain("Linen Shirt");
    expect(html).not.toContain('rel="next"');
  });

  it("GIVEN the Section Rendering API WHEN ?sections=main-cart is asked THEN only that section's HTML comes back as JSON", async () => {
    const res = await new Shopper(store.url).get("/cart?sections=main-cart,nope");
    const body = (await res.json()) as Record<string, string | null>;
    expect(body["main-cart"]).toContain('id="shopify-section-template--');
    expect(body["main-cart"]).toContain("<cart-items");
    expect(body.nope).toBeNull();
  });

  it("GIVEN theme assets WHEN the layout links them THEN they are served locally with long caching", async () => {
    const html = await new Shopper(store.url).html("/");
    const href = /href="(\/cdn\/shop\/t\/1\/assets\/base\.css\?v=[^"]+)"/.exec(html)?.[1];
    expect(href).toBeDefined();
    const res = await fetch(store.url + href);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
    expect(res.headers.get("cache-control")).toContain("immutable");
  });

  it("GIVEN any page WHEN its HTML is scanned THEN it references no external origin", async () => {
    for (const path of ["/", "/collections/all", "/products/linen-shirt", "/cart"]) {
      const html = await new Shopper(store.url).html(path);
      const external = [...html.matchAll(/(?:src|href)="(https?:)?\/\/[^"]*"/g)].map((m) => m[0]);
      expect(external, path).toEqual([]);
    }
  });

  it("GIVEN a product image WHEN its placeholder URL is fetched THEN a local SVG comes back", async () => {
    const res = await fetch(`${store.url}/cdn/shop/files/linen-shirt.svg?width=400`);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(await res.text()).toContain("<svg");
  });

  it("GIVEN the storefront WHEN the theme files are read from the store data THEN the theme is there for the Admin API", () => {
    expect(Object.keys(store.ctx.state.themeFiles)).toEqual(expect.arrayContaining(["layout/theme.liquid", "config/settings_data.json", "templates/cart.json", "templates/product.json"]));
  });

  it("GIVEN an edited theme file WHEN the page is rendered again THEN the edit shows (parse cache follows content)", async () => {
    const key = "sections/rich-text.liquid";
    const before = store.ctx.state.themeFiles[key];
    store.ctx.state.themeFiles[key] = before.replace('<div class="rich-text">', '<div class="rich-text" data-edited="yes">');
    try {
      expect(await new Shopper(store.url).html("/")).toContain('data-edited="yes"');
    } finally {
      store.ctx.state.themeFiles[key] = before;
    }
    expect(await new Shopper(store.url).html("/")).not.toContain('data-edited="yes"');
  });
});
