// Shop-level page aggregates (Google Analytics definitions: bounce rate, exit rate, page value per page type)
// computed from the app's own event stream, for the propensity model's BounceRates / ExitRates / PageValues.
// Sessions are rebuilt from page_view events (same visitor, < 30 min apart); a session's purchase is the
// attributed order its visitor placed before the session ended (+30 min), each order counted once. The counts replace the shop's
// PageStat rows; the publisher turns them into rates in the storefront config.
// Visitors are sampled, not read in id order: only ids the app signed for the shop count, and a bounded refresh
// keeps the visitors with the smallest keyed hash of their id. An id's chance of being sampled is the same whatever
// it spells, and nobody without the shop's key can tell which ids would be picked, so a flood of ids chosen to sort
// first (`-…`, `0…`) no longer pushes the real visitors out; it weighs only as much as its share of visitors.
import { createHmac } from "node:crypto";
import prisma from "../db.server";
import { addSession, pageRates, type PageCounts, type PageRates } from "../lib/propensity/pageStats";
import { splitSessions, type StoredView } from "../lib/signals/replay";
import { verifyVisitorIdWithKey, visitorKey } from "./visitors.server";

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
  /** Upper bound on visitors sampled per refresh. */
  maxVisitors?: number;
}

/** Distinct visitor ids read per query while sampling. */
const ID_PAGE = 10_000;
/** Visitors whose page views are read per query. */
const VIEW_CHUNK = 500;

/**
 * Sampling rank of a visitor: the first 48 bits of HMAC-SHA256(shop key, "sample:" + id). Keyed, so it cannot be
 * computed (or ground for) without the key; a different message than the id tag and the arms, so it is independent
 * of both.
 */
function sampleRank(key: Buffer, id: string): number {
  return createHmac("sha256", key).update(`sample:${id}`).digest().readUIntBE(0, 6);
}

/**
 * The signed visitors with page views in the window, in sampling order, at most `max`: the `max` smallest ranks
 * (a uniform sample without replacement). Ids are read in pages of distinct values, so memory stays bounded by
 * `max` whatever the shop's traffic.
 */
async function sampleVisitors(shop: string, key: Buffer, since: Date, max: number): Promise<string[]> {
  let kept: { id: string; rank: number }[] = [];
  const trim = () => {
    kept.sort((a, b) => a.rank - b.rank);
    kept = kept.slice(0, max);
  };
  let after: string | undefined;
  for (;;) {
    const page = await prisma.event.groupBy({
      by: ["visitorId"],
      where: { shop, type: "page_view", occurredAt: { gte: since }, ...(after === undefined ? {} : { visitorId: { gt: after } }) },
      orderBy: { visitorId: "asc" },
      take: ID_PAGE,
    });
    for (const { visitorId } of page) {
      // Events stored before ids were signed (or forged past an older edge) are not the shop's visitors.
      if (verifyVisitorIdWithKey(key, visitorId)) kept.push({ id: visitorId, rank: sampleRank(key, visitorId) });
    }
    if (kept.length > 2 * max) trim();
    if (page.length < ID_PAGE) break;
    after = page[page.length - 1].visitorId;
  }
  trim();
  return kept.map((k) => k.id);
}

/** Recomputes the shop's page aggregates over the window; returns the number of sessions folded. */
export async function refreshPageStats(shop: string, o: PageStatsOptions = {}): Promise<number> {
  const now = o.now ?? new Date();
  const since = new Date(now.getTime() - (o.days ?? 30) * 86_400_000);
  const maxViews = o.maxViews ?? 200_000;
  const key = await visitorKey(shop);
  if (!key) return 0;
  const sampled = await sampleVisitors(shop, key, since, o.maxVisitors ?? 50_000);

  // Whole visitors in sampling order until the view budget is spent: the cut depends on the rank, never on the id.
  const views: StoredView[] = [];
  const included = new Set<string>();
  fill: for (let i = 0; i < sampled.length; i += VIEW_CHUNK) {
    const chunk = sampled.slice(i, i + VIEW_CHUNK);
    const rows = await prisma.event.findMany({
      where: { shop, type: "page_view", occurredAt: { gte: since }, visitorId: { in: chunk } },
      select: { visitorId: true, pageType: true, occurredAt: true },
    });
    const byVisitor = new Map<string, StoredView[]>();
    for (const r of rows) {
      let list = byVisitor.get(r.visitorId);
      if (!list) byVisitor.set(r.visitorId, (list = []));
      list.push({ visitorId: r.visitorId, pageType: r.pageType, at: r.occurredAt.getTime() });
    }
    for (const id of chunk) {
      const list = byVisitor.get(id) ?? [];
      if (views.length + list.length > maxViews) break fill;
      for (const v of list) views.push(v);
      included.add(id);
    }
  }
  const orders = included.size
    ? await prisma.orderAttribution.findMany({
        where: { shop, createdAt: { gte: since }, NOT: { visitorId: null } },
        select: { visitorId: true, total: true, createdAt: true },
      })
    : [];
  // The same sessions the embed and the propensity replay see (app/lib/signals/replay.ts splitSessions).
  const sessions = splitSessions(
    views,
    orders.filter((o) => included.has(o.visitorId as string)).map((o) => ({ visitorId: o.visitorId as string, at: o.createdAt.getTime(), total: o.total })),
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
