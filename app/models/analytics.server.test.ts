import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { analyzeLift } from "../lib/stats/lift";
import { sampleSizeTwoProportions } from "../lib/stats/sampleSize";
import { analyticsRange } from "./adminData.server";
import { normalizeRange, playReport, reportCsv } from "./analytics.server";

let seq = 0;
let shop = "";
beforeEach(() => {
  shop = `analytics-${++seq}.myshopify.com`;
});

type Row = { day: string; play: string; arm: string; eligible: number; shown?: number; engaged?: number; orders?: number; revenue?: number; discount?: number };
const put = (rows: Row[], s = shop) =>
  prisma.dailyPlayStat.createMany({ data: rows.map((r) => ({ shown: 0, engaged: 0, orders: 0, revenue: 0, discount: 0, ...r, shop: s })) });

describe("playReport", () => {
  it("GIVEN daily stats WHEN reported over a range THEN each arm's funnel sums the days inside it only", async () => {
    await put([
      { day: "2026-03-01", play: "vip", arm: "treatment", eligible: 100, shown: 80, engaged: 20, orders: 6, revenue: 600, discount: 0 },
      { day: "2026-03-02", play: "vip", arm: "treatment", eligible: 50, shown: 40, engaged: 10, orders: 3, revenue: 300.5 },
      { day: "2026-03-02", play: "vip", arm: "holdout", eligible: 20, orders: 1, revenue: 90 },
      { day: "2026-03-09", play: "vip", arm: "treatment", eligible: 1000, orders: 500 },
    ]);
    const r = await playReport(shop, { from: "2026-03-01", to: "2026-03-07" });
    const vip = r.plays.find((p) => p.play === "vip")!;
    expect(vip.treatment).toMatchObject({ eligible: 150, shown: 120, engaged: 30, ordered: 9, revenue: 900.5 });
    expect(vip.holdout).toMatchObject({ eligible: 20, ordered: 1, revenue: 90 });
    expect(vip.treatment.conversion.estimate).toBeCloseTo(9 / 150, 12);
  });

  it("GIVEN arm totals WHEN reported THEN the lift analysis is the one computed on those totals", async () => {
    await put([
      { day: "2026-03-01", play: "deal_seeker", arm: "treatment", eligible: 9000, orders: 540, revenue: 27000, discount: 1300 },
      { day: "2026-03-01", play: "deal_seeker", arm: "holdout", eligible: 1000, orders: 40, revenue: 2000 },
    ]);
    const row = (await playReport(shop, { from: "2026-03-01", to: "2026-03-01" })).plays.find((p) => p.play === "deal_seeker")!;
    const expected = analyzeLift({ visitors: 9000, converted: 540, revenue: 27000 }, { visitors: 1000, converted: 40, revenue: 2000 });
    expect(row.analysis.difference).toEqual(expected.difference);
    expect(row.analysis.incrementalOrders.estimate).toBeCloseTo((0.06 - 0.04) * 9000, 6);
    expect(row.analysis.verdict).toBe(expected.verdict);
    expect(row.discountCost).toBe(1300);
  });

  it("GIVEN a play without data WHEN reported THEN it plans with the shop's holdout share from its settings", async () => {
    await prisma.playConfig.create({ data: { shop, play: "confidence", settings: JSON.stringify({ holdoutPercent: 25 }) } });
    const row = (await playReport(shop, { from: "2026-03-01", to: "2026-03-01" })).plays.find((p) => p.play === "confidence")!;
    expect(row.analysis.verdict).toBe("not_enough_data");
    expect(row.analysis.plan.required).toEqual(sampleSizeTwoProportions({ baseline: 0.03, target: 0.036, ratio: 3 }));
  });

  it("GIVEN sparse days WHEN reported THEN the series has a zero-filled point per day and play", async () => {
    await put([{ day: "2026-03-02", play: "indecision", arm: "holdout", eligible: 10, orders: 2, revenue: 50 }]);
    const r = await playReport(shop, { from: "2026-03-01", to: "2026-03-03" });
    expect(r.series).toHaveLength(3 * 4);
    const p = r.series.find((s) => s.day === "2026-03-02" && s.play === "indecision")!;
    expect(p.holdout).toEqual({ eligible: 10, ordered: 2, revenue: 50, conversion: 0.2 });
    expect(r.series.find((s) => s.day === "2026-03-01" && s.play === "indecision")!.holdout.eligible).toBe(0);
  });

  it("GIVEN another shop's stats WHEN reported THEN they are not included", async () => {
    await put([{ day: "2026-03-01", play: "vip", arm: "treatment", eligible: 7 }], `${shop}-other`);
    const r = await playReport(shop, { from: "2026-03-01", to: "2026-03-01" });
    expect(r.plays.every((p) => p.treatment.eligible === 0 && p.holdout.eligible === 0)).toBe(true);
  });
});

