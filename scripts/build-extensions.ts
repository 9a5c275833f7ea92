/**
 * Bundles the theme app embed's browser entries into the extension's assets, minified ES2020 modules without runtime
 * deps, property names of internal state shortened (fixed names for stored state):
 * - app/lib/storefront/index.ts → assets/recovery-plays.js, the embed every page loads;
 * - app/lib/storefront/lazy.ts → assets/recovery-plays-lazy.js, what the embed imports only when needed (the
 *   propensity scorer and its model, recommendations, Add bundle, merchant preview). The two share no code: the
 *   lazy one takes what it needs as arguments, so nothing is bundled twice.
 * The output is committed so the extension is valid without a build. `--check` fails when either is stale.
 */
import { build, type BuildOptions } from "esbuild";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ENTRY = path.join(ROOT, "app/lib/storefront/index.ts");
export const OUTFILE = path.join(ROOT, "extensions/recovery-plays-theme/assets/recovery-plays.js");
export const LAZY_ENTRY = path.join(ROOT, "app/lib/storefront/lazy.ts");
export const LAZY_OUTFILE = path.join(ROOT, "extensions/recovery-plays-theme/assets/recovery-plays-lazy.js");

/**
 * Fields of the state the embed keeps in localStorage (session `rp_s`, visitor `rp_v`), renamed to fixed names so a
 * new release reads what an older one stored: esbuild's own choice of short names depends on how often each
 * property is used, so it would change from build to build. Append new fields; never reuse or reorder a name.
 * Single capital letters: nothing else in the bundle (DOM, Shopify, config or boot keys) uses them — checked below.
 */
export const STORED_NAMES: Record<string, string> = Object.fromEntries(
  [
    "views", "dwell", "pv", "adds", "rems", "addCount", "remCount", "lastRemoved", "bounceSum", "exitSum", "valueSum",
    "statN", "exitIntents", "subtotal", "checkoutStarted", "dismissed", "since", "idleSince", "firstSeen",
    "purchasedAt", "shows", "visits", "att", "attAt", "sent",
  ].map((prop, i) => [prop, String.fromCharCode(65 + i)]),
);

/** Internal fields that are never stored (esbuild picks their names; they avoid the stored ones). */
const TRANSIENT_PROPS = [
  "parts", "checkoutPrompt", "bnpl", "productId", "propensity", "consent", "session", "visitor", "config", "eligible",
  "show", "active",
];

// Never config keys, event payloads, feature names or Shopify API fields: those are contracts with other code.
export const INTERNAL_PROPS = new RegExp(`^(${[...Object.keys(STORED_NAMES), ...TRANSIENT_PROPS].join("|")})$`);

const options = {
  entryPoints: [ENTRY],
  bundle: true,
  minify: true,
  // The embed is loaded with <script type="module">: module scope already isolates it, no IIFE needed.
  format: "esm",
  target: "es2020",
  platform: "browser",
  write: false,
  legalComments: "none",
  logLevel: "silent",
} satisfies BuildOptions;

/** A fixed stored name that the unmangled bundle also uses as a property name would corrupt that property. */
async function assertStoredNamesFree(): Promise<void> {
  const plain = (await build(options)).outputFiles[0].text;
  const used = new Set<string>();
  for (const m of plain.matchAll(/(?<!\.)\.([A-Z])(?![\w$])|[{,]([A-Z]):/g)) used.add(m[1] ?? m[2]);
  const clash = Object.entries(STORED_NAMES).filter(([, name]) => used.has(name));
  if (clash.length) throw new Error(`stored-state names already used as properties: ${clash.map(([p, n]) => `${p}→${n}`).join(", ")}`);
}

export async function bundleEmbed(): Promise<string> {
  await assertStoredNamesFree();
  const out = await build({ ...options, mangleProps: INTERNAL_PROPS, mangleCache: { ...STORED_NAMES } });
  return out.outputFiles[0].text;
}

/** The lazily imported module (scorer, recommendations, Add bundle, preview): no stored state, nothing mangled. */
export async function bundleLazy(): Promise<string> {
  const out = await build({ ...options, entryPoints: [LAZY_ENTRY] });
  return out.outputFiles[0].text;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  let stale = false;
  for (const [file, js] of [[OUTFILE, await bundleEmbed()], [LAZY_OUTFILE, await bundleLazy()]]) {
    if (process.argv.includes("--check")) {
      if ((existsSync(file) ? readFileSync(file, "utf8") : "") !== js) {
        console.error(`${path.relative(ROOT, file)} is stale: run npm run build:extensions`);
        stale = true;
      }
    } else writeFileSync(file, js);
    console.log(`${path.relative(ROOT, file)}: ${js.length} bytes, ${gzipSync(js, { level: 9 }).length} bytes gzip`);
  }
  if (stale) process.exit(1);
}
