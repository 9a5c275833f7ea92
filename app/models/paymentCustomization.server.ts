// The VIP play's checkout payment order: the payment customization Function (functions/recovery-plays-payments)
// turned on/off through the Admin API, with its configuration metafield. The Function's holdout key is derived
// from the shop's visitor key, so the server recomputes any customer's arm (paymentsArmForCustomer) and the
// visitor key itself never leaves the server.
import { createHmac } from "node:crypto";
import type { Prisma, PrismaClient } from "@prisma/client";
import prisma from "../db.server";
import { customerArmId, PAYMENTS_CONFIG_KEY, PAYMENTS_CONFIG_NAMESPACE, PAYMENTS_PLAY, parsePaymentsConfig, paymentsArm, type PaymentsConfig } from "../lib/payments/customization";
import type { Arm } from "../lib/plays/types";
import { adminGraphql, type AdminGraphqlClient } from "./adminData.server";
import { getPlay } from "./plays.server";
import { applyExposureChanges, lockShopMeasurement } from "./dailyStats.server";
import { visitorKey } from "./visitors.server";

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

/** The arm the Function gives a customer (for attribution and exposure records), with the VIP play's holdout. */
export async function paymentsArmForCustomer(shop: string, customerGid: string): Promise<Arm | null> {
  const key = await paymentsFunctionKey(shop);
  if (!key) return null;
  const vip = await getPlay(shop, PAYMENTS_PLAY);
  return paymentsArm(key, customerGid, vip.settings.holdoutPercent);
}

/**
 * What the server knows about the Function's run for one order, derived before attribution's transaction (the
 * Function cannot call the app, and a buyer's claim is never read): the customization was on when the order was
 * placed, the buyer was a logged-in customer with a profile from earlier orders (what profile out publishes and
 * the Function needs to act; a first order's buyer had none), and the arm is recomputed from the same key and
 * customer id the Function hashed. `tailored`: the treatment arm's list was actually reordered (cart ≥ N× the
 * earlier AOV, or a VIP group). A profile the app has but never published is counted in both arms alike, so it
 * dilutes the measured lift without biasing it.
 */
export interface PaymentsOrderExposure {
  visitorId: string;
  customerId: string;
  arm: Arm;
  tailored: boolean;
}

export async function paymentsExposureForOrder(
  shop: string,
  order: { orderId: string; customerId: string | null; createdAt: Date; subtotal: number | null },
): Promise<PaymentsOrderExposure | null> {
  return paymentsEligibility(shop, order.customerId, order.createdAt, order.subtotal, order.orderId);
}

/** The Function's run for a customer at `at` with a cart of `subtotal`, as the server can know it (see above). */
async function paymentsEligibility(
  shop: string,
  customerId: string | null,
  at: Date,
  subtotal: number | null,
  orderId: string | null,
): Promise<PaymentsOrderExposure | null> {
  if (!customerId) return null;
  const row = await prisma.shop.findUnique({ where: { shop }, select: { paymentsOnAt: true } });
  if (!row?.paymentsOnAt || row.paymentsOnAt > at) return null;
  // The profile the Function read was written before this order: the customer's profile less this order, when
  // orders/create already folded it (the history sync folds earlier orders into the profile without order rows).
  const profile = await prisma.customerProfile.findUnique({
    where: { shop_customerId: { shop, customerId } },
    select: { ordersCount: true, netSpend: true, segment: true },
  });
  if (!profile) return null;
  const folded = orderId
    ? await prisma.profileOrder.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { total: true, refunded: true, cancelled: true } })
    : null;
  const thisOne = folded && !folded.cancelled ? 1 : 0;
  const earlierOrders = profile.ordersCount - thisOne;
  if (earlierOrders < 1) return null;
  const gid = `gid://shopify/Customer/${customerId}`;
  const arm = await paymentsArmForCustomer(shop, gid);
  if (!arm) return null;
  const vip = await getPlay(shop, PAYMENTS_PLAY);
  const aov = (profile.netSpend - (thisOne && folded ? folded.total - folded.refunded : 0)) / earlierOrders;
  const bigTicket = subtotal !== null && aov > 0 && subtotal >= vip.settings.aovMultiple * aov;
  const segment = profile.segment;
  const vipGroup = segment === "CHAMPIONS" || (vip.settings.segments as string[]).includes(segment);
  return { visitorId: customerArmId(gid), customerId, arm, tailored: arm === "treatment" && (bigTicket || vipGroup) };
}

