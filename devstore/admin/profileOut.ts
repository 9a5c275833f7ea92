// The customer-facing side of the dev store's Admin API: metafield definitions, customer tags, customer segments,
// staged uploads + bulk mutations, and Shopify Flow triggers. Each rule follows Shopify's documented behaviour;
// docs/devstore-fidelity.md cites the source of each (and says where a detail could not be confirmed).
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync, createWriteStream } from "node:fs";
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { GraphQLError, execute, getOperationAST } from "graphql";
import { parse as parseToml } from "smol-toml";
import { adminSchema } from "../../app/graphql/schema.server";
import type { AdminContext, AdminEnv, BulkOperationRecord } from "./context";
import { checkedFieldResolver, parseAndValidate } from "./graphql";
import { typeResolver } from "./resolvers";
import { normalizeNamespace } from "./mutations";
import { BULK_ACCESS_DOCS, BULK_ACCESS_LAPSE_MS, newBulkOperation } from "./bulk";
import { isoSeconds } from "../seed/generate";
import { ABANDON_AFTER_MS, ageCheckouts, resetCheckouts } from "./checkouts";

type Args = Record<string, any>;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const gid = (type: string, id: string | number) => `gid://shopify/${type}/${id}`;
const parseGid = (v: unknown) => {
  const m = typeof v === "string" ? v.match(/^gid:\/\/shopify\/(\w+)\/([^/?]+)$/) : null;
  return m ? { type: m[1]!, id: m[2]! } : null;
};

export interface DevMetafieldDefinition {
  id: string;
  ownerType: string;
  namespace: string;
  key: string;
  type: string;
  name: string;
  description: string | null;
  access: { admin: string | null; storefront: string | null; customerAccount: string | null };
  pinned: boolean;
}

export interface DevSegment { id: string; name: string; query: string; creationDate: string; lastEditDate: string }
export interface FlowTriggerReceipt { handle: string; payload: Record<string, unknown>; receivedAt: string }

interface ProfileOutState {
  definitions: DevMetafieldDefinition[];
  tags: Map<string, string[]>;
  segments: DevSegment[];
  uploads: Map<string, string>;
  flowTriggers: FlowTriggerReceipt[];
  /** Bulk mutations access (Partner Dashboard "Allow bulk mutations"); null = not enabled. */
  mutationsEnabledAt: number | null;
  lastMutationRunAt: number | null;
}

// Kept on the env under a registry symbol, not in a module-level map: a test runner can load this module twice
// (once for the store, once for the test reading it), and both must see the same state.
const STATE = Symbol.for("recovery-plays.devstore.profile-out");
type WithState = AdminEnv & { [STATE]?: ProfileOutState };

export function profileOutState(env: AdminEnv): ProfileOutState {
  const e = env as WithState;
  // Bulk mutations start enabled (as bulk queries do, DevStoreOptions.bulkQueries); tests turn them off.
  e[STATE] ??= { definitions: [], tags: new Map(), segments: [], uploads: new Map(), flowTriggers: [], mutationsEnabledAt: now(env), lastMutationRunAt: null };
  return e[STATE];
}

/** Clears what this module keeps (the dev store's reset). */
export function resetProfileOut(env: AdminEnv): void {
  delete (env as WithState)[STATE];
  resetCheckouts(env.state);
}

const now = (env: AdminEnv) => env.now?.() ?? Date.now();

// --------------------------------------------------------------------------------------- metafield definitions

const DEFINITION_TYPES = new Set([
  "boolean", "date", "date_time", "json", "money", "multi_line_text_field", "number_decimal", "number_integer",
  "single_line_text_field", "url", "list.single_line_text_field", "list.number_integer", "list.date",
]);
const OWNER_TYPES = new Set(["CUSTOMER", "PRODUCT", "ORDER", "SHOP", "PRODUCTVARIANT", "COLLECTION"]);

type DUE = { field: string[] | null; message: string; code: string };

