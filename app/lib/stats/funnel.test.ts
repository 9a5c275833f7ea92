import { describe, expect, it } from "vitest";
import { bounceBand, foldVisits, funnelSteps, leaksCsv, rankLeaks, storeRates, sumAggregates, type VisitEvent } from "./funnel";

const T = Date.UTC(2026, 0, 1, 10);
const view = (pageType: string, path: string, s: number): VisitEvent => ({ type: "page_view", pageType, path, at: T + s * 1000 });
const ev = (type: string, s: number): VisitEvent => ({ type, at: T + s * 1000 });

// Four hand-made visits:
//  A: home → product /p/a → add → cart (stays 60 s) → checkout → ordered.
//  B: product /p/a → add → 3 policy views → exits on /policies/refund, no order (abandoned cart, policy signal).
//  C: home only (bounce).
//  D: product /p/b three times, never adds (repeat views), exits on /p/b.
const A = { events: [view("home", "/", 0), view("product", "/p/a", 10), ev("add_to_cart", 20), view("cart", "/cart", 30), ev("checkout_started", 90)], ordered: true };
const B = { events: [view("product", "/p/a", 0), ev("add_to_cart", 5), view("info", "/policies/refund", 10), view("info", "/policies/shipping", 20), view("info", "/policies/refund", 30)], ordered: false };
const C = { events: [view("home", "/", 0)], ordered: false };
const D = { events: [view("product", "/p/b", 0), view("product", "/p/b", 10), view("product", "/p/b", 20)], ordered: false };

describe("foldVisits", () => {
  it("GIVEN four hand-made visits WHEN folded THEN each funnel step counts the visits that reached it", () => {
    const { funnel } = foldVisits([A, B, C, D]);
    expect(funnel).toEqual({ visits: 4, productViews: 3, adds: 2, carts: 1, checkouts: 1, orders: 1, bounces: 1, abandonedCarts: 1 });
  });

  it("GIVEN four hand-made visits WHEN folded THEN exits are counted on each visit's last page with its views", () => {
    const pages = Object.fromEntries(foldVisits([A, B, C, D]).pages.map((p) => [p.path, p]));
    // "/" viewed by A and C, C ends there; A ends on /cart; B on /policies/refund (viewed twice); D on /p/b (3 views).
    expect(pages["/"]).toMatchObject({ views: 2, exits: 1 });
    expect(pages["/cart"]).toMatchObject({ views: 1, exits: 1, stall: 1 });
    expect(pages["/policies/refund"]).toMatchObject({ views: 2, exits: 1, policy: 1 });
    expect(pages["/p/b"]).toMatchObject({ views: 3, exits: 1, repeat: 1 });
    expect(pages["/p/a"]).toMatchObject({ views: 2, exits: 0 });
  });

  it("GIVEN four hand-made visits WHEN folded THEN a product's carts and abandoned carts carry the abandoning visits' signals", () => {
    const products = Object.fromEntries(foldVisits([A, B, C, D]).products.map((p) => [p.path, p]));
    expect(products["/p/a"]).toEqual({ path: "/p/a", viewVisits: 2, carts: 2, abandoned: 1, policy: 1, stall: 0, cycles: 0, repeat: 0 });
    expect(products["/p/b"]).toEqual({ path: "/p/b", viewVisits: 1, carts: 0, abandoned: 0, policy: 0, stall: 0, cycles: 0, repeat: 1 });
  });

  it("GIVEN an add on product A and a later view of product B WHEN folded THEN only A counts the cart", () => {
    const v = { events: [view("product", "/p/a", 0), ev("add_to_cart", 5), view("product", "/p/b", 10)], ordered: false };
    const products = Object.fromEntries(foldVisits([v]).products.map((p) => [p.path, p]));
    expect(products["/p/a"]).toMatchObject({ viewVisits: 1, carts: 1, abandoned: 1 });
    expect(products["/p/b"]).toMatchObject({ viewVisits: 1, carts: 0, abandoned: 0 });
  });

  it("GIVEN a visit with cart events but no page view WHEN folded THEN it is not a visit", () => {
    expect(foldVisits([{ events: [ev("add_to_cart", 0)], ordered: false }]).funnel.visits).toBe(0);
  });

  it("GIVEN three removals in a visit WHEN folded THEN the add/remove cycle signal is set on its exit page", () => {
    const v = { events: [view("cart", "/cart", 0), ev("add_to_cart", 1), ev("remove_from_cart", 2), ev("remove_from_cart", 3), ev("remove_from_cart", 4)], ordered: false };
    expect(foldVisits([v]).pages[0]).toMatchObject({ path: "/cart", cycles: 1, stall: 0 });
  });
});

