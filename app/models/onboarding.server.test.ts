import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, validate } from "graphql";
import prisma from "../db.server";
import { adminSchema } from "../graphql/schema.server";
import type { AdminGraphqlClient } from "./adminData.server";
import { adminBaseUrl, appBlockPlacedIn, cartTypeIn, checkoutSectionIn, deepLinks, embedEnabledIn, missingScopes, onboardingState, parseThemeJson, surfaceLiveness } from "./onboarding.server";
import { themeFiles } from "../../tests/helpers/adminStub";
import { rollupEvents } from "./rollup.server";

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

describe("onboarding: cart block for the active theme's cart", () => {
  it("GIVEN settings_data with cart_type on current or on the named preset WHEN read THEN that cart type is returned", () => {
    expect(cartTypeIn({ current: { cart_type: "drawer" } })).toBe("drawer");
    expect(cartTypeIn({ current: "Default", presets: { Default: { cart_type: "notification" } } })).toBe("notification");
    expect(cartTypeIn({ current: { cart_type: "sideways" } })).toBeNull();
  });

  it("GIVEN a Dawn-like cart template WHEN the checkout section is looked up THEN the cart footer section is chosen", () => {
    const tpl = { sections: { "cart-items": { type: "main-cart-items" }, "cart-footer": { type: "main-cart-footer" }, recs: { type: "related-products" } } };
    expect(checkoutSectionIn(tpl)).toBe("cart-footer");
    expect(checkoutSectionIn({ sections: { main: { type: "main-cart" } } })).toBe("main");
  });

  it("GIVEN a theme with a cart drawer or notification WHEN deep links are built THEN the cart link turns on the app embed that places plays in the drawer", () => {
    for (const cartType of ["drawer", "notification"] as const) {
      const links = deepLinks("demo.myshopify.com", "k", null, { cartType, checkoutSection: "main" });
      expect(links.cartBlock).toBe(links.embed);
    }
  });

  it("GIVEN a theme with a cart page WHEN deep links are built THEN the cart block is added into the section holding checkout", () => {
    const links = deepLinks("demo.myshopify.com", "k", null, { cartType: "page", checkoutSection: "cart-footer" });
    expect(links.cartBlock).toBe("https://demo.myshopify.com/admin/themes/current/editor?template=cart&addAppBlockId=k/cart-confidence&target=sectionId:cart-footer");
  });
});

describe("onboarding: admin URL and scopes", () => {
  it("GIVEN launch URLs in either admin form WHEN the admin base is derived THEN the links open in that admin", () => {
    expect(adminBaseUrl("demo.myshopify.com", "https://admin.shopify.com/store/demo/apps/recovery-plays")).toBe("https://admin.shopify.com/store/demo");
    expect(adminBaseUrl("demo.myshopify.com", "https://demo.myshopify.com/admin/apps/abc")).toBe("https://demo.myshopify.com/admin");
    expect(deepLinks("demo.myshopify.com", "k", "http://127.0.0.1:4100/admin/apps/k").embed).toBe("http://127.0.0.1:4100/admin/themes/current/editor?context=apps&activateAppId=k/app-embed");
  });

  it("GIVEN no or a malformed launch URL WHEN the admin base is derived THEN the documented https://<myshopifyDomain>/admin is used", () => {
    expect(adminBaseUrl("demo.myshopify.com", null)).toBe("https://demo.myshopify.com/admin");
    expect(adminBaseUrl("demo.myshopify.com", "javascript:alert(1)/apps/x")).toBe("https://demo.myshopify.com/admin");
  });

  it("GIVEN required and granted scopes WHEN compared THEN only ungranted ones are missing (write_x covers read_x)", () => {
    expect(missingScopes(["read_orders", "read_all_orders", "read_discounts"], ["read_orders", "write_discounts"])).toEqual(["read_all_orders"]);
  });
});

