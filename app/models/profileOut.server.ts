/**
 * The unified profile, published into Shopify: customer metafield definitions (merchant-readable, segment
 * filterable), the values written by ONE bulk mutation after a history sync and per customer afterwards, optional
 * customer tags, ready-made customer segments, the "Shopper hesitated" Flow trigger, and erasure on redact.
 * The contract (keys, types, consent gating) is app/lib/profile-out/fields.ts.
 */
import { createWriteStream, mkdtempSync, openAsBlob, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import prisma from "../db.server";
import { createAdminClient, type AdminClientOptions, type GraphqlFn } from "../lib/admin-client";
import { PROFILE_FIELDS, PROFILE_NAMESPACE, PROFILE_OWNER_TYPE, PLAY_BARRIER, type ProfileValues } from "../lib/profile-out/fields";
import { historyLine, inputsLine, metafieldInputs, customerGid } from "../lib/profile-out/encode";
import { APP_TAGS, desiredTags, tagChanges } from "../lib/profile-out/tags";
import { appIdOf, segmentQuery, type ReadySegment } from "../lib/profile-out/segments";
import { HESITATED_TRIGGER_HANDLE, hesitatedPayload } from "../lib/profile-out/flow";
import { PLAY_KEYS, type LifecycleStage, type PlayKey, type RfmGroup } from "../lib/plays/types";
import { liveStage } from "./profiles.server";

type Admin = { graphql: GraphqlFn };
type UserError = { field?: string[] | null; message: string; code?: string | null };

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
  client?: AdminClientOptions;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

function client(admin: Admin, o: ProfileOutOptions = {}) {
  return createAdminClient(admin.graphql, { maxAttempts: 3, ...o.client });
}

const log = (o: ProfileOutOptions) => o.log ?? ((msg: string, data?: Record<string, unknown>) => console.warn(`[profile-out] ${msg}`, data ?? {}));

/** Shopify's ACCESS_DENIED: by its code, or by its documented message "Access denied for <field> field." */
function accessDenied(err: unknown, field: string): boolean {
  const details = (err as { details?: unknown } | null)?.details;
  const list = Array.isArray(details) ? (details as { message?: unknown; extensions?: { code?: unknown } }[]) : [];
  const message = err instanceof Error ? err.message : "";
  return list.some((e) => e?.extensions?.code === "ACCESS_DENIED" || String(e?.message ?? "").startsWith(`Access denied for ${field} field`)) || message.includes(`Access denied for ${field} field`);
}

// ------------------------------------------------------------------------------------------------ definitions

export interface DefinitionsResult {
  created: string[];
  updated: string[];
  errors: string[];
}

/**
 * Creates the customer metafield definitions (install) or updates name, description and access (upgrade: a
 * definition that exists answers TAKEN, then it is updated). Admin access MERCHANT_READ shows the values on the
 * customer page; text, number and boolean definitions are what Shopify's segment editor can filter on.
 */
export async function ensureProfileDefinitions(admin: Admin, o: ProfileOutOptions = {}): Promise<DefinitionsResult> {
  const c = client(admin, o);
  const out: DefinitionsResult = { created: [], updated: [], errors: [] };
  for (const f of PROFILE_FIELDS) {
    const common = { namespace: PROFILE_NAMESPACE, key: f.key, ownerType: PROFILE_OWNER_TYPE, name: f.name, description: f.description, access: { admin: "MERCHANT_READ" } };
    const r = await c.request<{ metafieldDefinitionCreate: { createdDefinition: { id: string } | null; userErrors: UserError[] } }>(DEFINITION_CREATE, {
      definition: { ...common, type: f.type },
    });
    const ue = r.data.metafieldDefinitionCreate.userErrors;
    if (ue.length === 0) { out.created.push(f.key); continue; }
    if (ue.some((e) => e.code === "TAKEN")) {
      const u = await c.request<{ metafieldDefinitionUpdate: { userErrors: UserError[] } }>(DEFINITION_UPDATE, { definition: common });
      if (u.data.metafieldDefinitionUpdate.userErrors.length === 0) out.updated.push(f.key);
      else out.errors.push(`${f.key}: ${u.data.metafieldDefinitionUpdate.userErrors.map((e) => e.message).join("; ")}`);
      continue;
    }
    out.errors.push(`${f.key}: ${ue.map((e) => e.message).join("; ")}`);
  }
  return out;
}

// ------------------------------------------------------------------------------------------- bulk write-back

export type WriteBackReason = "bulk_mutation_access" | "bulk_mutation_in_progress" | "upload_failed" | "start_failed";

export type WriteBackResult =
  | { status: "started"; bulkOperationId: string; customers: number; bytes: number }
  | { status: "empty"; customers: 0 }
  | { status: "failed"; reason: WriteBackReason; message: string };

/** Streams the shop's profiles as JSONL lines of metafieldsSet variables (history fields; no consent needed). */
export async function* historyLines(shop: string, pageSize = 5000, db: PrismaClient = prisma): AsyncGenerator<string> {
  let cursor: string | undefined;
  for (;;) {
    // Keyset pagination on the primary key (shop, customerId): every page is an index range, whatever the offset.
    const rows = await db.customerProfile.findMany({
      where: { shop, ordersCount: { gt: 0 }, ...(cursor ? { customerId: { gt: cursor } } : {}) },
      select: { customerId: true, stage: true, segment: true, aov: true, ordersCount: true, lastOrderAt: true },
      orderBy: { customerId: "asc" },
      take: pageSize,
    });
    if (rows.length === 0) return;
    for (const r of rows) {
      // The stored stage was computed at sync time; the live one accounts for time passing since.
      const stage = liveStage({ ordersCount: r.ordersCount, lastOrderAt: r.lastOrderAt, segment: r.segment });
      yield historyLine({ customerId: r.customerId, stage, segment: r.segment, aov: r.aov });
    }
    cursor = rows[rows.length - 1]!.customerId;
  }
}

/**
 * One bulk mutation for the whole shop: stage an upload, POST the JSONL to it, run `bulkOperationRunMutation`.
 * Bulk mutations need their own access grant (Partner Dashboard) and Shopify runs one bulk mutation per shop at a
 * time: both come back as typed reasons the admin explains.
 */
export async function writeBackProfiles(shop: string, admin: Admin, o: ProfileOutOptions = {}, lines: AsyncIterable<string> = historyLines(shop)): Promise<WriteBackResult> {
  const file = await buildJsonlFile(lines);
  try {
    if (file.lines === 0) return { status: "empty", customers: 0 };
    return await uploadAndRun(shop, admin, file, o);
  } finally {
    rmSync(file.dir, { recursive: true, force: true });
  }
}

export interface JsonlFile {
  dir: string;
  path: string;
  lines: number;
  bytes: number;
}

/** Streams the lines to a temporary file: the upload then reads it from disk, so memory stays flat at any size. */
export async function buildJsonlFile(lines: AsyncIterable<string>): Promise<JsonlFile> {
  const dir = mkdtempSync(path.join(tmpdir(), "rp-profile-out-"));
  const file = path.join(dir, "profiles.jsonl");
  const out = createWriteStream(file);
  let n = 0;
  let bytes = 0;
  let buf = "";
  for await (const l of lines) {
    buf += l + "\n";
    n++;
    if (buf.length > 1 << 16) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  if (buf) {
    bytes += Buffer.byteLength(buf);
    out.write(buf);
  }
  out.end();
  await once(out, "finish");
  return { dir, path: file, lines: n, bytes };
}

async function uploadAndRun(shop: string, admin: Admin, file: JsonlFile, o: ProfileOutOptions): Promise<WriteBackResult> {
  const customers = file.lines;
  const c = client(admin, o);
  let stagedPath: string;
  try {
    const staged = await c.request<{ stagedUploadsCreate: { stagedTargets: { url: string; parameters: { name: string; value: string }[] }[]; userErrors: UserError[] } }>(STAGED_UPLOAD, {
      input: [{ resource: "BULK_MUTATION_VARIABLES", filename: "profiles.jsonl", mimeType: "text/jsonl", httpMethod: "POST" }],
    });
    const target = staged.data.stagedUploadsCreate.stagedTargets[0];
    if (!target || staged.data.stagedUploadsCreate.userErrors.length) {
      return { status: "failed", reason: "upload_failed", message: staged.data.stagedUploadsCreate.userErrors.map((e) => e.message).join("; ") || "no staged target" };
    }
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    // The file part comes last, after the signed parameters (staged upload targets require that order).
    form.append("file", await openAsBlob(file.path, { type: "text/jsonl" }), "profiles.jsonl");
    const res = await (o.fetch ?? fetch)(target.url, { method: "POST", body: form });
    if (!res.ok) return { status: "failed", reason: "upload_failed", message: `upload answered ${res.status}` };
    stagedPath = target.parameters.find((p) => p.name === "key")?.value ?? "";
  } catch (err) {
    if (err instanceof Response) throw err;
    return { status: "failed", reason: "upload_failed", message: err instanceof Error ? err.message : String(err) };
  }
  try {
    const r = await c.request<{ bulkOperationRunMutation: { bulkOperation: { id: string } | null; userErrors: UserError[] } }>(RUN_BULK_MUTATION, {
      mutation: BULK_METAFIELDS_SET.replace(/^#graphql\s*/, ""),
      stagedUploadPath: stagedPath,
    });
    const { bulkOperation, userErrors } = r.data.bulkOperationRunMutation;
    if (userErrors.some((e) => e.code === "OPERATION_IN_PROGRESS")) {
      return { status: "failed", reason: "bulk_mutation_in_progress", message: userErrors.map((e) => e.message).join("; ") };
    }
    if (!bulkOperation) return { status: "failed", reason: "start_failed", message: userErrors.map((e) => e.message).join("; ") || "no bulk operation" };
    return { status: "started", bulkOperationId: bulkOperation.id, customers, bytes: file.bytes };
  } catch (err) {
    if (err instanceof Response) throw err;
    const message = err instanceof Error ? err.message : String(err);
    log(o)("bulk write-back could not start", { shop, message });
    if (accessDenied(err, "bulkOperationRunMutation")) return { status: "failed", reason: "bulk_mutation_access", message };
    return { status: "failed", reason: "start_failed", message };
  }
}

// -------------------------------------------------------------------------------------- one customer at a time

/**
 * Consent as the storefront records it: the embed sends nothing without analytics consent (Customer Privacy
 * API), so a customer with stored storefront events consented; one without has no hesitation data to write.
 */
export async function hasStorefrontConsent(shop: string, customerId: string): Promise<boolean> {
  return (await prisma.event.count({ where: { shop, customerId }, take: 1 })) > 0;
}

/** The customer's values: history from the profile, behaviour (consent-gated) from events and exposures. */
export async function profileValues(shop: string, customerId: string, now = Date.now()): Promise<{ values: ProfileValues; consented: boolean } | null> {
  const p = await prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId } } });
  const consented = await hasStorefrontConsent(shop, customerId);
  if (!p && !consented) return null;
  const values: ProfileValues = {};
  if (p) {
    values.stage = liveStage(p, now) as LifecycleStage;
    values.rfm_group = p.segment as RfmGroup;
    values.aov = p.aov;
  }
  if (consented) {
    const exposures = await prisma.playExposure.findMany({ where: { shop, customerId }, select: { play: true, arm: true, shownAt: true, firstEligibleAt: true } });
    values.plays_seen = [...new Set(exposures.filter((e) => e.shownAt).map((e) => e.play as PlayKey))];
    values.holdout = exposures.some((e) => e.arm === "holdout");
    const last = await prisma.event.findFirst({ where: { shop, customerId, type: "eligible", play: { in: [...PLAY_KEYS] } }, orderBy: { occurredAt: "desc" } });
    if (last?.play) {
      const play = last.play as PlayKey;
      values.last_hesitation = { play, barrier: PLAY_BARRIER[play], at: last.occurredAt.toISOString() };
      values.hesitation_barrier = PLAY_BARRIER[play];
    }
  }
  return { values, consented };
}

