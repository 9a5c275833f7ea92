// The payment customization Function on its largest test input: the JS logic's time per run, the input size
// against Shopify's 64,000-byte input limit, and the WebAssembly instructions one run executes against Shopify's
// 11 million instruction limit.
//
// Shopify counts instructions with function-runner (wasmtime fuel) on the javy-built module. Neither javy nor
// function-runner can be installed here (both download binaries from github.com). So the count is measured on
// the engine javy embeds, QuickJS, compiled to WebAssembly (@jitl/quickjs-wasmfile-release-sync, from npm), with
// the module rewritten to count executed instructions as wasmtime's fuel does (bench/wasmCount.ts). The Function
// source is bundled with esbuild like the CLI does and evaluated first (javy compiles and pre-initialises it at
// build time, so that is not counted); a run counts JSON.parse of the input string, the Function and
// JSON.stringify of the result. It is labelled `quickjsWasm…`: javy's QuickJS build, its own JSON I/O and
// wasm-opt differ, so it is the order of magnitude and headroom, not Shopify's exact number.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";
import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import { decidePayments, type PaymentsFunctionInput } from "../app/lib/payments/customization";
import { COUNTER_EXPORT, instrumentWasm } from "./wasmCount";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

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

/** Instructions one run of the bundled Function executes in QuickJS-wasm, and its output (checked against node's). */
async function quickjsWasmRun(fnInput: PaymentsFunctionInput): Promise<{ instructions: number; output: string; engine: string }> {
  const bundle = await build({
    entryPoints: [path.join(REPO, "functions/recovery-plays-payments/src/index.ts")],
    bundle: true, write: false, format: "iife", globalName: "RecoveryPlaysFunction", target: "es2020", minify: true,
  });
  const req = createRequire(import.meta.url);
  const pkg = req.resolve("@jitl/quickjs-wasmfile-release-sync/package.json");
  const wasm = readFileSync(path.join(path.dirname(pkg), "dist", "emscripten-module.wasm"));
  const counted = instrumentWasm(wasm);
  // The emscripten loader instantiates the module itself; the instance is caught here to read the counter.
  let instance: WebAssembly.Instance | null = null;
  const instantiate = WebAssembly.instantiate;
  const capture = async (...args: Parameters<typeof WebAssembly.instantiate>) => {
    const r = (await (instantiate as (...a: unknown[]) => Promise<unknown>)(...args)) as WebAssembly.Instance | { instance: WebAssembly.Instance };
    instance = "instance" in r ? r.instance : r;
    return r;
  };
  (WebAssembly as { instantiate: unknown }).instantiate = capture;
  let qjs;
  try {
    qjs = await newQuickJSWASMModuleFromVariant(newVariant(releaseSync, { wasmBinary: counted.buffer as ArrayBuffer }));
  } finally {
    (WebAssembly as { instantiate: unknown }).instantiate = instantiate;
  }
  if (!instance) throw new Error("QuickJS wasm instance not captured");
  const counter = (instance as WebAssembly.Instance).exports[COUNTER_EXPORT] as WebAssembly.Global;
  const vm = qjs.newContext();
  try {
    vm.unwrapResult(vm.evalCode(`${bundle.outputFiles[0]!.text}\nglobalThis.run = (s) => JSON.stringify(RecoveryPlaysFunction.cartPaymentMethodsTransformRun(JSON.parse(s)));`)).dispose();
    const run = vm.getProp(vm.global, "run");
    const arg = vm.newString(JSON.stringify(fnInput));
    const before = counter.value as bigint;
    const result = vm.unwrapResult(vm.callFunction(run, vm.undefined, arg));
    const instructions = Number((counter.value as bigint) - before);
    const output = vm.getString(result);
    [result, arg, run].forEach((h) => h.dispose());
    return { instructions, output, engine: `QuickJS ${(releaseSync as { type?: string }).type ?? ""} wasm (quickjs-emscripten 0.32.0), instrumented`.replace("  ", " ") };
  } finally {
    vm.dispose();
  }
}

const wasmRun = await quickjsWasmRun(input);
if (wasmRun.output !== JSON.stringify(once.result)) throw new Error("QuickJS-wasm output differs from node's: the count is not of the same run");
// The dev store's five methods, for scale: the demo checkout's cart with the same Champion.
const typical: PaymentsFunctionInput = { ...input, paymentMethods: methods.filter((m) => /^(Credit card|Shop Pay|PayPal|Shop Pay Installments|Klarna)$/.test(m.name)) };
const typicalRun = await quickjsWasmRun(typical);
if (typicalRun.output !== JSON.stringify(decidePayments(typical).result)) throw new Error("QuickJS-wasm output differs from node's on the typical input");
process.stderr.write(`QuickJS-wasm: ${wasmRun.instructions} instructions on the largest input (${(wasmRun.instructions / 110_000).toFixed(1)} % of 11M), ${typicalRun.instructions} on ${typical.paymentMethods.length} methods\n`);
console.log(JSON.stringify({
  methods: methods.length,
  operations: once.result.operations.length,
  inputBytes: Buffer.byteLength(JSON.stringify(input)),
  inputLimitBytes: 64_000,
  jsMicrosPerRun: Number(micros.toFixed(2)),
  quickjsWasmInstructions: wasmRun.instructions,
  instructionLimit: 11_000_000,
  quickjsWasmShareOfLimit: Number((wasmRun.instructions / 11_000_000).toFixed(3)),
  quickjsWasmInstructionsTypical: typicalRun.instructions,
  typicalMethods: typical.paymentMethods.length,
  wasmNote: "counted on QuickJS compiled to wasm (the engine javy embeds), not on javy's build: javy/function-runner need github.com",
}));
