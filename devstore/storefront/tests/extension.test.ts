// The app's REAL theme app extension (extensions/recovery-plays-theme) rendered into the dev store theme.
// Skipped, with a message, while the extension isn't in the checkout.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_BANDS, DEFAULT_SETTINGS } from "../../../app/lib/plays/defaults";
import type { PublishedPlaysConfig } from "../../../app/lib/plays/types";
import type { DevMetafield } from "../../types";
import { DEFAULT_EXTENSION_DIR } from "../index";
import { Shopper, TEST_API_KEY, TEST_APP_ID, type TestStorefront, sampleStore, startStorefront } from "../testing";

const present = existsSync(path.join(DEFAULT_EXTENSION_DIR, "blocks", "app-embed.liquid"));
if (!present) console.warn(`[storefront] extension tests skipped: ${DEFAULT_EXTENSION_DIR}/blocks/app-embed.liquid not found yet`);

function configMetafield(config: PublishedPlaysConfig): DevMetafield {
  return {
    id: "1",
    ownerId: "gid://shopify/AppInstallation/1",
    // As metafieldsSet stores a `$app:recovery_plays` write.
    namespace: `app--${TEST_APP_ID}--recovery_plays`,
    key: "config",
    type: "json",
    value: JSON.stringify(config),
    updatedAt: "2025-01-01T00:00:00.000Z",
  };
}

const hostileHeading = `Peace of mind <script>alert("x")</script>`;
const config: PublishedPlaysConfig = {
  version: 1,
  bands: DEFAULT_BANDS,
  plays: { confidence: { ...DEFAULT_SETTINGS.confidence, message: { ...DEFAULT_SETTINGS.confidence.message, heading: hostileHeading } } },
  shop: { currency: "USD", aov: 80 },
  pageStats: {},
};

let store: TestStorefront;
const metafields: DevMetafield[] = [];
beforeEach(async () => {
  metafields.length = 0;
  metafields.push(configMetafield(config));
  store = await startStorefront({ metafields });
});
afterEach(() => store.close());

const embedLink = `/admin/themes/current/editor?context=apps&template=index&activateAppId=${TEST_API_KEY}/app-embed`;
const settingsData = () => JSON.parse(store.ctx.state.themeFiles["config/settings_data.json"]) as { current: { blocks: Record<string, { type: string; disabled: boolean }> } };

