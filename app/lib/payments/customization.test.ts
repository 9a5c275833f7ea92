import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, coerceInputValue, execute, parse, validate, type GraphQLInputType, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { armMessage, armOfDigest } from "../stats/visitor";
import {
  applyPaymentOperations,
  customerArmId,
  decidePayments,
  paymentsArm,
  paymentsRun,
  type PaymentsFunctionInput,
  type PaymentsFunctionResult,
} from "./customization";
import { hmacSha256, sha256, utf8 } from "./sha256";

// The pinned Function schema (copied from ../shared/schemas) and the extension's own input query.
const schema: GraphQLSchema = buildClientSchema(
  (JSON.parse(gunzipSync(readFileSync(path.join(process.cwd(), "app/graphql/functions_payment_customization_2026-07.json.gz"))).toString("utf8")) as { data: IntrospectionQuery }).data,
);
const QUERY = readFileSync(path.join(process.cwd(), "functions/recovery-plays-payments/src/run.graphql"), "utf8");

const KEY = "a1".repeat(32);
const METHODS = [
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/0", name: "Credit card" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/1", name: "PayPal" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/2", name: "Shop Pay" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/3", name: "Shop Pay Installments" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/4", name: "Klarna" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/5", name: "Cash on Delivery (COD)" },
];

interface Buyer {
  id: string;
  fields: Record<string, string>;
}

/** The Function input as Shopify builds it: the input query executed against the schema over a checkout. */
function inputFor(opts: { subtotal: number; buyer: Buyer | null; config?: unknown; methods?: { id: string; name: string }[] }): PaymentsFunctionInput {
  const metafieldOf = (fields: Record<string, string>) => ({ namespace, key }: { namespace: string; key: string }) =>
    namespace === "$app:recovery_plays" && key in fields ? { value: fields[key], type: "single_line_text_field", jsonValue: fields[key] } : null;
  const cart = {
    cost: { subtotalAmount: { amount: opts.subtotal.toFixed(2), currencyCode: "USD" } },
    buyerIdentity: opts.buyer ? { isAuthenticated: true, customer: { id: opts.buyer.id, metafield: metafieldOf(opts.buyer.fields) } } : null,
  };
  const paymentCustomization = {
    metafield: ({ namespace, key }: { namespace: string; key: string }) =>
      namespace === "$app:recovery_plays" && key === "payment_customization" && opts.config !== undefined ? { jsonValue: opts.config, type: "json", value: JSON.stringify(opts.config) } : null,
  };
  const paymentMethods = (opts.methods ?? METHODS).map((m) => ({ ...m, placements: ["PAYMENT_METHOD"] }));
  const result = execute({ schema, document: parse(QUERY), rootValue: { cart, paymentMethods, paymentCustomization } });
  if ("then" in result) throw new Error("synchronous execution expected");
  expect(result.errors ?? []).toEqual([]);
  return result.data as unknown as PaymentsFunctionInput;
}

/** Throws when the output is not a valid CartPaymentMethodsTransformRunResult. */
function assertValidOutput(out: PaymentsFunctionResult) {
  const type = schema.getType("CartPaymentMethodsTransformRunResult") as GraphQLInputType;
  const problems: string[] = [];
  coerceInputValue(out, type, (p, _v, e) => problems.push(`${p.join(".")}: ${e.message}`));
  expect(problems).toEqual([]);
}

/** A customer id whose arm under KEY at 10 % is `want` (found by scanning, never hard-coded). */
function customerIn(want: "treatment" | "holdout", from = 1): string {
  for (let n = from; n < from + 10_000; n++) {
    const id = `gid://shopify/Customer/${n}`;
    if (paymentsArm(KEY, id, 10) === want) return id;
  }
  throw new Error("no customer found");
}
const TREATED = customerIn("treatment");
const config = (over: Record<string, unknown> = {}) => ({ key: KEY, holdoutPercent: 10, aovMultiple: 3, vipGroups: [], hide: [], ...over });
/** Runs the Function and checks its output against the pinned schema's result type, on every run. */
function run(input: PaymentsFunctionInput): PaymentsFunctionResult {
  const out = paymentsRun(input);
  assertValidOutput(out);
  return out;
}
const names = (input: PaymentsFunctionInput) => applyPaymentOperations(input.paymentMethods, run(input).operations).map((m) => m.name);
const DEFAULT_ORDER = METHODS.map((m) => m.name);

