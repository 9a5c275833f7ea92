// metafieldsSet and the automatic basic discount mutations, validated the way Shopify validates them
// (userErrors with field paths and codes; metafieldsSet is atomic: one invalid input saves nothing).
import type { DevDiscount, DevMetafield } from "../types";
import type { AdminContext } from "./context";
import { isoSeconds } from "../seed/generate";
import { deployedFunction } from "../storefront/functions";

type Args = Record<string, any>;
/**
 * A timestamp at second precision, truncated: a discount created "now" must be live at once, and rounding up would
 * leave it scheduled for up to half a second (a cart priced in that moment would refuse its code).
 */
const pastSecond = (ms: number): string => isoSeconds(Math.floor(ms / 1000) * 1000);
const gid = (type: string, id: string | number) => `gid://shopify/${type}/${id}`;
const parseGid = (v: unknown) => {
  const m = typeof v === "string" ? v.match(/^gid:\/\/shopify\/(\w+)\/([^/?]+)$/) : null;
  return m ? { type: m[1]!, id: m[2]! } : null;
};

/** `$app:foo` (or omitted → `$app`) resolves to the app-reserved `app--<appId>--foo`, like Shopify. */
export function normalizeNamespace(namespace: string | null | undefined, appId: string): string {
  if (namespace == null || namespace === "$app") return `app--${appId}`;
  if (namespace.startsWith("$app:")) return `app--${appId}--${namespace.slice(5)}`;
  return namespace;
}

const VALID_TYPES = new Set([
  "boolean", "color", "date", "date_time", "dimension", "json", "money", "multi_line_text_field", "number_decimal",
  "number_integer", "rating", "rich_text_field", "single_line_text_field", "url", "volume", "weight",
  "product_reference", "variant_reference", "collection_reference", "customer_reference", "page_reference", "file_reference",
  "list.single_line_text_field", "list.number_integer", "list.product_reference", "list.url", "list.date",
]);

function valueError(type: string, value: string): string | null {
  switch (type) {
    case "json":
      try { JSON.parse(value); return null; } catch (e) { return `Value is invalid JSON: ${(e as Error).message}.`; }
    case "boolean":
      return value === "true" || value === "false" ? null : "Value must be true or false.";
    case "number_integer":
      return /^-?\d+$/.test(value) ? null : "Value must be an integer.";
    case "number_decimal":
      return /^-?\d+(\.\d+)?$/.test(value) ? null : "Value must be a decimal.";
    case "single_line_text_field":
      return /[\r\n]/.test(value) ? "Value must be a single line text string." : null;
    case "url":
      try { new URL(value); return null; } catch { return "Value must be a valid URL."; }
    default:
      if (type.startsWith("list.")) {
        try { return Array.isArray(JSON.parse(value)) ? null : "Value must be an array."; } catch { return "Value is invalid JSON."; }
      }
      return null;
  }
}

function ownerExists(ctx: AdminContext, ownerId: string): boolean {
  const g = parseGid(ownerId);
  if (!g) return false;
  switch (g.type) {
    case "AppInstallation": return g.id === ctx.env.appInstallationId;
    case "Shop": return g.id === "1";
    case "Customer": return Boolean(ctx.env.data.customer(g.id));
    case "Product": return Boolean(ctx.env.data.product(g.id));
    case "Order": return Boolean(ctx.env.data.order(g.id));
    default: return false;
  }
}