/** Writes one customer's metafields (orders/create, storefront hesitation): one metafieldsSet call. */
export async function writeCustomerProfile(shop: string, admin: Admin, customerId: string, o: ProfileOutOptions = {}): Promise<number> {
  const v = await profileValues(shop, customerId, (o.now ?? Date.now)());
  if (!v) return 0;
  const inputs = metafieldInputs(customerId, v.values, v.consented);
  if (inputs.length === 0) return 0;
  const r = await client(admin, o).request<{ metafieldsSet: { userErrors: UserError[] } }>(METAFIELDS_SET, { metafields: inputs });
  if (r.data.metafieldsSet.userErrors.length) {
    log(o)("metafieldsSet refused", { shop, customerId, errors: r.data.metafieldsSet.userErrors });
    return 0;
  }
  return inputs.length;
}

/** Incremental JSONL line for a customer (used by the bench and by tests to compare with historyLine). */
export async function customerLine(shop: string, customerId: string): Promise<string | null> {
  const v = await profileValues(shop, customerId);
  return v ? inputsLine(metafieldInputs(customerId, v.values, v.consented)) : null;
}

// ------------------------------------------------------------------------------------------------------ tags

export interface ProfileOutSettings {
  tags: boolean;
}

export async function readSettings(admin: Admin, o: ProfileOutOptions = {}): Promise<ProfileOutSettings & { installationId: string }> {
  const r = await client(admin, o).request<{ currentAppInstallation: { id: string; metafield: { value: string } | null } }>(SETTINGS_READ);
  let tags = false;
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

/**
 * Brings the app's own tags on one customer in line with the profile: adds what is true, removes only app tags
 * that stopped being true. Other tags are never sent to tagsRemove.
 */
export async function syncCustomerTags(shop: string, admin: Admin, customerId: string, o: ProfileOutOptions = {}): Promise<{ add: string[]; remove: string[] }> {
  const v = await profileValues(shop, customerId, (o.now ?? Date.now)());
  const c = client(admin, o);
  const id = customerGid(customerId);
  const r = await c.request<{ customer: { tags: string[] } | null }>(CUSTOMER_TAGS, { id });
  if (!r.data.customer) return { add: [], remove: [] };
  const want = desiredTags({
    segment: v?.values.rfm_group ?? null,
    stage: v?.values.stage ?? null,
    barrier: v?.consented ? v.values.hesitation_barrier ?? null : null,
  });
  const { add, remove } = tagChanges(r.data.customer.tags, want);
  if (add.length) await c.request(TAGS_ADD, { id, tags: add });
  if (remove.length) await c.request(TAGS_REMOVE, { id, tags: remove });
  return { add, remove };
}

// --------------------------------------------------------------------------------------------------- segments

export type SegmentResult = { ok: true; id: string; name: string } | { ok: false; message: string };

export async function createReadySegment(admin: Admin, segment: ReadySegment, name: string, o: ProfileOutOptions = {}): Promise<SegmentResult> {
  const c = client(admin, o);
  const app = await c.request<{ currentAppInstallation: { app: { id: string } } }>(APP_ID);
  const appId = appIdOf(app.data.currentAppInstallation.app.id);
  if (!appId) return { ok: false, message: "The app's id could not be read." };
  const r = await c.request<{ segmentCreate: { segment: { id: string; name: string } | null; userErrors: UserError[] } }>(SEGMENT_CREATE, {
    name,
    query: segmentQuery(segment, appId),
  });
  const { segment: s, userErrors } = r.data.segmentCreate;
  if (!s) return { ok: false, message: userErrors.map((e) => e.message).join("; ") || "Shopify did not create the segment." };
  return { ok: true, id: s.id, name: s.name };
}

// ---------------------------------------------------------------------------------------------- flow trigger

export interface HesitationScanOptions extends ProfileOutOptions {
  /** A hesitation counts as "left without buying" after this long without an order (default 30 minutes). */
  leaveMs?: number;
  storefrontUrl: string;
  /** Only hesitations after this instant (the caller's watermark). */
  since?: Date;
}

/**
 * Fires "Shopper hesitated" for each known customer whose latest hesitation (an `eligible` event: the play's
 * hesitation signal matched, treated or holdout) is older than `leaveMs` with no order since. The customer's
 * `last_hesitation` metafield is the watermark: it is written with the trigger, and a hesitation not newer
 * than it has been sent already. Holdout customers fire too, marked `holdout`.
 */
export async function fireHesitations(shop: string, admin: Admin, o: HesitationScanOptions): Promise<{ fired: number }> {
  const now = (o.now ?? Date.now)();
  const leaveMs = o.leaveMs ?? 30 * 60_000;
  const cutoff = new Date(now - leaveMs);
  const events = await prisma.event.findMany({
    where: { shop, type: "eligible", customerId: { not: null }, occurredAt: { lte: cutoff, ...(o.since ? { gt: o.since } : {}) } },
    orderBy: { occurredAt: "desc" },
    select: { customerId: true, play: true, arm: true, path: true, value: true, occurredAt: true },
    take: 5000,
  });
  const latest = new Map<string, (typeof events)[number]>();
  for (const e of events) if (e.customerId && e.play && !latest.has(e.customerId)) latest.set(e.customerId, e);
  const c = client(admin, o);
  let fired = 0;
  const tags = latest.size > 0 && (await readSettings(admin, o)).tags;
  for (const [customerId, e] of latest) {
    const bought = await prisma.profileOrder.count({ where: { shop, customerId, createdAt: { gte: e.occurredAt } } });
    if (bought > 0) continue;
    const mf = await c.request<{ customer: { metafield: { value: string } | null } | null }>(LAST_HESITATION, { id: customerGid(customerId) });
    if (!mf.data.customer) continue;
    const seen = mf.data.customer.metafield?.value ? Date.parse((JSON.parse(mf.data.customer.metafield.value) as { at?: string }).at ?? "") : NaN;
    if (Number.isFinite(seen) && seen >= e.occurredAt.getTime()) continue;
    const profile = await prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId } }, select: { aov: true } });
    const cartValue = await lastCartValue(shop, customerId, e.occurredAt);
    // Hesitation events carry no path: the page is the last one the shopper viewed up to that moment.
    const page = e.path ?? (await prisma.event.findFirst({ where: { shop, customerId, type: "page_view", occurredAt: { lte: e.occurredAt } }, orderBy: { occurredAt: "desc" }, select: { path: true } }))?.path;
    const play = e.play as PlayKey;
    const payload = hesitatedPayload({
      customerId,
      play,
      cartValue,
      aov: profile?.aov ?? 0,
      propensityBand: null,
      storefrontUrl: new URL(page ?? "/", o.storefrontUrl).toString(),
      holdout: e.arm === "holdout",
    });
    const r = await c.request<{ flowTriggerReceive: { userErrors: UserError[] } }>(FLOW_TRIGGER, { handle: HESITATED_TRIGGER_HANDLE, payload });
    if (r.data.flowTriggerReceive.userErrors.length) {
      log(o)("flowTriggerReceive refused", { shop, customerId, errors: r.data.flowTriggerReceive.userErrors });
      continue;
    }
    fired++;
    // The watermark and the rest of the profile (hesitation fields only for consented customers: events exist
    // only with consent, so this customer has it).
    await writeCustomerProfile(shop, admin, customerId, o);
    await c.request(METAFIELDS_SET, {
      metafields: metafieldInputs(customerId, { last_hesitation: { play, barrier: PLAY_BARRIER[play], at: e.occurredAt.toISOString() } }, true),
    });
    // With the tags setting on, rp:hesitated-price follows the new barrier (and app tags that stopped being true go).
    if (tags) await syncCustomerTags(shop, admin, customerId, o);
  }
  return { fired };
}

