// The dev store's Online Store: a Liquid theme with the app's real theme app extension rendered into it, the Ajax
// Cart API, product recommendations, the Customer Privacy API stand-in, customer accounts, the app proxy, a minimal
// checkout that fires orders/create, and a theme editor stand-in for the app's deep links.
// Mounted by devstore/server.ts: `createStorefrontHandler(ctx)` returns false for paths it does not serve.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Drop } from "liquidjs";
import { parse as parseToml } from "smol-toml";
import type { DevCustomer, DevMetafield } from "../types";
import {
  type Cart,
  CartError,
  CartStore,
  addDiscountCode,
  addItems,
  cartJson,
  changeLine,
  clearCart,
  emptyCart,
  exhaustedCodes,
  lineJson,
  updateCart,
  USAGE_LIMIT_MESSAGE,
} from "./cart";
import { Catalog, inPresentment, productAjaxJson, productImageUrl } from "./catalog";
import { OrderNumbering, checkoutPage, createOrderFromCart, orderWebhookPayload, thankYouPage } from "./checkout";
import type { StorefrontContext, StorefrontOptions } from "./context";
import { ExtensionLoader, extractSchema } from "./extension";
import {
  HttpError,
  type Params,
  addCookie,
  cookie,
  escapeHtml,
  parseCookies,
  readParams,
  redirect,
  sendHtml,
  sendJson,
  str,
} from "./http";
import { type Globals, PAGE, type SettingsData, StorefrontRenderer, newPageState, translate } from "./liquid/engine";
import {
  ROUTES,
  appObject,
  cartObject,
  collectionObject,
  collectionsObject,
  customerObject,
  productObject,
  requestObject,
  shopObject,
} from "./liquid/objects";
import { CONSENT_COOKIE, type ConsentState, consentBanner, consentFromCookie, consentSwitch, contentForHeader } from "./privacy";
import { appProxyConfigured, forwardAppProxy } from "./proxy";
import { STEP_EVENTS, createCheckoutTracker, type CheckoutSection } from "./checkoutEvents";
import { installTheme, themeSetupFromEnv } from "./themes/load";
import { settingsObject } from "./themes/settings";
import { ThemeEditError, addAppBlock, embedStates, ensureThemeFiles, placedAppBlocks, removeAppBlock, setEmbedEnabled } from "./theme";

export type { StorefrontContext, StorefrontOptions } from "./context";
export { orderWebhookPayload } from "./checkout";
export { appProxySignature, signedProxyUrl } from "./proxy";
export { defaultThemeFiles, ensureThemeFiles } from "./theme";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
export const DEFAULT_EXTENSION_DIR = path.join(REPO, "extensions", "recovery-plays-theme");

/** Demo password of every seeded customer on the storefront login when the seed didn't set one. */
export const DEMO_PASSWORD = "password";

const CART_COOKIE = "cart";
/** The shopper's chosen presentment currency (Markets), as Shopify's storefront cookie names it. */
const CURRENCY_COOKIE = "cart_currency";
const SESSION_COOKIE = "customer_session";
const TWO_WEEKS = 14 * 24 * 3600;

interface AppConfig {
  handle: string;
  proxyPrefix: string;
  proxyPath: string;
  /** `[access_scopes] scopes` of the toml (null when not read): the proxy needs `write_app_proxy`. */
  scopes: string[] | null;
}

function readAppConfig(tomlPath: string): AppConfig {
  const config: AppConfig = { handle: "recovery-plays", proxyPrefix: "/apps/recovery-plays", proxyPath: "/apps/proxy", scopes: null };
  if (!existsSync(tomlPath)) return config;
  try {
    const toml = parseToml(readFileSync(tomlPath, "utf8")) as Record<string, unknown>;
    if (typeof toml.handle === "string") config.handle = toml.handle;
    const proxy = toml.app_proxy as Record<string, unknown> | undefined;
    if (proxy && typeof proxy.subpath === "string") config.proxyPrefix = `/${String(proxy.prefix ?? "apps")}/${proxy.subpath}`;
    if (proxy && typeof proxy.url === "string") config.proxyPath = new URL(proxy.url, "https://app.invalid").pathname;
    const scopes = (toml.access_scopes as Record<string, unknown> | undefined)?.scopes;
    if (typeof scopes === "string") config.scopes = scopes.split(",").map((x) => x.trim()).filter(Boolean);
  } catch {
    // Fall back to the documented defaults (docs/architecture.md) when the toml can't be read.
  }
  return config;
}

