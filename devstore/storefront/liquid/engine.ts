// The storefront's Liquid renderer: a Shopify-like theme engine (JSON templates, sections, blocks, app blocks,
// app embeds, Shopify tags and filters) over the theme files in DevStoreData.themeFiles, and a second engine
// for the app's theme app extension (its own snippets, locales and assets), used for app blocks and embeds.
import { createHash, createHmac } from "node:crypto";
import {
  Drop,
  Hash,
  Liquid,
  RenderTag,
  Tag,
  evalToken,
  type Context,
  type Emitter,
  type FS,
  type Template,
  type TagToken,
  type TopLevelToken,
} from "liquidjs";
import type { LiquidCache } from "liquidjs/dist/cache/cache";
import type { Parser } from "liquidjs/dist/parser";
import { escapeHtml } from "../http";
import { formatMoney } from "../money";
import { handleize } from "../catalog";
import { SHOP_PAY_INSTALLMENTS } from "./objects";
import {
  type BlockSchema,
  type ExtensionBlock,
  type ThemeAppExtension,
  extractSchema,
  parseAppBlockType,
  schemaDefaults,
  type SchemaSetting,
} from "../extension";

/** Per-page render state, kept on the Liquid globals under a symbol so templates can't see it. */
export const PAGE = Symbol("page");

export interface PageState {
  /** Template name being rendered, e.g. "product", "page.contact", "customers/login". */
  template: string;
  moneyFormat: string;
  moneyWithCurrencyFormat: string;
  /** Extension / section assets to load in <head> (deduplicated, in order). */
  stylesheets: Set<string>;
  scripts: Set<string>;
  inlineCss: string[];
  inlineJs: string[];
  /** Set by `{% layout none %}` in a template. */
  layout: string | null;
  /** Form state for `{% form %}` (e.g. login errors and the posted email). */
  forms: Record<string, { errors: string[] | null; values: Record<string, string> }>;
  /** Sections / theme blocks being rendered, innermost last (`content_for` renders the top one's blocks). */
  containers: Container[];
}

export type Globals = Record<string | symbol, unknown> & { [PAGE]: PageState };

export interface ResourceResolver {
  product(handle: string): unknown;
  collection(handle: string): unknown;
}

/** A block in a JSON template / section group: theme blocks nest (`blocks`), static ones are rendered by id. */
interface JsonBlock {
  type: string;
  settings?: Record<string, unknown>;
  disabled?: boolean;
  static?: boolean;
  blocks?: Record<string, JsonBlock>;
  block_order?: string[];
}

interface JsonSection {
  type: string;
  settings?: Record<string, unknown>;
  blocks?: Record<string, JsonBlock>;
  block_order?: string[];
  disabled?: boolean;
}

/** A section group file (sections/header-group.json). */
interface SectionGroup {
  type?: string;
  name?: string;
  sections: Record<string, JsonSection>;
  order: string[];
}

/** The raw JSON data behind a section / block object (for static blocks and nested `content_for 'blocks'`). */
const RAW = Symbol("raw");

/** What `content_for` renders into: the innermost section or theme block, and what `closest` resolves to. */
interface Container {
  node: { blocks?: unknown[]; [RAW]?: JsonBlock | JsonSection };
  section: unknown;
  closest: Record<string, unknown>;
}

export interface JsonTemplate {
  sections: Record<string, JsonSection>;
  order: string[];
  layout?: string | false;
}

export interface SettingsData {
  current: Record<string, unknown> & {
    sections?: Record<string, JsonSection>;
    blocks?: Record<string, { type: string; disabled?: boolean; settings?: Record<string, unknown> }>;
  };
  presets?: Record<string, unknown>;
}

/** An app block (or embed) instance as Liquid sees it: `block.id`, `block.settings`, `{% render block %}`. */
export class AppBlockDrop extends Drop {
  readonly type = "@app";
  readonly shopify_attributes = "";
  constructor(
    readonly id: string,
    readonly appType: string,
    readonly settings: Record<string, unknown>,
  ) {
    super();
  }
}

const MAX_PARSE_CACHE = 500;

/** liquidjs cache that drops an entry when the file's content changed (the theme editor edits theme files). */
class ContentCache implements LiquidCache {
  private map = new Map<string, { content: string | undefined; value: Template[] | Promise<Template[]> }>();
  constructor(private readonly content: (key: string) => string | undefined) {}
  read(key: string) {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.content !== this.content(key)) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }
  write(key: string, value: Template[] | Promise<Template[]>) {
    if (this.map.size > MAX_PARSE_CACHE) this.map.clear();
    this.map.set(key, { content: this.content(key), value });
  }
  remove(key: string) {
    this.map.delete(key);
  }
}

const DIR_BY_TYPE: Record<string, string> = { root: "templates", partials: "snippets", layouts: "layout" };

function cacheKeyToPath(key: string): string {
  const i = key.indexOf(":");
  const type = key.slice(0, i);
  const file = key.slice(i + 1);
  return `${DIR_BY_TYPE[type] ?? type}/${file.endsWith(".liquid") ? file : `${file}.liquid`}`;
}

function mapFs(read: () => Record<string, string> | Map<string, string>): FS {
  const get = (p: string): string | undefined => {
    const files = read();
    return files instanceof Map ? files.get(p) : files[p];
  };
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
  return {
    resolve: (dir, file, ext) => `${dir}/${file.endsWith(ext) ? file : file + ext}`,
    exists: async (p) => get(p) !== undefined,
    existsSync: (p) => get(p) !== undefined,
    readFile: async (p) => {
      const c = get(p);
      if (c === undefined) throw enoent(p);
      return stripInert(c);
    },
    readFileSync: (p) => {
      const c = get(p);
      if (c === undefined) throw enoent(p);
      return stripInert(c);
    },
    sep: "/",
    dirname: (p) => p.slice(0, p.lastIndexOf("/")),
  };
}

function lookup(locale: unknown, key: string): unknown {
  let node: unknown = locale;
  for (const part of key.split(".")) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Shopify's `t` filter: dotted key, `{{ var }}` interpolation, `count` pluralization, `_html` keys unescaped. */
export function translate(locale: unknown, key: string, args: Record<string, unknown>): string {
  let node = lookup(locale, key);
  if (node && typeof node === "object" && "count" in args) {
    const forms = node as Record<string, unknown>;
    const count = Number(args.count);
    node = count === 0 && typeof forms.zero === "string" ? forms.zero : count === 1 ? forms.one : forms.other;
  }
  if (typeof node !== "string") return `translation missing: en.${key}`;
  const raw = key.endsWith("_html");
  return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    const v = args[name];
    if (v === undefined || v === null) return "";
    return raw ? String(v) : escapeHtml(String(v));
  });
}

