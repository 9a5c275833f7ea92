import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { targetResultType, validateExtension } from "./validate-extensions";

const FUNCTIONS = path.join(process.cwd(), "functions");
const copies: string[] = [];
afterEach(() => {
  for (const d of copies.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of a Function extension with its toml (or another file) rewritten by `edit`. */
function brokenCopy(handle: string, edit: (toml: string) => string, file = "shopify.extension.toml"): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "rp-fn-")), handle);
  copies.push(path.dirname(dir));
  cpSync(path.join(FUNCTIONS, handle), dir, { recursive: true });
  const f = path.join(dir, file);
  writeFileSync(f, edit(readFileSync(f, "utf8")));
  return dir;
}

describe("validate:extensions on the Function extensions", () => {
  it.each(["recovery-plays-payments", "recovery-plays-discount"])("GIVEN the %s Function WHEN validated THEN the CLI's checks and the input query pass, the wasm check is reported skipped", async (handle) => {
    const r = await validateExtension(path.join(FUNCTIONS, handle));
    expect({ type: r.type, cli: r.cli, rules: r.rules }).toEqual({ type: "function", cli: null, rules: null });
    expect(r.skipped).toMatch(/wasm check skipped/);
  });

  it("GIVEN a toml without the extension's name WHEN validated THEN the CLI's configuration schema refuses it", async () => {
    const r = await validateExtension(brokenCopy("recovery-plays-payments", (t) => t.replace(/^name = .*$/m, "")));
    expect(r.cli).toMatch(/name/);
  });

  it("GIVEN a target whose input query file is missing WHEN validated THEN the CLI's deploy payload step refuses it", async () => {
    const r = await validateExtension(brokenCopy("recovery-plays-payments", (t) => t.replace('input_query = "src/run.graphql"', 'input_query = "src/missing.graphql"')));
    expect(r.cli).toMatch(/No input query file/);
  });

  it("GIVEN a target no pinned Function API defines WHEN validated THEN it fails", async () => {
    const r = await validateExtension(brokenCopy("recovery-plays-payments", (t) => t.replace("cart.payment-methods.transform.run", "cart.payment-methods.reorder.run")));
    expect(r.rules).toMatch(/CartPaymentMethodsReorderRunResult/);
  });

  it("GIVEN an input query selecting a field the pinned schema lacks WHEN validated THEN it fails", async () => {
    const r = await validateExtension(brokenCopy("recovery-plays-payments", (q) => q.replace("paymentMethods {", "paymentMethods {\n    fee"), "src/run.graphql"));
    expect(r.rules).toMatch(/fee/);
  });

  it("GIVEN a target name WHEN its result type is derived THEN dots and dashes become PascalCase", () => {
    expect(targetResultType("cart.payment-methods.transform.run")).toBe("CartPaymentMethodsTransformRunResult");
  });
});