describe.skipIf(!present)("real theme app extension in the dev store", () => {
  it("GIVEN a fresh theme WHEN a page renders THEN the app embed is not there (embeds are off until enabled)", async () => {
    const html = await new Shopper(store.url).html("/products/linen-shirt");
    expect(html).not.toContain('id="rp-boot"');
    expect(html).not.toContain("recovery-plays.js");
  });

  it("GIVEN the onboarding deep link WHEN the merchant opens it THEN settings_data.json holds the enabled embed in Shopify's format", async () => {
    const res = await new Shopper(store.url).get(embedLink);
    expect(res.status).toBe(200);
    const blocks = Object.entries(settingsData().current.blocks);
    expect(blocks).toHaveLength(1);
    const [id, block] = blocks[0];
    expect(id).toMatch(/^\d+$/);
    expect(block.type).toBe("shopify://apps/recovery-plays/blocks/app-embed/6a4c9e7e-3f1b-4d8a-9c2e-5b7f0a1d2e3c");
    expect(block.disabled).toBe(false);
  });

  it("GIVEN the embed enabled and a play published WHEN a product page renders THEN the embed renders before </body> with the config and page context", async () => {
    await new Shopper(store.url).get(embedLink);
    const html = await new Shopper(store.url).html("/products/linen-shirt");
    const boot = /<script type="application\/json" id="rp-boot">([\s\S]*?)<\/script>/.exec(html);
    expect(boot).not.toBeNull();
    const parsed = JSON.parse(boot![1]) as { c: PublishedPlaysConfig; p: { k: string; pid: number; vid: number; li: boolean } };
    expect(parsed.c.plays.confidence?.message.heading).toBe(hostileHeading);
    expect(parsed.p).toMatchObject({ k: "product", pid: 101, vid: 1011, li: false });
    expect(html.indexOf('id="rp-boot"')).toBeGreaterThan(html.indexOf('id="shopify-section-footer"'));
    expect(html.indexOf('id="rp-boot"')).toBeLessThan(html.lastIndexOf("</body>"));
    expect(html).toMatch(/<div id="shopify-block-\d+" class="shopify-block shopify-app-block">/);
    expect(html).not.toContain("translation missing");
    expect(html).not.toContain('<script>alert("x")</script>');
  });

  it("GIVEN the embed enabled WHEN its script URL is fetched THEN the extension's own asset is served from the CDN-like path", async () => {
    await new Shopper(store.url).get(embedLink);
    const html = await new Shopper(store.url).html("/");
    const src = /<script src="(\/cdn\/extensions\/[^"]+\/assets\/recovery-plays\.js\?v=[^"]+)" type="module"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const res = await fetch(store.url + src);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
  });

  it("GIVEN the embed enabled but no play published WHEN a page renders THEN the embed outputs nothing of its own", async () => {
    metafields.length = 0;
    await new Shopper(store.url).get(embedLink);
    const html = await new Shopper(store.url).html("/");
    expect(html).not.toContain('id="rp-boot"');
  });

  it("GIVEN the embed enabled WHEN the merchant turns it off in the editor THEN pages no longer render it", async () => {
    const merchant = new Shopper(store.url);
    await merchant.get(embedLink);
    await merchant.postForm("/admin/themes/current/editor", { embed: "app-embed", enabled: "false" });
    expect(Object.values(settingsData().current.blocks)[0].disabled).toBe(true);
    expect(await new Shopper(store.url).html("/")).not.toContain('id="rp-boot"');
  });

  it("GIVEN the policy page WHEN the embed renders THEN the page kind is 'info' (returns/shipping views count)", async () => {
    await new Shopper(store.url).get(embedLink);
    const html = await new Shopper(store.url).html("/policies/refund-policy");
    expect(JSON.parse(/id="rp-boot">([\s\S]*?)<\/script>/.exec(html)![1]).p.k).toBe("info");
  });

  it("GIVEN a cart with attributes WHEN the cart page renders with the embed THEN the cart snapshot reaches the embed", async () => {
    await new Shopper(store.url).get(embedLink);
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 2 });
    await s.postJson("/cart/update.js", { attributes: { _rp_plays: "confidence:treatment:shown" } });
    const boot = JSON.parse(/id="rp-boot">([\s\S]*?)<\/script>/.exec(await s.html("/cart"))![1]) as { p: { k: string; t: number; i: number[][]; a: string } };
    expect(boot.p).toMatchObject({ k: "cart", t: 9600, i: [[101, 2]], a: "confidence:treatment:shown" });
  });

  it("GIVEN the add-app-block deep link for the cart WHEN opened THEN templates/cart.json holds the block in the main section and the cart renders it", async () => {
    const res = await new Shopper(store.url).get(`/admin/themes/current/editor?template=cart&addAppBlockId=${TEST_API_KEY}/cart-confidence&target=mainSection`);
    expect(res.status).toBe(200);
    const tpl = JSON.parse(store.ctx.state.themeFiles["templates/cart.json"]) as { sections: Record<string, { blocks: Record<string, { type: string }>; block_order: string[] }> };
    const main = tpl.sections["main-cart"];
    expect(main.block_order).toHaveLength(1);
    expect(main.blocks[main.block_order[0]].type).toContain("/blocks/cart-confidence/");
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const html = await s.html("/cart");
    const block = html.indexOf('data-rp-kind="returns_confidence"');
    expect(block).toBeGreaterThan(0);
    expect(block).toBeLessThan(html.indexOf("cart__checkout-button"));
    expect(html).toContain("Peace of mind &lt;script&gt;");
  });

  it("GIVEN a cart-only app block WHEN the merchant tries to add it to the product template THEN the editor refuses", async () => {
    const res = await new Shopper(store.url).get(`/admin/themes/current/editor?template=product&addAppBlockId=${TEST_API_KEY}/cart-confidence&target=mainSection`);
    expect(res.status).toBe(422);
  });

  it("GIVEN the newAppsSection target WHEN a product block is added THEN a new apps section follows the main section and renders it", async () => {
    const handle = "bundle-offer";
    await new Shopper(store.url).get(`/admin/themes/current/editor?template=product&addAppBlockId=${TEST_API_KEY}/${handle}&target=newAppsSection`);
    const tpl = JSON.parse(store.ctx.state.themeFiles["templates/product.json"]) as { order: string[]; sections: Record<string, { type: string }> };
    expect(tpl.order[0]).toBe("main");
    expect(tpl.sections[tpl.order[1]].type).toBe("apps");
    const html = await new Shopper(store.url).html("/products/linen-shirt");
    expect(html).toContain("shopify-section--apps");
  });

  it("GIVEN an unknown api key in the deep link WHEN opened THEN the editor reports it and changes nothing", async () => {
    const before = store.ctx.state.themeFiles["config/settings_data.json"];
    const res = await new Shopper(store.url).get("/admin/themes/current/editor?context=apps&activateAppId=someone-else/app-embed");
    expect(res.status).toBe(404);
    expect(store.ctx.state.themeFiles["config/settings_data.json"]).toBe(before);
  });
});

