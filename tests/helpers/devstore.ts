// An Admin API client for the local dev store, authenticated the way the app is: a session token exchanged for
// an offline access token (OAuth token exchange), then `X-Shopify-Access-Token` on every GraphQL call.
import type { DevStore } from "../../devstore/server";

export async function devStoreAdmin(store: DevStore, apiKey: string, apiSecret: string) {
  const res = await fetch(`${store.url}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-shop-domain": store.shopDomain },
    body: JSON.stringify({
      client_id: apiKey,
      client_secret: apiSecret,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: store.sessionToken(),
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  return adminClient(store, token);
}

/**
 * The merchant acting in their own admin (refunds, cancellations): a staff grant with `scope`, not the app's.
 * The app itself is never granted write_orders, so tests that play the merchant must not borrow its token.
 */
export function merchantAdmin(store: DevStore, scope: string) {
  return adminClient(store, store.tokens.issueOffline(store.shopDomain, scope, false).access_token);
}

function adminClient(store: DevStore, token: string) {
  const graphql = (query: string, o?: { variables?: Record<string, unknown>; signal?: AbortSignal }) =>
    fetch(`${store.url}/admin/api/2026-07/graphql.json`, {
      method: "POST",
      signal: o?.signal,
      headers: { "content-type": "application/json", "x-shopify-access-token": token, "x-shopify-shop-domain": store.shopDomain },
      body: JSON.stringify({ query, variables: o?.variables ?? {} }),
    });
  return { token, graphql };
}
