/**
 * Test helper: renders the extension's Liquid with liquidjs plus a minimal shim of the Shopify-specific parts
 * the blocks use (t, asset_url, json, money, {% schema %}, block.shopify_attributes). Not a Shopify emulator.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, type TagToken, type TopLevelToken } from "liquidjs";

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
