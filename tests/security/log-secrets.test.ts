// Secrets only from the environment, and never in logs: drive every kind of edge (good and bad webhooks, app
// proxy, checkout, admin) while capturing all console output, then grep it for secrets and tokens.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "../helpers/db";
import {
  API_SECRET_KEY,
  appProxyRequest,
  checkoutRequest,
  installShop,
  webhookRequest,
  hmacOf,
} from "../helpers/shopify";

type Handler = (args: any) => Promise<Response> | Response;
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
    const payload = { customer: { id: 5 }, orders_to_redact: [] };
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
