// The Admin GraphQL endpoint: parse, validate against the pinned 2026-07 schema (errors in graphql-ruby's shape,
// as Shopify returns them), cost + leaky-bucket throttling, then execution with graphql-js over the store data.
import {
  GraphQLError,
  Kind,
  TypeInfo,
  execute,
  getNamedType,
  getOperationAST,
  parse,
  validate,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from "graphql";
import { adminSchema } from "../../app/graphql/schema.server";
import type { AdminContext } from "./context";
import { queryCost } from "./cost";
import { fieldResolver, typeResolver } from "./resolvers";
import { fieldAccessError } from "./scopes";

export const RATE_DOCS = "https://shopify.dev/api/usage/rate-limits";
export const MAX_SINGLE_QUERY_COST = 1000;

export interface GqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}
export interface ShopifyError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------ leaky bucket

/** Per app × shop bucket. Standard plans restore 100 points/s; the bucket holds 20 seconds' worth. */
export class LeakyBucket {
  private available: number;
  private at: number;
  constructor(readonly maximumAvailable: number, readonly restoreRate: number, private clock: () => number = Date.now) {
    this.available = maximumAvailable;
    this.at = clock();
  }
  currentlyAvailable(): number {
    const now = this.clock();
    this.available = Math.min(this.maximumAvailable, this.available + ((now - this.at) / 1000) * this.restoreRate);
    this.at = now;
    return this.available;
  }
  take(n: number): boolean {
    if (this.currentlyAvailable() < n) return false;
    this.available -= n;
    return true;
  }
  refund(n: number): void {
    this.currentlyAvailable();
    this.available = Math.min(this.maximumAvailable, this.available + n);
  }
  status() {
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(this.currentlyAvailable()), restoreRate: this.restoreRate };
  }
}

export const RESTORE_RATE = { basic: 100, shopify: 100, advanced: 200, plus: 1000 } as const;

// ------------------------------------------------------------------------------------------------ errors

/** graphql-ruby style path: ["query Name", "customers", "edges", "node", "foo"], inline fragments as "... on T". */
function pathIndex(doc: DocumentNode): Map<ASTNode, string[]> {
  const map = new Map<ASTNode, string[]>();
  const stack: string[] = [];
  visit(doc, {
    enter(node) {
      let seg: string | null = null;
      if (node.kind === Kind.OPERATION_DEFINITION) seg = node.name ? `${node.operation} ${node.name.value}` : node.operation;
      else if (node.kind === Kind.FRAGMENT_DEFINITION) seg = `fragment ${node.name.value}`;
      else if (node.kind === Kind.FIELD) seg = node.alias?.value ?? node.name.value;
      else if (node.kind === Kind.INLINE_FRAGMENT) seg = node.typeCondition ? `... on ${node.typeCondition.name.value}` : "...";
      if (seg !== null) stack.push(seg);
      map.set(node, [...stack]);
      if (node.kind === Kind.ARGUMENT) map.set(node, [...stack, node.name.value]);
      return undefined;
    },
    leave(node) {
      if (
        node.kind === Kind.OPERATION_DEFINITION ||
        node.kind === Kind.FRAGMENT_DEFINITION ||
        node.kind === Kind.FIELD ||
        node.kind === Kind.INLINE_FRAGMENT
      )
        stack.pop();
    },
  });
  return map;
}

