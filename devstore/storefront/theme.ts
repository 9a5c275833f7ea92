// The live theme's files (DevStoreData.themeFiles) and the theme editor's writes to them: enabling an app embed
// in config/settings_data.json and placing an app block in a JSON template, in Shopify's own file formats.
import { randomInt } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DevStoreData } from "../types";
import { type ExtensionBlock, type ThemeAppExtension, schemaDefaults } from "./extension";
import type { JsonTemplate, SettingsData } from "./liquid/engine";

export const THEME_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "theme");

/** The dev store theme's files from disk, keyed like Shopify's theme files API ("sections/header.liquid"). */
export function defaultThemeFiles(dir = THEME_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(dir, full).split(path.sep).join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** Fills in any theme file the store data doesn't have yet (keeps edits already made, e.g. settings_data). */
export function ensureThemeFiles(state: DevStoreData): void {
  if (!state.themeFiles) state.themeFiles = {};
  for (const [name, content] of Object.entries(defaultThemeFiles())) {
    if (state.themeFiles[name] === undefined) state.themeFiles[name] = content;
  }
}

/** Shopify-style numeric block id (settings_data / template block keys). */
function newBlockId(): string {
  return `${Date.now()}${String(randomInt(0, 1_000_000)).padStart(6, "0")}`;
}

export function appBlockType(appHandle: string, ext: ThemeAppExtension, block: ExtensionBlock): string {
  return `shopify://apps/${appHandle}/blocks/${block.handle}/${ext.uid}`;
}

export class ThemeEditError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readSettings(state: DevStoreData): SettingsData {
  const raw = state.themeFiles["config/settings_data.json"];
  const data = (raw ? JSON.parse(raw) : { current: {} }) as SettingsData;
  data.current ??= {};
  data.current.blocks ??= {};
  return data;
}

/** Turns an app embed on or off in config/settings_data.json (adding its entry with default settings if needed). */
export function setEmbedEnabled(state: DevStoreData, appHandle: string, ext: ThemeAppExtension, handle: string, enabled: boolean): string {
  const block = ext.blocks.get(handle);
  if (!block || block.target === "section") throw new ThemeEditError(404, `App embed "${handle}" not found in extension ${ext.handle}`);
  const data = readSettings(state);
  const type = appBlockType(appHandle, ext, block);
  const blocks = data.current.blocks!;
  let id = Object.keys(blocks).find((k) => blocks[k].type === type);
  if (!id) {
    if (!enabled) return "";
    id = newBlockId();
    blocks[id] = { type, disabled: false, settings: schemaDefaults(block.schema.settings) };
  }
  blocks[id].disabled = !enabled;
  state.themeFiles["config/settings_data.json"] = JSON.stringify(data, null, 2);
  return id;
}

/** The app embeds of the extension with their state in settings_data.json. */
export function embedStates(state: DevStoreData, appHandle: string, ext: ThemeAppExtension): { handle: string; name: string; enabled: boolean }[] {
  const blocks = readSettings(state).current.blocks!;
  return [...ext.blocks.values()]
    .filter((b) => b.target !== "section")
    .map((b) => {
      const type = appBlockType(appHandle, ext, b);
      const entry = Object.values(blocks).find((e) => e.type === type);
      return { handle: b.handle, name: b.schema.name ?? b.handle, enabled: !!entry && !entry.disabled };
    });
}

/**
 * Places an app block in templates/<template>.json like the theme editor's `addAppBlockId` deep link:
 * target `newAppsSection` (a new "apps" section after the main one), `mainSection` (a block in the template's
 * main section, which must accept @app blocks) or `sectionId:<key>`. Adding a block type that is already in the
 * target section is a no-op (the stand-in saves immediately, so repeated deep links would otherwise stack).
 */
export function addAppBlock(
  state: DevStoreData,
  appHandle: string,
  ext: ThemeAppExtension,
  handle: string,
  template: string,
  target: string,
  sectionAcceptsApps: (sectionType: string) => boolean,
): { sectionKey: string; blockId: string } {
  const block = ext.blocks.get(handle);
  if (!block || block.target !== "section") throw new ThemeEditError(404, `App block "${handle}" not found in extension ${ext.handle}`);
  const allowed = block.schema.enabled_on?.templates;
  if (allowed && !allowed.some((t) => t === "*" || t === template.split(".")[0] || t === template)) {
    throw new ThemeEditError(422, `App block "${handle}" can't be added to the ${template} template`);
  }
  const file = `templates/${template}.json`;
  const raw = state.themeFiles[file];
  if (!raw) throw new ThemeEditError(422, `Template "${template}" is not a JSON template; app blocks need a JSON template`);
  const tpl = JSON.parse(raw) as JsonTemplate;
  const type = appBlockType(appHandle, ext, block);
  let sectionKey: string;
  if (target === "newAppsSection") {
    const existing = tpl.order.find((k) => tpl.sections[k]?.type === "apps" && Object.values(tpl.sections[k].blocks ?? {}).some((b) => b.type === type));
    if (existing) sectionKey = existing;
    else {
      sectionKey = `apps_${newBlockId()}`;
      tpl.sections[sectionKey] = { type: "apps", blocks: {}, block_order: [], settings: {} };
      const mainIndex = tpl.order.findIndex((k) => k === "main" || tpl.sections[k]?.type.startsWith("main"));
      tpl.order.splice(mainIndex >= 0 ? mainIndex + 1 : tpl.order.length, 0, sectionKey);
    }
  } else if (target === "mainSection") {
    const main = tpl.order.find((k) => k === "main" || tpl.sections[k]?.type.startsWith("main"));
    if (!main || !sectionAcceptsApps(tpl.sections[main].type)) {
      throw new ThemeEditError(422, `The main section of "${template}" does not accept app blocks`);
    }
    sectionKey = main;
  } else if (target.startsWith("sectionId:")) {
    sectionKey = target.slice("sectionId:".length);
    const sec = tpl.sections[sectionKey];
    if (!sec || !(sec.type === "apps" || sectionAcceptsApps(sec.type))) {
      throw new ThemeEditError(422, `Section "${sectionKey}" does not exist or does not accept app blocks`);
    }
  } else {
    throw new ThemeEditError(400, `Unsupported target "${target}" (use newAppsSection, mainSection or sectionId:<id>)`);
  }
  const sec = tpl.sections[sectionKey];
  sec.blocks ??= {};
  sec.block_order ??= Object.keys(sec.blocks);
  const already = Object.entries(sec.blocks).find(([, b]) => b.type === type);
  if (already) {
    delete sec.blocks[already[0]].disabled;
    state.themeFiles[file] = JSON.stringify(tpl, null, 2);
    return { sectionKey, blockId: already[0] };
  }
  const blockId = newBlockId();
  sec.blocks[blockId] = { type, settings: schemaDefaults(block.schema.settings) };
  sec.block_order.push(blockId);
  state.themeFiles[file] = JSON.stringify(tpl, null, 2);
  return { sectionKey, blockId };
}

/** Removes an app block of this type from a JSON template (theme editor "Remove block"). */
export function removeAppBlock(state: DevStoreData, appHandle: string, ext: ThemeAppExtension, handle: string, template: string): boolean {
  const file = `templates/${template}.json`;
  const raw = state.themeFiles[file];
  const block = ext.blocks.get(handle);
  if (!raw || !block) return false;
  const tpl = JSON.parse(raw) as JsonTemplate;
  const type = appBlockType(appHandle, ext, block);
  let removed = false;
  for (const key of [...tpl.order]) {
    const sec = tpl.sections[key];
    for (const [id, b] of Object.entries(sec.blocks ?? {})) {
      if (b.type !== type) continue;
      delete sec.blocks![id];
      sec.block_order = (sec.block_order ?? []).filter((x) => x !== id);
      removed = true;
    }
    if (sec.type === "apps" && Object.keys(sec.blocks ?? {}).length === 0) {
      delete tpl.sections[key];
      tpl.order = tpl.order.filter((k) => k !== key);
    }
  }
  if (removed) state.themeFiles[file] = JSON.stringify(tpl, null, 2);
  return removed;
}

/** App blocks of this extension placed in the theme's JSON templates. */
export function placedAppBlocks(state: DevStoreData, appHandle: string, ext: ThemeAppExtension): { template: string; section: string; handle: string }[] {
  const out: { template: string; section: string; handle: string }[] = [];
  const prefix = `shopify://apps/${appHandle}/blocks/`;
  for (const [name, raw] of Object.entries(state.themeFiles)) {
    const m = /^templates\/(.+)\.json$/.exec(name);
    if (!m) continue;
    let tpl: JsonTemplate;
    try {
      tpl = JSON.parse(raw) as JsonTemplate;
    } catch {
      continue;
    }
    for (const [key, sec] of Object.entries(tpl.sections ?? {})) {
      for (const b of Object.values(sec.blocks ?? {})) {
        if (b.type.startsWith(prefix) && !b.disabled) out.push({ template: m[1], section: key, handle: b.type.slice(prefix.length).split("/")[0] });
      }
    }
  }
  return out.filter((p) => ext.blocks.has(p.handle));
}
