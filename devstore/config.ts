// Reads the app's shopify.app.toml (webhook subscriptions, compliance topics, scopes, app handle) the way Shopify
// does at deploy time, with defaults so the dev store runs before the file exists.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";

export const API_VERSION = "2026-07";

/** Protected customer fields, approved one by one in the Partner Dashboard (level 2). */
export type ProtectedField = "name" | "email" | "phone" | "address";

/**
 * The app's approved protected customer data access (Partner Dashboard, not the toml): level 0 none, 1 customer
 * and order data without name/address/phone/email, 2 with the listed fields.
 */
export interface ProtectedDataAccess {
  level: 0 | 1 | 2;
  fields: ProtectedField[];
}

/** What shopify.app.toml, README and docs/profiles.md declare the app requests: level 1, no protected fields. */
export const DECLARED_PROTECTED_DATA: ProtectedDataAccess = { level: 1, fields: [] };

export interface AppConfig {
  handle: string;
  scopes: string[];
  protectedCustomerData: ProtectedDataAccess;
  /** topic → app path (e.g. "orders/create" → "/webhooks/orders/create"). */
  webhooks: Record<string, string>;
  navLinks: { label: string; href: string }[];
}

export const DEFAULT_WEBHOOKS: Record<string, string> = {
  "orders/create": "/webhooks/orders/create",
  "orders/updated": "/webhooks/orders/updated",
  "refunds/create": "/webhooks/refunds/create",
  "bulk_operations/finish": "/webhooks/bulk_operations/finish",
  "app/uninstalled": "/webhooks/app/uninstalled",
  "app/scopes_update": "/webhooks/app/scopes_update",
  "customers/data_request": "/webhooks/customers/data_request",
  "customers/redact": "/webhooks/customers/redact",
  "shop/redact": "/webhooks/shop/redact",
};

export function loadAppConfig(tomlPath = path.join(process.cwd(), "shopify.app.toml")): AppConfig {
  const config: AppConfig = {
    handle: "recovery-plays",
    scopes: ["read_customers", "read_orders", "read_all_orders", "write_discounts", "read_themes", "write_app_proxy"],
    protectedCustomerData: { ...DECLARED_PROTECTED_DATA, fields: [...DECLARED_PROTECTED_DATA.fields] },
    webhooks: { ...DEFAULT_WEBHOOKS },
    navLinks: [],
  };
  if (!existsSync(tomlPath)) return config;
  const toml = parse(readFileSync(tomlPath, "utf8")) as {
    handle?: unknown;
    access_scopes?: { scopes?: unknown };
    webhooks?: { subscriptions?: { uri: string; topics?: string[]; compliance_topics?: string[] }[] };
  };
  if (typeof toml.handle === "string") config.handle = toml.handle;
  const scopes = toml.access_scopes?.scopes;
  if (typeof scopes === "string") config.scopes = scopes.split(",").map((s: string) => s.trim()).filter(Boolean);
  const subs = toml.webhooks?.subscriptions ?? [];
  if (subs.length) {
    config.webhooks = {};
    for (const s of subs) {
      for (const topic of [...(s.topics ?? []), ...(s.compliance_topics ?? [])]) {
        // Relative URIs are resolved against the app URL, as `shopify app deploy` does.
        config.webhooks[topic] = s.uri;
      }
    }
  }
  return config;
}
