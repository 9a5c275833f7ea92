// Shopify's calculated query cost (shopify.dev "GraphQL Admin API rate limits"): scalars and enums 0, objects 1,
// connections 2 + page size × the cost of one node, abstract types the maximum over their possible selections,
// mutation fields 10. The requested cost is computed before execution from first/last; the actual cost after it,
// from what was returned (fewer nodes, null objects).
import {
  Kind,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from "graphql";

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

const isConnection = (t: GraphQLNamedType) => isObjectType(t) && t.name.endsWith("Connection") && "pageInfo" in t.getFields();

function argValue(node: FieldNode, name: string, w: Walk): unknown {
  const a = node.arguments?.find((x) => x.name.value === name);
  return a ? valueFromASTUntyped(a.value, w.variables) : undefined;
}

/** Fields selected on `parent`, grouped by the concrete type condition they apply to (null = all). */
function collect(set: SelectionSetNode, w: Walk, cond: string | null, out: { cond: string | null; field: FieldNode }[]) {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push({ cond, field: s });
    else if (s.kind === Kind.INLINE_FRAGMENT) collect(s.selectionSet, w, s.typeCondition?.name.value ?? cond, out);
    else {
      const frag = w.fragments[s.name.value];
      if (frag) collect(frag.selectionSet, w, frag.typeCondition.name.value, out);
    }
  }
  return out;
}

function selectionCost(set: SelectionSetNode | undefined, parent: GraphQLCompositeType, w: Walk, data: any, actual: boolean): number {
  if (!set) return 0;
  const fields = collect(set, w, null, []);
  const costOf = (f: { field: FieldNode }, type: GraphQLCompositeType) => {
    if (!("getFields" in type)) return 0;
    const def = (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[f.field.name.value];
    if (!def) return 0;
    const key = f.field.alias?.value ?? f.field.name.value;
    return fieldCost(f.field, def, w, actual ? data?.[key] : undefined, actual);
  };
  if (!isAbstractType(parent)) return fields.reduce((s, f) => s + costOf(f, parent), 0);
  // Abstract: the most expensive possible concrete type (or the concrete one that was returned).
  const types = w.schema.getPossibleTypes(parent);
  const typename: string | undefined = data?.__typename;
  const candidates = actual && typename ? types.filter((t) => t.name === typename) : types;
  let best = 0;
  for (const t of candidates.length ? candidates : types) {
    const c = fields
      .filter((f) => f.cond === null || f.cond === t.name || f.cond === parent.name || t.getInterfaces().some((i) => i.name === f.cond))
      .reduce((s, f) => s + costOf(f, t), 0);
    best = Math.max(best, c);
  }
  return best;
}

function fieldCost(node: FieldNode, def: GraphQLField<unknown, unknown>, w: Walk, data: any, actual: boolean): number {
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  if (actual && (data === null || data === undefined)) return 0;
  const composite = named as GraphQLCompositeType;
  if (isConnection(named)) {
    const size = Number(argValue(node, "first", w) ?? argValue(node, "last", w) ?? 0);
    const edgeType = getNamedType((composite as any).getFields().edges.type) as any;
    const nodeType = edgeType?.getFields?.().node?.type;
    const nodeNamed = nodeType ? (getNamedType(nodeType) as unknown as GraphQLCompositeType) : null;
    const perNodeSelections: SelectionSetNode[] = [];
    for (const f of collect(node.selectionSet!, w, null, [])) {
      if (f.field.name.value === "nodes" && f.field.selectionSet) perNodeSelections.push(f.field.selectionSet);
      if (f.field.name.value === "edges" && f.field.selectionSet) {
        for (const e of collect(f.field.selectionSet, w, null, [])) if (e.field.name.value === "node" && e.field.selectionSet) perNodeSelections.push(e.field.selectionSet);
      }
    }
    if (!nodeNamed) return 2;
    if (actual) {
      const nodes: any[] = data?.nodes ?? (data?.edges ?? []).map((e: any) => e?.node);
      let sum = 2;
      for (const n of nodes) {
        if (n == null) continue;
        sum += 1 + perNodeSelections.reduce((s, sel) => s + selectionCost(sel, nodeNamed, w, n, true), 0);
      }
      return sum;
    }
    const one = 1 + perNodeSelections.reduce((s, sel) => s + selectionCost(sel, nodeNamed, w, null, false), 0);
    return 2 + size * one;
  }
  const list = isListType(isNonNullType(def.type) ? def.type.ofType : def.type);
  if (list) {
    if (actual) return (Array.isArray(data) ? data : []).reduce((s: number, item: any) => s + (item == null ? 0 : 1 + selectionCost(node.selectionSet, composite, w, item, true)), 0);
    const size = Number(argValue(node, "first", w) ?? 1);
    return size * (1 + selectionCost(node.selectionSet, composite, w, null, false));
  }
  return 1 + selectionCost(node.selectionSet, composite, w, actual ? data : null, actual);
}

export function queryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data?: Record<string, unknown> | null,
): number {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const w: Walk = { schema, fragments, variables };
  const actual = data !== undefined;
  if (operation.operation === "mutation") {
    return collect(operation.selectionSet, w, null, []).filter((f) => f.field.name.value !== "__typename").length * 10;
  }
  const root = schema.getQueryType()!;
  return selectionCost(operation.selectionSet, root, w, actual ? data : null, actual);
}