export function metafieldsSet(ctx: AdminContext, inputs: Args[]) {
  type UE = { field: string[]; message: string; code: string; elementIndex: number | null };
  const userErrors: UE[] = [];
  if (inputs.length > 25) {
    userErrors.push({ field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null });
    return { metafields: [], userErrors };
  }
  const now = pastSecond(Date.now());
  const planned: { input: Args; namespace: string; existing: DevMetafield | undefined }[] = [];
  inputs.forEach((input, i) => {
    const err = (field: string, message: string, code: string) =>
      userErrors.push({ field: ["metafields", String(i), field], message, code, elementIndex: i });
    const ns = normalizeNamespace(input.namespace, ctx.env.appId);
    const bareNs = input.namespace == null ? "$app" : String(input.namespace).replace(/^\$app:/, "");
    if (!ownerExists(ctx, input.ownerId)) return err("ownerId", "Owner does not exist.", "INVALID");
    if (input.namespace != null && !input.namespace.startsWith("$app") && (bareNs.length < 3 || bareNs.length > 255)) {
      err("namespace", "Namespace is too short (minimum is 3 characters)", bareNs.length < 3 ? "TOO_SHORT" : "TOO_LONG");
    }
    if (!/^[A-Za-z0-9_$:-]+$/.test(input.namespace ?? "$app")) err("namespace", "Namespace contains one or more invalid characters.", "INVALID");
    if (input.key.length < 2) err("key", "Key is too short (minimum is 2 characters)", "TOO_SHORT");
    else if (input.key.length > 64) err("key", "Key is too long (maximum is 64 characters)", "TOO_LONG");
    else if (!/^[A-Za-z0-9_-]+$/.test(input.key)) err("key", "Key contains one or more invalid characters.", "INVALID");
    const existing = ctx.env.state.metafields.find((m) => m.ownerId === input.ownerId && m.namespace === ns && m.key === input.key);
    const type: string | undefined = input.type ?? existing?.type;
    if (!type) err("type", "Type can't be blank", "BLANK");
    else if (!VALID_TYPES.has(type)) err("type", `Type is invalid. The type must be one of the supported types.`, "INVALID_TYPE");
    else if (existing && input.type && input.type !== existing.type) err("type", "Type cannot be changed for an existing metafield.", "INVALID_TYPE");
    else {
      const bad = valueError(type, input.value);
      if (bad) err("value", bad, "INVALID_VALUE");
    }
    // Shopify's compare-and-set: a digest must match the stored metafield; an explicit null means "must not exist
    // yet"; an absent compareDigest opts out (shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet).
    if (input.compareDigest !== undefined) {
      const current = existing ? compareDigestOf(existing) : null;
      if (current !== input.compareDigest) {
        err("compareDigest", "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.", "STALE_OBJECT");
      }
    }
    planned.push({ input, namespace: ns, existing });
  });
  if (userErrors.length) return { metafields: [], userErrors };
  const saved: DevMetafield[] = planned.map(({ input, namespace, existing }) => {
    if (existing) {
      existing.value = input.value;
      existing.updatedAt = now;
      return existing;
    }
    const m: DevMetafield & { createdAt: string } = {
      id: String(ctx.env.nextId()),
      ownerId: input.ownerId,
      namespace,
      key: input.key,
      type: input.type,
      value: input.value,
      updatedAt: now,
      createdAt: now,
    };
    ctx.env.state.metafields.push(m);
    return m;
  });
  return { metafields: saved.map((m) => ({ ...m, __typename: "Metafield" })), userErrors: [] };
}

// Late import to avoid a cycle at module-evaluation time.
import { createHash } from "node:crypto";

function compareDigestOf(m: DevMetafield): string {
  return createHash("sha256").update(`${m.id}:${m.updatedAt}:${m.value}`).digest("hex");
}

// ------------------------------------------------------------------------------------------------ discounts

type DUE = { field: string[] | null; message: string; code: string | null; extraInfo: null };

/**
 * The discount families the dev store models. Automatic and code discounts share the basic input
 * (DiscountAutomaticBasicInput / DiscountCodeBasicInput) and differ in the input argument's name, the node type
 * and the code-only fields (code, context, usage limits). Code app discounts (DiscountCodeAppInput) have the code
 * fields too, but their value comes from a Shopify Function instead of customerGets; their payload is the
 * DiscountCodeApp itself, not a node. All code discounts share DiscountCodeNode and discountCode{Activate,
 * Deactivate,Delete}.
 */