/**
 * A logged-in customer reached checkout (a checkout_started event whose customer id Shopify signed: the app proxy's
 * logged_in_customer_id, or the checkout extension's session token): the Function ran for them whether or not they
 * order, so their exposure is recorded now, without an order, and orders/create adds the order to it later. This
 * is what gives the holdout comparison its non-buyers (conversion, not only revenue per order). Returns whether an
 * exposure was recorded or updated.
 */
export async function recordPaymentsCheckout(shop: string, customerId: string, at: Date, cartValue: number | null): Promise<boolean> {
  const e = await paymentsEligibility(shop, customerId, at, cartValue, null);
  if (!e) return false;
  await prisma.$transaction(async (tx) => {
    await lockShopMeasurement(tx, shop);
    const where = { shop_play_visitorId: { shop, play: PAYMENTS_PLAY, visitorId: e.visitorId } };
    const before = await tx.playExposure.findUnique({ where });
    if (before && (before.shownAt || !e.tailored)) return;
    const after = before
      ? await tx.playExposure.update({ where, data: { shownAt: at } })
      : await tx.playExposure.create({
          data: { shop, play: PAYMENTS_PLAY, visitorId: e.visitorId, arm: e.arm, customerId: e.customerId, firstEligibleAt: at, shownAt: e.tailored ? at : null },
        });
    await applyExposureChanges(tx, shop, [{ before, after }]);
  });
  return true;
}

type Tx = Prisma.TransactionClient | PrismaClient;

/**
 * Inside attribution's transaction: the Function's exposure for this customer (one per customer, keyed like the
 * Function's arm message) is created or updated with the order, and DailyPlayStat with it, for both arms, so
 * Analytics compares them like any play's. `countOrder` false when the order already counts for the play through
 * the storefront: it then records the exposure only, so an order is never counted twice for one play.
 */
export async function recordPaymentsExposure(
  tx: Tx,
  shop: string,
  e: PaymentsOrderExposure,
  order: { createdAt: Date; revenue: number; countOrder: boolean },
): Promise<{ play: typeof PAYMENTS_PLAY; arm: Arm; status: "shown" | "eligible"; source: "customer"; exposureId: string }> {
  const where = { shop_play_visitorId: { shop, play: PAYMENTS_PLAY, visitorId: e.visitorId } };
  const before = await tx.playExposure.findUnique({ where });
  const shownAt = e.tailored ? (before?.shownAt ?? order.createdAt) : (before?.shownAt ?? null);
  const money = order.countOrder ? { orders: 1, revenue: order.revenue } : { orders: 0, revenue: 0 };
  const after = before
    ? await tx.playExposure.update({ where, data: { shownAt, orders: { increment: money.orders }, revenue: { increment: money.revenue } } })
    : await tx.playExposure.create({
        data: { shop, play: PAYMENTS_PLAY, visitorId: e.visitorId, arm: e.arm, customerId: e.customerId, firstEligibleAt: order.createdAt, shownAt, ...money },
      });
  await applyExposureChanges(tx, shop, [{ before, after }]);
  // The exposure's stored arm stands (as for every play): it came from the same deterministic assignment.
  return { play: PAYMENTS_PLAY, arm: after.arm as Arm, status: after.shownAt ? "shown" : "eligible", source: "customer", exposureId: e.visitorId };
}

export async function getPaymentsState(admin: AdminGraphqlClient): Promise<PaymentsState> {
  return (await readPayments(admin)).state;
}

/** The state and the configuration the Function reads now (server-side only: it holds the arm key). */
async function readPayments(admin: AdminGraphqlClient): Promise<{ state: PaymentsState; published: PaymentsConfig | null }> {
  const data = await adminGraphql<{ paymentCustomizations: { nodes: { id: string; enabled: boolean; metafield: { jsonValue: unknown } | null }[] } }>(admin, STATE_QUERY);
  const nodes = data.paymentCustomizations.nodes;
  // Only this app can read its `$app:` metafield, so the node carrying it is ours.
  const ours = nodes.find((n) => n.metafield !== null) ?? null;
  const hide = ours && ours.metafield && typeof ours.metafield.jsonValue === "object" ? ((ours.metafield.jsonValue as { hide?: unknown }).hide ?? []) : [];
  return {
    state: {
      id: ours?.id ?? null,
      enabled: ours?.enabled ?? false,
      activeCount: nodes.filter((n) => n.enabled).length,
      hide: Array.isArray(hide) ? hide.filter((s): s is string => typeof s === "string") : [],
    },
    published: parsePaymentsConfig(ours?.metafield?.jsonValue),
  };
}

