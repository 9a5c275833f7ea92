import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { foldVisits, sumAggregates, type DayAggregate, type VisitEvent } from "../lib/stats/funnel";
import { foldLeaks } from "./leakFold.server";
import { aggregateLeakDaysFromScratch } from "./leakScratch.server";
import { loadLeakRange, loadPlayMoney } from "./leaks.server";
import { eraseCustomerEvents } from "./retention.server";
import { mulberry32 } from "../lib/stats/random";

let seq = 0;
let shop = "";
beforeEach(() => {
  shop = `leaks-${++seq}.myshopify.com`;
});

type Ev = VisitEvent & { visitorId: string };
const DAY = Date.UTC(2026, 2, 5);

/** Random visits on one UTC day: page views of a few kinds and paths, cart events, gaps of 1–90 s (distinct times). */
function randomVisits(seed: number, count: number): Ev[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const pages = [["home", "/"], ["product", "/products/a"], ["product", "/products/b"], ["product", "/products/c"], ["cart", "/cart"], ["info", "/policies/refund-policy"], ["collection", "/collections/all"]] as const;
  const out: Ev[] = [];
  for (let v = 0; v < count; v++) {
    const visitorId = `visitor-${seed}-${v}`;
    let t = DAY + Math.floor(r() * 20 * 3_600_000);
    const n = 1 + Math.floor(r() * 9);
    for (let i = 0; i < n; i++) {
      t += 1000 + Math.floor(r() * 89_000);
      const x = r();
      if (x < 0.6 || i === 0) {
        const [pageType, path] = pick(pages);
        out.push({ visitorId, type: "page_view", pageType, path, at: t });
      } else out.push({ visitorId, type: pick(["add_to_cart", "remove_from_cart", "checkout_started"] as const), at: t });
    }
  }
  return out;
}

async function store(events: Ev[]) {
  await prisma.event.createMany({
    data: events.map((e) => ({ shop, visitorId: e.visitorId, type: e.type, pageType: e.pageType ?? null, path: e.path ?? null, occurredAt: new Date(e.at) })),
  });
  // The leak fold reads only what the rollup has settled: move its cursor past the events.
  const max = await prisma.event.aggregate({ where: { shop }, _max: { id: true } });
  await prisma.rollupCursor.upsert({ where: { shop }, create: { shop, lastEventId: max._max.id ?? 0 }, update: { lastEventId: max._max.id ?? 0 } });
}

function reference(events: Ev[], ordered: Set<string>): DayAggregate {
  const byVisitor = new Map<string, Ev[]>();
  for (const e of events) byVisitor.set(e.visitorId, [...(byVisitor.get(e.visitorId) ?? []), e]);
  return foldVisits([...byVisitor].map(([id, evs]) => ({ events: evs, ordered: ordered.has(id) })));
}

const sorted = (a: DayAggregate) => ({
  funnel: a.funnel,
  pages: [...a.pages].sort((x, y) => x.path.localeCompare(y.path)),
  products: [...a.products].sort((x, y) => x.path.localeCompare(y.path)),
});

