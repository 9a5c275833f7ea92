// The dev store's App Bridge stand-in starts only where Shopify's script starts: as the first, synchronous
// <script> of the document. Run in jsdom with the stand-in served for its src.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { APP_BRIDGE_JS } from "./script";

// jsdom ships no types and the project has no @types/jsdom: the little used here, typed by hand.
interface JsdomApi {
  JSDOM: new (html: string, options: Record<string, unknown>) => { window: Window & { shopify?: unknown } };
  VirtualConsole: new () => { on(event: string, listener: (value: never) => void): void };
  requestInterceptor: (handler: (request: Request) => Response | undefined) => unknown;
}
const { JSDOM, VirtualConsole, requestInterceptor } = createRequire(import.meta.url)("jsdom") as JsdomApi;

const SRC = "http://127.0.0.1:4100/app-bridge.js";

/** Serves the stand-in for its src; nothing else is fetched. */
const standIn = requestInterceptor((request: Request) =>
  request.url === SRC ? new Response(APP_BRIDGE_JS, { headers: { "Content-Type": "text/javascript" } }) : new Response("", { status: 404 }),
);

async function load(head: string): Promise<{ started: boolean; errors: string[] }> {
  const errors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("error", (m: unknown) => errors.push(String(m)));
  virtualConsole.on("jsdomError", (e: Error) => errors.push(`jsdom: ${e.message}`));
  const dom = new JSDOM(`<!DOCTYPE html><html><head>${head}</head><body></body></html>`, {
    url: "http://127.0.0.1:3000/app?shop=dev.myshopify.com&host=abc",
    runScripts: "dangerously",
    resources: { interceptors: [standIn] },
    virtualConsole,
    // jsdom has no fetch; the stand-in wraps the page's fetch, so give it one.
    beforeParse: (window: Window) => Object.assign(window, { fetch: () => Promise.reject(new Error("no network in this test")) }),
  });
  await new Promise<void>((resolve) => dom.window.addEventListener("load", () => resolve()));
  const started = Boolean((dom.window as unknown as { shopify?: unknown }).shopify);
  dom.window.close();
  return { started, errors };
}

describe("App Bridge stand-in", () => {
  it("GIVEN the api key meta then the script first in <head> WHEN the page loads THEN App Bridge starts", async () => {
    const r = await load(`<meta name="shopify-api-key" content="k"><script src="${SRC}"></script><meta charset="utf-8">`);
    expect(r).toEqual({ started: true, errors: [] });
  });

  it("GIVEN another <script> before it, or the script deferred WHEN the page loads THEN it aborts with Shopify's message", async () => {
    for (const head of [`<script>var x = 1;</script><script src="${SRC}"></script>`, `<meta name="shopify-api-key" content="k"><script src="${SRC}" defer></script>`]) {
      const r = await load(head);
      expect(r.started).toBe(false);
      expect(r.errors.join("\n")).toContain("must be included as the first <script> tag");
    }
  });
});
