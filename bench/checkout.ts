/**
 * Bundle size of every UI extension, built the way Shopify CLI 3.94 builds them (see
 * node_modules/@shopify/cli/dist/index.js, "Bundling UI extension"): for API ≥ 2025-10 one esbuild bundle per
 * extension whose entry imports each target module and registers it with `shopify.extend(target, …)`; loader
 * tsx, automatic JSX (Preact via the extension's tsconfig.json), minified, target es6, no legal comments,
 * source map, `process.env.*` defined. Prints one JSON line last: {"extensions":[{"handle","bytes","bytesGzip"}]}.
 * Budget: 20 KB gzip each (Shopify's hard limit is 64 KB compressed); exit code 1 when over.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { parse } from "smol-toml";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET_GZIP = 20 * 1024;

type EsbuildModule = typeof import("esbuild");

/** The esbuild the CLI ships with when present (same minifier output as `shopify app build`), else ours. */
function loadEsbuild(): { esbuild: EsbuildModule; version: string } {
  const require = createRequire(import.meta.url);
  for (const id of [join(ROOT, "node_modules/@shopify/cli/node_modules/esbuild"), "esbuild"]) {
    try {
      const esbuild = require(id) as EsbuildModule;
      return { esbuild, version: esbuild.version };
    } catch {
      // try the next one
    }
  }
  throw new Error("esbuild not found");
}

interface UiExtensionToml {
  api_version?: string;
  extensions?: Array<{ type?: string; handle?: string; targeting?: Array<{ target: string; module: string }> }>;
}

/** Same rule as the CLI: targets are registered explicitly from API 2025-10 on. */
function registersTargets(apiVersion: string | undefined): boolean {
  const match = /^(\d{4})-(\d{2})$/.exec(apiVersion ?? "");
  if (!match) return false;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return year > 2025 || (year === 2025 && month >= 10);
}

function entryContents(apiVersion: string | undefined, targets: Array<{ target: string; module: string }>): string {
  return targets
    .map(({ target, module }, i) =>
      registersTargets(apiVersion)
        ? `import Target_${i} from '${module}';shopify.extend('${target}', (...args) => Target_${i}(...args));`
        : `import '${module}';`,
    )
    .join("\n");
}

/** The CLI defines every identifier-safe environment variable as process.env.NAME (APP_URL among them). */
function processEnvDefines(): Record<string, string> {
  const defines: Record<string, string> = { "process.env.NODE_ENV": JSON.stringify("production") };
  for (const [key, value] of Object.entries(process.env)) {
    if (/^[a-zA-Z_$][a-zA-Z0-9_$]*$/.test(key) && value !== undefined && key !== "NODE_ENV") {
      defines[`process.env.${key}`] = JSON.stringify(value);
    }
  }
  return defines;
}

async function main() {
  const { esbuild, version } = loadEsbuild();
  const extensionsDir = join(ROOT, "extensions");
  const outDir = join(ROOT, "bench/out/checkout");
  mkdirSync(outDir, { recursive: true });
  const results: Array<{ handle: string; bytes: number; bytesGzip: number }> = [];

  for (const dir of readdirSync(extensionsDir).sort()) {
    const tomlPath = join(extensionsDir, dir, "shopify.extension.toml");
    if (!existsSync(tomlPath)) continue;
    const toml = parse(readFileSync(tomlPath, "utf8")) as UiExtensionToml;
    for (const ext of toml.extensions ?? []) {
      if (ext.type !== "ui_extension" || !ext.targeting?.length) continue;
      const handle = ext.handle ?? dir;
      const started = performance.now();
      const result = await esbuild.build({
        stdin: { contents: entryContents(toml.api_version, ext.targeting), resolveDir: join(extensionsDir, dir), loader: "tsx" },
        bundle: true,
        write: false,
        outfile: join(outDir, `${handle}.js`),
        // The CLI emits a source map for ui_extension bundles; the `sourceMappingURL` comment counts in the size.
        sourcemap: true,
        sourceRoot: join(extensionsDir, dir, "src"),
        define: processEnvDefines(),
        jsx: "automatic",
        loader: { ".esnext": "ts", ".js": "jsx" },
        legalComments: "none",
        minify: true,
        target: "es6",
        resolveExtensions: [".tsx", ".ts", ".js", ".json", ".esnext", ".mjs", ".ejs"],
        logLevel: "error",
      });
      const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!.contents;
      writeFileSync(join(outDir, `${handle}.js`), code);
      const bytesGzip = gzipSync(code, { level: 9 }).byteLength;
      results.push({ handle, bytes: code.byteLength, bytesGzip });
      const verdict = bytesGzip <= BUDGET_GZIP ? "within" : "OVER";
      console.log(
        `${handle}: ${ext.targeting.length} targets, ${(code.byteLength / 1024).toFixed(1)} KB minified, ` +
          `${(bytesGzip / 1024).toFixed(1)} KB gzip (${verdict} the 20 KB budget), built in ` +
          `${Math.round(performance.now() - started)} ms with esbuild ${version}`,
      );
    }
  }

  if (results.some((r) => r.bytesGzip > BUDGET_GZIP)) process.exitCode = 1;
  console.log(JSON.stringify({ extensions: results }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
