// Leak finder aggregates: after each rollup, the days (in the shop's measurement zone) that new events or new
// attributed orders touched are recomputed whole from stored events, set-based in SQL, into LeakFunnelDay,
// LeakPathDay and PlayMoneyDay. The SQL computes exactly what lib/stats/funnel.ts `foldVisits` defines (a test keeps
// them equal). The event cursor never passes the rollup's, so only settled events are read; a day recomputed twice
// gives the same rows, so a retry never double counts. The admin page reads only these tables.
import prisma from "../db.server";
import type { Prisma, PrismaClient } from "@prisma/client";
import { addDays, dayIn, dayStart } from "../lib/stats/days";
import { PLAY_KEYS } from "../lib/plays/types";
import {
  emptyFunnel, funnelSteps, LEAK_RANGE_DAYS, LEAK_SIGNALS, leaksCsv, rankLeaks, storeRates, POLICY_VIEWS, REMOVALS, REPEAT_VIEWS, STALL_MS, type DayAggregate, type FunnelCounts, type PageRow, type ProductRow,
} from "../lib/stats/funnel";
import { DEFAULT_MARGIN, moneyLift, profitVerdict, verdictFor, type MoneyMoments } from "../lib/stats/profit";
import { analyzeLift } from "../lib/stats/lift";
import { newcombeDifference } from "../lib/stats/proportions";
import { listPlays } from "./plays.server";
import { currentDialect, dialectSql, sqlDays, type Dialect, type SqlDays } from "../db/dialect";
import { measurementZone } from "./dailyStats.server";

type Tx = Prisma.TransactionClient | PrismaClient;

export interface LeakFoldResult {
  days: number;
  events: number;
}

const num = (v: unknown) => (v == null ? 0 : Number(v));

/** Folds what changed since the last run for one shop. */
export async function foldLeaks(shop: string, _options: { now?: Date } = {}): Promise<LeakFoldResult> {
  const d = currentDialect();
  const sql = dialectSql(d);
  const zone = await measurementZone(prisma, shop, d);
  let cursor = await prisma.leakCursor.findUnique({ where: { shop } });
  if (!cursor) {
    try {
      cursor = await prisma.leakCursor.create({ data: { shop } });
    } catch {
      cursor = await prisma.leakCursor.findUniqueOrThrow({ where: { shop } });
    }
  }
  const rollup = await prisma.rollupCursor.findUnique({ where: { shop }, select: { lastEventId: true } });
  const lo = cursor.lastEventId;
  const hi = Math.max(lo, rollup?.lastEventId ?? 0);
  const dirty = new Set<string>();
  const moneyDirty = new Set<string>();
  let events = 0;
  if (hi > lo) {
    // One pass over the new events: the days they fall on (in the shop's zone) and how many there are.
    let days: SqlDays;
    if (zone && d === "sqlite") {
      const [range] = await prisma.$queryRawUnsafe<{ a: unknown; b: unknown }[]>(
        sql.q(`SELECT MIN("occurredAt") AS a, MAX("occurredAt") AS b FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" > ? AND "id" <= ?`),
        shop, lo, hi,
      );
      days = sqlDays(d, zone, toMs(range?.a), toMs(range?.b));
    } else days = sqlDays(d, zone, NaN, NaN);
    const rows = await prisma.$queryRawUnsafe<{ day: string; c: number | bigint }[]>(
      sql.q(`SELECT ${sql.day(`"occurredAt"`, days)} AS "day", COUNT(*) AS "c" FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" > ? AND "id" <= ? GROUP BY 1`),
      shop, lo, hi,
    );
    for (const r of rows) {
      events += num(r.c);
      dirty.add(r.day);
      moneyDirty.add(r.day);
    }
  }
  // Orders change a day's "ordered" visits and their visitors' exposures' money (on the day first eligible).
  const orders = await prisma.orderAttribution.findMany({
    where: { shop, NOT: { visitorId: null }, ...(cursor.ordersAt ? { createdAt: { gt: cursor.ordersAt } } : {}) },
    select: { visitorId: true, createdAt: true },
  });
  let ordersAt = cursor.ordersAt;
  for (const ord of orders) {
    dirty.add(dayIn(ord.createdAt, zone));
    if (!ordersAt || ord.createdAt > ordersAt) ordersAt = ord.createdAt;
  }
  const visitors = [...new Set(orders.map((x) => x.visitorId as string))];
  for (let i = 0; i < visitors.length; i += 500) {
    const exposures = await prisma.playExposure.findMany({
      where: { shop, play: { in: [...PLAY_KEYS] }, visitorId: { in: visitors.slice(i, i + 500) } },
      select: { firstEligibleAt: true },
    });
    for (const e of exposures) moneyDirty.add(dayIn(e.firstEligibleAt, zone));
  }

  const all = [...new Set([...dirty, ...moneyDirty])].sort();
  if (!(await prisma.leakPathWeek.findFirst({ where: { shop }, select: { shop: true } }))) await rebuildLeakWeeks(shop, d);
  await foldDays(shop, [...dirty], [...moneyDirty], zone, d);
  if (hi > lo || ordersAt !== cursor.ordersAt) {
    // Compare-and-set: a concurrent fold that got here first already covered these days.
    await prisma.leakCursor.updateMany({ where: { shop, lastEventId: lo }, data: { lastEventId: hi, ordersAt } });
  }
  return { days: all.length, events };
}

