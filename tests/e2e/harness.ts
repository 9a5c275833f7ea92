// E2E harness: the whole stack (app + dev store) and a headless Debian Chromium driven by playwright-core.
import { chromium, type Browser, type Page } from "playwright-core";
import { startStack, type Stack } from "../../scripts/stack";

export { startStack, type Stack };

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** The app's document inside the dev store's admin frame. */
export async function appFrame(page: Page) {
  const handle = await page.waitForSelector("iframe", { timeout: 30_000 });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error("app iframe has no frame");
  await frame.waitForLoadState("domcontentloaded");
  return frame;
}

/** Polls `get` every 250 ms until it returns something truthy (a condition wait, not a fixed sleep). */
export async function until<T>(what: string, get: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
