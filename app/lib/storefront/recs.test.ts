// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { configWith } from "../../../tests/helpers/decisionFixtures";
import { recsWanted } from "./popular";

describe("recommendations wanted", () => {
  it("GIVEN the merchant set 0 alternatives WHEN the indecision play shows THEN no alternatives are fetched", () => {
    const cfg = configWith(["indecision"]);
    cfg.plays.indecision!.alternativesCount = 0;
    expect(recsWanted({ kind: "alternatives" }, cfg)).toBe(0);
  });
  it("GIVEN the merchant set 6 alternatives WHEN the indecision play shows THEN six are asked for", () => {
    const cfg = configWith(["indecision"]);
    cfg.plays.indecision!.alternativesCount = 6;
    expect(recsWanted({ kind: "alternatives" }, cfg)).toBe(6);
  });
});
