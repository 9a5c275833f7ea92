// Every `#graphql` document in the app (and the extensions' server code) validates against the pinned
// Admin API 2026-07 schema, so what passes here is valid against Shopify.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, validate } from "graphql";
import { adminSchema } from "../../app/graphql/schema.server";

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
});
