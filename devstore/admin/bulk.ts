// Bulk operations: bulkOperationRunQuery validates the query (pinned schema + Shopify's bulk rules), then runs it in
// the background over ALL the data: the root connection is fed in chunks of 250 nodes to graphql-js `execute`, and
// each chunk's result is flattened into Shopify's JSONL (one line per node; nested connection nodes on their own
// lines with "__parentId") and streamed to a file — memory stays bounded whatever the shop size.
import { createWriteStream, rmSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import {
  GraphQLError,
  Kind,
  execute,
  getNamedType,
  getOperationAST,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type SelectionSetNode,
  valueFromASTUntyped,
} from "graphql";
import { adminSchema } from "../../app/graphql/schema.server";
import type { AdminContext, AdminEnv, BulkAccess, BulkOperationRecord } from "./context";
import { parseAndValidate } from "./graphql";
import { fieldResolver, filteredCustomers, filteredOrders, typeResolver } from "./resolvers";
import { isoSeconds } from "../seed/generate";
import { matches, parseSearch } from "./search";

const CHUNK = 250;
const gid = (id: string) => `gid://shopify/BulkOperation/${id}`;
const isConnection = (t: GraphQLNamedType) => isObjectType(t) && t.name.endsWith("Connection") && "pageInfo" in t.getFields();

interface Sel {
  field: FieldNode;
  def: GraphQLField<unknown, unknown>;
  key: string;
}

function fieldsOf(set: SelectionSetNode, type: GraphQLCompositeType, frags: Record<string, FragmentDefinitionNode>, out: Sel[] = []): Sel[] {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      const defs = "getFields" in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>) : {};
      const def = defs[s.name.value];
      if (def) out.push({ field: s, def, key: s.alias?.value ?? s.name.value });
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      const t = s.typeCondition ? (adminSchema().getType(s.typeCondition.name.value) as GraphQLCompositeType) : type;
      fieldsOf(s.selectionSet, t, frags, out);
    } else {
      const f = frags[s.name.value];
      if (f) fieldsOf(f.selectionSet, adminSchema().getType(f.typeCondition.name.value) as GraphQLCompositeType, frags, out);
    }
  }
  return out;
}

/** The node selection of a connection field (edges.node or nodes), with the node type. */
function nodeSelection(conn: Sel, frags: Record<string, FragmentDefinitionNode>): { set: SelectionSetNode; type: GraphQLCompositeType } | null {
  const connType = getNamedType(conn.def.type) as GraphQLCompositeType;
  for (const s of fieldsOf(conn.field.selectionSet!, connType, frags)) {
    if (s.field.name.value === "nodes" && s.field.selectionSet) return { set: s.field.selectionSet, type: getNamedType(s.def.type) as GraphQLCompositeType };
    if (s.field.name.value === "edges" && s.field.selectionSet) {
      const edgeType = getNamedType(s.def.type) as GraphQLCompositeType;
      for (const e of fieldsOf(s.field.selectionSet, edgeType, frags)) {
        if (e.field.name.value === "node" && e.field.selectionSet) return { set: e.field.selectionSet, type: getNamedType(e.def.type) as GraphQLCompositeType };
      }
    }
  }
  return null;
}

