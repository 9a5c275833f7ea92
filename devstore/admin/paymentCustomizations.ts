// paymentCustomizationCreate / paymentCustomizationActivation / paymentCustomizations, with Shopify's cap of 25
// active payment customizations per store (docs/devstore-fidelity.md, "Payment customizations").
import type { DevPaymentCustomization } from "../types";
import type { AdminContext } from "./context";
import { functionIdentifier, normalizeNamespace } from "./mutations";

type Args = Record<string, any>;

export const MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS = 25;

const list = (ctx: AdminContext) => (ctx.env.state.paymentCustomizations ??= []);
const err = (field: string[] | null, message: string, code: string) => ({ field, message, code });
const CAP_MESSAGE = "Maximum payment customizations are already enabled.";

/** The GraphQL view of a customization: metafield(namespace, key) resolves app-reserved namespaces. */
export function paymentCustomizationNode(ctx: AdminContext, c: DevPaymentCustomization) {
  return {
    id: c.id,
    title: c.title,
    enabled: c.enabled,
    functionId: c.functionHandle,
    metafield: (args: Args) => {
      const m = c.metafields[`${normalizeNamespace(args.namespace, ctx.env.appId)}.${args.key}`];
      if (!m) return null;
      let jsonValue: unknown = m.value;
      if (m.type === "json") jsonValue = JSON.parse(m.value);
      return { namespace: normalizeNamespace(args.namespace, ctx.env.appId), key: args.key, type: m.type, value: m.value, jsonValue };
    },
  };
}

const activeCount = (ctx: AdminContext) => list(ctx).filter((c) => c.enabled).length;

export function paymentCustomizationCreate(ctx: AdminContext, input: Args) {
  const errors = [];
  const named = functionIdentifier(input);
  if ("error" in named) errors.push(err(["paymentCustomization"], named.error.message, named.error.code));
  if (!input.title) errors.push(err(["paymentCustomization", "title"], "Title can't be blank", "REQUIRED_INPUT_FIELD"));
  const enabled = input.enabled ?? true;
  if (enabled && activeCount(ctx) >= MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS) errors.push(err(null, CAP_MESSAGE, "MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS"));
  const metafields: DevPaymentCustomization["metafields"] = {};
  for (const [i, m] of ((input.metafields ?? []) as Args[]).entries()) {
    if (!m.key || !m.type || m.value == null) {
      errors.push(err(["paymentCustomization", "metafields", String(i)], "Metafield key, type and value are required.", "INVALID_METAFIELDS"));
      continue;
    }
    if (m.type === "json") {
      try {
        JSON.parse(m.value);
      } catch {
        errors.push(err(["paymentCustomization", "metafields", String(i), "value"], "Value is invalid JSON.", "INVALID_METAFIELDS"));
        continue;
      }
    }
    metafields[`${normalizeNamespace(m.namespace, ctx.env.appId)}.${m.key}`] = { type: m.type, value: m.value };
  }
  if (errors.length) return { paymentCustomization: null, userErrors: errors };
  const c: DevPaymentCustomization = { id: `gid://shopify/PaymentCustomization/${list(ctx).length + 1}`, title: input.title, enabled, functionHandle: "handle" in named ? named.handle : "", metafields };
  list(ctx).push(c);
  return { paymentCustomization: paymentCustomizationNode(ctx, c), userErrors: [] };
}

/** Activates or deactivates; activating past the cap changes nothing and answers the cap error. */
export function paymentCustomizationActivation(ctx: AdminContext, ids: string[], enabled: boolean) {
  const found = ids.map((id) => list(ctx).find((c) => c.id === id));
  if (found.some((c) => !c)) return { ids: null, userErrors: [err(["ids"], "Could not find payment customization", "PAYMENT_CUSTOMIZATION_NOT_FOUND")] };
  const turningOn = found.filter((c) => c && !c.enabled).length;
  if (enabled && activeCount(ctx) + turningOn > MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS) return { ids: null, userErrors: [err(null, CAP_MESSAGE, "MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS")] };
  for (const c of found) c!.enabled = enabled;
  return { ids, userErrors: [] };
}

/** paymentCustomizationUpdate: title and metafields (merged by key), enabled under the same cap. */
export function paymentCustomizationUpdate(ctx: AdminContext, id: string, input: Args) {
  const c = list(ctx).find((x) => x.id === id);
  if (!c) return { paymentCustomization: null, userErrors: [err(["id"], "Could not find payment customization", "PAYMENT_CUSTOMIZATION_NOT_FOUND")] };
  if (input.enabled === true && !c.enabled && activeCount(ctx) >= MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS) {
    return { paymentCustomization: null, userErrors: [err(null, CAP_MESSAGE, "MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS")] };
  }
  for (const m of (input.metafields ?? []) as Args[]) {
    if (m.key && m.type && m.value != null) c.metafields[`${normalizeNamespace(m.namespace, ctx.env.appId)}.${m.key}`] = { type: m.type, value: m.value };
  }
  if (typeof input.title === "string" && input.title) c.title = input.title;
  if (typeof input.enabled === "boolean") c.enabled = input.enabled;
  return { paymentCustomization: paymentCustomizationNode(ctx, c), userErrors: [] };
}
