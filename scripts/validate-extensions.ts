// `npm run validate:extensions`: the checks `shopify app deploy` runs on each extension before it uploads
// anything, run offline on every extension under extensions/. `shopify app build` (what CI ran before) skips
// them, so an extension with a stray folder built green and failed only at deploy.
//
// It runs THE CLI'S OWN CODE. `app deploy` calls `app.preDeployValidation()`, which calls each extension's
// `specification.preDeployValidation(extension)`. The pinned CLI (@shopify/cli, one bundled dist/index.js) does
// not export its specifications, and `app deploy` itself cannot run offline: it logs in to Shopify and fetches
// the remote app before it reaches the validation step. So this script loads the same bundle with one line
// appended that exports the specification objects, and calls their `preDeployValidation` exactly as
// ExtensionInstance does (`this.specification.preDeployValidation?.(this)`), for the extension type declared in
// each shopify.extension.toml. The appended copy is written next to the original (node_modules/@shopify/cli/
// dist/.rp-specs-<hash>.js) so the bundle's relative imports and `import.meta.url` resolve as in the CLI.
// The specifications are found by their `identifier:"…"` literal; if a CLI upgrade changes that shape the
// script stops with a message instead of passing.
//
// Then it applies devstore/extension-rules.ts (the same rules, which the dev store enforces when it loads the
// extension, plus Shopify's 30-block and 25-character block-name limits) and fails on either.
// What the CLI checks offline, per type (3.94.3): theme — directories, file types, 10 MB total, 500 kB Liquid;
// function — the compiled wasm exists; web_pixel_extension — no deprecated `configuration`; ui_extension (our
// checkout extension) — nothing before upload (its 64 KB compressed limit is Shopify's, at upload; the bundle
// size is measured by `npm run bench:checkout`).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as parseToml } from "smol-toml";
import { formatProblems, themeExtensionProblems } from "../devstore/extension-rules";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The CLI version whose bundle layout this was written against (package.json pins it exactly). */
export const PINNED_CLI_VERSION = "3.94.3";

export interface CliSpecification {
  identifier: string;
  preDeployValidation?: (extension: CliExtensionLike) => Promise<void>;
}
/** The ExtensionInstance fields the offline pre-deploy validations read. */
export interface CliExtensionLike {
  directory: string;
  handle: string;
  configuration: Record<string, unknown>;
  outputPath: string;
}

let specsPromise: Promise<Map<string, CliSpecification>> | null = null;

/** The CLI's extension specifications, keyed by identifier, loaded from the installed bundle. */
export function loadCliSpecifications(root = REPO): Promise<Map<string, CliSpecification>> {
  specsPromise ??= (async () => {
    const req = createRequire(path.join(root, "package.json"));
    const pkgPath = req.resolve("@shopify/cli/package.json");
    const version = (JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version;
    if (version !== PINNED_CLI_VERSION) {
      throw new Error(`@shopify/cli is ${version}; scripts/validate-extensions.ts was checked against ${PINNED_CLI_VERSION}. Re-check how the bundle declares its specifications, then update PINNED_CLI_VERSION.`);
    }
    const dist = path.join(path.dirname(pkgPath), "dist");
    const source = readFileSync(path.join(dist, "index.js"), "utf8");
    const theme = /([\w$]+)=([\w$]+)\(\{identifier:"theme",/.exec(source);
    if (!theme) throw new Error("The Shopify CLI bundle no longer declares the theme specification as `X=create({identifier:\"theme\",…`; cannot run its pre-deploy validation.");
    const create = theme[2].replace(/\$/g, "\\$");
    const specs = [...source.matchAll(new RegExp(`([\\w$]+)=${create}\\(\\{identifier:"([a-z_]+)"`, "g"))];
    const exported = `\nexport const __recoveryPlaysSpecs = [${specs.map((m) => m[1]).join(",")}];\n`;
    const hash = createHash("sha256").update(source).update(exported).digest("hex").slice(0, 12);
    const file = path.join(dist, `.rp-specs-${hash}.js`);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, source + exported);
      renameSync(tmp, file);
    }
    const mod = (await import(pathToFileURL(file).href)) as { __recoveryPlaysSpecs: CliSpecification[] };
    return new Map(mod.__recoveryPlaysSpecs.map((s) => [s.identifier, s]));
  })();
  return specsPromise;
}

/** The CLI's AbortError carries the message and a separate "try" hint; print both like the CLI does. */
function describeCliError(e: unknown): string {
  if (e instanceof Error) {
    const hint = (e as Error & { tryMessage?: unknown }).tryMessage;
    return typeof hint === "string" && hint ? `${e.message}\n${hint}` : e.message;
  }
  return String(e);
}

export interface ExtensionReport {
  dir: string;
  type: string;
  /** The CLI's own preDeployValidation: null when it passed, else its message. */
  cli: string | null;
  /** Extra findings of devstore/extension-rules.ts (theme extensions only). */
  rules: string | null;
}

/** The extension's toml as the CLI reads it: `type` and `handle` from `[[extensions]]` (or the top level). */
function readExtensionToml(dir: string): { type: string; handle: string; configuration: Record<string, unknown> } {
  const toml = parseToml(readFileSync(path.join(dir, "shopify.extension.toml"), "utf8")) as Record<string, unknown>;
  const ext = Array.isArray(toml.extensions) ? { ...toml, ...(toml.extensions[0] as Record<string, unknown>) } : toml;
  return { type: String(ext.type ?? ""), handle: String(ext.handle ?? path.basename(dir)), configuration: ext };
}

/** Runs the CLI's pre-deploy validation and the shared rules on one extension directory. */
export async function validateExtension(dir: string): Promise<ExtensionReport> {
  const { type, handle, configuration } = readExtensionToml(dir);
  const specs = await loadCliSpecifications();
  const spec = specs.get(type);
  if (!spec) return { dir, type, cli: `The Shopify CLI ${PINNED_CLI_VERSION} has no extension type "${type}"`, rules: null };
  let cli: string | null = null;
  try {
    // outputPath as the CLI derives it for a bundled extension; only the function check reads it.
    await spec.preDeployValidation?.({ directory: dir, handle, configuration, outputPath: path.join(dir, "dist", `${handle}.wasm`) });
  } catch (e) {
    cli = describeCliError(e);
  }
  let rules: string | null = null;
  if (type === "theme") {
    const problems = themeExtensionProblems(dir);
    if (problems.length > 0) rules = formatProblems(path.relative(REPO, dir) || dir, problems);
  }
  return { dir, type, cli, rules };
}

async function main(): Promise<number> {
  const root = path.resolve(process.argv[2] ?? path.join(REPO, "extensions"));
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, "shopify.extension.toml")))
    .map((d) => path.join(root, d.name));
  if (dirs.length === 0) {
    console.error(`validate:extensions: no extension (shopify.extension.toml) under ${root}`);
    return 1;
  }
  let failed = 0;
  for (const dir of dirs) {
    const r = await validateExtension(dir);
    const name = `${path.basename(dir)} (${r.type})`;
    if (!r.cli && !r.rules) {
      console.log(`ok   ${name}`);
      continue;
    }
    failed++;
    console.error(`FAIL ${name}`);
    if (r.cli) console.error(`  shopify app deploy (CLI ${PINNED_CLI_VERSION} preDeployValidation) would stop with:\n    ${r.cli.replace(/\n/g, "\n    ")}`);
    if (r.rules) console.error(`  ${r.rules.replace(/\n/g, "\n  ")}`);
  }
  if (failed > 0) console.error(`validate:extensions: ${failed} of ${dirs.length} extension(s) would be refused at deploy`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`validate:extensions: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
