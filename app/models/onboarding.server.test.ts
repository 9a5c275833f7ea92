import { describe, expect, it } from "vitest";
import { appBlockPlacedIn, deepLinks, embedEnabledIn, parseThemeJson, surfaceLiveness } from "./onboarding.server";
import { themeFiles } from "./adminStub.testkit";

const file = (files: ReturnType<typeof themeFiles>, name: string) => parseThemeJson(files.find((f) => f.filename === name)!.body.content);

describe("onboarding: theme state", () => {
  it("GIVEN settings_data.json with our embed enabled (and Shopify's comment header) WHEN read THEN the embed is on", () => {
    expect(embedEnabledIn(file(themeFiles({ embed: true }), "config/settings_data.json"))).toBe(true);
  });

  it("GIVEN our embed block marked disabled WHEN read THEN the embed is off", () => {
    expect(embedEnabledIn(file(themeFiles({ embed: false }), "config/settings_data.json"))).toBe(false);
  });

  it("GIVEN another app's embed enabled WHEN read THEN ours is still off", () => {
    const data = { current: { blocks: { x: { type: "shopify://apps/other-app/blocks/app-embed/123", disabled: false } } } };
    expect(embedEnabledIn(data)).toBe(false);
  });

  it("GIVEN a cart template with our block in a section WHEN read THEN the block is placed; without it THEN not", () => {
    const withBlock = themeFiles({ embed: true, cartBlock: true });
    const without = themeFiles({ embed: true, cartBlock: false });
    expect(appBlockPlacedIn(file(withBlock, "templates/cart.json"))).toBe(true);
    expect(appBlockPlacedIn(file(without, "templates/cart.json"))).toBe(false);
  });

  it("GIVEN our block inside a disabled section WHEN read THEN it does not count as placed", () => {
    const tpl = { sections: { main: { disabled: true, blocks: { a: { type: "shopify://apps/recovery-plays/blocks/cart-intervention/1" } } } } };
    expect(appBlockPlacedIn(tpl)).toBe(false);
  });

  it("GIVEN a shop and api key WHEN deep links are built THEN the embed link activates our app embed in the theme editor", () => {
    const links = deepLinks("demo.myshopify.com", "key123");
    expect(links.embed).toBe("https://demo.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=key123/app-embed");
    expect(links.cartBlock).toContain("template=cart&addAppBlockId=key123/cart-confidence");
  });
});

describe("onboarding: surface liveness", () => {
  const base = { theme: { embedEnabled: true, cartBlock: false, productBlock: true, themeName: "Dawn", error: null }, checkout: { done: true, evidence: "merchant" as const }, plan: { name: "Basic", shopifyPlus: false } };

  it("GIVEN the embed on and no cart block WHEN the cart surface is checked THEN it is live (the embed injects it)", () => {
    expect(surfaceLiveness("cart", base)).toMatchObject({ live: true, blockPlaced: false });
  });

  it("GIVEN the embed off WHEN the product surface is checked THEN it is not live because of the embed", () => {
    expect(surfaceLiveness("product", { ...base, theme: { ...base.theme, embedEnabled: false } })).toMatchObject({ live: false, reason: "embed" });
  });

  it("GIVEN a non-Plus shop WHEN the checkout surface is checked THEN it is not live because of the plan", () => {
    expect(surfaceLiveness("checkout", base)).toMatchObject({ live: false, reason: "checkoutPlan" });
  });

  it("GIVEN a Plus shop with checkout blocks placed WHEN the checkout surface is checked THEN it is live", () => {
    expect(surfaceLiveness("checkout", { ...base, plan: { name: "Plus", shopifyPlus: true } })).toMatchObject({ live: true });
  });
});
