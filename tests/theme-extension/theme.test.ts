import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { themeCheckRun } from "@shopify/theme-check-node";
import { configWith } from "../helpers/decisionFixtures";
import type { PlayKey, PublishedPlaysConfig } from "../../app/lib/plays/types";
import { bundleEmbed, bundleLazy, LAZY_OUTFILE, OUTFILE } from "../../scripts/build-extensions";
import { EXT, LOCALE, makeEngine, renderBlock, schemaOf } from "./liquid";

const HOSTILE = `</script><script>alert("x")</script> "dq" 'sq' — ünïcødé ✓ & <b>bold</b>`;
const engine = makeEngine();

function hostileConfig(plays: PlayKey[]): PublishedPlaysConfig {
  const c = configWith(plays);
  for (const p of plays) c.plays[p]!.message = { heading: `H ${HOSTILE}`, body: `B ${HOSTILE}`, cta: `C ${HOSTILE}` };
  c.shop.bundleDiscountTitle = `T ${HOSTILE}`;
  return c;
}

function scope(config: PublishedPlaysConfig | null, over: Record<string, unknown> = {}) {
  return {
    app: { metafields: { "$app:recovery_plays": { config: config ? { value: config } : null } } },
    shop: { enabled_payment_types: ["visa", "shopify_pay", "klarna"], refund_policy: { url: "/policies/refund-policy" } },
    cart: { total_price: 4000, currency: { iso_code: "EUR" }, items: [{ product_id: 7, quantity: 2 }], attributes: {} },
    product: { id: 7, selected_or_first_available_variant: { id: 701 } },
    customer: null,
    request: { page_type: "cart" },
    block: { settings: { placement: "inline", background: "#ffffff", text: "#111111", accent: "#004400" }, shopify_attributes: "" },
    ...over,
  };
}

/** Escaped hostile text appears; the raw markup never does. (`&#34;` and `&quot;` are the same escape.) */
function expectEscaped(raw: string, prefix: string) {
  const html = raw.replaceAll("&#34;", "&quot;");
  expect(html).not.toContain("<script>alert");
  expect(html).not.toContain("<b>bold</b>");
  expect(html).toContain(`${prefix} &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;dq&quot; &#39;sq&#39; — ünïcødé ✓ &amp; &lt;b&gt;bold&lt;/b&gt;`);
}

const BLOCKS: { file: string; play: PlayKey; kinds: string[]; page: string }[] = [
  { file: "cart-confidence.liquid", play: "confidence", kinds: ["returns_confidence"], page: "cart" },
  { file: "checkout-prompt.liquid", play: "confidence", kinds: ["checkout_prompt"], page: "cart" },
  { file: "payment-options.liquid", play: "vip", kinds: ["payment_options"], page: "cart" },
  { file: "indecision-alternatives.liquid", play: "indecision", kinds: ["alternatives"], page: "cart" },
  { file: "bundle-offer.liquid", play: "deal_seeker", kinds: ["bundle"], page: "product" },
  { file: "free-shipping-hint.liquid", play: "deal_seeker", kinds: ["free_shipping_hint"], page: "cart" },
];

describe("theme-check", () => {
  it("GIVEN the extension WHEN theme-check runs with the theme-app-extension config THEN it reports no errors", async () => {
    const config = path.resolve("node_modules/@shopify/theme-check-node/configs/theme-app-extension.yml");
    const run = await themeCheckRun(EXT, config, () => {});
    const errors = run.offenses.filter((o) => o.severity === 0).map((o) => `${o.check} ${o.uri} ${o.message}`);
    expect(errors).toEqual([]);
  });
  it("GIVEN the committed embed asset WHEN compared with a fresh build THEN it is current", async () => {
    expect(readFileSync(OUTFILE, "utf8")).toBe(await bundleEmbed());
  });
  it("GIVEN the committed lazy asset WHEN compared with a fresh build THEN it is current", async () => {
    expect(readFileSync(LAZY_OUTFILE, "utf8")).toBe(await bundleLazy());
  });
  it("GIVEN the scripts the blocks load on every page WHEN gzipped THEN together they stay within the 8,000-byte budget", () => {
    const always = new Set<string>();
    for (const dir of ["blocks", "snippets"]) {
      for (const f of readdirSync(path.join(EXT, dir))) {
        for (const m of readFileSync(path.join(EXT, dir, f), "utf8").matchAll(/<script src="\{\{ '([^']+)' \| asset_url \}\}"/g)) always.add(m[1]);
      }
    }
    expect([...always]).toContain("recovery-plays.js");
    const bytes = [...always].reduce((n, f) => n + gzipSync(readFileSync(path.join(EXT, "assets", f)), { level: 9 }).length, 0);
    expect(bytes).toBeLessThanOrEqual(8_000);
  });
  it("GIVEN every JavaScript asset WHEN gzipped THEN each is within theme-check's 10,000-byte app-block limit", () => {
    // theme-check-node only measures files when its host provides sizes, so the rule is applied here directly.
    const js = readdirSync(path.join(EXT, "assets")).filter((f) => f.endsWith(".js"));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) expect(gzipSync(readFileSync(path.join(EXT, "assets", f))).length).toBeLessThanOrEqual(10_000);
  });
});