describe("payment customization Function: schema", () => {
  it("GIVEN the extension's input query WHEN validated against the pinned Function schema THEN it has no errors", () => {
    expect(validate(schema, parse(QUERY)).map((e) => e.message)).toEqual([]);
  });

  it("GIVEN a VIP with a big cart and a hide rule WHEN the Function runs THEN its move and hide operations are a valid result", () => {
    const out = run(inputFor({ subtotal: 400, buyer: { id: TREATED, fields: { aov: "100.00", rfm_group: "CHAMPIONS" } }, config: config({ hide: ["Cash on Delivery (COD)"] }) }));
    expect(out.operations.length).toBeGreaterThan(2);
    assertValidOutput(out);
  });
});

describe("payment customization Function: AOV rule", () => {
  it("GIVEN a cart at 3.1× the customer's AOV WHEN the Function runs THEN instalment methods lead the list", () => {
    const input = inputFor({ subtotal: 310, buyer: { id: TREATED, fields: { aov: "100.00", stage: "repeat_customer" } }, config: config() });
    expect(names(input).slice(0, 2)).toEqual(["Shop Pay Installments", "Klarna"]);
  });

  it("GIVEN a cart at 2.9× the customer's AOV WHEN the Function runs THEN the list keeps its default order", () => {
    const input = inputFor({ subtotal: 290, buyer: { id: TREATED, fields: { aov: "100.00", stage: "repeat_customer" } }, config: config() });
    expect(run(input).operations).toEqual([]);
  });

  it("GIVEN a cart at exactly 3× the customer's AOV WHEN the Function runs THEN instalments lead (the rule is ≥)", () => {
    const input = inputFor({ subtotal: 300, buyer: { id: TREATED, fields: { aov: "100.00" } }, config: config() });
    expect(names(input)[0]).toBe("Shop Pay Installments");
  });

  it.each(["0", "not a number", "-50"])("GIVEN an aov metafield of %j WHEN the cart is large THEN instalments are not moved", (aov) => {
    const input = inputFor({ subtotal: 10_000, buyer: { id: TREATED, fields: { aov } }, config: config() });
    expect(run(input).operations).toEqual([]);
  });

  it("GIVEN a merchant multiple of 2 WHEN the cart is 2.5× AOV THEN instalments lead", () => {
    const input = inputFor({ subtotal: 250, buyer: { id: TREATED, fields: { aov: "100" } }, config: config({ aovMultiple: 2 }) });
    expect(names(input)[0]).toBe("Shop Pay Installments");
  });

  it("GIVEN a big cart but no instalment method offered WHEN the Function runs THEN there are no operations", () => {
    const methods = METHODS.filter((m) => !/Installments|Klarna/.test(m.name));
    const input = inputFor({ subtotal: 1000, buyer: { id: TREATED, fields: { aov: "100" } }, config: config(), methods });
    expect(run(input).operations).toEqual([]);
  });

  it("GIVEN a profile without the aov metafield WHEN the cart is large THEN instalments are not moved", () => {
    const input = inputFor({ subtotal: 10_000, buyer: { id: TREATED, fields: { stage: "repeat_customer" } }, config: config() });
    expect(run(input).operations).toEqual([]);
  });
});

describe("payment customization Function: VIP rule", () => {
  it("GIVEN a Champion with an ordinary cart WHEN the Function runs THEN express wallets lead, instalments stay put", () => {
    const input = inputFor({ subtotal: 50, buyer: { id: TREATED, fields: { aov: "100", rfm_group: "CHAMPIONS" } }, config: config() });
    expect(names(input).slice(0, 2)).toEqual(["PayPal", "Shop Pay"]);
  });

  it("GIVEN a LOYAL customer WHEN LOYAL is not a chosen VIP group THEN nothing moves", () => {
    const input = inputFor({ subtotal: 50, buyer: { id: TREATED, fields: { aov: "100", rfm_group: "LOYAL" } }, config: config() });
    expect(run(input).operations).toEqual([]);
  });

  it("GIVEN a LOYAL customer WHEN the merchant chose LOYAL as a VIP group THEN wallets lead", () => {
    const input = inputFor({ subtotal: 50, buyer: { id: TREATED, fields: { rfm_group: "LOYAL" } }, config: config({ vipGroups: ["LOYAL"] }) });
    expect(names(input)[0]).toBe("PayPal");
  });

  it("GIVEN a Champion with a cart ≥ 3× AOV WHEN the Function runs THEN instalments lead and wallets follow", () => {
    const input = inputFor({ subtotal: 500, buyer: { id: TREATED, fields: { aov: "100", rfm_group: "CHAMPIONS" } }, config: config() });
    expect(names(input).slice(0, 4)).toEqual(["Shop Pay Installments", "Klarna", "PayPal", "Shop Pay"]);
  });
});