function kwargs(args: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of args) if (Array.isArray(a) && a.length === 2 && typeof a[0] === "string") out[a[0]] = a[1];
  return out;
}

function page(ctx: Context): PageState {
  return (ctx.globals as Globals)[PAGE];
}

function imageSrc(input: unknown): string {
  if (!input) return "";
  if (typeof input === "string") return input;
  if (typeof input === "object") {
    const o = input as Record<string, unknown>;
    if (typeof o.src === "string") return o.src;
    if (o.featured_image) return imageSrc(o.featured_image);
    if (typeof o.url === "string") return o.url;
  }
  return "";
}

function withParam(url: string, key: string, value: unknown): string {
  if (!url || value === undefined || value === null || value === "") return url;
  return `${url}${url.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(String(value))}`;
}

function toJsonSafe(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value) ?? "null";
  return text.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

const PAYMENT_LABELS: Record<string, string> = {
  visa: "Visa", master: "Mastercard", american_express: "American Express", paypal: "PayPal", apple_pay: "Apple Pay",
  google_pay: "Google Pay", shopify_pay: "Shop Pay", klarna: "Klarna", afterpay: "Afterpay", affirm: "Affirm",
  shop_pay_installments: "Shop Pay Installments", discover: "Discover",
};

/** Filters both engines share; `assetUrl`/`locale` differ between the theme and the extension. */
function registerFilters(liquid: Liquid, assetUrl: (name: string) => string, locale: () => unknown): void {
  liquid.registerFilter("money", function (this: { context: Context }, v: unknown) {
    return formatMoney(v, page(this.context).moneyFormat);
  });
  liquid.registerFilter("money_with_currency", function (this: { context: Context }, v: unknown) {
    return formatMoney(v, page(this.context).moneyWithCurrencyFormat);
  });
  liquid.registerFilter("money_without_currency", (v: unknown) => formatMoney(v, "{{amount}}"));
  liquid.registerFilter("money_without_trailing_zeros", function (this: { context: Context }, v: unknown) {
    return formatMoney(v, page(this.context).moneyFormat).replace(/[.,]00(?!\d)/, "");
  });
  liquid.registerFilter("asset_url", (name: unknown) => assetUrl(String(name)));
  liquid.registerFilter("asset_img_url", (name: unknown) => assetUrl(String(name)));
  liquid.registerFilter("t", (key: unknown, ...args: unknown[]) => translate(locale(), String(key), kwargs(args)));
  liquid.registerFilter("translate", (key: unknown, ...args: unknown[]) => translate(locale(), String(key), kwargs(args)));
  liquid.registerFilter("json", (v: unknown) => toJsonSafe(v));
  liquid.registerFilter("handleize", (v: unknown) => handleize(String(v ?? "")));
  liquid.registerFilter("handle", (v: unknown) => handleize(String(v ?? "")));
  liquid.registerFilter("camelize", (v: unknown) =>
    String(v ?? "")
      .replace(/[-_\s]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))
      .replace(/^./, (c) => c.toUpperCase()),
  );
  liquid.registerFilter("image_url", (input: unknown, ...args: unknown[]) => {
    const kw = kwargs(args);
    return withParam(withParam(imageSrc(input), "width", kw.width), "height", kw.height);
  });
  liquid.registerFilter("img_url", (input: unknown, size?: unknown) => {
    const m = /^(\d+)?x?(\d+)?$/.exec(String(size ?? ""));
    return withParam(imageSrc(input), "width", m?.[1]);
  });
  liquid.registerFilter("image_tag", (url: unknown, ...args: unknown[]) => {
    const kw = kwargs(args);
    const attrs = Object.entries(kw)
      .filter(([k]) => !["widths", "preload"].includes(k))
      .map(([k, v]) => ` ${k}="${escapeHtml(String(v))}"`)
      .join("");
    return `<img src="${escapeHtml(String(url ?? ""))}"${"alt" in kw ? "" : ' alt=""'}${attrs}>`;
  });
  liquid.registerFilter("placeholder_svg_tag", (name: unknown, cls?: unknown) =>
    `<svg class="${escapeHtml(String(cls ?? ""))}" role="img" aria-label="${escapeHtml(String(name ?? "placeholder"))}" viewBox="0 0 100 100"><rect width="100" height="100" fill="#eee"/></svg>`,
  );
  liquid.registerFilter("stylesheet_tag", (url: unknown) => `<link href="${escapeHtml(String(url))}" rel="stylesheet" type="text/css" media="all" />`);
  liquid.registerFilter("script_tag", (url: unknown) => `<script src="${escapeHtml(String(url))}" type="text/javascript"></script>`);
  liquid.registerFilter("link_to", (text: unknown, url: unknown, title?: unknown) =>
    `<a href="${escapeHtml(String(url ?? ""))}"${title ? ` title="${escapeHtml(String(title))}"` : ""}>${String(text ?? "")}</a>`,
  );
  liquid.registerFilter("url_for_type", (t: unknown) => `/collections/types?q=${encodeURIComponent(String(t ?? ""))}`);
  liquid.registerFilter("url_for_vendor", (v: unknown) => `/collections/vendors?q=${encodeURIComponent(String(v ?? ""))}`);
  liquid.registerFilter("within", (url: unknown, collection: unknown) => {
    const c = collection as { url?: string } | null;
    return c?.url ? `${c.url}${String(url)}` : String(url);
  });
  liquid.registerFilter("pluralize", (n: unknown, one: unknown, many: unknown) => (Number(n) === 1 ? one : many));
  liquid.registerFilter("md5", (v: unknown) => createHash("md5").update(String(v ?? "")).digest("hex"));
  liquid.registerFilter("sha256", (v: unknown) => createHash("sha256").update(String(v ?? "")).digest("hex"));
  liquid.registerFilter("hmac_sha256", (v: unknown, secret: unknown) => createHmac("sha256", String(secret ?? "")).update(String(v ?? "")).digest("hex"));
  liquid.registerFilter("base64_encode", (v: unknown) => Buffer.from(String(v ?? "")).toString("base64"));
  liquid.registerFilter("base64_decode", (v: unknown) => Buffer.from(String(v ?? ""), "base64").toString("utf8"));
  liquid.registerFilter("time_tag", (v: unknown, format?: unknown) => {
    const d = new Date(String(v));
    const iso = Number.isNaN(d.getTime()) ? "" : d.toISOString();
    return `<time datetime="${iso}">${escapeHtml(format ? String(v) : d.toDateString())}</time>`;
  });
  liquid.registerFilter("weight_with_unit", (grams: unknown) => `${(Number(grams ?? 0) / 1000).toFixed(2)} kg`);
  liquid.registerFilter("default_errors", (errors: unknown) => {
    const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
    return list.length ? `<ul class="errors">${list.map((e) => `<li>${escapeHtml(String(e))}</li>`).join("")}</ul>` : "";
  });
  liquid.registerFilter("payment_type_svg_tag", (type: unknown, ...args: unknown[]) => {
    const label = PAYMENT_LABELS[String(type)] ?? String(type ?? "");
    const cls = kwargs(args).class;
    // Inline, text-only badge: the dev store never fetches Shopify's payment icons.
    return `<svg${cls ? ` class="${escapeHtml(String(cls))}"` : ""} role="img" aria-labelledby="pi-${escapeHtml(String(type))}" viewBox="0 0 76 24" width="76" height="24"><title id="pi-${escapeHtml(String(type))}">${escapeHtml(label)}</title><rect width="76" height="24" rx="3" fill="#fff" stroke="#999"/><text x="38" y="16" font-size="9" text-anchor="middle" fill="#222">${escapeHtml(label)}</text></svg>`;
  });
  // Shopify's Shop Pay Installments banner, only on a product or cart form's `form` object. Shopify renders the banner
  // itself (in the element's shadow root, with its own script); the dev store writes its sentence as plain text,
  // and writes nothing for a shop that does not offer Shop Pay Installments.
  liquid.registerFilter("payment_terms", function (this: { context: Context }, form: unknown) {
    const type = (form as Record<symbol, unknown> | null)?.[FORM_TYPE];
    if (type !== "cart" && type !== "product") return "";
    const shop = (this.context.globals as Record<string, unknown>).shop as Record<symbol, unknown> | undefined;
    if (!shop?.[SHOP_PAY_INSTALLMENTS]) return "";
    return `<shopify-payment-terms form-type="${type}"><span>Pay in 4 interest-free installments with Shop Pay</span></shopify-payment-terms>`;
  });
  liquid.registerFilter("payment_type_img_url", (type: unknown) => `/cdn/shop/payment-icons/${encodeURIComponent(String(type ?? ""))}.svg`);
}

