// The unified profile leaves the app: after the history sync, one bulk mutation writes the customer metafields
// and the dev store's admin customer page shows a Champion's stage and RFM group; a known customer who hesitates
// on the storefront and leaves fires one "Shopper hesitated" Flow trigger, a holdout customer too (marked); a known
// customer who stalls at payment in checkout twice shows up so in the profile (web pixel + abandoned checkouts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, startStack, type Stack, until as waitUntil } from "./harness";
import { addFirstProductToCart, enableThemeExtension, newShopper, openAdmin, setPlay, UA, visitorIn } from "./journeys";
import { profileOutState } from "../../devstore/admin/profileOut";
import type { DevCustomer } from "../../devstore/types";
import type { DevStore } from "../../devstore/server";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // The app runs its job scheduler as in production (the runner inherits VITEST, which switches it off for unit
  // tests); the hesitation scan looks every second and counts 1.5 s without an order as having left.
  stack = await startStack({ quiet: true, env: { VITEST: "", ROLLUP_INTERVAL_MS: "1500", HESITATION_SCAN_MS: "1000", HESITATION_LEAVE_MS: "1500" } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Jobs here run on timers of a second or two, and the browser journey precedes them: allow a minute. */
const until = <T>(what: string, get: () => T | undefined | null | false) => waitUntil(what, get, 60_000);

const store = () => stack.devstore as DevStore;
const appNamespace = () => `app--${store().env.appId}--recovery_plays`;

/** A known customer on a fresh storefront session in the given arm of the Confidence play: logs in, hesitates on the cart, leaves. */
async function hesitateAndLeave(customer: DevCustomer, arm: "treatment" | "holdout") {
  const shopper = await newShopper(browser, stack, visitorIn("confidence", arm));
  await shopper.page.goto(`${stack.storeUrl}/account/login`);
  await shopper.page.fill('input[name="customer[email]"]', customer.email);
  await shopper.page.fill('input[name="customer[password]"]', customer.password || "password");
  await Promise.all([shopper.page.waitForURL((u) => u.pathname === "/account"), shopper.page.press('input[name="customer[password]"]', "Enter")]);
  for (let i = 0; i < 3; i++) await shopper.page.goto(`${stack.storeUrl}/policies/refund-policy`);
  await addFirstProductToCart(shopper.page, stack);
  await shopper.page.goto(`${stack.storeUrl}/cart`);
  // The hesitation (the play's signal matched) reaches the app before the shopper leaves.
  await shopper.page.waitForTimeout(1500);
  await shopper.context.close();
}

describe("profile out end to end", () => {
  it("GIVEN an installed app WHEN the history sync completes THEN one bulk mutation runs and the admin customer page shows a Champion's stage and RFM group", async () => {
    await openAdmin(browser, stack);
    const champion = await until("a Champion's rfm_group metafield", () =>
      store().state.metafields.find((m) => m.namespace === appNamespace() && m.key === "rfm_group" && m.value === "CHAMPIONS" && m.ownerId.startsWith("gid://shopify/Customer/")),
    );
    const id = champion.ownerId.split("/").pop()!;
    const stage = store().state.metafields.find((m) => m.ownerId === champion.ownerId && m.namespace === appNamespace() && m.key === "stage");
    expect(stage?.value).toMatch(/^(first_time_customer|repeat_customer|loyalist|lapsing_loyalist|lapsed)$/);
    expect(store().env.bulkOps.filter((b) => b.type === "MUTATION")).toHaveLength(1);

    const page = await (await browser.newContext({ userAgent: UA })).newPage();
    await page.goto(`${stack.storeUrl}/admin/customers/${id}`);
    const row = async (name: string) => (await page.locator("dt", { hasText: name }).locator("xpath=following-sibling::dd[1]").innerText()).trim();
    expect(await row("Recovery Plays: lifecycle stage")).toBe(stage!.value);
    expect(await row("Recovery Plays: RFM group")).toBe("CHAMPIONS");
    await page.context().close();
  });

  it("GIVEN known customers who hesitate on the cart and leave, one treated and one in the holdout WHEN the app notices THEN the dev store receives one Shopper hesitated trigger each, the holdout one marked", async () => {
    await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
    const admin = await openAdmin(browser, stack, "Plays");
    await setPlay(admin, "confidence", true);
    await admin.page.context().close();

    // The Confidence play's segment is shoppers with no completed purchase: customers without orders.
    const buyers = new Set(store().state.orders.map((o) => o.customerId));
    const [treated, held] = store().state.customers.filter((c) => c.email && !buyers.has(c.id)).slice(-2) as [DevCustomer, DevCustomer];
    const triggersFor = (c: DevCustomer) => profileOutState(store().env).flowTriggers.filter((t) => t.payload.customer_id === Number(c.id));

    await hesitateAndLeave(treated, "treatment");
    await until("the treated customer's trigger", () => triggersFor(treated).length > 0).catch(async (e) => {
      // What the app stored for the customer, to tell a storefront problem from a trigger problem.
      const { createPrismaClient } = await import("../../app/db.server");
      const events = await createPrismaClient(stack.databaseUrl).event.findMany({ where: { customerId: treated.id }, select: { type: true, play: true, arm: true } });
      throw new Error(`${(e as Error).message}; events: ${JSON.stringify(events)}; triggers: ${JSON.stringify(profileOutState(store().env).flowTriggers)}`);
    });
    await hesitateAndLeave(held, "holdout");
    await until("the holdout customer's trigger", () => triggersFor(held).length > 0);
    // Later scans find nothing new: one trigger each.
    await new Promise((r) => setTimeout(r, 3000));
    expect(triggersFor(treated)).toHaveLength(1);
    expect(triggersFor(held)).toHaveLength(1);

    const t = triggersFor(treated)[0]!;
    expect(t.handle).toBe("shopper-hesitated");
    expect(t.payload).toMatchObject({ customer_id: Number(treated.id), play: "confidence", barrier: "trust", holdout: false });
    // The band the server scored from the customer's stored page views (they browsed before hesitating).
    expect(t.payload["propensity band"]).toMatch(/^(low|medium|high)$/);
    expect(t.payload["cart value"]).toBeGreaterThan(0);
    expect(String(t.payload["storefront url"])).toMatch(/\/cart$/);
    expect(triggersFor(held)[0]!.payload).toMatchObject({ customer_id: Number(held.id), play: "confidence", barrier: "trust", holdout: true });
  });

  it("GIVEN a known customer who reaches payment in checkout and leaves, twice WHEN Shopify lists the abandoned checkouts THEN the app's pixel saw the steps and the customer's metafields say payment, 2", async () => {
    // The app activated its web pixel after the history sync (first test); the theme embed is on (second test).
    expect(store().state.webPixels?.length).toBe(1);
    const buyers = new Set(store().state.orders.map((o) => o.customerId));
    const customer = store().state.customers.filter((c) => c.email && !buyers.has(c.id)).at(-3)!;
    const shopper = await newShopper(browser, stack, null);
    await shopper.page.goto(`${stack.storeUrl}/account/login`);
    await shopper.page.fill('input[name="customer[email]"]', customer.email);
    await shopper.page.fill('input[name="customer[password]"]', customer.password || "password");
    await Promise.all([shopper.page.waitForURL((u) => u.pathname === "/account"), shopper.page.press('input[name="customer[password]"]', "Enter")]);
    for (let round = 0; round < 2; round++) {
      await addFirstProductToCart(shopper.page, stack);
      // The embed puts the signed visitor id on the cart; checkout carries it (the join key).
      await shopper.page.waitForFunction(() => fetch("/cart.js").then((r) => r.json()).then((c) => Boolean(c.attributes?._rp_vid)), null, { timeout: 15_000 });
      await shopper.page.goto(`${stack.storeUrl}/checkout`);
      for (const section of ["contact", "shipping"]) await Promise.all([shopper.page.waitForURL((u) => u.pathname === "/checkout"), shopper.page.click(`#save-${section}`)]);
      // The shopper leaves; ten minutes on, Shopify lists the checkout as abandoned.
      await fetch(`${stack.storeUrl}/__devstore/checkouts/age`, { method: "POST", body: JSON.stringify({ ms: 11 * 60_000 }) });
      await shopper.context.clearCookies({ name: "cart" });
    }
    await shopper.context.close();
    const mf = (key: string) =>
      store().state.metafields.find((m) => m.ownerId === `gid://shopify/Customer/${customer.id}` && m.namespace === appNamespace() && m.key === key)?.value;
    await until("the customer's checkout metafields", () => mf("checkout_abandons") === "2" && mf("checkout_stall"));
    expect([mf("checkout_stall"), mf("checkout_abandons")]).toEqual(["payment", "2"]);
  });
});
