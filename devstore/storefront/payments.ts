// The dev store checkout's payment method list, run through the store's active payment customizations the way
// Shopify runs a payment customization Function: the Function input is built from the checkout (subtotal, the
// logged-in customer and their metafields, the customization's configuration metafield), the Function logic
// returns operations, and checkout applies them (hide, rename, move). docs/devstore-fidelity.md cites the rules.
import { applyPaymentOperations, paymentsRun, type PaymentsFunctionInput } from "../../app/lib/payments/customization";
import type { DevStoreData } from "../types";

/** Function handles whose logic the dev store can run (it has no WASM runtime: it runs the tested JS logic). */
const FUNCTIONS: Record<string, (input: PaymentsFunctionInput) => { operations: Parameters<typeof applyPaymentOperations>[1] }> = {
  "recovery-plays-payments": paymentsRun,
};

/** The demo shop's payment methods in its default order (Shopify shows the shop's configured order). */
export const DEV_PAYMENT_METHODS = [
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/1", name: "Credit card" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/2", name: "Shop Pay" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/3", name: "PayPal" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/4", name: "Shop Pay Installments" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/5", name: "Klarna" },
];

/** `$app:<ns>` as stored: `app--<app id>--<ns>`. */
const isAppNs = (stored: string, ns: string) => /^app--\d+--/.test(stored) && stored.endsWith(`--${ns}`);

function customerValue(data: DevStoreData, customerId: string, key: string): { value: string } | null {
  const owner = `gid://shopify/Customer/${customerId}`;
  const m = data.metafields.find((x) => x.ownerId === owner && x.key === key && isAppNs(x.namespace, "recovery_plays"));
  return m ? { value: m.value } : null;
}

/** The payment list a buyer sees: default order, then every enabled customization's operations in turn. */
export function checkoutPaymentMethods(data: DevStoreData, customerId: string | null, subtotal: number) {
  let methods = DEV_PAYMENT_METHODS.map((m) => ({ ...m }));
  for (const c of data.paymentCustomizations ?? []) {
    const run = c.enabled ? FUNCTIONS[c.functionHandle] : undefined;
    if (!run) continue;
    const configEntry = Object.entries(c.metafields).find(([k]) => {
      const dot = k.lastIndexOf(".");
      return isAppNs(k.slice(0, dot), "recovery_plays") && k.slice(dot + 1) === "payment_customization";
    });
    let jsonValue: unknown;
    try {
      jsonValue = configEntry ? JSON.parse(configEntry[1].value) : null;
    } catch {
      jsonValue = null;
    }
    const input: PaymentsFunctionInput = {
      cart: {
        cost: { subtotalAmount: { amount: subtotal.toFixed(2) } },
        buyerIdentity: customerId
          ? {
              customer: {
                id: `gid://shopify/Customer/${customerId}`,
                aov: customerValue(data, customerId, "aov"),
                stage: customerValue(data, customerId, "stage"),
                rfmGroup: customerValue(data, customerId, "rfm_group"),
              },
            }
          : null,
      },
      paymentMethods: methods.map((m) => ({ id: m.id, name: m.name })),
      paymentCustomization: { metafield: configEntry ? { jsonValue } : null },
    };
    methods = applyPaymentOperations(methods, run(input).operations);
  }
  return methods;
}
