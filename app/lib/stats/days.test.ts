import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addDays, dayIn, dayStart, offsetIntervals, utcOffsetSeconds } from "./days";

const at = (iso: string) => Date.parse(iso);
export const DST_ZONES = ["America/Los_Angeles", "Europe/Berlin", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Kiritimati"] as const;

/** The local date straight from a fresh formatter (no memo), for comparison. */
function referenceDay(t: number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The day an offset interval list gives an instant: the SQLite mapping, done in JS. */
function dayByOffsets(t: number, zone: string, from: number, to: number): string {
  const iv = offsetIntervals(zone, from, to).find((i) => t < i.until)!;
  return new Date(Math.floor(t / 1000) * 1000 + iv.offsetSeconds * 1000).toISOString().slice(0, 10);
}

describe("dayIn", () => {
  it("GIVEN no zone WHEN an instant is mapped THEN it is its UTC day", () => {
    expect(dayIn(new Date("2026-03-02T05:00:00Z"), null)).toBe("2026-03-02");
    expect(dayIn(at("2026-03-01T23:59:59.999Z"), null)).toBe("2026-03-01");
  });

  it("GIVEN an unknown zone name WHEN an instant is mapped THEN it reads as UTC", () => {
    expect(dayIn(at("2026-03-02T05:00:00Z"), "Mars/Olympus_Mons")).toBe("2026-03-02");
  });

  it("GIVEN Los Angeles WHEN 2026-03-02T05:00Z is mapped THEN it is still March 1st there", () => {
    expect(dayIn(at("2026-03-02T05:00:00Z"), "America/Los_Angeles")).toBe("2026-03-01");
    expect(dayIn(at("2026-03-02T08:00:00Z"), "America/Los_Angeles")).toBe("2026-03-02");
  });

  it("GIVEN random instants around DST switches WHEN mapped in a zone THEN the day equals a fresh formatter's", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DST_ZONES), fc.integer({ min: at("2024-01-01T00:00:00Z"), max: at("2027-12-31T00:00:00Z") }), (zone, t) => {
        expect(dayIn(t, zone)).toBe(referenceDay(t, zone));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("dayStart", () => {
  it("GIVEN no zone WHEN a day starts THEN it is UTC midnight", () => {
    expect(dayStart("2026-03-01", null)).toBe(at("2026-03-01T00:00:00Z"));
  });

  it("GIVEN Los Angeles in winter WHEN March 1st starts THEN it is 08:00 UTC", () => {
    expect(dayStart("2026-03-01", "America/Los_Angeles")).toBe(at("2026-03-01T08:00:00Z"));
  });

  it("GIVEN random days and DST zones WHEN a day starts THEN the instant before is the previous day and the instant itself is that day", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DST_ZONES), fc.integer({ min: 0, max: 4 * 366 }), (zone, n) => {
        const day = addDays("2024-01-01", n);
        const start = dayStart(day, zone);
        expect(dayIn(start, zone)).toBe(day);
        expect(dayIn(start - 1, zone)).toBe(addDays(day, -1));
      }),
      { numRuns: 500 },
    );
  });
});

describe("offsetIntervals", () => {
  it("GIVEN Berlin over 2026 WHEN intervals are listed THEN the offset switches at the two EU transition instants", () => {
    expect(offsetIntervals("Europe/Berlin", at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z"))).toEqual([
      { until: at("2026-03-29T01:00:00Z"), offsetSeconds: 3600 },
      { until: at("2026-10-25T01:00:00Z"), offsetSeconds: 7200 },
      { until: Infinity, offsetSeconds: 3600 },
    ]);
  });

  it("GIVEN Lord Howe (30-minute DST) WHEN an offset is read THEN it is +10:30 in winter and +11:00 in summer", () => {
    expect(utcOffsetSeconds(at("2026-07-01T00:00:00Z"), "Australia/Lord_Howe")).toBe(37800);
    expect(utcOffsetSeconds(at("2026-01-01T00:00:00Z"), "Australia/Lord_Howe")).toBe(39600);
  });

  it("GIVEN no zone WHEN intervals are listed THEN one interval at offset 0", () => {
    expect(offsetIntervals(null, 0, 1e12)).toEqual([{ until: Infinity, offsetSeconds: 0 }]);
  });

  it("GIVEN random instants within a range WHEN days are made from the offset intervals THEN they equal dayIn", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DST_ZONES),
        fc.integer({ min: at("2024-01-01T00:00:00Z"), max: at("2027-12-31T00:00:00Z") }),
        fc.integer({ min: 0, max: 400 * 86_400_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (zone, from, span, f) => {
          const t = from + Math.floor(span * f);
          expect(dayByOffsets(t, zone, from, from + span)).toBe(dayIn(t, zone));
        },
      ),
      { numRuns: 300 },
    );
  });
});
