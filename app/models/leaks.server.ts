// Leak finder page data: the stored day and block aggregates (written by leakFold.server.ts), summed for a range,
// ranked and turned into the page's report and CSV.
import prisma from "../db.server";
import { addDays, dayIn } from "../lib/stats/days";
import {
  emptyFunnel, funnelSteps, LEAK_RANGE_DAYS, LEAK_SIGNALS, leaksCsv, rankLeaks, storeRates, type DayAggregate, type FunnelCounts, type PageRow, type ProductRow,
} from "../lib/stats/funnel";
import { DEFAULT_MARGIN, moneyLift, profitVerdict, verdictFor, type MoneyMoments } from "../lib/stats/profit";
import { analyzeLift } from "../lib/stats/lift";
import { newcombeDifference } from "../lib/stats/proportions";
import { listPlays } from "./plays.server";
import { currentDialect, dialectSql } from "../db/dialect";
import { measurementZone } from "./dailyStats.server";
import { PATH_SUMS, weekOf } from "./leakDays.server";

const num = (v: unknown) => (v == null ? 0 : Number(v));

/** The stored aggregates of a range of days [from, to] (inclusive), summed: what the leak page shows. */
export async function loadLeakRange(shop: string, from: string, to: string): Promise<{ aggregate: DayAggregate; daily: (FunnelCounts & { day: string })[] }> {
  const d = currentDialect();
  const sql = dialectSql(d);
  // Whole 7-day blocks inside the range come from LeakPathWeek, the days before the first and after the last from
  // LeakPathDay: the sum is the same, over a fraction of the rows.
  const firstWeek = weekOf(from) === from ? from : addDays(weekOf(from), 7);
  const lastWeek = addDays(weekOf(addDays(to, 1)), -7);
  const weeks = firstWeek <= lastWeek;
  const cols = `"kind", "path", "pageType", ${PATH_SUMS.map((c) => `"${c}"`).join(", ")}`;
  const parts = weeks
    ? [
        { q: `SELECT ${cols} FROM ${sql.t("LeakPathWeek")} WHERE "shop" = ? AND "week" >= ? AND "week" <= ?`, args: [shop, firstWeek, lastWeek] },
        { q: `SELECT ${cols} FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" < ?`, args: [shop, from, firstWeek] },
        { q: `SELECT ${cols} FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" > ? AND "day" <= ?`, args: [shop, addDays(lastWeek, 6), to] },
      ]
    : [{ q: `SELECT ${cols} FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" <= ?`, args: [shop, from, to] }];
  type PathSum = { kind: string; path: string; pageType: string | null } & Record<(typeof PATH_SUMS)[number], unknown>;
  const [funnelRows, pathRows] = await Promise.all([
    prisma.leakFunnelDay.findMany({ where: { shop, day: { gte: from, lte: to } }, orderBy: { day: "asc" } }),
    prisma.$queryRawUnsafe<PathSum[]>(
      sql.q(`SELECT "kind", "path", MIN("pageType") AS "pageType", ${PATH_SUMS.map((c) => `SUM("${c}") AS "${c}"`).join(", ")}
        FROM (${parts.map((p) => p.q).join(" UNION ALL ")}) AS r GROUP BY "kind", "path"`),
      ...parts.flatMap((p) => p.args),
    ),
  ]);
  const funnel = emptyFunnel();
  const daily = funnelRows.map(({ shop: _s, day, ...c }) => ({ day, ...c }));
  for (const r of daily) for (const k of Object.keys(funnel) as (keyof FunnelCounts)[]) funnel[k] += r[k];
  const pages: PageRow[] = [];
  const products: ProductRow[] = [];
  for (const r of pathRows) {
    const signals = Object.fromEntries(LEAK_SIGNALS.map((k) => [k, num(r[k])])) as Record<(typeof LEAK_SIGNALS)[number], number>;
    if (r.kind === "page") pages.push({ path: r.path, pageType: r.pageType ?? "other", views: num(r.views), exits: num(r.exits), ...signals });
    else products.push({ path: r.path, viewVisits: num(r.views), carts: num(r.exits), abandoned: num(r.abandoned), ...signals });
  }
  return { aggregate: { funnel, pages, products }, daily };
}

/** Money moments per play and arm over a range of days first eligible. */
export async function loadPlayMoney(shop: string, from: string, to: string): Promise<Map<string, { treatment: MoneyMoments; holdout: MoneyMoments }>> {
  const rows = await prisma.playMoneyDay.groupBy({
    by: ["play", "arm"],
    where: { shop, day: { gte: from, lte: to } },
    _sum: { visitors: true, revenue: true, revenueSq: true, discount: true, discountSq: true, cross: true },
  });
  const zero = (): MoneyMoments => ({ visitors: 0, revenue: 0, revenueSq: 0, discount: 0, discountSq: 0, cross: 0 });
  const out = new Map<string, { treatment: MoneyMoments; holdout: MoneyMoments }>();
  for (const r of rows) {
    const entry = out.get(r.play) ?? { treatment: zero(), holdout: zero() };
    const m: MoneyMoments = {
      visitors: r._sum.visitors ?? 0, revenue: r._sum.revenue ?? 0, revenueSq: r._sum.revenueSq ?? 0,
      discount: r._sum.discount ?? 0, discountSq: r._sum.discountSq ?? 0, cross: r._sum.cross ?? 0,
    };
    if (r.arm === "holdout") entry.holdout = m;
    else entry.treatment = m;
    out.set(r.play, entry);
  }
  return out;
}

