// Analytics for the admin: per play, the funnel of treatment and holdout, conversion lift with its interval,
// incremental orders and revenue, discount cost and a verdict. Reads DailyPlayStat only (never raw events).
// A range selects cohorts: visitors first eligible on days from..to (inclusive, the shop's measurement days: local
// days in its zone once DailyPlayStat is keyed in it, else UTC), with all their orders.
import prisma from "../db.server";
import { PLAY_KEYS, type PlayKey } from "../lib/plays/types";
import { analyzeLift, VERDICT_LABELS, type LiftAnalysis, type LiftOptions } from "../lib/stats/lift";
import { wilsonInterval, type Interval } from "../lib/stats/proportions";
import { addDays, dayIn } from "../lib/stats/days";
import { measurementZone } from "./dailyStats.server";

export interface ReportRange {
  /** First day, inclusive: a Date (its day in the shop's measurement zone) or "YYYY-MM-DD". */
  from: Date | string;
  /** Last day, inclusive. */
  to: Date | string;
  /** "The last N days": N shop-local days ending on `to`'s day (`from` is then ignored). Counting days, not
   * 24-hour steps, keeps the range N days long across a DST switch. */
  lastDays?: number;
}

export interface ArmFunnel {
  eligible: number;
  shown: number;
  engaged: number;
  /** Visitors who ordered at least once. */
  ordered: number;
  revenue: number;
  discount: number;
  /** ordered / eligible with its Wilson interval. */
  conversion: Interval;
}

export interface PlayReportRow {
  play: PlayKey;
  treatment: ArmFunnel;
  holdout: ArmFunnel;
  /** Discount given in the treatment group (the margin spent to get the lift). */
  discountCost: number;
  analysis: Omit<LiftAnalysis, "treatmentRate" | "holdoutRate">;
}

export interface DailyPoint {
  day: string;
  play: PlayKey;
  treatment: { eligible: number; ordered: number; revenue: number; conversion: number };
  holdout: { eligible: number; ordered: number; revenue: number; conversion: number };
}

export interface PlayReport {
  from: string;
  to: string;
  /** The zone the days are calendar days of (the shop's measurement zone); null = UTC. */
  zone: string | null;
  plays: PlayReportRow[];
  /** One point per day in the range and play (zeros where nothing happened), oldest first. */
  series: DailyPoint[];
}

export type ReportOptions = Pick<LiftOptions, "minimumDetectableLift" | "alpha" | "power" | "fallbackBaseline">;

const MAX_DAYS = 731;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Normalises a range to inclusive day strings, Dates taken as their day in `zone` (null: UTC); throws RangeError
 * on an invalid or oversized range.
 */
export function normalizeRange(range: ReportRange, zone: string | null = null): { from: string; to: string; days: string[] } {
  const toDay = (v: Date | string) => {
    if (typeof v === "string") {
      if (!DAY_RE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new RangeError(`invalid day ${v}`);
      return v;
    }
    if (Number.isNaN(v.getTime())) throw new RangeError("invalid date");
    return dayIn(v, zone);
  };
  const to = toDay(range.to);
  const from = range.lastDays !== undefined && Number.isInteger(range.lastDays) && range.lastDays >= 1 ? addDays(to, 1 - range.lastDays) : toDay(range.from);
  if (from > to) throw new RangeError("range starts after it ends");
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); ; t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (d > to) break;
    days.push(d);
    if (days.length > MAX_DAYS) throw new RangeError(`range longer than ${MAX_DAYS} days`);
  }
  return { from, to, days };
}