describe("app blocks", () => {
  for (const b of BLOCKS) {
    it(`GIVEN ${b.play} enabled with hostile copy WHEN ${b.file} renders THEN it is hidden, tagged and escaped`, async () => {
      const c = hostileConfig([b.play]);
      if (c.plays.vip) c.plays.vip.conciergeContact = "vip@example.com";
      if (c.plays.deal_seeker) c.plays.deal_seeker.freeShippingThreshold = 75;
      const html = await renderBlock(engine, b.file, scope(c, { request: { page_type: b.page } }));
      for (const k of b.kinds) expect(html).toContain(`data-rp-kind="${k}"`);
      // Hidden, not invisible: a shopper who sees no play gets no reserved empty space.
      expect(html).toMatch(/class="rp-slot"[^>]*\shidden\s/);
      expect(html).not.toContain("visibility:hidden");
      expect(html).toContain('aria-live="polite"');
      expect(html).toContain(`aria-label="${LOCALE.recovery_plays.dismiss}"`);
      if (b.kinds[0] !== "checkout_prompt" && b.kinds[0] !== "free_shipping_hint") expectEscaped(html, "H");
    });
    it(`GIVEN ${b.play} not published WHEN ${b.file} renders THEN it renders nothing`, async () => {
      const others = (["confidence", "vip", "indecision", "deal_seeker"] as PlayKey[]).filter((p) => p !== b.play);
      const html = await renderBlock(engine, b.file, scope(configWith(others)));
      expect(html.trim()).toBe("");
    });
  }

  it("GIVEN the overlay placement WHEN a block renders THEN it floats (hidden attribute, fixed overlay class)", async () => {
    const html = await renderBlock(engine, "cart-confidence.liquid", scope(configWith(["confidence"]), {
      block: { settings: { placement: "overlay", background: "#fff", text: "#000", accent: "#000" }, shopify_attributes: "" },
    }));
    expect(html).toContain('class="rp-slot rp-overlay"');
    expect(html).toMatch(/\shidden\s/);
    expect(html).not.toContain("visibility:hidden");
  });
  it("GIVEN the theme editor WHEN a block renders THEN it is shown with a label naming its play", async () => {
    const html = await renderBlock(engine, "bundle-offer.liquid", scope(configWith(["deal_seeker"]), { request: { page_type: "product", design_mode: true } }));
    expect(html).not.toMatch(/class="rp-slot"[^>]*\shidden\s/);
    expect(html).toContain(`${LOCALE.recovery_plays.preview}: ${LOCALE.recovery_plays.kinds.bundle}`);
  });
  it("GIVEN the theme editor and a play not published WHEN its block renders THEN the labelled preview still shows", async () => {
    const html = await renderBlock(engine, "cart-confidence.liquid", scope(configWith(["vip"]), { request: { page_type: "cart", design_mode: true } }));
    expect(html).toContain(LOCALE.recovery_plays.kinds.returns_confidence);
  });
  it("GIVEN block colour settings WHEN rendered THEN they become the intervention's CSS variables", async () => {
    const html = await renderBlock(engine, "cart-confidence.liquid", scope(configWith(["confidence"])));
    expect(html).toContain("--rp-bg:#ffffff;--rp-fg:#111111;--rp-accent:#004400");
  });
  it("GIVEN the checkout prompt WHEN rendered THEN guest and account variants are both present and hidden", async () => {
    const html = await renderBlock(engine, "checkout-prompt.liquid", scope(configWith(["confidence"])));
    expect(html).toMatch(/data-rp-variant="guest" hidden/);
    expect(html).toMatch(/data-rp-variant="account" hidden/);
    expect(html).toContain(LOCALE.recovery_plays.checkout_prompt.guest_cta);
  });
  it("GIVEN every play on its defaults and a shop without pay-later methods WHEN every block renders THEN no instalment or pay-later wording appears", async () => {
    // The shop's enabled_payment_types are the only truth about what it offers; copy must not promise more.
    const all = configWith(["vip", "confidence", "indecision", "deal_seeker"]);
    const shop = { enabled_payment_types: ["visa", "master", "shopify_pay"], refund_policy: { url: "/policies/refund-policy" } };
    const text: string[] = [];
    for (const file of readdirSync(path.join(EXT, "blocks"))) {
      const html = await renderBlock(engine, file, scope(all, { shop }));
      // What a shopper can read: markup, styles and the boot JSON are not copy (its messages render elsewhere).
      text.push(html.replace(/<(style|script)\b[\s\S]*?<\/\1>/g, " ").replace(/<[^>]*>/g, " "));
    }
    const rendered = text.join(" ");
    expect(rendered).toContain(LOCALE.recovery_plays.payment_options.big_order);
    expect(rendered).not.toMatch(/instal|pay[- ]?in[- ]?(4|four)|pay later|interest[- ]free|split (the|this|your) (cost|order|payment)|spread the cost|bnpl/i);
  });
  it("GIVEN the VIP play WHEN payment options render THEN each enabled payment type shows as Shopify's icon, and a hidden big-order note", async () => {
    const html = await renderBlock(engine, "payment-options.liquid", scope(configWith(["vip"])));
    for (const type of ["visa", "shopify_pay", "klarna"]) expect(html).toContain(`<li><svg class="rp-pay-icon" role="img" aria-labelledby="pi-${type}">`);
    expect(html).toMatch(/data-rp-variant="bnpl" hidden/);
    expect(html).not.toContain('data-rp-kind="concierge"');
  });
  const bigOrderNote = (html: string) => {
    const m = /<div class="rp-bnpl" data-rp-variant="bnpl" hidden>([\s\S]*?)<\/div>/.exec(html);
    if (!m) throw new Error("no big-order note");
    return m[1];
  };
  it("GIVEN a shop with Klarna enabled WHEN the big-order note renders THEN it names Klarna's instalments and carries Shopify's installments banner", async () => {
    const note = bigOrderNote(await renderBlock(engine, "payment-options.liquid", scope(configWith(["vip"]))));
    expect(note).toContain("Pay in instalments with Klarna at checkout.");
    expect(note).toMatch(/<form method="post" action="\/cart"><shopify-payment-terms form-type="cart"><\/shopify-payment-terms><\/form>/);
  });
  it("GIVEN a shop whose payment types include no pay-later provider WHEN the big-order note renders THEN only Shopify's banner could speak of instalments", async () => {
    const shop = { enabled_payment_types: ["visa", "master", "paypal"], refund_policy: { url: "/policies/refund-policy" } };
    const note = bigOrderNote(await renderBlock(engine, "payment-options.liquid", scope(configWith(["vip"]), { shop })));
    expect(note.replace(/<[^>]*>/g, " ")).not.toMatch(/instal|pay later/i);
    expect(note).toContain("<shopify-payment-terms");
  });
  const concierge = async (contact: string) => {
    const c = configWith(["vip"]);
    c.plays.vip!.conciergeContact = contact;
    return renderBlock(engine, "payment-options.liquid", scope(c));
  };
  it("GIVEN an e-mail concierge contact WHEN rendered THEN it links with mailto", async () => {
    expect(await concierge("vip@example.com")).toContain('href="mailto:vip@example.com"');
  });
  it("GIVEN an https concierge contact WHEN rendered THEN it links to it", async () => {
    expect(await concierge("https://example.com/vip?a=1&b=2")).toContain('href="https://example.com/vip?a=1&amp;b=2"');
  });
  it("GIVEN a javascript: concierge contact WHEN rendered THEN no link is produced", async () => {
    const html = await concierge("javascript:alert(1)//@x");
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain('data-rp-kind="concierge"><div class="rp-card">');
  });
  it("GIVEN a bundle discount WHEN the bundle renders THEN the real percent and the escaped discount title show", async () => {
    const c = hostileConfig(["deal_seeker"]);
    c.plays.deal_seeker!.discountPercent = 12;
    const html = await renderBlock(engine, "bundle-offer.liquid", scope(c, { request: { page_type: "product" } }));
    expect(html).toContain("Save 12% when you buy them together (T &lt;/script&gt;");
    expect(html).toContain('data-rp-bundle="701"');
  });
  it("GIVEN a 14-day return window on each play WHEN the returns copy renders THEN it says 14 days wherever it names the window", async () => {
    const c = configWith(["confidence", "indecision"]);
    c.plays.confidence!.returnDays = 14;
    c.plays.indecision!.returnDays = 14;
    const confidence = await renderBlock(engine, "cart-confidence.liquid", scope(c));
    const indecision = await renderBlock(engine, "indecision-alternatives.liquid", scope(c));
    expect(confidence).toContain("Free 14-day returns on every order.");
    expect(indecision).toContain("You can return this anytime in the next 14 days!");
    for (const html of [confidence, indecision]) expect(html).not.toMatch(/\b30\b|\{return_days\}/);
  });
  it("GIVEN a cart in the shopper's currency, not the shop's WHEN the free-shipping hint renders THEN Liquid writes no amount (it has no rate; the embed converts)", async () => {
    const c = configWith(["deal_seeker"]);
    c.plays.deal_seeker!.freeShippingThreshold = 75;
    const html = await renderBlock(engine, "free-shipping-hint.liquid", scope(c, { cart: { total_price: 4000, currency: { iso_code: "USD" }, items: [], attributes: {} } }));
    expect(html).toContain("You're <strong data-rp-remaining></strong> away from free shipping.");
  });
  it("GIVEN the cart's currency WHEN the embed renders THEN the boot carries it with the cart total", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["deal_seeker"]), { request: { page_type: "cart" } }));
    expect(html).toMatch(/"t": 4000,\s*"cu": "EUR",/);
  });
  it("GIVEN a 75 threshold and a 40.00 cart WHEN the free-shipping hint renders THEN it says 35.00 away", async () => {
    const c = configWith(["deal_seeker"]);
    c.plays.deal_seeker!.freeShippingThreshold = 75;
    const html = await renderBlock(engine, "free-shipping-hint.liquid", scope(c));
    expect(html).toContain("You're <strong data-rp-remaining>€35.00</strong> away from free shipping.");
  });
});

