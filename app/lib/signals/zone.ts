/**
 * Calendar features in a named IANA time zone, for sessions the server rebuilds from stored events (replay.ts):
 * the server's own zone (UTC in production) is not the shopper's, so Month, Weekend and SpecialDay are taken in
 * the shop's zone instead. Pure (Intl only).
 *
 * Kept out of features.ts on purpose: the theme embed imports features.ts and computes these in the shopper's
 * runtime zone, and the Intl code here would only add bytes to its bundle.
 */
import type { PropensityFeatures } from "../propensity/features";
import { specialDay, toPropensityFeatures } from "./features";
import type { SessionSignals, VisitorState } from "./types";

/** The wall-clock calendar day of an instant in a zone. */
export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  /** Day of the month, 1–31. */
  date: number;
  /** 0 = Sunday … 6 = Saturday (as Date#getDay). */
  weekday: number;
}

const FALLBACK_ZONE = "UTC";
const OPTIONS = { year: "numeric", month: "numeric", day: "numeric", calendar: "gregory", numberingSystem: "latn" } as const;

// One formatter per zone name (building one costs far more than formatting with it); unknown names map to the UTC
// one so they are not retried on every call. Bounded: the names come from shop rows, not from a closed list.
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_CACHED = 512;

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat("en-US", { ...OPTIONS, timeZone: zone });
  } catch {
    f = formatterFor(FALLBACK_ZONE); // every implementation knows UTC (ECMA-402)
  }
  if (formatters.size >= MAX_CACHED) formatters.clear();
  formatters.set(zone, f);
  return f;
}

// Answers of isTimeZone per name: building a formatter to ask costs far more than the lookup, and measurement
// days ask once per exposure. Bounded like the formatters.
const knownZones = new Map<string, boolean>();

/** Whether `zone` is an IANA zone name this runtime knows (what may be stored as a shop's zone). */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64) return false;
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size >= MAX_CACHED) knownZones.clear();
    knownZones.set(zone, known);
  }
  return known;
}

const NO_DAY: Readonly<WallClock> = Object.freeze({ year: NaN, month: NaN, date: NaN, weekday: NaN });

function formatDay(f: Intl.DateTimeFormat, at: number): Readonly<WallClock> {
  let year = NaN;
  let month = NaN;
  let date = NaN;
  for (const p of f.formatToParts(at)) {
    if (p.type === "year") year = Number(p.value);
    else if (p.type === "month") month = Number(p.value);
    else if (p.type === "day") date = Number(p.value);
  }
  // Proleptic Gregorian weekday of that date: no second formatter field to parse.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, date);
  return Object.freeze({ year, month, date, weekday: d.getUTCDay() });
}

// Formatting costs ≈ 3–5 µs and a replay asks once per session: days are memoised per zone and UTC hour. An hour
// with local midnight inside it (zones offset by :30 or :45 hours) stores where the date turns, found once by
// bisection. This relies on the local date changing at most once within an hour, forwards — i.e. no clock set back
// across midnight other than at midnight itself (none in the time zone database's current rules).
const BUCKET_MS = 3_600_000;
const MAX_BUCKETS = 20_000;
interface HourMemo {
  /** First instant of the hour on `after`'s date (−∞ when the whole hour is on one date). */
  from: number;
  before: Readonly<WallClock>;
  after: Readonly<WallClock>;
}
const hours = new WeakMap<Intl.DateTimeFormat, Map<number, HourMemo>>();
const sameDate = (a: WallClock, b: WallClock) => a.year === b.year && a.month === b.month && a.date === b.date;

function memoHour(f: Intl.DateTimeFormat, start: number): HourMemo {
  const before = formatDay(f, start);
  const after = formatDay(f, start + BUCKET_MS - 1);
  if (sameDate(before, after)) return { from: -Infinity, before, after };
  let lo = start; // on `before`'s date
  let hi = start + BUCKET_MS - 1; // on `after`'s date
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (sameDate(formatDay(f, mid), after)) hi = mid;
    else lo = mid;
  }
  return { from: hi, before, after };
}

/**
 * The calendar day of instant `at` (ms) on a wall clock in `zone`; an unknown or invalid zone reads as UTC.
 * A non-finite or out-of-range instant gives NaN parts (as Date's getters do).
 */
export function wallClock(at: number, zone: string): Readonly<WallClock> {
  if (!Number.isFinite(at) || Math.abs(at) > 8.64e15 - BUCKET_MS) return NO_DAY;
  const f = formatterFor(zone);
  let memo = hours.get(f);
  if (!memo) hours.set(f, (memo = new Map()));
  const bucket = Math.floor(at / BUCKET_MS);
  let hour = memo.get(bucket);
  if (!hour) {
    if (memo.size >= MAX_BUCKETS) memo.clear();
    memo.set(bucket, (hour = memoHour(f, bucket * BUCKET_MS)));
  }
  return at >= hour.from ? hour.after : hour.before;
}

// specialDay (features.ts) reads the runtime's local date, and local noon of a date is on that date in every runtime
// zone: the holiday rules stay in one place (and the storefront's copy of them unchanged).
// Days are shared memo objects, so their SpecialDay is worked out once per day object.
const specialDays = new WeakMap<Readonly<WallClock>, number>();
function specialDayOn(day: Readonly<WallClock>): number {
  let v = specialDays.get(day);
  if (v !== undefined) return v;
  if (!Number.isFinite(day.year)) v = specialDay(NaN);
  else {
    const noon = new Date(2000, 0, 1, 12);
    noon.setFullYear(day.year, day.month - 1, day.date);
    v = specialDay(noon.getTime());
  }
  specialDays.set(day, v);
  return v;
}

/** SpecialDay (closeness to Valentine's / Mother's Day) of the calendar day `at` falls on in `zone`. */
export function zonedSpecialDay(at: number, zone: string): number {
  return specialDayOn(wallClock(at, zone));
}

/**
 * toPropensityFeatures with Month, Weekend and SpecialDay taken in `zone` (an invalid zone reads as UTC). Without
 * a zone it is toPropensityFeatures itself: the runtime's local time, as the storefront computes them.
 */
export function zonedPropensityFeatures(s: SessionSignals, v: VisitorState, now: number, zone?: string): PropensityFeatures {
  const f = toPropensityFeatures(s, v, now);
  if (zone === undefined) return f;
  const day = wallClock(now, zone);
  f.month = day.month;
  f.weekend = day.weekday === 0 || day.weekday === 6;
  f.specialDay = specialDayOn(day);
  return f;
}
