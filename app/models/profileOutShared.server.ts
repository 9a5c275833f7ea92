/**
 * What every part of the profile publication shares: the Admin documents used by more than one part, the caller
 * options, the cost-aware client, Shopify's ACCESS_DENIED test, the settings kept on the app installation and the
 * last write-back's outcome.
 */
import { createAdminClient, type AdminClientOptions, type GraphqlFn } from "../lib/admin-client";
import { PROFILE_NAMESPACE } from "../lib/profile-out/fields";

export type Admin = { graphql: GraphqlFn };
export type UserError = { field?: string[] | null; message: string; code?: string | null };

export const DEFINITION_CREATE = `#graphql
  mutation ProfileDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition { id key }
      userErrors { field message code }
    }
  }`;

export const DEFINITION_UPDATE = `#graphql
  mutation ProfileDefinitionUpdate($definition: MetafieldDefinitionUpdateInput!) {
    metafieldDefinitionUpdate(definition: $definition) {
      updatedDefinition { id key }
      userErrors { field message code }
    }
  }`;

export const STAGED_UPLOAD = `#graphql
  mutation ProfileStagedUpload($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets { url resourceUrl parameters { name value } }
      userErrors { field message }
    }
  }`;

export const RUN_BULK_MUTATION = `#graphql
  mutation ProfileBulkWrite($mutation: String!, $stagedUploadPath: String!) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }`;

/** The mutation each JSONL line feeds (its variables are the line). */
export const BULK_METAFIELDS_SET = `#graphql
  mutation ProfileMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key }
      userErrors { field message code }
    }
  }`;

export const METAFIELDS_SET = `#graphql
  mutation ProfileMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key }
      userErrors { field message code }
    }
  }`;

export const METAFIELDS_DELETE = `#graphql
  mutation ProfileMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields { key }
      userErrors { field message }
    }
  }`;

export const CUSTOMER_TAGS = `#graphql
  query ProfileCustomerTags($id: ID!) {
    customer(id: $id) { id tags }
  }`;

export const TAGS_ADD = `#graphql
  mutation ProfileTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
  }`;

export const TAGS_REMOVE = `#graphql
  mutation ProfileTagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) { userErrors { field message } }
  }`;

export const APP_ID = `#graphql
  query ProfileAppId {
    currentAppInstallation { id app { id } }
  }`;

export const SEGMENT_CREATE = `#graphql
  mutation ProfileSegmentCreate($name: String!, $query: String!) {
    segmentCreate(name: $name, query: $query) {
      segment { id name query }
      userErrors { field message }
    }
  }`;

export const FLOW_TRIGGER = `#graphql
  mutation ProfileFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors { field message }
    }
  }`;

export const SETTINGS_READ = `#graphql
  query ProfileOutSettings {
    currentAppInstallation { id metafield(namespace: "$app:recovery_plays", key: "profile_out") { value } }
  }`;

export interface ProfileOutOptions {
  /** The app's public URL (the web pixel posts to it); SHOPIFY_APP_URL when absent. */
  appUrl?: string;
  client?: AdminClientOptions;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

export function client(admin: Admin, o: ProfileOutOptions = {}) {
  return createAdminClient(admin.graphql, { maxAttempts: 3, ...o.client });
}

export const log = (o: ProfileOutOptions) => o.log ?? ((msg: string, data?: Record<string, unknown>) => console.warn(`[profile-out] ${msg}`, data ?? {}));

/** Shopify's ACCESS_DENIED: by its code, or by its documented message "Access denied for <field> field." */
export function accessDenied(err: unknown, field: string): boolean {
  const details = (err as { details?: unknown } | null)?.details;
  const list = Array.isArray(details) ? (details as { message?: unknown; extensions?: { code?: unknown } }[]) : [];
  const message = err instanceof Error ? err.message : "";
  return list.some((e) => e?.extensions?.code === "ACCESS_DENIED" || String(e?.message ?? "").startsWith(`Access denied for ${field} field`)) || message.includes(`Access denied for ${field} field`);
}


// --------------------------------------------------------------------------------------------------- settings

export interface ProfileOutSettings {
  tags: boolean;
}

export async function readSettings(admin: Admin, o: ProfileOutOptions = {}): Promise<ProfileOutSettings & { installationId: string }> {
  const r = await client(admin, o).request<{ currentAppInstallation: { id: string; metafield: { value: string } | null } }>(SETTINGS_READ);
  let tags: boolean;
  try {
    tags = Boolean((JSON.parse(r.data.currentAppInstallation.metafield?.value ?? "{}") as { tags?: unknown }).tags === true);
  } catch {
    tags = false;
  }
  return { tags, installationId: r.data.currentAppInstallation.id };
}

/** The tags setting lives on the app installation (`$app:recovery_plays.profile_out`), off until turned on. */
export async function saveSettings(admin: Admin, s: ProfileOutSettings, o: ProfileOutOptions = {}): Promise<void> {
  const { installationId } = await readSettings(admin, o);
  const r = await client(admin, o).request<{ metafieldsSet: { userErrors: UserError[] } }>(METAFIELDS_SET, {
    metafields: [{ ownerId: installationId, namespace: PROFILE_NAMESPACE, key: "profile_out", type: "json", value: JSON.stringify({ tags: s.tags }) }],
  });
  if (r.data.metafieldsSet.userErrors.length) throw new Error(r.data.metafieldsSet.userErrors.map((e) => e.message).join("; "));
}

// ------------------------------------------------------------------------------------------ write-back status

export type WriteBackReason = "bulk_mutation_access" | "bulk_mutation_in_progress" | "upload_failed" | "start_failed";

export type WriteBackResult =
  | { status: "started"; bulkOperationId: string; customers: number; bytes: number }
  | { status: "empty"; customers: 0 }
  | { status: "failed"; reason: WriteBackReason; message: string };

export interface WriteBackStatus {
  status: WriteBackResult["status"];
  reason?: WriteBackReason;
  customers?: number;
  at: string;
}

/** The last write-back's outcome, kept next to the settings on the app installation, for the admin page. */
export async function recordWriteBack(admin: Admin, r: WriteBackResult, o: ProfileOutOptions = {}): Promise<void> {
  const s = await readSettings(admin, o);
  const last: WriteBackStatus = { status: r.status, at: new Date((o.now ?? Date.now)()).toISOString(), ...(r.status === "failed" ? { reason: r.reason } : { customers: r.customers }) };
  await client(admin, o).request(METAFIELDS_SET, {
    metafields: [{ ownerId: s.installationId, namespace: PROFILE_NAMESPACE, key: "profile_out", type: "json", value: JSON.stringify({ tags: s.tags, lastWriteBack: last }) }],
  });
}

export async function lastWriteBack(admin: Admin, o: ProfileOutOptions = {}): Promise<WriteBackStatus | null> {
  const r = await client(admin, o).request<{ currentAppInstallation: { metafield: { value: string } | null } }>(SETTINGS_READ);
  try {
    return (JSON.parse(r.data.currentAppInstallation.metafield?.value ?? "{}") as { lastWriteBack?: WriteBackStatus }).lastWriteBack ?? null;
  } catch {
    return null;
  }
}

