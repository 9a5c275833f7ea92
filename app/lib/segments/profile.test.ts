import { describe, expect, it } from "vitest";
import {
  aovOf,
  applyContribution,
  contributionOf,
  deriveProfile,
  emptyAggregate,
  legacyId,
  netSpendOf,
  toCustomerContext,
} from "./profile";
import { computeShopScales } from "./rfm";

const t = Date.UTC(2025, 5, 1);

describe("net spend and AOV", () => {
  it("GIVEN two orders and a partial refund WHEN folded THEN net spend subtracts the refund and AOV divides by both orders", () => {
    const a = emptyAggregate();
    applyContribution(a, contributionOf({ createdAt: t, total: 100, refunded: 30, cancelled: false }));
    applyContribution(a, contributionOf({ createdAt: t + 1, total: 50, refunded: 0, cancelled: false }));
    expect(netSpendOf(a)).toBe(120);
    expect(aovOf(a)).toBe(60);
  });

  it("GIVEN a cancelled order WHEN folded THEN it counts neither as an order nor as spend", () => {
    const a = emptyAggregate();
    applyContribution(a, contributionOf({ createdAt: t, total: 80, refunded: 0, cancelled: false }));
    applyContribution(a, contributionOf({ createdAt: t + 1, total: 500, refunded: 0, cancelled: true }));
    expect(a.ordersCount).toBe(1);
    expect(aovOf(a)).toBe(80);
  });

  it("GIVEN a fully refunded only order WHEN folded THEN AOV is 0 and the order still counts", () => {
    const a = applyContribution(emptyAggregate(), contributionOf({ createdAt: t, total: 70, refunded: 70, cancelled: false }));
    expect(a.ordersCount).toBe(1);
    expect(aovOf(a)).toBe(0);
  });

  it("GIVEN no orders WHEN AOV is computed THEN 0, not NaN", () => {
    expect(aovOf(emptyAggregate())).toBe(0);
  });

  it("GIVEN a refund larger than the order WHEN folded THEN net spend never goes negative", () => {
    const a = applyContribution(emptyAggregate(), contributionOf({ createdAt: t, total: 20, refunded: 35, cancelled: false }));
    expect(netSpendOf(a)).toBe(0);
  });

  it("GIVEN an order added then removed WHEN deltas are applied THEN counts and spend return to the start", () => {
    const a = applyContribution(emptyAggregate(), contributionOf({ createdAt: t, total: 10, refunded: 0, cancelled: false }));
    const c = contributionOf({ createdAt: t + 5, total: 33.33, refunded: 3.33, cancelled: false });
    applyContribution(a, c);
    applyContribution(a, c, -1);
    expect([a.ordersCount, a.grossSpend, a.refunded]).toEqual([1, 10, 0]);
  });
});

describe("deriveProfile / toCustomerContext", () => {
  it("GIVEN a customer WHEN derived THEN it carries AOV, scores, segment and stage", () => {
    const a = applyContribution(emptyAggregate(), contributionOf({ createdAt: t, total: 90, refunded: 0, cancelled: false }));
    const scales = computeShopScales([{ ordersCount: 1, netSpend: 90, lastOrderAt: t }]);
    const d = deriveProfile(a, scales, t + 1000);
    expect(d).toMatchObject({ aov: 90, netSpend: 90, rScore: 3, stage: "first_time_customer" });
  });

  it("GIVEN a profile WHEN turned into a customer context THEN it exposes the recomputed stage and an ISO date", () => {
    const ctx = toCustomerContext({ ordersCount: 1, aov: 12, lastOrderAt: t, segment: "NEW" }, t + 200 * 86_400_000);
    expect(ctx).toEqual({ stage: "lapsed", segment: "NEW", ordersCount: 1, aov: 12, lastOrderAt: new Date(t).toISOString() });
  });
});

describe("legacyId", () => {
  it("GIVEN a GID, a number or a numeric string WHEN normalised THEN the numeric id", () => {
    expect(legacyId("gid://shopify/Customer/123")).toBe("123");
    expect(legacyId(456)).toBe("456");
    expect(legacyId(" 789 ")).toBe("789");
  });

  it("GIVEN anything else WHEN normalised THEN null", () => {
    expect(legacyId("abc")).toBeNull();
    expect(legacyId("gid://shopify/Customer/1; DROP TABLE")).toBeNull();
    expect(legacyId(null)).toBeNull();
  });
});