describe.skipIf(!present)("payment options as Shopify renders them", () => {
  const vipConfig: PublishedPlaysConfig = { ...config, plays: { vip: DEFAULT_SETTINGS.vip } };
  const vipCart = async (paymentMethods: string[]) => {
    await store.close();
    const data = sampleStore();
    data.shop.paymentMethods = paymentMethods;
    store = await startStorefront({ data, metafields: [configMetafield(vipConfig)] });
    await new Shopper(store.url).get(embedLink);
    const s = new Shopper(store.url);
    await s.postJson("/cart/add.js", { id: 1011, quantity: 1 });
    const html = await s.html("/cart");
    const tpl = /<template data-rp-fallback="payment_options">([\s\S]*?)<\/template>/.exec(html);
    if (!tpl) throw new Error("no payment options template");
    return tpl[1];
  };

  it("GIVEN the shop's payment methods WHEN the VIP card renders THEN each shows as its Shopify payment type icon", async () => {
    const card = await vipCart(["Shop Pay", "Mastercard", "Amex", "Klarna"]);
    for (const type of ["shopify_pay", "master", "american_express", "klarna"]) expect(card).toContain(`aria-labelledby="pi-${type}"`);
    expect(card).toContain("Pay in instalments with Klarna at checkout.");
    expect(card).not.toContain("<shopify-payment-terms");
  });

  it("GIVEN a shop offering Shop Pay Installments WHEN the VIP card renders THEN Shopify's banner is in the big-order note, and the method is no payment type", async () => {
    const card = await vipCart(["Shop Pay", "Visa", "Shop Pay Installments"]);
    expect(card).toMatch(/data-rp-variant="bnpl" hidden>[\s\S]*<form[^>]*action="\/cart"[\s\S]*<shopify-payment-terms form-type="cart">/);
    expect(card).not.toContain("pi-shop_pay_installments");
    expect(card).not.toContain("Pay in instalments with");
  });

  it("GIVEN a shop without any pay-later method WHEN the VIP card renders THEN nothing speaks of instalments", async () => {
    const card = await vipCart(["Visa", "Mastercard", "PayPal"]);
    expect(card.replace(/<[^>]*>/g, " ")).not.toMatch(/instal|pay later|interest[- ]free/i);
  });
});

describe("Markets: a shopper in another currency", () => {
  it("GIVEN ?currency=EUR at a 0.9 rate WHEN the shopper browses THEN Shopify.currency says EUR at 0.9 and the Ajax product and recommendations prices are converted", async () => {
    await store.close();
    const data = sampleStore();
    data.shop.presentmentRates = { EUR: 0.9 };
    store = await startStorefront({ data, metafields: [] });
    const s = new Shopper(store.url);
    const html = await s.html("/?currency=EUR");
    expect(html).toContain('S.currency={active:"EUR",rate:"0.9"}');
    const shopPrice = (await (await fetch(`${store.url}/products/linen-shirt.js`)).json()) as { id: number; price: number };
    const inEuros = (await (await s.fetch("/products/linen-shirt.js")).json()) as { price: number; variants: { price: number }[] };
    expect(inEuros.price).toBe(Math.round(shopPrice.price * 0.9));
    expect(inEuros.variants[0].price).toBe(Math.round(shopPrice.price * 0.9));
    const recs = (await (await s.fetch(`/recommendations/products.json?product_id=${shopPrice.id}&limit=2`)).json()) as { products: { price: number; handle: string }[] };
    const plain = (await (await fetch(`${store.url}/recommendations/products.json?product_id=${shopPrice.id}&limit=2`)).json()) as { products: { price: number }[] };
    expect(recs.products.map((p) => p.price)).toEqual(plain.products.map((p) => Math.round(p.price * 0.9)));
  });
  it("GIVEN a currency the shop does not sell in WHEN asked for THEN prices stay in the shop's currency", async () => {
    const html = await new Shopper(store.url).html("/?currency=JPY");
    expect(html).toContain(`S.currency={active:"${store.ctx.state.shop.currencyCode}",rate:"1.0"}`);
  });
});
