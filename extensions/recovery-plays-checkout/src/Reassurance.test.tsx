/// <reference types="@shopify/ui-extensions/purchase.checkout.block.render" />
import { signal } from "@preact/signals";
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
  idLocallyIn,
  serverVisitor,
  VISITOR_ID,
  visitorAttributes,
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

  test("GIVEN a 14-day return window WHEN the reassurance renders THEN the copy names 14 days", async () => {
    const config = publishedConfig(["confidence"]);
    config.plays.confidence!.returnDays = 14;
    withConfig(config);
    extension.fetch = fakeBackend(customer({ stage: "returning_visitor", ordersCount: 0, lastOrderAt: null })).fetch;
    extension.shopify.i18n.translate = englishTranslate() as never;

    await extension.render();

    await vi.waitFor(() => expect(banner()).not.toBeNull());
    expect(banner()!.textContent).toContain("Free 14-day returns on every order.");
    expect(document.body.innerHTML).not.toMatch(/30-day|\{return_days\}/);
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

  test("GIVEN the backend answers 503 WHEN rendered THEN renders nothing and reports nothing (no arm without the app)", async () => {
    withConfig(publishedConfig(["confidence"]));
    const backend = fakeBackend("fail");
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.profileCalls()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()).toHaveLength(0);
  });

  test("GIVEN the backend never answers WHEN 1.5 s pass THEN renders nothing (a holdout buyer must not be treated)", async () => {
    vi.useFakeTimers();
    withConfig(publishedConfig(["confidence"]));
    extension.fetch = fakeBackend("hang").fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(1600);

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the app's treatment visitor in segment WHEN shown THEN asks with the cart's _rp_vid and reports eligible and shown with the session token, that id and the server's arm", async () => {
    withConfig(publishedConfig(["confidence"], { holdoutPercent: 10 }));
    const backend = fakeBackend(null);
    extension.fetch = backend.fetch;

    await extension.render();

    await vi.waitFor(() => expect(backend.events().map((e) => e.type)).toEqual(["eligible", "shown"]));
    const post = backend.eventPosts()[0];
    expect(post.authorization).toBe("Bearer mock-session-token");
    expect(post.body).toMatchObject({ visitorId: VISITOR_ID, events: [{ play: "confidence", arm: "treatment" }, {}] });
    expect(backend.calls[0]).toMatchObject({
      url: `${APP_URL}/api/checkout/profile?vid=${encodeURIComponent(VISITOR_ID)}`,
      authorization: "Bearer mock-session-token",
    });
  });

  test("GIVEN the server puts the visitor in the holdout although the old local hash says treatment WHEN rendered THEN renders nothing and reports only eligible in the server's holdout arm", async () => {
    withConfig(publishedConfig(["confidence"], { holdoutPercent: 50 }));
    const id = idLocallyIn("confidence", "treatment", 50);
    extension.shopify.attributes.value = visitorAttributes(id);
    const backend = fakeBackend(null, { visitor: serverVisitor({ confidence: "holdout" }, id) });
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.events()).toHaveLength(1));
    await settle();

    expect(document.body.innerHTML).toBe("");
    expect(backend.eventPosts()[0].body).toMatchObject({ visitorId: id, events: [{ type: "eligible", play: "confidence", arm: "holdout" }] });
  });

  test("GIVEN the server's treatment arm although the old local hash says holdout WHEN rendered THEN shows the play", async () => {
    withConfig(publishedConfig(["confidence"], { holdoutPercent: 50 }));
    const id = idLocallyIn("confidence", "holdout", 50);
    extension.shopify.attributes.value = visitorAttributes(id);
    extension.fetch = fakeBackend(null, { visitor: serverVisitor({ confidence: "treatment" }, id) }).fetch;

    await extension.render();

    await vi.waitFor(() => expect(banner()).not.toBeNull());
  });

  describe("a cart without the app's visitor id", () => {
    /** Checkout's attributes are a signal: a successful applyAttributeChange shows up in it and re-renders. */
    function writableAttributes(initial: Array<{ key: string; value: string }>) {
      const attributes = signal(initial);
      extension.shopify.attributes = attributes as never;
      const applyAttributeChange = vi.fn(async (change: { key: string; value: string }) => {
        attributes.value = [...attributes.value.filter((a) => a.key !== change.key), { key: change.key, value: change.value }];
        return createResult("applyAttributeChange");
      });
      extension.shopify.applyAttributeChange = applyAttributeChange as never;
      return applyAttributeChange;
    }

    test("GIVEN no _rp_vid WHEN rendered THEN asks without ?vid=, writes the app's id to _rp_vid and reports with that id and the server's arm", async () => {
      withConfig(publishedConfig(["confidence"]));
      const applyAttributeChange = writableAttributes([]);
      extension.shopify.checkoutToken.value = "tok123";
      const backend = fakeBackend(null);
      extension.fetch = backend.fetch;

      await extension.render();

      await vi.waitFor(() => expect(banner()).not.toBeNull());
      expect(backend.profileCalls()[0].url).toBe(`${APP_URL}/api/checkout/profile`);
      expect(applyAttributeChange).toHaveBeenCalledWith({ type: "updateAttribute", key: "_rp_vid", value: VISITOR_ID });
      await vi.waitFor(() => expect(backend.events().map((e) => e.type)).toEqual(["eligible", "shown"]));
      expect(backend.eventPosts().map((p) => (p.body as { visitorId: string }).visitorId)).toEqual([VISITOR_ID]);
      expect(JSON.stringify(backend.calls)).not.toContain("ct_tok123");
    });

    test("GIVEN a _rp_vid the app did not sign WHEN rendered THEN it is replaced by the app's id and no event carries the old one", async () => {
      withConfig(publishedConfig(["confidence"]));
      const forged = idLocallyIn("confidence", "treatment", 0);
      const applyAttributeChange = writableAttributes(visitorAttributes(forged));
      const backend = fakeBackend(null);
      extension.fetch = backend.fetch;

      await extension.render();

      await vi.waitFor(() => expect(backend.events().map((e) => e.type)).toEqual(["eligible", "shown"]));
      expect(backend.profileCalls()[0].url).toContain(`?vid=${encodeURIComponent(forged)}`);
      expect(applyAttributeChange).toHaveBeenCalledWith({ type: "updateAttribute", key: "_rp_vid", value: VISITOR_ID });
      expect(backend.eventPosts().map((p) => (p.body as { visitorId: string }).visitorId)).toEqual([VISITOR_ID]);
    });

    test("GIVEN checkout does not allow attribute changes WHEN the app issues a new id THEN renders and reports nothing (the order could not be attributed)", async () => {
      withConfig(publishedConfig(["confidence"]));
      extension.shopify.attributes.value = [];
      extension.shopify.instructions.value = {
        ...extension.shopify.instructions.value,
        attributes: { canUpdateAttributes: false },
      };
      const backend = fakeBackend(null);
      extension.fetch = backend.fetch;

      await extension.render();
      await vi.waitFor(() => expect(backend.profileCalls()).toHaveLength(1));
      await settle();

      expect(document.body.innerHTML).toBe("");
      expect(backend.events()).toHaveLength(0);
    });
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

  test("GIVEN no app URL was defined at build time WHEN rendered THEN makes no request and renders nothing (no server arm)", async () => {
    vi.stubEnv("APP_URL", "");
    withConfig(publishedConfig(["confidence"]));
    const backend = fakeBackend(customer({ ordersCount: 0 }));
    extension.fetch = backend.fetch;

    await extension.render();
    await settle();

    expect(document.body.innerHTML).toBe("");
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
    const backend = fakeBackend("fail");
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.waitFor(() => expect(backend.profileCalls()).toHaveLength(1));
    await settle();

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
