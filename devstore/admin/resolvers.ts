// Resolvers over the dev store's data for the Admin API 2026-07 schema. Executed by graphql-js with a custom
// fieldResolver: per-type resolver maps first, then same-named properties of the source, then a plausible value
// for an unmodelled field (null when nullable; "", 0, false, [], first enum value, empty object when non-null).
import { createHash } from "node:crypto";
import {
  GraphQLError,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
} from "graphql";
import type { DevDiscount, DevMetafield, DevOrder, DevProduct, DevVariant } from "../types";
import type { AdminContext, BulkOperationRecord } from "./context";
import type { CustomerRecord } from "./data";
import { customerTotals } from "./data";
import { collectionsOf, isoSeconds } from "../seed/generate";
import { decimal } from "../seed/jsonl";
import { matches, parseSearch } from "./search";
import { abandonedCheckouts, webPixel, webPixelCreate, webPixelUpdate } from "./checkouts";
import { paymentCustomizationActivation, paymentCustomizationCreate, paymentCustomizationNode, paymentCustomizationUpdate } from "./paymentCustomizations";
import { bulkOperationRunMutation, customerTags, metafieldsDelete, definitionsFor, flowTriggerReceive, metafieldDefinitionCreate, metafieldDefinitionUpdate, segmentCreate, stagedUploadsCreate, tagsAdd, tagsRemove } from "./profileOut";
import { metafieldsSet, normalizeNamespace, discountCreate, discountUpdate, discountDelete, discountSetActive, discountNode, familyOf, codesOf, discountRedeemCodeBulkAdd, discountCodeRedeemCodeBulkDelete, redeemCodeId, findRedeemCodeBulkCreation, type redeemCodeBulkCreation } from "./mutations";
import { bulkOperationCancel, bulkOperationRunQuery } from "./bulk";
import { orderCancel, refundCreate } from "./refunds";

type Args = Record<string, any>;
type Resolver = (source: any, args: Args, ctx: AdminContext, info: GraphQLResolveInfo) => unknown;

export const gid = (type: string, id: string | number) => `gid://shopify/${type}/${id}`;
export function parseGid(value: unknown): { type: string; id: string } | null {
  const m = typeof value === "string" ? value.match(/^gid:\/\/shopify\/(\w+)\/([^/?]+)/) : null;
  return m ? { type: m[1]!, id: m[2]! } : null;
}

export const money = (amount: number, currencyCode: string) => ({ amount: decimal(amount), currencyCode });
const moneyBag = (amount: number, currencyCode: string) => ({
  shopMoney: money(amount, currencyCode),
  presentmentMoney: money(amount, currencyCode),
});

// ------------------------------------------------------------------------------------------------ connections

const MAX_PAGE = 250;
const encodeCursor = (key: string) => Buffer.from(JSON.stringify({ last_id: key })).toString("base64");
function decodeCursor(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown };
    if (typeof v.last_id === "string") return v.last_id;
  } catch {
    /* fall through */
  }
  throw new GraphQLError("Invalid cursor for current pagination sort.");
}

