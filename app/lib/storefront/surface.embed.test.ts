// @vitest-environment jsdom
// The embed on a theme's cart drawer: an open drawer is the cart (cart plays apply there), the intervention goes
// right above the drawer's checkout and comes back after the theme redraws the drawer; holdout shoppers and empty
// recommendation feeds leave the page untouched. Markup shaped like Horizon's drawer, written here.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PlayKey } from "../plays/types";
import { configWith } from "../../../tests/helpers/decisionFixtures";
import { applySignal, newSession, newVisitor } from "../signals";
import { startEmbed, type EmbedBoot } from "./embed";

// The lazily imported module, as the embed gets it from its asset (loaded up front: fake timers do not wait for I/O).
const lazyModule = await import("./lazy");
const lazy = () => Promise.resolve(lazyModule);

const SIGNED = "AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB";
let arms: Record<string, string>;
let beacons: { type: string; play?: string }[] = [];
let posts: { url: string; body: unknown }[] = [];
let recs: unknown[] = [];
let consent = true;

const DRAWER = `
  <theme-drawer id="cart-drawer"><dialog><cart-drawer-component><div class="cart-drawer__inner">
    <div class="cart-drawer__summary"><div class="totals">Total</div>
      <div class="cart__ctas"><button type="submit" name="checkout">Check out</button></div></div>
  </div></cart-drawer-component></dialog></theme-drawer>`;
const EMBED = `
  <div id="rp-panel" class="rp-panel" hidden></div><div id="rp-live"></div>
  <template data-rp-fallback="returns_confidence"><div class="rp-card"><p class="rp-heading">Free returns</p></div></template>
  <template id="rp-card"><li><a href="#"><img alt=""><span data-f="title"></span> <span data-f="price"></span></a></li></template>`;
const BUNDLE = `
  <form action="/cart/add" method="post"><input type="hidden" name="id" value="2022"></form>
  <div class="rp-slot" data-rp-kind="bundle" hidden><div data-rp-recs></div><button data-rp-cta data-rp-bundle="2021">Add bundle</button></div>`;

function config(play: PlayKey) {
  const c = configWith([play]);
  if (c.plays.confidence) c.plays.confidence.policyViewsMoreThan = -1;
  if (c.plays.deal_seeker) c.plays.deal_seeker.sameProductViewsAtLeast = 1;
  return c;
}
const boot = (play: PlayKey): EmbedBoot => ({ c: config(play), p: { k: "product", pid: 202, vid: 2021, li: false, t: 0, i: [], a: "" } });

beforeEach(() => {
  vi.useFakeTimers();
  arms = { confidence: "treatment", vip: "treatment", indecision: "treatment", deal_seeker: "treatment" };
  beacons = [];
  posts = [];
  recs = [];
  consent = true;
  localStorage.clear();
  sessionStorage.clear();
  document.body.innerHTML = DRAWER + EMBED + BUNDLE;
  (window as unknown as { Shopify: unknown }).Shopify = { customerPrivacy: { analyticsProcessingAllowed: () => consent }, routes: { root: "/" } };
  Object.assign(navigator, {
    sendBeacon: (_: string, body: string) => (beacons.push(...(JSON.parse(body) as { events: typeof beacons }).events), true),
  });
  window.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === "POST") posts.push({ url, body: JSON.parse(String(init.body)) });
    if (url.includes("/profile")) return new Response(JSON.stringify({ customer: null, visitor: { id: SIGNED, arms } }));
    if (url.includes("/recommendations/")) return new Response(JSON.stringify({ products: recs }));
    return new Response(JSON.stringify({ items: [], total_price: 0, attributes: { _rp_vid: SIGNED } }));
  }) as typeof fetch;
});
// Each test's embed keeps its listeners: withdrawn consent stops it, so it cannot write into the next test's storage.
afterEach(() => {
  consent = false;
  document.dispatchEvent(new Event("visitorConsentCollected"));
  vi.useRealTimers();
});

const settle = async () => {
  for (let i = 0; i < 6; i++) await vi.advanceTimersByTimeAsync(1_000);
};
const openDrawer = () => {
  document.querySelector("theme-drawer")!.setAttribute("open", "");
  document.querySelector("dialog")!.setAttribute("open", "");
};
const panel = () => document.getElementById("rp-panel")!;
const shown = (play: string) => beacons.filter((e) => e.type === "shown" && e.play === play).length;

