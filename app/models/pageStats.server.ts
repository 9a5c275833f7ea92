// Shop-level page aggregates (Google Analytics definitions: bounce rate, exit rate, page value per page type)
// computed from the app's own event stream, for the propensity model's BounceRates / ExitRates / PageValues.
// Sessions are rebuilt from page_view events (same visitor, < 30 min apart); a session's purchase is the
// attributed order its visitor placed before the session ended (+30 min), each order counted once. The counts replace the shop's
// PageStat rows; the publisher turns them into rates in the storefront config.
import prisma from "../db.server";
import { addSession, pageRates, type PageCounts, type PageRates } from "../lib/propensity/pageStats";
import { splitSessions } from "../lib/signals/replay";

type PageStatRow = { pageKey: string; pageviews: number; uniquePageviews: number; entrances: number; bounces: number; exits: number; value: number };

/** Stored PageStat counts → GA rates per page key (what the storefront config publishes and the scorer reads). */
export function ratesOfRows(rows: PageStatRow[]): Record<string, PageRates> {
  return pageRates(
    Object.fromEntries(
      rows.map((r) => [
        r.pageKey,
        { pageviews: r.pageviews, uniquePageviews: r.uniquePageviews, entrances: r.entrances, bounces: r.bounces, exits: r.exits, revenue: r.value },
      ]),
    ),
  );
}

/** The shop's current page rates. */
export async function loadPageRates(shop: string): Promise<Record<string, PageRates>> {
  return ratesOfRows(await prisma.pageStat.findMany({ where: { shop } }));
}

export interface PageStatsOptions {
  now?: Date;
  /** Look-back window. */
  days?: number;
  /** Upper bound on page views read per refresh (keeps the job bounded on big shops). */
  maxViews?: number;
}

/** Recomputes the shop's page aggregates over the window; returns the number of sessions folded. */
export async function refreshPageStats(shop: string, o: PageStatsOptions = {}): Promise<number> {
  const now = o.now ?? new Date();
  const since = new Date(now.getTime() - (o.days ?? 30) * 86_400_000);
  const [views, orders] = await Promise.all([
    prisma.event.findMany({
      where: { shop, type: "page_view", occurredAt: { gte: since } },
      select: { visitorId: true, pageType: true, occurredAt: true },
      orderBy: [{ visitorId: "asc" }, { occurredAt: "asc" }],
      take: o.maxViews ?? 200_000,
    }),
    prisma.orderAttribution.findMany({
      where: { shop, createdAt: { gte: since }, NOT: { visitorId: null } },
      select: { visitorId: true, total: true, createdAt: true },
    }),
  ]);
  // The same sessions the embed and the propensity replay see (app/lib/signals/replay.ts splitSessions).
  const sessions = splitSessions(
    views.map((v) => ({ visitorId: v.visitorId, pageType: v.pageType, at: v.occurredAt.getTime() })),
    orders.map((o) => ({ visitorId: o.visitorId as string, at: o.createdAt.getTime(), total: o.total })),
  );
  const acc: Record<string, PageCounts> = {};
  for (const s of sessions) {
    addSession(acc, { pages: s.views.map((v) => ({ pageType: v.pageType ?? "other" })), purchaseValue: s.purchase?.total });
  }

  await prisma.$transaction([
    prisma.pageStat.deleteMany({ where: { shop } }),
    prisma.pageStat.createMany({
      data: Object.entries(acc).map(([pageKey, c]) => ({
        shop,
        pageKey,
        pageviews: c.pageviews,
        uniquePageviews: c.uniquePageviews,
        entrances: c.entrances,
        bounces: c.bounces,
        exits: c.exits,
        value: c.revenue,
      })),
    }),
  ]);
  return sessions.length;
}