export async function playReport(shop: string, range: ReportRange, options: ReportOptions = {}): Promise<PlayReport> {
  const zone = await measurementZone(prisma, shop);
  const { from, to, days } = normalizeRange(range, zone);
  const [rows, configs] = await Promise.all([
    prisma.dailyPlayStat.findMany({ where: { shop, day: { gte: from, lte: to } } }),
    prisma.playConfig.findMany({ where: { shop }, select: { play: true, settings: true } }),
  ]);
  const holdoutShare = new Map<string, number>();
  // The configured share, 0 included: the verdict needs it for the control and sample-ratio checks.
  const configuredShare = new Map<string, number>();
  for (const c of configs) {
    try {
      const pct = (JSON.parse(c.settings) as { holdoutPercent?: unknown }).holdoutPercent;
      if (typeof pct === "number" && pct > 0 && pct < 100) holdoutShare.set(c.play, pct / 100);
      if (typeof pct === "number" && pct >= 0 && pct < 100) configuredShare.set(c.play, pct / 100);
    } catch {
      // Unreadable settings: planning falls back to the default holdout share.
    }
  }

  type Sum = Omit<ArmFunnel, "conversion">;
  const zero = (): Sum => ({ eligible: 0, shown: 0, engaged: 0, ordered: 0, revenue: 0, discount: 0 });
  const totals = new Map<string, Sum>();
  const daily = new Map<string, Sum>();
  for (const r of rows) {
    if (!(PLAY_KEYS as readonly string[]).includes(r.play) || (r.arm !== "treatment" && r.arm !== "holdout")) continue;
    for (const [map, key] of [[totals, `${r.play}|${r.arm}`], [daily, `${r.day}|${r.play}|${r.arm}`]] as const) {
      const s = map.get(key) ?? zero();
      s.eligible += r.eligible;
      s.shown += r.shown;
      s.engaged += r.engaged;
      s.ordered += r.orders;
      s.revenue += r.revenue;
      s.discount += r.discount;
      map.set(key, s);
    }
  }
  const money = (v: number) => Math.round(v * 100) / 100;
  const funnel = (s: Sum): ArmFunnel => ({
    ...s,
    revenue: money(s.revenue),
    discount: money(s.discount),
    conversion: wilsonInterval(s.ordered, s.eligible, 1 - (options.alpha ?? 0.05)),
  });

  const plays = PLAY_KEYS.map((play): PlayReportRow => {
    const t = totals.get(`${play}|treatment`) ?? zero();
    const h = totals.get(`${play}|holdout`) ?? zero();
    const { treatmentRate: _t, holdoutRate: _h, ...analysis } = analyzeLift(
      { visitors: t.eligible, converted: t.ordered, revenue: t.revenue },
      { visitors: h.eligible, converted: h.ordered, revenue: h.revenue },
      { ...options, holdoutShare: holdoutShare.get(play), expectedHoldoutShare: configuredShare.get(play) },
    );
    return { play, treatment: funnel(t), holdout: funnel(h), discountCost: money(t.discount), analysis };
  });

  const point = (s: Sum | undefined) => ({
    eligible: s?.eligible ?? 0,
    ordered: s?.ordered ?? 0,
    revenue: money(s?.revenue ?? 0),
    conversion: s && s.eligible > 0 ? s.ordered / s.eligible : 0,
  });
  const series: DailyPoint[] = [];
  for (const day of days) {
    for (const play of PLAY_KEYS) {
      series.push({ day, play, treatment: point(daily.get(`${day}|${play}|treatment`)), holdout: point(daily.get(`${day}|${play}|holdout`)) });
    }
  }
  return { from, to, zone, plays, series };
}

/** CSV export of a report: one row per play (summary) or per day, play and arm (daily). */
export async function reportCsv(shop: string, range: ReportRange, kind: "summary" | "daily" = "summary", options: ReportOptions = {}): Promise<string> {
  const lines: (string | number)[][] = [];
  if (kind === "summary") {
    const report = await playReport(shop, range, options);
    lines.push([
      "from", "to", "play",
      "treatment_eligible", "treatment_shown", "treatment_engaged", "treatment_ordered", "treatment_revenue", "treatment_conversion",
      "holdout_eligible", "holdout_ordered", "holdout_revenue", "holdout_conversion",
      "lift", "lift_lower_95", "lift_upper_95", "difference", "difference_lower_95", "difference_upper_95",
      "incremental_orders", "incremental_orders_lower_95", "incremental_orders_upper_95",
      "incremental_revenue", "incremental_revenue_lower_95", "incremental_revenue_upper_95",
      "discount_cost", "verdict", "required_treatment", "required_holdout",
    ]);
    for (const p of report.plays) {
      const a = p.analysis;
      lines.push([
        report.from, report.to, p.play,
        p.treatment.eligible, p.treatment.shown, p.treatment.engaged, p.treatment.ordered, p.treatment.revenue, r6(p.treatment.conversion.estimate),
        p.holdout.eligible, p.holdout.ordered, p.holdout.revenue, r6(p.holdout.conversion.estimate),
        opt(a.relativeLift?.estimate), opt(a.relativeLift?.lower), opt(a.relativeLift?.upper),
        r6(a.difference.estimate), r6(a.difference.lower), r6(a.difference.upper),
        r2(a.incrementalOrders.estimate), r2(a.incrementalOrders.lower), r2(a.incrementalOrders.upper),
        r2(a.incrementalRevenue.estimate), r2(a.incrementalRevenue.lower), r2(a.incrementalRevenue.upper),
        p.discountCost, VERDICT_LABELS[a.verdict], a.plan.required.treatment, a.plan.required.holdout,
      ]);
    }
  } else {
    const { from, to } = normalizeRange(range, await measurementZone(prisma, shop));
    const rows = await prisma.dailyPlayStat.findMany({
      where: { shop, day: { gte: from, lte: to } },
      orderBy: [{ day: "asc" }, { play: "asc" }, { arm: "asc" }],
    });
    lines.push(["day", "play", "arm", "eligible", "shown", "engaged", "ordered", "revenue", "discount"]);
    for (const r of rows) lines.push([r.day, r.play, r.arm, r.eligible, r.shown, r.engaged, r.orders, r2(r.revenue), r2(r.discount)]);
  }
  return lines.map((l) => l.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const opt = (v: number | undefined) => (v === undefined ? "" : r6(v));

/** RFC 4180 quoting; text cells that a spreadsheet would run as a formula are neutralised. */
function csvCell(v: string | number): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