describe("embed on a cart drawer", () => {
  it("GIVEN a cart play's shopper on a product page WHEN the theme opens its cart drawer THEN the play shows right above the drawer's checkout", async () => {
    startEmbed(boot("confidence"), undefined, lazy);
    await settle();
    expect(panel().hidden).toBe(true);
    openDrawer();
    await settle();
    expect(panel().hidden).toBe(false);
    expect(panel().nextElementSibling?.className).toBe("cart__ctas");
    expect(shown("confidence")).toBe(1);
  });

  it("GIVEN the play placed in the drawer WHEN the theme redraws the drawer's contents THEN it is put back above the new checkout", async () => {
    startEmbed(boot("confidence"), undefined, lazy);
    openDrawer();
    await settle();
    const inner = document.querySelector("cart-drawer-component")!;
    inner.innerHTML = inner.innerHTML.replace(/<div id="rp-panel"[\s\S]*?<\/div><\/div>/, "");
    expect(document.querySelector("cart-drawer-component #rp-panel")).toBeNull();
    await settle();
    expect(panel().isConnected).toBe(true);
    expect(panel().nextElementSibling?.querySelector("[name=checkout]")?.isConnected).toBe(true);
    expect(shown("confidence")).toBe(1);
  });

  it("GIVEN the play placed in the open drawer WHEN the page is left alone THEN the embed stops changing the DOM", async () => {
    startEmbed(boot("confidence"), undefined, lazy);
    openDrawer();
    await settle();
    const records: MutationRecord[] = [];
    const mo = new MutationObserver((r) => records.push(...r));
    mo.observe(document.body, { subtree: true, childList: true, attributes: true });
    await settle();
    mo.disconnect();
    expect(records).toEqual([]);
  });

  it("GIVEN the Confidence play with its checkout prompt card WHEN no prompt variant applies (medium propensity, no loyalist) THEN the returns card shows and the prompt card stays hidden", async () => {
    document.querySelector('template[data-rp-fallback="returns_confidence"]')!.innerHTML +=
      '<div class="rp-card" data-rp-needs-variant><button data-rp-dismiss>x</button><p data-rp-variant="guest" hidden>Guest</p><p data-rp-variant="account" hidden>Sign in</p></div>';
    startEmbed(boot("confidence"), () => 0.4, lazy);
    openDrawer();
    await settle();
    expect(panel().hidden).toBe(false);
    const [returns, prompt] = Array.from(panel().querySelectorAll<HTMLElement>(".rp-card"));
    expect(returns.hidden).toBe(false);
    expect(prompt.hidden).toBe(true);
  });

  it("GIVEN a holdout shopper WHEN the drawer opens THEN nothing is revealed or placed", async () => {
    arms.confidence = "holdout";
    startEmbed(boot("confidence"), undefined, lazy);
    openDrawer();
    await settle();
    expect(panel().hidden).toBe(true);
    expect(document.querySelector(".cart__ctas")?.previousElementSibling?.id).not.toBe("rp-panel");
    expect(beacons.some((e) => e.type === "eligible" && e.play === "confidence"), JSON.stringify(beacons)).toBe(true);
  });

  it("GIVEN the embed running WHEN the page's fetch is inspected THEN it is the theme's own, not wrapped", async () => {
    const own = window.fetch;
    startEmbed(boot("confidence"), undefined, lazy);
    await settle();
    expect(window.fetch).toBe(own);
  });
});

describe("embed bundle block", () => {
  const low = () => 0.001;

  it("GIVEN an empty recommendations feed WHEN Deal-Seeker is decided THEN the block is neither revealed nor counted as shown", async () => {
    startEmbed(boot("deal_seeker"), low, lazy);
    await settle();
    expect(document.querySelector<HTMLElement>("[data-rp-kind=bundle]")!.hidden).toBe(true);
    expect(shown("deal_seeker")).toBe(0);
  });

  it("GIVEN a feed with a sold-out and an available product WHEN shown THEN only the available one is listed and Add bundle adds it with the anchor's selected variant, both tagged as bundle lines", async () => {
    recs = [
      { title: "Gone", url: "/products/gone", price: 1000, available: false, variants: [{ id: 31, available: false }] },
      { title: "Mug", url: "/products/mug", price: 2000, available: true, variants: [{ id: 41, available: false }, { id: 42, available: true }] },
    ];
    startEmbed(boot("deal_seeker"), low, lazy);
    await settle();
    const block = document.querySelector<HTMLElement>("[data-rp-kind=bundle]")!;
    expect(block.hidden).toBe(false);
    expect(Array.from(block.querySelectorAll("[data-f=title]")).map((n) => n.textContent)).toEqual(["Mug"]);
    expect(shown("deal_seeker")).toBe(1);
    block.querySelector<HTMLElement>("[data-rp-bundle]")!.click();
    await settle();
    expect(posts.find((p) => p.url === "/cart/add.js")?.body).toEqual({ items: [{ id: 2022, quantity: 1, properties: { _rp_bundle: "1" } }, { id: 42, quantity: 1, properties: { _rp_bundle: "1" } }] });
  });

  it("GIVEN the bundle just shown WHEN Add bundle is clicked THEN shown and engaged are sent before the code is asked for", async () => {
    recs = [{ title: "Mug", url: "/products/mug", price: 2000, available: true, variants: [{ id: 42, available: true }] }];
    const own = window.fetch;
    let sentBeforeAsk: string[] | null = null;
    window.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith("/bundle")) sentBeforeAsk = beacons.map((e) => e.type);
      return own(input, init);
    }) as typeof fetch;
    startEmbed(boot("deal_seeker"), low, lazy);
    // Less than the batch delay: the "shown" report is still queued when the shopper clicks.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(document.querySelector<HTMLElement>("[data-rp-kind=bundle]")!.hidden).toBe(false);
    document.querySelector<HTMLElement>("[data-rp-bundle]")!.click();
    await vi.advanceTimersByTimeAsync(100);
    expect(sentBeforeAsk).toEqual(expect.arrayContaining(["shown", "engaged"]));
  });

  it("GIVEN a bundle discount WHEN the products are listed THEN the regular price is struck through next to the bundle price", async () => {
    recs = [{ title: "Mug", url: "/products/mug", price: 2000, available: true, variants: [{ id: 42, available: true }] }];
    const b = boot("deal_seeker");
    b.c.plays.deal_seeker!.discountPercent = 10;
    startEmbed(b, low, lazy);
    await settle();
    const li = document.querySelector("[data-rp-kind=bundle] li")!;
    expect(li.querySelector("s")?.textContent).toMatch(/20[.,]00/);
    expect(li.querySelector("[data-f=price]")?.textContent).toMatch(/18[.,]00/);
  });
});

