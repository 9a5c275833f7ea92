// An order placed on the dev store after an intervention appears attributed to that play on
// the Analytics page (cart attributes → orders/create → attribution → rollup → aggregates → admin). A bundle code
// used by a shopper it was never offered to shows on the Deal-Seeker page, and replacing it stops the old code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame, Page } from "playwright-core";
import { launchBrowser, startStack, type Stack } from "./harness";
import { addFirstProductToCart, adminNav, enableThemeExtension, newShopper, openAdmin, PLAY_NAMES, setPlay, visibleText, visitorIn } from "./journeys";
import { BUNDLE_LINE_PROPERTY } from "../../app/lib/discounts/bundleFunction";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ quiet: true, env: { ROLLUP_INTERVAL_MS: "1500" } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function orderedRow(frame: Frame, play: keyof typeof PLAY_NAMES): Promise<string> {
  // The play's card: the nearest ancestor of its heading that holds the funnel table.
  const heading = frame.getByRole("heading", { name: PLAY_NAMES[play] });
  if (!(await heading.count())) return "";
  const card = heading.first().locator("xpath=ancestor::*[.//tr][1]");
  return (await card.locator("tr", { hasText: "Ordered" }).first().innerText()).replace(/\s+/g, " ").trim();
}

describe("exact attribution end to end", () => {
  it("GIVEN a treated shopper saw the Confidence message WHEN they place an order THEN Analytics shows it ordered in the treatment arm", async () => {
    await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
    const admin = await openAdmin(browser, stack, "Plays");
    await setPlay(admin, "confidence", true);

    const shopper = await newShopper(browser, stack, visitorIn("confidence", "treatment"));
    for (let i = 0; i < 3; i++) await shopper.page.goto(`${stack.storeUrl}/policies/refund-policy`);
    await addFirstProductToCart(shopper.page, stack);
    await shopper.page.goto(`${stack.storeUrl}/cart`);
    expect(await visibleText(shopper.page, "Shop with peace of mind")).toBe(true);
    // The embed writes the pointer to its signed id into the cart before the shopper leaves for checkout; the
    // play and arm the order counts for are the exposure the server recorded from its events, never a cart claim.
    await shopper.page.waitForFunction(
      (id) => fetch("/cart.js").then((r) => r.json()).then((c) => c.attributes?._rp_vid === id && !("_rp_plays" in (c.attributes ?? {}))),
      shopper.visitorId,
      { timeout: 15_000 },
    );
    await shopper.page.goto(`${stack.storeUrl}/checkout`);
    await shopper.page.click("#pay-now");
    await shopper.page.waitForLoadState("load");
    await shopper.context.close();

    await adminNav(admin.page, "Analytics");
    let row = "";
    for (let i = 0; i < 40 && !/Ordered 1 0/.test(row); i++) {
      await admin.page.waitForTimeout(1500);
      const f = await admin.frame();
      await f.waitForLoadState("load");
      row = await orderedRow(f, "confidence");
      if (!/Ordered 1 0/.test(row)) await adminNav(admin.page, "Analytics");
    }
    expect(row).toBe("Ordered 1 0");

    // The same page explains the propensity scores of the range's sessions; the shopper's session ended
    // in that order, so at least one session with a purchase is counted.
    const f = await admin.frame();
    await f.getByRole("heading", { name: "What drives purchase propensity" }).waitFor({ timeout: 20_000 });
    const body = await f.locator("body").innerText();
    const card = body.slice(body.lastIndexOf("What drives purchase propensity"));
    const summary = /(\d+) sessions?, (\d+) with a purchase: the model predicted [\d.]+ ?% on average, [\d.]+ ?% purchased/.exec(card);
    expect(summary, card).not.toBeNull();
    expect(Number(summary![2])).toBeGreaterThanOrEqual(1);
    expect(card).toMatch(/Sessions with a purchase/);
    expect(card).toMatch(/Scores use the shipped model/);
  });

  it("GIVEN the bundle code shared beyond the offer WHEN a holdout shopper pays with it THEN the Deal-Seeker page reports the leak, and the replaced code stops working", async () => {
    const admin = await openAdmin(browser, stack, "Plays");
    await setPlay(admin, "deal_seeker", true);
    const playPage = async () => {
      const f = await adminNav(admin.page, "Plays");
      await f.getByRole("link", { name: `Edit settings: ${PLAY_NAMES.deal_seeker}` }).click();
      await f.getByRole("heading", { name: "Bundle discount in Shopify" }).waitFor({ timeout: 30_000 });
      return f;
    };
    // The discount's own code, never handed to shoppers (each gets a single-use code): leaked here on purpose.
    const codeOn = async (f: Frame) => /own code \((BUNDLE-[A-Z0-9]+)\)/.exec(await f.locator("body").innerText())?.[1] ?? null;
    const leaked = await codeOn(await playPage());
    expect(leaked).toMatch(/^BUNDLE-/);

    // A shopper in the holdout group got the code from somewhere else (a coupon site) and pays with it, adding two
    // items as a bundle (line properties are the client's to set, so the bundle tag is no protection on its own).
    const twoItems = (stack.devstore.state.products as { variants: { id: string; inventoryQuantity: number }[] }[])
      .map((p) => p.variants.find((v) => v.inventoryQuantity > 0))
      .filter((v): v is { id: string; inventoryQuantity: number } => !!v)
      .slice(0, 2)
      .map((v) => ({ id: Number(v.id.split("/").pop()), quantity: 1, properties: { [BUNDLE_LINE_PROPERTY]: "1" } }));
    const cartWithCode = async (page: Page, code: string) => {
      await page.goto(`${stack.storeUrl}/discount/${code}`);
      await page.evaluate((items) => fetch("/cart/add.js", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items }) }), twoItems);
      return page.evaluate(() => fetch("/cart.js").then((r) => r.json())) as Promise<{ item_count: number; total_discount: number }>;
    };
    const stranger = await newShopper(browser, stack, visitorIn("deal_seeker", "holdout"));
    expect((await cartWithCode(stranger.page, leaked!)).total_discount).toBeGreaterThan(0);
    await stranger.page.goto(`${stack.storeUrl}/checkout`);
    await stranger.page.click("#pay-now");
    await stranger.page.waitForLoadState("load");
    await stranger.context.close();

    let f = await playPage();
    for (let i = 0; i < 20 && !(await f.getByText("Bundle codes are being used by shoppers they were not given to").count()); i++) {
      await admin.page.waitForTimeout(1000);
      f = await playPage();
    }
    expect(await f.locator("body").innerText()).toMatch(/1 of the 1 orders with a bundle code were placed by someone other than the shopper the code was given to/);
    await f.getByRole("button", { name: "Replace code" }).click();
    let fresh: string | null = leaked;
    for (let i = 0; i < 30 && fresh === leaked; i++) {
      await admin.page.waitForTimeout(500);
      fresh = await codeOn(f);
    }
    expect(fresh).toMatch(/^BUNDLE-/);
    expect(fresh).not.toBe(leaked);
    expect(await f.getByText("Bundle codes are being used by shoppers they were not given to").count()).toBe(0);

    // The old code no longer discounts anything.
    const late = await newShopper(browser, stack, visitorIn("deal_seeker", "holdout"));
    const cart = await cartWithCode(late.page, leaked!);
    expect(cart.item_count).toBe(2);
    expect(cart.total_discount).toBe(0);
    await late.context.close();
  });
});