describe("onboarding: surface liveness", () => {
  const base = { theme: { embedEnabled: true, cartBlock: false, productBlock: true, cartType: "notification" as const, themeName: "Dawn", error: null }, checkout: { done: true, evidence: "merchant" as const }, plan: { name: "Basic", shopifyPlus: false } };

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

describe("onboarding: shop facts stored on the Shop row", () => {
  /**
   * An Admin client answering the onboarding query: the document is validated against the pinned schema first, and
   * the zone is answered only when the document selects it (as Shopify would).
   */
  function adminAnswering(shopFacts: Record<string, unknown>): AdminGraphqlClient {
    return {
      graphql: async (query) => {
        const errors = validate(adminSchema(), parse(query));
        const body = errors.length
          ? { errors: errors.map((e) => ({ message: e.message })) }
          : {
              data: {
                shop: { myshopifyDomain: "tz.myshopify.com", currencyCode: "EUR", plan: { publicDisplayName: "Basic", shopifyPlus: false, partnerDevelopment: false }, ...(/\bianaTimezone\b/.test(query) ? shopFacts : {}) },
                themes: { nodes: [] },
              },
            };
        return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
      },
    };
  }
  const zoneOf = async (shop: string) => (await prisma.shop.findUniqueOrThrow({ where: { shop } })).ianaTimezone;

  it("GIVEN the Admin API reports the shop's IANA zone WHEN the setup guide reads the shop THEN the zone is stored with the currency", async () => {
    await onboardingState("tz-a.myshopify.com", adminAnswering({ ianaTimezone: "Europe/Berlin" }), "key");
    const row = await prisma.shop.findUniqueOrThrow({ where: { shop: "tz-a.myshopify.com" } });
    expect([row.ianaTimezone, row.currencyCode]).toEqual(["Europe/Berlin", "EUR"]);
  });

  it("GIVEN a stored zone WHEN the shop moves to another zone THEN the new zone replaces it", async () => {
    await onboardingState("tz-b.myshopify.com", adminAnswering({ ianaTimezone: "Europe/Berlin" }), "key");
    await onboardingState("tz-b.myshopify.com", adminAnswering({ ianaTimezone: "America/Los_Angeles" }), "key");
    expect(await zoneOf("tz-b.myshopify.com")).toBe("America/Los_Angeles");
  });

  it("GIVEN a zone this runtime does not know (or none) WHEN the shop is read THEN the page still loads and no zone is stored over the known one", async () => {
    const state = await onboardingState("tz-c.myshopify.com", adminAnswering({ ianaTimezone: "Mars/Olympus_Mons" }), "key");
    expect(state.shopDomain).toBe("tz.myshopify.com");
    expect(await zoneOf("tz-c.myshopify.com")).toBeNull();
    await onboardingState("tz-c.myshopify.com", adminAnswering({ ianaTimezone: "Asia/Tokyo" }), "key");
    await onboardingState("tz-c.myshopify.com", adminAnswering({ ianaTimezone: "" }), "key");
    expect(await zoneOf("tz-c.myshopify.com")).toBe("Asia/Tokyo");
  });

  describe("daily stats follow the stored zone", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });
    const LA = "America/Los_Angeles";
    const days = async (shop: string) => (await prisma.dailyPlayStat.findMany({ where: { shop }, orderBy: { day: "asc" } })).map((d) => [d.day, d.eligible]);
    async function rolledUpInUtc(shop: string) {
      // 05:00 UTC on March 2nd is March 1st in Los Angeles.
      await prisma.event.create({ data: { shop, visitorId: "visitor-a", type: "eligible", play: "vip", arm: "treatment", occurredAt: new Date("2026-03-02T05:00:00Z") } });
      await rollupEvents(shop, { settleMs: 0 });
      expect(await days(shop)).toEqual([["2026-03-02", 1]]);
    }

    it("GIVEN stats on UTC days WHEN the setup guide first stores the shop's zone THEN the stats move to its local days", async () => {
      const shop = "tz-d.myshopify.com";
      await rolledUpInUtc(shop);
      await onboardingState(shop, adminAnswering({ ianaTimezone: LA }), "key");
      expect(await days(shop)).toEqual([["2026-03-01", 1]]);
      expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).statsZone).toBe(LA);
    });

    it("GIVEN the zone already in use WHEN the setup guide stores the same zone again THEN nothing is rebuilt", async () => {
      const shop = "tz-e.myshopify.com";
      await onboardingState(shop, adminAnswering({ ianaTimezone: LA }), "key");
      const tx = vi.spyOn(prisma, "$transaction");
      await onboardingState(shop, adminAnswering({ ianaTimezone: LA }), "key");
      expect(tx).not.toHaveBeenCalled();
    });

    it("GIVEN the rebuild fails WHEN the setup guide stores a new zone THEN the page still loads, the stats stay on their old days and the next load retries", async () => {
      const shop = "tz-f.myshopify.com";
      await rolledUpInUtc(shop);
      vi.spyOn(console, "error").mockImplementation(() => {});
      vi.spyOn(prisma, "$transaction").mockRejectedValueOnce(new Error("database busy"));
      const state = await onboardingState(shop, adminAnswering({ ianaTimezone: LA }), "key");
      expect(state.shopDomain).toBe("tz.myshopify.com");
      expect(await days(shop)).toEqual([["2026-03-02", 1]]);
      expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).statsZone).toBeNull();
      await onboardingState(shop, adminAnswering({ ianaTimezone: LA }), "key");
      expect(await days(shop)).toEqual([["2026-03-01", 1]]);
    });
  });
});
