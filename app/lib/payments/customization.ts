/**
 * The payment customization Function's logic (functions/recovery-plays-payments runs it in Shopify's checkout;
 * the dev store's checkout runs it over its own payment list). Pure: it sees only the Function input.
 *
 * - cart subtotal ≥ aovMultiple × the customer's AOV → instalment methods (Shop Pay Installments, BNPL) first;
 * - customer's RFM group is CHAMPIONS or one of the merchant's VIP groups → express wallets first;
 * - hiding happens only for method names the merchant listed explicitly;
 * - no customer, no profile, no valid configuration, or the holdout arm → no operations at all.
 *
 * The arm is the app's server-keyed decision: bucket of HMAC-SHA256(per-shop key, armMessage(buyer, "vip")),
 * the key published in the customization's configuration metafield (derived on the server from the shop's
 * visitor key, app/models/payments.server.ts), so the server recomputes the same arm for attribution.
 */
import type { Arm, RfmGroup } from "../plays/types";
import { armMessage, armOfDigest } from "../stats/visitor";
import { fromHex, hmacSha256, utf8 } from "./sha256";

export const PAYMENTS_CONFIG_NAMESPACE = "$app:recovery_plays";
export const PAYMENTS_CONFIG_KEY = "payment_customization";
/** The play whose holdout and attribution the Function shares (the VIP Friction Concierge). */
export const PAYMENTS_PLAY = "vip" as const;

export interface PaymentsConfig {
  /** Hex per-shop key for the arm; without it the Function changes nothing (no unmeasured treatment). */
  key: string;
  holdoutPercent: number;
  aovMultiple: number;
  /** RFM groups treated as VIPs besides CHAMPIONS. */
  vipGroups: RfmGroup[];
  /** Method names the merchant chose to hide (explicit rule, shown with a warning in the admin). */
  hide: string[];
}

export const DEFAULT_PAYMENTS_CONFIG: Omit<PaymentsConfig, "key"> = {
  holdoutPercent: 10,
  aovMultiple: 3,
  vipGroups: [],
  hide: [],
};

type Value = { value: string } | null;

/** The input query's result (functions/recovery-plays-payments/src/run.graphql). */
export interface PaymentsFunctionInput {
  cart: {
    cost: { subtotalAmount: { amount: string } };
    buyerIdentity: {
      customer: { id: string; aov: Value; stage: Value; rfmGroup: Value } | null;
    } | null;
  };
  paymentMethods: { id: string; name: string }[];
  paymentCustomization: { metafield: { jsonValue: unknown } | null };
}

export type PaymentsOperation =
  | { paymentMethodMove: { paymentMethodId: string; index: number } }
  | { paymentMethodRename: { paymentMethodId: string; name: string } }
  | { paymentMethodHide: { paymentMethodId: string } };

export interface PaymentsFunctionResult {
  operations: PaymentsOperation[];
}

export interface PaymentsDecision {
  /** Null when the buyer is not eligible (anonymous, no profile, no configuration). */
  arm: Arm | null;
  instalmentsFirst: boolean;
  walletsFirst: boolean;
  result: PaymentsFunctionResult;
}

const INSTALMENT = /installments?|instalments?|afterpay|clearpay|klarna|affirm|sezzle|\bzip\b|laybuy|atome|humm|splitit|pay later|pay in \d/i;
const WALLET = /shop ?pay|apple ?pay|google ?pay|paypal|amazon ?pay|meta ?pay|venmo/i;

export const isInstalmentMethod = (name: string) => INSTALMENT.test(name);
/** Wallets that are not themselves instalment methods ("Shop Pay Installments" is an instalment method). */
export const isExpressWallet = (name: string) => WALLET.test(name) && !INSTALMENT.test(name);

/**
 * One pass over the names, each tested at most once per pattern: in the Function's QuickJS a regex test costs
 * ~30,000 WebAssembly instructions, so testing a name a third time mattered on a long payment list
 * (bench/function.ts reports the count against Shopify's 11M limit).
 */
function classify<M extends { name: string }>(methods: M[], wantInstalments: boolean, wantWallets: boolean): { instalments: M[]; wallets: M[] } {
  const instalments: M[] = [];
  const wallets: M[] = [];
  if (!wantInstalments && !wantWallets) return { instalments, wallets };
  for (const m of methods) {
    if (INSTALMENT.test(m.name)) {
      if (wantInstalments) instalments.push(m);
    } else if (wantWallets && WALLET.test(m.name)) wallets.push(m);
  }
  return { instalments, wallets };
}

