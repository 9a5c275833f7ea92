// Shared steps of the end-to-end journeys: the merchant in the local admin, the shopper on the storefront.
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import type { Arm, PlayKey } from "../../app/lib/plays/types";
import { appFrame, type Stack } from "./harness";

/** A desktop Chrome user agent: the app (like Shopify's template) answers 410 to bots, and headless Chromium says it is one. */
export const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export const PLAY_NAMES: Record<PlayKey, string> = {
  confidence: "First-Time Buyer Confidence Builder",
  vip: "VIP Friction Concierge",
  indecision: "Indecision Switch",
  deal_seeker: "Deal-Seeker Margin Save",
};

/** Opens the merchant admin (the app embedded in the dev store's admin frame) on one of the app's pages. */
export async function openAdmin(browser: Browser, stack: Stack, navLabel?: string): Promise<{ page: Page; frame: () => Promise<Frame> }> {
  const page = await (await browser.newContext({ userAgent: UA })).newPage();
  await page.goto(stack.adminUrl);
  const frame = () => appFrame(page);
  await (await frame()).waitForSelector("text=Setup guide", { timeout: 60_000 });
  if (navLabel) await adminNav(page, navLabel);
  return { page, frame };
}

/**
 * Clicks an entry of the admin's app nav and waits until the app frame has loaded that page. The nav reloads the
 * frame asynchronously: a click inside the frame before then can land on the page that is being replaced.
 */
export async function adminNav(page: Page, label: string): Promise<Frame> {
  const reloaded = page.waitForEvent("framenavigated", { predicate: (fr) => fr !== page.mainFrame(), timeout: 30_000 });
  await page.click(`nav >> text=${label}`);
  await reloaded;
  const frame = await appFrame(page);
  await frame.waitForLoadState("load");
  return frame;
}

/** Turns a play on or off from the Plays page and waits until the toggle reflects the saved state. */
export async function setPlay(admin: { page: Page; frame: () => Promise<Frame> }, play: PlayKey, on: boolean) {
  const name = PLAY_NAMES[play];
  const f = await admin.frame();
  const want = on ? `Turn on ${name}` : `Turn off ${name}`;
  const done = on ? `Turn off ${name}` : `Turn on ${name}`;
  await f.waitForSelector(`[aria-label="${want}"], [aria-label="${done}"]`, { timeout: 60_000 });
  if (await f.$(`[aria-label="${want}"]`)) await f.click(`[aria-label="${want}"]`);
  await f.waitForSelector(`[aria-label="${done}"]`, { timeout: 30_000 });
}

/** Saves a dirty settings form from App Bridge's contextual save bar and waits until it is saved and published
 * (the form is clean again, so no Save is enabled any more). */
export async function saveFromSaveBar(admin: { frame: () => Promise<Frame> }) {
  const frame = await admin.frame();
  await frame.locator("ui-save-bar button", { hasText: "Save" }).click();
  await frame.waitForFunction(
    () => ![...document.querySelectorAll("button")].some((b) => b.textContent?.trim() === "Save" && !b.disabled && b.offsetParent !== null),
    null,
    { timeout: 30_000 },
  );
}

/** Enables the app embed and places an app block through the dev store's theme-editor deep links. */
export async function enableThemeExtension(browser: Browser, stack: Stack, blocks: { handle: string; template: string }[] = []) {
  const page = await browser.newPage({ userAgent: UA });
  await page.goto(`${stack.storeUrl}/admin/themes/current/editor?context=apps&activateAppId=${stack.apiKey}/app-embed`);
  for (const b of blocks) {
    await page.goto(`${stack.storeUrl}/admin/themes/current/editor?template=${b.template}&addAppBlockId=${stack.apiKey}/${b.handle}&target=mainSection`);
  }
  await page.close();
}

/** The arm a journey needs its shopper in; the server decides arms, so the shopper is found, not made. */
export interface WantedVisitor {
  play: PlayKey;
  arm: Arm;
}

