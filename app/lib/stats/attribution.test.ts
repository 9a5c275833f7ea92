import { describe, expect, it } from "vitest";
import { formatPlaysAttribute, parsePlaysAttribute } from "./attribution";

describe("plays cart attribute", () => {
  it("GIVEN entries WHEN formatted and parsed back THEN they round-trip", () => {
    const entries = [
      { play: "vip", arm: "treatment", status: "shown" },
      { play: "confidence", arm: "holdout", status: "eligible" },
    ] as const;
    expect(parsePlaysAttribute(formatPlaysAttribute(entries))).toEqual(entries);
  });

  it("GIVEN the same play twice WHEN formatted THEN one entry remains and 'shown' wins", () => {
    expect(formatPlaysAttribute([
      { play: "vip", arm: "treatment", status: "eligible" },
      { play: "vip", arm: "treatment", status: "shown" },
    ])).toBe("vip:treatment:shown");
  });

  it("GIVEN tampered entries WHEN parsed THEN unknown plays, arms and statuses are dropped", () => {
    expect(parsePlaysAttribute("vip:treatment:shown,evil:treatment:shown,vip2:x:y,indecision:control:shown,deal_seeker:holdout:clicked, confidence:holdout:eligible"))
      .toEqual([
        { play: "vip", arm: "treatment", status: "shown" },
        { play: "confidence", arm: "holdout", status: "eligible" },
      ]);
  });

  it("GIVEN no attribute WHEN parsed THEN there are no plays", () => {
    expect(parsePlaysAttribute(undefined)).toEqual([]);
    expect(parsePlaysAttribute("")).toEqual([]);
  });
});
