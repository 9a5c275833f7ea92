/// <reference types="@shopify/ui-extensions/purchase.checkout.cart-line-list.render-after" />
import { getExtension } from "@shopify/ui-extensions-tester";
import { createCartLine, createResult } from "@shopify/ui-extensions-tester/checkout";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { COMPLEMENTARY_QUERY } from "./Bundle";
import { APP_URL, configEntry, englishTranslate, fakeBackend, publishedConfig, serverVisitor, VISITOR_ID, visitorAttributes } from "./testing/fixtures";
import { settle } from "./testing/settle";

const extension = getExtension("purchase.checkout.cart-line-list.render-after");

const DEAL_SEEKER = "deal_seeker:treatment:shown";

function recommendations(...products: Array<{ id: string; title: string; variantId: string; available?: boolean }>) {
  return {
    data: {
      productRecommendations: products.map((p) => ({
        id: p.id,
        title: p.title,
        variants: {
          nodes: [{ id: p.variantId, availableForSale: p.available ?? true, price: { amount: "12.5", currencyCode: "USD" } }],
        },
      })),
    },
    errors: [],
  };
}

const SOCKS = { id: "gid://shopify/Product/2", title: "Wool socks", variantId: "gid://shopify/ProductVariant/22" };

let query: ReturnType<typeof vi.fn>;

beforeEach(() => {
  extension.setUp();
  vi.stubEnv("APP_URL", APP_URL);
  extension.shopify.attributes.value = visitorAttributes(VISITOR_ID, DEAL_SEEKER);
  extension.shopify.lines.value = [createCartLine()];
  extension.shopify.appMetafields.value = [
    configEntry(publishedConfig(["deal_seeker"], { shop: { bundleDiscountTitle: "Better Together 10%" } })),
  ];
  query = vi.fn().mockResolvedValue(recommendations(SOCKS));
  extension.shopify.query = query as never;
  extension.fetch = fakeBackend(null).fetch;
});