/** The range asked for (?days=, one of LEAK_RANGE_DAYS, 30 by default) as whole days of the shop's zone ending today. */
export async function leakRange(shop: string, searchParams: URLSearchParams, now = new Date()) {
  const asked = Number(searchParams.get("days"));
  const days = (LEAK_RANGE_DAYS as readonly number[]).includes(asked) ? asked : 30;
  const zone = await measurementZone(prisma, shop);
  const to = dayIn(now, zone);
  // Smallest sample a leak is ranked on (?min=, 1–1000; 20 by default): small shops may ask for fewer.
  const min = Number(searchParams.get("min"));
  const minSample = Number.isInteger(min) && min >= 1 && min <= 1000 ? min : 20;
  return { days, from: addDays(to, -(days - 1)), to, zone, minSample };
}

/** Everything the leak page shows for a range, from aggregates only. */
export async function getLeakReport(shop: string, range: { from: string; to: string; minSample?: number }) {
  const [{ aggregate, daily }, money, armRows, plays, shopRow] = await Promise.all([
    loadLeakRange(shop, range.from, range.to),
    loadPlayMoney(shop, range.from, range.to),
    prisma.dailyPlayStat.groupBy({ by: ["play", "arm"], where: { shop, day: { gte: range.from, lte: range.to } }, _sum: { eligible: true, orders: true, revenue: true } }),
    listPlays(shop),
    prisma.shop.findUnique({ where: { shop }, select: { marginPercent: true } }),
  ]);
  const margin = (shopRow?.marginPercent ?? DEFAULT_MARGIN * 100) / 100;
  const arms = (play: string, arm: string) => {
    const r = armRows.find((x) => x.play === play && x.arm === arm);
    return { visitors: r?._sum.eligible ?? 0, converted: r?._sum.orders ?? 0, revenue: r?._sum.revenue ?? 0 };
  };
  const playRows = plays.map((p) => {
    const t = arms(p.play, "treatment");
    const h = arms(p.play, "holdout");
    const conversion = analyzeLift(t, h, { expectedHoldoutShare: p.settings.holdoutPercent / 100 });
    const m = money.get(p.play) ?? { treatment: { ...ZERO }, holdout: { ...ZERO } };
    const lift = moneyLift(m.treatment, m.holdout, margin);
    const costsMoney = p.play === "deal_seeker";
    const profit = profitVerdict(m.treatment, m.holdout, lift, p.settings.holdoutPercent > 0);
    return {
      play: p.play, enabled: p.enabled, version: p.version, costsMoney, treatment: t, holdout: h, lift,
      conversionVerdict: conversion.verdict, verdict: verdictFor(costsMoney, conversion.verdict, profit),
    };
  });
  // Abandonment among the plays' eligible visitors, holdout minus treatment (pooled over plays; a visitor eligible
  // for two plays counts in both).
  const pooled = playRows.reduce((a, r) => ({ tv: a.tv + r.treatment.visitors, tc: a.tc + r.treatment.converted, hv: a.hv + r.holdout.visitors, hc: a.hc + r.holdout.converted }), { tv: 0, tc: 0, hv: 0, hc: 0 });
  const reduction = pooled.tv > 0 && pooled.hv > 0 ? newcombeDifference(pooled.tc, pooled.tv, pooled.hc, pooled.hv) : null;
  return {
    funnel: aggregate.funnel,
    steps: funnelSteps(aggregate.funnel),
    daily,
    leaks: rankLeaks(aggregate, { minSample: range.minSample }),
    minSample: range.minSample ?? 20,
    rates: storeRates(aggregate.funnel),
    reduction: reduction && { ...reduction, treatment: pooled.tv, holdout: pooled.hv },
    plays: playRows,
    marginPercent: margin * 100,
  };
}

const ZERO: MoneyMoments = { visitors: 0, revenue: 0, revenueSq: 0, discount: 0, discountSq: 0, cross: 0 };

/** The leak table as CSV (English headers and labels: a file for spreadsheets, not UI copy). */
export async function getLeakCsv(shop: string, range: { from: string; to: string; minSample?: number }): Promise<string> {
  const { aggregate } = await loadLeakRange(shop, range.from, range.to);
  return leaksCsv(
    rankLeaks(aggregate, { limit: 500, minSample: range.minSample }),
    ["kind", "path", "lost", "sample", "rate", "rate_low_95", "rate_high_95", "signal", "play"],
    (l) => [l.signal ? `${l.signal.key} (${l.signal.count})` : "", l.play ?? ""],
  );
}

/** The merchant's margin in percent (0–100), for profit. */
export async function setMarginPercent(shop: string, percent: number): Promise<void> {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError("margin must be 0–100");
  await prisma.shop.update({ where: { shop }, data: { marginPercent: percent } });
}