/** Shopify's bulk query rules. Returns an error message, or null when the query can run in bulk. */
export function checkBulkRules(doc: DocumentNode): string | null {
  const op = getOperationAST(doc);
  if (!op) return "Bulk queries must contain exactly one operation.";
  if (op.operation !== "query") return "Bulk queries must be queries, use bulkOperationRunMutation for mutations.";
  const frags: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) frags[d.name.value] = d;
  const roots = fieldsOf(op.selectionSet, adminSchema().getQueryType()!, frags).filter((s) => s.field.name.value !== "__typename");
  if (roots.some((r) => r.field.name.value === "node" || r.field.name.value === "nodes")) {
    return "The top-level `node` and `nodes` fields can't be used in bulk queries.";
  }
  let connections = 0;
  let problem: string | null = null;
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, depth: number, inList: boolean, parentIsNode: boolean) => {
    const sels = fieldsOf(set, type, frags);
    for (const s of sels) {
      const named = getNamedType(s.def.type);
      if (isConnection(named)) {
        connections++;
        if (inList) problem ??= "Queries that contain a connection field within a list field are not currently supported.";
        if (depth + 1 > 2) problem ??= "Bulk queries cannot contain connections with a nesting depth greater than 2.";
        if (parentIsNode && !sels.some((x) => x.field.name.value === "id" && !x.field.alias)) {
          problem ??= `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'Node' type. Connection field: '${s.field.name.value}'.`;
        }
        const ns = nodeSelection(s, frags);
        if (ns) walk(ns.set, ns.type, depth + 1, false, true);
      } else if (s.field.selectionSet) {
        const t = isNonNullType(s.def.type) ? s.def.type.ofType : s.def.type;
        walk(s.field.selectionSet, named as GraphQLCompositeType, depth, inList || isListType(t), false);
      }
    }
  };
  walk(op.selectionSet, adminSchema().getQueryType()!, 0, false, false);
  if (problem) return problem;
  if (connections === 0) return "Bulk queries must contain at least one connection.";
  if (connections > 5) return "Bulk queries cannot contain more than 5 connections.";
  const rootConnections = roots.filter((r) => isConnection(getNamedType(r.def.type)));
  if (roots.length !== 1 || rootConnections.length !== 1) {
    return "The dev store runs bulk queries with exactly one top-level connection field (as the app's queries have).";
  }
  return null;
}

// Bulk access (shopify.dev changelog "Apps must enable bulk operations before use", November 2026): "If your app
// starts a bulk operation without access, then the request returns an access denied error." and "Apps that haven't
// run a bulk query or bulk mutation in the last 31 days lose access to that operation type." The error's exact text
// is not documented; the dev store answers with Shopify's usual ACCESS_DENIED shape for a field the app may not use.
export const BULK_ACCESS_DOCS = "https://shopify.dev/changelog/apps-must-enable-bulk-operations-before-use";
export const BULK_ACCESS_LAPSE_MS = 31 * 86_400_000;

/** Whether the app may start a bulk query now: enabled, and run (or enabled) within the last 31 days. */
export function bulkQueriesAllowed(access: BulkAccess | undefined, now: number): boolean {
  if (!access) return true;
  if (access.queriesEnabledAt === null) return false;
  const lastUse = Math.max(access.queriesEnabledAt, access.lastQueryRunAt ?? -Infinity);
  return now - lastUse <= BULK_ACCESS_LAPSE_MS;
}

/** Turns bulk queries on or off for the app, as "Allow bulk queries" in the Partner Dashboard does. */
export function setBulkQueries(env: AdminEnv, enabled: boolean, now = env.now?.() ?? Date.now()): void {
  env.bulkAccess = { queriesEnabledAt: enabled ? now : null, lastQueryRunAt: env.bulkAccess?.lastQueryRunAt ?? null };
}

