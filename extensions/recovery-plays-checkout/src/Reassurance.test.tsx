/// <reference types="@shopify/ui-extensions/purchase.checkout.block.render" />
import { getExtension } from "@shopify/ui-extensions-tester";
import { createResult } from "@shopify/ui-extensions-tester/checkout";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  APP_URL,
  configEntry,
  customer,
  englishTranslate,
  fakeBackend,
  publishedConfig,
  visitorAttributes,
  visitorInArm,
} from "./testing/fixtures";
import { settle } from "./testing/settle";

const extension = getExtension("purchase.checkout.block.render");

beforeEach(() => {
  extension.setUp();
  vi.stubEnv("APP_URL", APP_URL);
  extension.shopify.attributes.value = visitorAttributes();
});

afterEach(() => {
  extension.tearDown();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

function withConfig(config: unknown) {
  extension.shopify.appMetafields.value = [configEntry(config)];
}

function banner() {
  return document.body.querySelector("s-banner");
}

describe("purchase.checkout.block.render (confidence)", () => {
  test("GIVEN confidence on and a buyer with no orders WHEN rendered THEN shows the merchant's returns copy, secure payment note and refund policy link", async () => {
    withConfig(publishedConfig(["confidence"]));
    const backend = fakeBackend(customer({ stage: "returning_visitor", ordersCount: 0, lastOrderAt: null }));
    extension.fetch = backend.fetch;
    extension.shopify.i18n.translate = englishTranslate() as never;

    await extension.render();

    await vi.waitFor(() => expect(banner()).not.toBeNull());
    expect(banner()!.getAttribute("heading")).toBe("Shop with peace of mind");
    expect(banner()!.textContent).toContain("Free 30-day returns on every order.");
    expect(banner()!.textContent).toContain("Payments are encrypted and processed securely by Shopify.");
    expect(document.body.innerHTML).not.toContain("[missing:");
    const link = banner()!.querySelector("s-link")!;
    expect(link.getAttribute("href")).toBe("https://mock-shop.myshopify.com/policies/refund-policy");
    expect(link.textContent).toBe("Read our refund policy");
  });

  test("GIVEN a repeat customer profile from the backend WHEN rendered THEN renders nothing", async () => {
    withConfig(publishedConfig(["confidence"]));
    const backend = fakeBackend(customer({ ordersCount: 3 }));
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.calls.length).toBeGreaterThan(0));
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the confidence play is not published WHEN rendered THEN renders nothing and calls no backend", async () => {
    withConfig(publishedConfig(["vip"]));
    const backend = fakeBackend(customer({ ordersCount: 0 }));
    extension.fetch = backend.fetch;

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.calls).toHaveLength(0);
  });

  test("GIVEN the confidence play is published for the cart only WHEN rendered THEN renders nothing", async () => {
    const config = publishedConfig(["confidence"]);
    config.plays.confidence!.surfaces = ["cart"];
    withConfig(config);
    extension.fetch = fakeBackend(customer({ ordersCount: 0 })).fetch;

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN a malformed config metafield WHEN rendered THEN renders nothing without throwing", async () => {
    withConfig("{not json");
    extension.fetch = fakeBackend(customer({ ordersCount: 0 })).fetch;

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the backend answers 503 WHEN rendered THEN falls back to the generic reassurance", async () => {
    withConfig(publishedConfig(["confidence"]));
    extension.fetch = fakeBackend("fail").fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()?.getAttribute("heading")).toBe("Shop with peace of mind"));
  });

  test("GIVEN the backend never answers WHEN 1.5 s pass THEN falls back to the generic reassurance", async () => {
    vi.useFakeTimers();
    withConfig(publishedConfig(["confidence"]));
    extension.fetch = fakeBackend("hang").fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(1000);
    expect(banner()).toBeNull();
    await vi.advanceTimersByTimeAsync(600);

    expect(banner()?.getAttribute("heading")).toBe("Shop with peace of mind");
  });

  test("GIVEN a treatment visitor in segment WHEN shown THEN reports eligible and shown with the session token and visitor id", async () => {
    withConfig(publishedConfig(["confidence"], { holdoutPercent: 10 }));
    const visitor = visitorInArm("confidence", "treatment", 10);
    extension.shopify.attributes.value = visitorAttributes(visitor);
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;

    await extension.render();

    await vi.waitFor(() => expect(backend.events().map((e) => e.type)).toEqual(["eligible", "shown"]));
    const post = backend.calls.find((c) => c.url === `${APP_URL}/api/checkout/events`)!;
    expect(post.authorization).toBe("Bearer mock-session-token");
    expect(post.body).toMatchObject({ visitorId: visitor, events: [{ play: "confidence", arm: "treatment" }, {}] });
    expect(backend.calls[0]).toMatchObject({ url: `${APP_URL}/api/checkout/profile`, authorization: "Bearer mock-session-token" });
  });

  test("GIVEN a holdout visitor in segment WHEN rendered THEN renders nothing and reports only eligible in the holdout arm", async () => {
    withConfig(publishedConfig(["confidence"], { holdoutPercent: 50 }));
    extension.shopify.attributes.value = visitorAttributes(visitorInArm("confidence", "holdout", 50));
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.events()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()[0]).toMatchObject({ type: "eligible", play: "confidence", arm: "holdout" });
  });

  test("GIVEN no storefront visitor id WHEN shown THEN writes a checkout-derived _rp_vid attribute for attribution", async () => {
    withConfig(publishedConfig(["confidence"]));
    extension.shopify.attributes.value = [];
    extension.shopify.checkoutToken.value = "tok123";
    const applyAttributeChange = vi.fn().mockResolvedValue(createResult("applyAttributeChange"));
    extension.shopify.applyAttributeChange = applyAttributeChange;
    extension.fetch = fakeBackend(null).fetch;

    await extension.render();

    await vi.waitFor(() =>
      expect(applyAttributeChange).toHaveBeenCalledWith({ type: "updateAttribute", key: "_rp_vid", value: "ct_tok123" }),
    );
  });

  test("GIVEN the banner is shown WHEN the buyer dismisses it THEN a dismissed event is reported", async () => {
    withConfig(publishedConfig(["confidence"]));
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;
    await extension.render();
    await vi.waitFor(() => expect(banner()).not.toBeNull());

    banner()!.dispatchEvent(new Event("dismiss"));

    await vi.waitFor(() => expect(backend.events().map((e) => e.type)).toContain("dismissed"));
  });

  test("GIVEN no app URL was defined at build time WHEN rendered THEN makes no request and still shows the generic reassurance", async () => {
    vi.stubEnv("APP_URL", "");
    withConfig(publishedConfig(["confidence"]));
    const backend = fakeBackend(customer({ ordersCount: 3 }));
    extension.fetch = backend.fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()).not.toBeNull());
    expect(backend.calls).toHaveLength(0);
  });
});