export type DiscountFamily = "automatic" | "code" | "app";
const FAMILY = {
  automatic: { kind: "automatic_basic", field: "automaticBasicDiscount", node: "DiscountAutomaticNode", payload: "automaticDiscountNode", deleted: "deletedAutomaticDiscountId" },
  code: { kind: "code_basic", field: "basicCodeDiscount", node: "DiscountCodeNode", payload: "codeDiscountNode", deleted: "deletedCodeDiscountId" },
  app: { kind: "code_app", field: "codeAppDiscount", node: "DiscountCodeNode", payload: "codeAppDiscount", deleted: "deletedCodeDiscountId" },
} as const;

export const familyOf = (d: DevDiscount): DiscountFamily => (d.kind === "code_basic" ? "code" : d.kind === "code_app" ? "app" : "automatic");
export const discountNode = (d: DevDiscount) => ({ __typename: FAMILY[familyOf(d)].node, id: gid(FAMILY[familyOf(d)].node, d.id), discount: d });
const sameCode = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
/** Every code a code discount answers to: its own and the redeem codes added in bulk. */
export const codesOf = (d: DevDiscount): string[] => (d.code ? [d.code, ...(d.redeemCodes ?? [])] : [...(d.redeemCodes ?? [])]);
const codeTaken = (d: DevDiscount, code: string) => (d.kind === "code_basic" || d.kind === "code_app") && codesOf(d).some((c) => sameCode(c, code));

function applyDiscountInput(
  ctx: AdminContext,
  family: DiscountFamily,
  input: Args,
  base: Partial<DevDiscount>,
  creating: boolean,
): { errors: DUE[]; d?: DevDiscount } {
  const errors: DUE[] = [];
  const f = (...path: string[]) => [FAMILY[family].field, ...path];
  const err = (field: string[] | null, message: string, code: string | null) => errors.push({ field, message, code, extraInfo: null });
  const title = input.title ?? base.title;
  if (creating && (title == null || String(title).trim() === "")) err(f("title"), "Title can't be blank", "BLANK");
  else if (title && String(title).length > 255) err(f("title"), "Title is too long (maximum is 255 characters)", "TOO_LONG");
  const startsAt = input.startsAt ?? base.startsAt;
  if (creating && !startsAt) err(f("startsAt"), "Starts at can't be blank", "BLANK");
  const endsAt = input.endsAt === undefined ? base.endsAt ?? null : input.endsAt;
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) err(f("endsAt"), "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE");
  let percentage = base.percentage ?? 0;
  let amount = base.amount ?? null;
  let appliesToAll = base.appliesToAll ?? true;
  let productIds = base.productIds ?? [];
  const gets = family === "app" ? undefined : input.customerGets;
  if (creating && family !== "app" && !gets) err(f("customerGets"), "Customer gets can't be blank", "BLANK");
  if (gets) {
    const value = gets.value;
    if (creating && !value) err(f("customerGets", "value"), "Value can't be blank", "BLANK");
    if (value?.percentage != null) {
      if (value.percentage <= 0 || value.percentage > 1) err(f("customerGets", "value", "percentage"), "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE");
      percentage = value.percentage;
      amount = null;
    } else if (value?.discountAmount) {
      const a = Number(value.discountAmount.amount);
      if (!(a > 0)) err(f("customerGets", "value", "discountAmount", "amount"), "Value must be greater than 0", "GREATER_THAN");
      amount = a;
      percentage = 0;
    } else if (value?.discountOnQuantity) {
      err(f("customerGets", "value"), "Discount on quantity is only valid for Buy X Get Y discounts", "INVALID");
    }
    const items = gets.items;
    if (creating && !items) err(f("customerGets", "items"), "Items can't be blank", "BLANK");
    if (items?.all) {
      appliesToAll = true;
      productIds = [];
    } else if (items?.products) {
      const add: string[] = items.products.productsToAdd ?? [];
      const ids: string[] = [];
      add.forEach((g: string, i: number) => {
        const p = parseGid(g);
        if (!p || p.type !== "Product" || !ctx.env.data.product(p.id)) {
          err(f("customerGets", "items", "products", "productsToAdd", String(i)), "Product does not exist", "INVALID");
        } else ids.push(p.id);
      });
      appliesToAll = false;
      productIds = [...new Set([...productIds.filter((id) => !(items.products.productsToRemove ?? []).includes(`gid://shopify/Product/${id}`)), ...ids])];
      if (productIds.length === 0) err(f("customerGets", "items"), "Items must have at least one entitled product", "APPLIES_ON_NOTHING");
    } else if (items && !items.all && !items.products && !items.collections) {
      err(f("customerGets", "items"), "Items must have at least one entitled item", "APPLIES_ON_NOTHING");
    }
  }
  const min = family === "app" ? undefined : input.minimumRequirement;
  let minimumSubtotal = base.minimumSubtotal ?? null;
  if (min?.subtotal && min?.quantity) err(f("minimumRequirement"), "Minimum subtotal and quantity range can't both be present", "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT");
  let minimumQuantity = base.minimumQuantity ?? null;
  if (min?.subtotal) { minimumSubtotal = Number(min.subtotal.greaterThanOrEqualToSubtotal); minimumQuantity = null; }
  if (min?.quantity) {
    const q = Number(min.quantity.greaterThanOrEqualToQuantity);
    if (!Number.isInteger(q) || q < 1) err(f("minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"), "Minimum quantity must be greater than 0", "GREATER_THAN");
    minimumQuantity = q;
    minimumSubtotal = null;
  }
  const code = family === "automatic" ? {} : codeFields(ctx, input, base, creating, f, err);
  const fn = family === "app" ? functionFields(ctx, input, base, creating, f, err) : {};
  if (errors.length) return { errors };
  const now = pastSecond(Date.now());
  const d: DevDiscount = {
    id: base.id ?? String(ctx.env.nextId()),
    title: String(title),
    kind: FAMILY[family].kind,
    percentage,
    productIds,
    status: "ACTIVE",
    startsAt: startsAt ? pastSecond(Date.parse(startsAt)) : now,
    endsAt: endsAt ? isoSeconds(Date.parse(endsAt)) : null,
    amount,
    appliesToAll,
    minimumSubtotal,
    minimumQuantity,
    combinesWith: {
      orderDiscounts: input.combinesWith?.orderDiscounts ?? base.combinesWith?.orderDiscounts ?? false,
      productDiscounts: input.combinesWith?.productDiscounts ?? base.combinesWith?.productDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? base.combinesWith?.shippingDiscounts ?? false,
    },
    tags: input.tags ?? base.tags ?? [],
    ...code,
    ...fn,
    createdAt: base.createdAt ?? now,
    updatedAt: now,
  };
  return { errors, d };
}