export function metafieldDefinitionCreate(ctx: AdminContext, input: Args) {
  const s = profileOutState(ctx.env);
  const errors: DUE[] = [];
  const err = (field: string, message: string, code: string) => errors.push({ field: ["definition", field], message, code });
  const rawNs: string | null = input.namespace ?? null;
  const ns = normalizeNamespace(rawNs, ctx.env.appId);
  const appOwned = ns.startsWith(`app--${ctx.env.appId}`);
  if (!OWNER_TYPES.has(input.ownerType)) err("ownerType", "Owner type is not supported.", "INCLUSION");
  if (typeof input.key !== "string" || input.key.length < 2) err("key", "Key is too short (minimum is 2 characters)", "TOO_SHORT");
  else if (input.key.length > 64) err("key", "Key is too long (maximum is 64 characters)", "TOO_LONG");
  else if (!/^[A-Za-z0-9_-]+$/.test(input.key)) err("key", "Key contains one or more invalid characters.", "INVALID_CHARACTER");
  if (!input.name || String(input.name).trim() === "") err("name", "Name can't be blank", "BLANK");
  if (!DEFINITION_TYPES.has(input.type)) err("type", "Type name is not a valid type.", "INCLUSION");
  // MetafieldDefinitionCreateUserErrorCode.ADMIN_ACCESS_INPUT_NOT_ALLOWED: "Admin access can only be specified for
  // app-owned metafield definitions."
  if (input.access?.admin && !appOwned) err("access", "Admin access can only be specified for app-owned metafield definitions.", "ADMIN_ACCESS_INPUT_NOT_ALLOWED");
  if (errors.length === 0 && s.definitions.some((d) => d.ownerType === input.ownerType && d.namespace === ns && d.key === input.key)) {
    err("key", "Key is in use for Customer metafield definitions on this namespace.", "TAKEN");
  }
  if (errors.length) return { createdDefinition: null, userErrors: errors };
  const d: DevMetafieldDefinition = {
    id: String(ctx.env.nextId()),
    ownerType: input.ownerType,
    namespace: ns,
    key: input.key,
    type: input.type,
    name: String(input.name),
    description: input.description ?? null,
    access: {
      // App-owned definitions default to merchant read access in the admin (MetafieldAdminAccess).
      admin: input.access?.admin ?? (appOwned ? "MERCHANT_READ" : null),
      storefront: input.access?.storefront ?? "NONE",
      customerAccount: input.access?.customerAccount ?? "NONE",
    },
    pinned: Boolean(input.pin),
  };
  s.definitions.push(d);
  return { createdDefinition: definitionOut(d), userErrors: [] };
}

export function metafieldDefinitionUpdate(ctx: AdminContext, input: Args) {
  const s = profileOutState(ctx.env);
  const ns = normalizeNamespace(input.namespace ?? null, ctx.env.appId);
  const d = s.definitions.find((x) => x.ownerType === input.ownerType && x.namespace === ns && x.key === input.key);
  if (!d) return { updatedDefinition: null, userErrors: [{ field: ["definition"], message: "Definition not found.", code: "NOT_FOUND" }] };
  if (input.name != null) d.name = String(input.name);
  if (input.description !== undefined) d.description = input.description;
  if (input.access?.admin) d.access.admin = input.access.admin;
  if (input.pin != null) d.pinned = Boolean(input.pin);
  return { updatedDefinition: definitionOut(d), userErrors: [] };
}

function definitionOut(d: DevMetafieldDefinition) {
  return {
    __typename: "MetafieldDefinition",
    id: gid("MetafieldDefinition", d.id),
    name: d.name,
    namespace: d.namespace,
    key: d.key,
    description: d.description,
    ownerType: d.ownerType,
    type: { name: d.type, category: d.type.replace(/^list\./, "").split("_")[0]!.toUpperCase() },
    access: { admin: d.access.admin, storefront: d.access.storefront, customerAccount: d.access.customerAccount },
    pinnedPosition: d.pinned ? 1 : null,
  };
}

export function definitionsFor(env: AdminEnv, ownerType: string, namespace?: string | null) {
  const s = profileOutState(env);
  const ns = namespace === undefined ? undefined : normalizeNamespace(namespace, env.appId);
  return s.definitions.filter((d) => d.ownerType === ownerType && (ns === undefined || d.namespace === ns)).map(definitionOut);
}