const armInputs = (c: PaymentsConfig) => JSON.stringify([c.key, c.holdoutPercent, c.aovMultiple, [...c.vipGroups].sort()]);

/** getPaymentsState, with the shop's local on/off (what orders/create reads) brought in line with Shopify's. */
export async function syncedPaymentsState(shop: string, admin: AdminGraphqlClient): Promise<PaymentsState> {
  const { state, published } = await readPayments(admin);
  const on = state.id !== null && state.enabled;
  await markPaymentsOn(shop, on);
  // The VIP play's holdout, AOV multiple or groups changed since the configuration was written: republish, so the
  // Function's arm and rules are again the ones the server recomputes for exposures.
  if (on && state.id) {
    const want = await configFor(shop, state.hide).catch(() => null);
    if (want && (!published || armInputs(published) !== armInputs(want))) {
      const metafields = [{ namespace: PAYMENTS_CONFIG_NAMESPACE, key: PAYMENTS_CONFIG_KEY, type: "json", value: JSON.stringify(want) }];
      // Best effort: the state read must not fail on it; the next read retries.
      try {
        const u = await adminGraphql<{ paymentCustomizationUpdate: { userErrors: UserError[] } }>(admin, UPDATE, { id: state.id, input: { metafields } });
        if (u.paymentCustomizationUpdate.userErrors.length) console.error("[payments] configuration not republished", u.paymentCustomizationUpdate.userErrors.map((e) => e.message));
      } catch (e) {
        if (e instanceof Response) throw e;
        console.error("[payments] configuration not republished", e instanceof Error ? e.message : String(e));
      }
    }
  }
  return state;
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
    await markPaymentsOn(shop, true);
  } else {
    const u = await adminGraphql<{ paymentCustomizationUpdate: { userErrors: UserError[] } }>(admin, UPDATE, { id: state.id, input: { metafields } });
    if (u.paymentCustomizationUpdate.userErrors.length) return capOrError(u.paymentCustomizationUpdate.userErrors);
    const a = await adminGraphql<{ paymentCustomizationActivation: { userErrors: UserError[] } }>(admin, ACTIVATION, { ids: [state.id], enabled: true });
    if (a.paymentCustomizationActivation.userErrors.length) return capOrError(a.paymentCustomizationActivation.userErrors);
    await markPaymentsOn(shop, true);
  }
  return { ok: true, state: await getPaymentsState(admin) };
}

/**
 * Keeps Shop.paymentsOnAt in step with Shopify: set when turned on (kept while it stays on), cleared when off. The
 * VIP page's and onboarding's state reads call it too, so a customization switched off in Shopify's settings stops
 * counting exposures from the next look at the app.
 */
export async function markPaymentsOn(shop: string, on: boolean, now = new Date()): Promise<void> {
  if (on) await prisma.shop.updateMany({ where: { shop, paymentsOnAt: null }, data: { paymentsOnAt: now } });
  else await prisma.shop.updateMany({ where: { shop, paymentsOnAt: { not: null } }, data: { paymentsOnAt: null } });
}

/** Turns it off: deactivates (kept, so turning on again reuses it and its history). */
export async function disablePayments(shop: string, admin: AdminGraphqlClient): Promise<PaymentsToggleResult> {
  const state = await getPaymentsState(admin);
  if (!state.id) {
    await markPaymentsOn(shop, false);
    return { ok: true, state };
  }
  const a = await adminGraphql<{ paymentCustomizationActivation: { userErrors: UserError[] } }>(admin, ACTIVATION, { ids: [state.id], enabled: false });
  if (a.paymentCustomizationActivation.userErrors.length) return capOrError(a.paymentCustomizationActivation.userErrors);
  await markPaymentsOn(shop, false);
  return { ok: true, state: await getPaymentsState(admin) };
}