/** DiscountCodeBasicInput's own fields: code (unique per shop, case-insensitive), who can use it, usage limits. */
function codeFields(
  ctx: AdminContext,
  input: Args,
  base: Partial<DevDiscount>,
  creating: boolean,
  f: (...path: string[]) => string[],
  err: (field: string[] | null, message: string, code: string | null) => void,
): Partial<DevDiscount> {
  const code: string | undefined = input.code ?? base.code;
  if (creating && (code == null || code.trim() === "")) err(f("code"), "Code can't be blank", "BLANK");
  else if (input.code != null && input.code.trim() === "") err(f("code"), "Code can't be blank", "BLANK");
  else if (code && code.length > 255) err(f("code"), "Code is too long (maximum is 255 characters)", "TOO_LONG");
  else if (code && /[\r\n]/.test(code)) err(f("code"), "Code can't contain newline characters.", "INVALID");
  else if (code && ctx.env.state.discounts.some((x) => x.id !== base.id && codeTaken(x, code))) {
    err(f("code"), "Code must be unique. Please try a different code.", "TAKEN");
  }
  if (input.context && input.customerSelection) err(f("context"), "Only one of context or customerSelection can be specified.", "INVALID");
  const everyone = input.context?.all === "ALL" || input.customerSelection?.all === true;
  const narrowed = input.context ? !everyone : input.customerSelection ? !everyone : false;
  if (creating && !input.context && !input.customerSelection) err(f("context"), "Context can't be blank", "BLANK");
  // Customer, segment and market eligibility isn't modelled here; refusing it beats silently discounting everyone.
  if (narrowed) err(f("context"), "The dev store only supports discounts for all buyers (context: { all: ALL }).", "INVALID");
  let usageLimit = base.usageLimit ?? null;
  if (input.usageLimit !== undefined) {
    if (input.usageLimit !== null && input.usageLimit < 1) err(f("usageLimit"), "Usage limit must be greater than 0", "GREATER_THAN");
    usageLimit = input.usageLimit;
  }
  return { code: code?.trim(), usageLimit, appliesOncePerCustomer: input.appliesOncePerCustomer ?? base.appliesOncePerCustomer ?? false };
}