const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : v == null ? NaN : Date.parse(String(v)));

/** Seconds between two timestamp columns. */
function secondsBetween(d: Dialect, a: string, b: string): string {
  return d === "sqlite" ? `((julianday(${b}) - julianday(${a})) * 86400.0)` : `EXTRACT(EPOCH FROM (${b} - ${a}))`;
}

/**
 * The 7-day block a day belongs to, named by its first day: blocks start on Mondays, counted from 1970-01-05, so a
 * block never depends on the range asked for.
 */
export function weekOf(day: string): string {
  const n = Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  return addDays(day, -((((n - 4) % 7) + 7) % 7));
}

/** Dirty days grouped by their 7-day block: one pass (and one transaction) per block, which it then rebuilds. */
function runsOf(days: string[]): string[][] {
  const runs = new Map<string, string[]>();
  for (const day of [...days].sort()) runs.set(weekOf(day), [...(runs.get(weekOf(day)) ?? []), day]);
  return [...runs.values()];
}

const PATH_SUMS = ["views", "exits", "abandoned", "policy", "stall", "cycles", "repeat"] as const;

/** Rebuilds a block's LeakPathWeek rows from its LeakPathDay rows. */
async function rebuildWeek(tx: Tx, shop: string, week: string, d: Dialect): Promise<void> {
  const sql = dialectSql(d);
  await tx.leakPathWeek.deleteMany({ where: { shop, week } });
  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakPathWeek")} ("shop", "week", "kind", "path", "pageType", ${PATH_SUMS.map((c) => `"${c}"`).join(", ")})
      SELECT ?, ?, "kind", "path", MIN("pageType"), ${PATH_SUMS.map((c) => `SUM("${c}")`).join(", ")}
      FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" <= ? GROUP BY "kind", "path"`),
    shop, week, shop, week, addDays(week, 6),
  );
}

/** Rebuilds every LeakPathWeek row of a shop from its LeakPathDay rows (repair, and shops folded before weeks existed). */
export async function rebuildLeakWeeks(shop: string, d: Dialect = currentDialect()): Promise<number> {
  const days = await prisma.leakPathDay.findMany({ where: { shop }, select: { day: true }, distinct: ["day"] });
  const weeks = [...new Set(days.map((r) => weekOf(r.day)))];
  for (const week of weeks) await prisma.$transaction((tx) => rebuildWeek(tx, shop, week, d), { timeout: 600_000, maxWait: 60_000 });
  return weeks.length;
}

