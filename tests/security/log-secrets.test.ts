// Secrets only from the environment, and never in logs: drive every kind of edge (good and bad webhooks, app
// proxy, checkout, admin) while capturing all console output, then grep it for secrets and tokens.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "../helpers/db";
import {
  API_SECRET_KEY,
  appProxyRequest,
  checkoutRequest,
  installShop,
  TEST_SHOP,
  webhookRequest,
  hmacOf,
} from "../helpers/shopify";

type Handler = (args: ActionFunctionArgs) => Promise<Response> | Response;
async function call(fn: Handler, request: Request) {
  try {
    return await fn({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

// The most verbose level the app supports, so the library's own request logs are part of what is checked.
process.env.SHOPIFY_LOG_LEVEL = "info";

const captured: string[] = [];
const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
  vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
    captured.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a, Object.getOwnPropertyNames(a ?? {})))).join(" "));
  }),
);
afterAll(() => spies.forEach((s) => s.mockRestore()));

describe("no secrets in logs", () => {
  const secrets: string[] = [API_SECRET_KEY, "totally_real_token"];

  beforeAll(async () => {
    await resetDatabase();
    await installShop();
    const events = (await import("../../app/routes/apps.proxy.events")).action;
    const profile = (await import("../../app/routes/apps.proxy.profile")).loader;
    const checkout = (await import("../../app/routes/api.checkout.profile")).loader;
    const redact = (await import("../../app/routes/webhooks.customers.redact")).action;
    const body = JSON.stringify({ visitorId: "visitor-logs-01", events: [{ type: "page_view", occurredAt: Date.now() }] });
    const goodProxy = appProxyRequest("/events", { method: "POST", body, customerId: "5" });
    secrets.push(new URL(goodProxy.url).searchParams.get("signature")!);
    const good = await checkoutRequest("/api/checkout/profile", { customerId: "5" });
    secrets.push(good.headers.get("authorization")!.slice(7));
    const payload = { shop_domain: TEST_SHOP, customer: { id: 5 }, orders_to_redact: [] };
    secrets.push(hmacOf(JSON.stringify(payload)));
    await call(events, goodProxy);
    await call(events, appProxyRequest("/events", { method: "POST", body, secret: "wrong" }));
    await call(profile, appProxyRequest("/profile", { customerId: "5" }));
    await call(checkout, good);
    await call(checkout, await checkoutRequest("/api/checkout/profile", { secret: "wrong" }));
    await call(redact, webhookRequest("customers/redact", payload));
    await call(redact, webhookRequest("customers/redact", payload, { hmac: "Zm9yZ2Vk" }));
  });

  it("GIVEN requests were handled WHEN logs are captured THEN something was logged (the check is live)", () => {
    expect(captured.length).toBeGreaterThan(0);
  });

  it("GIVEN the captured logs THEN no secret, access token, session token, signature or HMAC appears", () => {
    const all = captured.join("\n");
    for (const s of secrets) expect(all.includes(s), `leaked ${s.slice(0, 6)}…`).toBe(false);
  });
});

// The real production server (server/index.ts built as `npm run build` builds it, over the Remix build), every
// request through the general stack (RP_FAST_LANE=0, so the edge paths reach the request log too), its stdout and
// stderr read back.
describe("the production server's access log", () => {
  const secrets = {
    signature: "5f1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100aa",
    customerId: "777123456789",
    idToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2ctdGVzdCJ9.c2lnbmF0dXJlLWxvZy10ZXN0",
    email: "jane.doe.logtest@example.com",
    checkoutToken: "ckt_0123456789abcdef_logtest",
  };
  const requests: [string, string, RequestInit?][] = [
    ["/apps/proxy/profile", `?shop=test-shop.myshopify.com&logged_in_customer_id=${secrets.customerId}&path_prefix=%2Fapps%2Frecovery-plays&timestamp=1700000000&signature=${secrets.signature}`],
    ["/apps/proxy/events", `?shop=test-shop.myshopify.com&logged_in_customer_id=${secrets.customerId}&signature=${secrets.signature}`, { method: "POST", body: "{}" }],
    ["/app", `?embedded=1&shop=test-shop.myshopify.com&host=YWRtaW4&id_token=${secrets.idToken}`],
    ["/app/customers", `?q=${encodeURIComponent(secrets.email)}`],
    ["/api/checkout/profile", `?token=${secrets.checkoutToken}`],
  ];
  let output = "";

  beforeAll(async () => {
    const { spawn } = await import("node:child_process");
    const { existsSync, mkdtempSync, symlinkSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { buildServer } = await import("../../scripts/build-server");
    const { ensureAppBuilt, freePort } = await import("../../scripts/stack");
    const root = path.resolve(import.meta.dirname, "../..");
    // The request log is server/'s: serve.js is built from the current source; the Remix build it loads only
    // answers the requests (built once if missing).
    if (!existsSync(path.join(root, "build", "server", "index.js"))) await ensureAppBuilt(() => undefined);
    const dir = mkdtempSync(path.join(tmpdir(), "rp-serve-"));
    for (const name of ["server", "client"]) symlinkSync(path.join(root, "build", name), path.join(dir, name));
    symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    await buildServer(dir);
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(dir, "serve.js")], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", RP_FAST_LANE: "0", DISABLE_SCHEDULER: "1", VITEST: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        if (await fetch(`${base}/healthz`).then(() => true, () => false)) break;
        if (i > 150) throw new Error(`the server did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const [p, q, init] of requests) await (await fetch(`${base}${p}${q}`, { redirect: "manual", ...init })).arrayBuffer();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it("GIVEN proxy, admin and checkout requests WHEN the server logs them THEN each has its line (the check is live)", () => {
    for (const [p] of requests) expect(output, p).toMatch(new RegExp(`(GET|POST) ${p.replace(/\//g, "\\/")}\\?\\S*=… \\d{3}`));
  });

  it("GIVEN the server's log output THEN no signature, customer id, id_token, search email or checkout token appears", () => {
    for (const [name, value] of Object.entries(secrets)) {
      expect(output.includes(value), `leaked ${name}`).toBe(false);
      expect(output.includes(encodeURIComponent(value)), `leaked ${name} (encoded)`).toBe(false);
    }
  });
});
