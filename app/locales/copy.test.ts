import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The admin describes what shoppers see. The storefront and checkout name no instalment or pay-later method
// (the shop may offer none), so the admin copy and its preview must not promise one either.
const PROMISE = /\binstall?ments?\b|pay[- ]?in[- ]?(4|four)|pay later|interest[- ]free|bnpl/i;

function strings(node: unknown, path = ""): Array<[string, string]> {
  if (typeof node === "string") return [[path, node]];
  if (node && typeof node === "object") return Object.entries(node).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

describe("admin copy", () => {
  it("GIVEN the admin's English strings WHEN read THEN none promises instalments or pay-later", () => {
    const en = JSON.parse(readFileSync(new URL("./en.json", import.meta.url), "utf8"));
    const promising = strings(en).filter(([, s]) => PROMISE.test(s));
    expect(promising).toEqual([]);
  });
});
