// `npm run deploy [-- <shopify app deploy flags>]`: refuses while shopify.app.toml still holds this repository's
// placeholders, then runs `shopify app deploy`. `shopify app deploy` pushes the toml's application_url, redirect
// URLs, app proxy and webhook URLs to every store that has the app, so a placeholder (https://example.com) would
// point real merchants' admin, OAuth, storefront proxy and compliance webhooks at a host that is not the app.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";

/** The client_id this repository ships with; `shopify app config link` replaces it with the app's real one. */
export const PLACEHOLDER_CLIENT_ID = "00000000000000000000000000000000";

// Hosts that can never be the deployed app: the reserved example domains (RFC 2606 / 6761), loopback, and
// reserved test TLDs.
const PLACEHOLDER_HOST = /(^|\.)(example\.(com|net|org)|example|invalid|test|localhost)$|^127\.|^0\.0\.0\.0$|^\[::1\]$/i;

/** Why this URL may not be deployed, or null. `relative` allows a path (the CLI resolves it against application_url). */
function urlProblem(value: unknown, field: string, relative = false): string | null {
  if (typeof value !== "string" || value === "") return `${field} is missing`;
  if (relative && value.startsWith("/")) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} is not a URL: ${value}`;
  }
  if (url.protocol !== "https:") return `${field} must be an https URL: ${value}`;
  if (PLACEHOLDER_HOST.test(url.hostname)) return `${field} is a placeholder (${url.hostname}): set your app's real URL`;
  return null;
}

/** Everything in the toml text that must not reach `shopify app deploy`; empty = safe to deploy. */
/** The parts of shopify.app.toml checked here; every value is checked before use. */
interface AppToml {
  client_id?: unknown;
  application_url?: unknown;
  auth?: { redirect_urls?: unknown };
  app_proxy?: { url?: unknown };
  webhooks?: { subscriptions?: { uri?: unknown }[] };
  build?: Record<string, unknown>;
}

export function deployBlockers(tomlText: string): string[] {
  let toml: AppToml;
  try {
    toml = parse(tomlText) as AppToml;
  } catch (error) {
    return [`shopify.app.toml does not parse: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  if (typeof toml.client_id !== "string" || toml.client_id === "" || toml.client_id === PLACEHOLDER_CLIENT_ID) {
    problems.push("client_id is the repository placeholder: run `npx shopify app config link` first");
  }
  const appUrl = urlProblem(toml.application_url, "application_url");
  if (appUrl) problems.push(appUrl);
  const redirects: unknown = toml.auth?.redirect_urls;
  if (!Array.isArray(redirects) || redirects.length === 0) problems.push("[auth] redirect_urls is empty");
  else redirects.forEach((u, i) => {
    const p = urlProblem(u, `[auth] redirect_urls[${i}]`);
    if (p) problems.push(p);
  });
  if (toml.app_proxy) {
    const p = urlProblem(toml.app_proxy.url, "[app_proxy] url", true);
    if (p) problems.push(p);
  }
  for (const [i, sub] of ((toml.webhooks?.subscriptions ?? []) as { uri?: unknown }[]).entries()) {
    const p = urlProblem(sub.uri, `[[webhooks.subscriptions]][${i}] uri`, true);
    if (p) problems.push(p);
  }
  // Shopify CLI 3.94: "The `include_config_on_deploy` field is no longer supported, since all apps must now include
  // configuration on deploy." (it rewrites the file on deploy; fail here instead, before anything is pushed).
  if (toml.build && "include_config_on_deploy" in toml.build) {
    problems.push("[build] include_config_on_deploy is no longer supported by Shopify CLI: remove it");
  }
  return problems;
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const args = process.argv.slice(2);
  const configFlag = args.findIndex((a) => a === "--config" || a === "-c");
  const name = configFlag >= 0 ? args[configFlag + 1] : undefined;
  const file = path.join(root, name ? (name.endsWith(".toml") ? name : `shopify.app.${name}.toml`) : "shopify.app.toml");
  const problems = deployBlockers(readFileSync(file, "utf8"));
  if (problems.length) {
    console.error(`Not deploying: ${path.basename(file)} is not ready for real stores.\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  const run = spawnSync("npx", ["shopify", "app", "deploy", ...args], { cwd: root, stdio: "inherit" });
  process.exit(run.status ?? 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
