/**
 * Measurement days in a shop's time zone: the calendar day an instant falls on, where a day starts, and the zone's
 * UTC offsets over a time range (what SQLite, which knows no IANA zones, needs to map timestamps to the same days
 * in SQL). Pure (Intl only). A null, unknown or invalid zone reads as UTC, exactly as `toISOString().slice(0, 10)`.
 */
import { isTimeZone, wallClock } from "../signals/zone";

const DAY_MS = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The calendar day (YYYY-MM-DD) of instant `at` on a wall clock in `zone` (null or invalid: UTC). */
export function dayIn(at: Date | number, zone: string | null): string {
  const t = typeof at === "number" ? at : at.getTime();
  if (zone === null || !isTimeZone(zone)) return new Date(t).toISOString().slice(0, 10);
  const d = wallClock(t, zone);
  if (!Number.isFinite(d.year)) throw new RangeError("invalid date");
  return `${d.year < 0 ? "-" + pad(-d.year, 6) : d.year > 9999 ? "+" + pad(d.year, 6) : pad(d.year, 4)}-${pad(d.month)}-${pad(d.date)}`;
}

/** `day` (YYYY-MM-DD) plus `n` calendar days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The first instant (ms) whose day in `zone` is `day` or later: local midnight, or the first instant after it when
 * the clock skips midnight. `dayIn(t, zone) < day` exactly for `t < dayStart(day, zone)`.
 */
export function dayStart(day: string, zone: string | null): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(utcMidnight)) throw new RangeError(`invalid day ${day}`);
  if (zone === null || !isTimeZone(zone)) return utcMidnight;
  // UTC offsets lie within ±14 h (+ historical seconds): the boundary is within ±27 h of UTC midnight.
  let lo = utcMidnight - 27 * 3_600_000; // before `day`
  let hi = utcMidnight + 27 * 3_600_000; // on or after `day`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayIn(mid, zone) >= day) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A stretch of constant UTC offset: instants before `until` (ms, exclusive; Infinity for the last) and after the previous one. */
export interface OffsetInterval {
  until: number;
  /** Local wall time − UTC, in seconds. */
  offsetSeconds: number;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
function offsetFormatter(zone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, calendar: "gregory", numberingSystem: "latn", hourCycle: "h23",
      year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", era: "short",
    });
    if (offsetFormatters.size >= 512) offsetFormatters.clear();
    offsetFormatters.set(zone, f);
  }
  return f;
}

/** Local wall time − UTC at instant `at`, in whole seconds (zone must be valid). */
export function utcOffsetSeconds(at: number, zone: string): number {
  const parts: Record<string, string> = {};
  for (const p of offsetFormatter(zone).formatToParts(at)) parts[p.type] = p.value;
  const year = parts.era === "BC" || parts.era === "B" ? 1 - Number(parts.year) : Number(parts.year);
  const local = new Date(0);
  local.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  local.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return Math.round((local.getTime() - Math.floor(at / 1000) * 1000) / 1000);
}

// Offsets are sampled this far apart; a change between two samples is located by bisection. Assumes no zone changes
// its offset and back within 6 hours (none in the time zone database).
const SCAN_MS = 6 * 3_600_000;

/**
 * The zone's offsets over [from, to] (ms), oldest first; the first interval also covers everything before `from`
 * and the last everything after `to`. A null or invalid zone: one interval at offset 0.
 */
export function offsetIntervals(zone: string | null, from: number, to: number): OffsetInterval[] {
  if (zone === null || !isTimeZone(zone) || !Number.isFinite(from) || !Number.isFinite(to)) return [{ until: Infinity, offsetSeconds: 0 }];
  const out: OffsetInterval[] = [];
  let t = Math.min(from, to);
  const end = Math.max(from, to);
  let cur = utcOffsetSeconds(t, zone);
  while (t < end) {
    const next = Math.min(t + SCAN_MS, end);
    if (utcOffsetSeconds(next, zone) === cur) {
      t = next;
      continue;
    }
    let lo = t; // offset `cur`
    let hi = next; // another offset
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (utcOffsetSeconds(mid, zone) === cur) lo = mid;
      else hi = mid;
    }
    out.push({ until: hi, offsetSeconds: cur });
    cur = utcOffsetSeconds(hi, zone);
    t = hi;
  }
  out.push({ until: Infinity, offsetSeconds: cur });
  return out;
}