/**
 * The Function an input names: exactly one of `functionHandle` / `functionId` (payment customizations and app
 * discounts alike), or Shopify's error for none or both.
 */
export function functionIdentifier(input: Args): { handle: string } | { error: { message: string; code: string } } {
  const given = [input.functionHandle, input.functionId].filter((v) => v != null && v !== "");
  if (given.length > 1) return { error: { message: "Only one of function_id or function_handle can be provided, not both.", code: "MULTIPLE_FUNCTION_IDENTIFIERS" } };
  if (given.length === 0) return { error: { message: "Either function_id or function_handle must be provided.", code: "MISSING_FUNCTION_IDENTIFIER" } };
  return { handle: String(given[0]) };
}

/**
 * DiscountCodeAppInput's own fields: exactly one of functionHandle / functionId, naming one of the app's deployed
 * Functions ("Function not found." otherwise, as Shopify answers; docs/devstore-fidelity.md), its discount
 * classes, and the discount's metafields, which the Function reads through its input query.
 */
function functionFields(
  ctx: AdminContext,
  input: Args,
  base: Partial<DevDiscount>,
  creating: boolean,
  f: (...path: string[]) => string[],
  err: (field: string[] | null, message: string, code: string | null) => void,
): Partial<DevDiscount> {
  let functionHandle = base.functionHandle;
  const named = functionIdentifier(input);
  if ("error" in named) {
    if (named.error.code !== "MISSING_FUNCTION_IDENTIFIER" || creating) err(f("functionHandle"), named.error.message, named.error.code);
  } else {
    functionHandle = named.handle;
    if (!deployedFunction(ctx.env.state, functionHandle)) err(f(input.functionHandle != null ? "functionHandle" : "functionId"), "Function not found.", null);
  }
  const metafields = { ...(base.metafields ?? {}) };
  for (const [i, m] of ((input.metafields ?? []) as Args[]).entries()) {
    const type = String(m.type ?? "");
    const problem = !m.key || !type || m.value == null ? "Metafield key, type and value are required." : valueError(type, String(m.value));
    if (problem) err(f("metafields", String(i), "value"), problem, "INVALID");
    else metafields[`${normalizeNamespace(m.namespace, ctx.env.appId)}.${m.key}`] = String(m.value);
  }
  const classes = (input.discountClasses ?? base.discountClasses ?? ["PRODUCT"]) as DevDiscount["discountClasses"];
  return { functionHandle, metafields, discountClasses: classes };
}

/**
 * The stored discount behind a node id of the family's node type ("Discount does not exist" otherwise). `exact`:
 * only a discount of this very family (updates); otherwise any discount behind that node type (discountCode
 * Activate / Deactivate / Delete act on basic and app code discounts alike).
 */
function findDiscount(ctx: AdminContext, family: DiscountFamily, id: string, exact = true): number {
  const g = parseGid(id);
  if (!g || g.type !== FAMILY[family].node) return -1;
  return ctx.env.state.discounts.findIndex((x) => x.id === g.id && (exact ? familyOf(x) === family : FAMILY[familyOf(x)].node === g.type));
}
const missing = () => [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }];

/** What a create/update payload carries: the node, or for app discounts the DiscountCodeApp itself. */
const payloadOf = (family: DiscountFamily, d: DevDiscount) => (family === "app" ? { ...d, __typename: "DiscountCodeApp" } : discountNode(d));

/** discountAutomaticBasicCreate / discountCodeBasicCreate / discountCodeAppCreate. */
export function discountCreate(ctx: AdminContext, family: DiscountFamily, input: Args) {
  const { errors, d } = applyDiscountInput(ctx, family, input, {}, true);
  if (!d) return { [FAMILY[family].payload]: null, userErrors: errors };
  ctx.env.state.discounts.push(d);
  return { [FAMILY[family].payload]: payloadOf(family, d), userErrors: [] };
}