export const visitorIn = (play: PlayKey, arm: Arm): WantedVisitor => ({ play, arm });

/**
 * A visitor id the app issued whose server arm in `want.play` is `want.arm`: fresh ids are asked from the app
 * proxy's profile endpoint (signed by the dev store, as the embed asks) until one lands in that arm.
 */
async function issuedVisitorIn(page: Page, want: WantedVisitor): Promise<string> {
  const id = await page.evaluate(async ({ play, arm }) => {
    for (let i = 0; i < 500; i++) {
      const r = await fetch("/apps/recovery-plays/profile", { headers: { accept: "application/json" } });
      const j = (await r.json()) as { visitor?: { id: string; arms: Record<string, string> } | null };
      if (j.visitor?.arms[play] === arm) return j.visitor.id;
    }
    return null;
  }, want);
  if (!id) throw new Error(`no issued visitor in ${want.play}/${want.arm}`);
  return id;
}

/**
 * A fresh shopper (own cookies and storage) with consent as given. With `want`, the stored visitor is given an
 * id the app signed in that arm, so the embed confirms it at the profile endpoint and the server's arm is the one
 * under test; `visitorId` is that id.
 */
export async function newShopper(
  browser: Browser,
  stack: Stack,
  want: WantedVisitor | null,
  consent: "granted" | "denied" = "granted",
  opts: { fakeClock?: boolean } = {},
) {
  const context: BrowserContext = await browser.newContext({ userAgent: UA });
  const page = await context.newPage();
  // A fake clock lets a journey "wait" 46 s on the cart or spend 11 minutes in a session in no time.
  if (opts.fakeClock) await page.clock.install();
  await page.goto(`${stack.storeUrl}/?consent=${consent}`);
  // The embed created its visitor on this first page. Leave for a page without the embed (it saves its state
  // when the page hides), then give the stored visitor the chosen signed id — the stored format is the embed's
  // own — and drop the session's cached profile so the next page confirms that id with the app.
  await page.goto(`${stack.storeUrl}/cart.js`);
  const visitorId = want ? await issuedVisitorIn(page, want) : null;
  await page.evaluate((id) => {
    const raw = localStorage.getItem("rp_v");
    if (!raw || !id) return;
    const v = JSON.parse(raw);
    v.id = id;
    localStorage.setItem("rp_v", JSON.stringify(v));
    sessionStorage.removeItem("rp_c");
  }, visitorId);
  return { context, page, visitorId };
}

/** Adds the first product of the first collection to the cart through the theme's product form. */
export async function addFirstProductToCart(page: Page, stack: Stack) {
  const res = await page.request.get(`${stack.storeUrl}/products.json`).catch(() => null);
  const handle = res && res.ok() ? ((await res.json()).products?.[0]?.handle as string | undefined) : undefined;
  const product = handle ?? stack.devstore.state.products[0].handle;
  await page.goto(`${stack.storeUrl}/products/${product}`);
  await page.click("form.product-form button[name=add]");
  await page.waitForFunction(() => fetch("/cart.js").then((r) => r.json()).then((c) => c.item_count > 0), null, { timeout: 10_000 });
}

async function anyVisible(page: Page, text: string): Promise<boolean> {
  const loc = page.getByText(text, { exact: false });
  const n = await loc.count();
  for (let i = 0; i < n; i++) if (await loc.nth(i).isVisible()) return true;
  return false;
}

/** Whether the text becomes visible within `waitMs` (an intervention appears after the deferred script runs). */
export async function visibleText(page: Page, text: string, waitMs = 8000): Promise<boolean> {
  const end = Date.now() + waitMs;
  for (;;) {
    if (await anyVisible(page, text)) return true;
    if (Date.now() > end) return false;
    await page.waitForTimeout(250);
  }
}

/** The id the embed stored for this shopper's visitor. */
export async function storedVisitorId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = localStorage.getItem("rp_v");
    return raw ? (JSON.parse(raw).id as string) : null;
  });
}
