// Signed requests built with Shopify's own test helpers (real HMACs and session-token JWTs, test secret).
import { randomUUID } from "node:crypto";
import {
  API_KEY,
  API_SECRET_KEY,
  APP_URL,
  TEST_SHOP,
  getHmac,
  getJwt,
  setUpValidSession,
} from "@shopify/shopify-api/test-helpers";
import { appProxySignature } from "../../devstore/signing";

export { API_KEY, API_SECRET_KEY, APP_URL, TEST_SHOP };
/** The scopes granted to test sessions: tests/setup/db.ts sets SCOPES from shopify.app.toml. */
export const SCOPES = process.env.SCOPES ?? "";

/** A webhook POST as Shopify sends it: raw JSON body, base64 HMAC-SHA256 header, topic and ids. */
export function webhookRequest(
  topic: string,
  payload: unknown,
  opts: { shop?: string; webhookId?: string; secret?: string; hmac?: string; path?: string } = {},
) {
  const body = JSON.stringify(payload);
  const shop = opts.shop ?? TEST_SHOP;
  return new Request(`${APP_URL}${opts.path ?? `/webhooks/${topic}`}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2026-07",
      "X-Shopify-Webhook-Id": opts.webhookId ?? randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Hmac-Sha256": opts.hmac ?? getHmac(body, opts.secret ?? API_SECRET_KEY),
    },
  });
}

/** Stores an offline session for the shop (as after install) so admin auth needs no token exchange. */
export async function installShop(shop = TEST_SHOP) {
  const { sessionStorage } = await import("../../app/shopify.server");
  const prisma = (await import("../../app/db.server")).default;
  await sessionStorage.storeSession(setUpValidSession({ shop, expires: undefined, scope: SCOPES }));
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: { uninstalledAt: null } });
}

/** An embedded admin request carrying a session token (JWT signed with the test secret) as App Bridge sends it. */
export async function adminRequest(
  path: string,
  init: RequestInit & { shop?: string; secret?: string } = {},
) {
  const shop = init.shop ?? TEST_SHOP;
  const { token } = await getJwt(shop.replace(/\.myshopify\.com$/, ""), API_KEY, init.secret ?? API_SECRET_KEY);
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(`${APP_URL}${path}`, { ...init, headers });
}

/** An app-proxy request as Shopify forwards it: sorted params signed with the app secret (hex). */
export function appProxyRequest(
  path: string,
  opts: { shop?: string; customerId?: string; timestamp?: number; secret?: string; method?: string; body?: string; extra?: Record<string, string> } = {},
) {
  const params: Record<string, string> = {
    shop: opts.shop ?? TEST_SHOP,
    logged_in_customer_id: opts.customerId ?? "",
    path_prefix: "/apps/recovery-plays",
    timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    ...opts.extra,
  };
  const signature = appProxySignature(params, opts.secret ?? API_SECRET_KEY);
  const qs = new URLSearchParams({ ...params, signature });
  return new Request(`${APP_URL}/apps/proxy${path}?${qs}`, {
    method: opts.method ?? "GET",
    body: opts.body,
    headers: opts.body ? { "Content-Type": "text/plain" } : undefined,
  });
}

/** A checkout-extension request: Bearer session token whose `sub` is the customer GID (or absent). */
export async function checkoutRequest(
  path: string,
  opts: { shop?: string; customerId?: string; secret?: string; method?: string; body?: string; exp?: number; origin?: string } = {},
) {
  const shop = opts.shop ?? TEST_SHOP;
  const overrides: Record<string, unknown> = {};
  if (opts.customerId) overrides.sub = `gid://shopify/Customer/${opts.customerId}`;
  else overrides.sub = undefined;
  if (opts.exp) overrides.exp = opts.exp;
  const { token } = await getJwt(shop.replace(/\.myshopify\.com$/, ""), API_KEY, opts.secret ?? API_SECRET_KEY, overrides);
  return new Request(`${APP_URL}${path}`, {
    method: opts.method ?? "GET",
    body: opts.body,
    headers: {
      Authorization: `Bearer ${token}`,
      Origin: opts.origin ?? "https://extensions.shopifycdn.com",
      ...(opts.body ? { "Content-Type": "application/json" } : {}),
    },
  });
}

export function hmacOf(body: string, secret = API_SECRET_KEY) {
  return getHmac(body, secret);
}
