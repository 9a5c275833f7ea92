// refundCreate (and orderCancel) on the dev store: validated like Shopify (userErrors with field paths; the
// `@idempotent` key is mandatory for refundCreate since 2026-04), the order updated in place, then refunds/create
// and orders/updated delivered to the app the way Shopify fires them after a merchant's refund.
import { createHash, randomUUID } from "node:crypto";
import { GraphQLError, getDirectiveValues, type GraphQLResolveInfo } from "graphql";
import type { DevOrder, DevRefund } from "../types";
import type { AdminContext, AdminEnv } from "./context";
import { orderWebhookPayload } from "../storefront/checkout";
import { refundWebhookPayload } from "../webhooks";

type Args = Record<string, any>;
type UserError = { field: string[] | null; message: string };

/** Runtime refund / transaction / refund line ids live in a range no seeded id uses. */
const REFUND_ID_BASE = 3_000_000_000_000;
const TRANSACTION_ID_BASE = 4_000_000_000_000;

const parseGid = (v: unknown) => {
  const m = typeof v === "string" ? v.match(/^gid:\/\/shopify\/(\w+)\/([^/?]+)$/) : null;
  return m ? { type: m[1]!, id: m[2]! } : null;
};
const cents = (x: number) => Math.round(x * 100);

/** Results of idempotent mutations by key, per dev store: a retry with the same key replays the first result. */
const idempotency = new WeakMap<AdminEnv, Map<string, { fingerprint: string; result: unknown }>>();

/** The `@idempotent(key:)` on the mutation field (a variable is resolved), or null when absent. */
export function idempotencyKey(info: GraphQLResolveInfo): string | null {
  const directive = info.schema.getDirective("idempotent");
  const node = info.fieldNodes[0];
  if (!directive || !node) return null;
  const values = getDirectiveValues(directive, node, info.variableValues) as { key?: unknown } | undefined;
  return typeof values?.key === "string" ? values.key : null;
}

function requireKey(info: GraphQLResolveInfo): string {
  const key = idempotencyKey(info);
  if (key === null) {
    throw new GraphQLError(`The @idempotent directive is required for ${info.fieldName} as of API version 2026-04.`, {
      extensions: { code: "BAD_REQUEST" },
    });
  }
  if (key.trim() === "") throw new GraphQLError("The idempotency key cannot be an empty string or whitespace only.", { extensions: { code: "BAD_REQUEST" } });
  return key;
}

