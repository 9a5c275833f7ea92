/// <reference types="@shopify/ui-extensions/purchase.checkout.payment-method-list.render-before" />
import { getExtension } from "@shopify/ui-extensions-tester";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  APP_URL,
  configEntry,
  customer,
  englishTranslate,
  fakeBackend,
  publishedConfig,
  serverVisitor,
  visitorAttributes,
} from "./testing/fixtures";
import { settle } from "./testing/settle";

const extension = getExtension("purchase.checkout.payment-method-list.render-before");
/** Wording that promises instalments or pay-later, which the shop may not offer. */
const INSTALMENT_WORDING = /instal|pay[- ]?in[- ]?(4|four)|pay later|interest[- ]free|split (the|this|your) (cost|order|payment)|spread the cost|bnpl/i;

beforeEach(() => {
  extension.setUp();
  vi.stubEnv("APP_URL", APP_URL);
  extension.shopify.attributes.value = visitorAttributes();
  extension.shopify.cost.subtotalAmount.value = { amount: 60, currencyCode: "USD" };
});

afterEach(() => {
  extension.tearDown();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

function banner() {
  return document.body.querySelector("s-banner");
}

describe("purchase.checkout.payment-method-list.render-before (vip)", () => {
  test("GIVEN a VIP segment buyer and a normal cart WHEN rendered THEN shows the merchant's payment options message without the big-order note", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"]))];
    extension.fetch = fakeBackend(customer({ segment: "CHAMPIONS", aov: 80 })).fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()?.getAttribute("heading")).toBe("Pay the way you like"));
    expect(banner()!.textContent).toContain(publishedConfig(["vip"]).plays.vip!.message.body);
    expect(banner()!.textContent).not.toContain("vip.bigOrderBody");
  });

  test("GIVEN a VIP whose cart is at least 3× their AOV WHEN rendered THEN adds the big-order note", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"]))];
    extension.shopify.cost.subtotalAmount.value = { amount: 240, currencyCode: "USD" };
    extension.fetch = fakeBackend(customer({ segment: "LOYAL", aov: 80 })).fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()?.getAttribute("heading")).toBe("vip.bigOrderHeading"));
    expect(banner()!.textContent).toContain("vip.bigOrderBody");
  });

  test("GIVEN the default VIP message and a big-ticket cart WHEN rendered in English THEN no payment method the shop may not offer is promised", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"]))];
    extension.shopify.cost.subtotalAmount.value = { amount: 240, currencyCode: "USD" };
    extension.shopify.i18n.translate = englishTranslate() as never;
    extension.fetch = fakeBackend(customer({ segment: "LOYAL", aov: 80 })).fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()).not.toBeNull());
    const text = `${banner()!.getAttribute("heading")} ${banner()!.textContent}`;
    expect(text).toContain("Compare the payment methods below");
    expect(text).not.toMatch(INSTALMENT_WORDING);
  });

  test("GIVEN a buyer outside the VIP segments with a normal cart WHEN rendered THEN renders nothing", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"]))];
    const backend = fakeBackend(customer({ segment: "AT_RISK", aov: 80 }));
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.calls.length).toBeGreaterThan(0));
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()).toHaveLength(0);
  });

  test("GIVEN the vip play is off WHEN rendered THEN renders nothing and calls no backend", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["confidence"]))];
    const backend = fakeBackend(customer({ segment: "CHAMPIONS" }));
    extension.fetch = backend.fetch;

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.calls).toHaveLength(0);
  });

  test("GIVEN a guest (no profile) whose cart is ≥ 3× the shop AOV WHEN rendered THEN shows the big-order note from the config alone", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"], { shop: { aov: 50 } }))];
    extension.shopify.cost.subtotalAmount.value = { amount: 150, currencyCode: "USD" };
    extension.fetch = fakeBackend(null).fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()?.getAttribute("heading")).toBe("vip.bigOrderHeading"));
  });

  test("GIVEN the backend is down and the cart is ≥ 3× the shop AOV WHEN rendered THEN renders nothing (no server arm, the holdout is kept)", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"], { shop: { aov: 50 } }))];
    extension.shopify.cost.subtotalAmount.value = { amount: 150, currencyCode: "USD" };
    const backend = fakeBackend("throw");
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.profileCalls()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the backend times out and the cart is small WHEN rendered THEN falls back to nothing", async () => {
    vi.useFakeTimers();
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"]))];
    const backend = fakeBackend("hang");
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(2000);

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()).toHaveLength(0);
  });

  test("GIVEN a checkout in another currency than the shop WHEN the cart is large THEN no AOV comparison is made", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"], { shop: { aov: 50 } }))];
    extension.shopify.cost.subtotalAmount.value = { amount: 500, currencyCode: "EUR" };
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.calls.length).toBeGreaterThan(0));
    await settle();

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN a VIP in the holdout arm WHEN rendered THEN renders nothing and reports eligible for the holdout", async () => {
    extension.shopify.appMetafields.value = [configEntry(publishedConfig(["vip"], { holdoutPercent: 50 }))];
    const backend = fakeBackend(customer({ segment: "CHAMPIONS" }), { visitor: serverVisitor({ vip: "holdout" }) });
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.events()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()[0]).toMatchObject({ type: "eligible", play: "vip", arm: "holdout" });
  });
});