/** A metafield write against a definition must use the definition's type (Shopify validates values by it). */
export function definitionTypeError(env: AdminEnv, ownerGid: string, namespace: string, key: string, type: string | undefined): string | null {
  const owner = parseGid(ownerGid)?.type.toUpperCase();
  const d = profileOutState(env).definitions.find((x) => x.ownerType === owner && x.namespace === namespace && x.key === key);
  if (!d || !type || d.type === type) return null;
  return `Type '${type}' must be consistent with the definition's type: '${d.type}'.`;
}

// ------------------------------------------------------------------------------------------------ customer tags

export function customerTags(env: AdminEnv, customerId: string): string[] {
  return profileOutState(env).tags.get(customerId) ?? [];
}

function tagsChange(ctx: AdminContext, id: string, tags: string[], add: boolean) {
  const g = parseGid(id);
  if (!g || g.type !== "Customer" || !ctx.env.data.customer(g.id)) {
    return { node: null, userErrors: [{ field: ["id"], message: "Resource not found" }] };
  }
  // Shopify trims tags and refuses ones longer than 255 characters.
  const clean = tags.map((t) => String(t).trim()).filter(Boolean);
  const long = clean.find((t) => t.length > 255);
  if (long) return { node: null, userErrors: [{ field: ["tags"], message: "Tags is invalid (tag length must be at most 255 characters)" }] };
  const s = profileOutState(ctx.env);
  const current = s.tags.get(g.id) ?? [];
  const lower = new Set(clean.map((t) => t.toLowerCase()));
  const next = add
    ? [...current, ...clean.filter((t, i) => !current.some((c) => c.toLowerCase() === t.toLowerCase()) && clean.findIndex((x) => x.toLowerCase() === t.toLowerCase()) === i)]
    : current.filter((c) => !lower.has(c.toLowerCase()));
  s.tags.set(g.id, next);
  return { node: { __typename: "Customer", id, ...ctx.env.data.customer(g.id) }, userErrors: [] };
}

export const tagsAdd = (ctx: AdminContext, id: string, tags: string[]) => tagsChange(ctx, id, tags, true);
export const tagsRemove = (ctx: AdminContext, id: string, tags: string[]) => tagsChange(ctx, id, tags, false);

// ---------------------------------------------------------------------------------------------------- segments

/**
 * The segment query language, the part the dev store understands: conditions `<attribute> <operator> <value>`
 * joined by AND / OR, parentheses allowed. Attributes: the documented customer attributes the app uses, and
 * `metafields.<namespace>.<key>` for a customer metafield definition of a filterable type (date, number, text,
 * true/false). Anything else is refused with the line/column message shape Shopify's segment editor uses.
 */
const ATTRIBUTES: Record<string, "number" | "text" | "date" | "list" | "enum"> = {
  number_of_orders: "number",
  amount_spent: "number",
  last_order_date: "date",
  first_order_date: "date",
  customer_added_date: "date",
  customer_tags: "list",
  rfm_group: "enum",
  email_subscription_status: "enum",
  predicted_spend_tier: "enum",
};
const FILTERABLE_DEFINITION = /^(single_line_text_field|number_integer|number_decimal|boolean|date|date_time)$/;

