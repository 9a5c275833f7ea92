import { describe, expect, it } from "vitest";
import {
  addSession,
  computePageStats,
  mergePageCounts,
  pageRates,
  sessionPageAggregates,
  type PageCounts,
  type SessionRecord,
} from "./pageStats";

const v = (pageType: string, path?: string) => ({ pageType, path });

// Hand-computed below (GA definitions):
//   home:     2 views, 2 unique, 2 entrances, 1 bounce, 1 exit, revenue 100 → bounce 1/2, exit 1/2, value 100/2
//   product:  4 views, 3 unique, 2 entrances, 0 bounces, 0 exits, revenue 150 → bounce 0, exit 0, value 150/3
//   cart:     2 views, 2 unique, 0 entrances, 1 exit, revenue 150 → bounce 0, exit 1/2, value 150/2
//   info:     1 view, 1 exit, no revenue → exit 1, value 0
//   thankyou: 1 view, 1 exit, viewed after the purchase so no revenue → exit 1, value 0
const sessions: SessionRecord[] = [
  { pages: [v("home"), v("product"), v("cart")], purchaseValue: 100 },
  { pages: [v("home")] },
  { pages: [v("product"), v("product"), v("info")] },
  { pages: [v("product"), v("cart"), v("thankyou")], purchaseValue: 50, purchaseAt: 2 },
];

describe("computePageStats", () => {
  it("GIVEN a hand-computed set of sessions WHEN aggregated by page type THEN rates follow the GA definitions", () => {
    const s = computePageStats(sessions);
    expect(s.home).toEqual({ bounceRate: 0.5, exitRate: 0.5, pageValue: 50 });
    expect(s.product).toEqual({ bounceRate: 0, exitRate: 0, pageValue: 50 });
    expect(s.cart).toEqual({ bounceRate: 0, exitRate: 0.5, pageValue: 75 });
    expect(s.info).toEqual({ bounceRate: 0, exitRate: 1, pageValue: 0 });
    expect(s.thankyou).toEqual({ bounceRate: 0, exitRate: 1, pageValue: 0 });
  });

  it("GIVEN sessions with paths WHEN aggregated by path THEN each path gets its own rates", () => {
    const s = computePageStats(
      [
        { pages: [v("product", "/products/a"), v("product", "/products/b")], purchaseValue: 30 },
        { pages: [v("product", "/products/a")] },
      ],
      "path",
    );
    expect(s["/products/a"]).toEqual({ bounceRate: 0.5, exitRate: 0.5, pageValue: 15 });
    expect(s["/products/b"]).toEqual({ bounceRate: 0, exitRate: 1, pageValue: 30 });
  });

  it("GIVEN sessions split in two batches WHEN their counts are merged THEN rates equal a single pass", () => {
    const a: Record<string, PageCounts> = {};
    const b: Record<string, PageCounts> = {};
    sessions.slice(0, 2).forEach((s) => addSession(a, s));
    sessions.slice(2).forEach((s) => addSession(b, s));
    expect(pageRates(mergePageCounts(a, b))).toEqual(computePageStats(sessions));
  });

  it("GIVEN a page path named __proto__ WHEN aggregated THEN it is an ordinary entry", () => {
    const s = computePageStats([{ pages: [v("x", "__proto__")] }], "path");
    expect(Object.keys(s)).toEqual(["__proto__"]);
    expect(s["__proto__"]).toEqual({ bounceRate: 1, exitRate: 1, pageValue: 0 });
  });
});

describe("sessionPageAggregates", () => {
  it("GIVEN a session's page views WHEN averaged THEN each view counts once and unknown pages are skipped", () => {
    const stats = computePageStats(sessions);
    const f = sessionPageAggregates(["home", "product", "product", "unknown"], stats);
    expect(f.bounceRates).toBeCloseTo(1 / 6, 12);
    expect(f.exitRates).toBeCloseTo(1 / 6, 12);
    expect(f.pageValues).toBeCloseTo(50, 12);
  });

  it("GIVEN no page with published stats WHEN averaged THEN all three features are zero", () => {
    expect(sessionPageAggregates(["toString", "nope"], {})).toEqual({ bounceRates: 0, exitRates: 0, pageValues: 0 });
  });
});
