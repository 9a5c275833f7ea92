// @vitest-environment jsdom
// The embed runtime in a DOM: the visitor id and arms come from the app proxy (never made up here), the cart
// carries only the pointer `_rp_vid`, and withdrawn consent forgets the visitor at once.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configWith } from "../../../tests/helpers/decisionFixtures";
import { startEmbed, type EmbedBoot } from "./embed";

// The lazily imported module, as the embed gets it from its asset (loaded up front: fake timers do not wait for I/O).
const lazyModule = await import("./lazy");
const lazy = () => Promise.resolve(lazyModule);

const SIGNED = "AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB";
const ARMS = { confidence: "holdout", vip: "treatment", indecision: "treatment", deal_seeker: "treatment" };

let allowed = true;
let beacons: { url: string; body: unknown }[] = [];
let fetches: { url: string; body: unknown }[] = [];

function boot(items: [number, number][] = []): EmbedBoot {
  return { c: configWith(["confidence"], 10), p: { k: "product", pid: 101, vid: 1011, li: false, t: 4800, i: items, a: "" } };
}

beforeEach(() => {
  vi.useFakeTimers();
  allowed = true;
  beacons = [];
  fetches = [];
  localStorage.clear();
  sessionStorage.clear();
  (window as unknown as { Shopify: unknown }).Shopify = {
    customerPrivacy: { analyticsProcessingAllowed: () => allowed },
    routes: { root: "/" },
  };
  Object.assign(navigator, {
    sendBeacon: (url: string, body: string) => {
      beacons.push({ url, body: JSON.parse(body) });
      return true;
    },
  });
  window.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    fetches.push({ url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (url.includes("/profile")) return new Response(JSON.stringify({ customer: null, visitor: { id: SIGNED, arms: ARMS } }));
    return new Response(JSON.stringify({ items: [{ product_id: 101, quantity: 1 }], total_price: 4800, attributes: {} }));
  }) as typeof fetch;
});
afterEach(() => vi.useRealTimers());

const settle = async () => {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(5_000);
};

describe("embed identity", () => {
  it("GIVEN a first visit WHEN the embed starts THEN it asks the app proxy for an id and sends events only under the signed id", async () => {
    startEmbed(boot([[101, 1]]), undefined, lazy);
    expect(beacons).toEqual([]);
    await settle();
    expect(fetches[0].url).toBe("/apps/recovery-plays/profile");
    expect(beacons.length).toBeGreaterThan(0);
    for (const b of beacons) expect((b.body as { visitorId: string }).visitorId).toBe(SIGNED);
    expect(JSON.parse(localStorage.getItem("rp_v")!).id).toBe(SIGNED);
  });

  it("GIVEN a cart with items WHEN attribution is written THEN the cart gets only the pointer `_rp_vid`, no arm or exposure claim", async () => {
    startEmbed(boot([[101, 1]]), undefined, lazy);
    await settle();
    const update = fetches.find((f) => f.url === "/cart/update.js");
    expect(update?.body).toEqual({ attributes: { _rp_vid: SIGNED } });
  });

  it("GIVEN a stored id WHEN the embed starts in a new session THEN it presents the id for the server to confirm", async () => {
    localStorage.setItem("rp_v", JSON.stringify({ v: 1, id: SIGNED, visits: [], firstSeen: 1, shows: {}, purchasedAt: null }));
    startEmbed(boot(), undefined, lazy);
    await settle();
    expect(fetches[0].url).toBe(`/apps/recovery-plays/profile?vid=${encodeURIComponent(SIGNED)}`);
  });
});

describe("embed consent", () => {
  it("GIVEN a running embed with queued events WHEN consent is withdrawn THEN id, session and profile leave storage at once and nothing more is sent", async () => {
    startEmbed(boot([[101, 1]]), undefined, lazy);
    await settle();
    expect(localStorage.getItem("rp_v")).not.toBeNull();
    expect(sessionStorage.getItem("rp_c")).not.toBeNull();
    const sent = beacons.length;
    // An event is queued (add to cart), then the shopper withdraws consent before the 4 s flush.
    document.dispatchEvent(new Event("cart:updated"));
    await vi.advanceTimersByTimeAsync(200);
    allowed = false;
    document.dispatchEvent(new Event("visitorConsentCollected"));
    expect(localStorage.getItem("rp_v")).toBeNull();
    expect(localStorage.getItem("rp_s")).toBeNull();
    expect(sessionStorage.getItem("rp_c")).toBeNull();
    await settle();
    window.dispatchEvent(new Event("pagehide"));
    expect(beacons.length).toBe(sent);
  });

  it("GIVEN an id stored on an earlier page WHEN a page loads without consent THEN the stored visitor is forgotten", async () => {
    localStorage.setItem("rp_v", JSON.stringify({ v: 1, id: SIGNED, visits: [], firstSeen: 1, shows: {}, purchasedAt: null }));
    localStorage.setItem("rp_s", "{}");
    sessionStorage.setItem("rp_c", JSON.stringify({ li: false, c: null, v: { id: SIGNED, arms: ARMS } }));
    allowed = false;
    startEmbed(boot(), undefined, lazy);
    await settle();
    expect([localStorage.getItem("rp_v"), localStorage.getItem("rp_s"), sessionStorage.getItem("rp_c")]).toEqual([null, null, null]);
    expect(fetches).toEqual([]);
    expect(beacons).toEqual([]);
  });
});

describe("money in the shopper's currency", () => {
  // A dollar shop; the shopper browses in euros at Shopify's rate of 0.5 EUR per USD.
  function euroCart(): EmbedBoot {
    const c = configWith(["deal_seeker"]);
    c.shop.currency = "USD";
    c.plays.deal_seeker!.freeShippingThreshold = 75;
    c.plays.deal_seeker!.surfaces = ["product", "cart"];
    c.plays.deal_seeker!.holdoutPercent = 0;
    return { c, p: { k: "cart", pid: null, vid: null, li: false, t: 2300, cu: "EUR", i: [[101, 1]], a: "" } };
  }
  const hintShown = () => document.querySelector<HTMLElement>('[data-rp-kind="free_shipping_hint"]');
  beforeEach(() => {
    const now = Date.now();
    // Two earlier visits this week: this one is the third (a price-sensitive returning visitor).
    localStorage.setItem("rp_v", JSON.stringify({ v: 1, id: SIGNED, visits: [now - 2 * 86_400_000, now - 86_400_000], firstSeen: now - 3 * 86_400_000, purchasedAt: null, shows: {} }));
    document.body.innerHTML = `<div data-rp-kind="free_shipping_hint" hidden><p>You're <strong data-rp-remaining></strong> away from free shipping.</p></div>`;
    document.documentElement.lang = "en";
  });

  it("GIVEN a euro cart of 23.00 and a 75 USD threshold WHEN the hint shows THEN it says €14.50 away (37.50 EUR at Shopify's rate)", async () => {
    (window as unknown as { Shopify: Record<string, unknown> }).Shopify.currency = { active: "EUR", rate: "0.5" };
    startEmbed(euroCart(), () => 0.05, lazy);
    await settle();
    expect(hintShown()!.hidden).toBe(false);
    expect(hintShown()!.querySelector("[data-rp-remaining]")!.textContent).toBe("€14.50");
  });

  it("GIVEN a euro cart and no rate from Shopify WHEN the shopper hesitates THEN no hint (its amount could not be true)", async () => {
    startEmbed(euroCart(), () => 0.05, lazy);
    await settle();
    expect(hintShown()!.hidden).toBe(true);
    expect(hintShown()!.querySelector("[data-rp-remaining]")!.textContent).toBe("");
  });
});
