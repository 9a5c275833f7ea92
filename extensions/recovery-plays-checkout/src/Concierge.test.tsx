/// <reference types="@shopify/ui-extensions/purchase.checkout.actions.render-before" />
import { signal } from "@preact/signals";
import { getExtension } from "@shopify/ui-extensions-tester";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { PlayKey } from "../../../app/lib/plays/types";
import { APP_URL, configEntry, customer, fakeBackend, publishedConfig, visitorAttributes } from "./testing/fixtures";

const extension = getExtension("purchase.checkout.actions.render-before");

beforeEach(() => {
  vi.useFakeTimers();
  extension.setUp();
  vi.stubEnv("APP_URL", APP_URL);
  extension.shopify.attributes.value = visitorAttributes();
  extension.shopify.buyerJourney.activeStep.value = { handle: "payment", to: "/checkout/payment" } as never;
});

afterEach(() => {
  extension.tearDown();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

function vipConfig(contact: string, plays: PlayKey[] = ["vip"]) {
  const config = publishedConfig(plays);
  if (config.plays.vip) config.plays.vip.conciergeContact = contact;
  return config;
}

function banner() {
  return document.body.querySelector("s-banner");
}

describe("purchase.checkout.actions.render-before (vip concierge)", () => {
  test("GIVEN a VIP on a step WHEN 45 s pass without moving on THEN offers the concierge contact", async () => {
    extension.shopify.appMetafields.value = [configEntry(vipConfig("help@shop.example"))];
    extension.fetch = fakeBackend(customer({ segment: "CHAMPIONS" })).fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(44_000);
    expect(banner()).toBeNull();
    await vi.advanceTimersByTimeAsync(1_500);

    expect(banner()?.getAttribute("heading")).toBe("vip.conciergeHeading");
    const link = banner()!.querySelector("s-link")!;
    expect(link.getAttribute("href")).toBe("mailto:help@shop.example");
    expect(link.textContent).toBe("Talk to our concierge");
  });

  test("GIVEN a VIP who moves to the next step before 45 s WHEN time passes THEN the stall timer restarts on the new step", async () => {
    // A real signal stands in for checkout's reactive activeStep so the step change re-renders the target.
    const activeStep = signal<{ handle: string; to: string } | undefined>({ handle: "information", to: "/information" });
    extension.shopify.buyerJourney.activeStep = activeStep as never;
    extension.shopify.appMetafields.value = [configEntry(vipConfig("help@shop.example"))];
    extension.fetch = fakeBackend(customer({ segment: "CHAMPIONS" })).fetch;
    await extension.render();
    await vi.advanceTimersByTimeAsync(30_000);

    activeStep.value = { handle: "shipping", to: "/shipping" };
    await vi.advanceTimersByTimeAsync(30_000);
    expect(banner()).toBeNull();
    await vi.advanceTimersByTimeAsync(16_000);

    expect(banner()?.getAttribute("heading")).toBe("vip.conciergeHeading");
  });

  test("GIVEN a buyer outside the VIP segments WHEN they stall THEN renders nothing", async () => {
    extension.shopify.appMetafields.value = [configEntry(vipConfig("help@shop.example"))];
    const backend = fakeBackend(customer({ segment: "NEW" }));
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(120_000);

    expect(document.body.innerHTML).toBe("");
    expect(backend.events()).toHaveLength(0);
  });

  test("GIVEN no concierge contact configured WHEN a VIP stalls THEN renders nothing and never fetches the profile", async () => {
    extension.shopify.appMetafields.value = [configEntry(vipConfig(""))];
    const backend = fakeBackend(customer({ segment: "CHAMPIONS" }));
    extension.fetch = backend.fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(120_000);

    expect(document.body.innerHTML).toBe("");
    expect(backend.calls).toHaveLength(0);
  });

  test("GIVEN the vip play is off WHEN the buyer stalls THEN renders nothing", async () => {
    extension.shopify.appMetafields.value = [configEntry(vipConfig("help@shop.example", ["confidence"]))];
    extension.fetch = fakeBackend(customer({ segment: "CHAMPIONS" })).fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(120_000);

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the backend fails WHEN the buyer stalls THEN falls back to nothing (an unknown buyer is not a VIP)", async () => {
    extension.shopify.appMetafields.value = [configEntry(vipConfig("help@shop.example"))];
    extension.fetch = fakeBackend("fail").fetch;

    await extension.render();
    await vi.advanceTimersByTimeAsync(120_000);

    expect(document.body.innerHTML).toBe("");
  });

  test("GIVEN the concierge prompt is shown WHEN the buyer opens the contact link THEN an engaged event is reported", async () => {
    extension.shopify.appMetafields.value = [configEntry(vipConfig("https://shop.example/concierge"))];
    const backend = fakeBackend(customer({ segment: "LOYAL" }));
    extension.fetch = backend.fetch;
    await extension.render();
    await vi.advanceTimersByTimeAsync(46_000);

    banner()!.querySelector("s-link")!.dispatchEvent(new Event("click"));
    await vi.advanceTimersByTimeAsync(10);

    expect(backend.events().map((e) => e.type)).toEqual(["eligible", "shown", "engaged"]);
    expect(backend.events()[2]).toMatchObject({ play: "vip", arm: "treatment" });
  });
});