/** Recomputes whole days: visits for `visitDays`, money for `moneyDays`, the dirty days of each 7-day block in one transaction. */
export async function foldDays(shop: string, visitDays: string[], moneyDays: string[], zone: string | null, d: Dialect): Promise<void> {
  const visits = new Set(visitDays);
  const money = new Set(moneyDays);
  for (const run of runsOf([...new Set([...visitDays, ...moneyDays])])) {
    const first = run[0];
    const last = run[run.length - 1];
    const fromMs = dayStart(first, zone);
    const toMs = dayStart(addDays(last, 1), zone);
    const sql = dialectSql(d);
    const from = sql.tsValue(new Date(fromMs));
    const to = sql.tsValue(new Date(toMs));
    const days = sqlDays(d, zone, fromMs, toMs);
    await prisma.$transaction(
      async (tx) => {
        const v = run.filter((x) => visits.has(x));
        if (v.length) {
          await foldVisitsOfDays(tx, shop, v, from, to, days, d);
          await rebuildWeek(tx, shop, weekOf(first), d);
        }
        const m = run.filter((x) => money.has(x));
        if (m.length) {
          await tx.playMoneyDay.deleteMany({ where: { shop, day: { in: m } } });
          await tx.$executeRawUnsafe(
            sql.q(`INSERT INTO ${sql.t("PlayMoneyDay")} ("shop", "day", "play", "arm", "visitors", "revenue", "revenueSq", "discount", "discountSq", "cross")
              SELECT ?, x."d", x."play", x."arm", COUNT(*), SUM(x."revenue"), SUM(x."revenue" * x."revenue"), SUM(x."discount"), SUM(x."discount" * x."discount"), SUM(x."revenue" * x."discount")
              FROM (SELECT ${sql.day(`"firstEligibleAt"`, days)} AS "d", "play", "arm", "revenue", "discount" FROM ${sql.t("PlayExposure")}
                    WHERE "shop" = ? AND "firstEligibleAt" >= ${sql.ts} AND "firstEligibleAt" < ${sql.ts}) AS x
              WHERE x."d" IN (${m.map(() => "?").join(", ")})
              GROUP BY x."d", x."play", x."arm"`),
            shop, shop, from, to, ...m,
          );
        }
      },
      { timeout: 600_000, maxWait: 60_000 },
    );
  }
}