/** Relay connection over an in-memory list, with Shopify's rule that one of first/last is required. */
export function connection<T>(items: T[], args: Args, ctx: AdminContext, key: (t: T) => string, wrap: (t: T) => unknown = (t) => t) {
  let list = items;
  if (!ctx.bulk) {
    if (args.first == null && args.last == null) throw new GraphQLError("you must provide one of first or last");
    for (const a of ["first", "last"] as const) {
      if (args[a] != null && (args[a] < 0 || args[a] > MAX_PAGE)) {
        throw new GraphQLError(`The page size requested (${args[a]}) is above the maximum of ${MAX_PAGE}.`);
      }
    }
  }
  let start = 0;
  let end = list.length;
  if (args.after) {
    const k = decodeCursor(args.after);
    const i = list.findIndex((t) => key(t) === k);
    start = i >= 0 ? i + 1 : end;
  }
  if (args.before) {
    const k = decodeCursor(args.before);
    const i = list.findIndex((t) => key(t) === k);
    end = i >= 0 ? i : end;
  }
  let from = start;
  let to = end;
  if (!ctx.bulk) {
    if (args.first != null) to = Math.min(end, from + args.first);
    if (args.last != null) from = Math.max(from, to - args.last);
  }
  list = list.slice(from, to);
  const edges = list.map((t) => ({ cursor: encodeCursor(key(t)), node: wrap(t) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: to < end,
      hasPreviousPage: from > start,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function sortBy<T>(items: T[], args: Args, keys: Record<string, (t: T) => string | number>, defaultKey = "ID"): T[] {
  const get = keys[args.sortKey ?? defaultKey] ?? keys[defaultKey]!;
  const sorted = [...items].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return args.reverse ? sorted.reverse() : sorted;
}

const idNum = (id: string) => Number(id);

// ------------------------------------------------------------------------------------------------ customers

const customerSearch = {
  email: (r: CustomerRecord) => r.customer.email,
  id: (r: CustomerRecord) => idNum(r.customer.id),
  first_name: (r: CustomerRecord) => r.customer.firstName,
  last_name: (r: CustomerRecord) => r.customer.lastName,
  created_at: (r: CustomerRecord) => r.customer.createdAt,
  updated_at: (r: CustomerRecord) => r.customer.createdAt,
  orders_count: (r: CustomerRecord) => r.orders.length,
  number_of_orders: (r: CustomerRecord) => r.orders.length,
  amount_spent: (r: CustomerRecord) => customerTotals(r.orders).spent,
  total_spent: (r: CustomerRecord) => customerTotals(r.orders).spent,
  state: () => "enabled",
};
const customerText = (r: CustomerRecord) => `${r.customer.firstName} ${r.customer.lastName} ${r.customer.email}`;

export function filteredCustomers(ctx: AdminContext, args: Args): Iterable<CustomerRecord> {
  const groups = parseSearch(args.query);
  const all = ctx.env.data.customers();
  if (groups.length === 0) return all;
  return (function* () {
    for (const r of all) if (matches(r, groups, customerSearch, customerText)) yield r;
  })();
}

function customersConnection(ctx: AdminContext, args: Args) {
  if (ctx.bulk) return connection(ctx.bulk.items as CustomerRecord[], args, ctx, (r) => r.customer.id, tag("Customer"));
  const list = sortBy([...filteredCustomers(ctx, args)], args, {
    ID: (r) => idNum(r.customer.id),
    CREATED_AT: (r) => r.customer.createdAt,
    UPDATED_AT: (r) => r.customer.createdAt,
    NAME: (r) => `${r.customer.lastName} ${r.customer.firstName}`,
    RELEVANCE: (r) => idNum(r.customer.id),
    LOCATION: (r) => idNum(r.customer.id),
  });
  return connection(list, args, ctx, (r) => r.customer.id, tag("Customer"));
}

// ------------------------------------------------------------------------------------------------ orders

const orderSearch = {
  id: (o: DevOrder) => idNum(o.id),
  name: (o: DevOrder) => o.name,
  customer_id: (o: DevOrder) => (o.customerId ? idNum(o.customerId) : null),
  created_at: (o: DevOrder) => o.createdAt,
  processed_at: (o: DevOrder) => o.createdAt,
  updated_at: (o: DevOrder) => o.updatedAt,
  financial_status: (o: DevOrder) => o.financialStatus.toLowerCase(),
  status: (o: DevOrder) => (o.cancelledAt ? "cancelled" : "open"),
  discount_code: (o: DevOrder) => o.discountCodes,
};
/**
 * Without `read_all_orders`, orders older than 60 days do not exist for the app (Order object reference: "Only the
 * last 60 days' worth of orders from a store are accessible from the Order object by default. If you want to access
 * older records, then you need to request access to all orders."). Customer `numberOfOrders` / `amountSpent` stay
 * lifetime. Returns the oldest visible createdAt (epoch ms), or null when every order is visible.
 */
export const ORDER_WINDOW_DAYS = 60;
export function orderWindowStart(ctx: AdminContext): number | null {
  if ((ctx.scopes ?? ctx.env.scopes).includes("read_all_orders")) return null;
  return (ctx.env.now?.() ?? Date.now()) - ORDER_WINDOW_DAYS * 86_400_000;
}
const visibleOrder = (o: DevOrder | null | undefined, from: number | null): DevOrder | null =>
  o && (from === null || Date.parse(o.createdAt) >= from) ? o : null;

export function filteredOrders(ctx: AdminContext, args: Args, source?: Iterable<DevOrder>): Iterable<DevOrder> {
  const groups = parseSearch(args.query);
  const all = source ?? ctx.env.data.orders();
  const from = orderWindowStart(ctx);
  if (groups.length === 0 && from === null) return all;
  return (function* () {
    for (const o of all) if (visibleOrder(o, from) && (groups.length === 0 || matches(o, groups, orderSearch, (x) => x.name))) yield o;
  })();
}
const orderSortKeys = {
  ID: (o: DevOrder) => idNum(o.id),
  CREATED_AT: (o: DevOrder) => o.createdAt,
  PROCESSED_AT: (o: DevOrder) => o.createdAt,
  UPDATED_AT: (o: DevOrder) => o.updatedAt,
  ORDER_NUMBER: (o: DevOrder) => Number(o.name.replace(/\D/g, "")),
  TOTAL_PRICE: (o: DevOrder) => o.total,
  CURRENT_TOTAL_PRICE: (o: DevOrder) => o.total - o.refunded,
  FINANCIAL_STATUS: (o: DevOrder) => o.financialStatus,
};
function ordersConnection(ctx: AdminContext, args: Args, source?: Iterable<DevOrder>) {
  if (ctx.bulk && !source) return connection(ctx.bulk.items as DevOrder[], args, ctx, (o) => o.id, tag("Order"));
  const list = sortBy([...filteredOrders(ctx, args, source)], args, orderSortKeys);
  return connection(list, args, ctx, (o) => o.id, tag("Order"));
}

// ------------------------------------------------------------------------------------------------ products

const productSearch = {
  id: (p: DevProduct) => idNum(p.id),
  title: (p: DevProduct) => p.title,
  handle: (p: DevProduct) => p.handle,
  product_type: (p: DevProduct) => p.productType,
  vendor: (p: DevProduct) => p.vendor,
  tag: (p: DevProduct) => p.tags,
  status: () => "active",
  created_at: (p: DevProduct) => p.createdAt,
};
function productsConnection(ctx: AdminContext, args: Args, items?: DevProduct[]) {
  if (ctx.bulk && !items) return connection(ctx.bulk.items as DevProduct[], args, ctx, (p) => p.id, tag("Product"));
  const groups = parseSearch(args.query);
  const filtered = (items ?? ctx.env.state.products).filter((p) => matches(p, groups, productSearch, (x) => `${x.title} ${x.vendor} ${x.productType}`));
  const list = sortBy(filtered, args, {
    ID: (p) => idNum(p.id),
    TITLE: (p) => p.title,
    CREATED_AT: (p) => p.createdAt,
    UPDATED_AT: (p) => p.createdAt,
    PRODUCT_TYPE: (p) => p.productType,
    VENDOR: (p) => p.vendor,
    INVENTORY_TOTAL: (p) => p.variants.reduce((s, v) => s + v.inventoryQuantity, 0),
    RELEVANCE: (p) => idNum(p.id),
    PUBLISHED_AT: (p) => p.createdAt,
  });
  return connection(list, args, ctx, (p) => p.id, tag("Product"));
}

function collectionsList(ctx: AdminContext) {
  return collectionsOf(ctx.env.state.products).map((c, i) => ({ __typename: "Collection", id: String(480_000_000_000 + i + 1), ...c }));
}

// ------------------------------------------------------------------------------------------------ metafields

function metafieldsOf(ctx: AdminContext, ownerGid: string): DevMetafield[] {
  return ctx.env.state.metafields.filter((m) => m.ownerId === ownerGid);
}
function findMetafield(ctx: AdminContext, ownerGid: string, namespace: string | undefined, key: string) {
  const ns = normalizeNamespace(namespace, ctx.env.appId);
  return ctx.env.state.metafields.find((m) => m.ownerId === ownerGid && m.namespace === ns && m.key === key);
}
const metafieldFields = (ownerGid: (src: any, ctx: AdminContext) => string) => ({
  metafield: (src: any, args: Args, ctx: AdminContext) => {
    const m = findMetafield(ctx, ownerGid(src, ctx), args.namespace, args.key);
    return m ? tag("Metafield")(m) : null;
  },
  metafields: (src: any, args: Args, ctx: AdminContext) => {
    let list = metafieldsOf(ctx, ownerGid(src, ctx));
    if (args.namespace) list = list.filter((m) => m.namespace === normalizeNamespace(args.namespace, ctx.env.appId));
    if (args.keys) {
      const keys = (args.keys as string[]).map((k) => {
        const dot = k.lastIndexOf(".");
        return `${normalizeNamespace(k.slice(0, dot), ctx.env.appId)}.${k.slice(dot + 1)}`;
      });
      list = list.filter((m) => keys.includes(`${m.namespace}.${m.key}`));
    }
    return connection(list, args, ctx, (m) => m.id, tag("Metafield"));
  },
});

export function compareDigest(m: DevMetafield): string {
  return createHash("sha256").update(`${m.id}:${m.updatedAt}:${m.value}`).digest("hex");
}

const tag = (typename: string) => <T>(value: T) => (value && typeof value === "object" ? { ...value, __typename: typename } : value);

// ------------------------------------------------------------------------------------------------ discounts

export function discountStatus(d: DevDiscount, now = Date.now()): DevDiscount["status"] {
  if (Date.parse(d.startsAt) > now) return "SCHEDULED";
  if (d.endsAt && Date.parse(d.endsAt) <= now) return "EXPIRED";
  return "ACTIVE";
}
/** The concrete Discount union member for a stored discount. */
const discountTypename = (d: DevDiscount) =>
  d.kind === "code_basic"
    ? "DiscountCodeBasic"
    : d.kind === "code_app"
      ? "DiscountCodeApp"
      : d.kind === "automatic_bxgy"
        ? "DiscountAutomaticBxgy"
        : "DiscountAutomaticBasic";
const findByNode = (ctx: AdminContext, id: unknown, node: "DiscountAutomaticNode" | "DiscountCodeNode") => {
  const g = parseGid(id);
  if (g?.type !== node) return null;
  const d = ctx.env.state.discounts.find((x) => x.id === g.id && discountNode(x).__typename === node);
  return d ? discountNode(d) : null;
};
/** Search syntax of discountNodes / codeDiscountNodes (title, status, method, type, code, discount_class). */
const discountSearch = {
  title: (x: DevDiscount) => x.title,
  status: (x: DevDiscount) => discountStatus(x).toLowerCase(),
  method: (x: DevDiscount) => (x.kind === "code_basic" || x.kind === "code_app" ? "code" : "automatic"),
  type: (x: DevDiscount) => (x.kind === "automatic_bxgy" ? "bxgy" : x.amount ? "fixed_amount" : "percentage"),
  code: (x: DevDiscount) => x.code ?? "",
  discount_class: (x: DevDiscount) => (x.appliesToAll === false ? "product" : "order"),
};
/** Fields every code discount (DiscountCodeBasic, DiscountCodeApp) has: codes, usage limit, who may use it. */
const codeDiscountFields: Record<string, Resolver> = {
  appliesOncePerCustomer: (d: DevDiscount) => d.appliesOncePerCustomer ?? false,
  usageLimit: (d: DevDiscount) => d.usageLimit ?? null,
  asyncUsageCount: (d: DevDiscount, _a, ctx) => codeUsage(ctx, d),
  context: () => ({ __typename: "DiscountBuyerSelectionAll", all: "ALL" }),
  customerSelection: () => ({ __typename: "DiscountCustomerAll", allCustomers: true }),
  codesCount: (d: DevDiscount) => ({ count: codesOf(d).length, precision: "EXACT" }),
  codes: (d: DevDiscount, args, ctx) => connection(codesOf(d), args, ctx, (c) => c, (c) => redeemCode(ctx, d, c)),
  shareableUrls: () => [],
};
/** Fields shared by DiscountAutomaticBasic and DiscountCodeBasic. */
const basicDiscountFields: Record<string, Resolver> = {
  status: (d: DevDiscount) => discountStatus(d),
  createdAt: (d: DevDiscount) => d.createdAt ?? d.startsAt,
  updatedAt: (d: DevDiscount) => d.updatedAt ?? d.startsAt,
  asyncUsageCount: () => 0,
  usageCount: () => 0,
  recurringCycleLimit: () => 0,
  tags: (d: DevDiscount) => d.tags ?? [],
  discountClass: (d: DevDiscount) => (d.appliesToAll === false ? "PRODUCT" : "ORDER"),
  discountClasses: (d: DevDiscount) => [d.appliesToAll === false ? "PRODUCT" : "ORDER"],
  summary: (d: DevDiscount, _a, ctx) => discountSummary(d, ctx),
  shortSummary: (d: DevDiscount, _a, ctx) => discountSummary(d, ctx),
  combinesWith: (d: DevDiscount) => d.combinesWith ?? { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  minimumRequirement: (d: DevDiscount, _a, ctx) =>
    d.minimumSubtotal
      ? { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: money(d.minimumSubtotal, ctx.shop.currencyCode) }
      : d.minimumQuantity
        ? { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: String(d.minimumQuantity) }
        : null,
  customerGets: (d: DevDiscount, _a, ctx) => ({
    appliesOnOneTimePurchase: true,
    appliesOnSubscription: false,
    value: d.amount
      ? { __typename: "DiscountAmount", amount: money(d.amount, ctx.shop.currencyCode), appliesOnEachItem: false }
      : { __typename: "DiscountPercentage", percentage: d.percentage },
    items: d.appliesToAll === false
      ? { __typename: "DiscountProducts", productIds: d.productIds }
      : { __typename: "AllDiscountItems", allItems: true },
  }),
};

// ------------------------------------------------------------------------------------------------ themes

/** The live theme; its files are the storefront's state.themeFiles (the theme editor stand-in writes them). */
const MAIN_THEME = { __typename: "OnlineStoreTheme", id: "140000000001", name: "Dawn", role: "MAIN" };
const themeResolvers: Record<string, Resolver> = {
  id: (t) => gid("OnlineStoreTheme", t.id),
  name: (t) => t.name,
  role: (t) => t.role,
  processing: () => false,
  processingFailed: () => false,
  themeStoreId: () => 887,
  prefix: () => "/t/1",
  createdAt: () => "2024-01-01T00:00:00Z",
  updatedAt: () => isoSeconds(Date.now()),
  files: (_t, args, ctx) => {
    const all = Object.entries(ctx.env.state.themeFiles ?? {});
    const wanted: string[] | undefined = args.filenames;
    const list = wanted ? all.filter(([name]) => wanted.some((w) => globMatch(w, name))) : all;
    return connection(list.map(([filename, content]) => ({ filename, content })), args, ctx, (f) => f.filename, (f) => ({
      filename: f.filename,
      size: String(Buffer.byteLength(f.content)),
      contentType: f.filename.endsWith(".json") ? "application/json" : "text/plain",
      checksumMd5: createHash("md5").update(f.content).digest("hex"),
      createdAt: "2024-01-01T00:00:00Z",
      updatedAt: isoSeconds(Date.now()),
      body: { __typename: "OnlineStoreThemeFileBodyText", content: f.content },
    }));
  },
};
const globMatch = (pattern: string, name: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(name);

// ------------------------------------------------------------------------------------------------ node(id)

function nodeById(ctx: AdminContext, id: string): unknown {
  const g = parseGid(id);
  if (!g) throw new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: "argumentLiteralsIncompatible" } });
  const d = ctx.env.data;
  switch (g.type) {
    case "Customer": { const r = d.customer(g.id); return r ? tag("Customer")(r) : null; }
    case "Order": { const o = visibleOrder(d.order(g.id), orderWindowStart(ctx)); return o ? tag("Order")(o) : null; }
    case "Product": { const p = d.product(g.id); return p ? tag("Product")(p) : null; }
    case "ProductVariant": { const v = d.variant(g.id); return v ? tag("ProductVariant")(v.variant) : null; }
    case "BulkOperation": { const b = ctx.env.bulkOps.find((x) => x.id === g.id && x.shop === ctx.shop.domain); return b ? tag("BulkOperation")(b) : null; }
    case "Metafield": { const m = ctx.env.state.metafields.find((x) => x.id === g.id); return m ? tag("Metafield")(m) : null; }
    case "AppInstallation": return g.id === ctx.env.appInstallationId ? { __typename: "AppInstallation" } : null;
    case "Shop": return { __typename: "Shop" };
    case "OnlineStoreTheme": return g.id === MAIN_THEME.id ? MAIN_THEME : null;
    case "DiscountAutomaticNode":
    case "DiscountCodeNode": return findByNode(ctx, id, g.type);
    default: return null;
  }
}

// ------------------------------------------------------------------------------------------------ resolver map

const PLAN_NAMES = { basic: "Basic", shopify: "Grow", advanced: "Advanced", plus: "Plus" } as const;

export const resolvers: Record<string, Record<string, Resolver>> = {
  QueryRoot: {
    shop: () => ({}),
    customers: (_s, args, ctx) => customersConnection(ctx, args),
    abandonedCheckouts: (_s, args, ctx) => abandonedCheckouts(ctx, args, connection),
    webPixel: (_s, args, ctx) => webPixel(ctx, args.id),
    customer: (_s, args, ctx) => { const g = parseGid(args.id); const r = g?.type === "Customer" ? ctx.env.data.customer(g.id) : undefined; return r ?? null; },
    orders: (_s, args, ctx) => ordersConnection(ctx, args),
    order: (_s, args, ctx) => { const g = parseGid(args.id); return g?.type === "Order" ? visibleOrder(ctx.env.data.order(g.id), orderWindowStart(ctx)) : null; },
    products: (_s, args, ctx) => productsConnection(ctx, args),
    product: (_s, args, ctx) => { const g = parseGid(args.id); return (g?.type === "Product" && ctx.env.data.product(g.id)) || null; },
    productVariant: (_s, args, ctx) => { const g = parseGid(args.id); return (g?.type === "ProductVariant" && ctx.env.data.variant(g.id)?.variant) || null; },
    collections: (_s, args, ctx) => connection(collectionsList(ctx), args, ctx, (c) => c.id),
    currentAppInstallation: () => ({}),
    app: () => ({}),
    currentBulkOperation: (_s, args, ctx) => {
      const type = args.type ?? "QUERY";
      const ops = ctx.env.bulkOps.filter((b) => b.shop === ctx.shop.domain && b.type === type);
      return ops[ops.length - 1] ?? null;
    },
    node: (_s, args, ctx) => nodeById(ctx, args.id),
    metafieldDefinitions: (_s, args, ctx) => connection(definitionsFor(ctx.env, args.ownerType, args.namespace), args, ctx, (d) => d.id),
    themes: (_s, args, ctx) => {
      const roles: string[] | undefined = args.roles;
      const list = roles && !roles.includes("MAIN") ? [] : [MAIN_THEME];
      return connection(list, args, ctx, (t) => t.id);
    },
    theme: (_s, args) => (parseGid(args.id)?.id === MAIN_THEME.id ? MAIN_THEME : null),
    nodes: (_s, args, ctx) => (args.ids as string[]).map((id) => nodeById(ctx, id)),
    automaticDiscountNode: (_s, args, ctx) => findByNode(ctx, args.id, "DiscountAutomaticNode"),
    codeDiscountNode: (_s, args, ctx) => findByNode(ctx, args.id, "DiscountCodeNode"),
    codeDiscountNodeByCode: (_s, args, ctx) => {
      const want = String(args.code).trim().toLowerCase();
      const d = ctx.env.state.discounts.find((x) => x.kind === "code_basic" && codesOf(x).some((c) => c.toLowerCase() === want));
      return d ? discountNode(d) : null;
    },
    discountRedeemCodeBulkCreation: (_s, args, ctx) => findRedeemCodeBulkCreation(ctx, args.id),
    discountNodes: (_s, args, ctx) => {
      const groups = parseSearch(args.query);
      const list = ctx.env.state.discounts.filter((d) => matches(d, groups, discountSearch, (x) => `${x.title} ${x.code ?? ""}`));
      // DiscountNode ids are the family's node ids (DiscountAutomaticNode/… or DiscountCodeNode/…), as on Shopify.
      return connection(list, args, ctx, (d) => d.id, (d) => ({ __typename: "DiscountNode", id: discountNode(d).id, discount: d }));
    },
    codeDiscountNodes: (_s, args, ctx) => {
      const groups = parseSearch(args.query);
      const list = ctx.env.state.discounts.filter((d) => familyOf(d) === "code" && matches(d, groups, discountSearch, (x) => `${x.title} ${x.code ?? ""}`));
      return connection(list, args, ctx, (d) => d.id, discountNode);
    },
    paymentCustomizations: (_s, args, ctx) =>
      connection(ctx.env.state.paymentCustomizations ?? [], args, ctx, (c) => c.id, (c) => paymentCustomizationNode(ctx, c)),
    discountNode: (_s, args, ctx) => {
      const n = findByNode(ctx, args.id, "DiscountAutomaticNode") ?? findByNode(ctx, args.id, "DiscountCodeNode");
      return n ? { __typename: "DiscountNode", id: n.id, discount: n.discount } : null;
    },
  },
  Mutation: {
    metafieldsSet: (_s, args, ctx) => metafieldsSet(ctx, args.metafields),
    discountAutomaticBasicCreate: (_s, args, ctx) => discountCreate(ctx, "automatic", args.automaticBasicDiscount),
    discountAutomaticBasicUpdate: (_s, args, ctx) => discountUpdate(ctx, "automatic", args.id, args.automaticBasicDiscount),
    discountAutomaticDelete: (_s, args, ctx) => discountDelete(ctx, "automatic", args.id),
    discountAutomaticActivate: (_s, args, ctx) => discountSetActive(ctx, "automatic", args.id, true),
    discountAutomaticDeactivate: (_s, args, ctx) => discountSetActive(ctx, "automatic", args.id, false),
    discountCodeBasicCreate: (_s, args, ctx) => discountCreate(ctx, "code", args.basicCodeDiscount),
    discountCodeBasicUpdate: (_s, args, ctx) => discountUpdate(ctx, "code", args.id, args.basicCodeDiscount),
    discountCodeAppCreate: (_s, args, ctx) => discountCreate(ctx, "app", args.codeAppDiscount),
    discountCodeAppUpdate: (_s, args, ctx) => discountUpdate(ctx, "app", args.id, args.codeAppDiscount),
    discountCodeDelete: (_s, args, ctx) => discountDelete(ctx, "code", args.id),
    discountCodeActivate: (_s, args, ctx) => discountSetActive(ctx, "code", args.id, true),
    discountCodeDeactivate: (_s, args, ctx) => discountSetActive(ctx, "code", args.id, false),
    discountRedeemCodeBulkAdd: (_s, args, ctx) => discountRedeemCodeBulkAdd(ctx, args.discountId, args.codes),
    discountCodeRedeemCodeBulkDelete: (_s, args, ctx) => discountCodeRedeemCodeBulkDelete(ctx, args),
    bulkOperationRunQuery: (_s, args, ctx) => bulkOperationRunQuery(ctx, args.query, args.groupObjects),
    bulkOperationCancel: (_s, args, ctx) => bulkOperationCancel(ctx, args.id),
    refundCreate: (_s, args, ctx, info) => refundCreate(ctx, info, args.input),
    orderCancel: (_s, args, ctx) => orderCancel(ctx, args),
    metafieldDefinitionCreate: (_s, args, ctx) => metafieldDefinitionCreate(ctx, args.definition),
    metafieldDefinitionUpdate: (_s, args, ctx) => metafieldDefinitionUpdate(ctx, args.definition),
    metafieldsDelete: (_s, args, ctx) => metafieldsDelete(ctx, args.metafields),
    tagsAdd: (_s, args, ctx) => tagsAdd(ctx, args.id, args.tags),
    tagsRemove: (_s, args, ctx) => tagsRemove(ctx, args.id, args.tags),
    segmentCreate: (_s, args, ctx) => segmentCreate(ctx, args.name, args.query),
    flowTriggerReceive: (_s, args, ctx) => flowTriggerReceive(ctx, args.handle, args.payload, args.body),
    webPixelCreate: (_s, args, ctx) => webPixelCreate(ctx, args.webPixel),
    webPixelUpdate: (_s, args, ctx) => webPixelUpdate(ctx, args.id, args.webPixel),
    stagedUploadsCreate: (_s, args, ctx) => stagedUploadsCreate(ctx, args.input),
    bulkOperationRunMutation: (_s, args, ctx) => bulkOperationRunMutation(ctx, args.mutation, args.stagedUploadPath),
    paymentCustomizationCreate: (_s, args, ctx) => paymentCustomizationCreate(ctx, args.paymentCustomization),
    paymentCustomizationUpdate: (_s, args, ctx) => paymentCustomizationUpdate(ctx, args.id, args.paymentCustomization),
    paymentCustomizationActivation: (_s, args, ctx) => paymentCustomizationActivation(ctx, args.ids, args.enabled),
  },
  OnlineStoreTheme: themeResolvers,
  Shop: {
    id: () => gid("Shop", 1),
    name: (_s, _a, ctx) => ctx.shop.name,
    email: (_s, _a, ctx) => ctx.shop.email,
    contactEmail: (_s, _a, ctx) => ctx.shop.email,
    myshopifyDomain: (_s, _a, ctx) => ctx.shop.domain,
    currencyCode: (_s, _a, ctx) => ctx.shop.currencyCode,
    enabledPresentmentCurrencies: (_s, _a, ctx) => [ctx.shop.currencyCode],
    ianaTimezone: () => "America/New_York",
    timezoneAbbreviation: () => "EDT",
    url: (_s, _a, ctx) => ctx.env.storeUrl,
    primaryDomain: (_s, _a, ctx) => ({ id: gid("Domain", 1), host: new URL(ctx.env.storeUrl).host, url: ctx.env.storeUrl, sslEnabled: false }),
    plan: (_s, _a, ctx) => ({
      displayName: PLAN_NAMES[ctx.shop.plan],
      publicDisplayName: PLAN_NAMES[ctx.shop.plan],
      partnerDevelopment: true,
      shopifyPlus: ctx.shop.plan === "plus",
    }),
    shopPolicies: (_s, _a, ctx) => [
      { id: gid("ShopPolicy", 1), type: "REFUND_POLICY", title: "Refund policy", body: `<p>${ctx.shop.refundPolicy}</p>`, url: `${ctx.env.storeUrl}/policies/refund-policy` },
      { id: gid("ShopPolicy", 2), type: "SHIPPING_POLICY", title: "Shipping policy", body: `<p>${ctx.shop.shippingPolicy}</p>`, url: `${ctx.env.storeUrl}/policies/shipping-policy` },
    ].map((p) => ({ ...p, createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z" })),
    customers: (_s, args, ctx) => customersConnection(ctx, args),
    orders: (_s, args, ctx) => ordersConnection(ctx, args),
    products: (_s, args, ctx) => productsConnection(ctx, args),
    ...metafieldFields(() => gid("Shop", 1)),
  },
  AppInstallation: {
    id: (_s, _a, ctx) => gid("AppInstallation", ctx.env.appInstallationId),
    accessScopes: (_s, _a, ctx) => (ctx.scopes ?? ctx.env.scopes).map((handle) => ({ handle, description: handle })),
    launchUrl: (_s, _a, ctx) => `${ctx.env.storeUrl}/admin/apps/${ctx.env.apiKey}`,
    app: () => ({}),
    activeSubscriptions: () => [],
    ...metafieldFields((_s, ctx) => gid("AppInstallation", ctx.env.appInstallationId)),
  },
  App: {
    id: (_s, _a, ctx) => gid("App", ctx.env.appId),
    apiKey: (_s, _a, ctx) => ctx.env.apiKey,
    title: () => "Recovery Plays",
    handle: () => "recovery-plays",
  },
  Customer: {
    id: (r: CustomerRecord) => gid("Customer", r.customer.id),
    legacyResourceId: (r: CustomerRecord) => r.customer.id,
    createdAt: (r: CustomerRecord) => r.customer.createdAt,
    updatedAt: (r: CustomerRecord) => r.customer.createdAt,
    firstName: (r: CustomerRecord) => r.customer.firstName,
    lastName: (r: CustomerRecord) => r.customer.lastName,
    displayName: (r: CustomerRecord) => `${r.customer.firstName} ${r.customer.lastName}`,
    email: (r: CustomerRecord) => r.customer.email,
    defaultEmailAddress: (r: CustomerRecord) => ({ emailAddress: r.customer.email, marketingState: "NOT_SUBSCRIBED" }),
    numberOfOrders: (r: CustomerRecord) => String(r.orders.length),
    amountSpent: (r: CustomerRecord, _a, ctx) => money(customerTotals(r.orders).spent, ctx.shop.currencyCode),
    lastOrder: (r: CustomerRecord, _a, ctx) => visibleOrder(customerTotals(r.orders).last, orderWindowStart(ctx)),
    orders: (r: CustomerRecord, args, ctx) => ordersConnection(ctx, args, r.orders),
    statistics: (r: CustomerRecord) => ({ rfmGroup: r.customer.rfmGroup ?? null, predictedSpendTier: r.customer.predictedSpendTier ?? null }),
    state: () => "ENABLED",
    tags: (r: CustomerRecord, _a, ctx) => customerTags(ctx.env, r.customer.id),
    verifiedEmail: () => true,
    validEmailAddress: () => true,
    ...metafieldFields((r: CustomerRecord) => gid("Customer", r.customer.id)),
  },
  Order: {
    id: (o: DevOrder) => gid("Order", o.id),
    legacyResourceId: (o: DevOrder) => o.id,
    name: (o: DevOrder) => o.name,
    number: (o: DevOrder) => Number(o.name.replace(/\D/g, "")) - 1000,
    createdAt: (o: DevOrder) => o.createdAt,
    processedAt: (o: DevOrder) => o.createdAt,
    updatedAt: (o: DevOrder) => o.updatedAt,
    cancelledAt: (o: DevOrder) => o.cancelledAt,
    cancelReason: (o: DevOrder) => (o.cancelledAt ? o.cancelReason ?? "CUSTOMER" : null),
    closed: (o: DevOrder) => Boolean(o.cancelledAt),
    confirmed: () => true,
    test: () => false,
    currencyCode: (o: DevOrder) => o.currencyCode,
    presentmentCurrencyCode: (o: DevOrder) => o.currencyCode,
    email: (o: DevOrder, _a, ctx) => (o.customerId ? ctx.env.data.customer(o.customerId)?.customer.email ?? null : null),
    customer: (o: DevOrder, _a, ctx) => (o.customerId ? ctx.env.data.customer(o.customerId) ?? null : null),
    displayFinancialStatus: (o: DevOrder) => o.financialStatus,
    displayFulfillmentStatus: (o: DevOrder) => (o.cancelledAt ? "UNFULFILLED" : "FULFILLED"),
    fullyPaid: (o: DevOrder) => o.financialStatus !== "PENDING" && o.financialStatus !== "VOIDED",
    unpaid: (o: DevOrder) => o.financialStatus === "PENDING",
    totalPriceSet: (o: DevOrder) => moneyBag(o.total, o.currencyCode),
    subtotalPriceSet: (o: DevOrder) => moneyBag(o.subtotal, o.currencyCode),
    totalDiscountsSet: (o: DevOrder) => moneyBag(o.totalDiscounts, o.currencyCode),
    totalRefundedSet: (o: DevOrder) => moneyBag(o.refunded, o.currencyCode),
    totalShippingPriceSet: (o: DevOrder) => moneyBag(Math.max(0, o.total - o.subtotal + o.totalDiscounts), o.currencyCode),
    totalTaxSet: (o: DevOrder) => moneyBag(0, o.currencyCode),
    currentTotalPriceSet: (o: DevOrder) => moneyBag(o.financialStatus === "VOIDED" ? 0 : o.total - o.refunded, o.currencyCode),
    currentSubtotalPriceSet: (o: DevOrder) => moneyBag(Math.max(0, o.subtotal - o.refunded), o.currencyCode),
    netPaymentSet: (o: DevOrder) => moneyBag(o.financialStatus === "VOIDED" || o.financialStatus === "PENDING" ? 0 : o.total - o.refunded, o.currencyCode),
    totalPrice: (o: DevOrder) => decimal(o.total),
    subtotalPrice: (o: DevOrder) => decimal(o.subtotal),
    totalRefunded: (o: DevOrder) => decimal(o.refunded),
    customAttributes: (o: DevOrder) => o.attributes.map((a) => ({ key: a.key, value: a.value })),
    discountCodes: (o: DevOrder) => o.discountCodes,
    discountCode: (o: DevOrder) => o.discountCodes[0] ?? null,
    tags: () => [],
    note: () => null,
    subtotalLineItemsQuantity: (o: DevOrder) => o.lineItems.reduce((s, l) => s + l.quantity, 0),
    currentSubtotalLineItemsQuantity: (o: DevOrder) => o.lineItems.reduce((s, l) => s + l.quantity, 0),
    lineItems: (o: DevOrder, args, ctx) => connection(o.lineItems.map((l) => ({ ...l, currencyCode: o.currencyCode })), args, ctx, (l) => l.id),
    refunds: (o: DevOrder, args) =>
      o.refunds.slice(0, args.first ?? undefined).map((r) => ({ ...r, currencyCode: o.currencyCode, orderId: o.id })),
    ...metafieldFields((o: DevOrder) => gid("Order", o.id)),
  },
  Refund: {
    id: (r) => gid("Refund", r.id),
    legacyResourceId: (r) => r.id,
    createdAt: (r) => r.createdAt,
    processedAt: (r) => r.createdAt,
    updatedAt: (r) => r.createdAt,
    note: (r) => r.note ?? null,
    totalRefundedSet: (r) => moneyBag(r.amount, r.currencyCode),
    totalRefunded: (r) => money(r.amount, r.currencyCode),
    order: (r, _a, ctx) => ctx.env.data.order(r.orderId),
    // Seeded refunds have no recorded transactions: their amount is one successful refund transaction.
    transactions: (r, args, ctx) =>
      connection(
        (r.transactions ?? (r.amount > 0 ? [{ id: `${r.id}1`, amount: r.amount, gateway: "bogus" }] : [])) as { id: string; amount: number; gateway: string }[],
        args,
        ctx,
        (t) => t.id,
        (t) => ({
          __typename: "OrderTransaction",
          id: gid("OrderTransaction", t.id),
          kind: "REFUND",
          status: "SUCCESS",
          gateway: t.gateway,
          amountSet: moneyBag(t.amount, r.currencyCode),
          createdAt: r.createdAt,
          processedAt: r.createdAt,
          test: false,
        }),
      ),
    refundLineItems: (r, args, ctx) => {
      const order = ctx.env.data.order(r.orderId);
      const lines = (r.lineItems ?? []) as { id: string; lineItemId: string; quantity: number; restockType: string }[];
      return connection(lines, args, ctx, (l) => l.id, (l) => {
        const li = order?.lineItems.find((x) => x.id === l.lineItemId);
        return {
          id: gid("RefundLineItem", l.id),
          quantity: l.quantity,
          restockType: l.restockType,
          restocked: l.restockType !== "NO_RESTOCK",
          lineItem: li ? { ...li, currencyCode: r.currencyCode } : null,
          priceSet: moneyBag(li?.price ?? 0, r.currencyCode),
          subtotalSet: moneyBag((li?.price ?? 0) * l.quantity, r.currencyCode),
          totalTaxSet: moneyBag(0, r.currencyCode),
        };
      });
    },
  },
  LineItem: {
    id: (l) => gid("LineItem", l.id),
    name: (l) => l.title,
    title: (l) => l.title,
    quantity: (l) => l.quantity,
    currentQuantity: (l) => l.quantity,
    sku: (l, _a, ctx) => ctx.env.data.variant(l.variantId)?.variant.sku ?? null,
    variantTitle: (l, _a, ctx) => ctx.env.data.variant(l.variantId)?.variant.title ?? null,
    vendor: (l, _a, ctx) => ctx.env.data.product(l.productId)?.vendor ?? null,
    product: (l, _a, ctx) => ctx.env.data.product(l.productId) ?? null,
    variant: (l, _a, ctx) => ctx.env.data.variant(l.variantId)?.variant ?? null,
    originalUnitPriceSet: (l) => moneyBag(l.price, l.currencyCode),
    discountedUnitPriceSet: (l) => moneyBag(l.price, l.currencyCode),
    originalTotalSet: (l) => moneyBag(l.price * l.quantity, l.currencyCode),
    discountedTotalSet: (l) => moneyBag(l.price * l.quantity, l.currencyCode),
    requiresShipping: () => true,
    taxable: () => true,
  },
  Product: {
    id: (p: DevProduct) => gid("Product", p.id),
    legacyResourceId: (p: DevProduct) => p.id,
    description: (p: DevProduct) => p.description,
    descriptionHtml: (p: DevProduct) => `<p>${p.description}</p>`,
    status: () => "ACTIVE",
    updatedAt: (p: DevProduct) => p.createdAt,
    publishedAt: (p: DevProduct) => p.createdAt,
    onlineStoreUrl: (p: DevProduct, _a, ctx) => `${ctx.env.storeUrl}/products/${p.handle}`,
    totalVariants: (p: DevProduct) => p.variants.length,
    totalInventory: (p: DevProduct) => p.variants.reduce((s, v) => s + v.inventoryQuantity, 0),
    hasOnlyDefaultVariant: (p: DevProduct) => p.variants.length === 1,
    featuredImage: (p: DevProduct) => (p.imageUrl ? { url: p.imageUrl, src: p.imageUrl, originalSrc: p.imageUrl, altText: p.title } : null),
    variants: (p: DevProduct, args, ctx) => connection(p.variants, args, ctx, (v) => v.id),
    priceRangeV2: (p: DevProduct, _a, ctx) => {
      const prices = p.variants.map((v) => v.price);
      return { minVariantPrice: money(Math.min(...prices), ctx.shop.currencyCode), maxVariantPrice: money(Math.max(...prices), ctx.shop.currencyCode) };
    },
    collections: (p: DevProduct, args, ctx) => connection(collectionsList(ctx).filter((c) => c.handle === p.collection), args, ctx, (c) => c.id),
    ...metafieldFields((p: DevProduct) => gid("Product", p.id)),
  },
  ProductVariant: {
    id: (v: DevVariant) => gid("ProductVariant", v.id),
    legacyResourceId: (v: DevVariant) => v.id,
    price: (v: DevVariant) => decimal(v.price),
    availableForSale: (v: DevVariant) => v.inventoryQuantity > 0,
    product: (v: DevVariant, _a, ctx) => ctx.env.data.product(v.productId),
    displayName: (v: DevVariant, _a, ctx) => `${ctx.env.data.product(v.productId)?.title ?? ""} - ${v.title}`,
    inventoryQuantity: (v: DevVariant) => v.inventoryQuantity,
  },
  Collection: {
    id: (c) => gid("Collection", c.id),
    products: (c, args, ctx) => productsConnection(ctx, args, ctx.env.state.products.filter((p) => c.productIds.includes(p.id))),
  },
  Metafield: {
    id: (m: DevMetafield) => gid("Metafield", m.id),
    legacyResourceId: (m: DevMetafield) => m.id,
    jsonValue: (m: DevMetafield) => jsonValue(m),
    compareDigest: (m: DevMetafield) => compareDigest(m),
    createdAt: (m: DevMetafield & { createdAt?: string }) => m.createdAt ?? m.updatedAt,
    ownerType: (m: DevMetafield) => ({ Customer: "CUSTOMER", Shop: "SHOP", Product: "PRODUCT", Order: "ORDER", AppInstallation: "API_PERMISSION" })[parseGid(m.ownerId)?.type ?? ""] ?? "SHOP",
    owner: (m: DevMetafield, _a, ctx) => nodeById(ctx, m.ownerId),
  },
  BulkOperation: {
    id: (b: BulkOperationRecord) => gid("BulkOperation", b.id),
    objectCount: (b: BulkOperationRecord) => String(b.objectCount),
    rootObjectCount: (b: BulkOperationRecord) => String(b.rootObjectCount),
    fileSize: (b: BulkOperationRecord) => (b.fileSize === null ? null : String(b.fileSize)),
  },
  DiscountAutomaticNode: {
    automaticDiscount: (n) => ({ ...n.discount, __typename: discountTypename(n.discount) }),
    ...metafieldFields((n) => n.id),
  },
  DiscountCodeNode: {
    codeDiscount: (n) => ({ ...n.discount, __typename: discountTypename(n.discount) }),
    ...metafieldFields((n) => n.id),
  },
  DiscountNode: {
    discount: (n) => ({ ...n.discount, __typename: discountTypename(n.discount) }),
    ...metafieldFields((n) => n.id),
  },
  DiscountAutomaticBasic: basicDiscountFields,
  DiscountCodeBasic: { ...basicDiscountFields, ...codeDiscountFields },
  // A code discount whose value its Function decides: no customerGets or minimum; the Function and its classes.
  DiscountCodeApp: {
    ...basicDiscountFields,
    ...codeDiscountFields,
    discountId: (d: DevDiscount) => gid("DiscountCodeNode", d.id),
    discountClass: (d: DevDiscount) => d.discountClasses?.[0] ?? "PRODUCT",
    discountClasses: (d: DevDiscount) => d.discountClasses ?? ["PRODUCT"],
    appDiscountType: (d: DevDiscount) => ({ appKey: "recovery-plays", functionId: d.functionHandle, title: d.title, description: null, discountClass: d.discountClasses?.[0] ?? "PRODUCT", discountClasses: d.discountClasses ?? ["PRODUCT"], targetType: "LINE_ITEM" }),
    appliesOnOneTimePurchase: () => true,
    appliesOnSubscription: () => false,
    errorHistory: () => null,
    hasTimelineComment: () => false,
  },
  DiscountRedeemCodeBulkCreation: {
    discountCode: (c: ReturnType<typeof redeemCodeBulkCreation>) => discountNode(c.discount),
    codes: (c: ReturnType<typeof redeemCodeBulkCreation>, args, ctx) =>
      connection(c.results, args, ctx, (r) => r.code, (r) => ({
        code: r.code,
        errors: r.error ? [{ field: ["code"], message: r.error, code: "INVALID", extraInfo: null }] : [],
        discountRedeemCode: r.error ? null : redeemCode(ctx, c.discount, codesOf(c.discount).find((x) => x.toLowerCase() === r.code.toLowerCase()) ?? r.code),
      })),
  },
  DiscountProducts: {
    products: (x, args, ctx) => productsConnection(ctx, args, ctx.env.state.products.filter((p) => x.productIds.includes(p.id))),
    productVariants: (_x, args, ctx) => connection([], args, ctx, () => ""),
  },
};

/** Orders that used any of the discount's codes (case-insensitive), what Shopify counts as its usage. */
function codeUsage(ctx: AdminContext, d: DevDiscount): number {
  const codes = new Set(codesOf(d).map((c) => c.toLowerCase()));
  return ctx.env.state.orders.filter((o) => o.discountCodes.some((c) => codes.has(c.toLowerCase()))).length;
}

/** One DiscountRedeemCode (its id: redeemCodeId, stable when other codes are deleted). */
function redeemCode(ctx: AdminContext, d: DevDiscount, code: string) {
  const want = code.toLowerCase();
  const uses = ctx.env.state.orders.filter((o) => o.discountCodes.some((c) => c.toLowerCase() === want)).length;
  return { id: redeemCodeId(d, code), code, asyncUsageCount: uses };
}

function discountSummary(d: DevDiscount, ctx: AdminContext): string {
  const value = d.amount ? `${decimal(d.amount)} ${ctx.shop.currencyCode} off` : `${Math.round(d.percentage * 100)}% off`;
  const what = d.appliesToAll === false ? `${d.productIds.length} product${d.productIds.length === 1 ? "" : "s"}` : "entire order";
  return `${value} ${what}`;
}

function jsonValue(m: DevMetafield): unknown {
  switch (m.type) {
    case "json":
    case "list.single_line_text_field":
      try { return JSON.parse(m.value); } catch { return m.value; }
    case "boolean": return m.value === "true";
    case "number_integer": return Number(m.value);
    case "number_decimal": return m.value;
    default: return m.value;
  }
}

// ------------------------------------------------------------------------------------------------ execution hooks

function plausible(type: GraphQLOutputType, info: GraphQLResolveInfo): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case "Boolean": return false;
      case "Int": case "Float": return 0;
      case "ID": return gid(info.parentType.name, 0);
      case "DateTime": return isoSeconds(Date.now());
      case "Decimal": case "Money": return "0.0";
      case "UnsignedInt64": return "0";
      case "URL": return "https://example.invalid/";
      case "JSON": return {};
      default: return "";
    }
  }
  if (isObjectType(inner) && inner.name.endsWith("Connection")) {
    return { edges: [], nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
  }
  return {};
}

export const fieldResolver: GraphQLFieldResolver<any, AdminContext> = (source, args, ctx, info) => {
  const r = resolvers[info.parentType.name]?.[info.fieldName];
  if (r) return r(source, args, ctx, info);
  if (source && typeof source === "object" && info.fieldName in source) {
    const v = source[info.fieldName];
    return typeof v === "function" ? v(args, ctx, info) : v;
  }
  return plausible(info.returnType, info);
};

export const typeResolver: GraphQLTypeResolver<any, AdminContext> = (value, _ctx, info, abstractType) => {
  if (value && typeof value === "object" && typeof value.__typename === "string") return value.__typename;
  const first = info.schema.getPossibleTypes(abstractType)[0];
  return first?.name;
};

export { getNamedType };