describe("app embed", () => {
  const bootOf = (html: string) => {
    const m = /<script type="application\/json" id="rp-boot">([\s\S]*?)<\/script>/.exec(html);
    if (!m) throw new Error("no boot script");
    return JSON.parse(m[1]);
  };
  // The page kind the signals count is decided in Liquid from request.page_type (and the page's handle).
  it.each([
    ["index", null, "home"],
    ["list-collections", null, "collection"],
    ["policy", null, "info"],
    ["page", "shipping-and-delivery", "info"],
    ["page", "faq", "info"],
    ["page", "about-us", "other"],
    ["customers/account", null, "account"],
    ["blog", null, "other"],
  ])("GIVEN page type %s (handle %s) WHEN the embed renders THEN the page kind is %s", async (pageType, handle, kind) => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["confidence"]), { request: { page_type: pageType }, page: handle ? { handle } : null }));
    expect(bootOf(html).p.k).toBe(kind);
  });
  it("GIVEN hostile merchant copy WHEN the embed renders THEN the boot JSON stays inside its script and round-trips", async () => {
    const c = hostileConfig(["confidence", "vip", "indecision", "deal_seeker"]);
    const html = await renderBlock(engine, "app-embed.liquid", scope(c));
    expect(bootOf(html).c).toEqual(JSON.parse(JSON.stringify(c)));
    expect(html).not.toContain("<script>alert");
  });
  it("GIVEN a logged-in customer WHEN the embed renders THEN only the logged-in flag is exposed", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["vip"]), {
      customer: { id: 987654321, email: "jane@example.com", first_name: "Jane" },
    }));
    expect(bootOf(html).p.li).toBe(true);
    expect(html).not.toContain("987654321");
    expect(html).not.toContain("jane@example.com");
  });
  it("GIVEN a product page WHEN the embed renders THEN page kind, product, variant and cart lines are in the boot data", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["deal_seeker"]), { request: { page_type: "product" } }));
    expect(bootOf(html).p).toMatchObject({ k: "product", pid: 7, vid: 701, li: false, t: 4000, i: [[7, 2]] });
  });
  it("GIVEN a collection page WHEN the embed renders THEN the boot data lists its products with their selected variants", async () => {
    const collection = { products: [{ id: 7, selected_or_first_available_variant: { id: 701 } }, { id: 8, selected_or_first_available_variant: { id: 801 } }] };
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["deal_seeker"]), { request: { page_type: "collection" }, collection }));
    expect(bootOf(html).p).toMatchObject({ k: "collection", cp: [[7, 701], [8, 801]] });
  });
  it("GIVEN a product page WHEN the embed renders THEN no collection products are in the boot data", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["deal_seeker"]), { request: { page_type: "product" } }));
    expect(bootOf(html).p.cp).toBeUndefined();
  });
  it("GIVEN a merchant shipping page WHEN the embed renders THEN it is classified as an info page", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["confidence"]), { request: { page_type: "page" }, page: { handle: "shipping-rates" } }));
    expect(bootOf(html).p.k).toBe("info");
  });
  it("GIVEN the account area WHEN the embed renders THEN it is classified as account", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["confidence"]), { request: { page_type: "customers/account" } }));
    expect(bootOf(html).p.k).toBe("account");
  });
  it("GIVEN no published config WHEN the embed renders THEN it adds no script at all", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(null));
    expect(html).not.toContain("<script");
  });
  it("GIVEN enabled plays WHEN the embed renders THEN a fallback template exists per intervention and the script is deferred", async () => {
    const html = await renderBlock(engine, "app-embed.liquid", scope(configWith(["confidence", "vip", "indecision", "deal_seeker"])));
    for (const k of ["returns_confidence", "payment_options", "alternatives", "bundle", "free_shipping_hint"]) {
      expect(html).toContain(`<template data-rp-fallback="${k}">`);
    }
    expect(html).toMatch(/<script src="[^"]*recovery-plays\.js" type="module" defer><\/script>/);
  });
});