export function segmentQueryError(env: AdminEnv, query: string): string | null {
  const src = query;
  const token = /\s*(\(|\)|AND\b|OR\b|NOT\b|[A-Za-z_][\w.-]*|'[^']*'|-?\d+(?:\.\d+)?|>=|<=|!=|=|<|>|\S)/y;
  const toks: { t: string; col: number }[] = [];
  let m: RegExpExecArray | null;
  token.lastIndex = 0;
  while (token.lastIndex < src.length && (m = token.exec(src))) {
    if (m[1] === undefined) break;
    toks.push({ t: m[1], col: m.index + (m[0].length - m[1].length) + 1 });
  }
  if (src.trim() === "") return "Query can't be blank";
  let i = 0;
  const at = () => toks[i];
  const fail = (msg: string, col = at()?.col ?? src.length + 1) => `Line 1 Column ${col}: ${msg}`;
  const condition = (): string | null => {
    const a = at();
    if (!a) return fail("expected a filter");
    if (a.t === "(") {
      i++;
      const e = expr();
      if (e) return e;
      if (at()?.t !== ")") return fail("expected ')'");
      i++;
      return null;
    }
    if (a.t === "NOT") { i++; return condition(); }
    let kind = ATTRIBUTES[a.t];
    if (!kind && a.t.startsWith("metafields.")) {
      const parts = a.t.split(".");
      const key = parts.pop()!;
      const ns = parts.slice(1).join(".");
      const d = profileOutState(env).definitions.find((x) => x.ownerType === "CUSTOMER" && x.namespace === ns && x.key === key);
      if (!d) return fail(`'${a.t}' filter cannot be found.`, a.col);
      if (!FILTERABLE_DEFINITION.test(d.type)) return fail(`'${a.t}' filter cannot be used: its type ${d.type} is not filterable.`, a.col);
      kind = d.type === "boolean" ? "enum" : d.type.startsWith("number") ? "number" : d.type.startsWith("date") ? "date" : "text";
      if (d.type === "boolean") {
        i++;
        const op = at();
        if (op?.t !== "=" && op?.t !== "!=") return fail(`'${op?.t ?? ""}' is not a valid operator for '${a.t}'.`);
        i++;
        const v = at();
        if (v?.t !== "true" && v?.t !== "false") return fail(`'${v?.t ?? ""}' is not a valid value for '${a.t}'.`);
        i++;
        return null;
      }
    }
    if (!kind) return fail(`'${a.t}' filter cannot be found.`, a.col);
    i++;
    const op = at();
    if (!op) return fail("expected an operator");
    if (kind === "list") {
      if (op.t === "CONTAINS") { i++; }
      else if (op.t === "NOT" && toks[i + 1]?.t === "CONTAINS") { i += 2; }
      else return fail(`'${op.t}' is not a valid operator for '${a.t}'.`, op.col);
    } else {
      const ops = kind === "number" || kind === "date" ? ["=", "!=", ">", "<", ">=", "<="] : ["=", "!="];
      if (!ops.includes(op.t)) return fail(`'${op.t}' is not a valid operator for '${a.t}'.`, op.col);
      i++;
    }
    const v = at();
    if (!v) return fail("expected a value");
    const ok =
      kind === "number" ? /^-?\d+(\.\d+)?$/.test(v.t)
      : kind === "enum" ? /^[A-Z_]+$/.test(v.t)
      : kind === "date" ? /^'\d{4}-\d{2}-\d{2}'$/.test(v.t) || /^-?\d+_(days|months)_ago$/.test(v.t)
      : /^'[^']*'$/.test(v.t);
    if (!ok) return fail(`'${v.t}' is not a valid value for '${a.t}'.`, v.col);
    i++;
    return null;
  };
  const expr = (): string | null => {
    const e = condition();
    if (e) return e;
    while (at() && (at()!.t === "AND" || at()!.t === "OR")) {
      i++;
      const r = condition();
      if (r) return r;
    }
    return null;
  };
  const e = expr();
  if (e) return e;
  if (i < toks.length) return fail(`unexpected '${toks[i]!.t}'`);
  return null;
}

export function segmentCreate(ctx: AdminContext, name: string, query: string) {
  const s = profileOutState(ctx.env);
  if (!name || name.trim() === "") return { segment: null, userErrors: [{ field: ["name"], message: "Name can't be blank" }] };
  if (s.segments.some((x) => x.name.toLowerCase() === name.trim().toLowerCase())) {
    return { segment: null, userErrors: [{ field: ["name"], message: "Name has already been taken" }] };
  }
  const problem = segmentQueryError(ctx.env, query);
  if (problem) return { segment: null, userErrors: [{ field: ["query"], message: problem }] };
  const at = isoSeconds(now(ctx.env));
  const seg: DevSegment = { id: String(ctx.env.nextId()), name: name.trim(), query, creationDate: at, lastEditDate: at };
  s.segments.push(seg);
  return { segment: segmentOut(seg), userErrors: [] };
}

export const segmentOut = (x: DevSegment) => ({ __typename: "Segment", id: gid("Segment", x.id), name: x.name, query: x.query, creationDate: x.creationDate, lastEditDate: x.lastEditDate });

