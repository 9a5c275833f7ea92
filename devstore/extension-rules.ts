// What `shopify app deploy` and Shopify refuse in a theme app extension, checked on the files on disk, so the dev
// store refuses an extension that a real deploy would refuse (and `npm run validate:extensions` fails in CI).
//
// The first four rules are the Shopify CLI's own pre-deploy validation, copied rule for rule from the version
// this repo pins (@shopify/cli 3.94.3): packages/app/src/cli/models/extensions/specifications/theme.ts
// (`validateThemeExtension`, run by `app deploy` as the theme specification's `preDeployValidation`) and the
// file list from packages/app/src/cli/utilities/extensions/theme.ts (`themeExtensionFiles`). The messages are
// the CLI's, word for word. scripts/validate-extensions.ts runs the CLI's compiled function itself beside
// these, and devstore/storefront/tests/extension-rules.test.ts checks both agree on the same fixtures, so a
// drift between this copy and the CLI fails a test instead of passing silently.
// The last two rules are Shopify's, not the CLI's: the CLI 3.94.3 does not check them before upload (its build
// step runs theme-check but only prints the offenses); Shopify applies them when it receives the extension.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const KILOBYTES = 1024;
const MEGABYTES = KILOBYTES * 1024;
/** CLI theme.ts `BUNDLE_SIZE_LIMIT_MB`: every file the CLI uploads, summed. */
export const BUNDLE_SIZE_LIMIT_MB = 10;
/** CLI theme.ts `LIQUID_SIZE_LIMIT_KB`: blocks/ + snippets/ summed. */
export const LIQUID_SIZE_LIMIT_KB = 500;
/** Changelog 2026-02-03: "You can now include up to 30 app blocks in a single theme app extension". */
export const MAX_APP_BLOCKS = 30;
/** theme-check ValidSchemaName `MAX_SCHEMA_NAME_LENGTH` (shopify.dev: "the 25 character limit"). */
export const MAX_SCHEMA_NAME_LENGTH = 25;

// CLI theme.ts `SUPPORTED_ASSET_EXTS` / `SUPPORTED_LOCALE_EXTS` / `SUPPORTED_EXTS`. The validators are built
// exactly as the CLI builds them (an unanchored alternation, `.` unescaped) so they accept what it accepts.
const SUPPORTED_ASSET_EXTS = [".jpg", ".jpeg", ".json", ".js", ".css", ".png", ".svg", ".wasm"];
const SUPPORTED_LOCALE_EXTS = [".json"];
const SUPPORTED_EXTS: Record<string, { validator: RegExp; failureMessage: string }> = {
  assets: {
    validator: new RegExp(`${SUPPORTED_ASSET_EXTS.join("|")}$`),
    failureMessage: `Only these filetypes are supported in assets: ${SUPPORTED_ASSET_EXTS.join(", ")}`,
  },
  blocks: { validator: /.liquid$/, failureMessage: "Only .liquid files are allowed in blocks." },
  locales: {
    validator: new RegExp(`${SUPPORTED_LOCALE_EXTS.join("|")}$`),
    failureMessage: `Only these filetypes are supported in locales: ${SUPPORTED_LOCALE_EXTS.join(", ")}`,
  },
  snippets: { validator: /.liquid$/, failureMessage: "Only .liquid files are allowed in snippets." },
};
const SUPPORTED_BUCKETS = Object.keys(SUPPORTED_EXTS);

// The CLI bundle's `themeExtensionFiles` ignore list (3.94.3 adds .gitkeep, .shopifyignore and *.toml to the
// list in the repository source), applied to the entries one directory deep.
const IGNORED_NAMES = [
  /^\.git$/, /^\.hg$/, /^\.bzr$/, /^\.svn$/, /^_darcs$/, /^CVS$/, /^\.sublime-(project|workspace)$/, /^\.DS_Store$/,
  /^\.sass-cache$/, /^Thumbs\.db$/, /^desktop\.ini$/, /^config\.yml$/, /^node_modules$/, /^\.gitkeep$/,
  /^\.shopifyignore$/, /^.*\.toml$/,
];

export interface ExtensionProblem {
  rule: "directory" | "filename" | "bundle_size" | "liquid_size" | "block_count" | "schema_name";
  /** The CLI's message (or, for Shopify's own rules, one in the same style). */
  message: string;
  /** The CLI's "try" hint. */
  tryMessage?: string;
}

/** `.shopifyignore` lines as the CLI reads them, turned into matchers for `dir/file` paths (`*`, `**`, `?`). */
function shopifyIgnore(dir: string): RegExp[] {
  const file = path.join(dir, ".shopifyignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith("#"))
    .map((glob) => {
      const re = glob
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*\*/g, "\uE000")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]")
        .replace(/\uE000/g, ".*");
      return new RegExp(`^${re}$`);
    });
}

/**
 * The files the CLI validates and uploads: exactly one directory deep (its glob is `<dir>/*\/*`, hidden
 * entries included), minus the ignore list. Files at the top level (other than the toml) are neither checked
 * nor uploaded; anything nested deeper is not uploaded either.
 */