/** discountAutomaticBasicUpdate / discountCodeBasicUpdate / discountCodeAppUpdate. */
export function discountUpdate(ctx: AdminContext, family: DiscountFamily, id: string, input: Args) {
  const i = findDiscount(ctx, family, id);
  if (i < 0) return { [FAMILY[family].payload]: null, userErrors: missing() };
  const { errors, d } = applyDiscountInput(ctx, family, input, ctx.env.state.discounts[i]!, false);
  if (!d) return { [FAMILY[family].payload]: null, userErrors: errors };
  ctx.env.state.discounts[i] = d;
  return { [FAMILY[family].payload]: payloadOf(family, d), userErrors: [] };
}

/** discountAutomaticDelete / discountCodeDelete. */
export function discountDelete(ctx: AdminContext, family: DiscountFamily, id: string) {
  const i = findDiscount(ctx, family, id, false);
  if (i < 0) return { [FAMILY[family].deleted]: null, userErrors: missing() };
  ctx.env.state.discounts.splice(i, 1);
  return { [FAMILY[family].deleted]: id, userErrors: [] };
}

/** discount{Automatic,Code}Activate / Deactivate: Shopify moves the end date (deactivated = ended now). */
export function discountSetActive(ctx: AdminContext, family: DiscountFamily, id: string, active: boolean) {
  const i = findDiscount(ctx, family, id, false);
  if (i < 0) return { [FAMILY[family].payload]: null, userErrors: missing() };
  const d = ctx.env.state.discounts[i]!;
  const now = pastSecond(Date.now());
  if (active) {
    d.endsAt = null;
    if (Date.parse(d.startsAt) > Date.now()) d.startsAt = now;
  } else {
    // Ends now: whole seconds rounded DOWN (rounding to the nearest could leave it active for up to 0.5 s more).
    d.endsAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  d.updatedAt = now;
  return { [FAMILY[family].payload]: discountNode(d), userErrors: [] };
}

// ------------------------------------------------------------------------------------------------ redeem codes

/** Shopify's maximum per call ("The list of codes to associate with the code discount. Maximum: 250 codes."). */
export const REDEEM_CODES_PER_CALL = 250;

/**
 * discountRedeemCodeBulkAdd: adds codes to a code discount. Shopify runs it asynchronously and reports each code
 * through discountRedeemCodeBulkCreation; here the work is done at once and the creation reads as done. A code
 * taken by any code discount of the shop (or repeated in the request) is refused on its own, the others added.
 */
export function discountRedeemCodeBulkAdd(ctx: AdminContext, discountId: string, codes: { code: string }[]) {
  const g = parseGid(discountId);
  const d = g?.type === "DiscountCodeNode" ? ctx.env.state.discounts.find((x) => x.id === g.id && (x.kind === "code_basic" || x.kind === "code_app")) : undefined;
  if (!d) return { bulkCreation: null, userErrors: [{ field: ["discountId"], message: "Discount does not exist", code: "INVALID", extraInfo: null }] };
  if (codes.length === 0) return { bulkCreation: null, userErrors: [{ field: ["codes"], message: "Codes can't be blank", code: "BLANK", extraInfo: null }] };
  if (codes.length > REDEEM_CODES_PER_CALL) {
    return { bulkCreation: null, userErrors: [{ field: ["codes"], message: `Codes can't exceed ${REDEEM_CODES_PER_CALL} per request`, code: "TOO_MANY_ARGUMENTS", extraInfo: null }] };
  }
  const seen: string[] = [];
  const results = codes.map(({ code }) => {
    const c = String(code ?? "").trim();
    let error: string | null = null;
    if (!c) error = "Code can't be blank";
    else if (c.length > 255) error = "Code is too long (maximum is 255 characters)";
    else if (/[\r\n]/.test(c)) error = "Code can't contain newline characters.";
    else if (seen.some((x) => sameCode(x, c)) || ctx.env.state.discounts.some((x) => codeTaken(x, c))) error = "Code must be unique. Please try a different code.";
    if (!error) {
      seen.push(c);
      (d.redeemCodes ??= []).push(c);
      (d.redeemCodeIds ??= {})[c.toLowerCase()] = String(ctx.env.nextId());
    }
    return { code: c, error };
  });
  const creation = { id: String(ctx.env.nextId()), createdAt: pastSecond(Date.now()), codes: results };
  (d.bulkCreations ??= []).push(creation);
  d.updatedAt = pastSecond(Date.now());
  return { bulkCreation: redeemCodeBulkCreation(d, creation), userErrors: [] };
}

/**
 * A redeem code's DiscountRedeemCode id: the one it was given when added; the discount's own code (and codes of a
 * seeded state) by the discount's id and the code's position.
 */
export function redeemCodeId(d: DevDiscount, code: string): string {
  const given = d.redeemCodeIds?.[code.toLowerCase()];
  return gid("DiscountRedeemCode", given ?? `${d.id}${String(codesOf(d).indexOf(code)).padStart(6, "0")}`);
}

/**
 * discountCodeRedeemCodeBulkDelete: removes redeem codes from a code discount ("Asynchronously delete discount
 * codes in bulk"); here the job is done at once. Only the `ids` form is emulated: `search` and `savedSearchId`
 * answer a userError instead of deleting by a query syntax the dev store does not implement. A deleted code no
 * longer applies at checkout. Ids of other discounts' codes, or unknown ones, are skipped.
 */
export function discountCodeRedeemCodeBulkDelete(ctx: AdminContext, args: Args) {
  const g = parseGid(args.discountId);
  const d = g?.type === "DiscountCodeNode" ? ctx.env.state.discounts.find((x) => x.id === g.id && (x.kind === "code_basic" || x.kind === "code_app")) : undefined;
  if (!d) return { job: null, userErrors: [{ field: ["discountId"], message: "Discount does not exist", code: "INVALID", extraInfo: null }] };
  if (args.search != null || args.savedSearchId != null) {
    return { job: null, userErrors: [{ field: ["search"], message: "The dev store deletes redeem codes by ids only", code: "INVALID", extraInfo: null }] };
  }
  const ids = new Set<string>(Array.isArray(args.ids) ? args.ids.map(String) : []);
  if (ids.size === 0) return { job: null, userErrors: [{ field: ["ids"], message: "Ids can't be blank", code: "BLANK", extraInfo: null }] };
  const doomed = (d.redeemCodes ?? []).filter((c) => ids.has(redeemCodeId(d, c)));
  d.redeemCodes = (d.redeemCodes ?? []).filter((c) => !doomed.includes(c));
  for (const c of doomed) delete d.redeemCodeIds?.[c.toLowerCase()];
  if (doomed.length) d.updatedAt = pastSecond(Date.now());
  return { job: { id: gid("Job", ctx.env.nextId()), done: true }, userErrors: [] };
}

/** The GraphQL shape of a DiscountRedeemCodeBulkCreation (done at once in the dev store). */
export function redeemCodeBulkCreation(d: DevDiscount, c: NonNullable<DevDiscount["bulkCreations"]>[number]) {
  const failed = c.codes.filter((x) => x.error).length;
  return {
    id: gid("DiscountRedeemCodeBulkCreation", c.id),
    createdAt: c.createdAt,
    done: true,
    codesCount: c.codes.length,
    importedCount: c.codes.length - failed,
    failedCount: failed,
    discount: d,
    results: c.codes,
  };
}

/** discountRedeemCodeBulkCreation(id): the creation whose id it is, on whichever discount. */
export function findRedeemCodeBulkCreation(ctx: AdminContext, id: string) {
  const g = parseGid(id);
  if (g?.type !== "DiscountRedeemCodeBulkCreation") return null;
  for (const d of ctx.env.state.discounts) {
    const c = d.bulkCreations?.find((x) => x.id === g.id);
    if (c) return redeemCodeBulkCreation(d, c);
  }
  return null;
}
