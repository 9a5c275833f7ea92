import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, coerceInputValue, execute, parse, validate, type GraphQLInputType, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { BUNDLE_LINE_PROPERTY, bundleDiscountRun, type BundleFunctionInput, type BundleFunctionResult } from "./bundleFunction";

// The pinned Function schema (copied from ../shared/schemas) and the extension's own input query.
const schema: GraphQLSchema = buildClientSchema(
  (JSON.parse(gunzipSync(readFileSync(path.join(process.cwd(), "app/graphql/functions_discount_2026-07.json.gz"))).toString("utf8")) as { data: IntrospectionQuery }).data,
);
const QUERY = readFileSync(path.join(process.cwd(), "functions/recovery-plays-discount/src/cart_lines_discounts_generate_run.graphql"), "utf8");

interface Line {
  id: string;
  quantity: number;
  properties: Record<string, string>;
}

/** The Function input as Shopify builds it: the input query executed against the schema over a cart. */
function inputFor(lines: Line[], config: unknown, classes = ["PRODUCT"]): BundleFunctionInput {
  const cart = {
    lines: lines.map((l) => ({
      id: l.id,
      quantity: l.quantity,
      attribute: ({ key }: { key: string }) => (key in l.properties ? { key, value: l.properties[key] } : null),
    })),
  };
  const discount = {
    discountClasses: classes,
    metafield: ({ namespace, key }: { namespace: string; key: string }) =>
      namespace === "$app:recovery-plays" && key === "bundle" && config !== undefined ? { jsonValue: config, type: "json", value: JSON.stringify(config) } : null,
  };
  const result = execute({ schema, document: parse(QUERY), rootValue: { cart, discount } });
  if ("then" in result) throw new Error("synchronous execution expected");
  expect(result.errors ?? []).toEqual([]);
  return result.data as unknown as BundleFunctionInput;
}

/** Throws when the output is not a valid CartLinesDiscountsGenerateRunResult. */
function assertValidOutput(out: BundleFunctionResult) {
  const type = schema.getType("CartLinesDiscountsGenerateRunResult") as GraphQLInputType;
  const problems: string[] = [];
  coerceInputValue(out, type, (p, _v, e) => problems.push(`${p.join(".")}: ${e.message}`));
  expect(problems).toEqual([]);
}

const tagged = (id: string, quantity = 1): Line => ({ id, quantity, properties: { [BUNDLE_LINE_PROPERTY]: "p1" } });
const plain = (id: string, quantity = 1): Line => ({ id, quantity, properties: {} });
const targetIds = (out: BundleFunctionResult) => out.operations.flatMap((o) => o.productDiscountsAdd.candidates.flatMap((c) => c.targets.map((t) => t.cartLine.id)));

describe("bundle discount Function", () => {
  it("GIVEN the extension's input query WHEN validated against the pinned Function schema THEN it has no errors", () => {
    expect(validate(schema, parse(QUERY)).map((e) => e.message)).toEqual([]);
  });

  it("GIVEN two bundle lines and one other line WHEN the Function runs THEN only the bundle lines are targeted", () => {
    const out = bundleDiscountRun(inputFor([tagged("gid://shopify/CartLine/1"), plain("gid://shopify/CartLine/2", 3), tagged("gid://shopify/CartLine/3")], { percent: 10, capPercent: 20 }));
    assertValidOutput(out);
    expect(targetIds(out)).toEqual(["gid://shopify/CartLine/1", "gid://shopify/CartLine/3"]);
    expect(out.operations[0].productDiscountsAdd.candidates[0].value.percentage.value).toBe("10");
  });

  it("GIVEN a percentage above the merchant's cap WHEN the Function runs THEN the cap is applied", () => {
    const out = bundleDiscountRun(inputFor([tagged("a"), tagged("b")], { percent: 35, capPercent: 15 }));
    assertValidOutput(out);
    expect(out.operations[0].productDiscountsAdd.candidates[0].value.percentage.value).toBe("15");
  });

  it("GIVEN a two-item cart where only one line is a bundle line WHEN the Function runs THEN nothing is discounted", () => {
    const out = bundleDiscountRun(inputFor([tagged("a"), plain("b")], { percent: 10, capPercent: 20 }));
    assertValidOutput(out);
    expect(out.operations).toEqual([]);
  });

  it("GIVEN a cart with no tagged lines WHEN the Function runs THEN no operation is returned", () => {
    const out = bundleDiscountRun(inputFor([plain("a", 2), plain("b", 5)], { percent: 10, capPercent: 20 }));
    assertValidOutput(out);
    expect(out.operations).toEqual([]);
  });

  it("GIVEN a discount without the product class WHEN the Function runs THEN no operation is returned", () => {
    expect(bundleDiscountRun(inputFor([tagged("a"), tagged("b")], { percent: 10, capPercent: 20 }, ["ORDER"])).operations).toEqual([]);
  });

  it("GIVEN a missing or malformed config metafield WHEN the Function runs THEN no operation is returned", () => {
    expect(bundleDiscountRun(inputFor([tagged("a"), tagged("b")], undefined)).operations).toEqual([]);
    expect(bundleDiscountRun(inputFor([tagged("a"), tagged("b")], { percent: "10", capPercent: 20 })).operations).toEqual([]);
  });

  it("GIVEN an empty tag value WHEN the Function runs THEN that line is not a bundle line", () => {
    const out = bundleDiscountRun(inputFor([tagged("a"), { id: "b", quantity: 1, properties: { [BUNDLE_LINE_PROPERTY]: "" } }, tagged("c")], { percent: 5, capPercent: 20 }));
    expect(targetIds(out)).toEqual(["a", "c"]);
  });
});