/** The configuration metafield's JSON, validated; null when unusable. */
export function parsePaymentsConfig(raw: unknown): PaymentsConfig | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.key !== "string" || !fromHex(r.key)) return null;
  const num = (v: unknown, d: number, lo: number, hi: number) => (typeof v === "number" && Number.isFinite(v) && v >= lo && v <= hi ? v : d);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
  return {
    key: r.key,
    holdoutPercent: num(r.holdoutPercent, DEFAULT_PAYMENTS_CONFIG.holdoutPercent, 0, 50),
    aovMultiple: num(r.aovMultiple, DEFAULT_PAYMENTS_CONFIG.aovMultiple, 1, 100),
    vipGroups: strings(r.vipGroups) as RfmGroup[],
    hide: strings(r.hide),
  };
}

/** The buyer's id in arm messages: customers, not storefront visitors, are what a Function can see. */
export const customerArmId = (customerGid: string) => `customer:${customerGid.slice(customerGid.lastIndexOf("/") + 1)}`;

/** The buyer's arm with the published key: the same bucket rule as every play's holdout. */
export function paymentsArm(keyHex: string, customerGid: string, holdoutPercent: number): Arm {
  const key = fromHex(keyHex);
  if (!key) return "treatment";
  return armOfDigest(hmacSha256(key, utf8(armMessage(customerArmId(customerGid), PAYMENTS_PLAY))), holdoutPercent);
}

const NONE = (arm: Arm | null): PaymentsDecision => ({ arm, instalmentsFirst: false, walletsFirst: false, result: { operations: [] } });

export function decidePayments(input: PaymentsFunctionInput): PaymentsDecision {
  const customer = input.cart.buyerIdentity?.customer ?? null;
  const config = parsePaymentsConfig(input.paymentCustomization.metafield?.jsonValue);
  if (!customer || !config) return NONE(null);
  const aov = customer.aov ? Number(customer.aov.value) : NaN;
  const rfm = customer.rfmGroup?.value ?? null;
  // A profile exists once the app wrote any of its fields; none of them → nothing to tailor to.
  if (!customer.stage && !customer.rfmGroup && !customer.aov) return NONE(null);
  const arm = paymentsArm(config.key, customer.id, config.holdoutPercent);
  if (arm === "holdout") return NONE(arm);

  const subtotal = Number(input.cart.cost.subtotalAmount.amount);
  const methods = input.paymentMethods;
  const bigTicket = Number.isFinite(aov) && aov > 0 && subtotal >= config.aovMultiple * aov;
  const vip = rfm !== null && (rfm === "CHAMPIONS" || (config.vipGroups as string[]).includes(rfm));
  const { instalments, wallets } = classify(methods, bigTicket, vip);

  const operations: PaymentsOperation[] = [];
  // Big-ticket first: when both apply, instalments lead and wallets follow them.
  [...instalments, ...wallets].forEach((m, index) => operations.push({ paymentMethodMove: { paymentMethodId: m.id, index } }));
  const hidden = new Set(config.hide.map((n) => n.trim().toLowerCase()));
  for (const m of methods) if (hidden.has(m.name.trim().toLowerCase())) operations.push({ paymentMethodHide: { paymentMethodId: m.id } });
  return { arm, instalmentsFirst: instalments.length > 0, walletsFirst: wallets.length > 0, result: { operations } };
}

/** The Function's run export. */
export function paymentsRun(input: PaymentsFunctionInput): PaymentsFunctionResult {
  return decidePayments(input).result;
}

/**
 * Applies operations to a payment list the way checkout does: hides drop the method, renames change its label,
 * moves place each method at its index in order (the dev store's checkout uses this).
 */
export function applyPaymentOperations<M extends { id: string; name: string }>(methods: M[], operations: PaymentsOperation[]): M[] {
  let list = methods.map((m) => ({ ...m }));
  for (const op of operations) {
    if ("paymentMethodHide" in op) list = list.filter((m) => m.id !== op.paymentMethodHide.paymentMethodId);
    else if ("paymentMethodRename" in op) {
      const m = list.find((x) => x.id === op.paymentMethodRename.paymentMethodId);
      if (m) m.name = op.paymentMethodRename.name;
    }
  }
  for (const op of operations) {
    if (!("paymentMethodMove" in op)) continue;
    const at = list.findIndex((m) => m.id === op.paymentMethodMove.paymentMethodId);
    if (at < 0) continue;
    const [m] = list.splice(at, 1);
    list.splice(Math.max(0, Math.min(op.paymentMethodMove.index, list.length)), 0, m);
  }
  return list;
}
