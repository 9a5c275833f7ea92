// One scripted journey per play shows its intervention (and a holdout shopper does not);
// without analytics consent nothing personalised is shown and nothing is collected. A custom message
// set in the play's settings is exactly what the storefront shows.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startStack, type Stack } from "./harness";
import {
  addFirstProductToCart,
  adminNav,
  enableThemeExtension,
  newShopper,
  openAdmin,
  saveFromSaveBar,
  setPlay,
  storedVisitorId,
  visibleText,
  visitorIn,
} from "./journeys";

let stack: Stack;
let browser: Browser;
let admin: Awaited<ReturnType<typeof openAdmin>>;
const CUSTOM_HEADING = "Returns on us, always";

beforeAll(async () => {
  stack = await startStack({ quiet: true });
  browser = await launchBrowser();
  await enableThemeExtension(browser, stack, [
    { handle: "cart-confidence", template: "cart" },
    { handle: "payment-options", template: "cart" },
    { handle: "indecision-alternatives", template: "cart" },
    { handle: "bundle-offer", template: "product" },
  ]);
  admin = await openAdmin(browser, stack, "Plays");
  for (const play of ["confidence", "vip", "indecision", "deal_seeker"] as const) await setPlay(admin, play, true);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function db() {
  return new Database(stack.databaseUrl.slice(5), { readonly: true });
}

/** A cart change made like a theme would (Ajax Cart API). */
async function cartAjax(page: Page, path: string, body: unknown) {
  await page.evaluate(
    ([p, b]) => fetch(p as string, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) }).then((r) => r.json()),
    [path, body] as const,
  );
  // The embed reads the cart from the change's answer or re-reads /cart.js 150 ms after an add (debounced):
  // leave each change time to be seen on its own, also on a loaded machine.
  await page.waitForTimeout(1500);
}