export function bulkOperationRunQuery(ctx: AdminContext, query: string, _groupObjects: boolean) {
  const now = ctx.env.now?.() ?? Date.now();
  if (!bulkQueriesAllowed(ctx.env.bulkAccess, now)) {
    throw new GraphQLError("Access denied for bulkOperationRunQuery field. Bulk queries are not enabled for this app.", {
      extensions: { code: "ACCESS_DENIED", documentation: BULK_ACCESS_DOCS },
    });
  }
  const userError = (message: string, code = "INVALID") => ({ bulkOperation: null, userErrors: [{ field: ["query"], message, code }] });
  const parsed = parseAndValidate(query);
  if ("errors" in parsed) return userError(`Invalid bulk query: ${parsed.errors[0]!.message}`);
  const rule = checkBulkRules(parsed.doc);
  if (rule) return userError(rule);
  const running = ctx.env.bulkOps.find((b) => b.shop === ctx.shop.domain && b.type === "QUERY" && (b.status === "CREATED" || b.status === "RUNNING" || b.status === "CANCELING"));
  if (running) {
    return { bulkOperation: null, userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${gid(running.id)}.`, code: "OPERATION_IN_PROGRESS" }] };
  }
  const op = newBulkOperation(ctx, "QUERY", query, now);
  if (ctx.env.bulkAccess) ctx.env.bulkAccess.lastQueryRunAt = now;
  setImmediate(() => {
    runBulk({ ...ctx, bulk: undefined }, op, parsed.doc).catch((e) => {
      op.status = "FAILED";
      op.errorCode = "INTERNAL_SERVER_ERROR";
      console.error("[devstore] bulk operation crashed", e);
      void finish(ctx, op);
    });
  });
  return { bulkOperation: { ...op, __typename: "BulkOperation" }, userErrors: [] };
}

export function bulkOperationCancel(ctx: AdminContext, id: string) {
  const op = ctx.env.bulkOps.find((b) => gid(b.id) === id && b.shop === ctx.shop.domain);
  if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
  if (op.status !== "CREATED" && op.status !== "RUNNING") {
    return { bulkOperation: op, userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
  }
  op.cancelRequested = true;
  op.status = "CANCELING";
  return { bulkOperation: op, userErrors: [] };
}

function rootItems(ctx: AdminContext, field: FieldNode, variables: Record<string, unknown>): Iterable<unknown> {
  const args: Record<string, unknown> = {};
  for (const a of field.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value, variables);
  switch (field.name.value) {
    case "customers": return filteredCustomers(ctx, args);
    case "orders": return filteredOrders(ctx, args);
    case "products": {
      const groups = parseSearch(args.query as string | undefined);
      return ctx.env.state.products.filter((p) => matches(p, groups, { title: (x) => x.title, handle: (x) => x.handle, product_type: (x) => x.productType, vendor: (x) => x.vendor }, (x) => x.title));
    }
    case "discountNodes": return ctx.env.state.discounts.map((d) => ({ __typename: "DiscountNode", id: `gid://shopify/DiscountAutomaticNode/${d.id}`, discount: d }));
    default: throw new Error(`bulk root connection ${field.name.value} is not modelled by the dev store`);
  }
}

/** Flattens one node into JSONL lines: connection fields move out to their own lines with __parentId. */
function flatten(data: Record<string, unknown>, set: SelectionSetNode, type: GraphQLCompositeType, frags: Record<string, FragmentDefinitionNode>, parentId: string | null, out: string[]): void {
  const children: (() => void)[] = [];
  const line: Record<string, unknown> = {};
  const strip = (value: unknown, sels: Sel[], ownerId: string | null): Record<string, unknown> => {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = sels.find((x) => x.key === k);
      const named = s ? getNamedType(s.def.type) : null;
      if (s && named && isConnection(named)) {
        const ns = nodeSelection(s, frags);
        const conn = v as { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] } | null;
        const nodes = conn?.nodes ?? conn?.edges?.map((e) => e.node) ?? [];
        if (ns) children.push(() => { for (const n of nodes) if (n) flatten(n, ns.set, ns.type, frags, ownerId, out); });
        continue;
      }
      if (s?.field.selectionSet && v && typeof v === "object" && !Array.isArray(v)) {
        obj[k] = strip(v, fieldsOf(s.field.selectionSet, named as GraphQLCompositeType, frags), ownerId);
      } else obj[k] = v;
    }
    return obj;
  };
  const id = typeof data.id === "string" ? data.id : parentId;
  Object.assign(line, strip(data, fieldsOf(set, type, frags), id));
  if (parentId) line.__parentId = parentId;
  out.push(JSON.stringify(line));
  for (const c of children) c();
}

async function writeLines(out: WriteStream, lines: string[]): Promise<number> {
  if (lines.length === 0) return 0;
  const text = lines.join("\n") + "\n";
  if (!out.write(text)) await once(out, "drain");
  return Buffer.byteLength(text);
}

