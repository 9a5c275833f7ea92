// The raw-SQL dialect: everything that differs between SQLite and PostgreSQL when the models write SQL themselves
// (set-based rollups, bulk upserts, sweeps). Statements are written once with `?` placeholders and these helpers.
import type { Prisma, PrismaClient } from "@prisma/client";
import { isTimeZone } from "../lib/signals/zone";
import { offsetIntervals, type OffsetInterval } from "../lib/stats/days";
import { databaseConfig, type DbKind } from "./config";

export type Dialect = DbKind;
type Tx = Prisma.TransactionClient | PrismaClient;

export function currentDialect(): Dialect {
  return databaseConfig().kind;
}

/** Every table keyed by a `shop` column (shop/redact erases them in batches, compliance.server). */
export type ShopTable =
  | "Event" | "PlayExposure" | "DailyPlayStat" | "OrderAttribution" | "OrderRefund" | "PageStat" | "RollupCursor"
  | "ShopModel" | "CustomerProfile" | "ProfileOrder" | "SyncJob" | "DataRequest" | "PlayConfig" | "PublishedConfig"
  | "Session" | "WebhookDelivery" | "LeakFunnelDay" | "LeakPathDay" | "LeakPathWeek" | "PlayMoneyDay" | "LeakCursor" | "LeakVisit" | "BundleCode" | "Shop";

/**
 * How SQL maps a timestamp to a shop's measurement day; null = the UTC day. The zone is written into the SQL as a
 * literal, so it must pass SAFE_ZONE (a name `isTimeZone` accepted); `intervals` (SQLite only, which knows no IANA
 * zones) are the zone's UTC offsets over the time range of the rows being mapped.
 */
export type SqlDays = { zone: string; intervals: OffsetInterval[] } | null;

/** IANA zone names as Shopify sends them; anything else never reaches SQL. */
const SAFE_ZONE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** A table name for raw SQL: schema-qualified on PostgreSQL (the adapter does not rewrite raw SQL). */
export function qualifiedTable(d: Dialect, schema: string, name: ShopTable): string {
  return d === "postgres" ? `"${schema.replace(/"/g, '""')}"."${name}"` : `"${name}"`;
}

/** The SQL pieces that differ between SQLite and PostgreSQL. `schema` defaults to DATABASE_URL's. */
export function dialectSql(d: Dialect, schema = databaseConfig().schema) {
  const tsValue = (date: Date): string => {
    const ms = date.getTime();
    return d === "sqlite" ? sqliteIso(ms) : date.toISOString().replace("T", " ").replace("Z", "");
  };
  return {
    /** Schema-qualified table name. */
    t(name: ShopTable): string {
      return qualifiedTable(d, schema, name);
    },
    /** Placeholders: `?` for SQLite, `$1…$n` for PostgreSQL. */
    q(text: string): string {
      if (d === "sqlite") return text;
      let i = 0;
      return text.replace(/\?/g, () => `$${++i}`);
    },
    /**
     * Calendar day (YYYY-MM-DD) of a timestamp column (UTC values) in the shop's zone, or UTC without one — the
     * same day `dayIn` gives in JS. Prisma stores SQLite DateTimes as ISO-8601 text (`tsValue`): SQLite's date()
     * reads it, and the offset intervals are picked by lexicographic comparison on that exact format (a balanced
     * CASE tree, so many intervals cost few comparisons per row).
     */
    day(col: string, days: SqlDays = null): string {
      if (!days) return d === "sqlite" ? `substr(${col}, 1, 10)` : `to_char(${col}, 'YYYY-MM-DD')`;
      if (!SAFE_ZONE.test(days.zone)) throw new RangeError("unsafe time zone name");
      if (d === "postgres") return `to_char((${col} AT TIME ZONE 'UTC') AT TIME ZONE '${days.zone}', 'YYYY-MM-DD')`;
      const iv = days.intervals.length ? days.intervals : [{ until: Infinity, offsetSeconds: 0 }];
      const shifted = (o: number) => (o === 0 ? `substr(${col}, 1, 10)` : `date(${col}, '${o > 0 ? "+" : ""}${Math.trunc(o)} seconds')`);
      const tree = (lo: number, hi: number): string => {
        if (lo === hi) return shifted(iv[lo].offsetSeconds);
        const mid = (lo + hi) >> 1;
        return `CASE WHEN ${col} < '${tsValue(new Date(iv[mid].until))}' THEN ${tree(lo, mid)} ELSE ${tree(mid + 1, hi)} END`;
      };
      return tree(0, iv.length - 1);
    },
    /** A timestamp parameter. */
    ts: d === "sqlite" ? "?" : "CAST(? AS TIMESTAMP(3))",
    /** The value bound to `ts`: the exact text Prisma writes on SQLite, so comparisons stay lexicographic. */
    tsValue,
    tsType: d === "sqlite" ? "TEXT" : "TIMESTAMP(3)",
    realType: d === "sqlite" ? "REAL" : "DOUBLE PRECISION",
    /** Temporary tables: dropped at commit on PostgreSQL; SQLite has no ON COMMIT, so they are dropped by hand. */
    tempSuffix: d === "sqlite" ? "" : " ON COMMIT DROP",
  };
}

