// A shopper browsing in another currency than the shop's (Markets) sees the app's money in that currency: the bundle
// strip's prices, converted by Shopify's Ajax API and formatted in the shopper's currency, never in the shop's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, startStack, type Stack } from "./harness";
import { enableThemeExtension, newShopper, openAdmin, setPlay, visibleText, visitorIn } from "./journeys";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ quiet: true });
  browser = await launchBrowser();
  await enableThemeExtension(browser, stack, [{ handle: "bundle-offer", template: "product" }]);
  const admin = await openAdmin(browser, stack, "Plays");
  await setPlay(admin, "deal_seeker", true);
  await admin.page.context().close();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("a shopper in a non-shop currency", () => {
  it("GIVEN a shopper browsing in euros in a dollar shop WHEN the bundle offer shows THEN its prices are the converted ones, in euros", async () => {
    const shop = stack.devstore.state.shop;
    expect(shop.currencyCode).toBe("USD");
    const rate = shop.presentmentRates!.EUR;
    const s = await newShopper(browser, stack, visitorIn("deal_seeker", "treatment"));
    await s.page.goto(`${stack.storeUrl}/?currency=EUR`);
    const handle = stack.devstore.state.products[1].handle;
    for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/products/${handle}`);
    expect(await visibleText(s.page, "Better Together: Bundle & Save")).toBe(true);
    const strip = s.page.locator("[data-rp-recs] li").first();
    await strip.waitFor({ timeout: 15_000 });
    const regular = (await strip.locator("s").innerText()).trim();
    // The product the strip shows, in the shop's dollars, from the dev store itself.
    const title = (await strip.locator("[data-f=title]").innerText()).trim();
    const product = stack.devstore.state.products.find((p) => p.title === title)!;
    const euros = Math.round(Math.min(...product.variants.map((v) => Math.round(Number(v.price) * 100))) * rate) / 100;
    expect(regular).toBe(new Intl.NumberFormat("en", { style: "currency", currency: "EUR" }).format(euros));
    expect(regular).not.toContain("$");
    await s.context.close();
  });
});