/** A new bulk operation of the shop, CREATED at `at` and recorded in the store (queries and mutations alike). */
export function newBulkOperation(ctx: AdminContext, type: BulkOperationRecord["type"], query: string, at: number): BulkOperationRecord {
  const op: BulkOperationRecord = {
    id: String(ctx.env.nextId()),
    shop: ctx.shop.domain,
    type,
    status: "CREATED",
    query,
    createdAt: isoSeconds(at),
    completedAt: null,
    errorCode: null,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: null,
    url: null,
    partialDataUrl: null,
    file: null,
    cancelRequested: false,
  };
  ctx.env.bulkOps.push(op);
  return op;
}

async function runBulk(ctx: AdminContext, op: BulkOperationRecord, doc: DocumentNode): Promise<void> {
  const env = ctx.env;
  op.status = "RUNNING";
  const schema = adminSchema();
  const opAst = getOperationAST(doc)!;
  const frags: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) frags[d.name.value] = d;
  const root = fieldsOf(opAst.selectionSet, schema.getQueryType()!, frags).find((s) => isConnection(getNamedType(s.def.type)))!;
  const rootNode = nodeSelection(root, frags);
  const file = path.join(env.dataDir, `bulk-${op.id}.jsonl`);
  op.file = file;
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk: unknown[] = [];
  let chunksDone = 0;
  const flush = async () => {
    const result = await execute({ schema, document: doc, contextValue: { ...ctx, bulk: { rootField: root.field.name.value, items: chunk } }, fieldResolver, typeResolver, rootValue: {} });
    if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join("; "));
    const conn = (result.data as Record<string, any>)[root.key];
    const nodes: Record<string, unknown>[] = conn?.nodes ?? conn?.edges?.map((e: any) => e.node) ?? [];
    const lines: string[] = [];
    for (const n of nodes) if (n && rootNode) flatten(n, rootNode.set, rootNode.type, frags, null, lines);
    bytes += await writeLines(out, lines);
    op.rootObjectCount += nodes.length;
    op.objectCount += lines.length;
    chunk = [];
    chunksDone++;
    if (env.faults.bulkChunkDelayMs) await new Promise((r) => setTimeout(r, env.faults.bulkChunkDelayMs));
    else if (chunksDone % 8 === 0) await new Promise((r) => setImmediate(r)); // keep the server responsive
  };
  let failed = false;
  for (const item of rootItems(ctx, root.field, {})) {
    chunk.push(item);
    if (chunk.length >= CHUNK) {
      await flush();
      if (op.cancelRequested) break;
      if (env.faults.bulkFail) { failed = true; break; }
    }
  }
  if (!op.cancelRequested && !failed && chunk.length) await flush();
  if (!op.cancelRequested && env.faults.bulkFail) failed = true;
  out.end();
  await once(out, "finish");
  op.completedAt = isoSeconds(env.now?.() ?? Date.now());
  const url = `${env.storeUrl}/bulk/${op.id}.jsonl`;
  if (op.cancelRequested) {
    op.status = "CANCELED";
    op.partialDataUrl = op.objectCount ? url : null;
  } else if (failed) {
    op.status = "FAILED";
    op.errorCode = env.faults.bulkFail;
    op.partialDataUrl = op.objectCount ? url : null;
  } else {
    op.status = "COMPLETED";
    op.fileSize = bytes;
    // Shopify returns no URL when the query matched nothing.
    op.url = op.objectCount ? url : null;
    if (env.faults.bulkExpire) expire(op);
  }
  await finish(ctx, op);
}

export function expire(op: BulkOperationRecord): void {
  if (op.status !== "COMPLETED") return;
  op.status = "EXPIRED";
  op.url = null;
  if (op.file) rmSync(op.file, { force: true });
}

async function finish(ctx: AdminContext, op: BulkOperationRecord): Promise<void> {
  await ctx.env.deliverWebhook("bulk_operations/finish", op.shop, {
    admin_graphql_api_id: gid(op.id),
    completed_at: op.completedAt,
    created_at: op.createdAt,
    error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
    status: (op.status === "EXPIRED" ? "completed" : op.status).toLowerCase(),
    type: op.type.toLowerCase(),
  });
}