describe("sumAggregates and rates", () => {
  it("GIVEN two days WHEN summed THEN counts of the same path add up", () => {
    const day = foldVisits([A, B, C, D]);
    const two = sumAggregates([day, day]);
    expect(two.funnel.visits).toBe(8);
    expect(two.pages.find((p) => p.path === "/")).toMatchObject({ views: 4, exits: 2 });
    expect(two.products.find((p) => p.path === "/p/a")).toMatchObject({ carts: 4, abandoned: 2, policy: 2 });
  });

  it("GIVEN the hand funnel WHEN steps are derived THEN each shows its share of the previous step and of visits", () => {
    const steps = funnelSteps(foldVisits([A, B, C, D]).funnel);
    expect(steps.map((s) => s.count)).toEqual([4, 3, 2, 1, 1, 1]);
    expect(steps[1].fromPrevious).toBeCloseTo(3 / 4, 10);
    expect(steps[2].fromPrevious).toBeCloseTo(2 / 3, 10);
    expect(steps[5].fromStart).toBeCloseTo(1 / 4, 10);
  });

  it("GIVEN the hand funnel WHEN store rates are derived THEN abandonment is 1 of 2 carts and bounce 1 of 4 visits", () => {
    const r = storeRates(foldVisits([A, B, C, D]).funnel);
    expect(r.cartAbandonment?.estimate).toBeCloseTo(0.5, 10);
    expect(r.bounce?.estimate).toBeCloseTo(0.25, 10);
  });

  it("GIVEN bounce rates around the brief's bands WHEN classified THEN 40 % is excellent and 61 % a warning", () => {
    expect(bounceBand(0.4)).toBe("excellent");
    expect(bounceBand(0.5)).toBe("typical");
    expect(bounceBand(0.61)).toBe("warning");
    expect(bounceBand(0.2)).toBe("below");
  });
});

describe("rankLeaks", () => {
  it("GIVEN a product losing more carts than any page loses exits WHEN ranked THEN it comes first with its signal's play", () => {
    // 30 visits like B (abandoned /p/a after 3 policy views) and 10 like A; 20 like C (bounce on "/").
    const agg = foldVisits([...Array(30).fill(B), ...Array(10).fill(A), ...Array(20).fill(C)]);
    const leaks = rankLeaks(agg, { minSample: 5 });
    expect(leaks[0]).toMatchObject({ kind: "product", path: "/p/a", count: 30, sample: 40, play: "confidence" });
    expect(leaks[0].rate.estimate).toBeCloseTo(0.75, 10);
    expect(leaks[0].signal).toMatchObject({ key: "policy", count: 30 });
  });

  it("GIVEN a leak below the minimum sample WHEN ranked THEN it is left out", () => {
    // Two carts on /p/a and at most 4 views of any page: below a minimum sample of 5.
    expect(rankLeaks(foldVisits([B, B]), { minSample: 5 })).toEqual([]);
  });

  it("GIVEN a leak path starting with = WHEN exported as CSV THEN the cell is defused and quoted where needed", () => {
    const agg = foldVisits(Array(5).fill({ events: [view("page", "=cmd,1", 0)], ordered: false }));
    const csv = leaksCsv(rankLeaks(agg, { minSample: 1 }), ["kind", "path", "lost", "of", "rate", "low", "high", "signal", "play"], () => ["", ""]);
    expect(csv.split("\r\n")[1].startsWith(`page,"'=cmd,1",5,5,1.0000,`)).toBe(true);
  });
});
