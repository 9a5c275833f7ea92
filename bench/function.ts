// The payment customization Function on its largest test input: the JS logic's time per run and the input size
// against Shopify's 64,000-byte input limit. Shopify's real limit is 11 million WebAssembly instructions per run
// (counted by function-runner on the javy-compiled module); this machine cannot build or run that module
// offline (javy and function-runner download from github.com), so `wasmInstructions` is null, not estimated.
import { createHmac } from "node:crypto";
import { decidePayments, type PaymentsFunctionInput } from "../app/lib/payments/customization";

const METHOD_NAMES = ["Credit card", "Shop Pay", "PayPal", "Apple Pay", "Google Pay", "Shop Pay Installments", "Klarna", "Afterpay", "Affirm", "Sezzle", "Bank transfer", "Cash on Delivery (COD)"];
// The largest cart the tests use, grown to Shopify's worst case for this input: every method a shop can offer
// (repeated to 48) and a hide list, with a Champion at 5× AOV so every rule fires.
const methods = Array.from({ length: 48 }, (_, i) => ({ id: `gid://shopify/PaymentCustomizationPaymentMethod/${i}`, name: `${METHOD_NAMES[i % METHOD_NAMES.length]}${i >= METHOD_NAMES.length ? ` ${i}` : ""}` }));
const key = createHmac("sha256", "bench").update("payments-function").digest("hex");
const input: PaymentsFunctionInput = {
  cart: {
    cost: { subtotalAmount: { amount: "500.00" } },
    buyerIdentity: { customer: { id: "gid://shopify/Customer/7", aov: { value: "100.00" }, stage: { value: "loyalist" }, rfmGroup: { value: "CHAMPIONS" } } },
  },
  paymentMethods: methods,
  paymentCustomization: { metafield: { jsonValue: { key, holdoutPercent: 0, aovMultiple: 3, vipGroups: ["LOYAL"], hide: ["Cash on Delivery (COD)", "Bank transfer"] } } },
};

const RUNS = 20_000;
let ops = 0;
for (let i = 0; i < 2_000; i++) ops += decidePayments(input).result.operations.length;
const t0 = process.hrtime.bigint();
for (let i = 0; i < RUNS; i++) ops += decidePayments(input).result.operations.length;
const micros = Number(process.hrtime.bigint() - t0) / 1000 / RUNS;
const once = decidePayments(input);
process.stderr.write(`operations on the largest input: ${once.result.operations.length} (arm ${once.arm}); checksum ${ops}\n`);
console.log(JSON.stringify({
  methods: methods.length,
  operations: once.result.operations.length,
  inputBytes: Buffer.byteLength(JSON.stringify(input)),
  inputLimitBytes: 64_000,
  jsMicrosPerRun: Number(micros.toFixed(2)),
  wasmInstructions: null,
  instructionLimit: 11_000_000,
  wasmNote: "javy/function-runner need github.com downloads: not measurable offline",
}));