// ------------------------------------------------------------------------------------------------- flow triggers

export interface FlowTriggerField { type: string; key: string }
export interface FlowTriggerDef { handle: string; name: string; fields: FlowTriggerField[] }

/** Flow trigger extensions declared in the app (extensions/<dir>/shopify.extension.toml, type flow_trigger). */
export function flowTriggerDefinitions(root = path.join(REPO, "extensions")): FlowTriggerDef[] {
  if (!existsSync(root)) return [];
  const out: FlowTriggerDef[] = [];
  for (const dir of readdirSync(root)) {
    const file = path.join(root, dir, "shopify.extension.toml");
    if (!existsSync(file)) continue;
    const toml = parseToml(readFileSync(file, "utf8")) as any;
    for (const ext of toml.extensions ?? []) {
      if (ext.type !== "flow_trigger") continue;
      const fields: FlowTriggerField[] = (toml.settings?.fields ?? ext.settings?.fields ?? []).map((f: any) => ({
        type: String(f.type),
        // Reference fields have no key of their own: Flow reads `<resource>_id` (customer_reference → customer_id).
        key: f.key ?? String(f.type).replace(/_reference$/, "_id"),
      }));
      out.push({ handle: String(ext.handle), name: String(ext.name), fields });
    }
  }
  return out;
}

/** Shopify Flow's limit on a trigger's payload (see docs/devstore-fidelity.md for the source). */
export const FLOW_PAYLOAD_LIMIT_BYTES = 50_000;

function fieldValueError(f: FlowTriggerField, v: unknown): string | null {
  switch (f.type) {
    case "customer_reference": case "order_reference": case "product_reference":
      return (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^\d+$/.test(v)) ? null : "must be the resource's numeric id";
    case "single_line_text_field": return typeof v === "string" && !/[\r\n]/.test(v) ? null : "must be a single line string";
    case "number_decimal": return typeof v === "number" && Number.isFinite(v) ? null : "must be a number";
    case "number_integer": return typeof v === "number" && Number.isInteger(v) ? null : "must be an integer";
    case "boolean": return typeof v === "boolean" ? null : "must be true or false";
    case "url": return typeof v === "string" && /^https?:\/\//.test(v) ? null : "must be a URL";
    default: return null;
  }
}

export function flowTriggerReceive(ctx: AdminContext, handle: string | null | undefined, payload: unknown, body?: string | null) {
  const ue = (message: string, field: string[] = ["payload"]) => ({ userErrors: [{ field, message }] });
  if (body != null) return ue("The body argument is deprecated; send handle and payload.", ["body"]);
  const def = flowTriggerDefinitions().find((d) => d.handle === handle);
  if (!def) return ue(`Trigger '${handle ?? ""}' is not found for this app.`, ["handle"]);
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return ue("Payload must be an object.");
  const size = Buffer.byteLength(JSON.stringify({ handle, payload }));
  if (size > FLOW_PAYLOAD_LIMIT_BYTES) return ue(`Payload is too large: ${size} bytes (limit ${FLOW_PAYLOAD_LIMIT_BYTES}).`);
  const p = payload as Record<string, unknown>;
  const declared = new Set(def.fields.map((f) => f.key));
  for (const k of Object.keys(p)) if (!declared.has(k)) return ue(`Field '${k}' is not declared by trigger '${def.handle}'.`);
  for (const f of def.fields) {
    if (!(f.key in p)) return ue(`Field '${f.key}' is required by trigger '${def.handle}'.`);
    const bad = fieldValueError(f, p[f.key]);
    if (bad) return ue(`Field '${f.key}' ${bad}.`);
    if (f.type === "customer_reference" && !ctx.env.data.customer(String(p[f.key]))) return ue(`Customer ${String(p[f.key])} does not exist.`);
  }
  profileOutState(ctx.env).flowTriggers.push({ handle: def.handle, payload: p, receivedAt: isoSeconds(now(ctx.env)) });
  return { userErrors: [] };
}

// ----------------------------------------------------------------------------- staged uploads + bulk mutations

