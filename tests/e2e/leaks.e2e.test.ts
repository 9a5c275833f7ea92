// Leak finder and shopper preview acceptance: shoppers who read the returns policy three times and leave a cart
// on one product make that product the top leak, with the Confidence play offered and turned on from there; a
// preview link shows a play to the merchant's browser without changing any count, and an expired or another
// shop's token shows nothing.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame } from "playwright-core";
import { launchBrowser, startStack, type Stack } from "./harness";
import { adminNav, enableThemeExtension, newShopper, openAdmin, PLAY_NAMES, setPlay, UA, visibleText } from "./journeys";

const CONFIDENCE_HEADING = "Shop with peace of mind";
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // Fast rollups (and the leak fold that follows each) so the page sees the journeys within seconds. The app
  // inherits this runner's VITEST variable, which keeps its job scheduler off: cleared, the real jobs run.
  stack = await startStack({ quiet: true, env: { ROLLUP_INTERVAL_MS: "1500", VITEST: "" } });
  browser = await launchBrowser();
  process.env.SHOPIFY_API_SECRET = stack.apiSecret;
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Counts in the app's database (the stack's SQLite file). */
function counts(): { events: number; exposures: number } {
  const db = new Database(stack.databaseUrl.replace(/^file:/, ""), { readonly: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { c: number }).c;
    return { events: one(`SELECT COUNT(*) AS c FROM "Event"`), exposures: one(`SELECT COUNT(*) AS c FROM "PlayExposure"`) };
  } finally {
    db.close();
  }
}

/** The leak table's rows as text (header first). */
async function leakRows(frame: Frame): Promise<string[]> {
  const table = frame.locator("table").first();
  if ((await table.count()) === 0) return [];
  return (await table.innerText()).split("\n").filter((l) => l.trim());
}

/**
 * Re-runs the leak page's loader with a small ranking threshold (Remix client navigation, so App Bridge's session
 * token goes along) until `ready` holds: the rollup and the leak fold run in the background.
 */
