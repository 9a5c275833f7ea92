// Starts the whole thing locally: the local dev store (Admin API, storefront, admin frame) and the app
// (built Remix server) wired to it. Used by `npm run demo` and by the end-to-end tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrate } from "./db-migrate-lib";
import { loadAppConfig } from "../devstore/config";
import type { DevStore } from "../devstore/server";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/** Demo-only credentials: the dev store signs session tokens and webhooks with this secret. */
export const DEMO_API_KEY = "recovery-plays-demo-key";
export const DEMO_API_SECRET = "recovery-plays-demo-secret";
/** The scopes the app requires: exactly the toml's, as Shopify CLI passes them (the setup guide compares grants to them). */
export const SCOPES = loadAppConfig(path.join(root, "shopify.app.toml")).scopes.join(",");

export interface Stack {
  appUrl: string;
  storeUrl: string;
  adminUrl: string;
  shop: string;
  databaseUrl: string;
  apiKey: string;
  apiSecret: string;
  devstore: DevStore;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function newestMtime(dir: string): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    max = Math.max(max, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return max;
}

/** The app's build folder: `build/`, or RP_BUILD_DIR for a run that needs its own. */
export const buildDir = () => process.env.RP_BUILD_DIR || "build";

/** Builds the Remix app (vite) and the HTTP server (server/) unless the build folder is newer than their sources. */
export async function ensureAppBuilt(log: (m: string) => void = console.log) {
  const remixServer = path.join(root, buildDir(), "server", "index.js");
  const httpServer = path.join(root, buildDir(), "serve.js");
  if (!existsSync(remixServer) || statSync(remixServer).mtimeMs <= newestMtime(path.join(root, "app"))) {
    log("building the app (remix vite:build)…");
    const r = spawnSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (r.status !== 0) throw new Error("app build failed");
  }
  if (!existsSync(httpServer) || statSync(httpServer).mtimeMs <= newestMtime(path.join(root, "server"))) {
    const { buildServer } = await import("./build-server");
    await buildServer(buildDir());
  }
}

async function waitForHttp(url: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { headers: { "user-agent": "Mozilla/5.0 Chrome/120 stack-probe" } });
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function startStack(opts: {
  appPort?: number;
  storePort?: number;
  databaseUrl?: string;
  seed?: number;
  size?: "demo" | "test";
  quiet?: boolean;
  env?: Record<string, string>;
  /** Render this Shopify theme folder (e.g. ../shared/themes/horizon) instead of the dev store's own theme. */
  themeDir?: string;
  /** Override the theme's `cart_type` setting (Horizon: drawer by default; Dawn: notification). */
  cartType?: "drawer" | "notification" | "page";
  /** Receives the app server's stdout and stderr (tests that read its log); otherwise they follow `quiet`. */
  output?: (chunk: string) => void;
} = {}): Promise<Stack> {
  const log = opts.quiet ? () => undefined : (m: string) => console.log(m);
  const appPort = opts.appPort ?? (await freePort());
  const storePort = opts.storePort ?? (await freePort());
  const appUrl = `http://127.0.0.1:${appPort}`;
  const databaseUrl = opts.databaseUrl ?? `file:${path.join(mkdtempSync(path.join(tmpdir(), "rp-stack-")), "app.sqlite")}`;
  await migrate(databaseUrl);
  await ensureAppBuilt(log);

  const { startDevStore } = await import("../devstore/server");
  const devstore = await startDevStore({
    port: storePort,
    appUrl,
    apiKey: DEMO_API_KEY,
    apiSecret: DEMO_API_SECRET,
    seed: opts.seed ?? 42,
    size: opts.size ?? "demo",
    quiet: opts.quiet,
    // Without themeDir the dev store falls back to DEVSTORE_THEME_DIR / DEVSTORE_CART_TYPE (npm run demo).
    ...(opts.themeDir ? { theme: { dir: opts.themeDir, cartType: opts.cartType } } : {}),
  });
  const storeUrl: string = devstore.url;

  const child: ChildProcess = spawn(
    process.execPath,
    // STACK_NODE_ARGS: extra flags for the app server's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a bench).
    [...(process.env.STACK_NODE_ARGS ?? "").split(" ").filter(Boolean), `./${buildDir()}/serve.js`],
    {
      cwd: root,
      stdio: ["ignore", opts.output ? "pipe" : opts.quiet ? "ignore" : "inherit", opts.output ? "pipe" : "inherit"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(appPort),
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        SHOPIFY_API_KEY: DEMO_API_KEY,
        SHOPIFY_API_SECRET: DEMO_API_SECRET,
        SHOPIFY_APP_URL: appUrl,
        SCOPES,
        SHOPIFY_ADMIN_API_ORIGIN: storeUrl,
        APP_BRIDGE_URL: `${storeUrl}/app-bridge.js`,
        ...opts.env,
      },
    },
  );
  child.stdout?.on("data", (d: Buffer) => opts.output?.(d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => opts.output?.(d.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitForHttp(`${appUrl}/healthz`);
  log(`app ready at ${appUrl}`);

  return {
    appUrl,
    storeUrl,
    adminUrl: `${storeUrl}/admin`,
    shop: devstore.shopDomain ?? devstore.state?.shop?.domain,
    databaseUrl,
    apiKey: DEMO_API_KEY,
    apiSecret: DEMO_API_SECRET,
    devstore,
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      await devstore.stop();
    },
  };
}
