// The VIP play's checkout payment order: the payment customization Function (functions/recovery-plays-payments)
// turned on/off through the Admin API, with its configuration metafield. The Function's holdout key is derived
// from the shop's visitor key, so the server recomputes any customer's arm (paymentsArmForCustomer) and the
// visitor key itself never leaves the server.
import { createHmac } from "node:crypto";
import { PAYMENTS_CONFIG_KEY, PAYMENTS_CONFIG_NAMESPACE, paymentsArm, type PaymentsConfig } from "../lib/payments/customization";
import type { Arm } from "../lib/plays/types";
import { adminGraphql, type AdminGraphqlClient } from "./adminData.server";
import { getPlay } from "./plays.server";
import { holdoutPercents, visitorKey } from "./visitors.server";

export const PAYMENTS_FUNCTION_HANDLE = "recovery-plays-payments";
/** Shopify's cap on active payment customizations per store. */
export const MAX_ACTIVE_PAYMENT_CUSTOMIZATIONS = 25;

const STATE_QUERY = `#graphql
  query PaymentCustomizationState {
    paymentCustomizations(first: 50) {
      nodes {
        id
        title
        enabled
        metafield(namespace: "$app:recovery_plays", key: "payment_customization") {
          jsonValue
        }
      }
    }
  }`;

const CREATE = `#graphql
  mutation PaymentCustomizationCreate($input: PaymentCustomizationInput!) {
    paymentCustomizationCreate(paymentCustomization: $input) {
      paymentCustomization {
        id
        enabled
      }
      userErrors {
        field
        message
        code
      }
    }
  }`;

const UPDATE = `#graphql
  mutation PaymentCustomizationUpdate($id: ID!, $input: PaymentCustomizationInput!) {
    paymentCustomizationUpdate(id: $id, paymentCustomization: $input) {
      paymentCustomization {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }`;

const ACTIVATION = `#graphql
  mutation PaymentCustomizationActivation($ids: [ID!]!, $enabled: Boolean!) {
    paymentCustomizationActivation(ids: $ids, enabled: $enabled) {
      ids
      userErrors {
        field
        message
        code
      }
    }
  }`;

type UserError = { field?: string[] | null; message: string; code?: string | null };

export interface PaymentsState {
  /** Our customization's id, null when none was created. */
  id: string | null;
  enabled: boolean;
  /** Active customizations of any app on the store (Shopify allows 25). */
  activeCount: number;
  hide: string[];
}

export type PaymentsToggleResult = { ok: true; state: PaymentsState } | { ok: false; reason: "cap" | "error"; message: string };

/** The per-shop key the Function hashes with: HMAC of the shop's visitor key, so the visitor key stays secret. */
export async function paymentsFunctionKey(shop: string): Promise<string | null> {
  const key = await visitorKey(shop);
  return key ? createHmac("sha256", key).update("payments-function").digest("hex") : null;
}

/** The arm the Function gives a customer (for attribution and exposure records). */
export async function paymentsArmForCustomer(shop: string, customerGid: string): Promise<Arm | null> {
  const key = await paymentsFunctionKey(shop);
  if (!key) return null;
  const pct = (await holdoutPercents(shop)).get("vip") ?? 10;
  return paymentsArm(key, customerGid, pct);
}

export async function getPaymentsState(admin: AdminGraphqlClient): Promise<PaymentsState> {
  const data = await adminGraphql<{ paymentCustomizations: { nodes: { id: string; enabled: boolean; metafield: { jsonValue: unknown } | null }[] } }>(admin, STATE_QUERY);
  const nodes = data.paymentCustomizations.nodes;
  // Only this app can read its `$app:` metafield, so the node carrying it is ours.
  const ours = nodes.find((n) => n.metafield !== null) ?? null;
  const hide = ours && ours.metafield && typeof ours.metafield.jsonValue === "object" ? ((ours.metafield.jsonValue as { hide?: unknown }).hide ?? []) : [];
  return {
    id: ours?.id ?? null,
    enabled: ours?.enabled ?? false,
    activeCount: nodes.filter((n) => n.enabled).length,
    hide: Array.isArray(hide) ? hide.filter((s): s is string => typeof s === "string") : [],
  };
}

async function configFor(shop: string, hide: string[]): Promise<PaymentsConfig> {
  const key = await paymentsFunctionKey(shop);
  if (!key) throw new Error("shop has no visitor key");
  const vip = await getPlay(shop, "vip");
  return {
    key,
    holdoutPercent: vip.settings.holdoutPercent,
    aovMultiple: vip.settings.aovMultiple,
    vipGroups: vip.settings.segments,
    hide,
  };
}

const capOrError = (errors: UserError[]): PaymentsToggleResult =>
  errors.some((e) => e.code === "MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS" || e.code === "MAXIMUM_PAYMENT_CUSTOMIZATIONS")
    ? { ok: false, reason: "cap", message: errors.map((e) => e.message).join("; ") }
    : { ok: false, reason: "error", message: errors.map((e) => e.message).join("; ") };

/** Turns the checkout payment order on: creates (or reconfigures) and activates the customization. */
export async function enablePayments(shop: string, admin: AdminGraphqlClient, hide: string[] = []): Promise<PaymentsToggleResult> {
  const state = await getPaymentsState(admin);
  const config = await configFor(shop, hide);
  const metafields = [{ namespace: PAYMENTS_CONFIG_NAMESPACE, key: PAYMENTS_CONFIG_KEY, type: "json", value: JSON.stringify(config) }];
  if (!state.id) {
    const r = await adminGraphql<{ paymentCustomizationCreate: { paymentCustomization: { id: string } | null; userErrors: UserError[] } }>(admin, CREATE, {
      input: { title: "Recovery Plays: checkout payment order", functionHandle: PAYMENTS_FUNCTION_HANDLE, enabled: true, metafields },
    });
    if (r.paymentCustomizationCreate.userErrors.length) return capOrError(r.paymentCustomizationCreate.userErrors);
  } else {
    const u = await adminGraphql<{ paymentCustomizationUpdate: { userErrors: UserError[] } }>(admin, UPDATE, { id: state.id, input: { metafields } });
    if (u.paymentCustomizationUpdate.userErrors.length) return capOrError(u.paymentCustomizationUpdate.userErrors);
    const a = await adminGraphql<{ paymentCustomizationActivation: { userErrors: UserError[] } }>(admin, ACTIVATION, { ids: [state.id], enabled: true });
    if (a.paymentCustomizationActivation.userErrors.length) return capOrError(a.paymentCustomizationActivation.userErrors);
  }
  return { ok: true, state: await getPaymentsState(admin) };
}

/** Turns it off: deactivates (kept, so turning on again reuses it and its history). */
export async function disablePayments(admin: AdminGraphqlClient): Promise<PaymentsToggleResult> {
  const state = await getPaymentsState(admin);
  if (!state.id) return { ok: true, state };
  const a = await adminGraphql<{ paymentCustomizationActivation: { userErrors: UserError[] } }>(admin, ACTIVATION, { ids: [state.id], enabled: false });
  if (a.paymentCustomizationActivation.userErrors.length) return capOrError(a.paymentCustomizationActivation.userErrors);
  return { ok: true, state: await getPaymentsState(admin) };
}
