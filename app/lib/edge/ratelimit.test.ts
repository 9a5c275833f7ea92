import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./ratelimit";

describe("rate limiter", () => {
  it("GIVEN a bucket of 2 WHEN three requests arrive at once THEN the third is refused", () => {
    const rl = createRateLimiter({ capacity: 2, refillPerSecond: 1, now: () => 0 });
    expect([rl.take("a"), rl.take("a"), rl.take("a")]).toEqual([true, true, false]);
  });

  it("GIVEN an empty bucket WHEN a second passes THEN one token is back", () => {
    let t = 0;
    const rl = createRateLimiter({ capacity: 1, refillPerSecond: 1, now: () => t });
    rl.take("a");
    expect(rl.take("a")).toBe(false);
    t = 1000;
    expect(rl.take("a")).toBe(true);
  });

  it("GIVEN two keys WHEN one is exhausted THEN the other is unaffected", () => {
    const rl = createRateLimiter({ capacity: 1, refillPerSecond: 0, now: () => 0 });
    rl.take("a");
    expect(rl.take("b")).toBe(true);
  });
});