export function stagedUploadsCreate(ctx: AdminContext, inputs: Args[]) {
  const targets: { url: string; resourceUrl: string; parameters: { name: string; value: string }[] }[] = [];
  const userErrors: { field: string[]; message: string }[] = [];
  inputs.forEach((input, i) => {
    if (input.resource !== "BULK_MUTATION_VARIABLES") {
      userErrors.push({ field: ["input", String(i), "resource"], message: "The dev store stages only BULK_MUTATION_VARIABLES uploads." });
      return;
    }
    if (input.httpMethod && input.httpMethod !== "POST") {
      userErrors.push({ field: ["input", String(i), "httpMethod"], message: "Bulk mutation variables are uploaded with POST." });
      return;
    }
    const key = `tmp/${ctx.env.appId}/bulk/${randomUUID()}/${input.filename}`;
    targets.push({
      url: `${ctx.env.storeUrl}/__staged-uploads`,
      resourceUrl: `${ctx.env.storeUrl}/__staged-uploads/${key}`,
      parameters: [
        { name: "Content-Type", value: String(input.mimeType) },
        { name: "success_action_status", value: "201" },
        { name: "acl", value: "private" },
        { name: "key", value: key },
      ],
    });
  });
  return { stagedTargets: userErrors.length ? [] : targets, userErrors };
}

/** `POST /__staged-uploads`: the multipart form upload of a staged target (the file part comes last). */
export async function handleStagedUpload(env: AdminEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const request = new Request("http://local/upload", { method: "POST", headers: { "content-type": String(req.headers["content-type"] ?? "") }, body: Buffer.concat(chunks) });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    res.writeHead(400, { "content-type": "application/xml" }).end("<Error><Code>MalformedPOSTRequest</Code></Error>");
    return;
  }
  const key = form.get("key");
  const file = form.get("file");
  if (typeof key !== "string" || !file || typeof file === "string") {
    res.writeHead(400, { "content-type": "application/xml" }).end("<Error><Code>InvalidArgument</Code></Error>");
    return;
  }
  const dir = path.join(env.dataDir, "staged");
  mkdirSync(dir, { recursive: true });
  const local = path.join(dir, key.replace(/[^\w.-]+/g, "_"));
  writeFileSync(local, Buffer.from(await file.arrayBuffer()));
  profileOutState(env).uploads.set(key, local);
  res.writeHead(201, { "content-type": "application/xml" }).end(`<PostResponse><Key>${key}</Key></PostResponse>`);
}

export function bulkMutationsAllowed(env: AdminEnv): boolean {
  const s = profileOutState(env);
  if (s.mutationsEnabledAt === null) return false;
  const lastUse = Math.max(s.mutationsEnabledAt, s.lastMutationRunAt ?? -Infinity);
  return now(env) - lastUse <= BULK_ACCESS_LAPSE_MS;
}

/** Turns bulk mutations on or off for the app ("Allow bulk mutations" in the Partner Dashboard). */
export function setBulkMutations(env: AdminEnv, enabled: boolean): void {
  profileOutState(env).mutationsEnabledAt = enabled ? now(env) : null;
}

const BULK_MUTATIONS = new Set([
  "metafieldsSet", "metafieldsDelete", "tagsAdd", "tagsRemove", "customerUpdate", "productCreate", "productUpdate", "productSet",
  "productVariantsBulkUpdate", "collectionCreate", "priceListFixedPricesAdd", "publishablePublish", "publishableUnpublish",
]);

