// Checkout payment order end to end: the merchant turns it on from the VIP play's page (the app creates and
// activates the payment customization with its configuration), then the dev store's checkout lists payment
// methods through it: a Champion at ≥ 3× AOV sees pay-over-time methods first, a first-time buyer and a holdout
// Champion see the default order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
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
  stack = await startStack({ quiet: true });
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

/** Logs the customer in, adds a product and returns the checkout's payment list in order. */
async function checkoutList(customer: DevCustomer): Promise<string[]> {
  const page = await (await browser.newContext({ userAgent: UA })).newPage();
  await page.goto(`${stack.storeUrl}/account/login`);
  await page.fill('input[name="customer[email]"]', customer.email);
  await page.fill('input[name="customer[password]"]', customer.password || "password");
  await Promise.all([page.waitForURL((u) => u.pathname === "/account"), page.press('input[name="customer[password]"]', "Enter")]);
  await addFirstProductToCart(page, stack);
  await page.goto(`${stack.storeUrl}/checkout`);
  const names = await page.locator("#payment-methods li").allInnerTexts();
  await page.context().close();
  return names.map((n) => n.trim());
}

const DEFAULT_ORDER = DEV_PAYMENT_METHODS.map((m) => m.name);

describe("checkout payment order end to end", () => {
  it("GIVEN the VIP play page WHEN the merchant turns the checkout payment order on THEN checkout orders payments per buyer", async () => {
    const admin = await openAdmin(browser, stack);
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
    const holdout = customers.find((c) => arm(c) === "holdout")!;
    const firstTimer = customers.find((c) => c !== treated && c !== holdout && !buyers.has(c.id))!;
    expect(treated && holdout && firstTimer).toBeTruthy();

    // An AOV of 1.00 puts any real cart far above 3× it.
    seedProfile(treated, { aov: "1.00", rfm_group: "CHAMPIONS", stage: "loyalist" });
    seedProfile(holdout, { aov: "1.00", rfm_group: "CHAMPIONS", stage: "loyalist" });

    const champion = await checkoutList(treated);
    expect(champion.slice(0, 2)).toEqual(["Shop Pay Installments", "Klarna"]);
    expect(await checkoutList(firstTimer)).toEqual(DEFAULT_ORDER);
    expect(await checkoutList(holdout)).toEqual(DEFAULT_ORDER);
  });
});