const STANDARD_EVENTS_CDN = "https://cdn.shopify.com/storefront/standard-events.js";
const STANDARD_EVENTS_PATH = "/cdn/shopifycloud/storefront/standard-events.js";
let standardEvents: string | undefined;
function standardEventsSource(): string {
  standardEvents ??= readFileSync(fileURLToPath(new URL("./themes/standard-events.js", import.meta.url)), "utf8");
  return standardEvents;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

class TemplateDrop extends Drop {
  constructor(
    readonly name: string,
    readonly suffix: string | null,
    readonly directory: string | null,
  ) {
    super();
  }
  valueOf(): string {
    return [this.directory, this.suffix ? `${this.name}.${this.suffix}` : this.name].filter(Boolean).join("/");
  }
}

function templateDrop(template: string): TemplateDrop {
  const [dir, file] = template.includes("/") ? template.split("/", 2) : [null, template];
  const [name, suffix] = file.split(".", 2);
  return new TemplateDrop(name, suffix ?? null, dir);
}

function placeholderSvg(label: string): string {
  let h = 0;
  for (const c of label) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hue = h % 360;
  const initials = label.replace(/[^a-z0-9]+/gi, " ").trim().split(" ").slice(0, 2).map((w) => w[0]?.toUpperCase() ?? "").join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 800 800"><rect width="800" height="800" fill="hsl(${hue},35%,88%)"/><text x="400" y="450" font-family="system-ui,sans-serif" font-size="200" text-anchor="middle" fill="hsl(${hue},35%,30%)">${escapeHtml(initials)}</text></svg>`;
}

interface Req {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  path: string;
  cookies: Record<string, string>;
  consent: ConsentState;
  customer: DevCustomer | null;
  sessionId: string | null;
  /** The shopper's presentment currency and Shopify's rate to it from the shop's currency (rate 1: the shop's). */
  fx: { currency: string; rate: number };
}

/** Creates the storefront request handler (resolves false when the path is not a storefront path). */
export function createStorefrontHandler(
  ctx: StorefrontContext,
  options: StorefrontOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  ensureThemeFiles(ctx.state);
  const state = ctx.state;
  const catalog = new Catalog(state);
  const carts = new CartStore();
  const sessions = new Map<string, string>();
  const numbering = new OrderNumbering();
  const thankYouTokens = new Map<string, string>();
  const checkouts = createCheckoutTracker(ctx.state, catalog, ctx.shopDomain, () => ctx.storeUrl);
  const extensions = new ExtensionLoader(options.extensionDir ?? DEFAULT_EXTENSION_DIR);
  const app = readAppConfig(options.appTomlPath ?? path.join(REPO, "shopify.app.toml"));
  const proxyTimeoutMs = options.proxyTimeoutMs ?? 10_000;
  // A real theme (Horizon, Dawn…) replaces the dev store's own: from the options, the server, or the environment.
  const themeSetup = options.theme !== undefined ? options.theme : ctx.theme !== undefined ? ctx.theme : themeSetupFromEnv();
  if (themeSetup) installTheme(state, themeSetup, app.handle, extensions.get());
  const assetCache = new Map<string, Buffer>();

  const readMetafield = (namespace: string, key: string): DevMetafield | undefined => ctx.appMetafield(namespace, key);

  const renderer = new StorefrontRenderer(
    () => state.themeFiles,
    () => extensions.get(),
    {
      product: (handle) => {
        const p = catalog.productByHandle(handle);
        return p ? productObject(p, catalog) : null;
      },
      collection: (handle) => {
        const c = catalog.collection(handle);
        return c ? collectionObject(c, catalog) : null;
      },
    },
    { appHandle: app.handle },
  );

  // ---------- sessions ----------

  function currentCart(r: Req): Cart | undefined {
    return carts.get(r.cookies[CART_COOKIE]);
  }

  function ensureCart(r: Req): Cart {
    const existing = currentCart(r);
    if (existing) return existing;
    const cart = carts.create();
    r.cookies[CART_COOKIE] = cart.token;
    addCookie(r.res, cookie(CART_COOKIE, cart.token, { maxAge: TWO_WEEKS }));
    return cart;
  }

  // ---------- pages ----------

  function themeSettings(): Record<string, unknown> {
    const current = { ...(renderer.json<SettingsData>("config/settings_data.json")?.current ?? {}) };
    delete current.sections;
    delete current.blocks;
    return settingsObject(current, renderer.json<{ settings?: { id?: string; type?: string }[] }[]>("config/settings_schema.json") ?? []);
  }

  function analyticsMeta(pageType: string, extra: Record<string, unknown>): Record<string, unknown> {
    const product = extra.product as Record<string, unknown> | undefined;
    const meta: Record<string, unknown> = {
      currency: state.shop.currencyCode,
      page: {
        pageType: pageType === "index" ? "home" : pageType,
        resourceType: pageType === "product" || pageType === "collection" ? pageType : null,
        resourceId: product?.id ?? null,
      },
    };
    if (product) {
      meta.product = {
        id: product.id,
        gid: `gid://shopify/Product/${String(product.id)}`,
        vendor: product.vendor,
        type: product.type,
        variants: (product.variants as Record<string, unknown>[]).map((v) => ({ id: v.id, price: v.price, name: `${String(product.title)} - ${String(v.title)}`, sku: v.sku })),
      };
    }
    return meta;
  }

  function buildGlobals(r: Req, template: string, pageType: string, extra: Record<string, unknown>): Globals {
    const shop = shopObject(state, ctx.shopDomain);
    const cart = currentCart(r) ?? emptyCart();
    const origin = ctx.storeUrl.replace(/\/$/, "");
    const globals: Globals = {
      shop,
      cart: cartObject(cart, catalog, state),
      customer: r.customer ? customerObject(r.customer, catalog) : null,
      request: requestObject(pageType, r.path, r.req.headers.host ?? ctx.shopDomain, origin),
      routes: ROUTES,
      collections: collectionsObject(catalog),
      settings: themeSettings(),
      app: appObject(readMetafield),
      localization: {
        language: { iso_code: "en", name: "English", endonym_name: "English" },
        country: { iso_code: r.consent.required ? "DE" : "US", currency: { iso_code: state.shop.currencyCode } },
        available_languages: [],
        available_countries: [],
      },
      canonical_url: `${origin}${r.path}`,
      page_title: shop.name,
      page_description: "",
      template: templateDrop(template),
      ...extra,
      [PAGE]: newPageState(template, String(shop.money_format), String(shop.money_with_currency_format)),
    };
    return globals;
  }

  async function renderPage(r: Req, template: string, pageType: string, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
    const globals = buildGlobals(r, template, pageType, extra);
    const sectionId = r.url.searchParams.get("section_id");
    const sections = r.url.searchParams.get("sections");
    if (sectionId) {
      const html = await renderer.renderSection(template, sectionId, globals);
      if (html === null) return sendHtml(r.res, 404, "");
      return sendHtml(r.res, status, html);
    }
    if (sections) {
      const out: Record<string, string | null> = {};
      for (const id of sections.split(",").map((s) => s.trim()).filter(Boolean).slice(0, 5)) out[id] = await renderer.renderSection(template, id, globals);
      return sendJson(r.res, status, out);
    }
    const header = contentForHeader({ shopDomain: ctx.shopDomain, currency: r.fx.currency, rate: r.fx.rate, consent: r.consent, meta: analyticsMeta(pageType, extra) });
    const locale = renderer.themeLocale();
    const banner = consentBanner(r.consent, {
      label: translate(locale, "privacy.banner.label", {}),
      text: translate(locale, "privacy.banner.text", {}),
      accept: translate(locale, "privacy.banner.accept", {}),
      decline: translate(locale, "privacy.banner.decline", {}),
    });
    // Shopify's CDN is out of reach offline: its standard events module is served by the dev store instead.
    const html = (await renderer.renderPage(template, globals, header, banner)).replaceAll(STANDARD_EVENTS_CDN, STANDARD_EVENTS_PATH);
    sendHtml(r.res, status, html);
  }

  /**
   * The page bundled sections render in: `sections_url`, else the Referer (the page that made the call), else the
   * cart. Horizon's cart drawer renders only outside the cart template, so rendering against /cart left it empty.
   */
  function sectionsContext(r: Req, params: Params): [template: string, pageType: string, extra: Record<string, unknown>] {
    let where = typeof params.sections_url === "string" ? params.sections_url : "";
    try {
      where ||= new URL(String(r.req.headers.referer)).pathname;
    } catch {
      // No Referer: the cart, as before the Referer rule.
    }
    const p = where.split("?")[0] || "/cart";
    let m: RegExpExecArray | null;
    if (p === "/cart") return ["cart", "cart", {}];
    if (p === "/") return ["index", "index", {}];
    if ((m = /^\/(?:collections\/[^/]+\/)?products\/([^/.]+)$/.exec(p))) {
      const product = catalog.productByHandle(decodeURIComponent(m[1]));
      if (product) return ["product", "product", { product: productObject(product, catalog), handle: product.handle }];
    }
    if ((m = /^\/collections\/([^/.]+)$/.exec(p))) {
      const c = catalog.collection(decodeURIComponent(m[1]));
      if (c) return ["collection", "collection", { collection: collectionObject(c, catalog, 1), handle: c.handle }];
    }
    return ["page", "page", {}];
  }

  /** Sections requested alongside an Ajax cart call (`sections`), rendered in the context of sectionsContext. */
  async function ajaxSections(r: Req, params: Params): Promise<Record<string, string | null> | undefined> {
    const raw = params.sections;
    const ids = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(",") : [];
    if (!ids.length) return undefined;
    const [template, pageType, extra] = sectionsContext(r, params);
    const globals = buildGlobals(r, template, pageType, extra);
    const out: Record<string, string | null> = {};
    for (const id of ids.map((s) => s.trim()).filter(Boolean).slice(0, 5)) out[id] = await renderer.renderSection(template, id, globals);
    return out;
  }

  const notFound = (r: Req) => renderPage(r, "404", "404", { page_title: translate(renderer.themeLocale(), "templates.404.title", {}) }, 404);

  // ---------- cart ----------

  function addItemsFrom(params: Params): { id: unknown; quantity?: unknown; properties?: unknown }[] {
    if (Array.isArray(params.items)) return params.items as { id: unknown }[];
    if (params.items && typeof params.items === "object") return Object.values(params.items) as { id: unknown }[];
    return [{ id: params.id, quantity: params.quantity, properties: params.properties }];
  }

  async function cartAction(r: Req, action: string, ajax: boolean): Promise<void> {
    const params = await readParams(r.req);
    const cart = ensureCart(r);
    try {
      if (action === "add") {
        const items = addItemsFrom(params);
        const lines = addItems(cart, items, catalog);
        if (!ajax) return redirect(r.res, "/cart");
        const sections = await ajaxSections(r, params);
        const body: Record<string, unknown> =
          Array.isArray(params.items) || (params.items && typeof params.items === "object")
            ? { items: lines.map((l) => lineJson(cart, l, catalog, state)) }
            : lines.length
              ? lineJson(cart, lines[0], catalog, state)
              : cartJson(cart, catalog, state);
        if (sections) body.sections = sections;
        return sendJson(r.res, 200, body);
      }
      if (action === "change") changeLine(cart, { id: params.id, line: params.line, quantity: params.quantity, properties: params.properties }, catalog);
      else if (action === "update") updateCart(cart, params, catalog);
      else if (action === "clear") clearCart(cart);
      if (!ajax) return redirect(r.res, params.checkout !== undefined ? "/checkout" : "/cart");
      const body = cartJson(cart, catalog, state);
      const sections = await ajaxSections(r, params);
      if (sections) body.sections = sections;
      return sendJson(r.res, 200, body);
    } catch (error) {
      if (!(error instanceof CartError)) throw error;
      if (ajax) return sendJson(r.res, error.status, error.toJSON());
      return sendHtml(r.res, error.status, `<!doctype html><title>${escapeHtml(error.title)}</title><p>${escapeHtml(error.description)}</p><p><a href="/cart">/cart</a></p>`);
    }
  }

  /** GET forms Shopify also supports: /cart/add?id=&quantity=, /cart/change?line=&quantity=, /cart/clear. */
  function cartGet(r: Req, action: string): void {
    const q = Object.fromEntries(r.url.searchParams);
    try {
      if (action === "add") addItems(ensureCart(r), [{ id: q.id, quantity: q.quantity }], catalog);
      else if (action === "change") changeLine(ensureCart(r), { id: q.id, line: q.line, quantity: q.quantity }, catalog);
      else if (action === "clear") clearCart(ensureCart(r));
    } catch (error) {
      if (!(error instanceof CartError)) throw error;
    }
    redirect(r.res, "/cart");
  }

  /**
   * GET /discount/CODE?redirect=/path: Shopify's shareable discount link. Puts the code on the cart (starting one
   * if needed) and sends the shopper on; only same-origin paths are followed, anything else goes to "/".
   */
  function discountLink(r: Req, rawCode: string): void {
    let code: string;
    try {
      code = decodeURIComponent(rawCode);
    } catch {
      throw new HttpError(400, "Bad Request");
    }
    addDiscountCode(ensureCart(r), code);
    const to = r.url.searchParams.get("redirect") ?? "/";
    // Same-origin paths only ("//host" and "/\\host" are other origins); no control characters in a header.
    const control = [...to].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
    redirect(r.res, /^\/(?![/\\])/.test(to) && !control ? to : "/");
  }

  // ---------- recommendations ----------

  async function recommendations(r: Req): Promise<void> {
    const q = r.url.searchParams;
    const productId = q.get("product_id");
    if (!productId || !/^\d+$/.test(productId)) {
      return sendJson(r.res, 422, { status: 422, message: "Invalid parameter error", description: "product_id is required and must be an integer" });
    }
    const product = catalog.product(productId);
    if (!product) return sendJson(r.res, 404, { status: 404, message: "Product not found", description: `No product with id ${productId} was found` });
    const intent = q.get("intent") === "complementary" ? "complementary" : "related";
    const limit = Math.min(10, Math.max(1, Number(q.get("limit")) || 10));
    const ids = intent === "complementary" ? product.complementary : product.related;
    const products = ids
      .filter((id) => id !== product.id)
      .map((id) => catalog.product(id))
      .filter((p): p is NonNullable<typeof p> => !!p)
      .slice(0, limit);
    const sectionId = q.get("section_id");
    if (sectionId) {
      // HTML flavour (Section Rendering API): the theme's recommendations section with `recommendations` filled.
      const recs = { performed: true, intent, products: products.map((x) => productObject(x, catalog)), products_count: products.length };
      const globals = buildGlobals(r, "product", "product", { product: productObject(product, catalog), recommendations: recs });
      const html = renderer.renderSection("product", sectionId, globals);
      if (html === null) return sendHtml(r.res, 404, "");
      return sendHtml(r.res, 200, html);
    }
    // Monetary fields in the shopper's presentment currency, as Shopify's Ajax API answers them.
    const json = products.map((p) => ({ ...inPresentment(productAjaxJson(p), r.fx.rate), url: `/products/${p.handle}?pr_prod_strat=${intent}&pr_rec_pid=${p.id}&pr_ref_pid=${product.id}` }));
    sendJson(r.res, 200, { intent, products: json });
  }

  function searchProducts(terms: string, limit: number) {
    const needle = terms.trim().toLowerCase();
    if (!needle) return [];
    return catalog
      .allProducts()
      .filter((x) => x.title.toLowerCase().includes(needle) || x.tags.some((t) => t.toLowerCase() === needle) || x.productType.toLowerCase() === needle)
      .slice(0, limit);
  }

  /** Predictive Search API: `q`, `resources[limit]`; JSON, or a section (`section_id`) with `predictive_search`. */
  async function predictiveSearch(r: Req, asJson: boolean): Promise<void> {
    const q = r.url.searchParams;
    const terms = (q.get("q") ?? "").trim();
    if (!terms) return sendJson(r.res, 422, { status: 422, message: "Invalid parameter error", description: "q is required" });
    const limit = Math.min(10, Math.max(1, Number(q.get("resources[limit]")) || 10));
    const products = searchProducts(terms, limit);
    const sectionId = q.get("section_id");
    if (asJson || !sectionId) {
      return sendJson(r.res, 200, { resources: { results: { products: products.map((x) => productAjaxJson(x)), collections: [], pages: [], articles: [], queries: [] } } });
    }
    const predictive = {
      performed: true,
      terms,
      types: ["product", "collection", "page", "article", "query"],
      resources: { products: products.map((x) => productObject(x, catalog)), collections: [], pages: [], articles: [], queries: [] },
    };
    const globals = buildGlobals(r, "search", "search", { predictive_search: predictive });
    const html = renderer.renderSection("search", sectionId, globals);
    if (html === null) return sendHtml(r.res, 404, "");
    sendHtml(r.res, 200, html);
  }

  /** Themes post to routes.cart_add_url (/cart/add) from fetch() with X-Requested-With or Accept JSON and read JSON back. */
  function wantsJson(r: Req): boolean {
    return r.req.headers["x-requested-with"] === "XMLHttpRequest" || /application\/json/.test(String(r.req.headers.accept ?? ""));
  }

  // ---------- accounts ----------

  function passwordMatches(c: DevCustomer, password: string): boolean {
    const expected = Buffer.from(c.password || DEMO_PASSWORD);
    const given = Buffer.from(password);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async function login(r: Req): Promise<void> {
    const params = await readParams(r.req);
    const form = (params.customer ?? {}) as Record<string, unknown>;
    const email = str(form.email) ?? "";
    const password = str(form.password) ?? "";
    const customer = email ? catalog.customerWithEmail(email) : undefined;
    if (!customer || !passwordMatches(customer, password)) {
      const globals = { page_title: translate(renderer.themeLocale(), "customer.login_page.title", {}) };
      return renderLogin(r, globals, { errors: [translate(renderer.themeLocale(), "customer.login_page.invalid", {})], values: { email } }, 200);
    }
    if (r.sessionId) sessions.delete(r.sessionId);
    const sid = randomBytes(24).toString("hex");
    sessions.set(sid, customer.id);
    addCookie(r.res, cookie(SESSION_COOKIE, sid, { httpOnly: true, maxAge: TWO_WEEKS }));
    const back = str(params.return_to) ?? str(params.checkout_url);
    redirect(r.res, back && back.startsWith("/") && !back.startsWith("//") ? back : "/account");
  }

  async function renderLogin(r: Req, extra: Record<string, unknown>, form: { errors: string[] | null; values: Record<string, string> } | null, status: number): Promise<void> {
    const globals = buildGlobals(r, "customers/login", "customers/login", extra);
    if (form) globals[PAGE].forms.customer_login = form;
    const header = contentForHeader({ shopDomain: ctx.shopDomain, currency: r.fx.currency, rate: r.fx.rate, consent: r.consent, meta: analyticsMeta("customers/login", {}) });
    sendHtml(r.res, status, await renderer.renderPage("customers/login", globals, header));
  }

  // ---------- checkout ----------

  async function checkout(r: Req): Promise<void> {
    const cart = currentCart(r);
    if (r.req.method === "GET") {
      if (!cart || !cart.lines.length) return redirect(r.res, "/cart");
      await checkouts.started({ cart, customer: r.customer, consent: r.consent });
      return sendHtml(r.res, 200, checkoutPage(cart, catalog, state, renderer.themeLocale(), !!r.customer, r.customer?.id ?? null));
    }
    const params = await readParams(r.req);
    if (!cart || !cart.lines.length) return redirect(r.res, "/cart", 303);
    const section = str(params.section);
    if (section && section in STEP_EVENTS) {
      await checkouts.section({ cart, customer: r.customer, consent: r.consent }, section as CheckoutSection);
      return redirect(r.res, "/checkout", 303);
    }
    // A single-use code already used: Shopify's checkout shows its error and places no order until it is removed.
    const spent = exhaustedCodes(cart, state);
    if (spent.length) {
      return sendHtml(r.res, 422, `<!doctype html><title>Checkout</title><p role="alert" data-discount-error="${escapeHtml(spent[0]!)}">${escapeHtml(USAGE_LIMIT_MESSAGE)}</p>`);
    }
    const order = createOrderFromCart(cart, catalog, state, r.customer?.id ?? null, numbering);
    await checkouts.completed({ cart, customer: r.customer, consent: r.consent }, order, str(params.email) ?? null);
    // Like Shopify, the finished checkout's cart is gone; the shopper starts a fresh one.
    carts.delete(cart.token);
    addCookie(r.res, cookie(CART_COOKIE, "", { maxAge: 0 }));
    const token = randomBytes(16).toString("hex");
    thankYouTokens.set(token, order.id);
    ctx.deliverWebhook("orders/create", orderWebhookPayload(order, state)).catch((error: unknown) => {
      console.error("[devstore] orders/create delivery failed:", error instanceof Error ? error.message : error);
    });
    redirect(r.res, `/checkout/thank-you/${token}`, 303);
  }

  // ---------- theme editor ----------

  async function themeEditor(r: Req): Promise<void> {
    const ext = extensions.get();
    if (!ext) throw new ThemeEditError(404, `No theme app extension found at ${options.extensionDir ?? DEFAULT_EXTENSION_DIR}`);
    const messages: string[] = [];
    const acceptsApps = (type: string) => {
      const src = state.themeFiles[`sections/${type}.liquid`];
      const schema = src ? extractSchema<{ blocks?: { type: string }[] }>(src) : {};
      return (schema.blocks ?? []).some((b) => b.type === "@app");
    };
    const parseId = (value: string): string => {
      const [key, handle] = value.split("/", 2);
      if (!handle || (key !== ctx.apiKey && key !== ext.uid)) throw new ThemeEditError(404, `Unknown app or extension "${key}"`);
      return handle;
    };
    if (r.req.method === "POST") {
      const params = await readParams(r.req);
      const embed = str(params.embed);
      const remove = str(params.remove_block);
      if (embed) setEmbedEnabled(state, app.handle, ext, embed, str(params.enabled) === "true");
      if (remove) removeAppBlock(state, app.handle, ext, remove, str(params.template) ?? "cart");
      return redirect(r.res, "/admin/themes/current/editor", 303);
    }
    const q = r.url.searchParams;
    const activate = q.get("activateAppId");
    const add = q.get("addAppBlockId");
    if (activate) {
      const handle = parseId(activate);
      setEmbedEnabled(state, app.handle, ext, handle, true);
      messages.push(`App embed “${handle}” enabled and saved.`);
    }
    if (add) {
      const handle = parseId(add);
      const template = q.get("template") ?? "index";
      const placed = addAppBlock(state, app.handle, ext, handle, template, q.get("target") ?? "newAppsSection", acceptsApps);
      messages.push(`App block “${handle}” placed in templates/${template}.json (section ${placed.sectionKey}) and saved.`);
    }
    const embeds = embedStates(state, app.handle, ext);
    const placed = placedAppBlocks(state, app.handle, ext);
    const blocks = [...ext.blocks.values()].filter((b) => b.target === "section");
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Theme editor (dev store)</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem}li{margin:.5rem 0}.status{background:#e6f4ea;padding:.75rem;border-radius:4px}</style></head><body>
<h1>Theme editor (dev store stand-in)</h1>
${messages.map((m) => `<p class="status" role="status">${escapeHtml(m)}</p>`).join("")}
<p>Changes are saved to the live theme immediately. <a href="/">View storefront</a></p>
<h2>App embeds</h2><ul>${embeds
      .map(
        (e) =>
          `<li><form method="post"><input type="hidden" name="embed" value="${escapeHtml(e.handle)}"><input type="hidden" name="enabled" value="${e.enabled ? "false" : "true"}"><span data-embed="${escapeHtml(e.handle)}" data-enabled="${e.enabled}">${escapeHtml(e.name)}: ${e.enabled ? "on" : "off"}</span> <button type="submit">${e.enabled ? "Turn off" : "Turn on"}</button></form></li>`,
      )
      .join("")}</ul>
<h2>App blocks</h2><ul>${blocks
      .map(
        (b) =>
          `<li>${escapeHtml(b.schema.name ?? b.handle)}: <a href="?template=cart&amp;addAppBlockId=${encodeURIComponent(ctx.apiKey)}/${encodeURIComponent(b.handle)}&amp;target=mainSection">add to cart page</a> · <a href="?template=product&amp;addAppBlockId=${encodeURIComponent(ctx.apiKey)}/${encodeURIComponent(b.handle)}&amp;target=mainSection">add to product page</a></li>`,
      )
      .join("")}</ul>
<h2>Placed app blocks</h2><ul>${placed
      .map(
        (p) =>
          `<li><form method="post"><input type="hidden" name="remove_block" value="${escapeHtml(p.handle)}"><input type="hidden" name="template" value="${escapeHtml(p.template)}">${escapeHtml(p.handle)} in templates/${escapeHtml(p.template)}.json (${escapeHtml(p.section)}) <button type="submit">Remove</button></form></li>`,
      )
      .join("")}</ul></body></html>`;
    sendHtml(r.res, 200, html);
  }

  // ---------- static files ----------

  function serveThemeAsset(r: Req, name: string): boolean {
    const content = state.themeFiles[`assets/${name}`];
    if (content === undefined) return false;
    r.res.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(name)] ?? "application/octet-stream", "cache-control": "public, max-age=31536000, immutable" });
    r.res.end(content);
    return true;
  }

  function serveExtensionAsset(r: Req, uid: string, name: string): boolean {
    const ext = extensions.get();
    const asset = ext && ext.uid === uid ? ext.assets.get(name) : undefined;
    if (!asset) return false;
    const key = `${asset.file}:${asset.version}`;
    let body = assetCache.get(key);
    if (!body) {
      body = readFileSync(asset.file);
      if (assetCache.size > 200) assetCache.clear();
      assetCache.set(key, body);
    }
    r.res.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(name)] ?? "application/octet-stream", "cache-control": "public, max-age=31536000, immutable", "access-control-allow-origin": "*" });
    r.res.end(body);
    return true;
  }

  // ---------- router ----------

  async function route(r: Req): Promise<boolean> {
    const { path: p } = r;
    const method = r.req.method ?? "GET";
    const isGet = method === "GET" || method === "HEAD";
    let m: RegExpExecArray | null;

    if ((p === app.proxyPrefix || p.startsWith(`${app.proxyPrefix}/`)) && appProxyConfigured(app.scopes)) {
      await forwardAppProxy(
        r.req,
        r.res,
        { appUrl: ctx.appUrl, proxyPath: app.proxyPath, prefix: app.proxyPrefix, shopDomain: ctx.shopDomain, secret: ctx.apiSecret, timeoutMs: proxyTimeoutMs },
        r.url,
        r.customer?.id ?? null,
        async (source) => {
          const globals = buildGlobals(r, "page", "page", {});
          const content = renderer.theme.parseAndRenderSync(source, {}, { globals }) as string;
          const header = contentForHeader({ shopDomain: ctx.shopDomain, currency: r.fx.currency, rate: r.fx.rate, consent: r.consent, meta: analyticsMeta("page", {}) });
          return renderer.wrapInLayout(content, globals, header, "");
        },
      );
      return true;
    }
    if ((m = /^\/admin\/themes\/(current|\d+)\/editor$/.exec(p))) {
      await themeEditor(r);
      return true;
    }
    if (p === STANDARD_EVENTS_PATH) {
      r.res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300" });
      r.res.end(standardEventsSource());
      return true;
    }
    if ((m = /^\/cdn\/shop\/t\/\d+\/assets\/(.+)$/.exec(p))) {
      if (!serveThemeAsset(r, decodeURIComponent(m[1]))) sendHtml(r.res, 404, "");
      return true;
    }
    if ((m = /^\/cdn\/extensions\/([^/]+)\/assets\/(.+)$/.exec(p))) {
      if (!serveExtensionAsset(r, m[1], decodeURIComponent(m[2]))) sendHtml(r.res, 404, "");
      return true;
    }
    if ((m = /^\/cdn\/shop\/files\/([^/]+)\.svg$/.exec(p))) {
      const product = catalog.productByHandle(decodeURIComponent(m[1]));
      r.res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" });
      r.res.end(placeholderSvg(product?.title ?? m[1]));
      return true;
    }

    if (p === "/cart.js" || p === "/cart.json") {
      if (!isGet) throw new HttpError(405, "Method Not Allowed");
      sendJson(r.res, 200, cartJson(currentCart(r) ?? emptyCart(), catalog, state));
      return true;
    }
    if ((m = /^\/cart\/(add|change|update|clear)(\.js|\.json)?$/.exec(p))) {
      if (isGet && !m[2]) cartGet(r, m[1]);
      else if (isGet) throw new HttpError(405, "Method Not Allowed");
      else await cartAction(r, m[1], !!m[2] || wantsJson(r));
      return true;
    }
    if (p === "/cart") {
      if (isGet) await renderPage(r, "cart", "cart", { page_title: translate(renderer.themeLocale(), "sections.cart.title", {}) });
      else await cartAction(r, "update", false);
      return true;
    }
    if ((m = /^\/discount\/([^/]+)$/.exec(p))) {
      if (!isGet) throw new HttpError(405, "Method Not Allowed");
      discountLink(r, m[1]);
      return true;
    }
    if (p === "/recommendations/products.json" || p === "/recommendations/products") {
      await recommendations(r);
      return true;
    }
    if (p === "/search/suggest" || p === "/search/suggest.json") {
      await predictiveSearch(r, p.endsWith(".json"));
      return true;
    }
    if (p === "/checkout" || p === "/checkouts") {
      await checkout(r);
      return true;
    }
    if ((m = /^\/checkout\/thank-you\/([a-f0-9]+)$/.exec(p))) {
      const id = thankYouTokens.get(m[1]);
      const order = id ? state.orders.find((o) => o.id === id) : undefined;
      if (!order) await notFound(r);
      else sendHtml(r.res, 200, thankYouPage(order, state, renderer.themeLocale()));
      return true;
    }
    if (p === "/account/login") {
      if (isGet) {
        if (r.customer) redirect(r.res, "/account");
        else await renderLogin(r, { page_title: translate(renderer.themeLocale(), "customer.login_page.title", {}) }, null, 200);
      } else await login(r);
      return true;
    }
    if (p === "/account/logout") {
      if (r.sessionId) sessions.delete(r.sessionId);
      addCookie(r.res, cookie(SESSION_COOKIE, "", { maxAge: 0 }));
      redirect(r.res, "/");
      return true;
    }
    if (p === "/account") {
      if (!r.customer) redirect(r.res, "/account/login");
      else await renderPage(r, "customers/account", "customers/account", { page_title: translate(renderer.themeLocale(), "customer.account.title", {}) });
      return true;
    }

    if (!isGet) return false;

    if (p === "/") {
      await renderPage(r, "index", "index");
      return true;
    }
    if (p === "/collections") {
      redirect(r.res, "/collections/all");
      return true;
    }
    if ((m = /^\/(?:collections\/[^/]+\/)?products\/([^/]+?)(\.js|\.json)?$/.exec(p))) {
      const product = catalog.productByHandle(decodeURIComponent(m[1]));
      if (m[2]) {
        if (!product) sendJson(r.res, 404, { status: 404, message: "Not Found", description: "Product not found" });
        else sendJson(r.res, 200, m[2] === ".json" ? { product: inPresentment(productAjaxJson(product), r.fx.rate) } : inPresentment(productAjaxJson(product), r.fx.rate));
        return true;
      }
      if (!product) {
        await notFound(r);
        return true;
      }
      const obj = productObject(product, catalog, r.url.searchParams.get("variant") ?? undefined);
      await renderPage(r, "product", "product", { product: obj, page_title: product.title, page_description: product.description.slice(0, 160), handle: product.handle });
      return true;
    }
    if ((m = /^\/collections\/([^/]+)$/.exec(p))) {
      const c = catalog.collection(decodeURIComponent(m[1]));
      if (!c) await notFound(r);
      else {
        const collection = collectionObject(c, catalog, Number(r.url.searchParams.get("page")) || 1);
        await renderPage(r, "collection", "collection", { collection, page_title: c.title, handle: c.handle });
      }
      return true;
    }
    if ((m = /^\/policies\/([^/]+)$/.exec(p))) {
      const shop = shopObject(state, ctx.shopDomain);
      const policy = (shop.policies as { handle: string; title: string; body: string }[]).find((x) => x.handle === m![1]);
      if (!policy) await notFound(r);
      else {
        const content = policy.body
          .split(/\n{2,}/)
          .map((para) => `<p>${escapeHtml(para)}</p>`)
          .join("");
        await renderPage(r, "page", "policy", { page: { title: policy.title, handle: policy.handle, content, url: `/policies/${policy.handle}` }, policy, page_title: policy.title });
      }
      return true;
    }
    if (p === "/pages/contact") {
      const title = translate(renderer.themeLocale(), "templates.contact.form.title", {});
      await renderPage(r, "page.contact", "page", { page: { title, handle: "contact", content: "", url: "/pages/contact" }, page_title: title });
      return true;
    }
    if (p === "/search") {
      const terms = (r.url.searchParams.get("q") ?? "").trim();
      const results = searchProducts(terms, 48);
      await renderPage(r, "search", "search", {
        search: { performed: !!terms, terms, results: results.map((x) => productObject(x, catalog)), results_count: results.length },
        page_title: translate(renderer.themeLocale(), "templates.search.title", {}),
      });
      return true;
    }
    if (/^\/(pages|collections|products|blogs)\//.test(p)) {
      await notFound(r);
      return true;
    }
    return false;
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://storefront.invalid");
    const cookies = parseCookies(req);
    const switchValue = consentSwitch(url.searchParams.get("consent"));
    let consentValue: string | undefined = cookies[CONSENT_COOKIE];
    if (switchValue !== null) {
      consentValue = switchValue || undefined;
      addCookie(res, cookie(CONSENT_COOKIE, switchValue, { maxAge: switchValue ? 365 * 24 * 3600 : 0 }));
    }
    const sessionId = cookies[SESSION_COOKIE] ?? null;
    const customerId = sessionId ? sessions.get(sessionId) : undefined;
    // Markets: ?currency=XXX (one of the shop's presentment currencies) chooses it, kept in the cart_currency cookie.
    const rates = ctx.state.shop.presentmentRates ?? {};
    const asked = url.searchParams.get("currency")?.toUpperCase();
    if (asked && (asked === ctx.state.shop.currencyCode || rates[asked])) {
      cookies[CURRENCY_COOKIE] = asked;
      addCookie(res, cookie(CURRENCY_COOKIE, asked, { maxAge: TWO_WEEKS }));
    }
    const chosen = cookies[CURRENCY_COOKIE];
    const fx = chosen && rates[chosen] ? { currency: chosen, rate: rates[chosen] } : { currency: ctx.state.shop.currencyCode, rate: 1 };
    const r: Req = {
      req,
      res,
      url,
      path: url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname,
      cookies,
      consent: consentFromCookie(consentValue),
      customer: customerId ? (catalog.customer(customerId) ?? null) : null,
      sessionId,
      fx,
    };
    try {
      return await route(r);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, { status: error.status, message: error.message, description: error.message });
      } else if (error instanceof ThemeEditError) {
        sendHtml(res, error.status, `<!doctype html><title>Theme editor</title><p role="alert">${escapeHtml(error.message)}</p>`);
      } else {
        console.error("[devstore] storefront error:", error);
        sendHtml(res, 500, "<!doctype html><title>Error</title><p>Internal Server Error</p>");
      }
      return true;
    }
  };
}

/** Where a product's image is served (used by the seed / Admin API for `featuredImage`). */
export { productImageUrl };