export function bulkOperationRunMutation(ctx: AdminContext, mutation: string, stagedUploadPath: string) {
  if (!bulkMutationsAllowed(ctx.env)) {
    throw new GraphQLError("Access denied for bulkOperationRunMutation field. Bulk mutations are not enabled for this app.", {
      extensions: { code: "ACCESS_DENIED", documentation: BULK_ACCESS_DOCS },
    });
  }
  const ue = (message: string, code: string, field: string[] | null = null) => ({ bulkOperation: null, userErrors: [{ field, message, code }] });
  const parsed = parseAndValidate(mutation);
  if ("errors" in parsed) return ue(`Invalid mutation: ${parsed.errors[0]!.message}`, "INVALID_MUTATION", ["mutation"]);
  const op = getOperationAST(parsed.doc);
  if (!op || op.operation !== "mutation") return ue("The operation must be a single mutation.", "INVALID_MUTATION", ["mutation"]);
  const roots = op.selectionSet.selections.filter((x) => x.kind === "Field");
  if (roots.length !== 1 || !BULK_MUTATIONS.has((roots[0] as any).name.value)) {
    return ue("The mutation must contain exactly one supported top-level field.", "INVALID_MUTATION", ["mutation"]);
  }
  const s = profileOutState(ctx.env);
  const file = s.uploads.get(stagedUploadPath);
  if (!file) return ue("The JSONL file could not be found.", "NO_SUCH_FILE", ["stagedUploadPath"]);
  // BulkMutationErrorCode.OPERATION_IN_PROGRESS: "The operation did not run because another bulk mutation is already running."
  const running = ctx.env.bulkOps.find((b) => b.shop === ctx.shop.domain && b.type === "MUTATION" && (b.status === "CREATED" || b.status === "RUNNING" || b.status === "CANCELING"));
  if (running) return ue(`A bulk mutation operation for this app and shop is already in progress: ${gid("BulkOperation", running.id)}.`, "OPERATION_IN_PROGRESS");
  const t = now(ctx.env);
  const rec = newBulkOperation(ctx, "MUTATION", mutation, t);
  s.lastMutationRunAt = t;
  setImmediate(() => {
    runBulkMutation(ctx, rec, parsed.doc, file).catch((e) => {
      rec.status = "FAILED";
      rec.errorCode = "INTERNAL_SERVER_ERROR";
      console.error("[devstore] bulk mutation crashed", e);
      void finishMutation(ctx, rec);
    });
  });
  return { bulkOperation: { ...rec, __typename: "BulkOperation" }, userErrors: [] };
}

async function runBulkMutation(ctx: AdminContext, rec: BulkOperationRecord, doc: ReturnType<typeof parseAndValidate> extends infer R ? R extends { doc: infer D } ? D : never : never, file: string) {
  rec.status = "RUNNING";
  const schema = adminSchema();
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  const outFile = path.join(ctx.env.dataDir, `bulk-${rec.id}.jsonl`);
  rec.file = outFile;
  const out = createWriteStream(outFile);
  let bytes = 0;
  let n = 0;
  for (const line of lines) {
    if (rec.cancelRequested) break;
    let variables: Record<string, unknown>;
    let text: string;
    try {
      variables = JSON.parse(line) as Record<string, unknown>;
      const r = await execute({ schema, document: doc, contextValue: { ...ctx, bulk: undefined }, variableValues: variables, fieldResolver: checkedFieldResolver, typeResolver, rootValue: {} });
      text = JSON.stringify({ data: r.data ?? null, ...(r.errors?.length ? { errors: r.errors.map((e) => ({ message: e.message })) } : {}), __lineNumber: n });
    } catch (e) {
      text = JSON.stringify({ errors: [{ message: `Invalid JSONL line: ${(e as Error).message}` }], __lineNumber: n });
    }
    if (!out.write(text + "\n")) await once(out, "drain");
    bytes += Buffer.byteLength(text) + 1;
    n++;
    if (n % 200 === 0) await new Promise((r) => setImmediate(r));
    if (ctx.env.faults.bulkChunkDelayMs && n % 250 === 0) await new Promise((r) => setTimeout(r, ctx.env.faults.bulkChunkDelayMs));
  }
  out.end();
  await once(out, "finish");
  rec.objectCount = n;
  rec.rootObjectCount = n;
  rec.completedAt = isoSeconds(now(ctx.env));
  const url = `${ctx.env.storeUrl}/bulk/${rec.id}.jsonl`;
  if (rec.cancelRequested) {
    rec.status = "CANCELED";
    rec.partialDataUrl = n ? url : null;
  } else {
    rec.status = "COMPLETED";
    rec.fileSize = bytes;
    rec.url = url;
  }
  await finishMutation(ctx, rec);
}

