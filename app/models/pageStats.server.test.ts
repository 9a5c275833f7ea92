import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { refreshPageStats } from "./pageStats.server";
import { buildPublishedConfig } from "./publish.server";
import { forgetVisitorKeys, signNewVisitorId, visitorKey } from "./visitors.server";
import { signedVisitorFor } from "../../tests/helpers/visitors";

const SHOP = "pages.myshopify.com";
const t0 = new Date("2026-11-20T10:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

async function view(visitorId: string, pageType: string, min: number) {
  await prisma.event.create({ data: { shop: SHOP, visitorId, type: "page_view", pageType, occurredAt: at(min) } });
}

describe("page aggregates from the event stream", () => {
  beforeEach(async () => {
    await resetDatabase();
    forgetVisitorKeys();
    await prisma.shop.create({ data: { shop: SHOP } });
  });

  it("GIVEN a buying two-page session and a one-page bounce WHEN refreshed THEN GA bounce, exit and page value come out", async () => {
    const [a, b] = [await signedVisitorFor(SHOP), await signedVisitorFor(SHOP)];
    await view(a, "product", 0);
    await view(a, "cart", 2);
    await prisma.orderAttribution.create({ data: { shop: SHOP, orderId: "1", visitorId: a, total: 100, createdAt: at(5) } });
    await view(b, "product", 1);
    const sessions = await refreshPageStats(SHOP, { now: at(60) });
    expect(sessions).toBe(2);
    const product = await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "product" } } });
    expect(product).toMatchObject({ pageviews: 2, uniquePageviews: 2, entrances: 2, bounces: 1, exits: 1, value: 100 });
    const cfg = await buildPublishedConfig(SHOP, 1);
    expect(cfg.pageStats.product).toEqual({ bounceRate: 0.5, exitRate: 0.5, pageValue: 50 });
    expect(cfg.pageStats.cart).toEqual({ bounceRate: 0, exitRate: 1, pageValue: 100 });
  });

  it("GIVEN the same visitor back after 45 minutes WHEN refreshed THEN it counts as two sessions", async () => {
    const c = await signedVisitorFor(SHOP);
    await view(c, "home", 0);
    await view(c, "home", 45);
    expect(await refreshPageStats(SHOP, { now: at(60) })).toBe(2);
    const home = await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "home" } } });
    expect(home).toMatchObject({ entrances: 2, bounces: 2 });
  });

  it("GIVEN another shop's events WHEN refreshed THEN they are not counted", async () => {
    await prisma.event.create({ data: { shop: "other.myshopify.com", visitorId: await signedVisitorFor("other.myshopify.com"), type: "page_view", pageType: "product", occurredAt: at(0) } });
    expect(await refreshPageStats(SHOP, { now: at(60) })).toBe(0);
    expect(await prisma.pageStat.count({ where: { shop: SHOP } })).toBe(0);
  });
});

describe("page aggregates cannot be steered by the visitor ids", () => {
  beforeEach(async () => {
    await resetDatabase();
    forgetVisitorKeys();
    await prisma.shop.create({ data: { shop: SHOP } });
  });

  async function views(rows: { visitorId: string; pageType: string; min: number }[]) {
    await prisma.event.createMany({ data: rows.map((r) => ({ shop: SHOP, visitorId: r.visitorId, type: "page_view", pageType: r.pageType, occurredAt: at(r.min) })) });
  }

  it("GIVEN ids the app never signed (sorted first, and from before signing) WHEN refreshed THEN only the signed visitors count", async () => {
    const real = [await signedVisitorFor(SHOP), await signedVisitorFor(SHOP)];
    await views(real.flatMap((id) => [{ visitorId: id, pageType: "product", min: 0 }, { visitorId: id, pageType: "cart", min: 1 }]));
    const unsigned = ["visitor-aaaa", "-".repeat(22) + "." + "-".repeat(22), ...Array.from({ length: 60 }, (_, i) => `${"-0!"[i % 3]}flood-${i}`)];
    await views(unsigned.map((id) => ({ visitorId: id, pageType: "product", min: 2 })));

    expect(await refreshPageStats(SHOP, { now: at(60), maxViews: 40 })).toBe(2);
    const product = await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "product" } } });
    expect(product).toMatchObject({ pageviews: 2, entrances: 2, bounces: 0 });
  });

  it("GIVEN signed ids ground to sort first flooding a bounded refresh WHEN refreshed THEN they weigh their share of visitors, not the whole sample", async () => {
    // 400 real visitors who never bounce on a product page (product → cart) and 40 attacker visitors the app did
    // sign, kept only when their nonce starts with "-0" (first under byte order and under PostgreSQL's locale
    // collations, which skip the "-"), each bouncing once. The budget holds about 40 visitors of the 440.
    const key = (await visitorKey(SHOP))!;
    const real = Array.from({ length: 400 }, () => signNewVisitorId(key));
    const attackers: string[] = [];
    while (attackers.length < 40) {
      const id = signNewVisitorId(key);
      if (id.startsWith("-0")) attackers.push(id);
    }
    await views([
      ...real.flatMap((id, i) => [{ visitorId: id, pageType: "product", min: i % 50 }, { visitorId: id, pageType: "cart", min: (i % 50) + 1 }]),
      ...attackers.map((id, i) => ({ visitorId: id, pageType: "product", min: i })),
    ]);

    await refreshPageStats(SHOP, { now: at(120), maxViews: 80 });
    const product = await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "product" } } });
    // Ordered by id, the sample is the 40 attackers and 20 real visitors: bounce rate 2/3. Sampled by keyed hash,
    // about 40/440 of ~42 visitors are attackers: bounce rate ≈ 0.09 (sd ≈ 0.04); 0.3 is five deviations out.
    const bounceRate = product.bounces / product.entrances;
    expect(bounceRate).toBeLessThan(0.3);
    // Real visitors fill the sample (the old order let at most 20 in).
    expect(product.entrances - product.bounces).toBeGreaterThan(25);
    expect(product.pageviews + (await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "cart" } } })).pageviews).toBeLessThanOrEqual(80);
  });

  it("GIVEN a refresh bounded to 30 of 100 visitors WHEN 20 signed ids starting with \"-\" join THEN they take about their share of the places, not all of them", async () => {
    const key = (await visitorKey(SHOP))!;
    const real = Array.from({ length: 100 }, () => signNewVisitorId(key));
    await views(real.map((id, i) => ({ visitorId: id, pageType: "home", min: i % 50 })));
    await refreshPageStats(SHOP, { now: at(120), maxViews: 30 });
    const before = (await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "home" } } })).entrances;
    expect(before).toBe(30);

    const flood: string[] = [];
    while (flood.length < 20) {
      const id = signNewVisitorId(key);
      if (id.startsWith("-")) flood.push(id);
    }
    await views(flood.map((id) => ({ visitorId: id, pageType: "search", min: 0 })));
    await refreshPageStats(SHOP, { now: at(120), maxViews: 30 });
    const home = (await prisma.pageStat.findUnique({ where: { shop_pageKey: { shop: SHOP, pageKey: "home" } } }))?.entrances ?? 0;
    const search = (await prisma.pageStat.findUnique({ where: { shop_pageKey: { shop: SHOP, pageKey: "search" } } }))?.entrances ?? 0;
    // 20 of 120 visitors: about 5 of the 30 places, not all 20 (sd ≈ 1.9).
    expect(home + search).toBe(30);
    expect(search).toBeLessThan(13);
  });
});