/**
 * Upsert tail for tables of counters changed by deltas (the incremental folds): an existing row's `sums` grow by the
 * inserted values, its `minimums` keep the smaller value (compared in the database's collation, as its MIN() does).
 */
export function addOnConflict(table: ShopTable, keys: readonly string[], sums: readonly string[], minimums: readonly string[] = []): string {
  const set = [
    ...minimums.map((c) => `"${c}" = CASE WHEN excluded."${c}" < "${table}"."${c}" THEN excluded."${c}" ELSE "${table}"."${c}" END`),
    ...sums.map((c) => `"${c}" = "${table}"."${c}" + excluded."${c}"`),
  ];
  return `ON CONFLICT (${keys.map((k) => `"${k}"`).join(", ")}) DO UPDATE SET ${set.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones in SQL

// Zone names PostgreSQL's own time zone database knows (it may lag the runtime's ICU data): asked once per name.
const pgZones = new Map<string, boolean>();

/**
 * A zone the measurement may use on this database, or null (UTC): a name the runtime knows, safe to write into
 * SQL, and on PostgreSQL one its time zone database knows too (JS and SQL must make the same days).
 */
export async function usableZone(db: Tx, zone: string | null | undefined, d: Dialect = currentDialect()): Promise<string | null> {
  if (!zone || !SAFE_ZONE.test(zone) || !isTimeZone(zone)) return null;
  if (d === "postgres") {
    let ok = pgZones.get(zone);
    if (ok === undefined) {
      const rows = await db.$queryRawUnsafe<{ c: number | bigint }[]>(`SELECT COUNT(*) AS c FROM pg_timezone_names WHERE name = $1`, zone);
      ok = Number(rows[0]?.c ?? 0) > 0;
      pgZones.set(zone, ok);
    }
    if (!ok) return null;
  }
  return zone;
}

/** SQL day mapping for a zone over rows whose timestamps lie in [from, to] (ms). */
export function sqlDays(d: Dialect, zone: string | null, from: number, to: number): SqlDays {
  if (!zone) return null;
  return { zone, intervals: d === "sqlite" ? offsetIntervals(zone, from, to) : [] };
}

// ---------------------------------------------------------------------------------------------------------------
// SQL literals for batched multi-row statements. Values are validated, not trusted: ids are digits only, numbers
// finite, dates produced here, strings from closed vocabularies or quoted with '' doubling. Literals (rather than
// bind parameters) keep one multi-row statement portable across SQLite and PostgreSQL and are ~3× faster here.

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlNum(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

export function sqlInt(n: number): string {
  return sqlNum(Math.trunc(n));
}

/** Prisma's SQLite adapter stores DateTime as ISO text with "+00:00"; PostgreSQL parses the same literal. */
export function sqlDate(ms: number | null): string {
  return ms === null ? "NULL" : `'${sqliteIso(ms)}'`;
}

export function sqlId(id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw new Error(`not a numeric id: ${id}`);
  return `'${id}'`;
}

/** A value from a closed vocabulary, or NULL. */
export function sqlMember(v: string | null, allowed: ReadonlySet<string>, what: string): string {
  if (v === null) return "NULL";
  if (!allowed.has(v)) throw new Error(`not ${what}: ${v}`);
  return `'${v}'`;
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : sqliteIso(ms);
}

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/**
 * Epoch ms → the text Prisma's SQLite adapter stores for a DateTime ("2026-05-01T10:00:00.000+00:00"), without
 * allocating a Date (hot in the bulk writer). Civil-from-days after H. Hinnant; years 1970–9999.
 */
export function sqliteIso(ms: number): string {
  if (!(ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString().replace("Z", "+00:00");
  const days = Math.floor(ms / 86_400_000);
  let rem = ms - days * 86_400_000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}.${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}+00:00`;
}
