import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dialectSql, sqliteIso, sqlMember } from "./dialect";

describe("sqliteIso", () => {
  it("GIVEN any instant from 1970 to 9999 WHEN formatted THEN it equals the Date-based ISO text Prisma stores", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799999 }), (ms) => sqliteIso(ms) === new Date(ms).toISOString().replace("Z", "+00:00")),
      { numRuns: 5000, seed: 19 },
    );
  });
});

describe("dialectSql", () => {
  it("GIVEN a schema with a quote WHEN a table is named on PostgreSQL THEN the quote is doubled inside the identifier", () => {
    expect(dialectSql("postgres", 'a"b').t("Event")).toBe('"a""b"."Event"');
  });

  it("GIVEN SQLite WHEN a table is named THEN it is the bare quoted name", () => {
    expect(dialectSql("sqlite", "ignored").t("Event")).toBe('"Event"');
  });

  it("GIVEN PostgreSQL WHEN placeholders are rewritten THEN they are numbered in order", () => {
    expect(dialectSql("postgres").q("a = ? AND b = ?")).toBe("a = $1 AND b = $2");
  });
});

describe("sqlMember", () => {
  it("GIVEN a value outside the vocabulary WHEN quoted THEN it throws instead of reaching SQL", () => {
    expect(() => sqlMember("x'); DROP TABLE t; --", new Set(["A"]), "a group")).toThrow(/not a group/);
  });
});