describe("one journey per play", () => {
  it("GIVEN the merchant's custom copy for the Confidence play WHEN an anxious shopper reaches the cart THEN exactly that copy shows", async () => {
    const f = await adminNav(admin.page, "Plays");
    await f.click('[aria-label="Edit settings: First-Time Buyer Confidence Builder"]');
    const heading = (await admin.frame()).getByRole("textbox", { name: "Heading", exact: true });
    await heading.waitFor({ timeout: 30_000 });
    await heading.fill(CUSTOM_HEADING);
    // The contextual save bar (App Bridge's ui-save-bar) appears once the form is dirty; save from it.
    await saveFromSaveBar(admin);

    const s = await newShopper(browser, stack, visitorIn("confidence", "treatment"));
    for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/policies/refund-policy`);
    await addFirstProductToCart(s.page, stack);
    await s.page.goto(`${stack.storeUrl}/cart`);
    expect(await storedVisitorId(s.page)).toBe(s.visitorId);
    expect(await visibleText(s.page, CUSTOM_HEADING)).toBe(true);
    expect(await visibleText(s.page, "Shop with peace of mind", 500)).toBe(false);
    await s.context.close();
  });

  it("GIVEN a logged-in VIP (CHAMPIONS/LOYAL) WHEN they stall on the cart for 46 s THEN payment options show; a holdout VIP sees nothing", async () => {
    let vip: { customerId: string } | undefined;
    for (let i = 0; i < 120 && !vip; i++) {
      const conn = db();
      vip = conn.prepare(`SELECT customerId FROM "CustomerProfile" WHERE segment IN ('CHAMPIONS','LOYAL') ORDER BY ordersCount DESC LIMIT 1`).get() as { customerId: string } | undefined;
      conn.close();
      if (!vip) await new Promise((r) => setTimeout(r, 500));
    }
    expect(vip, "history sync produced VIP profiles").toBeDefined();
    const email = stack.devstore.state.customers.find((c) => c.id === vip!.customerId)!.email as string;

    for (const [arm, expected] of [["treatment", true], ["holdout", false]] as const) {
      const s = await newShopper(browser, stack, visitorIn("vip", arm), "granted", { fakeClock: true });
      await s.page.goto(`${stack.storeUrl}/account/login`);
      await s.page.fill("#CustomerEmail", email);
      await s.page.fill("#CustomerPassword", "password");
      await Promise.all([s.page.waitForNavigation(), s.page.press("#CustomerPassword", "Enter")]);
      await addFirstProductToCart(s.page, stack);
      await s.page.goto(`${stack.storeUrl}/cart`);
      await s.page.waitForTimeout(1500);
      await s.page.clock.fastForward(46_000);
      expect(await visibleText(s.page, "Pay the way you like", expected ? 8000 : 3000)).toBe(expected);
      await s.context.close();
    }

    // The merchant looks the customer up and sees their latest storefront session scored and explained
    // (the logged-in page views above, replayed on the server through the embed's reducer).
    const conn = db();
    const views = conn.prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE customerId = ? AND type = 'page_view'`).get(vip!.customerId) as { n: number };
    conn.close();
    expect(views.n, "the VIP's page views were stored with their customer id").toBeGreaterThan(0);
    await adminNav(admin.page, "Customers");
    const f = await admin.frame();
    await f.getByLabel("Customer ID").fill(vip!.customerId);
    await f.getByRole("button", { name: "Look up" }).click();
    await f.getByText("Their latest storefront session").waitFor({ timeout: 20_000 });
    const body = await f.locator("body").innerText();
    const text = body.slice(body.lastIndexOf("Purchase propensity"));
    expect(text).toMatch(/\d+(\.\d+)? ?%/);
    expect(text).toMatch(/(Raised|Lowered) the chance of a purchase/);
    expect(text).toMatch(/odds ×\d/);
  });

  it("GIVEN a shopper 11 minutes in who removed an item three times WHEN they are on the cart THEN the Indecision reassurance shows", async () => {
    const s = await newShopper(browser, stack, visitorIn("indecision", "treatment"), "granted", { fakeClock: true });
    await addFirstProductToCart(s.page, stack);
    // Let the embed see the first add before the removals start (its cart read is debounced).
    await s.page.waitForTimeout(1500);
    const variantId = stack.devstore.state.products[0].variants[0].id;
    for (let i = 0; i < 3; i++) {
      await cartAjax(s.page, "/cart/change.js", { id: String(variantId), quantity: 0 });
      await cartAjax(s.page, "/cart/add.js", { id: Number(variantId), quantity: 1 });
    }
    await s.page.clock.fastForward("11:00");
    await s.page.goto(`${stack.storeUrl}/cart`);
    await s.page.clock.fastForward(6000);
    expect(await visibleText(s.page, "You can return this anytime in the next 30 days!")).toBe(true);
    await s.context.close();
  });

  it("GIVEN a low-propensity shopper who viewed the same product three times without adding it WHEN on the product page THEN the bundle offer shows; accepting it adds both with the bundle code, and no other shopper gets the discount", async () => {
    const s = await newShopper(browser, stack, visitorIn("deal_seeker", "treatment"));
    const handle = stack.devstore.state.products[1].handle;
    for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/products/${handle}`);
    expect(await visibleText(s.page, "Better Together: Bundle & Save")).toBe(true);

    // Accepting the offer adds both products and applies a single-use bundle code, which the app hands only to
    // treated visitors it recorded the offer as shown to (it is not in the page).
    const html = await s.page.content();
    await s.page.getByRole("button", { name: "Add bundle to cart" }).click();
    type CartJson = { item_count: number; total_discount: number; discount_codes?: { code: string; applicable: boolean }[] };
    const cartOf = (p: Page) => p.evaluate(() => fetch("/cart.js").then((r) => r.json())) as Promise<CartJson>;
    let cart = await cartOf(s.page);
    for (let i = 0; i < 40 && !(cart.discount_codes ?? []).length; i++) {
      await s.page.waitForTimeout(250);
      cart = await cartOf(s.page);
    }
    expect(cart.item_count).toBe(2);
    expect(cart.discount_codes).toEqual([{ code: expect.stringMatching(/^RP-[A-Z0-9]{12}$/), applicable: true }]);
    expect(cart.total_discount).toBeGreaterThan(0);
    expect(html).not.toContain(cart.discount_codes![0].code);
    await s.context.close();

    // Margin: any other shopper with two items in the cart pays full price.
    const other = await newShopper(browser, stack, visitorIn("deal_seeker", "holdout"));
    const inStock = (stack.devstore.state.products as { variants: { id: string; inventoryQuantity: number }[] }[])
      .map((p) => p.variants.find((v) => v.inventoryQuantity > 0))
      .filter((v): v is { id: string; inventoryQuantity: number } => !!v)
      .slice(0, 2)
      .map((v) => ({ id: Number(v.id.split("/").pop()), quantity: 1 }));
    await other.page.goto(`${stack.storeUrl}/`);
    await other.page.evaluate(
      (items) => fetch("/cart/add.js", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items }) }),
      inStock,
    );
    const plain = await cartOf(other.page);
    expect(plain.item_count).toBe(2);
    expect(plain.total_discount).toBe(0);
    // Its cart still carries the visitor id (no play exposure needed), so its order can be tied to its sessions.
    const otherId = await storedVisitorId(other.page);
    expect(otherId).toBe(other.visitorId);
    await other.page.waitForFunction(
      (id) => fetch("/cart.js").then((r) => r.json()).then((c) => c.attributes?._rp_vid === id),
      otherId,
      { timeout: 10_000 },
    );
    // Nor can a holdout visitor get the code from the app.
    const asked = await other.page.evaluate((vid) => fetch("/apps/recovery-plays/bundle", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ visitorId: vid }) }).then((r) => r.status), other.visitorId);
    expect(asked).toBe(403);
    await other.context.close();
  });

  it("GIVEN analytics consent is denied WHEN an anxious shopper reaches the cart THEN nothing personalised shows and nothing is collected", async () => {
    // Earlier shoppers' beacons may still land; this journey's own pages (refund policy, from now on) must not.
    const start = new Date(Date.now() - 1000).toISOString();
    const s = await newShopper(browser, stack, visitorIn("confidence", "treatment"), "denied");
    for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/policies/refund-policy`);
    await addFirstProductToCart(s.page, stack);
    await s.page.goto(`${stack.storeUrl}/cart`);
    expect(await visibleText(s.page, CUSTOM_HEADING, 3000)).toBe(false);
    expect(await s.page.evaluate(() => localStorage.getItem("rp_v"))).toBeNull();
    await s.page.waitForTimeout(1500);
    const after = db();
    const denied = (after.prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE visitorId = ?`).get(s.visitorId) as { n: number }).n;
    const ours = (
      after.prepare(`SELECT COUNT(*) AS n FROM "Event" WHERE path = '/policies/refund-policy' AND occurredAt >= ?`).get(start) as { n: number }
    ).n;
    after.close();
    expect(denied).toBe(0);
    expect(ours).toBe(0);
    await s.context.close();
  });
});
