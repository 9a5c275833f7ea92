/// <reference types="@shopify/ui-extensions/purchase.thank-you.block.render" />
import { getExtension } from "@shopify/ui-extensions-tester";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { APP_URL, configEntry, englishTranslate, fakeBackend, publishedConfig, serverVisitor, VISITOR_ID, visitorAttributes } from "./testing/fixtures";
import { settle } from "./testing/settle";

const extension = getExtension("purchase.thank-you.block.render");
let backend: ReturnType<typeof fakeBackend>;

beforeEach(() => {
  extension.setUp();
  vi.stubEnv("APP_URL", APP_URL);
  extension.shopify.attributes.value = visitorAttributes();
  extension.shopify.appMetafields.value = [configEntry(publishedConfig(["confidence"]))];
  backend = fakeBackend(null);
  extension.fetch = backend.fetch;
});

afterEach(() => {
  extension.tearDown();
  vi.unstubAllEnvs();
});

function firstOrder(isFirstOrder: boolean) {
  extension.shopify.orderConfirmation.value = { order: { id: "gid://shopify/Order/9" }, isFirstOrder };
}

describe("purchase.thank-you.block.render (confidence, all plans)", () => {
  test("GIVEN a first order and the confidence play on WHEN rendered THEN asks the app for the order's visitor only and reminds the buyer of the returns policy, sending no events", async () => {
    firstOrder(true);
    extension.shopify.i18n.translate = englishTranslate() as never;

    await extension.render();
    await vi.waitFor(() => expect(document.body.querySelector("s-banner")).not.toBeNull());

    const banner = document.body.querySelector("s-banner")!;
    expect(banner.getAttribute("heading")).toBe("Thank you for your first order");
    expect(banner.textContent).toContain("Free 30-day returns on every order.");
    expect(banner.querySelector("s-link")!.getAttribute("href")).toBe("https://mock-shop.myshopify.com/policies/refund-policy");
    expect(document.body.innerHTML).not.toContain("[missing:");
    expect(backend.calls.map((c) => c.url)).toEqual([`${APP_URL}/api/checkout/profile?vid=${encodeURIComponent(VISITOR_ID)}`]);
  });

  test("GIVEN a 14-day return window WHEN the first order is confirmed THEN the reminder names 14 days", async () => {
    const config = publishedConfig(["confidence"]);
    config.plays.confidence!.returnDays = 14;
    extension.shopify.appMetafields.value = [configEntry(config)];
    firstOrder(true);
    extension.shopify.i18n.translate = englishTranslate() as never;

    await extension.render();
    await vi.waitFor(() => expect(document.body.querySelector("s-banner")).not.toBeNull());

    expect(document.body.querySelector("s-banner")!.textContent).toContain("Free 14-day returns on every order.");
    expect(document.body.innerHTML).not.toMatch(/30-day|\{return_days\}/);
  });

  test("GIVEN a repeat customer's order WHEN rendered THEN renders nothing", async () => {
    firstOrder(false);

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the confidence play is off WHEN a first order is confirmed THEN renders nothing", async () => {
    firstOrder(true);
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"]))];

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN a buyer in the confidence holdout WHEN a first order is confirmed THEN renders nothing", async () => {
    firstOrder(true);
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["confidence"], { holdoutPercent: 50 }))];
    backend = fakeBackend(null, { visitor: serverVisitor({ confidence: "holdout" }) });
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.profileCalls()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
  });
});
