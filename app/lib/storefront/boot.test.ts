import { describe, expect, it } from "vitest";
import { applySignal, newSession, newVisitor } from "../signals";
import { collectionAnchor } from "./boot";

function viewed(counts: Record<string, number>) {
  const v = newVisitor("v", 0);
  const s = newSession(0);
  let t = 1;
  for (const [id, n] of Object.entries(counts)) for (let i = 0; i < n; i++) applySignal(s, v, { type: "page_view", ts: t++, kind: "product", productId: id });
  return s;
}

describe("Deal-Seeker's anchor on a collection page", () => {
  it("GIVEN two of the page's products viewed WHEN the anchor is chosen THEN it is the most viewed one, with its listed variant", () => {
    expect(collectionAnchor(viewed({ "1": 1, "2": 3, "9": 5 }), [[1, 11], [2, 21]])).toEqual(["2", "21"]);
  });
  it("GIVEN none of the page's products viewed WHEN the anchor is chosen THEN there is none", () => {
    expect(collectionAnchor(viewed({ "9": 5 }), [[1, 11], [2, 21]])).toBeNull();
  });
});