describe("normalizeRange", () => {
  it("GIVEN Dates WHEN normalised THEN inclusive UTC days are listed", () => {
    expect(normalizeRange({ from: new Date("2026-03-01T23:00:00Z"), to: "2026-03-03" }).days).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });

  it("GIVEN 'the last 7 days' just after a Los Angeles midnight that follows the DST switch WHEN normalised THEN it is 7 local days, not 8", () => {
    // 2026-03-09T07:30Z is 00:30 on 9 March in Los Angeles; seven 24-hour steps back is 23:30 on 2 March (PST).
    const to = new Date("2026-03-09T07:30:00Z");
    const range = { from: new Date(to.getTime() - 6 * 86_400_000), to, lastDays: 7 };
    expect(normalizeRange(range, "America/Los_Angeles").days).toEqual(["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"]);
    expect(normalizeRange({ from: range.from, to }, "America/Los_Angeles").days).toHaveLength(8);
  });

  it.each([
    [{ from: "2026-03-05", to: "2026-03-01" }],
    [{ from: "2026-13-01", to: "2026-13-02" }],
    [{ from: "yesterday", to: "2026-03-01" }],
    [{ from: "2020-01-01", to: "2026-01-01" }],
  ])("GIVEN an invalid range %j WHEN normalised THEN it throws RangeError", (range) => {
    expect(() => normalizeRange(range)).toThrow(RangeError);
  });
});

describe("reportCsv", () => {
  it("GIVEN stats WHEN exported as summary THEN there is a header and one row per play with the verdict label", async () => {
    await put([{ day: "2026-03-01", play: "vip", arm: "treatment", eligible: 10, orders: 1, revenue: 10 }]);
    const lines = (await reportCsv(shop, { from: "2026-03-01", to: "2026-03-01" })).trimEnd().split("\r\n");
    expect(lines).toHaveLength(5);
    expect(lines[0].split(",").slice(0, 4)).toEqual(["from", "to", "play", "treatment_eligible"]);
    const vip = lines.find((l) => l.split(",")[2] === "vip")!.split(",");
    expect(vip[3]).toBe("10");
    // Treated visitors only, nobody in the holdout: there is nothing to compare with.
    expect(vip.at(-3)).toBe("no holdout: lift cannot be measured");
  });

  it("GIVEN both arms with visitors WHEN exported THEN the verdict is a measured one", async () => {
    await put([
      { day: "2026-03-01", play: "vip", arm: "treatment", eligible: 90, orders: 3, revenue: 30 },
      { day: "2026-03-01", play: "vip", arm: "holdout", eligible: 10, orders: 0, revenue: 0 },
    ]);
    const lines = (await reportCsv(shop, { from: "2026-03-01", to: "2026-03-01" })).trimEnd().split("\r\n");
    expect(lines.find((l) => l.split(",")[2] === "vip")!.split(",").at(-3)).toBe("not enough data yet");
  });

  it("GIVEN stats WHEN exported daily THEN each stored row appears and formula-like text is neutralised", async () => {
    await put([
      { day: "2026-03-01", play: "vip", arm: "holdout", eligible: 3, orders: 1, revenue: 12.345 },
      { day: "2026-03-01", play: "=HYPERLINK(\"x\")", arm: "treatment", eligible: 1 },
    ]);
    const csv = await reportCsv(shop, { from: "2026-03-01", to: "2026-03-01" }, "daily");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("day,play,arm,eligible,shown,engaged,ordered,revenue,discount");
    expect(lines).toContain("2026-03-01,vip,holdout,3,0,0,1,12.35,0");
    expect(lines).toContain(`2026-03-01,"'=HYPERLINK(""x"")",treatment,1,0,0,0,0,0`);
  });
});

describe("reports on a shop's local days", () => {
  const LA = "America/Los_Angeles";
  // 05:00 UTC on March 8th is 21:00 on March 7th in Los Angeles.
  const now = new Date("2026-03-08T05:00:00Z");
  const lastWeek = () => analyticsRange(new URLSearchParams("days=7"), now);

  it("GIVEN a Los Angeles shop WHEN the last 7 days are reported THEN the range ends on the Los Angeles date", async () => {
    await prisma.shop.create({ data: { shop, ianaTimezone: LA, statsZone: LA } });
    const r = await playReport(shop, lastWeek());
    expect([r.from, r.to]).toEqual(["2026-03-01", "2026-03-07"]);
    expect(new Set(r.series.map((p) => p.day)).size).toBe(7);
  });

  it("GIVEN a shop without a zone WHEN the last 7 days are reported THEN the range ends on the UTC date", async () => {
    await prisma.shop.create({ data: { shop } });
    const r = await playReport(shop, lastWeek());
    expect([r.from, r.to]).toEqual(["2026-03-02", "2026-03-08"]);
  });

  it("GIVEN a Los Angeles shop WHEN the last 7 days are exported daily THEN the rows are those of its local days", async () => {
    await prisma.shop.create({ data: { shop, ianaTimezone: LA, statsZone: LA } });
    await put([
      { day: "2026-02-28", play: "vip", arm: "treatment", eligible: 1 },
      { day: "2026-03-07", play: "vip", arm: "treatment", eligible: 2 },
      { day: "2026-03-08", play: "vip", arm: "treatment", eligible: 3 },
    ]);
    const lines = (await reportCsv(shop, lastWeek(), "daily")).trimEnd().split("\r\n").slice(1);
    expect(lines.map((l) => l.split(",").slice(0, 4))).toEqual([["2026-03-07", "vip", "treatment", "2"]]);
  });

  it("GIVEN a zone stored but stats not yet rebuilt in it WHEN reported THEN the range follows the days the stats are keyed by (UTC)", async () => {
    await prisma.shop.create({ data: { shop, ianaTimezone: LA } });
    const r = await playReport(shop, lastWeek());
    expect(r.to).toBe("2026-03-08");
  });
});