describe("locales", () => {
  const liquidFiles = ["blocks", "snippets"].flatMap((d) => readdirSync(path.join(EXT, d)).map((f) => path.join(EXT, d, f)));
  it("GIVEN every storefront string used in Liquid WHEN looked up THEN en.default.json has it", () => {
    const missing: string[] = [];
    for (const f of liquidFiles) {
      for (const m of readFileSync(f, "utf8").matchAll(/'([\w.]+)'\s*\|\s*t\b/g)) {
        const v = m[1].split(".").reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], LOCALE);
        if (typeof v !== "string") missing.push(m[1]);
      }
    }
    expect(missing).toEqual([]);
  });
  it("GIVEN every block WHEN its schema name is resolved through the schema locale THEN it has at most 25 characters and not the app's title", () => {
    // shopify.dev (theme-app-extensions/configuration#schema): "Keep app block and app embed block names under 25
    // characters so they fit in the theme editor sidebar. Don't include the title of your app in the name of the
    // block." Deploy refuses longer ones: "Invalid schema: name is too long (max 25 characters)".
    const schemaLocale = JSON.parse(readFileSync(path.join(EXT, "locales/en.default.schema.json"), "utf8"));
    const names = readdirSync(path.join(EXT, "blocks")).map((f) => {
      const raw = String(schemaOf(`blocks/${f}`).name);
      const name = raw.startsWith("t:") ? raw.slice(2).split(".").reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], schemaLocale) : raw;
      return { f, name: String(name) };
    });
    expect(names.filter(({ name }) => name.length > 25 || /recovery plays/i.test(name))).toEqual([]);
  });
  it("GIVEN every schema label WHEN looked up THEN en.default.schema.json has it", () => {
    const schemaLocale = JSON.parse(readFileSync(path.join(EXT, "locales/en.default.schema.json"), "utf8"));
    const missing: string[] = [];
    for (const f of readdirSync(path.join(EXT, "blocks"))) {
      for (const m of JSON.stringify(schemaOf(`blocks/${f}`)).matchAll(/"t:([\w.]+)"/g)) {
        const v = m[1].split(".").reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], schemaLocale);
        if (typeof v !== "string") missing.push(m[1]);
      }
    }
    expect(missing).toEqual([]);
  });
});