async function finishMutation(ctx: AdminContext, rec: BulkOperationRecord) {
  await ctx.env.deliverWebhook("bulk_operations/finish", rec.shop, {
    admin_graphql_api_id: gid("BulkOperation", rec.id),
    completed_at: rec.completedAt,
    created_at: rec.createdAt,
    error_code: rec.errorCode ? rec.errorCode.toLowerCase() : null,
    status: rec.status.toLowerCase(),
    type: "mutation",
  });
}

// --------------------------------------------------------------------------------------- admin customer page

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The merchant's customer page (`/admin/customers/<id>`): metafields that have a definition the merchant may read
 * (admin access MERCHANT_READ or MERCHANT_READ_WRITE) are listed by definition name; tags below.
 */
export function renderCustomerPage(env: AdminEnv, customerId: string): string | null {
  const rec = env.data.customer(customerId);
  if (!rec) return null;
  const owner = gid("Customer", customerId);
  const s = profileOutState(env);
  const rows = s.definitions
    .filter((d) => d.ownerType === "CUSTOMER" && (d.access.admin === "MERCHANT_READ" || d.access.admin === "MERCHANT_READ_WRITE" || !d.namespace.startsWith("app--")))
    .map((d) => ({ d, m: env.state.metafields.find((m) => m.ownerId === owner && m.namespace === d.namespace && m.key === d.key) }))
    .filter((r) => r.m);
  const c = rec.customer;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(c.firstName)} ${esc(c.lastName)} · Customers</title></head><body>
<main><h1>${esc(c.firstName)} ${esc(c.lastName)}</h1>
<section aria-labelledby="mf"><h2 id="mf">Metafields</h2>
${rows.length ? `<dl>${rows.map(({ d, m }) => `<dt data-key="${esc(d.key)}">${esc(d.name)}</dt><dd data-key="${esc(d.key)}">${esc(m!.value)}</dd>`).join("")}</dl>` : "<p>No metafields</p>"}
</section>
<section aria-labelledby="tg"><h2 id="tg">Tags</h2><ul>${customerTags(env, customerId).map((t) => `<li>${esc(t)}</li>`).join("")}</ul></section>
</main></body></html>`;
}

/** HTTP routes of this module; true when the request was handled. */
export async function handleProfileOutHttp(env: AdminEnv, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const p = url.pathname;
  const json = (status: number, body: unknown) => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (p === "/__staged-uploads" && req.method === "POST") {
    await handleStagedUpload(env, req, res);
    return true;
  }
  const customer = p.match(/^\/admin\/customers\/(\d+)$/);
  if (customer && req.method === "GET") {
    const html = renderCustomerPage(env, customer[1]!);
    if (!html) res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    else res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    return true;
  }
  if (p === "/__devstore/flow-triggers" && req.method === "GET") {
    json(200, { triggers: profileOutState(env).flowTriggers });
    return true;
  }
  if (p === "/__devstore/segments" && req.method === "GET") {
    json(200, { segments: profileOutState(env).segments });
    return true;
  }
  if (p === "/__devstore/checkouts/age" && req.method === "POST") {
    // Test hook: the open checkouts as if their shoppers left `ms` ago (Shopify's ten-minute rule then applies).
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { ms?: number };
    json(200, { aged: ageCheckouts(env.state, Number(body.ms ?? ABANDON_AFTER_MS)) });
    return true;
  }
  if (p === "/__devstore/bulk-mutation-access" && req.method === "POST") {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { enabled?: boolean };
    setBulkMutations(env, body.enabled !== false);
    json(200, { enabled: bulkMutationsAllowed(env) });
    return true;
  }
  return false;
}

/** metafieldsDelete: deletes by owner, namespace and key; a metafield that does not exist yields null, no error. */
export function metafieldsDelete(ctx: AdminContext, ids: Args[]) {
  const deleted = ids.map((x) => {
    const ns = normalizeNamespace(x.namespace, ctx.env.appId);
    const i = ctx.env.state.metafields.findIndex((m) => m.ownerId === x.ownerId && m.namespace === ns && m.key === x.key);
    if (i < 0) return null;
    ctx.env.state.metafields.splice(i, 1);
    return { ownerId: x.ownerId, namespace: ns, key: x.key };
  });
  return { deletedMetafields: deleted, userErrors: [] };
}
