import { describe, expect, it } from "vitest";
import { DAY_MS, lifecycleStage } from "./lifecycle";
import { applyContribution, contributionOf, emptyAggregate, type ProfileAggregate } from "./profile";

const t0 = Date.UTC(2025, 0, 1);

function order(at: number) {
  return contributionOf({ createdAt: at, total: 40, refunded: 0, cancelled: false });
}

function stageOf(a: ProfileAggregate | null, now: number, segment: "NEW" | "LOYAL" | "ACTIVE" = "ACTIVE") {
  return lifecycleStage(a && { ordersCount: a.ordersCount, lastOrderAt: a.lastOrderAt, segment }, now);
}

describe("lifecycleStage transitions", () => {
  it("GIVEN an unknown shopper WHEN staged THEN new_visitor", () => {
    expect(stageOf(null, t0)).toBe("new_visitor");
  });

  it("GIVEN a customer record without orders WHEN staged THEN returning_visitor", () => {
    expect(stageOf(emptyAggregate(), t0)).toBe("returning_visitor");
  });

  it("GIVEN one order WHEN staged THEN first_time_customer", () => {
    const a = applyContribution(emptyAggregate(), order(t0));
    expect(stageOf(a, t0 + DAY_MS)).toBe("first_time_customer");
  });

  it("GIVEN a second order WHEN staged THEN repeat_customer", () => {
    const a = applyContribution(applyContribution(emptyAggregate(), order(t0)), order(t0 + 10 * DAY_MS));
    expect(stageOf(a, t0 + 11 * DAY_MS)).toBe("repeat_customer");
  });

  it("GIVEN a fourth order WHEN staged THEN loyalist", () => {
    const a = emptyAggregate();
    for (let i = 0; i < 4; i++) applyContribution(a, order(t0 + i * 10 * DAY_MS));
    expect(stageOf(a, t0 + 31 * DAY_MS)).toBe("loyalist");
  });

  it("GIVEN two orders in the LOYAL segment WHEN staged THEN loyalist", () => {
    const a = applyContribution(applyContribution(emptyAggregate(), order(t0)), order(t0 + DAY_MS));
    expect(stageOf(a, t0 + 2 * DAY_MS, "LOYAL")).toBe("loyalist");
  });

  it("GIVEN a loyalist WHEN 89 days pass without an order THEN still loyalist", () => {
    const a = emptyAggregate();
    for (let i = 0; i < 4; i++) applyContribution(a, order(t0 + i * DAY_MS));
    expect(stageOf(a, (a.lastOrderAt as number) + 89 * DAY_MS)).toBe("loyalist");
  });

  it("GIVEN a loyalist WHEN 90 days pass without an order THEN lapsing_loyalist", () => {
    const a = emptyAggregate();
    for (let i = 0; i < 4; i++) applyContribution(a, order(t0 + i * DAY_MS));
    expect(stageOf(a, (a.lastOrderAt as number) + 90 * DAY_MS)).toBe("lapsing_loyalist");
  });

  it("GIVEN a loyalist WHEN a year passes without an order THEN lapsed", () => {
    const a = emptyAggregate();
    for (let i = 0; i < 4; i++) applyContribution(a, order(t0 + i * DAY_MS));
    expect(stageOf(a, (a.lastOrderAt as number) + 365 * DAY_MS)).toBe("lapsed");
  });

  it("GIVEN a one-time customer WHEN 180 days pass without an order THEN lapsed", () => {
    const a = applyContribution(emptyAggregate(), order(t0));
    expect(stageOf(a, t0 + 180 * DAY_MS)).toBe("lapsed");
  });

  it("GIVEN a lapsing loyalist WHEN they order again THEN loyalist again", () => {
    const a = emptyAggregate();
    for (let i = 0; i < 4; i++) applyContribution(a, order(t0 + i * DAY_MS));
    const later = (a.lastOrderAt as number) + 100 * DAY_MS;
    expect(stageOf(a, later)).toBe("lapsing_loyalist");
    applyContribution(a, order(later));
    expect(stageOf(a, later + DAY_MS)).toBe("loyalist");
  });
});
