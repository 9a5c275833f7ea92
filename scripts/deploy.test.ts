import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { deployBlockers } from "./deploy";

const root = path.resolve(__dirname, "..");
const repoToml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");

/** The repository's toml with the fields `shopify app config link` and a real host would set. */
function linked(text = repoToml, host = "recovery-plays.fly.dev") {
  return text
    .replace(/client_id = "0{32}"/, 'client_id = "a61950a2cbd5f32876b0b55587ec7a27"')
    .replaceAll("https://example.com", `https://${host}`);
}

describe("deploy guard", () => {
  it("GIVEN the repository's toml WHEN checked for deploy THEN it is refused for its placeholders (client id, application_url, redirect URLs)", () => {
    const problems = deployBlockers(repoToml);
    expect(problems.some((p) => p.startsWith("client_id"))).toBe(true);
    expect(problems.some((p) => p.startsWith("application_url is a placeholder (example.com)"))).toBe(true);
    expect(problems.filter((p) => p.startsWith("[auth] redirect_urls")).length).toBe(3);
  });

  it("GIVEN the toml linked to a real app on a real https host WHEN checked THEN nothing blocks the deploy (no unsupported field, a relative proxy url)", () => {
    expect(deployBlockers(linked())).toEqual([]);
  });

  it("GIVEN the app's proxy url WHEN read THEN it is a path the CLI resolves against application_url, not a second copy of the host", () => {
    const toml = parse(repoToml) as { app_proxy: { url: string }; build?: Record<string, unknown> };
    expect(toml.app_proxy.url).toBe("/apps/proxy");
    expect(toml.build && "include_config_on_deploy" in toml.build).toBe(false);
  });

  it("GIVEN include_config_on_deploy, an http URL, a localhost URL or an absolute example.com proxy url WHEN checked THEN each is refused", () => {
    expect(deployBlockers(linked().replace("[build]\n", "[build]\ninclude_config_on_deploy = true\n"))).toEqual([
      "[build] include_config_on_deploy is no longer supported by Shopify CLI: remove it",
    ]);
    expect(deployBlockers(linked(repoToml, "127.0.0.1:3000")).length).toBeGreaterThan(0);
    expect(deployBlockers(linked(repoToml, "localhost")).length).toBeGreaterThan(0);
    expect(deployBlockers(linked().replace('application_url = "https://', 'application_url = "http://'))).toEqual([
      "application_url must be an https URL: http://recovery-plays.fly.dev",
    ]);
    expect(deployBlockers(linked().replace('url = "/apps/proxy"', 'url = "https://example.com/apps/proxy"'))).toEqual([
      "[app_proxy] url is a placeholder (example.com): set your app's real URL",
    ]);
  });

  it("GIVEN the repository's toml WHEN `npm run deploy` runs THEN it exits 1 with the reasons, before calling the Shopify CLI", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.deploy).toBe("tsx scripts/deploy.ts");
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/deploy.ts")], { cwd: root, stdio: "pipe", encoding: "utf8" });
    } catch (error) {
      const e = error as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(1);
    expect(stderr).toContain("Not deploying: shopify.app.toml is not ready for real stores.");
    expect(stderr).toContain("application_url is a placeholder");
  });
});
