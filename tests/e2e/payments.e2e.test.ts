// Checkout payment order end to end: the merchant turns it on from the VIP play's page (the app creates and
// activates the payment customization with its configuration), then the dev store's checkout lists payment
// methods through it: a Champion at ≥ 3× AOV sees pay-over-time methods first, a first-time buyer and a holdout
// Champion see the default order. Their orders reach the app through orders/create, which records the Function's
// exposure for both arms (the arm recomputed on the server) and attributes the treated Champion's order to the VIP
// play on the Analytics page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { Frame } from "playwright-core";
import { launchBrowser, startStack, type Stack, until } from "./harness";
import { addFirstProductToCart, adminNav, openAdmin, PLAY_NAMES, UA } from "./journeys";
import { paymentsArm, parsePaymentsConfig } from "../../app/lib/payments/customization";
import { DEV_PAYMENT_METHODS } from "../../devstore/storefront/payments";
import type { DevCustomer } from "../../devstore/types";
import type { DevStore } from "../../devstore/server";

let stack: Stack;
let browser: Browser;
const store = () => stack.devstore as DevStore;

beforeAll(async () => {
  stack = await startStack({ quiet: true, env: { ROLLUP_INTERVAL_MS: "1500" } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});


/** Seeds the profile metafields the profile-out job would write (this test does not run that job). */
function seedProfile(customer: DevCustomer, fields: Record<string, string>) {
  const ns = `app--${store().env.appId}--recovery_plays`;
  const owner = `gid://shopify/Customer/${customer.id}`;
  for (const [key, value] of Object.entries(fields)) {
    store().state.metafields = store().state.metafields.filter((m) => !(m.ownerId === owner && m.namespace === ns && m.key === key));
    store().state.metafields.push({ id: `seed-${customer.id}-${key}`, ownerId: owner, namespace: ns, key, type: key === "aov" ? "number_decimal" : "single_line_text_field", value, updatedAt: new Date().toISOString() });
  }
}

/** Logs the customer in, adds a product and returns the checkout's payment list in order (then pays, if asked). */
async function checkoutList(customer: DevCustomer, pay = false): Promise<string[]> {
  const page = await (await browser.newContext({ userAgent: UA })).newPage();
  await page.goto(`${stack.storeUrl}/account/login`);
  await page.fill('input[name="customer[email]"]', customer.email);
  await page.fill('input[name="customer[password]"]', customer.password || "password");
  await Promise.all([page.waitForURL((u) => u.pathname === "/account"), page.press('input[name="customer[password]"]', "Enter")]);
  await addFirstProductToCart(page, stack);
  await page.goto(`${stack.storeUrl}/checkout`);
  const names = await page.locator("#payment-methods li").allInnerTexts();
  if (pay) {
    await page.click("#pay-now");
    await page.waitForLoadState("load");
  }
  await page.context().close();
  return names.map((n) => n.trim());
}

const DEFAULT_ORDER = DEV_PAYMENT_METHODS.map((m) => m.name);

/** The Function's exposure of a customer in the app's database (keyed as the Function's arm message is). */
async function exposureOf(c: DevCustomer) {
  const { createPrismaClient } = await import("../../app/db.server");
  const db = createPrismaClient(stack.databaseUrl);
  try {
    return await db.playExposure.findUnique({ where: { shop_play_visitorId: { shop: stack.shop, play: "vip", visitorId: `customer:${c.id}` } } });
  } finally {
    await db.$disconnect();
  }
}

/** The VIP play's "Ordered" row on the Analytics page ("Ordered <treatment> <holdout>"). */
async function vipOrderedRow(frame: Frame): Promise<string> {
  const heading = frame.getByRole("heading", { name: PLAY_NAMES.vip });
  if (!(await heading.count())) return "";
  const card = heading.first().locator("xpath=ancestor::*[.//tr][1]");
  return (await card.locator("tr", { hasText: "Ordered" }).first().innerText()).replace(/\s+/g, " ").trim();
}

describe("checkout payment order end to end", () => {
  it("GIVEN the VIP play page WHEN the merchant turns the checkout payment order on THEN checkout orders payments per buyer", async () => {
    const admin = await openAdmin(browser, stack);
    // The install's history sync folds the seeded orders into profiles and writes their metafields in one bulk
    // mutation: wait for it, so the profiles seeded below are not overwritten and the app knows the buyers' orders.
    await until("the history sync's profile write-back", () => store().env.bulkOps.some((b) => b.type === "MUTATION" && b.status === "COMPLETED"), 90_000);
    const plays = await adminNav(admin.page, "Plays");
    await plays.click(`[aria-label="Edit settings: ${PLAY_NAMES.vip}"]`);
    const section = (await admin.frame()).getByRole("heading", { name: "Checkout payment order" });
    await section.waitFor({ timeout: 60_000 });
    await (await admin.frame()).getByRole("button", { name: "Turn on", exact: true }).click();
    const custom = await until("an active payment customization", () => store().state.paymentCustomizations?.find((c) => c.enabled && c.functionHandle === "recovery-plays-payments"));
    await admin.page.context().close();

    const configValue = Object.entries(custom.metafields).find(([k]) => k.endsWith("recovery_plays.payment_customization"))![1].value;
    const config = parsePaymentsConfig(JSON.parse(configValue))!;
    expect(config).not.toBeNull();
    const arm = (c: DevCustomer) => paymentsArm(config.key, `gid://shopify/Customer/${c.id}`, config.holdoutPercent);
    const customers = store().state.customers.filter((c) => c.email);
    const buyers = new Set(store().state.orders.map((o) => o.customerId));
    const treated = customers.find((c) => arm(c) === "treatment" && buyers.has(c.id))!;
    // A returning buyer: the app has their earlier orders, so it knows the Function ran with a profile for them.
    const holdout = customers.find((c) => arm(c) === "holdout" && buyers.has(c.id))!;
    const firstTimer = customers.find((c) => c !== treated && c !== holdout && !buyers.has(c.id))!;
    expect(treated && holdout && firstTimer).toBeTruthy();

    // An AOV of 1.00 puts any real cart far above 3× it.
    seedProfile(treated, { aov: "1.00", rfm_group: "CHAMPIONS", stage: "loyalist" });
    seedProfile(holdout, { aov: "1.00", rfm_group: "CHAMPIONS", stage: "loyalist" });

    const champion = await checkoutList(treated, true);
    expect(champion.slice(0, 2)).toEqual(["Shop Pay Installments", "Klarna"]);
    expect(await checkoutList(firstTimer, true)).toEqual(DEFAULT_ORDER);
    expect(await checkoutList(holdout, true)).toEqual(DEFAULT_ORDER);

    // The holdout buyer's exposure is recorded with their order, in the holdout arm; the first-time buyer (no
    // profile, so the Function left the list alone) gets none.
    let held = await exposureOf(holdout);
    for (let i = 0; i < 120 && !(held && held.orders > 0); i++) {
      await new Promise((r) => setTimeout(r, 500));
      held = await exposureOf(holdout);
    }
    expect(held).toMatchObject({ arm: "holdout", orders: 1, shownAt: null });
    expect(await exposureOf(firstTimer)).toBeNull();
    expect(await exposureOf(treated)).toMatchObject({ arm: "treatment", orders: 1 });

    // Analytics shows the VIP play's orders per arm: the treated Champion's and the holdout buyer's.
    const analytics = await openAdmin(browser, stack);
    let row = "";
    for (let i = 0; i < 40 && row !== "Ordered 1 1"; i++) {
      const f = await adminNav(analytics.page, "Analytics");
      await f.waitForLoadState("load");
      row = await vipOrderedRow(f);
      if (row !== "Ordered 1 1") await analytics.page.waitForTimeout(1500);
    }
    expect(row).toBe("Ordered 1 1");
    await analytics.page.context().close();
  });
});
