import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { toPropensityFeatures } from "./features";
import { replaySessions, type StoredView } from "./replay";
import { applySignal, newVisitor, resumeSession, SESSION_TIMEOUT_MS } from "./session";
import { PAGE_KINDS, type PageKind, type PageStats, type SessionSignals } from "./types";

const T0 = Date.parse("2026-03-03T10:00:00Z"); // a Tuesday
const min = 60_000;
const view = (visitorId: string, pageType: string | null, at: number): StoredView => ({ visitorId, pageType, at });
const stats: PageStats = {
  product: { bounceRate: 0.2, exitRate: 0.3, pageValue: 12 },
  cart: { bounceRate: 0.1, exitRate: 0.5, pageValue: 40 },
  info: { bounceRate: 0.6, exitRate: 0.4, pageValue: 0 },
};

describe("replaySessions", () => {
  it("GIVEN page views with a 30-minute gap WHEN replayed THEN two sessions: the first new, the second returning", () => {
    const s = replaySessions([view("v", "product", T0), view("v", "product", T0 + 2 * min), view("v", "cart", T0 + 2 * min + SESSION_TIMEOUT_MS)]);
    expect(s.map((x) => [x.start, x.end, x.views, x.features.visitorType])).toEqual([
      [T0, T0 + 2 * min, 2, "new"],
      [T0 + 2 * min + SESSION_TIMEOUT_MS, T0 + 2 * min + SESSION_TIMEOUT_MS, 1, "returning"],
    ]);
    // One millisecond less is the same session.
    expect(replaySessions([view("v", "product", T0), view("v", "cart", T0 + SESSION_TIMEOUT_MS - 1)])).toHaveLength(1);
  });

  it("GIVEN views of several page kinds WHEN replayed THEN counts and dwell land in the dataset's categories; the last page's dwell is 0", () => {
    const [s] = replaySessions(
      [view("v", "product", T0), view("v", "info", T0 + 60_000), view("v", "account", T0 + 90_000), view("v", "cart", T0 + 100_000), view("v", "nonsense", T0 + 130_000)],
      [],
      stats,
    );
    expect(s.features).toMatchObject({
      productRelated: 2,
      productRelatedDuration: 60 + 30,
      informational: 1,
      informationalDuration: 30,
      administrative: 1,
      administrativeDuration: 10,
      month: 3,
      weekend: false,
      visitorType: "new",
    });
    // Averages over the pages with stats (product, info, cart).
    expect(s.features.pageValues).toBeCloseTo((12 + 0 + 40) / 3, 12);
    expect(s.features.exitRates).toBeCloseTo((0.3 + 0.4 + 0.5) / 3, 12);
  });

  it("GIVEN attributed orders WHEN replayed THEN a session is a purchase when an order falls from its start to 30 min after its end, each order once", () => {
    const views = [view("a", "product", T0), view("a", "cart", T0 + 5 * min), view("b", "product", T0), view("c", "product", T0), view("c", "product", T0 + 40 * min)];
    const orders = [
      { visitorId: "a", at: T0 + 5 * min + SESSION_TIMEOUT_MS }, // on the edge: counts
      { visitorId: "b", at: T0 + SESSION_TIMEOUT_MS + 1 }, // too late
      { visitorId: "c", at: T0 + 10 * min }, // the first of c's two sessions only
    ];
    const byVisitor = Object.fromEntries(replaySessions(views, orders).map((s) => [`${s.visitorId}@${s.start - T0}`, s.purchased]));
    expect(byVisitor).toEqual({ "a@0": true, "b@0": false, "c@0": true, [`c@${40 * min}`]: false });
  });

  it("GIVEN any page views WHEN replayed THEN each session's features equal the embed's own reducer run live over the same views", () => {
    const kinds = fc.constantFrom<PageKind>(...PAGE_KINDS);
    fc.assert(
      fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 1, max: 50 * min })), { minLength: 1, maxLength: 40 }), (steps) => {
        let t = T0;
        const views = steps.map(([k, gap]) => view("v", k, (t += gap)));
        // The embed: resume (or start) a session on every page view, then apply it.
        const visitor = newVisitor("v", views[0].at);
        let session: SessionSignals | null = null;
        const starts = new Set<number>();
        for (const v of views) {
          session = resumeSession(session, visitor, v.at);
          starts.add(session.start);
          applySignal(session, visitor, { type: "page_view", ts: v.at, kind: v.pageType as PageKind }, stats);
        }
        const live = toPropensityFeatures(session as SessionSignals, visitor, views[views.length - 1].at);
        const replayed = replaySessions(views, [], stats);
        expect(replayed.map((r) => r.start)).toEqual([...starts]);
        expect(replayed[replayed.length - 1].features).toEqual(live);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it("GIVEN the runtime in the shop's zone WHEN any page views are replayed in that zone THEN each session's features equal the embed's reducer run live there", () => {
    const zones = ["America/Los_Angeles", "Europe/Berlin", "Pacific/Kiritimati", "Asia/Kathmandu"];
    const kinds = fc.constantFrom<PageKind>(...PAGE_KINDS);
    const before = process.env.TZ;
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...zones),
          fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-01-01T00:00:00Z") }),
          fc.array(fc.tuple(kinds, fc.integer({ min: 1, max: 50 * min })), { minLength: 1, maxLength: 40 }),
          (zone, start, steps) => {
            process.env.TZ = zone; // Node re-reads it: Date's local getters (the embed's clock) run in `zone`
            let t = start;
            const views = steps.map(([k, gap]) => view("v", k, (t += gap)));
            const visitor = newVisitor("v", views[0].at);
            let session: SessionSignals | null = null;
            for (const v of views) {
              session = resumeSession(session, visitor, v.at);
              applySignal(session, visitor, { type: "page_view", ts: v.at, kind: v.pageType as PageKind }, stats);
            }
            const live = toPropensityFeatures(session as SessionSignals, visitor, views[views.length - 1].at);
            const replayed = replaySessions(views, [], stats, zone);
            expect(replayed[replayed.length - 1].features).toEqual(live);
          },
        ),
        { numRuns: 200, seed: 5 },
      );
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it("GIVEN a session on Sunday evening in Los Angeles (Monday in UTC) WHEN replayed in each zone THEN it is a weekend session in Los Angeles only", () => {
    const views = [view("v", "product", Date.parse("2026-03-09T02:50:00Z")), view("v", "cart", Date.parse("2026-03-09T03:00:00Z"))];
    const [la] = replaySessions(views, [], stats, "America/Los_Angeles");
    const [utc] = replaySessions(views, [], stats, "UTC");
    expect(la.features.weekend).toBe(true);
    expect(utc.features.weekend).toBe(false);
    expect({ ...la.features, weekend: false }).toEqual(utc.features);
  });

  it("GIVEN a session on the evening of 31 March in Los Angeles (1 April in UTC) WHEN replayed in each zone THEN its month is March there and April in UTC", () => {
    const views = [view("v", "product", Date.parse("2026-04-01T03:00:00Z"))];
    expect(replaySessions(views, [], stats, "America/Los_Angeles")[0].features.month).toBe(3);
    expect(replaySessions(views, [], stats, "UTC")[0].features.month).toBe(4);
  });

  it("GIVEN an unknown zone name WHEN replayed THEN the calendar features are UTC's", () => {
    const views = [view("v", "product", Date.parse("2026-04-01T03:00:00Z")), view("w", "cart", Date.parse("2026-03-09T03:00:00Z"))];
    expect(replaySessions(views, [], stats, "Nowhere/Atlantis")).toEqual(replaySessions(views, [], stats, "UTC"));
  });

  it("GIVEN views in any order and of several visitors WHEN replayed THEN each visitor's sessions are rebuilt in time order", () => {
    const views = [view("b", "product", T0 + 3 * min), view("a", "cart", T0 + min), view("b", "product", T0), view("a", "product", T0)];
    const s = replaySessions(views);
    expect(s.map((x) => [x.visitorId, x.start, x.views]).sort()).toEqual([
      ["a", T0, 2],
      ["b", T0, 2],
    ]);
    expect(replaySessions([])).toEqual([]);
  });
});