async function foldVisitsOfDays(tx: Tx, shop: string, dayList: string[], from: string, to: string, days: SqlDays, d: Dialect): Promise<void> {
  const sql = dialectSql(d);
  const temp = (name: string, select: string) =>
    d === "sqlite" ? `CREATE TEMP TABLE ${name} AS ${select}` : `CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${select}`;
  const drop = async () => {
    if (d === "sqlite") for (const t of ["rp_lev", "rp_vis", "rp_pv", "rp_add"]) await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS temp.${t}`);
  };
  // PostgreSQL's default 4 MB of sort memory sends a week's window sort (~100 MB for a large shop) to disk in
  // many merge passes; this transaction may use more (SET LOCAL ends with it).
  if (d === "postgres") await tx.$executeRawUnsafe(`SET LOCAL work_mem = '256MB'`);
  await tx.leakFunnelDay.deleteMany({ where: { shop, day: { in: dayList } } });
  await tx.leakPathDay.deleteMany({ where: { shop, day: { in: dayList } } });
  await drop();
  const inDays = `"d" IN (${dayList.map(() => "?").join(", ")})`;
  const atCart = `(("t" = 'page_view' AND "pt" = 'cart') OR "t" = 'checkout_started')`;
  // A visit is (day, visitor): every window is partitioned by both, all with one ordering, so one sort serves them.
  // Running counts per row: `g` numbers the product views (an add belongs to the view with its count), `pvn` the
  // page views (the visit's last page view has pvn = pvt, its total); at a visit's last row (no next event) the
  // running counts are the visit's totals, so the visits are read from those rows without another sort or group.
  const w = `PARTITION BY "d", "v" ORDER BY "at", "id"`;
  const running = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END) OVER (${w} ROWS UNBOUNDED PRECEDING)`;
  await tx.$executeRawUnsafe(
    sql.q(temp("rp_lev", `SELECT "d", "v", "t", "pt", "p", "at", "id",
        LEAD("at") OVER (${w}) AS "nxt",
        ${running(`"t" = 'page_view' AND "pt" = 'product' AND "p" <> ''`)} AS "g",
        ${running(`"t" = 'page_view'`)} AS "pvn",
        SUM(CASE WHEN "t" = 'page_view' THEN 1 ELSE 0 END) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS "pvt",
        ${running(`"t" = 'page_view' AND "pt" = 'product'`)} AS "prodc",
        ${running(`"t" = 'add_to_cart'`)} AS "addc",
        ${running(atCart)} AS "cartc",
        ${running(`"t" = 'checkout_started'`)} AS "coc",
        ${running(`"t" = 'page_view' AND "pt" = 'info'`)} AS "infoc",
        ${running(`"t" = 'remove_from_cart'`)} AS "remc"
      FROM (SELECT ${sql.day(`"occurredAt"`, days)} AS "d", "visitorId" AS "v", "type" AS "t", "pageType" AS "pt", COALESCE("path", '') AS "p",
              "occurredAt" AS "at", "id"
            FROM ${sql.t("Event")}
            WHERE "shop" = ? AND "occurredAt" >= ${sql.ts} AND "occurredAt" < ${sql.ts}
              AND "type" IN ('page_view', 'add_to_cart', 'remove_from_cart', 'checkout_started')) AS e
      WHERE ${inDays}`)),
    shop, from, to, ...dayList,
  );
  const flag = (c: string) => `CASE WHEN "${c}" > 0 THEN 1 ELSE 0 END`;
  await tx.$executeRawUnsafe(
    temp("rp_vis", `SELECT "d", "v", "pvn" AS "views", ${flag("prodc")} AS "prod", ${flag("addc")} AS "added", ${flag("cartc")} AS "cart",
        ${flag("coc")} AS "co", CASE WHEN "infoc" >= ${POLICY_VIEWS} THEN 1 ELSE 0 END AS "policy", 0 AS "stall",
        CASE WHEN "remc" >= ${REMOVALS} THEN 1 ELSE 0 END AS "cycles", 0 AS "ordered", 0 AS "rep"
      FROM rp_lev WHERE "nxt" IS NULL`),
  );
  await tx.$executeRawUnsafe(`CREATE INDEX rp_vis_v ON rp_vis ("d", "v")`);
  // A stall: the shopper sat on the cart or checkout for STALL_MS or more before the next event.
  await tx.$executeRawUnsafe(
    `UPDATE rp_vis SET "stall" = 1 WHERE ("d", "v") IN (SELECT "d", "v" FROM rp_lev
      WHERE ${atCart} AND "nxt" IS NOT NULL AND ${secondsBetween(d, `"at"`, `"nxt"`)} >= ${STALL_MS / 1000 - 0.0005})`,
  );
  // A visit ordered when its visitor has an attributed order on that day.
  await tx.$executeRawUnsafe(
    sql.q(`UPDATE rp_vis SET "ordered" = 1 WHERE ("d", "v") IN (
      SELECT ${sql.day(`"createdAt"`, days)}, "visitorId" FROM ${sql.t("OrderAttribution")}
      WHERE "shop" = ? AND "visitorId" IS NOT NULL AND "createdAt" >= ${sql.ts} AND "createdAt" < ${sql.ts})`),
    shop, from, to,
  );
  await tx.$executeRawUnsafe(
    temp("rp_pv", `SELECT "d", "v", "p", COUNT(*) AS "n" FROM rp_lev WHERE "t" = 'page_view' AND "pt" = 'product' AND "p" <> '' GROUP BY "d", "v", "p"`),
  );
  // Each add belongs to the product page viewed last before it: the product view with the same running count.
  await tx.$executeRawUnsafe(`CREATE INDEX rp_lev_vg ON rp_lev ("v", "d", "g")`);
  await tx.$executeRawUnsafe(
    temp("rp_add", `SELECT DISTINCT a."d", a."v", pv."p" FROM rp_lev a
      JOIN rp_lev pv ON pv."v" = a."v" AND pv."d" = a."d" AND pv."g" = a."g" AND pv."t" = 'page_view' AND pv."pt" = 'product' AND pv."p" <> ''
      WHERE a."t" = 'add_to_cart' AND a."g" > 0`),
  );
  await tx.$executeRawUnsafe(
    `UPDATE rp_vis SET "rep" = 1 WHERE "added" = 0 AND ("d", "v") IN (SELECT "d", "v" FROM rp_pv WHERE "n" >= ${REPEAT_VIEWS})`,
  );

  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakFunnelDay")} ("shop", "day", "visits", "productViews", "adds", "carts", "checkouts", "orders", "bounces", "abandonedCarts")
      SELECT ?, "d", COUNT(*), SUM("prod"), SUM("added"), SUM("cart"), SUM("co"), SUM("ordered"),
        SUM(CASE WHEN "views" = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN "added" = 1 AND "ordered" = 0 THEN 1 ELSE 0 END)
      FROM rp_vis WHERE "views" > 0 GROUP BY "d"`),
    shop,
  );
  // Pages: views per path, and the visits that ended there (their last page view) with their signals.
  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakPathDay")} ("shop", "day", "kind", "path", "pageType", "views", "exits", "policy", "stall", "cycles", "repeat")
      SELECT ?, pv."d", 'page', pv."p", pv."pt", pv."views", COALESCE(x."exits", 0), COALESCE(x."policy", 0), COALESCE(x."stall", 0),
        COALESCE(x."cycles", 0), COALESCE(x."rep", 0)
      FROM (SELECT "d", "p", MIN(COALESCE("pt", 'other')) AS "pt", COUNT(*) AS "views" FROM rp_lev WHERE "t" = 'page_view' GROUP BY "d", "p") AS pv
      LEFT JOIN (
        SELECT e."d", e."p", COUNT(*) AS "exits", SUM(vi."policy") AS "policy", SUM(vi."stall") AS "stall", SUM(vi."cycles") AS "cycles", SUM(vi."rep") AS "rep"
        FROM rp_lev e JOIN rp_vis vi ON vi."v" = e."v" AND vi."d" = e."d"
        WHERE e."t" = 'page_view' AND e."pvn" = e."pvt" GROUP BY e."d", e."p"
      ) AS x ON x."d" = pv."d" AND x."p" = pv."p"`),
    shop,
  );
  const carted = `ad."v" IS NOT NULL AND vi."ordered" = 0`;
  const abandoned = (col: string) => `SUM(CASE WHEN ${carted} AND vi."${col}" = 1 THEN 1 ELSE 0 END)`;
  await tx.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("LeakPathDay")} ("shop", "day", "kind", "path", "pageType", "views", "exits", "abandoned", "policy", "stall", "cycles", "repeat")
      SELECT ?, pv."d", 'product', pv."p", 'product', COUNT(*), SUM(CASE WHEN ad."v" IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN ${carted} THEN 1 ELSE 0 END),
        ${abandoned("policy")}, ${abandoned("stall")}, ${abandoned("cycles")},
        SUM(CASE WHEN vi."added" = 0 AND pv."n" >= ${REPEAT_VIEWS} THEN 1 ELSE 0 END)
      FROM rp_pv pv JOIN rp_vis vi ON vi."v" = pv."v" AND vi."d" = pv."d"
      LEFT JOIN rp_add ad ON ad."v" = pv."v" AND ad."d" = pv."d" AND ad."p" = pv."p"
      GROUP BY pv."d", pv."p"`),
    shop,
  );
  await drop();
}

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
