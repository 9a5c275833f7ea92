// The dev store rendering Shopify's own themes (Horizon, Dawn) from the read-only fixtures in ../shared/themes,
// with the app's embed and blocks placed the way the theme editor would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireShared, sharedThemeDir } from "../../../tests/helpers/shared";
import { Shopper, type TestStorefront, startStorefront } from "../testing";
import { type CartType, readThemeDir, stripJsonComments } from "../themes/load";

const EMBED = /<div id="shopify-block-\d+" class="shopify-block shopify-app-block">/;

for (const name of ["horizon", "dawn"] as const) {
  const dir = sharedThemeDir(name);
  describe.skipIf(!requireShared(dir, `${name} theme fixture`))(`${name} theme`, () => {
    let store: TestStorefront;
    beforeAll(async () => {
      store = await startStorefront({ options: { theme: { dir } } });
    });
    afterAll(() => store?.close());

    it.each([
      ["/products/linen-shirt", "Linen Shirt"],
      ["/collections/all", "Cotton Tee"],
      ["/cart", "</form>"],
    ])(`GIVEN ${name} WHEN a shopper opens %s THEN the theme's page renders with the app embed and no missing translation`, async (path, text) => {
      const res = await new Shopper(store.url).get(path);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain(text);
      expect(html).toMatch(EMBED);
      expect(html.lastIndexOf("shopify-app-block")).toBeLessThan(html.lastIndexOf("</body>"));
      expect(html).not.toMatch(/translation missing: en\.(?!sections\.cart\.title|templates\.search\.title)/);
      expect(html).not.toMatch(/<!-- (section|block) [\w-]+ not found -->/);
      // Dynamic sources in block settings are resolved, not printed.
      expect(html).not.toMatch(/\{\{ (closest\.|product\.)/);
    });

    it(`GIVEN ${name} WHEN the product page renders THEN the app's product block is inside the theme's main product section`, async () => {
      const html = await new Shopper(store.url).html("/products/linen-shirt");
      const main = html.indexOf('id="shopify-section-template--');
      const block = html.indexOf("shopify-app-block", main);
      expect(main).toBeGreaterThan(-1);
      expect(html.slice(main + 1, block)).not.toContain('id="shopify-section-');
    });

    it(`GIVEN ${name} and a cart WHEN /cart/add.js asks for sections THEN the rendered sections come back in "sections"`, async () => {
      const shopper = new Shopper(store.url);
      // The section the theme's own JS asks for: Horizon's cart page section, Dawn's drawer.
      const section = name === "horizon" ? "main-cart" : "cart-drawer";
      const res = await shopper.postJson("/cart/add.js", { id: 1011, quantity: 2, sections: section });
      const body = (await res.json()) as { quantity: number; sections: Record<string, string | null> };
      expect(res.status).toBe(200);
      expect(body.quantity).toBe(2);
      const html = body.sections[section];
      expect(html).toContain("Linen Shirt");
    });

    it(`GIVEN ${name} WHEN a page is asked for ?sections= THEN a JSON object of section HTML keyed by id answers`, async () => {
      const res = await new Shopper(store.url).get("/products/linen-shirt?sections=main");
      const body = (await res.json()) as Record<string, string | null>;
      expect(body.main).toContain("Linen Shirt");
      expect(body.main).toMatch(/^<\w+ id="shopify-section-template--[0-9a-f]+__main"/);
    });
  });
}

describe.skipIf(!requireShared(sharedThemeDir("dawn"), "dawn theme fixture"))("cart type override", () => {
  const render = async (cartType?: CartType) => {
    const store = await startStorefront({ options: { theme: { dir: sharedThemeDir("dawn"), cartType } } });
    try {
      return await new Shopper(store.url).html("/products/linen-shirt");
    } finally {
      await store.close();
    }
  };

  it("GIVEN Dawn with its default settings WHEN the product page renders THEN the cart notification is on the page", async () => {
    const html = await render();
    expect(html).toContain("<cart-notification");
    expect(html).not.toContain("<cart-drawer");
  });

  it("GIVEN Dawn with cart type drawer WHEN the product page renders THEN the cart drawer replaces the notification", async () => {
    const html = await render("drawer");
    expect(html).toContain("<cart-drawer");
    expect(html).not.toContain("<cart-notification");
  });
});

describe.skipIf(!requireShared(sharedThemeDir("dawn"), "dawn theme fixture"))("theme settings objects", () => {
  it("GIVEN Dawn's colour schemes, fonts and header group WHEN a page renders THEN scheme classes carry their colours, fonts their family, group sections their group class", async () => {
    const store = await startStorefront({ options: { theme: { dir: sharedThemeDir("dawn") } } });
    const html = await new Shopper(store.url).html("/");
    await store.close();
    expect(html).toMatch(/\.color-scheme-2 \{\s*--color-background: 243,243,243;/);
    expect(html).toContain("--payment-terms-background-color: rgb(255 255 255);");
    expect(html).not.toContain(".color-,");
    expect(html).toMatch(/--font-body-family: Assistant, sans-serif;/);
    // Dawn lifts its header (and the cart notification inside it) with `.section-header.shopify-section-group-header-group`.
    expect(html).toMatch(/<div id="shopify-section-sections--[0-9a-f]+__header" class="shopify-section shopify-section-group-header-group section-header">/);
  });
});

describe("theme files", () => {
  it("GIVEN JSON with a banner, line comments and comment-like strings WHEN comments are stripped THEN it parses with the strings intact", () => {
    const text = '/* generated */\n{\n  // note\n  "a": "http://x/*y*/", "b": "q\\"//r" /* c */\n}';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: "http://x/*y*/", b: 'q"//r' });
  });

  it.skipIf(!requireShared(sharedThemeDir("horizon"), "horizon theme fixture"))(
    "GIVEN the Horizon folder WHEN it is read twice THEN the second read is the cached object",
    () => {
      const a = readThemeDir(sharedThemeDir("horizon"));
      expect(readThemeDir(sharedThemeDir("horizon"))).toBe(a);
      expect(Object.keys(a)).toContain("blocks/buy-buttons.liquid");
    },
  );
});

describe.skipIf(!requireShared(sharedThemeDir("horizon"), "horizon theme fixture"))("theme JavaScript support", () => {
  let store: TestStorefront;
  beforeAll(async () => {
    store = await startStorefront({ options: { theme: { dir: sharedThemeDir("horizon") } } });
  });
  afterAll(() => store?.close());

  it("GIVEN Horizon's import map WHEN a page renders THEN @shopify/events points at the dev store's module, which is served", async () => {
    const html = await new Shopper(store.url).html("/products/linen-shirt");
    const url = /"@shopify\/events":\s*"([^"]+)"/.exec(html)?.[1];
    expect(url).toBe("/cdn/shopifycloud/storefront/standard-events.js");
    const res = await new Shopper(store.url).get(url!);
    expect(res.headers.get("content-type")).toContain("javascript");
    expect(await res.text()).toContain("export class ShopifyStandardEvent");
  });

  it("GIVEN a browser's FormData (mixed-case boundary) WHEN the theme posts to /cart/add with X-Requested-With THEN the line comes back as JSON", async () => {
    const b = "----WebKitFormBoundaryAgBIIO8BWuxMDyOb";
    const fields = [["id", "1011"], ["quantity", "3"]];
    const body = fields.map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${b}--\r\n`;
    const res = await new Shopper(store.url).fetch("/cart/add", {
      method: "POST",
      body,
      headers: { "content-type": `multipart/form-data; boundary=${b}`, "x-requested-with": "XMLHttpRequest" },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { quantity: number }).quantity).toBe(3);
  });

  // Bundled section rendering uses `sections_url`, else the Referer page; Horizon's drawer renders only outside /cart.
  const addWithDrawer = (extra: Record<string, string>, headers: Record<string, string> = {}) =>
    new Shopper(store.url)
      .fetch("/cart/add.js", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ id: 1011, quantity: 1, sections: "cart-drawer-section", ...extra }),
      })
      .then((r) => r.json() as Promise<{ sections: Record<string, string | null> }>);

  it("GIVEN Horizon's add-to-cart from a product page (Referer, no sections_url) WHEN the drawer section comes back THEN it is rendered for that page, with the new line", async () => {
    const body = await addWithDrawer({}, { referer: `${store.url}/products/linen-shirt` });
    expect(body.sections["cart-drawer-section"]).toContain("cart-items__table-row");
    expect(body.sections["cart-drawer-section"]).toContain("Linen Shirt");
  });

  it("GIVEN sections_url=/cart WHEN the drawer section comes back THEN it is rendered for the cart page, where Horizon has no drawer", async () => {
    const body = await addWithDrawer({ sections_url: "/cart" }, { referer: `${store.url}/products/linen-shirt` });
    expect(body.sections["cart-drawer-section"]).not.toContain("cart-items__table-row");
  });
});
