// Shopify's own themes: on Horizon (cart drawer), Dawn (cart notification) and Dawn (cart page) a cart play shows
// right above the checkout button of the surface the shopper is on, a control shopper (no signal) and a holdout
// shopper see nothing there, the themes' own add-to-cart, quantity and remove controls keep working with the embed
// on, and a theme redraw of the drawer keeps the play in place. Deal-Seeker's bundle shows on each theme's product
// page and "Add bundle" adds exactly the products shown.
// Screenshots of what the shopper sees go to docs/screenshots (linked from docs/storefront.md).
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { requireShared, sharedThemeDir } from "../helpers/shared";
import { launchBrowser, startStack, type Stack } from "./harness";
import { newShopper, openAdmin, saveFromSaveBar, setPlay, visitorIn } from "./journeys";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHOTS = path.join(ROOT, "docs/screenshots");
const HORIZON = sharedThemeDir("horizon");
const DAWN = sharedThemeDir("dawn");
const HEADING = "Shop with peace of mind";
const BUNDLE = "Better Together: Bundle & Save";
const VIP = "Pay the way you like";
const INDECISION = "Don't worry";

type CartType = "drawer" | "notification" | "page";

type SeedProduct = { handle: string; title: string; variants: { inventoryQuantity: number }[] };
const inStock = (stack: Stack, skip = 0): SeedProduct =>
  (stack.devstore.state.products as SeedProduct[]).filter((p) => p.variants.some((v) => v.inventoryQuantity > 2))[skip];

/** The theme's own add-to-cart button on a product page (Horizon and Dawn both post the product form to /cart/add). */
async function themeAddToCart(page: Page, stack: Stack) {
  const product = inStock(stack);
  await page.goto(`${stack.storeUrl}/products/${product.handle}`);
  await page.locator("form[action*='/cart/add'] [type=submit]:visible").first().click();
  await page.waitForFunction(() => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count > 0), null, { timeout: 15_000 });
}

/**
 * Where the shopper meets the cart after the theme's add-to-cart: Dawn's `page` cart type already went to /cart (a
 * reload would find the play shown once today, i.e. capped); Horizon opens its drawer itself only with its
 * `auto_open_cart_drawer` setting (off by default), otherwise the shopper opens it with the header's cart button.
 */
async function toCart(page: Page, stack: Stack, cartType: CartType) {
  if (cartType === "page") {
    if (new URL(page.url()).pathname !== "/cart") await page.goto(`${stack.storeUrl}/cart`);
  } else if (cartType === "drawer" && !(await page.locator("theme-drawer#cart-drawer[open], cart-drawer.active").count())) {
    await page.locator("[data-testid=cart-drawer-trigger]:visible, header a[href$='/cart']:visible").first().click();
  }
}

/**
 * The surface's visible checkout button and the visible intervention (its card, found by its heading): the card must be
 * right above the button.
 */
async function expectAboveCheckout(page: Page, surface: string, text = HEADING) {
  const checkout = page.locator(`${surface} [name=checkout]:visible`).first();
  const heading = page.locator(`${surface} .rp-heading:visible`, { hasText: text }).first();
  await heading.waitFor({ timeout: 15_000 });
  const card = heading.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' rp-card ')][1]");
  const [k, c] = [await card.boundingBox(), await checkout.boundingBox()];
  expect(k && c, "card and checkout both laid out").toBeTruthy();
  expect(k!.y + k!.height).toBeLessThanOrEqual(c!.y);
  // Directly above: nothing but another card of the same play and the CTA row's spacing in between.
  expect(c!.y - (k!.y + k!.height)).toBeLessThan(200);
}

