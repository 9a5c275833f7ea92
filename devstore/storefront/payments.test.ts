import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { paymentsArm } from "../../app/lib/payments/customization";
import type { DevStoreData } from "../types";
import { checkoutPaymentMethods, DEV_PAYMENT_METHODS } from "./payments";

const KEY = createHmac("sha256", "shop").update("payments-function").digest("hex");
const NS = "app--42--recovery_plays";

function store(enabled: boolean, profile: Record<string, string>, customerId: string): DevStoreData {
  const now = "2026-07-01T00:00:00Z";
  return {
    metafields: Object.entries(profile).map(([key, value], i) => ({ id: String(i), ownerId: `gid://shopify/Customer/${customerId}`, namespace: NS, key, type: "single_line_text_field", value, updatedAt: now })),
    paymentCustomizations: [
      {
        id: "gid://shopify/PaymentCustomization/1",
        title: "t",
        enabled,
        functionHandle: "recovery-plays-payments",
        metafields: { [`${NS}.payment_customization`]: { type: "json", value: JSON.stringify({ key: KEY, holdoutPercent: 10, aovMultiple: 3, vipGroups: [], hide: [] }) } },
      },
    ],
  } as unknown as DevStoreData;
}

function customerIn(arm: "treatment" | "holdout"): string {
  for (let n = 1; n < 10_000; n++) if (paymentsArm(KEY, `gid://shopify/Customer/${n}`, 10) === arm) return String(n);
  throw new Error("none");
}

const DEFAULT = DEV_PAYMENT_METHODS.map((m) => m.name);

describe("dev store checkout payment list", () => {
  it("GIVEN an active customization and a Champion at 4× AOV WHEN checkout lists payments THEN pay-over-time methods come first", () => {
    const id = customerIn("treatment");
    const names = checkoutPaymentMethods(store(true, { aov: "50.00", rfm_group: "CHAMPIONS" }, id), id, 200).map((m) => m.name);
    expect(names.slice(0, 2)).toEqual(["Shop Pay Installments", "Klarna"]);
  });

  it("GIVEN the customization is deactivated WHEN the same Champion checks out THEN the default order shows", () => {
    const id = customerIn("treatment");
    expect(checkoutPaymentMethods(store(false, { aov: "50.00", rfm_group: "CHAMPIONS" }, id), id, 200).map((m) => m.name)).toEqual(DEFAULT);
  });

  it("GIVEN a guest checkout WHEN checkout lists payments THEN the default order shows", () => {
    const id = customerIn("treatment");
    expect(checkoutPaymentMethods(store(true, { aov: "50.00", rfm_group: "CHAMPIONS" }, id), null, 200).map((m) => m.name)).toEqual(DEFAULT);
  });

  it("GIVEN a holdout Champion at 4× AOV WHEN checkout lists payments THEN the default order shows", () => {
    const id = customerIn("holdout");
    expect(checkoutPaymentMethods(store(true, { aov: "50.00", rfm_group: "CHAMPIONS" }, id), id, 200).map((m) => m.name)).toEqual(DEFAULT);
  });
});