export const LAST_HESITATION = `#graphql
  query ProfileLastHesitation($id: ID!) {
    customer(id: $id) { id metafield(namespace: "$app:recovery_plays", key: "last_hesitation") { value } }
  }`;

/** Cart subtotal the storefront last reported for the customer (add_to_cart/checkout values), 0 if none. */
async function lastCartValue(shop: string, customerId: string, before: Date): Promise<number> {
  const e = await prisma.event.findFirst({
    where: { shop, customerId, type: { in: ["add_to_cart", "checkout_started", "eligible"] }, value: { not: null }, occurredAt: { lte: before } },
    orderBy: { occurredAt: "desc" },
    select: { value: true },
  });
  return e?.value ?? 0;
}

// ------------------------------------------------------------------------------------------------------ redact

/** customers/redact: the app's metafields and its own tags leave the customer; other tags stay. */
export async function redactCustomerProfile(admin: Admin, customerId: string, o: ProfileOutOptions = {}): Promise<{ metafields: number; tags: string[] }> {
  const c = client(admin, o);
  const ownerId = customerGid(customerId);
  const del = await c.request<{ metafieldsDelete: { deletedMetafields: ({ key: string } | null)[] | null } }>(METAFIELDS_DELETE, {
    metafields: PROFILE_FIELDS.map((f) => ({ ownerId, namespace: PROFILE_NAMESPACE, key: f.key })),
  });
  const r = await c.request<{ customer: { tags: string[] } | null }>(CUSTOMER_TAGS, { id: ownerId });
  const mine = (r.data.customer?.tags ?? []).filter((t) => (APP_TAGS as readonly string[]).includes(t.toLowerCase()));
  if (mine.length) await c.request(TAGS_REMOVE, { id: ownerId, tags: mine });
  return { metafields: (del.data.metafieldsDelete.deletedMetafields ?? []).filter(Boolean).length, tags: mine };
}

