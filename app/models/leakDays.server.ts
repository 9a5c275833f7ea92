// Leak finder day rows: where the fold's statements run (a Prisma transaction, or the fold's own SQLite
// connection), the 7-day blocks (LeakPathWeek) rebuilt from their days, and PlayMoneyDay recomputed from
// PlayExposure. Shared by the incremental fold (leakFold.server.ts) and the from-scratch aggregation and repairs
// (leakScratch.server.ts).
import prisma from "../db.server";
import type { Prisma, PrismaClient } from "@prisma/client";
import { addDays, dayStart } from "../lib/stats/days";
import { currentDialect, dialectSql, sqlDays, sqlString, type Dialect } from "../db/dialect";
import { encodeVisit, type VisitState } from "../lib/stats/visitFold";

type Tx = Prisma.TransactionClient | PrismaClient;

export type Row = unknown[];

/**
 * Where a fold's statements run: a Prisma transaction (PostgreSQL, and the small order and erasure folds), or on
 * SQLite a direct better-sqlite3 connection, which reads and writes rows several times faster than the Prisma
 * client (docs/performance.md). Statements are the same `dialectSql` text; rows come back as arrays.
 */
export interface FoldIO {
  d: Dialect;
  query(text: string, ...params: unknown[]): Promise<Row[]> | Row[];
  exec(text: string, ...params: unknown[]): Promise<number> | number;
  writeStates(shop: string, states: { day: string; visitorId: string; state: VisitState }[]): Promise<void> | void;
}

export function prismaIO(tx: Tx, d: Dialect): FoldIO {
  const sql = dialectSql(d);
  return {
    d,
    query: async (text, ...params) => (await tx.$queryRawUnsafe<Record<string, unknown>[]>(sql.q(text), ...params)).map((r) => Object.values(r)),
    exec: (text, ...params) => tx.$executeRawUnsafe(sql.q(text), ...params),
    async writeStates(shop, states) {
      for (let i = 0; i < states.length; i += 1000) {
        const values = states.slice(i, i + 1000).map((r) => `(${sqlString(shop)}, ${sqlString(r.day)}, ${sqlString(r.visitorId)}, ${sqlString(encodeVisit(r.state))})`);
        await tx.$executeRawUnsafe(
          `INSERT INTO ${sql.t("LeakVisit")} ("shop", "day", "visitorId", "state") VALUES ${values.join(", ")}
           ON CONFLICT ("shop", "day", "visitorId") DO UPDATE SET "state" = excluded."state"`,
        );
      }
    },
  };
}

export const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : v == null ? NaN : Date.parse(String(v)));


/**
 * The 7-day block a day belongs to, named by its first day: blocks start on Mondays, counted from 1970-01-05, so a
 * block never depends on the range asked for.
 */
export function weekOf(day: string): string {
  const n = Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  return addDays(day, -((((n - 4) % 7) + 7) % 7));
}

/** Dirty days grouped by their 7-day block: one pass (and one transaction) per block, which it then rebuilds. */
export function runsOf(days: string[]): string[][] {
  const runs = new Map<string, string[]>();
  for (const day of [...days].sort()) runs.set(weekOf(day), [...(runs.get(weekOf(day)) ?? []), day]);
  return [...runs.values()];
}

export const PATH_SUMS = ["views", "exits", "abandoned", "policy", "stall", "cycles", "repeat"] as const;

/** Rebuilds a block's LeakPathWeek rows from its LeakPathDay rows. */
export async function rebuildWeek(tx: Tx, shop: string, week: string, d: Dialect): Promise<void> {
  await rebuildWeekIO(prismaIO(tx, d), shop, week);
}

export async function rebuildWeekIO(io: FoldIO, shop: string, week: string): Promise<void> {
  const sql = dialectSql(io.d);
  await io.exec(`DELETE FROM ${sql.t("LeakPathWeek")} WHERE "shop" = ? AND "week" = ?`, shop, week);
  await io.exec(
    `INSERT INTO ${sql.t("LeakPathWeek")} ("shop", "week", "kind", "path", "pageType", ${PATH_SUMS.map((c) => `"${c}"`).join(", ")})
      SELECT ?, ?, "kind", "path", MIN("pageType"), ${PATH_SUMS.map((c) => `SUM("${c}")`).join(", ")}
      FROM ${sql.t("LeakPathDay")} WHERE "shop" = ? AND "day" >= ? AND "day" <= ? GROUP BY "kind", "path"`,
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

/** Recomputes PlayMoneyDay for whole days (from PlayExposure), the days of each 7-day block in one transaction. */
export async function foldMoneyDays(shop: string, moneyDays: string[], zone: string | null, d: Dialect): Promise<void> {
  const sql = dialectSql(d);
  for (const m of runsOf([...new Set(moneyDays)])) {
    const fromMs = dayStart(m[0], zone);
    const toMs = dayStart(addDays(m[m.length - 1], 1), zone);
    const days = sqlDays(d, zone, fromMs, toMs);
    await prisma.$transaction(
      async (tx) => {
        await tx.playMoneyDay.deleteMany({ where: { shop, day: { in: m } } });
        await tx.$executeRawUnsafe(
          sql.q(`INSERT INTO ${sql.t("PlayMoneyDay")} ("shop", "day", "play", "arm", "visitors", "revenue", "revenueSq", "discount", "discountSq", "cross")
            SELECT ?, x."d", x."play", x."arm", COUNT(*), SUM(x."revenue"), SUM(x."revenue" * x."revenue"), SUM(x."discount"), SUM(x."discount" * x."discount"), SUM(x."revenue" * x."discount")
            FROM (SELECT ${sql.day(`"firstEligibleAt"`, days)} AS "d", "play", "arm", "revenue", "discount" FROM ${sql.t("PlayExposure")}
                  WHERE "shop" = ? AND "firstEligibleAt" >= ${sql.ts} AND "firstEligibleAt" < ${sql.ts}) AS x
            WHERE x."d" IN (${m.map(() => "?").join(", ")})
            GROUP BY x."d", x."play", x."arm"`),
          shop, shop, sql.tsValue(new Date(fromMs)), sql.tsValue(new Date(toMs)), ...m,
        );
      },
      { timeout: 600_000, maxWait: 60_000 },
    );
  }
}

