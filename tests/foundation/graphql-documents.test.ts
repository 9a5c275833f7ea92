// Every `#graphql` document in the app (and the extensions' server code) validates against the pinned
// Admin API 2026-07 schema, so what passes here is valid against Shopify.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isEnumType, parse, validate } from "graphql";
import { adminSchema } from "../../app/graphql/schema.server";
import { deprecatedUsages } from "../../devstore/admin/graphql";

const ROOTS = ["app"];
const SKIP = /node_modules|\.test\.|generated/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (SKIP.test(p)) return [];
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

/** Template literals that start with the #graphql tag comment; `${…}` interpolations are not allowed in them. */
export function graphqlDocuments(source: string): string[] {
  const docs: string[] = [];
  const re = /`\s*#graphql([\s\S]*?)`/g;
  for (let m = re.exec(source); m; m = re.exec(source)) docs.push(m[1]);
  return docs;
}

const documents = ROOTS.flatMap((r) => files(r)).flatMap((file) =>
  graphqlDocuments(readFileSync(file, "utf8")).map((doc, i) => ({ name: `${file}#${i + 1}`, doc })),
);

describe("Admin GraphQL documents", () => {
  it("GIVEN the extractor WHEN a bad field is used THEN validation fails (the check can fail)", () => {
    const [doc] = graphqlDocuments("const Q = `#graphql\n query { shop { notAField } }`;");
    expect(validate(adminSchema(), parse(doc))).not.toHaveLength(0);
  });

  it.each(documents.length ? documents : [{ name: "(none yet)", doc: "query { shop { id } }" }])(
    "GIVEN $name WHEN validated against Admin 2026-07 THEN it has no errors",
    ({ doc }) => {
      expect(doc.includes("${")).toBe(false);
      const errors = validate(adminSchema(), parse(doc)).map((e) => e.message);
      expect(errors).toEqual([]);
    },
  );

  // Deprecated fields still validate, then disappear in a later version; Shopify names each one in the
  // X-Shopify-API-Deprecated-Reason header (the dev store too), so no document may use one.
  it("GIVEN the deprecation check WHEN a document reads ShopPlan.displayName or a deprecated enum value THEN it is reported (the check can fail)", () => {
    expect(deprecatedUsages(parse("query { shop { plan { displayName publicDisplayName } } }"))).toEqual(["ShopPlan.displayName"]);
    const enumValue = deprecatedEnumValue();
    if (enumValue) expect(deprecatedUsages(parse(enumValue.doc))).toContain(enumValue.usage);
  });

  it.each(documents.length ? documents : [{ name: "(none yet)", doc: "query { shop { id } }" }])(
    "GIVEN $name WHEN checked against Admin 2026-07 THEN it uses no deprecated field or enum value",
    ({ doc }) => {
      expect(deprecatedUsages(parse(doc))).toEqual([]);
    },
  );
});

/** A query argument of a deprecated enum value in the pinned schema, to prove enum values are checked too. */
function deprecatedEnumValue(): { doc: string; usage: string } | null {
  const schema = adminSchema();
  const query = schema.getQueryType()!;
  for (const field of Object.values(query.getFields())) {
    for (const arg of field.args) {
      const named = arg.type.toString().replace(/[![\]]/g, "");
      const type = schema.getType(named);
      if (!isEnumType(type)) continue;
      const value = type.getValues().find((v) => v.deprecationReason != null);
      if (!value) continue;
      const required = field.args.filter((a) => a !== arg && a.type.toString().endsWith("!"));
      if (required.length) continue;
      const returns = schema.getType(field.type.toString().replace(/[![\]]/g, ""));
      const selection = returns && "getFields" in returns ? " { __typename }" : "";
      return { doc: `query { ${field.name}(${arg.name}: ${value.name})${selection} }`, usage: `${named}.${value.name}` };
    }
  }
  return null;
}
