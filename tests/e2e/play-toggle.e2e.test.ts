// The merchant opens the admin and turns a play on; a matching shopper then sees that
// play's intervention on the storefront; a holdout shopper does not; turned off, it is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, startStack, type Stack } from "./harness";
import { addFirstProductToCart, enableThemeExtension, newShopper, openAdmin, setPlay, storedVisitorId, visibleText, visitorIn, type WantedVisitor } from "./journeys";

const HEADING = "Shop with peace of mind";
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ quiet: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function anxiousShopperAtCart(want: WantedVisitor, playsOn = true) {
  const shopper = await newShopper(browser, stack, want);
  for (let i = 0; i < 3; i++) await shopper.page.goto(`${stack.storeUrl}/policies/refund-policy`);
  await addFirstProductToCart(shopper.page, stack);
  await shopper.page.goto(`${stack.storeUrl}/cart`);
  // The chosen id must have stuck, or the arm under test would be the random one.
  if (playsOn) expect(await storedVisitorId(shopper.page)).toBe(shopper.visitorId);
  return shopper;
}

/** The setup guide's embed step: its badge reads Done or Not done (the home page checks the live theme's files). */
async function embedStepDone(admin: Awaited<ReturnType<typeof openAdmin>>): Promise<boolean> {
  const f = await admin.frame();
  const step = f.getByRole("heading", { name: "Turn on the app embed in your theme" }).locator("xpath=ancestor::*[.//*[contains(@class,'Polaris-Badge')]][1]");
  await step.waitFor({ timeout: 30_000 });
  // Polaris renders the tone and progress as hidden text before the label: "Success Complete\nDone".
  const label = (await step.locator(".Polaris-Badge").first().innerText()).trim().split("\n").pop()!.trim();
  return label === "Done";
}

describe("a play from the admin to the storefront", () => {
  it("GIVEN a fresh install WHEN the theme embed is enabled THEN the setup guide shows that step done (real theme state)", async () => {
    const before = await openAdmin(browser, stack);
    expect(await embedStepDone(before)).toBe(false);
    await before.page.context().close();
    await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
    const after = await openAdmin(browser, stack);
    expect(await embedStepDone(after)).toBe(true);
    await after.page.context().close();
  });

  it("GIVEN the merchant turns on the Confidence play WHEN an anxious shopper reaches the cart THEN the returns message shows; holdout and off → nothing", async () => {
    await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);

    // Off by default: nothing reaches shoppers.
    const before = await anxiousShopperAtCart(visitorIn("confidence", "treatment"), false);
    expect(await visibleText(before.page, HEADING, 3000)).toBe(false);
    await before.context.close();

    const admin = await openAdmin(browser, stack, "Plays");
    await setPlay(admin, "confidence", true);

    const treated = await anxiousShopperAtCart(visitorIn("confidence", "treatment"));
    expect(await visibleText(treated.page, HEADING)).toBe(true);
    await treated.context.close();

    const held = await anxiousShopperAtCart(visitorIn("confidence", "holdout"));
    expect(await visibleText(held.page, HEADING, 3000)).toBe(false);
    await held.context.close();

    await setPlay(admin, "confidence", false);
    const after = await anxiousShopperAtCart(visitorIn("confidence", "treatment"), false);
    expect(await visibleText(after.page, HEADING, 3000)).toBe(false);
    await after.context.close();
  });
});
