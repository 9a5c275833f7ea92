import { describe, expect, it } from "vitest";
import { mulberry32 } from "./random";

describe("mulberry32", () => {
  it("GIVEN one seed WHEN two generators run THEN they give the same sequence", () => {
    const a = mulberry32(2026);
    const b = mulberry32(2026);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
  });

  it("GIVEN two seeds WHEN run THEN the sequences differ", () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    expect(Array.from({ length: 10 }, () => a())).not.toEqual(Array.from({ length: 10 }, () => b()));
  });

  it("GIVEN many draws WHEN checked THEN every value lies in [0, 1) and the mean is near 1/2", () => {
    const r = mulberry32(7);
    const xs = Array.from({ length: 20_000 }, () => r());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);
  });

  it("GIVEN seeds -1 and 2^32-1 WHEN used THEN they give one sequence (seeds are taken as 32-bit)", () => {
    const a = mulberry32(-1);
    const b = mulberry32(0xffffffff);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
