// Loads the app's real theme app extension (extensions/<handle>/) from disk: blocks with their parsed
// `{% schema %}`, snippets, storefront locales and assets. Reloaded when files change, so a rebuild of the
// extension shows up without restarting the dev store. An extension deploy would refuse is refused here too
// (devstore/extension-rules.ts).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { assertThemeExtensionDeployable } from "../extension-rules";

export type BlockTarget = "section" | "body" | "head" | "compliance_head";

export interface SchemaSetting {
  id?: string;
  type: string;
  default?: unknown;
}

export interface BlockSchema {
  name?: string;
  target?: string;
  settings?: SchemaSetting[];
  javascript?: string;
  stylesheet?: string;
  available_if?: string;
  enabled_on?: { templates?: string[]; groups?: string[] };
  disabled_on?: { templates?: string[]; groups?: string[] };
  class?: string;
  tag?: string | null;
}

export interface ExtensionBlock {
  handle: string;
  source: string;
  schema: BlockSchema;
  target: BlockTarget;
}

export interface ThemeAppExtension {
  dir: string;
  handle: string;
  uid: string;
  blocks: Map<string, ExtensionBlock>;
  snippets: Map<string, string>;
  /** Storefront locale (en.default.json), for the `t` filter inside the extension's blocks. */
  locale: Record<string, unknown>;
  assets: Map<string, { file: string; version: string }>;
}

const SCHEMA_RE = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/;

/** Parses the JSON inside a Liquid file's `{% schema %}` tag ({} when there is none or it is invalid). */
export function extractSchema<T = Record<string, unknown>>(source: string): T {
  const m = SCHEMA_RE.exec(source);
  if (!m) return {} as T;
  try {
    return JSON.parse(m[1]) as T;
  } catch {
    return {} as T;
  }
}

/** Default setting values from a schema, as Shopify fills `block.settings` / `section.settings`. */
export function schemaDefaults(settings: SchemaSetting[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of settings ?? []) {
    if (!s.id) continue;
    if (s.default !== undefined) out[s.id] = s.default;
    else if (s.type === "checkbox") out[s.id] = false;
  }
  return out;
}

function uidFor(handle: string): string {
  const h = createHash("sha256").update(`extension:${handle}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

function loadExtension(dir: string): ThemeAppExtension | null {
  const blocksDir = path.join(dir, "blocks");
  if (!existsSync(blocksDir)) return null;
  // Refuse what `shopify app deploy` refuses (stray folders, file types, sizes, block count and names), so the
  // demo and the tests fail here instead of on a real store. Throws ThemeExtensionRefused with the CLI's words.
  assertThemeExtensionDeployable(dir);
  let handle = path.basename(dir);
  let uid = "";
  const tomlPath = path.join(dir, "shopify.extension.toml");
  if (existsSync(tomlPath)) {
    try {
      const toml = parseToml(readFileSync(tomlPath, "utf8")) as Record<string, unknown>;
      const ext = Array.isArray(toml.extensions) ? (toml.extensions[0] as Record<string, unknown>) : toml;
      if (typeof ext.handle === "string") handle = ext.handle;
      if (typeof ext.uid === "string") uid = ext.uid;
      else if (typeof toml.uid === "string") uid = toml.uid;
    } catch {
      // A broken toml is the extension author's problem; keep rendering with the directory name.
    }
  }
  const blocks = new Map<string, ExtensionBlock>();
  for (const file of readdirSync(blocksDir)) {
    if (!file.endsWith(".liquid")) continue;
    const source = readFileSync(path.join(blocksDir, file), "utf8");
    const schema = extractSchema<BlockSchema>(source);
    const target = (schema.target ?? "section") as BlockTarget;
    blocks.set(file.slice(0, -".liquid".length), { handle: file.slice(0, -".liquid".length), source, schema, target });
  }
  const snippets = new Map<string, string>();
  const snippetsDir = path.join(dir, "snippets");
  if (existsSync(snippetsDir)) {
    for (const file of readdirSync(snippetsDir)) {
      if (file.endsWith(".liquid")) snippets.set(file.slice(0, -".liquid".length), readFileSync(path.join(snippetsDir, file), "utf8"));
    }
  }
  let locale: Record<string, unknown> = {};
  const localePath = path.join(dir, "locales", "en.default.json");
  if (existsSync(localePath)) {
    try {
      locale = JSON.parse(readFileSync(localePath, "utf8")) as Record<string, unknown>;
    } catch {
      locale = {};
    }
  }
  const assets = new Map<string, { file: string; version: string }>();
  const assetsDir = path.join(dir, "assets");
  for (const file of listFiles(assetsDir)) {
    const st = statSync(file);
    assets.set(path.relative(assetsDir, file).split(path.sep).join("/"), { file, version: `${Math.trunc(st.mtimeMs).toString(36)}${st.size.toString(36)}` });
  }
  return { dir, handle, uid: uid || uidFor(handle), blocks, snippets, locale, assets };
}

/** Keeps the extension loaded, re-reading it when any file's mtime/size changes (checked at most every 500 ms). */
export class ExtensionLoader {
  private cached: ThemeAppExtension | null = null;
  private signature = "";
  private checkedAt = 0;

  constructor(readonly dir: string) {}

  get(): ThemeAppExtension | null {
    const now = Date.now();
    if (now - this.checkedAt < 500 && this.signature) return this.cached;
    this.checkedAt = now;
    const files = listFiles(this.dir);
    const sig = files
      .map((f) => {
        const st = statSync(f);
        return `${f}:${st.mtimeMs}:${st.size}`;
      })
      .join("|") || "none";
    if (sig !== this.signature) {
      // A refused extension must not leave the previous one in place: drop it first, and only remember the
      // signature once loading succeeded, so every later request fails the same way until it is fixed.
      this.cached = null;
      this.signature = "";
      this.cached = loadExtension(this.dir);
      this.signature = sig;
    }
    return this.cached;
  }
}

/** Parses `shopify://apps/<app>/blocks/<handle>/<uid>` (a theme's reference to an app block). */
export function parseAppBlockType(type: string): { app: string; handle: string; uid: string } | null {
  const m = /^shopify:\/\/apps\/([^/]+)\/blocks\/([^/]+)\/([^/]+)$/.exec(type);
  return m ? { app: m[1], handle: m[2], uid: m[3] } : null;
}