describe("profile cache shared by the targets", () => {
  test("GIVEN a profile fetched in this checkout session WHEN a target renders again THEN it reuses it without calling the backend", async () => {
    withConfig(publishedConfig(["confidence"]));
    const first = fakeBackend(customer({ ordersCount: 3 }));
    extension.fetch = first.fetch;
    await extension.render();
    await vi.waitFor(() => expect(first.calls.length).toBeGreaterThan(0));
    await settle();
    const stored = await extension.shopify.storage.read("rp_profile");
    expect(stored).toMatchObject({ profile: { ordersCount: 3 } });

    extension.tearDown();
    extension.setUp();
    vi.stubEnv("APP_URL", APP_URL);
    extension.shopify.attributes.value = visitorAttributes();
    withConfig(publishedConfig(["confidence"]));
    await extension.shopify.storage.write("rp_profile", stored);
    const second = fakeBackend(customer({ ordersCount: 0 }));
    extension.fetch = second.fetch;
    await extension.render();
    await settle();

    expect(second.calls.filter((c) => c.url.endsWith("/profile"))).toHaveLength(0);
    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the backend failed WHEN the profile is resolved THEN nothing is cached", async () => {
    withConfig(publishedConfig(["confidence"]));
    extension.fetch = fakeBackend("fail").fetch;

    await extension.render();
    await vi.waitFor(() => expect(banner()).not.toBeNull());

    expect(await extension.shopify.storage.read("rp_profile")).toBeNull();
  });

  test("GIVEN the VIP play is also on and a first-time buyer's cart is big-ticket WHEN rendered THEN the payment options have the turn and the reassurance stays hidden (one intervention at a time)", async () => {
    withConfig(publishedConfig(["vip", "confidence"], { shop: { aov: 50 } }));
    extension.shopify.cost.subtotalAmount.value = { amount: 500, currencyCode: "USD" };
    const backend = fakeBackend(customer({ stage: "returning_visitor", ordersCount: 0, lastOrderAt: null, aov: 0 }));
    extension.fetch = backend.fetch;

    await extension.render();

    await vi.waitFor(() => expect(backend.events().some((e) => e.play === "confidence")).toBe(true));
    await settle();
    expect(banner()).toBeNull();
    expect(backend.events().filter((e) => e.play === "confidence").map((e) => e.type)).toEqual(["eligible"]);
  });
});
