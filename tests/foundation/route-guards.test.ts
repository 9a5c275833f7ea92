// Every route has a guard, and docs/security.md lists every route with it. A new route without a guard (or
// missing from the table) fails this test.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = path.join("app", "routes");
/** A route's guard is recognised by the call it makes. */
const GUARDS: Record<string, RegExp> = {
  "session token (authenticate.admin)": /authenticate\.admin\(/,
  "webhook HMAC (receiveWebhook → authenticate.webhook)": /receiveWebhook\(|authenticate\.webhook\(/,
  "app proxy signature + timestamp (authenticateProxy)": /authenticateProxy\(/,
  "checkout session token (authenticateCheckout)": /authenticateCheckout\(/,
  "web pixel shop key + schema + rate limit (authenticatePixel)": /authenticatePixel\(/,
};
/** Routes that are public on purpose, with why. */
const PUBLIC: Record<string, string> = {
  "_index.tsx": "redirects to /app or prints a line; no data",
  "healthz.tsx": "liveness/readiness; no shop data",
};

const routeFiles = readdirSync(ROUTES).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f));
const securityDoc = readFileSync(path.join("docs", "security.md"), "utf8");

function guardOf(file: string): string | null {
  const src = readFileSync(path.join(ROUTES, file), "utf8");
  for (const [name, re] of Object.entries(GUARDS)) if (re.test(src)) return name;
  return null;
}

describe("route guards", () => {
  it("GIVEN the route folder WHEN enumerated THEN it has routes (the check is live)", () => {
    expect(routeFiles.length).toBeGreaterThan(5);
  });

  it.each(routeFiles)("GIVEN route %s THEN it calls a guard or is deliberately public", (file) => {
    const guard = guardOf(file);
    if (!guard) expect(PUBLIC[file], `${file} has no guard and is not in the public allowlist`).toBeDefined();
    // app.* admin pages are nested under app.tsx whose loader authenticates, but each page's own loader/action
    // must authenticate too (Remix runs loaders in parallel; a child cannot rely on the parent).
    if (file.startsWith("app.") || file === "app.tsx") expect(guard).toContain("authenticate.admin");
    if (file.startsWith("webhooks.")) expect(guard).toContain("webhook HMAC");
    if (file.startsWith("apps.proxy")) expect(guard).toContain("app proxy");
    if (file.startsWith("api.checkout")) expect(guard).toContain("checkout");
    if (file.startsWith("api.pixel")) expect(guard).toContain("web pixel");
  });

  it.each(routeFiles)("GIVEN route %s THEN docs/security.md lists it", (file) => {
    expect(securityDoc).toContain(`\`${file}\``);
  });
});
