/**
 * The unified profile, published into Shopify: customer metafield definitions (merchant-readable, segment
 * filterable), the values written by ONE bulk mutation after a history sync and per customer afterwards, optional
 * customer tags, ready-made customer segments, the "Shopper hesitated" Flow trigger, and erasure on redact.
 * The contract (keys, types, consent gating) is app/lib/profile-out/fields.ts.
 *
 * Split by concern: ./profileOutShared.server (documents, client, settings), ./profileOutCustomer.server (one
 * customer, tags, segments, redact), ./profileOutFlow.server (the Flow trigger), ./profileOutCheckout.server
 * (checkout behaviour in: the web pixel's events, abandoned checkouts, their effect per play). This module is the write-back and the entry
 * point: it re-exports the others.
 */
import { createWriteStream, mkdtempSync, openAsBlob, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import { pgPool } from "../db/drivers";
import { defaultStore, rawTable, type Store } from "../db/store";
import { PROFILE_FIELDS, PROFILE_NAMESPACE, PROFILE_OWNER_TYPE } from "../lib/profile-out/fields";
import { historyLine } from "../lib/profile-out/encode";
import { liveStage } from "./profiles.server";
import { ensureWebPixel } from "./profileOutCheckout.server";
import {
  BULK_METAFIELDS_SET, DEFINITION_CREATE, DEFINITION_UPDATE, RUN_BULK_MUTATION, STAGED_UPLOAD,
  accessDenied, client, log, recordWriteBack,
  type Admin, type ProfileOutOptions, type UserError, type WriteBackResult,
} from "./profileOutShared.server";

export * from "./profileOutShared.server";
export * from "./profileOutCustomer.server";
export * from "./profileOutFlow.server";
export * from "./profileOutCheckout.server";

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

/** The history fields of one profile, as the write-back reads them (lastOrderAt in epoch ms). */
export interface HistoryProfileRow {
  customerId: string;
  ordersCount: number;
  aov: number;
  lastOrderAt: number | null;
  segment: string;
}

type SqliteDb = import("better-sqlite3").Database;
const historyReaders = new Map<string, SqliteDb>();

/**
 * Keyset pages of the shop's customers with orders, on the primary key (shop, customerId): every page is an index
 * range, whatever the offset, and only one page is ever held. Read through the database's own driver (a
 * read-only SQLite connection, or the PostgreSQL pool): through the Prisma client each row costs several times
 * more (docs/performance.md), which capped the JSONL build well under 100,000 customers/s.
 */
export async function* historyRows(shop: string, pageSize = 10_000, store: Store = defaultStore()): AsyncGenerator<HistoryProfileRow[]> {
  let cursor = "";
  if (store.kind === "sqlite" && store.file) {
    let db = historyReaders.get(store.file);
    if (!db || !db.open) {
      const BetterSqlite = (await import("better-sqlite3")).default;
      db = new BetterSqlite(store.file, { readonly: true, fileMustExist: true });
      historyReaders.set(store.file, db);
    }
    const page = db.prepare(
      `SELECT "customerId", "ordersCount", "aov", "lastOrderAt", "segment" FROM "CustomerProfile" ` +
        `WHERE "shop" = ? AND "customerId" > ? AND "ordersCount" > 0 ORDER BY "customerId" LIMIT ?`,
    );
    for (;;) {
      const rows = page.all(shop, cursor, pageSize) as { customerId: string; ordersCount: number; aov: number; lastOrderAt: string | number | null; segment: string }[];
      if (rows.length === 0) return;
      yield rows.map((r) => ({ ...r, lastOrderAt: r.lastOrderAt === null ? null : typeof r.lastOrderAt === "number" ? r.lastOrderAt : Date.parse(r.lastOrderAt) }));
      cursor = rows[rows.length - 1]!.customerId;
    }
  }
  if (store.kind === "postgres" && store.pgUrl) {
    const pool = await pgPool(store.pgUrl);
    const text =
      `SELECT "customerId", "ordersCount", "aov", (EXTRACT(EPOCH FROM "lastOrderAt") * 1000)::float8 AS "lastOrderAt", "segment" ` +
      `FROM ${rawTable(store, "CustomerProfile")} WHERE "shop" = $1 AND "customerId" > $2 AND "ordersCount" > 0 ORDER BY "customerId" LIMIT $3`;
    for (;;) {
      const { rows } = await pool.query<HistoryProfileRow>({ text, values: [shop, cursor, pageSize] });
      if (rows.length === 0) return;
      yield rows;
      cursor = rows[rows.length - 1]!.customerId;
    }
  }
  for (;;) {
    const rows = await store.db.customerProfile.findMany({
      where: { shop, ordersCount: { gt: 0 }, customerId: { gt: cursor } },
      select: { customerId: true, segment: true, aov: true, ordersCount: true, lastOrderAt: true },
      orderBy: { customerId: "asc" },
      take: pageSize,
    });
    if (rows.length === 0) return;
    yield rows.map((r) => ({ ...r, lastOrderAt: r.lastOrderAt?.getTime() ?? null }));
    cursor = rows[rows.length - 1]!.customerId;
  }
}

/** Closes the write-back's read-only SQLite connections (benches and tests that delete their database). */
export function closeHistoryReaders(): void {
  for (const db of historyReaders.values()) if (db.open) db.close();
  historyReaders.clear();
}

/** A run of whole JSONL lines (each ending in a newline) and how many there are. */
export interface JsonlChunk {
  text: string;
  lines: number;
}

/**
 * The shop's profiles as JSONL of metafieldsSet variables (history fields; no consent needed), one chunk per
 * page of rows: one await per page instead of one per customer, which cost more than building the lines.
 */
export async function* historyChunks(shop: string, pageSize = 10_000, store: Store = defaultStore(), now = Date.now()): AsyncGenerator<JsonlChunk> {
  for await (const rows of historyRows(shop, pageSize, store)) {
    let text = "";
    for (const r of rows) {
      // The stored stage was computed at sync time; the live one accounts for time passing since.
      const stage = liveStage({ ordersCount: r.ordersCount, lastOrderAt: r.lastOrderAt === null ? null : new Date(r.lastOrderAt), segment: r.segment }, now);
      text += historyLine({ customerId: r.customerId, stage, segment: r.segment, aov: r.aov }) + "\n";
    }
    yield { text, lines: rows.length };
  }
}

/** The same JSONL one line at a time (tests, small callers). */
export async function* historyLines(shop: string, pageSize = 10_000, store: Store = defaultStore(), now = Date.now()): AsyncGenerator<string> {
  for await (const rows of historyRows(shop, pageSize, store)) {
    for (const r of rows) {
      // The stored stage was computed at sync time; the live one accounts for time passing since.
      const stage = liveStage({ ordersCount: r.ordersCount, lastOrderAt: r.lastOrderAt === null ? null : new Date(r.lastOrderAt), segment: r.segment }, now);
      yield historyLine({ customerId: r.customerId, stage, segment: r.segment, aov: r.aov });
    }
  }
}

/**
 * One bulk mutation for the whole shop: stage an upload, POST the JSONL to it, run `bulkOperationRunMutation`.
 * Bulk mutations need their own access grant (Partner Dashboard) and Shopify runs one bulk mutation per shop at a
 * time: both come back as typed reasons the admin explains.
 */
export async function writeBackProfiles(shop: string, admin: Admin, o: ProfileOutOptions = {}, lines: AsyncIterable<string | JsonlChunk> = historyChunks(shop)): Promise<WriteBackResult> {
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
export async function buildJsonlFile(lines: AsyncIterable<string | JsonlChunk>): Promise<JsonlFile> {
  const dir = mkdtempSync(path.join(tmpdir(), "rp-profile-out-"));
  const file = path.join(dir, "profiles.jsonl");
  const out = createWriteStream(file);
  let n = 0;
  let bytes = 0;
  let buf = "";
  for await (const l of lines) {
    if (typeof l === "string") {
      buf += l + "\n";
      n++;
    } else {
      buf += l.text;
      n += l.lines;
    }
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

/** After a completed history sync: definitions (install/upgrade), then the one bulk write-back. */
export async function afterHistorySync(shop: string, admin: Admin, o: ProfileOutOptions = {}): Promise<WriteBackResult> {
  try {
    const defs = await ensureProfileDefinitions(admin, o);
    if (defs.errors.length) log(o)("metafield definitions refused", { shop, errors: defs.errors });
    // The checkout pixel follows the app's URL (it can change between deploys); a denied scope is logged, not fatal.
    const appUrl = o.appUrl ?? process.env.SHOPIFY_APP_URL;
    if (appUrl) {
      const pixel = await ensureWebPixel(shop, admin, appUrl, o);
      if (pixel.status !== "active") log(o)("web pixel not activated", { shop, status: pixel.status, message: pixel.message });
    }
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

