/**
 * Storefront benchmark (`npm run bench:storefront`). Last line JSON:
 *   jsBytesGzip        gzip bytes of the JavaScript the theme extension adds to EVERY page: the assets its Liquid loads
 *                      with <script src> plus inline scripts (the budget, ≤ 8,000)
 *   lazyJsBytesGzip    gzip bytes of the extension's other JavaScript assets, which the embed imports only on pages
 *                      that need them (recovery-plays-lazy.js: the propensity scorer + model once a band could change
 *                      the decision, recommendations and Add bundle, merchant preview); such a page loads
 *                      jsBytesGzip + lazyJsBytesGzip
 *   decisionP99Micros  p99 per-event cost of what the embed does on each event (signal reducer + propensity
 *                      features + scorer + decision engine, or — before the scorer is loaded — one decision per
 *                      propensity band, whichever is slower) over a generated 1,000-event journey, repeated
 *   lighthouseDelta    Lighthouse performance points lost with the embed on (product + collection pages of the
 *                      dev store, mobile defaults, mean of RUNS runs each); null when the dev store is missing
 *   horizon            the same figures on Shopify's Horizon theme (../shared/themes/horizon or DEVSTORE_THEME_DIR):
 *                      {jsBytesGzip, decisionP99Micros, lighthouseDelta} — the extension's JS and the decision
 *                      cost do not depend on the theme; the Lighthouse delta is measured on Horizon's pages.
 *                      null when the theme folder is missing.
 * Env: RUNS (Lighthouse runs per page and state, default 2), JOURNEY_REPEATS (default 60), SKIP_LIGHTHOUSE=1,
 * SKIP_HORIZON=1.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { decide } from "../app/lib/decisions/engine";
import { bandFreeDecision } from "../app/lib/storefront/bands";
import { DEFAULT_BANDS, defaultSettings } from "../app/lib/plays/defaults";
import type { CustomerContext, PlayKey, PublishedPlaysConfig } from "../app/lib/plays/types";
import type { PropensityFeatures } from "../app/lib/propensity/features";
import { applySignal, newSession, newVisitor, toPropensityFeatures } from "../app/lib/signals";
import type { PageKind, SignalEvent } from "../app/lib/signals/types";
import { mulberry32 } from "../app/lib/stats/random";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EXT = path.join(ROOT, "extensions/recovery-plays-theme");
const note = (m: string) => process.stderr.write(`[bench:storefront] ${m}\n`);

function benchConfig(): PublishedPlaysConfig {
  const plays: PublishedPlaysConfig["plays"] = {};
  for (const k of ["confidence", "vip", "indecision", "deal_seeker"] as PlayKey[]) {
    (plays as Record<string, unknown>)[k] = { ...defaultSettings(k), holdoutPercent: 10 };
  }
  plays.vip!.conciergeContact = "concierge@example.com";
  plays.deal_seeker!.freeShippingThreshold = 75;
  return {
    version: 1, bands: { ...DEFAULT_BANDS }, plays,
    shop: { currency: "USD", aov: 60, bundleDiscountTitle: "Better Together" },
    pageStats: {
      product: { bounceRate: 0.02, exitRate: 0.04, pageValue: 6 }, collection: { bounceRate: 0.03, exitRate: 0.05, pageValue: 2 },
      cart: { bounceRate: 0.01, exitRate: 0.03, pageValue: 25 }, info: { bounceRate: 0.05, exitRate: 0.08, pageValue: 0 },
    },
  };
}

// ---- 1. JavaScript bytes -------------------------------------------------------------------------------------
/** Every page: assets the Liquid loads with <script src> + inline scripts. Lazy: the other .js assets. */
function jsBytesGzip(): { always: number; lazy: number } {
  const loaded = new Set<string>();
  let always = 0;
  let lazy = 0;
  for (const dir of ["blocks", "snippets"]) {
    for (const f of readdirSync(path.join(EXT, dir))) {
      const liquid = readFileSync(path.join(EXT, dir, f), "utf8");
      for (const m of liquid.matchAll(/<script[^>]*\ssrc="\{\{\s*'([^']+)'\s*\|\s*asset_url/g)) loaded.add(m[1]);
      // Inline <script> JavaScript counts too (the boot JSON is data, type=application/json).
      for (const m of liquid.matchAll(/<script(?![^>]*application\/json)(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
        always += gzipSync(m[1], { level: 9 }).length;
      }
    }
  }
  for (const f of readdirSync(path.join(EXT, "assets")).filter((n) => n.endsWith(".js"))) {
    const gz = gzipSync(readFileSync(path.join(EXT, "assets", f)), { level: 9 }).length;
    note(`asset ${f}: ${gz} B gzip (${loaded.has(f) ? "every page" : "lazy, only where needed"})`);
    if (loaded.has(f)) always += gz;
    else lazy += gz;
  }
  return { always, lazy };
}

// ---- 2. Decision cost per event ------------------------------------------------------------------------------
/** A 1,000-event shopping journey: browsing, policy reading, cart churn, stalls, exit intents and ticks. */
export function generateJourney(n = 1000, seed = 7, t0 = Date.UTC(2026, 5, 3, 9)): SignalEvent[] {
  const r = mulberry32(seed);
  const products = ["101", "102", "103", "104", "201", "202"];
  const kinds: PageKind[] = ["home", "collection", "product", "product", "product", "info", "cart", "search", "account"];
  const events: SignalEvent[] = [];
  let t = t0;
  let subtotal = 0;
  while (events.length < n) {
    t += Math.floor(r() * 20_000);
    const x = r();
    const productId = products[Math.floor(r() * products.length)];
    if (x < 0.35) events.push({ type: "page_view", ts: t, kind: kinds[Math.floor(r() * kinds.length)], productId });
    else if (x < 0.45) {
      subtotal += 40;
      events.push({ type: "add_to_cart", ts: t, productId, quantity: 1 }, { type: "cart_updated", ts: t, subtotal });
    } else if (x < 0.53) {
      subtotal = Math.max(0, subtotal - 40);
      events.push({ type: "remove_from_cart", ts: t, productId, quantity: 1 }, { type: "cart_updated", ts: t, subtotal });
    } else if (x < 0.56) events.push({ type: "exit_intent", ts: t });
    else events.push({ type: "tick", ts: t });
  }
  return events.slice(0, n);
}

async function loadScorer(): Promise<((f: PropensityFeatures) => number) | undefined> {
  // The storefront's own scorer (what the bundle runs).
  const file = path.join(ROOT, "app/lib/propensity/score.ts");
  if (!existsSync(file)) return undefined;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { scorePropensity?: (f: PropensityFeatures) => number };
    return mod.scorePropensity;
  } catch (e) {
    note(`propensity scorer not loadable (${(e as Error).message}); measuring without it`);
    return undefined;
  }
}

async function decisionP99Micros(): Promise<number> {
  const config = benchConfig();
  const journey = generateJourney();
  const score = await loadScorer();
  note(score ? "scorer: app/lib/propensity/score.ts scorePropensity" : "scorer: none");
  const customer: CustomerContext = { stage: "loyalist", segment: "CHAMPIONS", ordersCount: 6, aov: 70, lastOrderAt: "2026-04-01T00:00:00Z" };
  const repeats = Number(process.env.JOURNEY_REPEATS ?? 60);
  const samples = new Float64Array(repeats * journey.length);
  let k = 0;
  let shown = 0;
  for (let rep = -5; rep < repeats; rep++) {
    const visitor = newVisitor(`bench-visitor-${rep & 7}`, journey[0].ts);
    const session = newSession(journey[0].ts);
    for (const e of journey) {
      const t0 = process.hrtime.bigint();
      applySignal(session, visitor, e, config.pageStats);
      const t1 = process.hrtime.bigint();
      const propensity = score ? score(toPropensityFeatures(session, visitor, e.ts)) : null;
      const d = decide({ config, session, visitor, customer, propensity, now: e.ts, consent: true, active: null });
      const t2 = process.hrtime.bigint();
      // Before its scorer is loaded the embed decides once per band instead (the slower of the two paths counts).
      bandFreeDecision((p) => decide({ config, session, visitor, customer, propensity: p, now: e.ts, consent: true, active: null }), config.bands);
      const t3 = process.hrtime.bigint();
      const dt = Number(t1 - t0 + (t2 - t1 > t3 - t2 ? t2 - t1 : t3 - t2)) / 1000;
      if (d.show) shown++;
      if (rep >= 0) samples[k++] = dt;
    }
  }
  samples.sort();
  note(`${samples.length} timed events, ${shown} decisions with an intervention; p50 ${samples[Math.floor(samples.length * 0.5)].toFixed(2)} µs`);
  return Math.round(samples[Math.floor(samples.length * 0.99)] * 100) / 100;
}

// ---- 3. Lighthouse on the dev store --------------------------------------------------------------------------
async function lighthouseDelta(themeDir?: string): Promise<number | null> {
  if (process.env.SKIP_LIGHTHOUSE === "1") {
    note("SKIP_LIGHTHOUSE=1: lighthouseDelta not measured");
    return null;
  }
  const serverFile = path.join(ROOT, "devstore/server.ts");
  const chrome = process.env.CHROME_PATH ?? "/usr/bin/chromium";
  if (!existsSync(serverFile)) return (note("devstore/server.ts missing: lighthouseDelta not measured"), null);
  if (!existsSync(chrome)) return (note(`no Chromium at ${chrome} (apt-get install -y chromium): lighthouseDelta not measured`), null);
  const imp = (p: string) => import(pathToFileURL(path.join(ROOT, p)).href);
  let server: { startDevStore?: (o: Record<string, unknown>) => Promise<{ url: string; state: import("../devstore/types").DevStoreData; env: { appId: string; appInstallationId: string }; stop(): Promise<void> }> };
  let theme: { setEmbedEnabled?: (state: unknown, appHandle: string, ext: unknown, handle: string, enabled: boolean) => string };
  let extension: { ExtensionLoader?: new (dir: string) => { get(): unknown } };
  let appConfig: { loadAppConfig?: (p?: string) => { handle: string } };
  let mutations: { normalizeNamespace?: (ns: string, appId: string) => string };
  try {
    [server, theme, extension, appConfig, mutations] = await Promise.all([
      imp("devstore/server.ts"), imp("devstore/storefront/theme.ts"), imp("devstore/storefront/extension.ts"),
      imp("devstore/config.ts"), imp("devstore/admin/mutations.ts"),
    ]);
  } catch (e) {
    return (note(`dev store not loadable (${(e as Error).message}): lighthouseDelta not measured`), null);
  }
  if (!server.startDevStore || !theme.setEmbedEnabled || !extension.ExtensionLoader || !appConfig.loadAppConfig || !mutations.normalizeNamespace) {
    return (note("dev store lacks startDevStore / theme editor helpers: lighthouseDelta not measured"), null);
  }
  process.env.CHROME_PATH = chrome;
  const { default: lighthouse } = await import("lighthouse");
  const { launch } = await import("chrome-launcher");
  const store = await server.startDevStore({
    appUrl: "http://127.0.0.1:9", apiKey: "bench-key", apiSecret: "bench-secret", size: "test", port: 0, quiet: true,
    // An explicit theme (or none: the dev store's own theme, whatever DEVSTORE_THEME_DIR says).
    theme: themeDir ? { dir: themeDir } : null,
  });
  const browser = await launch({ chromePath: chrome, chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const state = store.state;
    state.metafields.push({
      id: "bench-config", ownerId: `gid://shopify/AppInstallation/${store.env.appInstallationId}`, namespace: mutations.normalizeNamespace("$app:recovery_plays", store.env.appId),
      key: "config", type: "json", value: JSON.stringify(benchConfig()), updatedAt: new Date().toISOString(),
    });
    const ext = new extension.ExtensionLoader(EXT).get();
    const handle = appConfig.loadAppConfig(path.join(ROOT, "shopify.app.toml")).handle;
    const product = state.products[0];
    const pages = { product: `${store.url}/products/${product.handle}`, collection: `${store.url}/collections/${product.collection}` };
    const runs = Number(process.env.RUNS ?? 2);
    const score = async (url: string) => {
      const res = await lighthouse(url, { port: browser.port, output: "json", logLevel: "error", onlyCategories: ["performance"], disableFullPageScreenshot: true });
      return Math.round((res?.lhr.categories.performance.score ?? 0) * 100);
    };
    // Warm the server's template caches first, then alternate off/on runs so drift hits both states alike.
    for (const on of [false, true]) {
      theme.setEmbedEnabled(state, handle, ext, "app-embed", on);
      for (let i = 0; i < 5; i++) for (const url of Object.values(pages)) await (await fetch(url)).text();
    }
    const deltas: number[] = [];
    for (const [name, url] of Object.entries(pages)) {
      const scores: Record<"on" | "off", number[]> = { on: [], off: [] };
      for (let i = 0; i < runs * 2; i++) {
        const on = i % 2 === 1;
        theme.setEmbedEnabled(state, handle, ext, "app-embed", on);
        const html = await (await fetch(url)).text();
        if (on !== html.includes("recovery-plays.js")) throw new Error(`embed ${on ? "missing" : "still present"} on ${name}`);
        scores[on ? "on" : "off"].push(await score(url));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      note(`${themeDir ? path.basename(themeDir) + " " : ""}${name}: embed off ${scores.off.join(", ")} | on ${scores.on.join(", ")}`);
      deltas.push(mean(scores.off) - mean(scores.on));
    }
    return Math.round((deltas.reduce((a, b) => a + b, 0) / deltas.length) * 10) / 10;
  } catch (e) {
    note(`lighthouse run failed: ${(e as Error).message}`);
    return null;
  } finally {
    await browser.kill();
    await store.stop();
  }
}

const jsBytes = jsBytesGzip();
const p99 = await decisionP99Micros();
const horizonDir = process.env.DEVSTORE_THEME_DIR && path.basename(path.resolve(process.env.DEVSTORE_THEME_DIR)) === "horizon"
  ? path.resolve(process.env.DEVSTORE_THEME_DIR)
  : path.join(process.env.SHARED_DIR ?? path.resolve(ROOT, "../shared"), "themes/horizon");
const runHorizon = process.env.SKIP_HORIZON !== "1" && existsSync(horizonDir);
if (!runHorizon) note(process.env.SKIP_HORIZON === "1" ? "SKIP_HORIZON=1: horizon not measured" : `!!! Horizon theme not found at ${horizonDir}: horizon not measured`);
const result = {
  jsBytesGzip: jsBytes.always,
  lazyJsBytesGzip: jsBytes.lazy,
  decisionP99Micros: p99,
  lighthouseDelta: await lighthouseDelta(),
  horizon: runHorizon
    ? { jsBytesGzip: jsBytes.always, lazyJsBytesGzip: jsBytes.lazy, decisionP99Micros: p99, lighthouseDelta: await lighthouseDelta(horizonDir) }
    : null,
};
console.log(JSON.stringify(result));
