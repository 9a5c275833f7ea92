// Locale-ready translation: every user-facing string lives in app/locales/<locale>.json. Adding a locale is
// adding a JSON file with the same keys and registering it below; missing keys fall back to English.
import en from "./en.json";

export type Messages = typeof en;
export type TranslateValues = Record<string, string | number>;
export type Translate = (key: string, values?: TranslateValues) => string;

const CATALOGS: Record<string, unknown> = { en };

export const DEFAULT_LOCALE = "en";

/** The best catalog for a BCP-47 locale ("fr-CA" → "fr" → "en"). */
export function resolveLocale(locale: string | null | undefined): string {
  if (!locale) return DEFAULT_LOCALE;
  const lower = locale.toLowerCase();
  if (CATALOGS[lower]) return lower;
  const base = lower.split(/[-_]/)[0];
  return CATALOGS[base] ? base : DEFAULT_LOCALE;
}

function lookup(catalog: unknown, key: string): string | undefined {
  let node: unknown = catalog;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

function interpolate(template: string, values?: TranslateValues): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

/** A translator for a locale; unknown keys return the key itself so a gap is visible, never a crash. */
export function createTranslator(locale: string | null | undefined): Translate {
  const catalog = CATALOGS[resolveLocale(locale)];
  return (key, values) => interpolate(lookup(catalog, key) ?? lookup(en, key) ?? key, values);
}

/** Whether a key exists in the English catalog (used by tests to prove copy is complete). */
export function hasMessage(key: string): boolean {
  return lookup(en, key) !== undefined;
}