async function leakPage(frame: Frame, ready: (rows: string[]) => boolean, waitMs = 120_000): Promise<string[]> {
  const end = Date.now() + waitMs;
  for (;;) {
    await frame.evaluate(() => (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(`/app/leaks?days=7&min=3&t=${Date.now()}`));
    await frame.getByRole("heading", { name: "Leak finder", level: 1 }).waitFor({ timeout: 30_000 });
    const rows = await leakRows(frame);
    if (ready(rows)) return rows;
    if (Date.now() > end) throw new Error(`leak page never showed the expected leak: ${rows.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 3000));
  }
}

describe("leak finder", () => {
  it("GIVEN shoppers who abandon carts on one product after 3 policy views WHEN the merchant opens the leak finder THEN that product ranks first with the Confidence play, which turns on from there", async () => {
    await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
    // Some play must be on for the embed to run; one that these shoppers do not trigger.
    const admin = await openAdmin(browser, stack, "Plays");
    await setPlay(admin, "vip", true);

    const leaky = stack.devstore.state.products[0].handle;
    const browsed = stack.devstore.state.products[1].handle;
    for (let i = 0; i < 4; i++) {
      const s = await newShopper(browser, stack, null);
      // Events wait for the app's visitor id; once the profile answer is cached, every page's events are sent.
      await s.page.goto(`${stack.storeUrl}/`);
      await s.page.waitForFunction(() => !!sessionStorage.getItem("rp_c"), null, { timeout: 15_000 });
      for (let k = 0; k < 3; k++) await s.page.goto(`${stack.storeUrl}/policies/refund-policy`);
      await s.page.goto(`${stack.storeUrl}/products/${leaky}`);
      await s.page.click("form.product-form button[name=add]");
      await s.page.waitForFunction(() => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count > 0), null, { timeout: 10_000 });
      // Leaving the page flushes the embed's queued events (pagehide).
      await s.page.goto(`${stack.storeUrl}/products/${browsed}`);
      await s.page.goto(`${stack.storeUrl}/cart.js`);
      await s.context.close();
    }

    const frame = await adminNav(admin.page, "Leak finder");
    const name = PLAY_NAMES.confidence;
    // Row 0 is the header; the first leak's cells follow on the next lines.
    // Ready once the fold has taken in all four shoppers' carts (the last one may still be on its way).
    const rows = await leakPage(frame, (r) => (r[1] ?? "").includes(`/products/${leaky}`) && r.slice(1, 4).join(" ").includes("4 abandoned of 4 carts"));
    expect(rows[1]).toContain(`Product /products/${leaky}`);
    const first = rows.slice(1, 4).join(" ");
    expect(first).toContain("4 abandoned of 4 carts");
    expect(first).toContain("3+ returns or shipping page views");
    expect(first).toContain(name);
    expect(first).toContain("Off");

    await frame.getByRole("button", { name: `Turn on ${name}` }).first().click();
    await frame.getByRole("button", { name: `Turn on ${name}` }).first().waitFor({ state: "detached", timeout: 30_000 });
    // The row's state badge now reads On (Polaris puts the tone's hidden label on its own line first).
    await frame.locator("table").first().getByText("On", { exact: true }).first().waitFor({ timeout: 30_000 });
    const plays = await adminNav(admin.page, "Plays");
    await plays.waitForSelector(`[aria-label="Turn off ${name}"]`, { timeout: 30_000 });
    await admin.page.context().close();
  }, 300_000);
});

describe("shopper preview", () => {
  it("GIVEN the merchant's preview link WHEN opened THEN the play shows with its copy and no event or exposure is counted", async () => {
    await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
    const admin = await openAdmin(browser, stack, "Plays");
    await setPlay(admin, "vip", true);
    const f = await admin.frame();
    await f.click('[aria-label="Edit settings: First-Time Buyer Confidence Builder"]');
    await f.waitForSelector("text=Preview on my store", { timeout: 30_000 });

    // Let every earlier beacon land and be rolled up before counting.
    await new Promise((r) => setTimeout(r, 5000));
    const before = counts();
    const popup = admin.page.context().waitForEvent("page", { timeout: 30_000 });
    await f.getByRole("button", { name: "Preview on my store" }).click();
    const tab = await popup;
    await tab.waitForURL(/rp_preview=/, { timeout: 30_000 });
    expect(new URL(tab.url()).pathname).toBe("/cart");
    expect(await visibleText(tab, CONFIDENCE_HEADING, 15_000)).toBe(true);
    // Browse on in the preview tab: still nothing is recorded.
    await tab.goto(`${stack.storeUrl}/policies/refund-policy`);
    await tab.goto(`${stack.storeUrl}/cart`);
    await new Promise((r) => setTimeout(r, 6000));
    expect(counts()).toEqual(before);
    await admin.page.context().close();
  });

  it("GIVEN an expired token or one minted for another shop WHEN opened THEN nothing is shown", async () => {
    const { createPreviewToken, PREVIEW_TTL_MS } = await import("../../app/models/preview.server");
    const tokens = [
      createPreviewToken(stack.shop, "confidence", Date.now() - PREVIEW_TTL_MS - 60_000),
      createPreviewToken("someone-else.myshopify.com", "confidence"),
    ];
    for (const token of tokens) {
      const context = await browser.newContext({ userAgent: UA });
      const page = await context.newPage();
      await page.goto(`${stack.storeUrl}/cart?consent=granted&rp_preview=${token}`);
      expect(await visibleText(page, CONFIDENCE_HEADING, 5000)).toBe(false);
      await context.close();
    }
    // The same page with a fresh valid token does show it: the two above were refused, not broken.
    const context = await browser.newContext({ userAgent: UA });
    const page = await context.newPage();
    await page.goto(`${stack.storeUrl}/cart?consent=granted&rp_preview=${createPreviewToken(stack.shop, "confidence")}`);
    expect(await visibleText(page, CONFIDENCE_HEADING, 10_000)).toBe(true);
    await context.close();
  });
});
