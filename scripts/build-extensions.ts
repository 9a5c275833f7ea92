/**
 * Bundles the theme app embed's browser entry (app/lib/storefront/index.ts) into
 * extensions/recovery-plays-theme/assets/recovery-plays.js: minified, ES2019, one IIFE, no runtime deps.
 * The output is committed so the extension is valid without a build. `--check` fails when it is stale.
 */
import { build, type Plugin } from "esbuild";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ENTRY = path.join(ROOT, "app/lib/storefront/index.ts");
export const OUTFILE = path.join(ROOT, "extensions/recovery-plays-theme/assets/recovery-plays.js");
const SCORER = path.join(ROOT, "app/lib/propensity/score.ts");

export const INTERNAL_PROPS = new RegExp(
  "^(" +
    [
      "views", "dwell", "pv", "adds", "rems", "addCount", "remCount", "lastRemoved", "bounceSum", "exitSum", "valueSum",
      "statN", "exitIntents", "subtotal", "checkoutStarted", "dismissed", "idleSince", "since", "firstSeen", "purchasedAt",
      "shows", "visits", "attAt", "att", "sent", "parts", "checkoutPrompt", "bnpl", "productId", "propensity", "consent",
      "session", "visitor", "config", "eligible", "show", "active",
    ].join("|") +
    ")$",
);

/** `rp-scorer` → the propensity module when it exports scorePropensity; otherwise no scorer (null propensity). */
const scorerAlias: Plugin = {
  name: "rp-scorer",
  setup(b) {
    b.onResolve({ filter: /^rp-scorer$/ }, () => {
      const ok = existsSync(SCORER) && /export\s+function\s+scorePropensity\b/.test(readFileSync(SCORER, "utf8"));
      return ok ? { path: SCORER } : { path: "rp-scorer", namespace: "rp-none" };
    });
    b.onLoad({ filter: /.*/, namespace: "rp-none" }, () => ({ contents: "export const scorePropensity = undefined;", loader: "js" }));
  },
};

export async function bundleEmbed(): Promise<string> {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    platform: "browser",
    write: false,
    legalComments: "none",
    // Internal state fields (never config keys, event payloads, feature names or Shopify API fields) are
    // shortened; the stored state is private to the bundle that wrote it.
    mangleProps: INTERNAL_PROPS,
    plugins: [scorerAlias],
    logLevel: "silent",
  });
  return out.outputFiles[0].text;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const js = await bundleEmbed();
  if (process.argv.includes("--check")) {
    const current = existsSync(OUTFILE) ? readFileSync(OUTFILE, "utf8") : "";
    if (current !== js) {
      console.error(`${path.relative(ROOT, OUTFILE)} is stale: run npm run build:extensions`);
      process.exit(1);
    }
  } else {
    writeFileSync(OUTFILE, js);
  }
  console.log(`${path.relative(ROOT, OUTFILE)}: ${js.length} bytes, ${gzipSync(js, { level: 9 }).length} bytes gzip`);
}
