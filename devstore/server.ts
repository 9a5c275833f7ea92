// The local dev store: one Node http server standing in for Shopify — Admin GraphQL (pinned 2026-07 schema, cost +
// throttling, bulk operations), OAuth token exchange, webhooks with real HMACs, the merchant admin frame + App
// Bridge stand-in, and the storefront (devstore/storefront, mounted when present).
import { createReadStream, existsSync, mkdtempSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { DevShop, DevStoreData } from "./types";
import { generateProducts, generateStore, makeShop, DEMO_SHOP_DOMAIN, type SeedOptions } from "./seed/generate";
import { StoreData } from "./admin/data";
import type { StorefrontContext } from "./storefront/context";
import { createStorefrontHandler } from "./storefront/index";
import { NO_FAULTS, type AdminContext, type AdminEnv, type Faults } from "./admin/context";
import { LeakyBucket, RESTORE_RATE, runAdminGraphql } from "./admin/graphql";
import { TokenStore, accessTokenEndpoint, signSessionToken } from "./admin/auth";
import { expire, setBulkQueries } from "./admin/bulk";
import { handleProfileOutHttp, resetProfileOut } from "./admin/profileOut";
import { renderCheckoutEditor } from "./admin/checkoutEditor";
import { normalizeNamespace } from "./admin/mutations";
import { createWebhookSender, type WebhookDelivery } from "./webhooks";
import { API_VERSION, loadAppConfig } from "./config";
import type { ThemeSetup } from "./storefront/themes/load";
import { APP_BRIDGE_JS } from "./appbridge/script";
import { embeddedAppUrl, renderAdminFrame } from "./appbridge/frame";

export type StoreSize = "demo" | "test" | { customers: number; orders?: number; products?: number; streaming?: boolean };

export interface DevStoreOptions {
  port?: number;
  host?: string;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  seed?: number;
  size?: StoreSize;
  dataDir?: string;
  shopDomain?: string;
  plan?: DevShop["plan"];
  /** "Now" of the generated history (default: the real now, so recency is meaningful in the demo). */
  now?: string | number;
  /** Bulk queries enabled for the app in the Partner Dashboard (default true, as for an app that already runs them). */
  bulkQueries?: boolean;
  tomlPath?: string;
  quiet?: boolean;
  webhookRetries?: number;
  webhookRetryDelayMs?: number;
  /** Render a real theme folder (Horizon, Dawn…) instead of the own theme; default: DEVSTORE_THEME_DIR, if set. */
  theme?: ThemeSetup | null;
}

/** What the storefront receives from the server (declared once, next to the storefront). */
export type StorefrontCtx = StorefrontContext;

export interface DevStore {
  url: string;
  shopDomain: string;
  state: DevStoreData;
  env: AdminEnv;
  tokens: TokenStore;
  webhookDeliveries: WebhookDelivery[];
  deliverWebhook(topic: string, payload: unknown): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  /** A fresh session token for the shop (what App Bridge's idToken() returns). */
  sessionToken(): string;
  stop(): Promise<void>;
}

const SIZES = {
  demo: { customers: 300, orders: 1000, products: 40 },
  test: { customers: 40, orders: 130, products: 12 },
} as const;

function seedOptions(opts: DevStoreOptions): SeedOptions & { streaming: boolean } {
  const size = opts.size ?? "demo";
  const s = typeof size === "string" ? { ...SIZES[size], streaming: false } : { products: 40, streaming: false, ...size };
  return {
    seed: opts.seed ?? 42,
    customers: s.customers,
    orders: s.orders,
    products: s.products,
    now: opts.now ?? Date.now(),
    shopDomain: opts.shopDomain ?? DEMO_SHOP_DOMAIN,
    streaming: Boolean(s.streaming),
  };
}

function buildState(opts: DevStoreOptions): { state: DevStoreData; streamed?: SeedOptions } {
  const so = seedOptions(opts);
  if (so.streaming) {
    const now = typeof so.now === "number" ? so.now : Date.parse(String(so.now));
    return {
      state: { shop: makeShop({ shopDomain: so.shopDomain, plan: opts.plan }), products: generateProducts(so.seed, so.products, now), customers: [], orders: [], metafields: [], discounts: [], themeFiles: {} },
      streamed: so,
    };
  }
  return { state: generateStore({ ...so, plan: opts.plan }) };
}

async function readBody(req: IncomingMessage, limit = 5 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error("payload too large"), { status: 413 });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8", ...headers });
  res.end(text);
}

type StorefrontHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A clock that reads `now` (the seed's instant) at start and then advances with real time. */
function storeClock(now: string | number | undefined): () => number {
  if (now === undefined) return Date.now;
  const start = typeof now === "number" ? now : Date.parse(now);
  const bootedAt = Date.now();
  return () => start + (Date.now() - bootedAt);
}

export async function startDevStore(opts: DevStoreOptions): Promise<DevStore> {
  const log = opts.quiet ? () => undefined : (m: string) => console.log(m);
  const config = loadAppConfig(opts.tomlPath);
  const built = buildState(opts);
  const state = built.state;
  const shopDomain = state.shop.domain;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), "devstore-"));
  const tokens = new TokenStore();
  let seq = 1_000_000;
  let storeUrl = "";
  const sender = createWebhookSender({
    appUrl: opts.appUrl,
    apiSecret: opts.apiSecret,
    routes: config.webhooks,
    retries: opts.webhookRetries,
    retryDelayMs: opts.webhookRetryDelayMs,
    log,
    protectedData: () => env.pcd,
  });
  const env: AdminEnv = {
    state,
    data: new StoreData(state, built.streamed),
    storeUrl: "",
    appUrl: opts.appUrl,
    apiKey: opts.apiKey,
    apiSecret: opts.apiSecret,
    appId: "4000000001",
    appInstallationId: "500000000001",
    scopes: config.scopes,
    pcd: config.protectedCustomerData,
    dataDir,
    faults: { ...NO_FAULTS },
    bulkOps: [],
    // The store's clock starts at the seed's "now" and moves with real time (the 60-day order window and the
    // bulk-access lapse are measured on it).
    now: storeClock(opts.now),
    deliverWebhook: sender.deliverWebhook,
    nextId: () => ++seq,
  };
  setBulkQueries(env, opts.bulkQueries ?? true);
  const buckets = new Map<string, LeakyBucket>();
  const bucketFor = (shop: string) => {
    let b = buckets.get(shop);
    if (!b) {
      const rate = RESTORE_RATE[state.shop.plan];
      b = new LeakyBucket(rate * 20, rate);
      buckets.set(shop, b);
    }
    return b;
  };
  const setFaults = (f: Partial<Faults>) => {
    Object.assign(env.faults, f);
    if (f.bulkExpire) for (const op of env.bulkOps) expire(op);
  };
  const deliver = (topic: string, payload: unknown) => sender.deliverWebhook(topic, shopDomain, payload);
  const appInstallationGid = () => `gid://shopify/AppInstallation/${env.appInstallationId}`;
  const storefrontCtx: StorefrontCtx = {
    state,
    shopDomain,
    appUrl: opts.appUrl,
    apiKey: opts.apiKey,
    apiSecret: opts.apiSecret,
    get storeUrl() {
      return storeUrl;
    },
    deliverWebhook: deliver,
    theme: opts.theme,
    appMetafield(namespace, key) {
      // Liquid resolves `$app:x` to the stored `app--<app id>--x`; a plain namespace reads only itself.
      const ns = normalizeNamespace(namespace, env.appId);
      return state.metafields.find((m) => m.ownerId === appInstallationGid() && m.key === key && m.namespace === ns);
    },
  };
  const appOrigin = new URL(opts.appUrl).origin;
  let storefront: StorefrontHandler | null = null;

  const shopOf = (req: IncomingMessage) => {
    const h = req.headers["x-shopify-shop-domain"];
    return (Array.isArray(h) ? h[0] : h) || shopDomain;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", storeUrl);
    const p = url.pathname;

    const gql = p.match(/^\/admin\/api\/([^/]+)\/graphql\.json$/);
    if (gql) {
      if (req.method !== "POST") return send(res, 405, { errors: "Method Not Allowed" });
      if (!/^(\d{4}-(01|04|07|10)|unstable)$/.test(gql[1]!)) return send(res, 404, { errors: "Not Found" });
      const shop = shopOf(req);
      if (shop !== shopDomain) return send(res, 404, { errors: "Not Found" });
      const token = req.headers["x-shopify-access-token"];
      const granted = tokens.scopeOf(Array.isArray(token) ? token[0] : token, shop);
      if (!granted) {
        return send(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      }
      if (env.faults.adminDelayMs) await new Promise((r) => setTimeout(r, env.faults.adminDelayMs));
      if (env.faults.adminStatus) return send(res, env.faults.adminStatus, { errors: env.faults.adminStatus >= 500 ? "Internal Server Error" : "Error" });
      const raw = await readBody(req);
      let body: Record<string, unknown>;
      const type = String(req.headers["content-type"] ?? "");
      if (type.includes("application/graphql")) body = { query: raw };
      else {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return send(res, 400, { errors: "Invalid JSON in request body" });
        }
      }
      const ctx: AdminContext = { env, shop: state.shop, scopes: granted };
      const out = await runAdminGraphql(ctx, bucketFor(shop), body);
      // Retired versions fall forward to the pinned one, as Shopify serves the oldest supported version.
      return send(res, out.status, out.body, { "x-shopify-api-version": API_VERSION, "x-request-id": String(env.nextId()), ...out.headers });
    }

    if (p === "/admin/oauth/access_token" && req.method === "POST") {
      const raw = await readBody(req);
      let body: Record<string, string>;
      try {
        body = String(req.headers["content-type"] ?? "").includes("json") ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
      } catch {
        return send(res, 400, { error: "invalid_request" });
      }
      const [status, out] = accessTokenEndpoint(body, shopOf(req), { apiKey: opts.apiKey, apiSecret: opts.apiSecret, scopes: env.scopes, tokens });
      return send(res, status, out);
    }

    if (p === "/admin/session-token" && req.method === "GET") {
      const shop = url.searchParams.get("shop") || shopDomain;
      if (shop !== shopDomain) return send(res, 404, { error: "unknown shop" });
      return send(res, 200, { token: signSessionToken(shop, opts.apiKey, opts.apiSecret) }, { "access-control-allow-origin": appOrigin, "cache-control": "no-store" });
    }
    if (p === "/admin/embed-url" && req.method === "GET") {
      const target = url.searchParams.get("path") || "/app";
      if (!target.startsWith("/")) return send(res, 400, { error: "path must be app-relative" });
      return send(res, 200, { url: embeddedAppUrl({ appUrl: opts.appUrl, path: target, shop: shopDomain, apiKey: opts.apiKey, apiSecret: opts.apiSecret }) });
    }
    if ((p === "/admin" || p === "/admin/") && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      return void res.end(renderAdminFrame({ appUrl: opts.appUrl, storeUrl, shop: shopDomain, shopName: state.shop.name, apiKey: opts.apiKey, apiSecret: opts.apiSecret, path: url.searchParams.get("path") ?? "/app" }));
    }
    if (p === "/admin/settings/checkout/editor" && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      return void res.end(renderCheckoutEditor(state.shop));
    }
    if (p === "/app-bridge.js" && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/javascript; charset=utf-8", "access-control-allow-origin": "*", "cache-control": "no-cache" });
      return void res.end(APP_BRIDGE_JS);
    }

    const bulk = p.match(/^\/bulk\/(\d+)\.jsonl$/);
    if (bulk && req.method === "GET") {
      const op = env.bulkOps.find((b) => b.id === bulk[1]);
      if (!op?.file || !(op.url || op.partialDataUrl) || !existsSync(op.file)) return send(res, 404, "Not Found");
      res.writeHead(200, { "content-type": "application/jsonl", "content-length": String(statSync(op.file).size) });
      createReadStream(op.file).pipe(res);
      return;
    }

    if (await handleProfileOutHttp(env, req, res, url)) return;

    if (p.startsWith("/__devstore/")) {
      if (p === "/__devstore/faults" && req.method === "POST") {
        const f = JSON.parse((await readBody(req)) || "{}") as Partial<Faults>;
        setFaults(f);
        return send(res, 200, { faults: env.faults });
      }
      if (p === "/__devstore/state" && req.method === "GET") {
        const c = env.data.counts();
        return send(res, 200, {
          shop: shopDomain,
          ...c,
          metafields: state.metafields.length,
          discounts: state.discounts.length,
          bulkOperations: env.bulkOps.map((b) => ({ id: b.id, status: b.status, objectCount: b.objectCount })),
          webhooks: sender.deliveries.length,
          faults: env.faults,
        });
      }
      if (p === "/__devstore/webhooks" && req.method === "GET") return send(res, 200, { deliveries: sender.deliveries });
      if (p === "/__devstore/bulk-access" && req.method === "POST") {
        const b = JSON.parse((await readBody(req)) || "{}") as { queries?: boolean };
        if (typeof b.queries === "boolean") setBulkQueries(env, b.queries);
        return send(res, 200, { bulkAccess: env.bulkAccess });
      }
      if (p === "/__devstore/reset" && req.method === "POST") {
        const fresh = buildState(opts);
        Object.assign(state, fresh.state);
        env.data = new StoreData(state, fresh.streamed);
        env.bulkOps.length = 0;
        env.faults = { ...NO_FAULTS };
        setBulkQueries(env, opts.bulkQueries ?? true);
        resetProfileOut(env);
        buckets.clear();
        return send(res, 200, { ok: true });
      }
      if (p === "/__devstore/uninstall" && req.method === "POST") {
        tokens.revokeShop(shopDomain);
        await deliver("app/uninstalled", { id: 1, name: state.shop.name, email: state.shop.email, domain: shopDomain, myshopify_domain: shopDomain, currency: state.shop.currencyCode });
        return send(res, 200, { ok: true });
      }
      return send(res, 404, { error: "unknown devstore endpoint" });
    }

    if (storefront && (await storefront(req, res))) return;
    send(res, 404, "Not Found");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error & { status?: number }) => {
      if (!res.headersSent) send(res, e.status ?? 500, { errors: e.status === 413 ? "Payload Too Large" : "Internal Server Error" });
      else res.destroy();
      if (!e.status) log(`[devstore] ${req.method} ${req.url}: ${e.stack ?? e.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  storeUrl = `http://${opts.host ?? "127.0.0.1"}:${port}`;
  env.storeUrl = storeUrl;
  // A storefront that fails to load fails the dev store's start: never an Admin-only store that looks healthy.
  storefront = await createStorefrontHandler(storefrontCtx);
  log(`[devstore] ${shopDomain} at ${storeUrl} (admin: ${storeUrl}/admin)`);

  return {
    url: storeUrl,
    shopDomain,
    state,
    env,
    tokens,
    webhookDeliveries: sender.deliveries,
    deliverWebhook: deliver,
    setFaults,
    sessionToken: () => signSessionToken(shopDomain, opts.apiKey, opts.apiSecret),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// CLI: `tsx devstore/server.ts` (PORT, SHOPIFY_APP_URL, SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SEED, SIZE).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const size = process.env.SIZE ?? "demo";
  const store = await startDevStore({
    port: Number(process.env.PORT ?? 4100),
    appUrl: process.env.SHOPIFY_APP_URL ?? "http://127.0.0.1:3000",
    apiKey: process.env.SHOPIFY_API_KEY ?? "devstore-api-key",
    apiSecret: process.env.SHOPIFY_API_SECRET ?? "devstore-api-secret",
    seed: Number(process.env.SEED ?? 42),
    size: size === "demo" || size === "test" ? size : { customers: Number(size), streaming: Number(size) > 20_000 },
  });
  const stop = () => void store.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