/** Hex "#rrggbb" / "rgb(a)" → [r, g, b, a] (0-255, alpha 0-1), or null. */
function parseColor(input: unknown): [number, number, number, number] | null {
  const v = String(input ?? "").trim();
  let m = /^#?([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(v);
  if (m) {
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, m[2] ? parseInt(m[2], 16) / 255 : 1];
  }
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+))?\s*\)$/i.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
}

function formatColor([r, g, b, a]: [number, number, number, number]): string {
  const c = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  return a >= 1 ? `#${[r, g, b].map((x) => c(x).toString(16).padStart(2, "0")).join("")}` : `rgba(${c(r)}, ${c(g)}, ${c(b)}, ${Number(a.toFixed(2))})`;
}

/**
 * Theme filters the extension never uses. Fonts and media are visual-only: stand-ins that keep the markup valid
 * (no web fonts are served offline); colours are computed on hex/rgb values.
 */
function registerThemeOnlyFilters(liquid: Liquid, asset: (name: string) => string | undefined): void {
  liquid.registerFilter("inline_asset_content", (name: unknown) => asset(String(name ?? "")) ?? "");
  liquid.registerFilter("preload_tag", (url: unknown, ...args: unknown[]) => {
    const attrs = Object.entries(kwargs(args))
      .map(([k, v]) => ` ${k}="${escapeHtml(String(v))}"`)
      .join("");
    return `<link href="${escapeHtml(String(url ?? ""))}" rel="preload"${attrs}>`;
  });
  liquid.registerFilter("font_face", () => "");
  liquid.registerFilter("font_url", () => "");
  liquid.registerFilter("font_modify", (font: unknown) => font);
  liquid.registerFilter("color_brightness", (c: unknown) => {
    const p = parseColor(c);
    return p ? Number(((p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000).toFixed(2)) : 0;
  });
  const shift = (c: unknown, pct: unknown, sign: 1 | -1) => {
    const p = parseColor(c);
    if (!p) return c;
    const k = (Number(pct) || 0) / 100;
    return formatColor([p[0] + sign * 255 * k, p[1] + sign * 255 * k, p[2] + sign * 255 * k, p[3]]);
  };
  liquid.registerFilter("color_lighten", (c: unknown, pct: unknown) => shift(c, pct, 1));
  liquid.registerFilter("color_darken", (c: unknown, pct: unknown) => shift(c, pct, -1));
  liquid.registerFilter("color_modify", (c: unknown, prop: unknown, value: unknown) => {
    const p = parseColor(c);
    if (!p) return c;
    const i = ["red", "green", "blue", "alpha"].indexOf(String(prop));
    if (i < 0) return c;
    p[i] = Number(value);
    return formatColor(p);
  });
  liquid.registerFilter("color_contrast", (a: unknown, b: unknown) => {
    const lum = (c: unknown) => {
      const p = parseColor(c);
      if (!p) return 0;
      const ch = p.slice(0, 3).map((x) => {
        const v = x / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
    };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return Number(((hi + 0.05) / (lo + 0.05)).toFixed(1));
  });
  liquid.registerFilter("item_count_for_variant", (cart: unknown, variantId: unknown) => {
    const items = ((cart as { items?: { variant_id?: unknown; quantity?: number }[] } | null)?.items ?? []);
    return items.filter((i) => String(i.variant_id) === String(variantId)).reduce((n, i) => n + Number(i.quantity ?? 0), 0);
  });
  liquid.registerFilter("line_items_for", (cart: unknown, obj: unknown) => {
    const items = ((cart as { items?: { variant_id?: unknown; product_id?: unknown }[] } | null)?.items ?? []);
    const o = obj as { id?: unknown; product_id?: unknown; variants?: unknown[] } | null;
    return items.filter((i) => (o?.variants ? String(i.product_id) === String(o.id) : String(i.variant_id) === String(o?.id)));
  });
  liquid.registerFilter("structured_data", () => "");
  liquid.registerFilter("standard_event_data", () => "{}");
  liquid.registerFilter("payment_button", () => "");
  liquid.registerFilter("login_button", () => "");
  liquid.registerFilter("unit_price_with_measurement", () => "");
  liquid.registerFilter("avatar", () => "");
  liquid.registerFilter("metafield_tag", (m: unknown) => escapeHtml(String((m as { value?: unknown } | null)?.value ?? m ?? "")));
  liquid.registerFilter("shopify_asset_url", (name: unknown) => `/cdn/shopifycloud/${encodeURIComponent(String(name ?? ""))}`);
  liquid.registerFilter("external_video_url", () => "");
  for (const name of ["video_tag", "external_video_tag", "media_tag", "model_viewer_tag"]) {
    // Media stand-in: the preview image, when the media has one.
    liquid.registerFilter(name, (media: unknown) => {
      const src = imageSrc((media as { preview_image?: unknown } | null)?.preview_image ?? media);
      return src ? `<img src="${escapeHtml(src)}" alt="" loading="lazy">` : "";
    });
  }
  liquid.registerFilter("format_address", (a: unknown) => {
    const o = (a ?? {}) as Record<string, unknown>;
    return ["name", "address1", "address2", "city", "zip", "country"]
      .map((k) => o[k])
      .filter(Boolean)
      .map((v) => escapeHtml(String(v)))
      .join("<br>");
  });
}

/** On a `form` object, out of Liquid's sight: which form it belongs to (`payment_terms` needs a product or cart form). */
const FORM_TYPE = Symbol("formType");

/** Parses the templates up to `{% end<name> %}` (for block tags that render their body: style, paginate, form). */
function parseBody(name: string, tagToken: TagToken, remain: TopLevelToken[], parser: Parser): Template[] {
  const templates: Template[] = [];
  while (remain.length) {
    const t = remain.shift()!;
    if ((t as TagToken).name === `end${name}`) return templates;
    templates.push(parser.parseToken(t, remain));
  }
  throw new Error(`tag ${tagToken.getText()} not closed`);
}

/** Reads the raw text up to `{% end<name> %}` (for schema / javascript / stylesheet). */
/** A tag's single name argument, with or without quotes (`{% section 'header' %}`, `{% layout none %}`). */
function unquote(args: string): string {
  return args.trim().replace(/^['"]|['"]$/g, "");
}

/** `{% sections 'group' %}` and `{% section 'name' %}`: one name argument, rendered by the theme renderer. */
function registerNamedTag(liquid: Liquid, tag: string, render: (name: string, globals: Globals) => string): void {
  liquid.registerTag(
    tag,
    class extends Tag {
      private argName: string;
      constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
        super(token, remain, l);
        this.argName = unquote(token.args);
      }
      render(ctx: Context, emitter: Emitter): void {
        emitter.write(render(this.argName, ctx.globals as Globals));
      }
    },
  );
}

function readRaw(name: string, tagToken: TagToken, remainTokens: TopLevelToken[]): string {
  const parts: string[] = [];
  while (remainTokens.length) {
    const token = remainTokens.shift()!;
    if ((token as TagToken).name === `end${name}`) return parts.join("");
    parts.push(token.getText());
  }
  throw new Error(`tag ${tagToken.getText()} not closed`);
}

export class StorefrontRenderer {
  readonly theme: Liquid;
  readonly ext: Liquid;
  private parsed = new Map<string, Template[]>();
  private extParsed = new Map<string, Template[]>();
  private localeCache: { content: string | undefined; value: unknown } = { content: undefined, value: {} };
  private jsonCache = new Map<string, unknown>();
  private schemaCache = new Map<string, unknown>();

  constructor(
    private readonly files: () => Record<string, string>,
    private readonly extension: () => ThemeAppExtension | null,
    private readonly resources: ResourceResolver,
    private readonly opts: { appHandle: string },
  ) {
    const common = {
      extname: ".liquid",
      relativeReference: false,
      dynamicPartials: true,
      ownPropertyOnly: true,
      root: ["templates"],
      partials: ["snippets"],
      layouts: ["layout"],
    };
    this.theme = new Liquid({
      ...common,
      fs: mapFs(this.files),
      cache: new ContentCache((key) => this.files()[cacheKeyToPath(key)]),
    });
    const extFiles = () => {
      const ext = this.extension();
      const m = new Map<string, string>();
      if (ext) for (const [name, src] of ext.snippets) m.set(`snippets/${name}.liquid`, src);
      return m;
    };
    this.ext = new Liquid({
      ...common,
      fs: mapFs(extFiles),
      cache: new ContentCache((key) => this.extension()?.snippets.get(cacheKeyToPath(key).slice("snippets/".length, -".liquid".length))),
    });
    registerFilters(this.theme, (name) => this.themeAssetUrl(name), () => this.themeLocale());
    registerFilters(this.ext, (name) => this.extensionAssetUrl(name), () => this.extension()?.locale ?? {});
    registerThemeOnlyFilters(this.theme, (name) => this.files()[`assets/${name}`]);
    for (const liquid of [this.theme, this.ext]) this.registerTags(liquid);
  }

  // ---------- files, locales, assets ----------

  themeLocale(): unknown {
    const content = this.files()["locales/en.default.json"];
    if (content !== this.localeCache.content) {
      let value: unknown;
      try {
        value = content ? JSON.parse(content) : {};
      } catch {
        value = {};
      }
      this.localeCache = { content, value };
    }
    return this.localeCache.value;
  }

  /** Parsed JSON theme file (cached by content). */
  json<T>(name: string): T | undefined {
    const content = this.files()[name];
    if (content === undefined) return undefined;
    let v = this.jsonCache.get(content);
    if (v === undefined) {
      if (this.jsonCache.size > 100) this.jsonCache.clear();
      v = JSON.parse(content);
      this.jsonCache.set(content, v);
    }
    return v as T;
  }

  themeAssetUrl(name: string): string {
    const content = this.files()[`assets/${name}`];
    const v = content === undefined ? "0" : createHash("md5").update(content).digest("hex").slice(0, 10);
    return `/cdn/shop/t/1/assets/${name}?v=${v}`;
  }

  extensionAssetUrl(name: string): string {
    const ext = this.extension();
    if (!ext) return "";
    const asset = ext.assets.get(name);
    return `/cdn/extensions/${ext.uid}/assets/${name}${asset ? `?v=${asset.version}` : ""}`;
  }

  private parseTheme(content: string, file: string): Template[] {
    let t = this.parsed.get(content);
    if (!t) {
      if (this.parsed.size > MAX_PARSE_CACHE) this.parsed.clear();
      t = this.theme.parse(stripInert(content), file);
      this.parsed.set(content, t);
    }
    return t;
  }

  private parseExt(content: string, file: string): Template[] {
    let t = this.extParsed.get(content);
    if (!t) {
      if (this.extParsed.size > MAX_PARSE_CACHE) this.extParsed.clear();
      t = this.ext.parse(content, file);
      this.extParsed.set(content, t);
    }
    return t;
  }

  // ---------- tags ----------

  private registerTags(liquid: Liquid): void {
    // The tag classes below have their own `this`; they call the renderer through these.
    const renderSectionGroup = this.renderSectionGroup.bind(this);
    const renderContentForBlocks = this.renderContentForBlocks.bind(this);
    const renderContentForBlock = this.renderContentForBlock.bind(this);
    const renderStaticSection = this.renderStaticSection.bind(this);
    const renderAppBlock = this.renderAppBlock.bind(this);
    liquid.registerTag(
      "schema",
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          readRaw("schema", token, remain);
        }
        render() {
          return "";
        }
      },
    );
    liquid.registerTag(
      "doc",
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          readRaw("doc", token, remain);
        }
        render() {
          return "";
        }
      },
    );
    registerNamedTag(liquid, "sections", (name, globals) => renderSectionGroup(name, globals));
    liquid.registerTag(
      "content_for",
      class extends Tag {
        private kindToken: ReturnType<Tag["tokenizer"]["readValue"]>;
        private params: [string, NonNullable<ReturnType<Tag["tokenizer"]["readValue"]>>][] = [];
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          const tz = this.tokenizer;
          this.kindToken = tz.readValue();
          // Parameter names may be dotted (`closest.product: …`), which liquidjs' Hash does not read.
          for (;;) {
            tz.skipBlank();
            if (tz.peek() === ",") tz.advance();
            tz.skipBlank();
            const m = /^[\w.-]+/.exec(tz.input.slice(tz.p, tz.N));
            if (!m) break;
            tz.p += m[0].length;
            tz.skipBlank();
            if (tz.peek() !== ":") break;
            tz.advance();
            const value = tz.readValue();
            if (!value) break;
            this.params.push([m[0], value]);
          }
        }
        *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
          const kind = String((yield evalToken(this.kindToken!, ctx)) ?? "");
          const globals = ctx.globals as Globals;
          if (kind === "blocks") return emitter.write(renderContentForBlocks(globals));
          const args: Record<string, unknown> = {};
          for (const [k, t] of this.params) args[k] = yield evalToken(t, ctx);
          emitter.write(renderContentForBlock(globals, args));
        }
      },
    );
    for (const kind of ["javascript", "stylesheet"] as const) {
      liquid.registerTag(
        kind,
        class extends Tag {
          private body: string;
          constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
            super(token, remain, l);
            this.body = readRaw(kind, token, remain);
          }
          render(ctx: Context) {
            const list = kind === "javascript" ? page(ctx).inlineJs : page(ctx).inlineCss;
            if (!list.includes(this.body)) list.push(this.body);
            return "";
          }
        },
      );
    }
    liquid.registerTag(
      "style",
      class extends Tag {
        private templates: Template[] = [];
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid, parser: Parser) {
          super(token, remain, l);
          this.templates = parseBody("style", token, remain, parser);
        }
        *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
          const css = (yield this.liquid.renderer.renderTemplates(this.templates, ctx)) as string;
          emitter.write(`<style data-shopify>${css}</style>`);
        }
      },
    );
    liquid.registerTag(
      "layout",
      class extends Tag {
        private layoutName: string | null;
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          const arg = unquote(token.args);
          this.layoutName = arg === "none" ? null : arg || "theme";
        }
        render(ctx: Context) {
          page(ctx).layout = this.layoutName;
          return "";
        }
      },
    );
    registerNamedTag(liquid, "section", (name, globals) => renderStaticSection(name, globals));
    liquid.registerTag(
      "render",
      class extends RenderTag {
        *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
          const file = (this as unknown as { file: unknown }).file;
          if (file && typeof file === "object" && !Array.isArray(file)) {
            const value = yield evalToken(file as Parameters<typeof evalToken>[0], ctx);
            if (value instanceof AppBlockDrop) {
              emitter.write(renderAppBlock(value, ctx.globals as Globals));
              return;
            }
          }
          yield* super.render(ctx, emitter) as Generator<unknown, void, unknown>;
        }
      },
    );
    liquid.registerTag(
      "paginate",
      class extends Tag {
        private templates: Template[] = [];
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid, parser: Parser) {
          super(token, remain, l);
          this.templates = parseBody("paginate", token, remain, parser);
        }
        *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
          // Collections are already paginated by ?page= (24 per page); the tag only scopes its body.
          yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
        }
      },
    );
    liquid.registerTag(
      "form",
      class extends Tag {
        private typeToken: ReturnType<Tag["tokenizer"]["readValue"]>;
        private objectToken: ReturnType<Tag["tokenizer"]["readValue"]> | undefined;
        private hash: Hash;
        private templates: Template[] = [];
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid, parser: Parser) {
          super(token, remain, l);
          const tz = this.tokenizer;
          this.typeToken = tz.readValue();
          tz.skipBlank();
          if (tz.peek() === ",") {
            tz.advance();
            tz.skipBlank();
            const save = tz.p;
            const ident = tz.readIdentifier();
            tz.skipBlank();
            const isHash = ident.content && tz.peek() === ":";
            tz.p = save;
            if (!isHash) this.objectToken = tz.readValue();
          }
          this.hash = new Hash(tz, l.options.keyValueSeparator);
          this.templates = parseBody("form", token, remain, parser);
        }
        *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
          const type = String((yield evalToken(this.typeToken!, ctx)) ?? "");
          const obj = this.objectToken ? ((yield evalToken(this.objectToken, ctx)) as Record<string, unknown> | null) : null;
          const attrs = (yield this.hash.render(ctx)) as Record<string, unknown>;
          const spec = FORM_TYPES[type] ?? { action: "/contact#contact_form", method: "post" };
          const id = attrs.id ?? (type === "product" && obj ? `product-form-${String(obj.id)}` : type);
          const extra = Object.entries(attrs)
            .filter(([k]) => k !== "id" && k !== "return_to")
            .map(([k, v]) => ` ${k.replace(/_/g, "-")}="${escapeHtml(String(v))}"`)
            .join("");
          emitter.write(
            `<form method="${spec.method}" action="${spec.action}" id="${escapeHtml(String(id))}" accept-charset="UTF-8"${spec.enctype ? ` enctype="${spec.enctype}"` : ""}${extra}>` +
              `<input type="hidden" name="form_type" value="${escapeHtml(type)}" /><input type="hidden" name="utf8" value="✓" />` +
              (attrs.return_to ? `<input type="hidden" name="return_to" value="${escapeHtml(String(attrs.return_to))}" />` : ""),
          );
          const state = page(ctx).forms[type];
          ctx.push({ form: { errors: state?.errors ?? null, posted_successfully: false, [FORM_TYPE]: type, ...(state?.values ?? {}) } });
          yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
          ctx.pop();
          emitter.write("</form>");
        }
      },
    );
  }

  // ---------- sections ----------

  private resolveSettings(schema: SchemaSetting[] | undefined, given: Record<string, unknown> | undefined): Record<string, unknown> {
    const out = { ...schemaDefaults(schema), ...(given ?? {}) };
    for (const s of schema ?? []) {
      if (!s.id || typeof out[s.id] !== "string") continue;
      if (s.type === "collection") out[s.id] = this.resources.collection(out[s.id] as string) ?? null;
      else if (s.type === "product") out[s.id] = this.resources.product(out[s.id] as string) ?? null;
    }
    return out;
  }

  private sectionSchema(content: string): { settings?: SchemaSetting[]; blocks?: { type: string; settings?: SchemaSetting[] }[]; class?: string } {
    return extractSchema(content);
  }

  /** Parsed `{% schema %}` of a theme file, cached by content. */
  private schemaOf<T>(content: string | undefined): T {
    if (content === undefined) return {} as T;
    let v = this.schemaCache.get(content);
    if (v === undefined) {
      if (this.schemaCache.size > MAX_PARSE_CACHE) this.schemaCache.clear();
      v = extractSchema(content);
      this.schemaCache.set(content, v);
    }
    return v as T;
  }

  /**
   * A block object as Liquid sees it: settings (schema defaults + saved), nested theme blocks in order (static
   * ones excluded: `content_for 'block'` renders those by id), app blocks as AppBlockDrop. The block's schema is
   * the section's local block definition if it has one, else the theme block file blocks/<type>.liquid.
   */
  private buildBlock(id: string, data: JsonBlock, local?: { type: string; settings?: SchemaSetting[] }[]): Record<string | symbol, unknown> {
    const localDef = local?.find((b) => b.type === data.type && b.settings);
    const schema = localDef ?? this.schemaOf<{ settings?: SchemaSetting[] }>(this.files()[`blocks/${data.type}.liquid`]);
    return {
      id,
      type: data.type,
      settings: this.resolveSettings(schema.settings, data.settings),
      blocks: this.childBlocks(data),
      shopify_attributes: "",
      [RAW]: data,
    };
  }

  private childBlocks(data: JsonBlock | JsonSection | undefined, local?: { type: string; settings?: SchemaSetting[] }[]): unknown[] {
    const out: unknown[] = [];
    for (const blockId of data?.block_order ?? Object.keys(data?.blocks ?? {})) {
      const b = data?.blocks?.[blockId];
      if (!b || b.disabled || b.static) continue;
      out.push(parseAppBlockType(b.type) ? new AppBlockDrop(blockId, b.type, b.settings ?? {}) : this.buildBlock(blockId, b, local));
    }
    return out;
  }

  /** `group`: the section group file it belongs to (its wrapper gets `shopify-section-group-<group>`). */
  private renderSectionFile(id: string, type: string, data: JsonSection | undefined, globals: Globals, group?: string): string {
    const content = this.files()[`sections/${type}.liquid`];
    if (content === undefined) return `<!-- section ${escapeHtml(type)} not found -->`;
    const schema = this.schemaOf<{ settings?: SchemaSetting[]; blocks?: { type: string; settings?: SchemaSetting[] }[]; class?: string; tag?: string }>(content);
    const section = { id, settings: this.resolveSettings(schema.settings, data?.settings), blocks: this.childBlocks(data, schema.blocks), [RAW]: data ?? { type } };
    const containers = globals[PAGE].containers;
    // `closest.*` in a section is the page's resource (the product on a product page, etc.).
    const closest = { product: globals.product, collection: globals.collection, article: globals.article, blog: globals.blog, page: globals.page };
    // Section blocks (Dawn) hold dynamic sources too (`{{ product.vendor }}`).
    section.blocks = section.blocks.map((b) =>
      b instanceof AppBlockDrop ? b : { ...(b as Record<string | symbol, unknown>), settings: this.dynamicSources((b as { settings: Record<string, unknown> }).settings, { closest, section }, globals) },
    );
    containers.push({ node: section, section, closest });
    let html: string;
    try {
      html = this.theme.renderSync(this.parseTheme(content, `sections/${type}.liquid`), { section, closest }, { globals }) as string;
    } finally {
      containers.pop();
    }
    // Themes style group sections by that class (Dawn: `.section-header.shopify-section-group-header-group` lifts the
    // header, and the cart notification inside it, above the page).
    const cls = (group ? ` shopify-section-group-${escapeHtml(group)}` : "") + (schema.class ? ` ${escapeHtml(schema.class)}` : "");
    const tag = schema.tag && /^[a-z]+$/.test(schema.tag) ? schema.tag : "div";
    return `<${tag} id="shopify-section-${escapeHtml(id)}" class="shopify-section${cls}">${html}</${tag}>`;
  }

  /** A theme block (blocks/<type>.liquid) with its own scope: `block`, `section`, `closest` and passed params. */
  renderThemeBlock(drop: Record<string | symbol, unknown>, globals: Globals, parent: Container, params: Record<string, unknown>): string {
    const file = `blocks/${String(drop.type)}.liquid`;
    const content = this.files()[file];
    if (content === undefined) return `<!-- block ${escapeHtml(String(drop.type))} not found -->`;
    const closest = { ...parent.closest };
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) {
      if (k.startsWith("closest.")) closest[k.slice("closest.".length)] = v;
      else vars[k] = v;
    }
    const block: Record<string | symbol, unknown> = { ...drop, settings: this.dynamicSources(drop.settings as Record<string, unknown>, { closest, section: parent.section }, globals) };
    const containers = globals[PAGE].containers;
    containers.push({ node: block, section: parent.section, closest });
    try {
      return this.theme.renderSync(this.parseTheme(content, file), { ...vars, block, section: parent.section, closest }, { globals }) as string;
    } finally {
      containers.pop();
    }
  }

  /**
   * Dynamic sources: a text setting saved as `{{ closest.product.title }}` (Horizon's product blocks) shows the
   * referenced value, so string settings holding Liquid output are rendered against the block's scope.
   */
  private dynamicSources(settings: Record<string, unknown> | undefined, scope: Record<string, unknown>, globals: Globals): Record<string, unknown> {
    if (!settings) return {};
    let out: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(settings)) {
      if (typeof v !== "string" || !v.includes("{{")) continue;
      out ??= { ...settings };
      out[k] = this.theme.renderSync(this.parseTheme(v, "dynamic source"), scope, { globals });
    }
    return out ?? settings;
  }

  /** `{% content_for 'blocks' %}`: the innermost container's blocks (theme blocks and app blocks) in order. */
  renderContentForBlocks(globals: Globals): string {
    const top = globals[PAGE].containers.at(-1);
    if (!top) return "";
    let out = "";
    for (const b of top.node.blocks ?? []) {
      out += b instanceof AppBlockDrop ? this.renderAppBlock(b, globals) : this.renderThemeBlock(b as Record<string | symbol, unknown>, globals, top, {});
    }
    return out;
  }

  /** `{% content_for 'block', type:, id:, … %}`: a static block, its saved settings looked up by id in the container. */
  renderContentForBlock(globals: Globals, args: Record<string, unknown>): string {
    const top = globals[PAGE].containers.at(-1);
    if (!top || typeof args.type !== "string") return "";
    const id = String(args.id ?? args.type);
    const saved = (top.node[RAW] as JsonBlock | undefined)?.blocks?.[id];
    const drop = this.buildBlock(id, { ...(saved ?? {}), type: args.type });
    const params = { ...args };
    delete params.type;
    delete params.id;
    return this.renderThemeBlock(drop, globals, top, params);
  }

  /** `{% sections 'header-group' %}`: every section of the group file in order, with group-scoped ids. */
  renderSectionGroup(name: string, globals: Globals): string {
    const group = this.json<SectionGroup>(`sections/${name}.json`);
    if (!group) return `<!-- section group ${escapeHtml(name)} not found -->`;
    const parts: string[] = [];
    for (const key of group.order ?? []) {
      const sec = group.sections[key];
      if (!sec || sec.disabled) continue;
      parts.push(this.renderSectionFile(this.groupSectionId(name, key), sec.type, sec, globals, name));
    }
    return `<!-- BEGIN sections: ${escapeHtml(name)} -->${parts.join("")}<!-- END sections: ${escapeHtml(name)} -->`;
  }

  private groupSectionId(group: string, key: string): string {
    return `sections--${createHash("md5").update(group).digest("hex").slice(0, 8)}__${key}`;
  }

  renderStaticSection(name: string, globals: Globals): string {
    const data = this.json<SettingsData>("config/settings_data.json")?.current.sections?.[name];
    return this.renderSectionFile(name, name, data, globals);
  }

  private sectionId(template: string, key: string): string {
    return `template--${createHash("md5").update(template).digest("hex").slice(0, 8)}__${key}`;
  }

  private renderJsonSection(template: string, key: string, sec: JsonSection, globals: Globals): string {
    const id = this.sectionId(template, key);
    if (sec.type === "apps") {
      const parts: string[] = [];
      for (const blockId of sec.block_order ?? Object.keys(sec.blocks ?? {})) {
        const b = sec.blocks?.[blockId];
        if (!b || b.disabled) continue;
        parts.push(this.renderAppBlock(new AppBlockDrop(blockId, b.type, b.settings ?? {}), globals));
      }
      return `<div id="shopify-section-${id}" class="shopify-section shopify-section--apps">${parts.join("")}</div>`;
    }
    return this.renderSectionFile(id, sec.type, sec, globals);
  }

  /** Resolves the template file for a name like "page.contact" (falling back to "page"), JSON before Liquid. */
  templateFile(name: string): { path: string; kind: "json" | "liquid" } | null {
    const files = this.files();
    const candidates = [name];
    if (name.includes(".")) candidates.push(name.slice(0, name.indexOf(".")));
    for (const c of candidates) {
      if (files[`templates/${c}.json`] !== undefined) return { path: `templates/${c}.json`, kind: "json" };
      if (files[`templates/${c}.liquid`] !== undefined) return { path: `templates/${c}.liquid`, kind: "liquid" };
    }
    return null;
  }

  /** Section Rendering API: one section of the page's template (by full id, key or type) or a static section. */
  renderSection(template: string, sectionId: string, globals: Globals): string | null {
    const file = this.templateFile(template);
    if (file?.kind === "json") {
      const tpl = this.json<JsonTemplate>(file.path)!;
      for (const key of tpl.order) {
        const sec = tpl.sections[key];
        if (!sec || sec.disabled) continue;
        if (sectionId === key || sectionId === this.sectionId(template, key) || sectionId === sec.type) {
          return this.renderJsonSection(template, key, sec, globals);
        }
      }
    }
    // Sections of the section groups (header, footer, overlays) by full id or key.
    for (const name of Object.keys(this.files())) {
      const m = /^sections\/(.+)\.json$/.exec(name);
      if (!m) continue;
      const group = this.json<SectionGroup>(name);
      for (const key of group?.order ?? []) {
        const sec = group!.sections[key];
        if (sec && !sec.disabled && (sectionId === key || sectionId === this.groupSectionId(m[1], key))) {
          return this.renderSectionFile(this.groupSectionId(m[1], key), sec.type, sec, globals, m[1]);
        }
      }
    }
    if (this.files()[`sections/${sectionId}.liquid`] !== undefined) return this.renderStaticSection(sectionId, globals);
    return null;
  }

  // ---------- app blocks and embeds ----------

  private blockAllowedOn(schema: BlockSchema, template: string): boolean {
    const base = template.split(".")[0];
    const matches = (list: string[] | undefined) =>
      (list ?? []).some((t) => t === "*" || t === base || t === template || (t.endsWith("/*") && base.startsWith(t.slice(0, -1))));
    if (schema.enabled_on && !matches(schema.enabled_on.templates)) return false;
    if (schema.disabled_on && matches(schema.disabled_on.templates)) return false;
    return true;
  }

  private availableIf(block: ExtensionBlock, globals: Globals): boolean {
    if (!block.schema.available_if) return true;
    const out = this.ext.renderSync(this.parseExt(block.schema.available_if, "available_if"), {}, { globals }) as string;
    return out.trim() === "true";
  }

  private resolveExtensionBlock(type: string): { ext: ThemeAppExtension; block: ExtensionBlock } | null {
    const ref = parseAppBlockType(type);
    const ext = this.extension();
    if (!ref || !ext || ref.app !== this.opts.appHandle) return null;
    const block = ext.blocks.get(ref.handle);
    return block ? { ext, block } : null;
  }

  /** Renders an app block / embed from the extension, wrapped like Shopify wraps app blocks. */
  renderAppBlock(drop: AppBlockDrop, globals: Globals): string {
    const found = this.resolveExtensionBlock(drop.appType);
    if (!found) return "";
    const { block } = found;
    const state = globals[PAGE];
    if (!this.blockAllowedOn(block.schema, state.template)) return "";
    if (!this.availableIf(block, globals)) return "";
    if (block.schema.stylesheet) state.stylesheets.add(this.extensionAssetUrl(block.schema.stylesheet));
    if (block.schema.javascript) state.scripts.add(this.extensionAssetUrl(block.schema.javascript));
    const instance = new AppBlockDrop(drop.id, drop.appType, this.resolveSettings(block.schema.settings, drop.settings));
    const html = this.ext.renderSync(this.parseExt(block.source, `blocks/${block.handle}.liquid`), { block: instance }, { globals }) as string;
    const cls = block.schema.class ? ` ${escapeHtml(block.schema.class)}` : "";
    return `<div id="shopify-block-${escapeHtml(drop.id)}" class="shopify-block shopify-app-block${cls}">${html}</div>`;
  }

  /** Enabled app embed blocks from config/settings_data.json, rendered by target. */
  renderEmbeds(globals: Globals): { head: string; body: string } {
    const blocks = this.json<SettingsData>("config/settings_data.json")?.current.blocks ?? {};
    let head = "";
    let body = "";
    for (const [id, b] of Object.entries(blocks)) {
      if (!b || b.disabled) continue;
      const found = this.resolveExtensionBlock(b.type);
      if (!found || found.block.target === "section") continue;
      const html = this.renderAppBlock(new AppBlockDrop(id, b.type, b.settings ?? {}), globals);
      if (found.block.target === "body") body += html;
      else head += html;
    }
    return { head, body };
  }

  // ---------- pages ----------

  renderTemplate(template: string, globals: Globals): string {
    const file = this.templateFile(template);
    if (!file) throw new Error(`template ${template} not found`);
    const content = this.files()[file.path];
    if (file.kind === "liquid") {
      return this.theme.renderSync(this.parseTheme(content, file.path), {}, { globals }) as string;
    }
    const tpl = this.json<JsonTemplate>(file.path)!;
    if (tpl.layout === false) globals[PAGE].layout = null;
    else if (typeof tpl.layout === "string") globals[PAGE].layout = tpl.layout;
    const parts: string[] = [];
    for (const key of tpl.order) {
      const sec = tpl.sections[key];
      if (!sec || sec.disabled) continue;
      parts.push(this.renderJsonSection(template, key, sec, globals));
    }
    return parts.join("\n");
  }

  /**
   * Renders a full page like Shopify: template → app embeds → layout (with content_for_header and
   * content_for_layout), then embeds (target head/body) injected before </head> and </body>.
   * `headerBase` is the dev store's own content_for_header (Shopify globals, privacy API); `bodyEnd` extra markup
   * before </body> (consent banner).
   */
  renderPage(template: string, globals: Globals, headerBase: string, bodyEnd = ""): string {
    const content = this.renderTemplate(template, globals);
    const embeds = this.renderEmbeds(globals);
    return this.wrapInLayout(content, globals, headerBase, bodyEnd, embeds);
  }

  /** Wraps already rendered content (e.g. an app proxy's Liquid response) in the theme layout. */
  wrapInLayout(
    content: string,
    globals: Globals,
    headerBase: string,
    bodyEnd: string,
    embeds?: { head: string; body: string },
  ): string {
    const state = globals[PAGE];
    const e = embeds ?? this.renderEmbeds(globals);
    if (state.layout === null) return content;
    const layoutPath = `layout/${state.layout}.liquid`;
    const layout = this.files()[layoutPath];
    if (layout === undefined) throw new Error(`layout ${state.layout} not found`);
    const marker = `<!--rp-content-for-header-${Math.random().toString(36).slice(2)}-->`;
    globals.content_for_layout = content;
    globals.content_for_header = marker;
    let html = this.theme.renderSync(this.parseTheme(layout, layoutPath), {}, { globals }) as string;
    const assets =
      [...state.stylesheets].map((u) => `<link href="${escapeHtml(u)}" rel="stylesheet" type="text/css" media="all" />`).join("") +
      [...state.scripts].map((u) => `<script src="${escapeHtml(u)}" defer="defer"></script>`).join("") +
      (state.inlineCss.length ? `<style data-shopify>${state.inlineCss.join("\n")}</style>` : "");
    html = html.replace(marker, () => headerBase + assets);
    if (e.head) html = insertBefore(html, "</head>", e.head);
    const tail = (state.inlineJs.length ? `<script>${state.inlineJs.join("\n")}</script>` : "") + bodyEnd + e.body;
    if (tail) html = insertBefore(html, "</body>", tail);
    return html;
  }
}