describe("payment customization Function: no change", () => {
  it("GIVEN an anonymous buyer WHEN the cart is large THEN there are no operations", () => {
    expect(run(inputFor({ subtotal: 10_000, buyer: null, config: config() })).operations).toEqual([]);
  });

  it("GIVEN an unknown customer (no profile metafields) WHEN the Function runs THEN there are no operations", () => {
    expect(run(inputFor({ subtotal: 10_000, buyer: { id: TREATED, fields: {} }, config: config({ hide: ["PayPal"] }) })).operations).toEqual([]);
  });

  it("GIVEN a configuration without a usable key WHEN a Champion checks out THEN there are no operations (no unmeasured treatment)", () => {
    for (const bad of [config({ key: "not-hex" }), config({ key: undefined }), "just a string", []]) {
      expect(run(inputFor({ subtotal: 500, buyer: { id: TREATED, fields: { aov: "100", rfm_group: "CHAMPIONS" } }, config: bad })).operations).toEqual([]);
    }
  });

  it("GIVEN a Champion without the rfm_group metafield WHEN the cart is ordinary THEN wallets are not moved", () => {
    expect(run(inputFor({ subtotal: 50, buyer: { id: TREATED, fields: { aov: "100", stage: "loyalist" } }, config: config() })).operations).toEqual([]);
  });

  it("GIVEN no configuration metafield WHEN a Champion checks out THEN there are no operations", () => {
    expect(run(inputFor({ subtotal: 500, buyer: { id: TREATED, fields: { aov: "100", rfm_group: "CHAMPIONS" } } })).operations).toEqual([]);
  });

  it("GIVEN a holdout Champion with a cart ≥ 3× AOV WHEN the Function runs THEN the default order stays and the arm is holdout", () => {
    const d = decidePayments(inputFor({ subtotal: 500, buyer: { id: customerIn("holdout"), fields: { aov: "100", rfm_group: "CHAMPIONS" } }, config: config() }));
    expect(d.arm).toBe("holdout");
    expect(d.result.operations).toEqual([]);
  });

  it("GIVEN no hide rule WHEN a VIP checks out THEN no method is hidden", () => {
    const input = inputFor({ subtotal: 500, buyer: { id: TREATED, fields: { aov: "100", rfm_group: "CHAMPIONS" } }, config: config() });
    expect([...names(input)].sort()).toEqual([...DEFAULT_ORDER].sort());
  });

  it("GIVEN the merchant's explicit hide rule WHEN a profiled buyer checks out THEN only that method is gone", () => {
    const input = inputFor({ subtotal: 10, buyer: { id: TREATED, fields: { stage: "loyalist" } }, config: config({ hide: ["cash on delivery (cod)"] }) });
    expect(names(input)).toEqual(DEFAULT_ORDER.filter((n) => n !== "Cash on Delivery (COD)"));
  });
});

describe("payment customization Function: arm and hashing", () => {
  it("GIVEN messages of several lengths WHEN hashed THEN SHA-256 and HMAC match Node's crypto", () => {
    for (const msg of ["", "abc", "x".repeat(55), "y".repeat(64), "z".repeat(200), "héllo ✓"]) {
      expect(Buffer.from(sha256(utf8(msg))).toString("hex")).toBe(createHash("sha256").update(msg).digest("hex"));
      expect(Buffer.from(hmacSha256(Buffer.from(KEY, "hex"), utf8(msg))).toString("hex")).toBe(createHmac("sha256", Buffer.from(KEY, "hex")).update(msg).digest("hex"));
    }
  });

  it("GIVEN a customer WHEN the Function derives the arm THEN it equals the server's HMAC arm for that customer", () => {
    for (let n = 1; n <= 300; n++) {
      const id = `gid://shopify/Customer/${n}`;
      const server = armOfDigest(createHmac("sha256", Buffer.from(KEY, "hex")).update(armMessage(customerArmId(id), "vip")).digest(), 10);
      expect(paymentsArm(KEY, id, 10)).toBe(server);
    }
  });
});

describe("applyPaymentOperations", () => {
  it("GIVEN a rename, a hide and two moves WHEN applied THEN the list reflects each as checkout does", () => {
    const out = applyPaymentOperations(METHODS, [
      { paymentMethodRename: { paymentMethodId: METHODS[4].id, name: "Klarna: pay in 4" } },
      { paymentMethodHide: { paymentMethodId: METHODS[5].id } },
      { paymentMethodMove: { paymentMethodId: METHODS[4].id, index: 0 } },
      { paymentMethodMove: { paymentMethodId: METHODS[3].id, index: 1 } },
    ]);
    expect(out.map((m) => m.name)).toEqual(["Klarna: pay in 4", "Shop Pay Installments", "Credit card", "PayPal", "Shop Pay"]);
  });
});
