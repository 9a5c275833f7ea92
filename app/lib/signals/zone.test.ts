import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { specialDay, toPropensityFeatures } from "./features";
import { applySignal, newSession, newVisitor } from "./session";
import { isTimeZone, wallClock, zonedPropensityFeatures, zonedSpecialDay } from "./zone";

const at = (iso: string) => Date.parse(iso);
const day = (iso: string, zone: string) => {
  const { year, month, date, weekday } = wallClock(at(iso), zone);
  return [year, month, date, weekday];
};
const SUN = 0, MON = 1, TUE = 2, THU = 4, FRI = 5, SAT = 6;

/** The calendar day in `zone` straight from a formatter (no memo; its own fields, weekday too), for comparison. */
const referenceFormats = new Map<string, Intl.DateTimeFormat>();
function reference(t: number, zone: string) {
  let f = referenceFormats.get(zone);
  if (!f) referenceFormats.set(zone, (f = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", weekday: "short" })));
  const parts = f.formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { year: Number(get("year")), month: Number(get("month")), date: Number(get("day")), weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday")) };
}

describe("wallClock", () => {
  it("GIVEN New York's spring-forward day (2026-03-08, EST → EDT at 07:00 UTC) WHEN local midnights are crossed THEN the date turns at 05:00 UTC before and 04:00 UTC after", () => {
    expect(day("2026-03-08T04:59:59.999Z", "America/New_York")).toEqual([2026, 3, 7, SAT]);
    expect(day("2026-03-08T05:00:00Z", "America/New_York")).toEqual([2026, 3, 8, SUN]);
    expect(day("2026-03-09T03:59:59.999Z", "America/New_York")).toEqual([2026, 3, 8, SUN]);
    expect(day("2026-03-09T04:00:00Z", "America/New_York")).toEqual([2026, 3, 9, MON]);
  });

  it("GIVEN New York's fall-back day (2026-11-01, repeated 1 a.m.) WHEN the next midnight is crossed THEN it is at 05:00 UTC (EST)", () => {
    expect(day("2026-11-01T05:30:00Z", "America/New_York")).toEqual([2026, 11, 1, SUN]); // 01:30 EDT
    expect(day("2026-11-01T06:30:00Z", "America/New_York")).toEqual([2026, 11, 1, SUN]); // 01:30 EST
    expect(day("2026-11-02T04:30:00Z", "America/New_York")).toEqual([2026, 11, 1, SUN]);
    expect(day("2026-11-02T05:00:00Z", "America/New_York")).toEqual([2026, 11, 2, MON]);
  });

  it("GIVEN Berlin's DST switches (2026-03-29, 2026-10-25) WHEN late evening UTC THEN the Berlin date is already the next day only while its offset covers it", () => {
    expect(day("2026-03-29T22:30:00Z", "Europe/Berlin")).toEqual([2026, 3, 30, MON]); // 00:30 CEST
    expect(day("2026-03-28T22:30:00Z", "Europe/Berlin")).toEqual([2026, 3, 28, SAT]); // 23:30 CET
    expect(day("2026-10-25T22:30:00Z", "Europe/Berlin")).toEqual([2026, 10, 25, SUN]); // 23:30 CET
    expect(day("2026-10-24T22:30:00Z", "Europe/Berlin")).toEqual([2026, 10, 25, SUN]); // 00:30 CEST
  });

  it("GIVEN one instant WHEN read on both sides of the date line THEN Kiritimati (UTC+14) is a day ahead of UTC and two ahead of Pago Pago (UTC−11)", () => {
    const t = "2026-03-06T10:30:00Z";
    expect(day(t, "UTC")).toEqual([2026, 3, 6, FRI]);
    expect(day(t, "Pacific/Kiritimati")).toEqual([2026, 3, 7, SAT]);
    expect(day(t, "Pacific/Pago_Pago")).toEqual([2026, 3, 5, THU]);
  });

  it("GIVEN 29 February of a leap year WHEN read in UTC, Kiritimati and Pago Pago THEN it is the date in each zone on its own instant", () => {
    expect(day("2028-02-29T12:00:00Z", "UTC")).toEqual([2028, 2, 29, TUE]);
    expect(day("2028-02-28T10:00:00Z", "Pacific/Kiritimati")).toEqual([2028, 2, 29, TUE]);
    expect(day("2028-03-01T10:00:00Z", "Pacific/Pago_Pago")).toEqual([2028, 2, 29, TUE]);
    expect(day("2028-03-01T10:00:00Z", "UTC")).toEqual([2028, 3, 1, 3]);
  });

  it("GIVEN an unknown or malformed zone WHEN read THEN it reads as UTC (never throws) and is not a zone to store", () => {
    const t = "2026-03-07T03:30:00Z"; // Saturday in UTC, Friday evening in Los Angeles
    for (const zone of ["Mars/Olympus_Mons", "", "not a zone", "+25:00", "x".repeat(300)]) {
      expect(day(t, zone), zone).toEqual(day(t, "UTC"));
      expect(isTimeZone(zone), zone).toBe(false);
    }
    expect(day(t, "America/Los_Angeles")).not.toEqual(day(t, "UTC"));
    expect(isTimeZone("America/Los_Angeles")).toBe(true);
    expect(isTimeZone(null)).toBe(false);
    expect(isTimeZone(42)).toBe(false);
  });

  it("GIVEN a non-finite instant WHEN read THEN every part is NaN (as Date's getters)", () => {
    expect(Object.values(wallClock(NaN, "UTC")).every(Number.isNaN)).toBe(true);
    expect(Object.values(wallClock(Infinity, "Europe/Berlin")).every(Number.isNaN)).toBe(true);
  });

  it("GIVEN instants around DST switches and midnights in zones with :30/:45 offsets WHEN read in any order THEN the memoised day equals a fresh formatter's", () => {
    const zones = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Australia/Adelaide", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Pacific/Kiritimati", "Asia/Kolkata", "UTC"];
    const from = at("2020-01-01T00:00:00Z");
    const to = at("2031-01-01T00:00:00Z");
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: from, max: to }),
        fc.array(fc.integer({ min: -90 * 60_000, max: 90 * 60_000 }), { minLength: 1, maxLength: 20 }),
        (zone, base, offsets) => {
          for (const o of offsets) expect(wallClock(base + o, zone)).toEqual(reference(base + o, zone));
        },
      ),
      { numRuns: 300, seed: 11 },
    );
    // Every quarter hour (where midnights and switches fall), to the millisecond on both sides, over the months of
    // 2026 in which these zones switch (March–April, September–November).
    const wrong: string[] = [];
    for (const zone of zones) {
      for (const [a, b] of [["2026-03-01", "2026-04-15"], ["2026-09-01", "2026-11-15"]]) {
        for (let t = at(`${a}T00:00:00Z`); t < at(`${b}T00:00:00Z`); t += 15 * 60_000) {
          for (const u of [t - 1, t]) {
            const got = wallClock(u, zone);
            const want = reference(u, zone);
            if (got.year !== want.year || got.month !== want.month || got.date !== want.date || got.weekday !== want.weekday) wrong.push(`${zone} ${u}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("zoned calendar features", () => {
  it("GIVEN the evening of 7 Feb in Los Angeles (8 Feb in UTC) WHEN SpecialDay is taken in each zone THEN 7 days before Valentine's in LA (0.8), 6 in UTC (1)", () => {
    const t = at("2026-02-08T06:00:00Z");
    expect(zonedSpecialDay(t, "America/Los_Angeles")).toBe(0.8);
    expect(zonedSpecialDay(t, "UTC")).toBe(1);
  });

  it("GIVEN every hour of two years WHEN SpecialDay is taken in the runtime's own zone THEN it equals the storefront's specialDay", () => {
    const runtime = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (let t = at("2026-01-01T00:00:00Z"); t < at("2028-01-01T00:00:00Z"); t += 3_600_000) {
      expect(zonedSpecialDay(t, runtime)).toBe(specialDay(t));
    }
  });

  it("GIVEN a session ending Sunday evening in Los Angeles (Monday in UTC) WHEN its features are taken THEN weekend in LA only; without a zone they are the storefront's", () => {
    const end = at("2026-03-09T03:00:00Z"); // Sun 8 Mar 20:00 PDT
    const v = newVisitor("v", end - 60_000);
    const s = newSession(end - 60_000);
    applySignal(s, v, { type: "page_view", ts: end - 60_000, kind: "product" });
    applySignal(s, v, { type: "page_view", ts: end, kind: "cart" });
    const la = zonedPropensityFeatures(s, v, end, "America/Los_Angeles");
    const utc = zonedPropensityFeatures(s, v, end, "UTC");
    expect([la.weekend, la.month]).toEqual([true, 3]);
    expect([utc.weekend, utc.month]).toEqual([false, 3]);
    expect({ ...la, weekend: utc.weekend }).toEqual(utc);
    expect(zonedPropensityFeatures(s, v, end)).toEqual(toPropensityFeatures(s, v, end));
  });
});