afterEach(() => {
  extension.tearDown();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

/** The cart line and discount code changes, answered as successes and recorded. */
function mockCartChanges() {
  const applyCartLinesChange = vi.fn().mockResolvedValue(createResult("applyCartLinesChange"));
  const applyDiscountCodeChange = vi.fn().mockResolvedValue(createResult("applyDiscountCodeChange"));
  extension.shopify.applyCartLinesChange = applyCartLinesChange;
  extension.shopify.applyDiscountCodeChange = applyDiscountCodeChange;
  return { applyCartLinesChange, applyDiscountCodeChange };
}

function button() {
  return document.body.querySelector("s-button");
}

describe("purchase.checkout.cart-line-list.render-after (deal_seeker bundle)", () => {
  test("GIVEN a deal seeker and a complementary product WHEN rendered THEN offers it with the real discount's percent and name", async () => {
    extension.shopify.i18n.translate = englishTranslate() as never;
    extension.shopify.i18n.formatCurrency = ((n: number, o?: { currency?: string }) => `${o?.currency} ${n.toFixed(2)}`) as never;

    await extension.render();

    await vi.waitFor(() => expect(button()).not.toBeNull());
    expect(document.body.querySelector("s-heading")!.textContent).toBe("Better Together: Bundle & Save");
    expect(document.body.textContent).toContain("Add Wool socks and save 10% with Better Together 10%.");
    expect(document.body.textContent).toContain("Price: USD 12.50");
    expect(button()!.textContent).toBe("Add bundle to cart");
    expect(button()!.getAttribute("accessibilityLabel")).toBe("Add Wool socks to your order");
    expect(document.body.innerHTML).not.toContain("[missing:");
    expect(query).toHaveBeenCalledWith(COMPLEMENTARY_QUERY, { variables: { productId: "gid://shopify/Product/1" } });
  });

  test("GIVEN the offer WHEN the buyer clicks the button THEN adds one unit of the complementary variant tagged as a bundle line, applies the visitor's bundle code from the app and confirms the saving", async () => {
    const { applyCartLinesChange, applyDiscountCodeChange } = mockCartChanges();
    const backend = fakeBackend(null, { bundleCode: "BUNDLE-ABCDEFGHJK" });
    extension.fetch = backend.fetch;
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());

    button()!.dispatchEvent(new Event("click"));

    await vi.waitFor(() => expect(document.body.querySelector("s-banner[tone='success']")).not.toBeNull());
    expect(applyCartLinesChange).toHaveBeenCalledWith({
      type: "addCartLine",
      merchandiseId: "gid://shopify/ProductVariant/22",
      quantity: 1,
      attributes: [{ key: "_rp_bundle", value: "1" }],
    });
    // The line it complements is tagged too: the bundle is both lines, which the bundle discount Function covers.
    const anchor = extension.shopify.lines.value[0]!;
    expect(applyCartLinesChange).toHaveBeenCalledWith({ type: "updateCartLine", id: anchor.id, attributes: [...anchor.attributes, { key: "_rp_bundle", value: "1" }] });
    expect(applyCartLinesChange.mock.invocationCallOrder[1]).toBeLessThan(applyDiscountCodeChange.mock.invocationCallOrder[0]!);
    expect(document.body.textContent).toContain("bundle.addedWithDiscount");
    expect(applyDiscountCodeChange).toHaveBeenCalledWith({ type: "addDiscountCode", code: "BUNDLE-ABCDEFGHJK" });
    const ask = backend.calls.find((c) => c.url.endsWith("/api/checkout/bundle"))!;
    expect([ask.method, ask.body]).toEqual(["POST", { visitorId: VISITOR_ID }]);
    expect(ask.authorization).toMatch(/^Bearer /);
    await vi.waitFor(() => expect(backend.events().map((e) => e.type)).toContain("engaged"));
  });

  test("GIVEN the app gives this visitor no code WHEN the buyer adds the bundle THEN the line is added, no code is applied and no saving is claimed", async () => {
    const { applyDiscountCodeChange } = mockCartChanges();
    extension.fetch = fakeBackend(null, { bundleCode: null }).fetch;
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());
    button()!.dispatchEvent(new Event("click"));
    await vi.waitFor(() => expect(document.body.querySelector("s-banner[tone='success']")).not.toBeNull());
    expect(document.body.textContent).toContain("bundle.added");
    expect(document.body.textContent).not.toContain("bundle.addedWithDiscount");
    expect(applyDiscountCodeChange).not.toHaveBeenCalled();
  });

  test("GIVEN checkout refuses the line WHEN the buyer clicks the button THEN shows an accessible error and keeps the offer", async () => {
    extension.shopify.applyCartLinesChange = vi
      .fn()
      .mockResolvedValue(createResult("applyCartLinesChange", { type: "error", message: "Out of stock" }));
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());

    button()!.dispatchEvent(new Event("click"));

    await vi.waitFor(() => expect(document.body.querySelector("s-banner[tone='critical']")).not.toBeNull());
    expect(document.body.querySelector("s-banner[tone='critical']")!.textContent).toBe("bundle.error");
    expect(button()).not.toBeNull();
    await settle();
    expect(backend.events().map((e) => e.type)).not.toContain("engaged");
  });

  test("GIVEN applyCartLinesChange throws WHEN the buyer clicks the button THEN shows the error instead of breaking", async () => {
    extension.shopify.applyCartLinesChange = vi.fn().mockRejectedValue(new Error("host gone"));
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());

    button()!.dispatchEvent(new Event("click"));

    await vi.waitFor(() => expect(document.body.querySelector("s-banner[tone='critical']")).not.toBeNull());
  });

  test("GIVEN no bundle discount exists in Shopify WHEN the offer renders THEN makes no savings claim", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["deal_seeker"]))];

    await extension.render();

    await vi.waitFor(() => expect(button()).not.toBeNull());
    expect(document.body.textContent).toContain("bundle.withoutDiscount");
    expect(document.body.textContent).not.toContain("bundle.withDiscount");
  });

  test("GIVEN a visitor the storefront did not flag as a deal seeker WHEN rendered THEN renders nothing and queries nothing", async () => {
    extension.shopify.attributes.value = visitorAttributes(VISITOR_ID, "vip:treatment:shown");

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(query).not.toHaveBeenCalled();
  });

  test("GIVEN the deal_seeker play is off WHEN rendered THEN renders nothing", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["confidence"]))];

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the only recommendation is already in the cart or sold out WHEN rendered THEN renders nothing", async () => {
    query.mockResolvedValue(
      recommendations(
        { id: "gid://shopify/Product/1", title: "Same", variantId: "gid://shopify/ProductVariant/1" },
        { id: "gid://shopify/Product/3", title: "Gone", variantId: "gid://shopify/ProductVariant/33", available: false },
      ),
    );

    await extension.render();
    await vi.waitFor(() => expect(query).toHaveBeenCalled());
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the Storefront API fails WHEN rendered THEN renders nothing", async () => {
    query.mockRejectedValue(new Error("network"));

    await extension.render();
    await vi.waitFor(() => expect(query).toHaveBeenCalled());
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the events endpoint is down WHEN the offer renders THEN the offer still works (events are fire-and-forget)", async () => {
    const backend = fakeBackend(null);
    extension.fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
      String(input).endsWith("/api/checkout/events") ? Promise.reject(new TypeError("Failed to fetch")) : backend.fetch(input, init)) as typeof fetch;
    const applyCartLinesChange = vi.fn().mockResolvedValue(createResult("applyCartLinesChange"));
    extension.shopify.applyCartLinesChange = applyCartLinesChange;
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());

    button()!.dispatchEvent(new Event("click"));

    await vi.waitFor(() => expect(applyCartLinesChange).toHaveBeenCalled());
  });

  test("GIVEN checkout does not allow adding lines WHEN rendered THEN renders nothing", async () => {
    extension.shopify.instructions.value = {
      ...extension.shopify.instructions.value,
      lines: { canAddCartLine: false, canRemoveCartLine: true, canUpdateCartLine: true },
    };

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the app cannot be reached for the visitor WHEN an offer exists THEN renders nothing (no server arm)", async () => {
    extension.fetch = fakeBackend("throw").fetch;

    await extension.render();
    await vi.waitFor(() => expect(query).toHaveBeenCalled());
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN a deal seeker in the holdout arm WHEN an offer exists THEN renders nothing and reports eligible for the holdout", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["deal_seeker"], { holdoutPercent: 50 }))];
    const backend = fakeBackend(null, { visitor: serverVisitor({ deal_seeker: "holdout" }) });
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.events()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()[0]).toMatchObject({ type: "eligible", play: "deal_seeker", arm: "holdout" });
  });

  describe("one intervention at a time", () => {
    test("GIVEN the Confidence play is also on in checkout for this unknown (first-time) buyer WHEN rendered THEN the bundle stays hidden, and deal_seeker is reported eligible but not shown", async () => {
      extension.shopify.appMetafields.value = [
        configEntry(publishedConfig(["confidence", "deal_seeker"], { shop: { bundleDiscountTitle: "Better Together 10%" } })),
      ];
      const backend = fakeBackend(null);
      extension.fetch = backend.fetch;
      await extension.render();
      await vi.waitFor(() => expect(backend.events().some((e) => e.play === "deal_seeker")).toBe(true));
      await settle();
      expect(button()).toBeNull();
      expect(backend.events().filter((e) => e.play === "deal_seeker").map((e) => [e.type, e.arm])).toEqual([["eligible", "treatment"]]);
    });

    test("GIVEN the buyer is in the Confidence play's holdout WHEN rendered THEN the turn passes to the bundle, which shows", async () => {
      extension.fetch = fakeBackend(null, { visitor: serverVisitor({ confidence: "holdout", deal_seeker: "treatment" }) }).fetch;
      extension.shopify.appMetafields.value = [
        configEntry(publishedConfig(["confidence", "deal_seeker"], { holdoutPercent: 50, shop: { bundleDiscountTitle: "Better Together 10%" } })),
      ];
      await extension.render();
      await vi.waitFor(() => expect(button()).not.toBeNull());
    });
  });
});