export function themeExtensionFiles(dir: string): string[] {
  const ignore = shopifyIgnore(dir);
  const out: string[] = [];
  for (const top of readdirSync(dir, { withFileTypes: true })) {
    if (!top.isDirectory() && !(top.isSymbolicLink() && statSync(path.join(dir, top.name)).isDirectory())) continue;
    for (const entry of readdirSync(path.join(dir, top.name), { withFileTypes: true })) {
      const full = path.join(dir, top.name, entry.name);
      if (!(entry.isFile() || (entry.isSymbolicLink() && statSync(full).isFile()))) continue;
      if (IGNORED_NAMES.some((re) => re.test(entry.name))) continue;
      const rel = `${top.name}/${entry.name}`;
      if (ignore.some((re) => re.test(rel))) continue;
      out.push(full);
    }
  }
  return out.sort();
}

function schemaOf(source: string): Record<string, unknown> | null {
  const m = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The default schema locale (`locales/*.default.schema.json`), where `t:` names resolve, as theme-check does. */
function defaultSchemaLocale(dir: string): Record<string, unknown> {
  const localesDir = path.join(dir, "locales");
  if (!existsSync(localesDir)) return {};
  const file = readdirSync(localesDir).find((f) => f.endsWith(".default.schema.json"));
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(path.join(localesDir, file), "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function deepGet(obj: unknown, keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Every reason `shopify app deploy` (CLI first, then Shopify) would refuse the theme app extension in `dir`. */
export function themeExtensionProblems(dir: string): ExtensionProblem[] {
  const problems: ExtensionProblem[] = [];
  const files = themeExtensionFiles(dir);
  let extensionBytes = 0;
  let liquidBytes = 0;
  for (const file of files) {
    const rel = path.relative(dir, file).split(path.sep).join("/");
    const bucket = rel.slice(0, rel.indexOf("/"));
    const rule = SUPPORTED_EXTS[bucket];
    if (!rule) {
      problems.push({
        rule: "directory",
        message: `Your theme app extension includes files in an unsupported directory, ${bucket}`,
        tryMessage: `Make sure all theme app extension files are in the supported directories: ${SUPPORTED_BUCKETS.join(", ")}`,
      });
    } else if (!rule.validator.test(rel)) {
      problems.push({ rule: "filename", message: `Invalid filename in your theme app extension: ${rel}\n${rule.failureMessage}` });
    }
    const size = statSync(file).size;
    extensionBytes += size;
    if (bucket === "blocks" || bucket === "snippets") liquidBytes += size;
  }
  // Same comparison and rounding as the CLI's validateExtensionBytes / validateLiquidBytes.
  if (extensionBytes > BUNDLE_SIZE_LIMIT_MB * MEGABYTES) {
    problems.push({
      rule: "bundle_size",
      message: `Your theme app extension exceeds the file size limit (${BUNDLE_SIZE_LIMIT_MB} MB). It's currently ${(extensionBytes / MEGABYTES).toFixed(2)} MB.`,
      tryMessage: "Reduce your total file size and try again.",
    });
  }
  if (liquidBytes > LIQUID_SIZE_LIMIT_KB * KILOBYTES) {
    problems.push({
      rule: "liquid_size",
      message: `Your theme app extension exceeds the total liquid file size limit (${LIQUID_SIZE_LIMIT_KB} kB). It's currently ${(liquidBytes / KILOBYTES).toFixed(2)} kB.`,
      tryMessage: "Reduce your total file size and try again.",
    });
  }

  const blockFiles = files.filter((f) => path.basename(path.dirname(f)) === "blocks" && f.endsWith(".liquid"));
  if (blockFiles.length > MAX_APP_BLOCKS) {
    problems.push({
      rule: "block_count",
      message: `Your theme app extension has ${blockFiles.length} blocks; Shopify accepts at most ${MAX_APP_BLOCKS} per theme app extension.`,
      tryMessage: "Merge or remove blocks.",
    });
  }
  const schemaLocale = defaultSchemaLocale(dir);
  for (const file of blockFiles) {
    const name = schemaOf(readFileSync(file, "utf8"))?.name;
    if (typeof name !== "string") continue;
    const resolved = name.startsWith("t:") ? deepGet(schemaLocale, name.slice(2).split(".")) : name;
    if (typeof resolved === "string" && resolved.length > MAX_SCHEMA_NAME_LENGTH) {
      problems.push({
        rule: "schema_name",
        // Shopify's own wording when it refuses a schema name (theme-tools issue 556, quoting the server).
        message: `blocks/${path.basename(file)}: Invalid schema: name is too long (max ${MAX_SCHEMA_NAME_LENGTH} characters): '${resolved}'`,
        tryMessage: "Shorten the block name (resolved through the default schema locale for `t:` names).",
      });
    }
  }
  return problems;
}

/** One readable report, the way the CLI prints an abort: message, then the hint. */
export function formatProblems(dir: string, problems: ExtensionProblem[]): string {
  return [
    `Theme app extension ${dir} would be refused by \`shopify app deploy\`:`,
    ...problems.map((p) => `  - ${p.message.replace(/\n/g, "\n    ")}${p.tryMessage ? `\n    ${p.tryMessage}` : ""}`),
  ].join("\n");
}

export class ThemeExtensionRefused extends Error {
  constructor(readonly dir: string, readonly problems: ExtensionProblem[]) {
    super(formatProblems(dir, problems));
    this.name = "ThemeExtensionRefused";
  }
}

/** Throws ThemeExtensionRefused when deploy would refuse the extension in `dir`. */
export function assertThemeExtensionDeployable(dir: string): void {
  const problems = themeExtensionProblems(dir);
  if (problems.length > 0) throw new ThemeExtensionRefused(dir, problems);
}