describe("embed bundle on a collection page", () => {
  const low = () => 0.001;
  const QUICK_ADD = `<form action="/cart/add" method="post"><input type="hidden" name="id" value="3031"></form>`;
  const FALLBACK = `<template data-rp-fallback="bundle"><div class="rp-card"><p class="rp-heading">Better Together</p><div data-rp-recs></div><button data-rp-cta data-rp-bundle="">Add bundle</button></div></template>`;
  /** A session in which the shopper viewed product 202 `n` times, stored as the embed stores it. */
  const viewed = (n: number) => {
    const t = Date.now();
    const v = newVisitor("", t);
    const s = newSession(t);
    for (let i = 0; i < n; i++) applySignal(s, v, { type: "page_view", ts: t + i, kind: "product", productId: "202" });
    localStorage.setItem("rp_v", JSON.stringify(v));
    localStorage.setItem("rp_s", JSON.stringify(s));
  };
  const collection = (): EmbedBoot => {
    const c = config("deal_seeker");
    c.plays.deal_seeker!.sameProductViewsAtLeast = 3;
    return { c, p: { k: "collection", pid: null, vid: null, li: false, t: 0, i: [], a: "", cp: [[303, 3031], [202, 2023]] } };
  };
  beforeEach(() => {
    document.body.innerHTML = DRAWER + EMBED + FALLBACK + QUICK_ADD;
    recs = [{ title: "Mug", url: "/products/mug", price: 2000, available: true, variants: [{ id: 42, available: true }] }];
  });

  it("GIVEN a product of the page viewed three times WHEN the collection page opens THEN the bundle shows and Add bundle adds that product's listed variant and the shown one", async () => {
    viewed(3);
    startEmbed(collection(), low, lazy);
    await settle();
    expect(panel().hidden).toBe(false);
    expect(panel().querySelector("[data-f=title]")?.textContent).toBe("Mug");
    panel().querySelector<HTMLElement>("[data-rp-bundle]")!.click();
    await settle();
    expect(posts.find((p) => p.url === "/cart/add.js")?.body).toEqual({ items: [{ id: 2023, quantity: 1, properties: { _rp_bundle: "1" } }, { id: 42, quantity: 1, properties: { _rp_bundle: "1" } }] });
  });

  it("GIVEN the product viewed only twice WHEN the collection page opens THEN no bundle shows", async () => {
    viewed(2);
    startEmbed(collection(), low, lazy);
    await settle();
    expect(panel().hidden).toBe(true);
    expect(shown("deal_seeker")).toBe(0);
  });
});

describe("embed lazy module", () => {
  let loads = 0;
  const scored: number[] = [];
  const counting = () => {
    loads++;
    return Promise.resolve({ ...lazyModule, scorePropensity: () => (scored.push(1), 0.001) });
  };
  beforeEach(() => {
    loads = 0;
    scored.length = 0;
    recs = [{ title: "Mug", url: "/products/mug", price: 2000, available: true, variants: [{ id: 42, available: true }] }];
  });

  it("GIVEN a shopper whose decision no propensity band can change WHEN the embed decides THEN the lazy module is never imported", async () => {
    const b = boot("deal_seeker");
    b.c.plays.deal_seeker!.sameProductViewsAtLeast = 5;
    startEmbed(b, undefined, counting);
    await settle();
    expect(loads).toBe(0);
  });

  it("GIVEN a Deal-Seeker rule that holds but for the band WHEN the embed decides THEN it imports the scorer once and shows the bundle it scores for", async () => {
    startEmbed(boot("deal_seeker"), undefined, counting);
    await settle();
    expect(loads).toBe(1);
    expect(scored.length).toBeGreaterThan(0);
    expect(document.querySelector<HTMLElement>("[data-rp-kind=bundle]")!.hidden).toBe(false);
  });
});
