// The shop's own recent sales per product, from what the app already counts: LeakPathDay rows of kind "product"
// hold, per product page and day, the visits that added the product (`exits`) and of those the ones that did not
// order (`abandoned`); the difference is the visits that added it and ordered. Popular Alternatives rank by it.
import prisma from "../db.server";
import { addDays } from "../lib/stats/days";

/** The sales window: the last 30 days. */
export const POPULAR_DAYS = 30;

/** Visits that added each product (by handle) and ordered, over the last `days` days up to `now`. */
export async function recentSales(shop: string, handles: readonly string[], now = new Date(), days = POPULAR_DAYS): Promise<Record<string, number>> {
  if (handles.length === 0) return {};
  const from = addDays(now.toISOString().slice(0, 10), -days);
  const rows = await prisma.leakPathDay.groupBy({
    by: ["path"],
    where: { shop, kind: "product", day: { gte: from }, path: { in: handles.map((h) => `/products/${h}`) } },
    _sum: { exits: true, abandoned: true },
  });
  const sales: Record<string, number> = {};
  for (const r of rows) sales[r.path.slice("/products/".length)] = Math.max(0, (r._sum.exits ?? 0) - (r._sum.abandoned ?? 0));
  return sales;
}
