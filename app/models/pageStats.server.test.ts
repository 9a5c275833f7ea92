import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { refreshPageStats } from "./pageStats.server";
import { buildPublishedConfig } from "./publish.server";

const SHOP = "pages.myshopify.com";
const t0 = new Date("2026-11-20T10:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

async function view(visitorId: string, pageType: string, min: number) {
  await prisma.event.create({ data: { shop: SHOP, visitorId, type: "page_view", pageType, occurredAt: at(min) } });
}

describe("page aggregates from the event stream", () => {
  beforeEach(async () => {
    await resetDatabase();
    await prisma.shop.create({ data: { shop: SHOP } });
  });

  it("GIVEN a buying two-page session and a one-page bounce WHEN refreshed THEN GA bounce, exit and page value come out", async () => {
    await view("visitor-aaaa", "product", 0);
    await view("visitor-aaaa", "cart", 2);
    await prisma.orderAttribution.create({ data: { shop: SHOP, orderId: "1", visitorId: "visitor-aaaa", total: 100, createdAt: at(5) } });
    await view("visitor-bbbb", "product", 1);
    const sessions = await refreshPageStats(SHOP, { now: at(60) });
    expect(sessions).toBe(2);
    const product = await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "product" } } });
    expect(product).toMatchObject({ pageviews: 2, uniquePageviews: 2, entrances: 2, bounces: 1, exits: 1, value: 100 });
    const cfg = await buildPublishedConfig(SHOP, 1);
    expect(cfg.pageStats.product).toEqual({ bounceRate: 0.5, exitRate: 0.5, pageValue: 50 });
    expect(cfg.pageStats.cart).toEqual({ bounceRate: 0, exitRate: 1, pageValue: 100 });
  });

  it("GIVEN the same visitor back after 45 minutes WHEN refreshed THEN it counts as two sessions", async () => {
    await view("visitor-cccc", "home", 0);
    await view("visitor-cccc", "home", 45);
    expect(await refreshPageStats(SHOP, { now: at(60) })).toBe(2);
    const home = await prisma.pageStat.findUniqueOrThrow({ where: { shop_pageKey: { shop: SHOP, pageKey: "home" } } });
    expect(home).toMatchObject({ entrances: 2, bounces: 2 });
  });

  it("GIVEN another shop's events WHEN refreshed THEN they are not counted", async () => {
    await prisma.event.create({ data: { shop: "other.myshopify.com", visitorId: "visitor-dddd", type: "page_view", pageType: "product", occurredAt: at(0) } });
    expect(await refreshPageStats(SHOP, { now: at(60) })).toBe(0);
    expect(await prisma.pageStat.count({ where: { shop: SHOP } })).toBe(0);
  });
});
