import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Property tests replay the same cases every run: a CI failure reproduces locally, and a pass is not luck.
describe("property tests run on a pinned seed", () => {
  it("GIVEN the test setup WHEN a property test generates data THEN it is the same on every run", () => {
    expect(Number.isSafeInteger(fc.readConfigureGlobal().seed)).toBe(true);
    const draw = () => fc.sample(fc.integer(), { numRuns: 5 });
    expect(draw()).toEqual(draw());
  });
});