/** Maps graphql-js validation messages onto the graphql-ruby messages/codes Shopify answers with. */
export function shopifyValidationError(e: GraphQLError, paths: Map<ASTNode, string[]>): ShopifyError {
  const locations = e.locations?.map((l) => ({ line: l.line, column: l.column }));
  const node = e.nodes?.[0];
  const path = node ? paths.get(node) : undefined;
  let m: RegExpMatchArray | null;
  const out = (message: string, extensions: Record<string, unknown>): ShopifyError => ({ message, locations, ...(path ? { path } : {}), extensions });
  if ((m = e.message.match(/^Cannot query field "(\w+)" on type "(\w+)"/))) {
    return out(`Field '${m[1]}' doesn't exist on type '${m[2]}'`, { code: "undefinedField", typeName: m[2], fieldName: m[1] });
  }
  if ((m = e.message.match(/^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"/))) {
    return out(`Field '${m[3]}' doesn't accept argument '${m[1]}'`, { code: "argumentNotAccepted", name: m[3], typeName: "Field", argumentName: m[1] });
  }
  if ((m = e.message.match(/^Field "(\w+)\.(\w+)" argument "(\w+)" of type "(.+)" is required/))) {
    return out(`Field '${m[2]}' is missing required arguments: ${m[3]}`, { code: "missingRequiredArguments", className: "Field", name: m[2], arguments: m[3] });
  }
  if ((m = e.message.match(/^Field "(\w+)" must not have a selection since type "(.+)" has no subfields/))) {
    return out(`Selections can't be made on scalars (field '${m[1]}' returns ${m[2]} but has selections [...])`, { code: "selectionMismatch", nodeName: `field '${m[1]}'`, typeName: m[2] });
  }
  if ((m = e.message.match(/^Field "(\w+)" of type "(.+)" must have a selection of subfields/))) {
    const t = m[2]!.replace(/[[\]!]/g, "");
    return out(`Field must have selections (field '${m[1]}' returns ${t} but has no selections. Did you mean '${m[1]} { ... }'?)`, { code: "selectionMismatch", nodeName: `field '${m[1]}'`, typeName: t });
  }
  if ((m = e.message.match(/^Unknown type "(\w+)"/))) {
    return out(`No such type ${m[1]}, so it can't be a fragment condition`, { code: "undefinedType", typeName: m[1] });
  }
  if ((m = e.message.match(/^Variable "\$(\w+)" is not defined/))) {
    return out(`Variable $${m[1]} is used by ${path?.[0] ?? "anonymous query"} but not declared`, { code: "variableNotDefined", variableName: m[1] });
  }
  if ((m = e.message.match(/^Variable "\$(\w+)" is never used/))) {
    return out(`Variable $${m[1]} is declared by ${path?.[0] ?? "anonymous query"} but not used`, { code: "variableNotUsed", variableName: m[1] });
  }
  return out(e.message, { code: "validationError" });
}

export function parseAndValidate(source: string, schema: GraphQLSchema = adminSchema()): { doc: DocumentNode } | { errors: ShopifyError[] } {
  let doc: DocumentNode;
  try {
    doc = parse(source);
  } catch (e) {
    const err = e as GraphQLError;
    return { errors: [{ message: `Parse error: ${err.message.replace(/^Syntax Error: /, "")}`, locations: err.locations?.map((l) => ({ line: l.line, column: l.column })) }] };
  }
  const errors = validate(schema, doc);
  if (errors.length) {
    const paths = pathIndex(doc);
    return { errors: errors.map((e) => shopifyValidationError(e, paths)) };
  }
  return { doc };
}

// ------------------------------------------------------------------------------------------------ access

/**
 * Access is checked per field while executing, as on Shopify: a field the token has no scope for, or protected
 * customer data the app is not approved for, resolves to null with its error in `errors` (HTTP 200), the rest of
 * the document still resolves.
 */
export const checkedFieldResolver: GraphQLFieldResolver<unknown, AdminContext> = (source, args, ctx, info) => {
  const denied = fieldAccessError(info.parentType.name, info.fieldName, ctx.scopes ?? ctx.env.scopes, ctx.env.pcd);
  if (denied) throw denied;
  return fieldResolver(source, args, ctx, info);
};

// ------------------------------------------------------------------------------------------------ deprecations

/**
 * Deprecated fields and enum values a document uses, as `Type.field` / `Enum.VALUE`, in document order, each once.
 * Shopify reports them on the response: "As of 2025-04, the X-Shopify-API-Deprecated-Reason HTTP header will return
 * the list of detected deprecations instead of a generic URL." (e.g. `Shop.products, Shop.productVariants`;
 * shopify.dev/changelog/graphql-return-actual-deprecation-reasons). Validation still passes: deprecated is not
 * removed, which is why only this header (and a test over the app's documents) catches it before the removal.
 */
export function deprecatedUsages(doc: DocumentNode, schema: GraphQLSchema = adminSchema()): string[] {
  const found = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    doc,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const def = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (def?.deprecationReason != null && parent) found.add(`${parent.name}.${def.name}`);
      },
      EnumValue(node) {
        const value = typeInfo.getEnumValue();
        const type = getNamedType(typeInfo.getInputType());
        if (value?.deprecationReason != null) found.add(`${type?.name ?? "enum"}.${node.value}`);
      },
    }),
  );
  return [...found];
}

