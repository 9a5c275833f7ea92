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
//
// Functions (functions/*, outside extensions/ because `shopify app build` compiles a JS Function with javy, which
// the CLI downloads from github.com): the CLI validates a function extension in three places, run here in order —
// its configuration schema when the app loads (`specification.parseConfigurationObject`), the deploy payload
// (`specification.deployConfig`: every target's input query file must exist) and the pre-deploy check that the
// compiled wasm exists. The last needs the javy build, so without a wasm it is reported as skipped, never as
// passed. Added rule (Shopify checks it at deploy): every target's input query parses and validates against the
// pinned Function API schema that defines the target's result type (app/graphql/functions_*_<version>.json.gz).
// What the CLI checks offline, per type (3.94.3): theme — directories, file types, 10 MB total, 500 kB Liquid;
// function — the compiled wasm exists; web_pixel_extension — no deprecated `configuration`; ui_extension (our
// checkout extension) — nothing before upload (its 64 KB compressed limit is Shopify's, at upload; the bundle
// size is measured by `npm run bench:checkout`).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, parse, validate, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { parse as parseToml } from "smol-toml";
import { formatProblems, themeExtensionProblems } from "../devstore/extension-rules";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The CLI version whose bundle layout this was written against (package.json pins it exactly). */
export const PINNED_CLI_VERSION = "3.94.3";

export interface CliSpecification {
  identifier: string;
  preDeployValidation?: (extension: CliExtensionLike) => Promise<void>;
  /** The app loader's configuration check (the spec's zod schema). */
  parseConfigurationObject?: (config: unknown) => { state: "ok" | "error"; errors?: { message?: string; path?: (string | number)[] }[] };
  /** What `app deploy` uploads for the extension (reads the input query files of a function). */
  deployConfig?: (config: Record<string, unknown>, directory: string, apiKey: string) => Promise<unknown>;
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
  /** Extra findings of devstore/extension-rules.ts (theme extensions) or the input query check (functions). */
  rules: string | null;
  /** A CLI check that could not run offline (a function's wasm check without the javy build). */
  skipped?: string;
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
  if (type === "function") return validateFunction(dir, spec, handle, configuration);
  let cli: string | null = null;
  try {
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

/** The pinned Function API schemas (app/graphql/functions_*_<api version>.json.gz) for one API version. */
function functionSchemas(apiVersion: string): { file: string; schema: GraphQLSchema }[] {
  const dir = path.join(REPO, "app", "graphql");
  return readdirSync(dir)
    .filter((f) => f.startsWith("functions_") && f.endsWith(`_${apiVersion}.json.gz`))
    .map((f) => {
      const json = JSON.parse(gunzipSync(readFileSync(path.join(dir, f))).toString("utf8")) as { data?: IntrospectionQuery } & IntrospectionQuery;
      return { file: f, schema: buildClientSchema(json.data ?? json) };
    });
}

/** `cart.payment-methods.transform.run` → `CartPaymentMethodsTransformRunResult` (the target's output type). */
export const targetResultType = (target: string) =>
  target.split(/[.-]/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("") + "Result";

/** Each target's input query against the pinned schema that defines the target: problems, one per line. */
export function functionQueryProblems(dir: string, configuration: Record<string, unknown>): string[] {
  const apiVersion = String(configuration.api_version ?? "");
  const schemas = functionSchemas(apiVersion);
  const targeting = Array.isArray(configuration.targeting) ? (configuration.targeting as Record<string, unknown>[]) : [];
  if (targeting.length === 0) return ["no [[extensions.targeting]]: the Function has no target to run on"];
  const problems: string[] = [];
  for (const t of targeting) {
    const target = String(t.target ?? "");
    const owner = schemas.find((s) => s.schema.getType(targetResultType(target)));
    if (!owner) {
      problems.push(`target "${target}": no pinned ${apiVersion} Function schema defines ${targetResultType(target)} (unknown target or API version)`);
      continue;
    }
    if (typeof t.input_query !== "string") continue;
    const file = path.join(dir, t.input_query);
    if (!existsSync(file)) continue; // the CLI's deployConfig reports a missing file
    try {
      const errors = validate(owner.schema, parse(readFileSync(file, "utf8")));
      for (const e of errors) problems.push(`${t.input_query}: ${e.message} (against ${owner.file})`);
    } catch (e) {
      problems.push(`${t.input_query}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return problems;
}

/** A function extension: the CLI's configuration schema, deploy payload and (with a built wasm) pre-deploy check. */
async function validateFunction(dir: string, spec: CliSpecification, handle: string, configuration: Record<string, unknown>): Promise<ExtensionReport> {
  const cliProblems: string[] = [];
  const parsed = spec.parseConfigurationObject?.(configuration);
  if (!parsed) cliProblems.push(`The Shopify CLI ${PINNED_CLI_VERSION}'s function specification has no configuration parser; cannot validate it.`);
  else if (parsed.state === "error") {
    for (const e of parsed.errors ?? []) cliProblems.push(`${(e.path ?? []).join(".") || "(root)"}: ${e.message ?? "invalid"}`);
  }
  if (cliProblems.length === 0) {
    try {
      await spec.deployConfig?.(configuration, dir, "00000000000000000000000000000000");
    } catch (e) {
      cliProblems.push(describeCliError(e));
    }
  }
  // The CLI writes the wasm to [extensions.build] path when set, else dist/index.wasm.
  const build = configuration.build as { path?: unknown } | undefined;
  const outputPath = path.join(dir, typeof build?.path === "string" ? build.path : path.join("dist", "index.wasm"));
  let skipped: string | undefined;
  if (!existsSync(outputPath)) skipped = `wasm check skipped: ${path.relative(REPO, outputPath)} is built by \`shopify app build\` with javy (downloaded from github.com)`;
  else {
    try {
      await spec.preDeployValidation?.({ directory: dir, handle, configuration, outputPath });
    } catch (e) {
      cliProblems.push(describeCliError(e));
    }
  }
  const queries = functionQueryProblems(dir, configuration);
  return {
    dir,
    type: "function",
    cli: cliProblems.length ? cliProblems.join("\n") : null,
    rules: queries.length ? `${path.relative(REPO, dir)}: ${queries.join("\n")}` : null,
    skipped,
  };
}

/** Extension directories (with a shopify.extension.toml) directly under `root`. */
function extensionDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, "shopify.extension.toml")))
    .map((d) => path.join(root, d.name));
}

async function main(): Promise<number> {
  const roots = process.argv[2] ? [path.resolve(process.argv[2])] : [path.join(REPO, "extensions"), path.join(REPO, "functions")];
  const dirs = roots.flatMap(extensionDirs);
  if (dirs.length === 0) {
    console.error(`validate:extensions: no extension (shopify.extension.toml) under ${roots.join(", ")}`);
    return 1;
  }
  let failed = 0;
  for (const dir of dirs) {
    const r = await validateExtension(dir);
    const name = `${path.basename(dir)} (${r.type})`;
    if (!r.cli && !r.rules) {
      console.log(`ok   ${name}${r.skipped ? ` (${r.skipped})` : ""}`);
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