describe("foldLeaks", () => {
  it("GIVEN random visits and some orders WHEN folded THEN the stored day equals the reference fold of lib/stats/funnel", async () => {
    const events = randomVisits(7, 300);
    await store(events);
    const ordered = new Set<string>();
    for (const id of [...new Set(events.map((e) => e.visitorId))].filter((_, i) => i % 5 === 0)) {
      ordered.add(id);
      await prisma.orderAttribution.create({ data: { shop, orderId: `o-${id}`, visitorId: id, total: 10, createdAt: new Date(DAY + 23 * 3_600_000) } });
    }
    const r = await foldLeaks(shop);
    expect(r.days).toBe(1);
    const { aggregate } = await loadLeakRange(shop, "2026-03-05", "2026-03-05");
    expect(sorted(aggregate)).toEqual(sorted(reference(events, ordered)));
  });

  it("GIVEN a day folded once WHEN more events of that day arrive THEN the day is recomputed, not added twice", async () => {
    const first = randomVisits(11, 100);
    await store(first);
    await foldLeaks(shop);
    const more = randomVisits(12, 50);
    await store(more);
    await foldLeaks(shop);
    await foldLeaks(shop);
    const { aggregate } = await loadLeakRange(shop, "2026-03-05", "2026-03-05");
    expect(sorted(aggregate)).toEqual(sorted(reference([...first, ...more], new Set())));
  });

  it("GIVEN an order stored after the day was folded WHEN folded again THEN the visit counts as ordered", async () => {
    const events: Ev[] = [
      { visitorId: "shopper-1", type: "page_view", pageType: "product", path: "/products/a", at: DAY + 1000 },
      { visitorId: "shopper-1", type: "add_to_cart", at: DAY + 2000 },
    ];
    await store(events);
    await foldLeaks(shop);
    expect((await loadLeakRange(shop, "2026-03-05", "2026-03-05")).aggregate.funnel).toMatchObject({ adds: 1, abandonedCarts: 1, orders: 0 });
    await prisma.orderAttribution.create({ data: { shop, orderId: "o-1", visitorId: "shopper-1", total: 10, createdAt: new Date(DAY + 5000) } });
    await foldLeaks(shop);
    expect((await loadLeakRange(shop, "2026-03-05", "2026-03-05")).aggregate.funnel).toMatchObject({ adds: 1, abandonedCarts: 0, orders: 1 });
  });

  it("GIVEN two days WHEN a range covers both THEN the range sums them and keeps one daily row each", async () => {
    const a = randomVisits(21, 40);
    const b = randomVisits(22, 40).map((e) => ({ ...e, visitorId: e.visitorId + "-b", at: e.at + 86_400_000 }));
    await store([...a, ...b]);
    await foldLeaks(shop);
    const { aggregate, daily } = await loadLeakRange(shop, "2026-03-05", "2026-03-06");
    expect(daily.map((x) => x.day)).toEqual(["2026-03-05", "2026-03-06"]);
    expect(sorted(aggregate)).toEqual(sorted(sumAggregates([reference(a, new Set()), reference(b, new Set())])));
  });

  it("GIVEN days across three 7-day blocks WHEN ranges cut blocks anywhere THEN each sums exactly its days", async () => {
    // 2026-03-05 is a Thursday: 17 days reach into the blocks starting Monday 2026-03-02, 03-09 and 03-16.
    const perDay = Array.from({ length: 17 }, (_, i) =>
      randomVisits(40 + i, 6).map((e) => ({ ...e, visitorId: `${e.visitorId}-d${i}`, at: e.at + i * 86_400_000 })),
    );
    await store(perDay.flat());
    await foldLeaks(shop);
    const day = (i: number) => new Date(DAY + i * 86_400_000).toISOString().slice(0, 10);
    for (const [a, b] of [[0, 16], [4, 11], [4, 10], [1, 3], [5, 5]]) {
      const { aggregate } = await loadLeakRange(shop, day(a), day(b));
      const expected = sumAggregates(perDay.slice(a, b + 1).map((evs) => reference(evs, new Set())));
      expect({ range: [a, b], ...sorted(aggregate) }).toEqual({ range: [a, b], ...sorted(expected) });
    }
  });

  it("GIVEN exposures with orders WHEN folded THEN each arm's money moments are stored on the day first eligible", async () => {
    await store([{ visitorId: "x-1", type: "page_view", pageType: "home", path: "/", at: DAY + 1000 }]);
    await prisma.playExposure.createMany({
      data: [
        { shop, play: "deal_seeker", visitorId: "x-1", arm: "treatment", firstEligibleAt: new Date(DAY + 1000), orders: 1, revenue: 90, discount: 10 },
        { shop, play: "deal_seeker", visitorId: "x-2", arm: "treatment", firstEligibleAt: new Date(DAY + 2000) },
        { shop, play: "deal_seeker", visitorId: "x-3", arm: "holdout", firstEligibleAt: new Date(DAY + 3000), orders: 1, revenue: 50 },
      ],
    });
    await foldLeaks(shop);
    const money = (await loadPlayMoney(shop, "2026-03-05", "2026-03-05")).get("deal_seeker");
    expect(money?.treatment).toEqual({ visitors: 2, revenue: 90, revenueSq: 8100, discount: 10, discountSq: 100, cross: 900 });
    expect(money?.holdout).toEqual({ visitors: 1, revenue: 50, revenueSq: 2500, discount: 0, discountSq: 0, cross: 0 });
  });

  it("GIVEN events the rollup has not settled WHEN folded THEN nothing is read past the rollup cursor", async () => {
    await prisma.event.create({ data: { shop, visitorId: "late-1", type: "page_view", pageType: "home", path: "/", occurredAt: new Date(DAY) } });
    expect(await foldLeaks(shop)).toEqual({ days: 0, events: 0 });
    expect(await prisma.leakFunnelDay.count({ where: { shop } })).toBe(0);
  });
});