export const DEPRECATED_REASON_HEADER = "x-shopify-api-deprecated-reason";

// ------------------------------------------------------------------------------------------------ endpoint

export interface GqlResponse {
  status: number;
  body: Record<string, unknown>;
  /** Response headers beyond the server's own (the deprecation notice). */
  headers?: Record<string, string>;
}

export async function runAdminGraphql(ctx: AdminContext, bucket: LeakyBucket, req: GqlRequest): Promise<GqlResponse> {
  if (typeof req.query !== "string" || req.query.trim() === "") {
    return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
  }
  const variables = (req.variables && typeof req.variables === "object" ? req.variables : {}) as Record<string, unknown>;
  const operationName = typeof req.operationName === "string" ? req.operationName : undefined;
  const schema = adminSchema();
  const parsed = parseAndValidate(req.query, schema);
  if ("errors" in parsed) return { status: 200, body: { errors: parsed.errors } };
  const { doc } = parsed;
  const op = getOperationAST(doc, operationName);
  if (!op) return { status: 200, body: { errors: [{ message: operationName ? `No operation named "${operationName}"` : "An operation name is required" }] } };
  if (op.operation === "subscription") return { status: 200, body: { errors: [{ message: "Subscriptions are not supported" }] } };

  let requested: number;
  try {
    requested = queryCost(schema, doc, op, variables);
  } catch {
    requested = 1;
  }
  const costExt = (actual: number | null) => ({ cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } });
  if (requested > MAX_SINGLE_QUERY_COST) {
    return {
      status: 200,
      body: {
        errors: [{
          message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
          extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_SINGLE_QUERY_COST, documentation: RATE_DOCS },
        }],
        extensions: costExt(null),
      },
    };
  }
  if (ctx.env.faults.throttleAll || !bucket.take(requested)) {
    return {
      status: 200,
      body: { errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: RATE_DOCS } }], extensions: costExt(null) },
    };
  }
  const result = await execute({ schema, document: doc, contextValue: ctx, variableValues: variables, operationName, fieldResolver: checkedFieldResolver, typeResolver, rootValue: {} });
  let actual = requested;
  try {
    actual = op.operation === "mutation" ? requested : Math.min(requested, queryCost(schema, doc, op, variables, (result.data ?? null) as Record<string, unknown> | null));
  } catch {
    /* keep requested */
  }
  bucket.refund(requested - actual);
  const body: Record<string, unknown> = {};
  if (result.errors?.length) {
    body.errors = result.errors.map((e) => ({
      message: e.message,
      ...(e.locations ? { locations: e.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
      ...(e.path ? { path: e.path } : {}),
      ...(e.extensions && Object.keys(e.extensions).length ? { extensions: e.extensions } : {}),
    }));
  }
  body.data = result.data ?? null;
  body.extensions = costExt(actual);
  const deprecated = deprecatedUsages(doc, schema);
  return { status: 200, body, ...(deprecated.length ? { headers: { [DEPRECATED_REASON_HEADER]: deprecated.join(", ") } } : {}) };
}
