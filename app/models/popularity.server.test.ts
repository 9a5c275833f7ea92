import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { recentSales } from "./popularity.server";

let seq = 0;
let shop = "";
beforeEach(() => {
  shop = `popular-${++seq}.myshopify.com`;
});
const NOW = new Date("2026-03-31T12:00:00Z");
const row = (day: string, path: string, exits: number, abandoned: number, s = shop) =>
  prisma.leakPathDay.create({ data: { shop: s, day, kind: "product", path, pageType: "product", views: exits + 5, exits, abandoned } });

describe("recent sales per product", () => {
  it("GIVEN product-page visits that added and ordered over the last 30 days WHEN read THEN each handle counts its orders, older days and other shops ignored", async () => {
    await row("2026-03-30", "/products/a", 5, 1);
    await row("2026-03-10", "/products/a", 2, 2);
    await row("2026-03-20", "/products/b", 9, 0);
    await row("2026-02-01", "/products/b", 50, 0);
    await row("2026-03-30", "/products/a", 40, 0, "other.myshopify.com");
    await prisma.leakPathDay.create({ data: { shop, day: "2026-03-30", kind: "page", path: "/products/c", pageType: "product", views: 30, exits: 30 } });
    expect(await recentSales(shop, ["a", "b", "c"], NOW)).toEqual({ a: 4, b: 9 });
  });
  it("GIVEN no handles WHEN read THEN nothing is queried", async () => {
    expect(await recentSales(shop, [], NOW)).toEqual({});
  });
});