describe("incremental visit fold", () => {
  type Stored = Ev & { customerId?: string };
  const rows = async (s: string) => ({
    funnel: (await prisma.leakFunnelDay.findMany({ where: { shop: s }, orderBy: { day: "asc" } })).map(({ shop: _s, ...r }) => r),
    paths: (await prisma.leakPathDay.findMany({ where: { shop: s }, orderBy: [{ day: "asc" }, { kind: "asc" }, { path: "asc" }] })).map(({ shop: _s, ...r }) => r),
    weeks: (await prisma.leakPathWeek.findMany({ where: { shop: s }, orderBy: [{ week: "asc" }, { kind: "asc" }, { path: "asc" }] })).map(({ shop: _s, ...r }) => r),
  });
  const put = async (s: string, events: Stored[]) => {
    if (events.length) {
      await prisma.event.createMany({
        data: events.map((e) => ({ shop: s, visitorId: e.visitorId, customerId: e.customerId ?? null, type: e.type, pageType: e.pageType ?? null, path: e.path ?? null, occurredAt: new Date(e.at) })),
      });
    }
    const max = await prisma.event.aggregate({ where: { shop: s }, _max: { id: true } });
    await prisma.rollupCursor.upsert({ where: { shop: s }, create: { shop: s, lastEventId: max._max.id ?? 0 }, update: { lastEventId: max._max.id ?? 0 } });
  };
  const order = (s: string, visitorId: string, at: number) =>
    prisma.orderAttribution.create({ data: { shop: s, orderId: `o-${visitorId}-${at}`, visitorId, total: 10, createdAt: new Date(at) } });

  for (const zone of [null, "America/Los_Angeles"]) {
    it(`GIVEN events arriving in batches, out of order, with late orders and an erasure (zone ${zone ?? "UTC"}) WHEN folded incrementally in small chunks THEN every day row equals a from-scratch aggregation of the same events`, async () => {
      const inc = shop;
      const ref = `${shop}-ref`;
      if (zone) await prisma.shop.createMany({ data: [inc, ref].map((s) => ({ shop: s, ianaTimezone: zone, statsZone: zone })) });
      // Three days of visits; some visitors come back the same day (earlier or later than their first visit), and
      // one customer's visitor is erased at the end.
      const r = mulberry32(99);
      const events: Stored[] = [];
      for (let day = 0; day < 3; day++) {
        for (const e of randomVisits(300 + day, 120)) events.push({ ...e, visitorId: `${e.visitorId}-d${day}`, at: e.at + day * 86_400_000 });
      }
      const visitors = [...new Set(events.map((e) => e.visitorId))];
      for (const v of visitors.filter((_, i) => i % 7 === 0)) {
        const again = randomVisits(Math.floor(r() * 1e6), 1).map((e) => ({ ...e, visitorId: v, at: e.at + Math.floor(r() * 2) * 86_400_000 }));
        events.push(...again);
      }
      for (const e of events) if (e.visitorId === visitors[3] || e.visitorId === visitors[40]) e.customerId = "4242";
      // Arrival: shuffled into 5 batches, so later batches carry events earlier than visits already folded.
      const shuffled = events.map((e) => ({ e, k: r() })).sort((a, b) => a.k - b.k).map((x) => x.e);
      const batches = Array.from({ length: 5 }, (_, i) => shuffled.filter((_, j) => j % 5 === i));
      const orderAt = (v: string) => events.find((e) => e.visitorId === v)!.at + 60_000;
      // Orders are stored in the order they were placed (a webhook within the lookback may lag), a fifth per batch.
      const buyers = visitors.filter((_, i) => i % 6 === 0).sort((x, y) => orderAt(x) - orderAt(y));

      for (const [i, batch] of batches.entries()) {
        await put(inc, batch);
        for (const v of buyers.slice(Math.floor((i * buyers.length) / 5), Math.floor(((i + 1) * buyers.length) / 5))) await order(inc, v, orderAt(v));
        await foldLeaks(inc, { chunkSize: 37 + i * 50 });
      }
      await eraseCustomerEvents(inc, "4242");
      await foldLeaks(inc);

      await put(ref, events);
      for (const v of buyers) await order(ref, v, orderAt(v));
      await eraseCustomerEvents(ref, "4242");
      const max = await prisma.event.aggregate({ where: { shop: ref }, _max: { id: true } });
      await prisma.leakCursor.create({ data: { shop: ref, lastEventId: max._max.id ?? 0 } });
      expect(await aggregateLeakDaysFromScratch(ref)).toBeGreaterThanOrEqual(3);

      const [a, b] = [await rows(inc), await rows(ref)];
      expect(a.funnel.length).toBeGreaterThanOrEqual(3);
      expect(a.funnel.reduce((n, f) => n + f.orders, 0)).toBeGreaterThan(0);
      expect(a.paths.some((p) => p.stall > 0) && a.paths.some((p) => p.abandoned > 0) && a.paths.some((p) => p.repeat > 0)).toBe(true);
      expect(a).toEqual(b);
      expect(await prisma.leakVisit.count({ where: { shop: inc, visitorId: { in: [visitors[3], visitors[40]] } } })).toBe(0);
    });
  }
});