const FORM_TYPES: Record<string, { action: string; method: string; enctype?: string }> = {
  product: { action: "/cart/add", method: "post", enctype: "multipart/form-data" },
  customer_login: { action: "/account/login", method: "post" },
  create_customer: { action: "/account", method: "post" },
  recover_customer_password: { action: "/account/recover", method: "post" },
  contact: { action: "/contact#contact_form", method: "post" },
  cart: { action: "/cart", method: "post" },
  localization: { action: "/localization", method: "post" },
};

const INERT_RE = /\{%-?\s*(schema|doc)\s*-?%\}[\s\S]*?\{%-?\s*end\1\s*-?%\}/g;

/**
 * `{% schema %}` and `{% doc %}` bodies are data/documentation that Shopify never tokenizes as Liquid (schemas hold
 * `visible_if: "{{ … \"x\" }}"`, which liquidjs' tokenizer rejects); they render nothing, so they are blanked
 * before parsing, keeping the line count for error positions.
 */
export function stripInert(source: string): string {
  if (!source.includes("schema") && !source.includes("doc")) return source;
  return source.replace(INERT_RE, (m) => m.replace(/[^\n]/g, ""));
}

function insertBefore(html: string, tag: string, insert: string): string {
  const i = html.lastIndexOf(tag);
  return i < 0 ? html + insert : html.slice(0, i) + insert + html.slice(i);
}

export function newPageState(template: string, moneyFormat: string, moneyWithCurrencyFormat: string): PageState {
  return {
    template,
    moneyFormat,
    moneyWithCurrencyFormat,
    stylesheets: new Set(),
    scripts: new Set(),
    inlineCss: [],
    inlineJs: [],
    layout: "theme",
    forms: {},
    containers: [],
  };
}
