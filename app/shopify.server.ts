// The one shopifyApp of the app: Admin API 2026-07, Prisma session storage, embedded, App Store distribution.
import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  LogSeverity,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import prisma from "./db.server";
import { onInstalled } from "./models/install.server";

export const apiVersion = ApiVersion.July26;

/**
 * Demo and test mode only: SHOPIFY_ADMIN_API_ORIGIN (e.g. http://127.0.0.1:4100) sends the library's outgoing
 * calls to https://<shop>.myshopify.com to the local dev store instead, which validates every document against
 * the pinned Admin schema. Unset in production, where calls go to Shopify.
 */
const devStoreOrigin = process.env.SHOPIFY_ADMIN_API_ORIGIN;
if (devStoreOrigin) {
  const realFetch = globalThis.fetch;
  setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname.endsWith(".myshopify.com")) {
      const headers = new Headers(init?.headers);
      headers.set("x-shopify-shop-domain", url.hostname);
      const local = new URL(url.pathname + url.search, devStoreOrigin);
      return realFetch(local, { ...init, headers });
    }
    return realFetch(input, init);
  });
}

const shopify = shopifyApp({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey: process.env.SHOPIFY_API_SECRET || "",
  apiVersion,
  scopes: process.env.SCOPES?.split(","),
  appUrl: process.env.SHOPIFY_APP_URL || "",
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  // The library logs a line per authenticated request at INFO: noise on hot storefront/checkout paths.
  logger: { level: process.env.SHOPIFY_LOG_LEVEL === "info" ? LogSeverity.Info : LogSeverity.Warning },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await onInstalled(session.shop, admin);
    },
  },
  ...(process.env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [process.env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
