/**
 * Test helper: renders the extension's Liquid with liquidjs plus a minimal shim of the Shopify-specific parts
 * the blocks use (t, asset_url, json, money, {% schema %}, block.shopify_attributes). Not a Shopify emulator.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, Tag, type Context, type Emitter, type Template, type TagToken, type TopLevelToken } from "liquidjs";
import type { Parser } from "liquidjs/dist/parser";

export const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../extensions/recovery-plays-theme");
export const LOCALE = JSON.parse(readFileSync(path.join(EXT, "locales/en.default.json"), "utf8"));

const escapeHtml = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function lookup(key: string): string | undefined {
  let node: unknown = LOCALE;
  for (const part of key.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === "string" ? node : undefined;
}

export function makeEngine(currency = "EUR"): Liquid {
  const engine = new Liquid({ root: [path.join(EXT, "snippets"), path.join(EXT, "blocks")], extname: ".liquid", strictFilters: true });
  engine.registerFilter("t", (key: string, ...args: unknown[]) => {
    const text = lookup(key);
    if (text === undefined) throw new Error(`missing translation: ${key}`);
    const html = key.endsWith("_html");
    const vars = Object.fromEntries(args.filter(Array.isArray) as [string, unknown][]);
    // Like Shopify: interpolated values are escaped unless the key ends in _html.
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => (html ? String(vars[name] ?? "") : escapeHtml(vars[name])));
  });
  engine.registerFilter("asset_url", (name: string) => `/cdn/extensions/recovery-plays-theme/assets/${name}`);
  engine.registerFilter("json", (v: unknown) => JSON.stringify(v ?? null));
  engine.registerFilter("money", (cents: number) =>
    new Intl.NumberFormat("en", { style: "currency", currency }).format(Number(cents || 0) / 100));
  // Shopify's icon for a payment type: an <svg> titled with the method's name (here the type itself).
  engine.registerFilter("payment_type_svg_tag", (type: string, ...args: unknown[]) => {
    const cls = (args.find((a) => Array.isArray(a) && a[0] === "class") as [string, string] | undefined)?.[1];
    return `<svg${cls ? ` class="${escapeHtml(cls)}"` : ""} role="img" aria-labelledby="pi-${escapeHtml(type)}"><title id="pi-${escapeHtml(type)}">${escapeHtml(type)}</title></svg>`;
  });
  // Shopify's Shop Pay Installments element: Shopify fills it (or leaves it empty) from the shop's eligibility.
  engine.registerFilter("payment_terms", (form: { form_type?: string } | null) => {
    if (form?.form_type !== "cart" && form?.form_type !== "product") throw new Error("payment_terms needs the form object of a cart or product form");
    return `<shopify-payment-terms form-type="${form.form_type}"></shopify-payment-terms>`;
  });
  engine.registerTag(
    "form",
    class extends Tag {
      private type: string;
      private templates: Template[] = [];
      constructor(token: TagToken, remain: TopLevelToken[], l: Liquid, parser: Parser) {
        super(token, remain, l);
        this.type = /^\s*['"](\w+)['"]/.exec(token.args)?.[1] ?? "";
        for (let t = remain.shift(); t; t = remain.shift()) {
          if ((t as TagToken).name === "endform") return;
          this.templates.push(parser.parseToken(t, remain));
        }
        throw new Error("{% form %} without {% endform %}");
      }
      *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
        emitter.write(`<form method="post" action="/${this.type === "cart" ? "cart" : "cart/add"}">`);
        ctx.push({ form: { form_type: this.type } });
        yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
        ctx.pop();
        emitter.write("</form>");
      }
    },
  );
  engine.registerTag("schema", {
    parse(_token: TagToken, remain: TopLevelToken[]) {
      for (let t = remain.shift(); t; t = remain.shift()) if ((t as TagToken).name === "endschema") return;
      throw new Error("{% schema %} without {% endschema %}");
    },
    render() {
      return "";
    },
  });
  return engine;
}

/** The JSON inside a block's {% schema %} tag. */
export function schemaOf(file: string): Record<string, unknown> {
  const src = readFileSync(path.join(EXT, file), "utf8");
  const m = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(src);
  if (!m) throw new Error(`${file} has no schema`);
  return JSON.parse(m[1]);
}

/** Shopify's global objects (shop, cart, product, customer, request, app…) are visible inside rendered snippets. */
export function renderBlock(engine: Liquid, file: string, scope: Record<string, unknown>): Promise<string> {
  const src = readFileSync(path.join(EXT, "blocks", file), "utf8");
  const { block, ...globals } = scope;
  return engine.parseAndRender(src, { block }, { globals });
}
