// The app's web pixel, run as Shopify runs an app pixel: in a strict sandbox with no DOM, handed only the pixel
// API (`analytics.subscribe`, `browser.cookie/localStorage/sessionStorage`, `init`, `settings`,
// `customerPrivacy`) through the `shopify.extend("WebPixel::Render", …)` call that @shopify/web-pixels-extension's
// register() makes. Here the sandbox is a node:vm context whose only globals are what a web worker offers a
// pixel (fetch, timers, console, self): `window`, `document` and Node's globals do not exist in it. Loaded only
// when the shopper's consent covers every purpose the extension's `customer_privacy` declares. The checkout
// publishes Shopify's standard checkout events to it. Rules and sources: docs/devstore-fidelity.md.
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import type { PixelExtensionDef } from "../admin/checkouts";
import type { ConsentState } from "./privacy";

const EXTENSION_POINT = "WebPixel::Render";

let compiled: { dir: string; script: vm.Script } | null = null;

/** Bundles the pixel's src/index.(ts|js) as the CLI does (esbuild, one file), once per process. */
export async function compilePixel(def: PixelExtensionDef): Promise<vm.Script | null> {
  if (compiled?.dir === def.dir) return compiled.script;
  const entry = ["src/index.ts", "src/index.js"].map((f) => path.join(def.dir, f)).find(existsSync);
  if (!entry) return null;
  const out = await build({ entryPoints: [entry], bundle: true, write: false, format: "iife", platform: "browser", target: "es2020", logLevel: "silent" });
  const script = new vm.Script(out.outputFiles[0]!.text, { filename: `${def.handle}.js` });
  compiled = { dir: def.dir, script };
  return script;
}

/**
 * Whether Shopify loads the pixel for this visitor: each purpose the extension sets to true (analytics, marketing,
 * preferences; sale_of_data "enabled") must be allowed by the visitor's consent.
 */
export function pixelAllowed(def: PixelExtensionDef, consent: ConsentState): boolean {
  const p = def.customerPrivacy;
  if (p.analytics === true && !consent.analytics) return false;
  if (p.marketing === true && !consent.marketing) return false;
  if (p.preferences === true && !consent.preferences) return false;
  if (p.sale_of_data === "enabled" && !consent.saleOfData) return false;
  return true;
}

/** What the top frame keeps for one browser (the pixel's `browser.*` calls run there, asynchronously). */
export interface BrowserStore {
  cookies: Map<string, string>;
  local: Map<string, string>;
  session: Map<string, string>;
}
export const newBrowserStore = (): BrowserStore => ({ cookies: new Map(), local: new Map(), session: new Map() });

export interface PixelPage {
  store: BrowserStore;
  clientId: string;
  href: string;
  init: { customer: { id: string } | null; shop: Record<string, unknown>; consent: ConsentState };
  settings: Record<string, string>;
  fetch: typeof fetch;
}

function storageApi(m: Map<string, string>) {
  return {
    getItem: async (k: string) => m.get(String(k)) ?? null,
    setItem: async (k: string, v: unknown) => void m.set(String(k), String(v)),
    removeItem: async (k: string) => void m.delete(String(k)),
    clear: async () => m.clear(),
    key: async (i: number) => [...m.keys()][i] ?? null,
    length: async () => m.size,
  };
}

/**
 * Loads the pixel for one page and publishes `events` to it; resolves when every subscriber has finished (its
 * fetches included) or after `timeoutMs`. Returns the names the pixel subscribed to (for tests).
 */
export async function runPixelPage(script: vm.Script, page: PixelPage, events: { name: string; data: Record<string, unknown> }[], timeoutMs = 3000): Promise<string[]> {
  const subscribers = new Map<string, ((e: unknown) => unknown)[]>();
  const pending: Promise<unknown>[] = [];
  const browser = {
    cookie: {
      get: async (name?: string) => (name ? page.store.cookies.get(name) ?? "" : [...page.store.cookies].map(([k, v]) => `${k}=${v}`).join("; ")),
      set: async (nameOrCookie: string, value?: string) => {
        const [k, v] = value === undefined ? nameOrCookie.split(";")[0]!.split("=", 2) : [nameOrCookie, value];
        page.store.cookies.set(k!.trim(), v ?? "");
        return `${k}=${v ?? ""}`;
      },
    },
    localStorage: storageApi(page.store.local),
    sessionStorage: storageApi(page.store.session),
    sendBeacon: async (url: string, body?: string) => {
      pending.push(page.fetch(url, { method: "POST", body: body ?? "", headers: { "content-type": "text/plain" } }).catch(() => undefined));
      return true;
    },
  };
  const c = page.init.consent;
  const sandbox: Record<string, unknown> = {
    console: { log: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined },
    setTimeout,
    clearTimeout,
  };
  const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  sandbox.self = context;
  // Data crosses as JSON parsed inside the sandbox: its objects have the sandbox's prototypes, not the host's.
  const parseInside = vm.runInContext("(s) => JSON.parse(s)", context) as (s: string) => unknown;
  const clone = <T>(v: T): T => parseInside(JSON.stringify(v)) as T;
  const api = {
    settings: clone(page.settings),
    init: clone({
      context: { document: { location: { href: page.href } }, navigator: { userAgent: "devstore" } },
      data: { customer: page.init.customer, cart: null, shop: page.init.shop, purchasingCompany: null },
      customerPrivacy: { analyticsProcessingAllowed: c.analytics, marketingAllowed: c.marketing, preferencesProcessingAllowed: c.preferences, saleOfDataAllowed: c.saleOfData },
    }),
    analytics: {
      subscribe: (name: string, cb: (e: unknown) => unknown) => {
        const list = subscribers.get(name) ?? [];
        list.push(cb);
        subscribers.set(name, list);
        return () => {
          const l = subscribers.get(name) ?? [];
          const i = l.indexOf(cb);
          if (i >= 0) l.splice(i, 1);
          return i >= 0;
        };
      },
    },
    browser,
    customerPrivacy: { subscribe: () => () => true },
    _pixelInfo: {},
  };
  sandbox.shopify = {
    extend: (point: string, fn: (a: typeof api) => void) => {
      if (point === EXTENSION_POINT) fn(api);
    },
  };
  sandbox.fetch = (url: string, init?: RequestInit) => {
    const p = page.fetch(url, init);
    pending.push(p.catch(() => undefined));
    return p;
  };
  script.runInContext(context, { timeout: 1000 });
  let seq = 0;
  for (const ev of events) {
    const event = clone({ id: randomUUID(), name: ev.name, clientId: page.clientId, timestamp: new Date().toISOString(), seq: seq++, type: "standard", context: api.init.context, data: ev.data });
    for (const cb of subscribers.get(ev.name) ?? []) {
      try {
        pending.push(Promise.resolve(cb(event)).catch(() => undefined));
      } catch {
        // A throwing subscriber is the pixel's problem; the page goes on (as Shopify isolates pixels).
      }
    }
  }
  // Subscribers may chain awaits before they fetch: wait until no new work appears, bounded by the timeout.
  const deadline = Date.now() + timeoutMs;
  for (let seen = -1; seen !== pending.length && Date.now() < deadline; ) {
    seen = pending.length;
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    await new Promise((r) => setImmediate(r));
  }
  return [...subscribers.keys()];
}

/** Shopify's client id stand-in: stable per browser (here, per cart token). */
export const clientIdFor = (key: string) => createHash("sha256").update(`client:${key}`).digest("hex").slice(0, 32);
