// The shared Shopify fixtures (../shared: Horizon and Dawn themes, pinned schemas). Tests that need them call
// these helpers: when the fixtures are missing they print a loud message and skip, except under CI=true,
// where a missing fixture is a failure (a CI run must never pass by skipping).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The shared fixtures folder: SHARED_DIR, or ../shared next to the repository. */
export function sharedDir(): string {
  return process.env.SHARED_DIR ?? path.resolve(REPO, "../shared");
}

/** Folder of a shared theme fixture ("horizon", "dawn"); DEVSTORE_THEME_DIR wins for the theme it names. */
export function sharedThemeDir(name: "horizon" | "dawn"): string {
  const env = process.env.DEVSTORE_THEME_DIR;
  if (env && path.basename(path.resolve(env)).toLowerCase() === name) return path.resolve(env);
  return path.join(sharedDir(), "themes", name);
}

/**
 * True when `dir` exists. Otherwise prints a loud warning and returns false (callers skip), or throws when
 * CI=true. Use as `describe.skipIf(!requireShared(dir, "Horizon theme"))(...)`.
 */
export function requireShared(dir: string, what: string): boolean {
  if (existsSync(dir)) return true;
  const message = `${what} not found at ${dir} (set SHARED_DIR or DEVSTORE_THEME_DIR)`;
  if (process.env.CI === "true") throw new Error(`[shared fixtures] ${message}: required under CI=true`);
  console.warn(`\n!!!!!!!!!! SKIPPED: ${message} !!!!!!!!!!\n`);
  return false;
}
