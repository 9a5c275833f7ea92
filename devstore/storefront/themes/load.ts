// Real-theme loading: a Shopify theme folder (Horizon, Dawn, …) read as-is into DevStoreData.themeFiles, then
// set up the way a merchant would in the theme editor: the app embed turned on, the app's blocks placed where
// the theme accepts `@app` blocks, and optionally the cart type switched. The folder itself is never written.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { DevStoreData } from "../../types";
import { type SchemaSetting, type ThemeAppExtension, extractSchema, schemaDefaults } from "../extension";
import { addAppBlock, setEmbedEnabled } from "../theme";

export type CartType = "drawer" | "notification" | "page";
export const CART_TYPES: readonly CartType[] = ["drawer", "notification", "page"];

export interface ThemeSetup {
  /** Theme folder (layout/, templates/, sections/, …). */
  dir: string;
  /** Overrides the theme's `cart_type` setting. */
  cartType?: CartType;
}

const TEXT_EXT = new Set([".liquid", ".json", ".js", ".css", ".svg", ".txt", ".md"]);
const cache = new Map<string, { mtime: number; files: Record<string, string> }>();

function newestMtime(dir: string): number {
  let max = statSync(dir).mtimeMs;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    max = Math.max(max, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return max;
}

/**
 * Shopify's theme JSON files are JSON with comments: a generated `/* … *\/` banner on templates, section groups
 * and settings_data, and `//` notes for translators in locales. Comments outside strings are removed here once
 * instead of in every reader.
 */
export function stripJsonComments(text: string): string {
  let out = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let start = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      out += text.slice(start, i);
      while (i < text.length && text[i] !== "\n") i++;
      start = i;
    } else if (c === "/" && text[i + 1] === "*") {
      out += text.slice(start, i);
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      start = i;
    } else i++;
  }
  return out + text.slice(start);
}

/** The theme's text files keyed like Shopify's theme files API ("sections/header.liquid"); cached per folder. */
export function readThemeDir(dir: string): Record<string, string> {
  const root = path.resolve(dir);
  const mtime = newestMtime(root);
  const hit = cache.get(root);
  if (hit && hit.mtime === mtime) return hit.files;
  const files: Record<string, string> = {};
  for (const top of ["layout", "templates", "sections", "snippets", "blocks", "config", "locales", "assets"]) {
    const base = path.join(root, top);
    const walk = (d: string) => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const name of names) {
        const full = path.join(d, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (TEXT_EXT.has(path.extname(name))) {
          const key = path.relative(root, full).split(path.sep).join("/");
          const text = readFileSync(full, "utf8");
          files[key] = name.endsWith(".json") ? stripJsonComments(text) : text;
        }
      }
    };
    walk(base);
  }
  if (!files["layout/theme.liquid"]) throw new Error(`${root} is not a Shopify theme (layout/theme.liquid missing)`);
  cache.set(root, { mtime, files });
  return files;
}

export function sectionAcceptsApps(files: Record<string, string>, type: string): boolean {
  const src = files[`sections/${type}.liquid`];
  const schema = src ? extractSchema<{ blocks?: { type: string }[] }>(src) : {};
  return (schema.blocks ?? []).some((b) => b.type === "@app");
}

/**
 * settings_data.json with `current` as an object: a preset name ("Default") is replaced by that preset, and
 * every setting of settings_schema.json missing from it gets its schema default, as the storefront sees them.
 */
export function resolvedSettingsData(files: Record<string, string>): { current: Record<string, unknown>; presets?: Record<string, unknown> } {
  const raw = files["config/settings_data.json"];
  const data = (raw ? JSON.parse(raw) : { current: {} }) as { current: unknown; presets?: Record<string, unknown> };
  let current = data.current;
  if (typeof current === "string") current = data.presets?.[current] ?? {};
  const schemaRaw = files["config/settings_schema.json"];
  const groups = (schemaRaw ? JSON.parse(schemaRaw) : []) as { settings?: SchemaSetting[] }[];
  const defaults = schemaDefaults(groups.flatMap((g) => g.settings ?? []));
  return { ...data, current: { ...defaults, ...(current as Record<string, unknown>) } };
}

/**
 * The theme editor target for an app block in a template: the main section if it accepts `@app` blocks, else the
 * first other "main-*" section that does (Dawn's cart: main-cart-footer), else a new apps section.
 */
function appTarget(files: Record<string, string>, template: string): string {
  const tpl = JSON.parse(files[`templates/${template}.json`]) as { sections: Record<string, { type: string }>; order: string[] };
  const mains = tpl.order.filter((k) => k === "main" || tpl.sections[k]?.type.startsWith("main"));
  const key = mains.find((k) => sectionAcceptsApps(files, tpl.sections[k].type));
  return key ? `sectionId:${key}` : "newAppsSection";
}

/** Where each app block went: `{ template, section, handle }` (also written to the README). */
export interface Placement {
  template: string;
  section: string;
  handle: string;
}

/**
 * Replaces the store's theme with the folder's theme, turns the app embeds on, places every app block in each
 * template its `enabled_on` names (the main section when it accepts `@app`, else a new apps section after it,
 * like the theme editor's deep links), and applies the cart type override.
 */
export function installTheme(state: DevStoreData, setup: ThemeSetup, appHandle: string, ext: ThemeAppExtension | null): Placement[] {
  state.themeFiles = { ...readThemeDir(setup.dir) };
  state.themeFiles["config/settings_data.json"] = JSON.stringify(resolvedSettingsData(state.themeFiles), null, 2);
  const placements: Placement[] = [];
  if (ext) {
    for (const block of ext.blocks.values()) {
      if (block.target !== "section") {
        setEmbedEnabled(state, appHandle, ext, block.handle, true);
        continue;
      }
      for (const template of block.schema.enabled_on?.templates ?? []) {
        if (!state.themeFiles[`templates/${template}.json`]) continue;
        const accepts = (type: string) => sectionAcceptsApps(state.themeFiles, type);
        const placed = addAppBlock(state, appHandle, ext, block.handle, template, appTarget(state.themeFiles, template), accepts);
        placements.push({ template, section: placed.sectionKey, handle: block.handle });
      }
    }
  }
  if (setup.cartType) {
    const data = JSON.parse(state.themeFiles["config/settings_data.json"]) as { current: Record<string, unknown> };
    data.current.cart_type = setup.cartType;
    state.themeFiles["config/settings_data.json"] = JSON.stringify(data, null, 2);
  }
  return placements;
}

/** Theme setup from the environment (`DEVSTORE_THEME_DIR`, `DEVSTORE_CART_TYPE`), or null for the dev store's own theme. */
export function themeSetupFromEnv(env: NodeJS.ProcessEnv = process.env): ThemeSetup | null {
  const dir = env.DEVSTORE_THEME_DIR;
  const cartType = env.DEVSTORE_CART_TYPE;
  if (cartType && !CART_TYPES.includes(cartType as CartType)) {
    throw new Error(`DEVSTORE_CART_TYPE must be one of ${CART_TYPES.join(", ")} (got "${cartType}")`);
  }
  if (!dir) return null;
  return { dir, cartType: (cartType as CartType | undefined) || undefined };
}