/** Runs `run` once per key; the same key with other arguments is refused, as Shopify does. */
function once<T>(ctx: AdminContext, info: GraphQLResolveInfo, args: unknown, run: () => T): T {
  const key = requireKey(info);
  let seen = idempotency.get(ctx.env);
  if (!seen) idempotency.set(ctx.env, (seen = new Map()));
  const fingerprint = createHash("sha256").update(`${info.fieldName}:${JSON.stringify(args)}`).digest("hex");
  const scoped = `${ctx.shop.domain}:${key}`;
  const hit = seen.get(scoped);
  if (hit) {
    if (hit.fingerprint !== fingerprint) {
      throw new GraphQLError("The same idempotency key cannot be used with different operation parameters.", {
        extensions: { code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" },
      });
    }
    return hit.result as T;
  }
  const result = run();
  seen.set(scoped, { fingerprint, result });
  return result;
}

/** An order the dev store can change: one held in state (seeded or placed at checkout), not a streamed one. */
function storedOrder(ctx: AdminContext, id: unknown): { order?: DevOrder; error?: string } {
  const g = parseGid(id);
  if (!g || g.type !== "Order") return { error: "Order does not exist" };
  const order = ctx.env.state.orders.find((o) => o.id === g.id);
  if (order) return { order };
  return { error: ctx.env.data.order(g.id) ? "The dev store can't change generated (streamed) orders" : "Order does not exist" };
}

/** Strictly after the previous update, so the app's stale-update check orders the deliveries. */
function touch(order: DevOrder): string {
  const at = new Date(Math.max(Date.now(), Date.parse(order.updatedAt) + 1)).toISOString();
  order.updatedAt = at;
  return at;
}

/** What the customer paid and can still get back. */
function refundable(order: DevOrder): number {
  const paid = order.financialStatus === "VOIDED" || order.financialStatus === "PENDING" ? 0 : order.total;
  return Math.max(0, cents(paid) - cents(order.refunded)) / 100;
}

function deliver(ctx: AdminContext, topic: string, payload: unknown): void {
  ctx.env.deliverWebhook(topic, ctx.shop.domain, payload).catch((error: unknown) => {
    console.error(`[devstore] ${topic} delivery failed:`, error instanceof Error ? error.message : error);
  });
}

/** Records the refund on the order and fires refunds/create (and orders/updated unless the caller will). */
function applyRefund(ctx: AdminContext, order: DevOrder, refund: DevRefund, orderUpdated = true): void {
  order.refunds.push(refund);
  order.refunded = (cents(order.refunded) + cents(refund.amount)) / 100;
  if (refund.amount > 0) order.financialStatus = cents(order.refunded) >= cents(order.total) ? "REFUNDED" : "PARTIALLY_REFUNDED";
  touch(order);
  deliver(ctx, "refunds/create", refundWebhookPayload(order, refund));
  if (orderUpdated) deliver(ctx, "orders/updated", orderWebhookPayload(order, ctx.env.state));
}

const refundNode = (order: DevOrder, refund: DevRefund) => ({ ...refund, currencyCode: order.currencyCode, orderId: order.id });

/**
 * refundCreate(input: RefundInput!) @idempotent(key:). The subset modelled: money through `transactions`
 * (kind REFUND, on this order), items through `refundLineItems` (quantities up to what is left), `note`,
 * `notify` (accepted; nobody is emailed), `currency` (must be the order's), `allowOverRefunding`. As on Shopify,
 * only transactions move money: a refund of line items alone returns none. Shipping, duties and refund methods
 * are refused rather than ignored.
 */
export function refundCreate(ctx: AdminContext, info: GraphQLResolveInfo, input: Args) {
  return once(ctx, info, input, () => {
    const userErrors: UserError[] = [];
    const err = (field: string[] | null, message: string) => userErrors.push({ field, message });
    const found = storedOrder(ctx, input.orderId);
    if (!found.order) {
      err(["orderId"], found.error!);
      return { refund: null, order: null, userErrors };
    }
    const order = found.order;
    if (input.currency != null && input.currency !== order.currencyCode) err(["currency"], `Currency must be the order's presentment currency (${order.currencyCode}).`);
    for (const unsupported of ["shipping", "refundDuties", "refundMethods"] as const) {
      const v = input[unsupported];
      if (v != null && !(Array.isArray(v) && v.length === 0)) err([unsupported], `The dev store doesn't model ${unsupported} refunds.`);
    }
    const transactions: Args[] = input.transactions ?? [];
    const lineInputs: Args[] = input.refundLineItems ?? [];
    if (transactions.length === 0 && lineInputs.length === 0) err(null, "A refund needs transactions or refund line items.");

    let amount = 0;
    transactions.forEach((t, i) => {
      const f = (name: string) => ["transactions", String(i), name];
      if (t.kind !== "REFUND") err(f("kind"), "Kind must be refund.");
      if (t.orderId !== input.orderId) err(f("orderId"), "Transaction must belong to the refunded order.");
      const a = Number(t.amount);
      if (!Number.isFinite(a) || a <= 0) err(f("amount"), "Amount must be greater than 0.");
      else amount += cents(a);
    });
    amount /= 100;
    if (amount > refundable(order) && !input.allowOverRefunding) {
      err(["transactions"], `Refund amount (${amount.toFixed(2)}) exceeds the refundable amount of the order (${refundable(order).toFixed(2)}).`);
    }

    const alreadyRefunded = new Map<string, number>();
    for (const r of order.refunds) for (const l of r.lineItems ?? []) alreadyRefunded.set(l.lineItemId, (alreadyRefunded.get(l.lineItemId) ?? 0) + l.quantity);
    const requested = new Map<string, number>();
    const lines: NonNullable<DevRefund["lineItems"]> = [];
    lineInputs.forEach((l, i) => {
      const f = (name: string) => ["refundLineItems", String(i), name];
      const g = parseGid(l.lineItemId);
      const li = g?.type === "LineItem" ? order.lineItems.find((x) => x.id === g.id) : undefined;
      if (!li) return err(f("lineItemId"), "Line item does not exist on this order.");
      const q = Number(l.quantity);
      const left = li.quantity - (alreadyRefunded.get(li.id) ?? 0) - (requested.get(li.id) ?? 0);
      if (!Number.isInteger(q) || q < 1) return err(f("quantity"), "Quantity must be greater than 0.");
      if (q > left) return err(f("quantity"), `Quantity cannot refund more items than were purchased (${left} left).`);
      requested.set(li.id, (requested.get(li.id) ?? 0) + q);
      lines.push({ id: String(REFUND_ID_BASE + ctx.env.nextId()), lineItemId: li.id, quantity: q, restockType: l.restockType ?? "NO_RESTOCK" });
    });
    const processedAt = input.processedAt == null ? Date.now() : Date.parse(String(input.processedAt));
    if (!Number.isFinite(processedAt)) err(["processedAt"], "Processed at is invalid.");
    if (userErrors.length) return { refund: null, order: null, userErrors };

    const refund: DevRefund = {
      id: String(REFUND_ID_BASE + ctx.env.nextId()),
      createdAt: new Date(processedAt).toISOString(),
      amount,
      note: input.note ?? null,
      lineItems: lines,
      transactions: transactions.map((t) => ({ id: String(TRANSACTION_ID_BASE + ctx.env.nextId()), amount: Number(t.amount), gateway: String(t.gateway) })),
    };
    applyRefund(ctx, order, refund);
    return { refund: refundNode(order, refund), order, userErrors: [] };
  });
}

const CANCEL_REASONS = new Set(["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"]);

/**
 * orderCancel(orderId, reason, restock, refund | refundMethod, notifyCustomer, staffNote). Cancels at once (the
 * returned job is already done). With `refund: true` or `refundMethod.originalPaymentMethodsRefund` what is left
 * to refund goes back as one refund (refunds/create); an unpaid (PENDING) order becomes VOIDED. Then
 * orders/updated and orders/cancelled fire with `cancelled_at`. Store credit is refused rather than ignored.
 */
export function orderCancel(ctx: AdminContext, args: Args) {
  type CancelError = { code: string; field: string[] | null; message: string };
  const errors: CancelError[] = [];
  const err = (code: string, field: string[] | null, message: string) => errors.push({ code, field, message });
  const done = (job: unknown) => ({ job, orderCancelUserErrors: errors, userErrors: errors.map(({ field, message }) => ({ field, message })) });
  const found = storedOrder(ctx, args.orderId);
  if (!found.order) {
    err(found.error === "Order does not exist" ? "NOT_FOUND" : "INVALID", ["orderId"], found.error!);
    return done(null);
  }
  const order = found.order;
  if (order.cancelledAt) err("INVALID", ["orderId"], "Order has already been cancelled.");
  if (!CANCEL_REASONS.has(args.reason)) err("INVALID", ["reason"], "Reason is invalid.");
  if (args.staffNote != null && String(args.staffNote).length > 255) err("INVALID", ["staffNote"], "Staff note is too long (maximum is 255 characters).");
  if (args.refundMethod?.storeCreditRefund) err("INVALID", ["refundMethod", "storeCreditRefund"], "The dev store doesn't model store credit.");
  if (args.refund != null && args.refundMethod != null) err("INVALID", ["refundMethod"], "Only one of refund or refundMethod can be specified.");
  if (errors.length) return done(null);

  const refundPaid = args.refund === true || args.refundMethod?.originalPaymentMethodsRefund === true;
  const amount = refundable(order);
  if (refundPaid && amount > 0) {
    const refund: DevRefund = {
      id: String(REFUND_ID_BASE + ctx.env.nextId()),
      createdAt: new Date().toISOString(),
      amount,
      note: args.staffNote ?? null,
      lineItems: [],
      transactions: [{ id: String(TRANSACTION_ID_BASE + ctx.env.nextId()), amount, gateway: "bogus" }],
    };
    applyRefund(ctx, order, refund, false);
  }
  if (order.financialStatus === "PENDING") order.financialStatus = "VOIDED";
  order.cancelledAt = touch(order);
  order.cancelReason = args.reason;
  const payload = orderWebhookPayload(order, ctx.env.state);
  deliver(ctx, "orders/updated", payload);
  deliver(ctx, "orders/cancelled", payload);
  return done({ id: `gid://shopify/Job/${randomUUID()}`, done: true, query: {} });
}