/** An anxious first-time shopper (refund policy read 3 times) in the Confidence play's given arm, with an item in the cart. */
async function anxiousShopper(browser: Browser, stack: Stack, arm: "treatment" | "holdout") {
  const s = await newShopper(browser, stack, visitorIn("confidence", arm));
  for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/policies/refund-policy`);
  await themeAddToCart(s.page, stack);
  return s;
}

/** A play's `_rp_plays` entry on the cart: the embed has decided the shopper's eligibility and written it down. */
async function cartRecords(page: Page, entry: string) {
  await page.waitForFunction((e) => fetch("/cart.js").then((r) => r.json()).then((c) => String(c.attributes?._rp_plays ?? "").includes(e)), entry, { timeout: 15_000 });
}

/** The email of a VIP customer (CHAMPIONS/LOYAL), once the order-history sync has profiled the seed. */
async function vipEmail(stack: Stack): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const conn = new Database(stack.databaseUrl.slice(5), { readonly: true });
    const vip = conn.prepare(`SELECT customerId FROM "CustomerProfile" WHERE segment IN ('CHAMPIONS','LOYAL') ORDER BY ordersCount DESC LIMIT 1`).get() as { customerId: string } | undefined;
    conn.close();
    if (vip) return stack.devstore.state.customers.find((c) => c.id === vip.customerId)!.email as string;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("history sync produced no VIP profile");
}

/** A shopper in the VIP play's given arm, logged in as `email` (none: anonymous), on the cart surface with an item and a fake clock. */
async function vipOnCart(browser: Browser, stack: Stack, cartType: CartType, surface: string, arm: "treatment" | "holdout", email: string | null) {
  const s = await newShopper(browser, stack, visitorIn("vip", arm), "granted", { fakeClock: true });
  if (email) {
    // The theme's own login form posts these fields; the context's cookie jar keeps the session.
    const res = await s.page.request.post(`${stack.storeUrl}/account/login`, { form: { "customer[email]": email, "customer[password]": "password" } });
    expect(new URL(res.url()).pathname).toBe("/account");
  }
  await themeAddToCart(s.page, stack);
  await toCart(s.page, stack, cartType);
  await s.page.locator(`${surface} [name=checkout]:visible`).first().waitFor({ timeout: 15_000 });
  await s.page.waitForFunction(() => fetch("/cart.js").then((r) => r.json()).then((c) => !!c.attributes?._rp_vid), null, { timeout: 15_000 });
  // Stalls 46 s on the cart (the play's rule is > 45 s).
  await s.page.clock.fastForward(46_000);
  return s;
}

/**
 * A cart change made like a theme would (Ajax Cart API), then time for the embed's debounced cart read to see it on
 * its own (as plays.e2e does): a remove and re-add read together would cancel out.
 */
async function cartAjax(page: Page, url: string, body: unknown) {
  await page.evaluate(([p, b]) => fetch(p as string, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) }).then((r) => r.json()), [url, body] as const);
  await page.waitForTimeout(1500);
}

/** A shopper in the Indecision play's given arm, 11 minutes in, who removed an item `removals` times, on the cart surface. */
async function indecisiveOnCart(browser: Browser, stack: Stack, cartType: CartType, surface: string, arm: "treatment" | "holdout", removals: number) {
  const s = await newShopper(browser, stack, visitorIn("indecision", arm), "granted", { fakeClock: true });
  await themeAddToCart(s.page, stack);
  await s.page.waitForTimeout(1500);
  const cart = (await s.page.evaluate(() => fetch("/cart.js").then((r) => r.json()))) as { items: { variant_id: number }[] };
  const variant = cart.items[0].variant_id;
  for (let i = 0; i < removals; i++) {
    await cartAjax(s.page, "/cart/change.js", { id: String(variant), quantity: 0 });
    await cartAjax(s.page, "/cart/add.js", { id: variant, quantity: 1 });
  }
  await s.page.clock.fastForward("11:00");
  // Back to where the theme shows the cart: the notification and the drawer open from the theme's add-to-cart.
  if (cartType === "notification") await themeAddToCart(s.page, stack);
  else if (cartType === "drawer") await s.page.reload();
  await toCart(s.page, stack, cartType);
  await s.page.locator(`${surface} [name=checkout]:visible`).first().waitFor({ timeout: 15_000 });
  await s.page.clock.fastForward(6000);
  return s;
}

async function dealSeekerShowsTwice(admin: Awaited<ReturnType<typeof openAdmin>>) {
  const f = await admin.frame();
  await f.click('[aria-label="Edit settings: Deal-Seeker Margin Save"]');
  const cap = (await admin.frame()).getByRole("spinbutton", { name: "Show at most (times)" });
  await cap.waitFor({ timeout: 30_000 });
  await cap.fill("2");
  await saveFromSaveBar(admin);
}

function themeSuite(name: string, dir: string, cartType: CartType, surface: string) {
  describe.skipIf(!requireShared(dir, `${name} theme`))(`${name} (${cartType})`, () => {
    let stack: Stack;
    let browser: Browser;
    beforeAll(async () => {
      stack = await startStack({ quiet: true, themeDir: dir, cartType });
      browser = await launchBrowser();
      const admin = await openAdmin(browser, stack, "Plays");
      await setPlay(admin, "confidence", true);
      await setPlay(admin, "deal_seeker", true);
      await setPlay(admin, "vip", true);
      await setPlay(admin, "indecision", true);
      // Twice a day: the bundle a shopper saw on the product page may show again on the collection page.
      await dealSeekerShowsTwice(admin);
      await admin.page.context().close();
      mkdirSync(SHOTS, { recursive: true });
    }, 300_000);
    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    it(`GIVEN an anxious first-time shopper WHEN they add to cart on ${name} THEN the Confidence play shows right above the ${cartType}'s checkout`, async () => {
      const s = await anxiousShopper(browser, stack, "treatment");
      await toCart(s.page, stack, cartType);
      await expectAboveCheckout(s.page, surface);
      await s.page.screenshot({ path: path.join(SHOTS, `${name.toLowerCase()}-${cartType}-confidence.png`) });
      await s.context.close();
    });

    it(`GIVEN a shopper who never read the policies (control) WHEN they add to cart on ${name} THEN nothing shows on the ${cartType}`, async () => {
      const s = await newShopper(browser, stack, visitorIn("confidence", "treatment"));
      await themeAddToCart(s.page, stack);
      await toCart(s.page, stack, cartType);
      await s.page.locator(`${surface} [name=checkout]:visible`).first().waitFor({ timeout: 15_000 });
      await s.page.waitForTimeout(3000);
      expect(await s.page.locator(".rp-heading:visible").count()).toBe(0);
      await s.context.close();
    });

    it(`GIVEN a holdout shopper with the same signals WHEN they add to cart on ${name} THEN nothing shows on the ${cartType}`, async () => {
      const s = await anxiousShopper(browser, stack, "holdout");
      await toCart(s.page, stack, cartType);
      await s.page.locator(`${surface} [name=checkout]:visible`).first().waitFor({ timeout: 15_000 });
      await s.page.waitForTimeout(3000);
      expect(await s.page.locator(".rp-heading:visible").count()).toBe(0);
      await s.context.close();
    });

    if (cartType !== "notification") {
      it(`GIVEN the play shown on ${name}'s ${cartType} WHEN the shopper uses the theme's quantity and remove controls THEN the cart changes and the play stays above checkout`, async () => {
        const s = await anxiousShopper(browser, stack, "treatment");
        await toCart(s.page, stack, cartType);
        await expectAboveCheckout(s.page, surface);
        const count = () => s.page.evaluate(() => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count as number));
        const before = await count();
        // The theme redraws the drawer/cart from the Section Rendering API after this change.
        await s.page.locator(`${surface} button[name=plus]:visible`).first().click();
        await s.page.waitForFunction((n) => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count > n), before, { timeout: 15_000 });
        await s.page.waitForTimeout(1500);
        await expectAboveCheckout(s.page, surface);
        await s.page.locator(`${surface} .cart-items__remove:visible, ${surface} cart-remove-button:visible`).first().click();
        await s.page.waitForFunction(() => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count === 0), null, { timeout: 15_000 });
        expect(await count()).toBe(0);
        await s.context.close();
      });
    }

    it(`GIVEN a logged-in VIP who stalls 46 s on ${name}'s ${cartType} WHEN the stall passes THEN payment options show right above checkout; a holdout VIP and an anonymous shopper see nothing`, async () => {
      const email = await vipEmail(stack);
      const s = await vipOnCart(browser, stack, cartType, surface, "treatment", email);
      await expectAboveCheckout(s.page, surface, VIP);
      if (cartType !== "page") await s.page.screenshot({ path: path.join(SHOTS, `${name.toLowerCase()}-${cartType}-vip.png`) });
      await s.context.close();

      const holdout = await vipOnCart(browser, stack, cartType, surface, "holdout", email);
      await cartRecords(holdout.page, "vip:holdout:eligible");
      expect(await holdout.page.locator(".rp-heading:visible").count()).toBe(0);
      await holdout.context.close();

      const anonymous = await vipOnCart(browser, stack, cartType, surface, "treatment", null);
      expect(await anonymous.page.locator(".rp-heading:visible").count()).toBe(0);
      await anonymous.context.close();
    });

    it(`GIVEN a shopper 11 minutes in who removed an item three times WHEN on ${name}'s ${cartType} THEN the Indecision reassurance shows right above checkout; a holdout shopper and one who removed nothing see nothing`, async () => {
      const s = await indecisiveOnCart(browser, stack, cartType, surface, "treatment", 3);
      await expectAboveCheckout(s.page, surface, INDECISION);
      if (cartType !== "page") await s.page.screenshot({ path: path.join(SHOTS, `${name.toLowerCase()}-${cartType}-indecision.png`) });
      await s.context.close();

      const holdout = await indecisiveOnCart(browser, stack, cartType, surface, "holdout", 3);
      await cartRecords(holdout.page, "indecision:holdout:eligible");
      expect(await holdout.page.locator(".rp-heading:visible").count()).toBe(0);
      await holdout.context.close();

      const control = await indecisiveOnCart(browser, stack, cartType, surface, "treatment", 0);
      expect(await control.page.locator(".rp-heading:visible").count()).toBe(0);
      await control.context.close();
    });

    it(`GIVEN a low-propensity shopper who viewed a product three times WHEN on ${name}'s product page THEN the bundle offer shows and Add bundle adds exactly the products shown`, async () => {
      const s = await newShopper(browser, stack, visitorIn("deal_seeker", "treatment"));
      const product = inStock(stack, 1);
      for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/products/${product.handle}`);
      const block = s.page.locator("[data-rp-kind=bundle]:visible", { hasText: BUNDLE }).first();
      await block.waitFor({ timeout: 15_000 });
      await block.scrollIntoViewIfNeeded();
      if (cartType !== "page") await s.page.screenshot({ path: path.join(SHOTS, `${name.toLowerCase()}-deal-seeker.png`) });
      const shown = await block.locator("[data-rp-recs] [data-f=title]").allInnerTexts();
      expect(shown.length).toBeGreaterThan(0);
      await block.getByRole("button", { name: "Add bundle to cart" }).click();
      type Cart = { item_count: number; items: { product_title: string }[] };
      const cart = () => s.page.evaluate(() => fetch("/cart.js").then((r) => r.json())) as Promise<Cart>;
      await s.page.waitForFunction((n) => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count === n), 1 + shown.length, { timeout: 15_000 });
      expect((await cart()).items.map((i) => i.product_title).sort()).toEqual([product.title, ...shown].sort());
      await s.context.close();
    });

    it(`GIVEN a low-propensity shopper who viewed one of ${name}'s collection products three times WHEN they open the collection page THEN the bundle offer shows there and Add bundle adds that product and the ones shown`, async () => {
      const s = await newShopper(browser, stack, visitorIn("deal_seeker", "treatment"));
      await s.page.goto(`${stack.storeUrl}/collections/all`);
      const listed = await s.page.locator("a[href*='/products/']").evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname.split("/products/")[1]));
      const product = (stack.devstore.state.products as SeedProduct[]).filter((p) => listed.includes(p.handle) && p.variants.some((v) => v.inventoryQuantity > 2))[1];
      expect(product, "an in-stock product listed on the collection page").toBeDefined();
      for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/products/${product.handle}`);
      await s.page.goto(`${stack.storeUrl}/collections/all`);
      const panel = s.page.locator("#rp-panel:visible", { hasText: BUNDLE });
      await panel.waitFor({ timeout: 15_000 });
      if (cartType !== "page") await s.page.screenshot({ path: path.join(SHOTS, `${name.toLowerCase()}-collection-deal-seeker.png`) });
      const shown = await panel.locator("[data-rp-recs] [data-f=title]").allInnerTexts();
      expect(shown.length).toBeGreaterThan(0);
      await panel.getByRole("button", { name: "Add bundle to cart" }).click();
      await s.page.waitForFunction((n) => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count === n), 1 + shown.length, { timeout: 15_000 });
      const cart = (await s.page.evaluate(() => fetch("/cart.js").then((r) => r.json()))) as { items: { product_title: string }[] };
      expect(cart.items.map((i) => i.product_title).sort()).toEqual([product.title, ...shown].sort());
      await s.context.close();
    });

    it(`GIVEN a treated shopper who viewed the product once (control) WHEN on ${name}'s product page THEN no bundle offer shows`, async () => {
      const s = await newShopper(browser, stack, visitorIn("deal_seeker", "treatment"));
      const product = inStock(stack, 1);
      await s.page.goto(`${stack.storeUrl}/products/${product.handle}`);
      await s.page.waitForTimeout(3000);
      expect(await s.page.locator("[data-rp-kind=bundle]:visible").count()).toBe(0);
      await s.context.close();
    });

    it(`GIVEN a holdout shopper with the same views WHEN on ${name}'s product page THEN no bundle offer shows`, async () => {
      const s = await newShopper(browser, stack, visitorIn("deal_seeker", "holdout"));
      const product = inStock(stack, 1);
      for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/products/${product.handle}`);
      await s.page.waitForTimeout(3000);
      expect(await s.page.locator("[data-rp-kind=bundle]:visible").count()).toBe(0);
      await s.context.close();
    });
  });
}

themeSuite("Dawn", DAWN, "notification", "#cart-notification");
themeSuite("Horizon", HORIZON, "drawer", "theme-drawer#cart-drawer");
themeSuite("Dawn", DAWN, "page", "main");
