// Shared state of the dev store's Admin side, handed to resolvers as the GraphQL context.
import type { ProtectedDataAccess } from "../config";
import type { DevShop, DevStoreData } from "../types";
import type { StoreData } from "./data";

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOperationRecord {
  id: string;
  shop: string;
  type: "QUERY" | "MUTATION";
  status: BulkStatus;
  query: string;
  createdAt: string;
  completedAt: string | null;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  file: string | null;
  cancelRequested: boolean;
}

export interface Faults {
  adminStatus: number | null;
  adminDelayMs: number;
  throttleAll: boolean;
  bulkFail: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  bulkExpire: boolean;
  /** Slows the bulk executor per chunk, so tests can observe RUNNING / cancel. */
  bulkChunkDelayMs: number;
}

export const NO_FAULTS: Faults = {
  adminStatus: null,
  adminDelayMs: 0,
  throttleAll: false,
  bulkFail: null,
  bulkExpire: false,
  bulkChunkDelayMs: 0,
};

/**
 * Bulk operations access, enabled per operation type in the Partner Dashboard. `…EnabledAt` null = not enabled;
 * `lastQueryRunAt` = the last bulk query started (epoch ms). Access lapses after 31 days without a run.
 */
export interface BulkAccess {
  queriesEnabledAt: number | null;
  lastQueryRunAt: number | null;
}

export interface AdminEnv {
  state: DevStoreData;
  data: StoreData;
  storeUrl: string;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Numeric id of the app (the `app--<id>--` prefix of app-reserved metafield namespaces). */
  appId: string;
  appInstallationId: string;
  /** Scopes the app is granted at install (its toml `access_scopes`); each token carries the grant it was issued with. */
  scopes: string[];
  /** The app's approved protected customer data access (default: what the app declares, DECLARED_PROTECTED_DATA). */
  pcd: ProtectedDataAccess;
  dataDir: string;
  faults: Faults;
  bulkOps: BulkOperationRecord[];
  /** The store's "now" (the seed's now, moving with real time); Date.now when unset. */
  now?: () => number;
  /** The app's bulk operations access (Partner Dashboard); fully enabled when unset. */
  bulkAccess?: BulkAccess;
  deliverWebhook(topic: string, shop: string, payload: unknown): Promise<void>;
  nextId(): number;
}

export interface AdminContext {
  env: AdminEnv;
  shop: DevShop;
  /** Scopes of the access token this request came with (the token's grant; defaults to env.scopes). */
  scopes?: string[];
  /** Set by the bulk executor: the root connection resolves to exactly these items, nested ones ignore `first`. */
  bulk?: { rootField: string; items: unknown[] };
}
