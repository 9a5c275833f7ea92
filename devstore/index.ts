// Public surface of the local dev store (see devstore/server.ts and README "Local dev store").
export { startDevStore, type DevStore, type DevStoreOptions, type StorefrontCtx, type StoreSize } from "./server";
export { generateStore, generateCustomerHistories, generateCustomerHistory, generateProducts, DEMO_SHOP_DOMAIN } from "./seed/generate";
export { writeHistoryJsonl, HISTORY_BULK_QUERY } from "./seed/jsonl";
export { rfmFor, rfmGroupFromScores } from "./seed/rfm";
export { signWebhook, orderWebhookPayload } from "./webhooks";
export { signSessionToken, verifySessionToken } from "./admin/auth";
export { loadAppConfig } from "./config";