// ------------------------------------------------------------------------------------- webhook and job hooks

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

/** After a completed history sync: definitions (install/upgrade), then the one bulk write-back. */
export async function afterHistorySync(shop: string, admin: Admin, o: ProfileOutOptions = {}): Promise<WriteBackResult> {
  try {
    const defs = await ensureProfileDefinitions(admin, o);
    if (defs.errors.length) log(o)("metafield definitions refused", { shop, errors: defs.errors });
    const r = await writeBackProfiles(shop, admin, o);
    await recordWriteBack(admin, r, o);
    return r;
  } catch (err) {
    if (err instanceof Response) throw err;
    // The sync itself succeeded; publishing is retried from the admin (or the next sync), not by failing the webhook.
    const message = err instanceof Error ? err.message : String(err);
    log(o)("profile write-back failed", { shop, message });
    return { status: "failed", reason: "start_failed", message };
  }
}

/** orders/create: the buyer's metafields (and tags, when the setting is on) follow the new order. */
export async function afterOrder(shop: string, payload: unknown, getAdmin: () => Promise<Admin>, o: ProfileOutOptions = {}): Promise<void> {
  const raw = (payload as { customer?: { id?: unknown } | null } | null)?.customer?.id;
  const customerId = raw == null ? null : String(raw).replace(/^gid:\/\/shopify\/Customer\//, "");
  if (!customerId || !/^\d+$/.test(customerId)) return;
  try {
    const admin = await getAdmin();
    await writeCustomerProfile(shop, admin, customerId, o);
    if ((await readSettings(admin, o)).tags) await syncCustomerTags(shop, admin, customerId, o);
  } catch (err) {
    if (err instanceof Response) throw err;
    log(o)("profile update after an order failed", { shop, customerId, message: err instanceof Error ? err.message : String(err) });
  }
}

/** customers/redact: what the app wrote into Shopify goes too (the shop may be uninstalled: then nothing can be). */
export async function afterRedact(shop: string, rawId: unknown, getAdmin: () => Promise<Admin>, o: ProfileOutOptions = {}): Promise<void> {
  const customerId = rawId == null ? null : String(rawId).replace(/^gid:\/\/shopify\/Customer\//, "");
  if (!customerId || !/^\d+$/.test(customerId)) return;
  const installed = await prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  if (!installed || installed.uninstalledAt) return;
  try {
    await redactCustomerProfile(await getAdmin(), customerId, o);
  } catch (err) {
    if (err instanceof Response) throw err;
    // The local erasure (the mandatory part) already happened; Shopify being unreachable must not undo its
    // acknowledgement. The failure is logged for follow-up.
    log(o)("removing the customer's metafields and tags failed", { shop, customerId, message: err instanceof Error ? err.message : String(err) });
  }
}
