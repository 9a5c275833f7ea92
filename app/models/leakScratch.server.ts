// The leak finder's from-scratch aggregation: every day with events up to the leak cursor recomputed whole from the
// stored events, set-based in SQL (what lib/stats/funnel.ts `foldVisits` defines). The incremental fold must give
// exactly these rows; it also repairs a shop's day rows.
import prisma from "../db.server";
import type { Prisma, PrismaClient } from "@prisma/client";
import { addDays, dayStart } from "../lib/stats/days";
import { POLICY_VIEWS, REMOVALS, REPEAT_VIEWS, STALL_MS } from "../lib/stats/funnel";
import { currentDialect, dialectSql, sqlDays, type Dialect, type SqlDays } from "../db/dialect";
import { lockShopMeasurement, measurementZone } from "./dailyStats.server";
import { rebuildWeek, runsOf, toMs, weekOf } from "./leakDays.server";

type Tx = Prisma.TransactionClient | PrismaClient;

/** Seconds between two timestamp columns. */
function secondsBetween(d: Dialect, a: string, b: string): string {
  return d === "sqlite" ? `((julianday(${b}) - julianday(${a})) * 86400.0)` : `EXTRACT(EPOCH FROM (${b} - ${a}))`;
}

/**
 * The from-scratch aggregation: every day with events up to the leak cursor is recomputed whole from the stored
 * events, set-based in SQL (what lib/stats/funnel.ts `foldVisits` defines). The incremental fold must give exactly
 * these rows (tests compare them); it also repairs a shop's day rows (the visit states stay valid).
 */
export async function aggregateLeakDaysFromScratch(shop: string, d: Dialect = currentDialect()): Promise<number> {
  const sql = dialectSql(d);
  const zone = await measurementZone(prisma, shop, d);
  const cursor = await prisma.leakCursor.findUnique({ where: { shop }, select: { lastEventId: true } });
  const upTo = cursor?.lastEventId ?? 0;
  const [range] = await prisma.$queryRawUnsafe<{ a: unknown; b: unknown }[]>(
    sql.q(`SELECT MIN("occurredAt") AS a, MAX("occurredAt") AS b FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" <= ?`), shop, upTo,
  );
  const all = sqlDays(d, zone, toMs(range?.a), toMs(range?.b));
  const rows = await prisma.$queryRawUnsafe<{ day: string }[]>(
    sql.q(`SELECT DISTINCT ${sql.day(`"occurredAt"`, all)} AS "day" FROM ${sql.t("Event")} WHERE "shop" = ? AND "id" <= ?`), shop, upTo,
  );
  const dayList = rows.map((r) => r.day).sort();
  for (const run of runsOf(dayList)) {
    const fromMs = dayStart(run[0], zone);
    const toMs = dayStart(addDays(run[run.length - 1], 1), zone);
    await prisma.$transaction(
      async (tx) => {
        await lockShopMeasurement(tx, shop, d);
        await foldVisitsOfDays(tx, shop, run, sql.tsValue(new Date(fromMs)), sql.tsValue(new Date(toMs)), sqlDays(d, zone, fromMs, toMs), d, upTo);
        await rebuildWeek(tx, shop, weekOf(run[0]), d);
      },
      { timeout: 600_000, maxWait: 60_000 },
    );
  }
  return dayList.length;
}

async function foldVisitsOfDays(tx: Tx, shop: string, dayList: string[], from: string, to: string, days: SqlDays, d: Dialect, upTo: number): Promise<void> {
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
            WHERE "shop" = ? AND "occurredAt" >= ${sql.ts} AND "occurredAt" < ${sql.ts} AND "id" <= ?
              AND "type" IN ('page_view', 'add_to_cart', 'remove_from_cart', 'checkout_started')) AS e
      WHERE ${inDays}`)),
    shop, from, to, upTo, ...dayList,
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