describe("the buyer's privacy consent (Customer Privacy API)", () => {
  /** The buyer's allowed processing, as checkout's `shopify.customerPrivacy` reports it now. */
  function allow(p: { analytics: boolean; marketing: boolean }) {
    extension.shopify.customerPrivacy.value = {
      ...extension.shopify.customerPrivacy.value,
      allowedProcessing: { analytics: p.analytics, marketing: p.marketing, preferences: true, saleOfData: true },
    };
  }

  test("GIVEN analytics processing is not allowed WHEN rendered THEN the app is not asked for a visitor, so no offer, no event and no cart attribute", async () => {
    allow({ analytics: false, marketing: true });
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;
    const applyAttributeChange = vi.fn(async () => ({ type: "success" as const }));
    extension.shopify.applyAttributeChange = applyAttributeChange as never;
    await extension.render();
    await settle(20);
    expect(button()).toBeNull();
    expect(backend.calls).toEqual([]);
    expect(applyAttributeChange).not.toHaveBeenCalled();
  });

  test("GIVEN analytics consent given during checkout WHEN the extension re-renders THEN the offer shows", async () => {
    allow({ analytics: false, marketing: true });
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;
    await extension.render();
    await settle(10);
    expect(button()).toBeNull();
    allow({ analytics: true, marketing: true });
    await vi.waitFor(() => expect(button()).not.toBeNull());
  });

  test("GIVEN marketing processing is not allowed WHEN rendered THEN no bundle offer, no event and no code request", async () => {
    allow({ analytics: true, marketing: false });
    const backend = fakeBackend(null, { bundleCode: "BUNDLE-ABCDEFGHJK" });
    extension.fetch = backend.fetch;
    await extension.render();
    await settle(20);
    expect(button()).toBeNull();
    expect(backend.events().filter((e) => e.play === "deal_seeker")).toEqual([]);
    expect(backend.calls.some((c) => c.url.endsWith("/api/checkout/bundle"))).toBe(false);
  });

  test("GIVEN the offer on screen WHEN marketing consent is withdrawn as the buyer accepts THEN the line is added but no code is asked for", async () => {
    const { applyCartLinesChange, applyDiscountCodeChange } = mockCartChanges();
    const backend = fakeBackend(null, { bundleCode: "BUNDLE-ABCDEFGHJK" });
    extension.fetch = backend.fetch;
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());
    allow({ analytics: true, marketing: false });
    button()!.dispatchEvent(new Event("click"));
    await vi.waitFor(() => expect(applyCartLinesChange).toHaveBeenCalled());
    await settle(10);
    expect(backend.calls.some((c) => c.url.endsWith("/api/checkout/bundle"))).toBe(false);
    expect(applyDiscountCodeChange).not.toHaveBeenCalled();
  });

  test("GIVEN exposure events queued for their session token WHEN analytics consent is withdrawn meanwhile THEN they are never sent", async () => {
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;
    // The profile's token comes at once; every later one (the events') waits until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    extension.shopify.sessionToken.get = (async () => {
      if (++calls > 1) await held;
      return "token";
    }) as never;
    await extension.render();
    await vi.waitFor(() => expect(button()).not.toBeNull());
    await vi.waitFor(() => expect(calls).toBeGreaterThan(1));
    allow({ analytics: false, marketing: true });
    release();
    await settle(10);
    expect(backend.eventPosts()).toHaveLength(0);
  });
});
