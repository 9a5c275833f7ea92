// Customer profiles: the shop's quintile scales, the periodic rescore, lookups and compliance. Every query is
// scoped by shop. No PII is stored (ids and money only: protected customer data level 1). Orders fold into
// profiles in orders.server.ts; rows are written in bulk by app/db/profileWriter.ts.
import type { CustomerProfile } from "@prisma/client";
import { readContextRow } from "../db/pointReads";
import { persistProfiles, type ProfileRow } from "../db/profileWriter";
import { defaultStore, type Store } from "../db/store";
import type { CustomerContext, LifecycleStage, RfmGroup } from "../lib/plays/types";
import { RFM_GROUPS } from "../lib/plays/types";
import {
  computeShopScales,
  deriveProfile,
  fmScore,
  legacyId,
  lifecycleStage,
  shopAovOf,
  toCustomerContext,
  type ProfileAggregate,
  type ShopScales,
} from "../lib/segments";

const RFM_SET: ReadonlySet<string> = new Set(RFM_GROUPS);

// ---------------------------------------------------------------------------------------------------------------
// Shop scales (quintile thresholds). Kept in process memory and rebuilt from the profiles when missing or older
// than SCALE_TTL_MS; a sync or a recompute replaces them. (A persisted column is requested in the report.)

const SCALE_TTL_MS = 15 * 60_000;
const scaleCache = new Map<string, { scales: ShopScales; at: number }>();

export function rememberShopScales(shop: string, scales: ShopScales, now = Date.now()): void {
  scaleCache.set(shop, { scales, at: now });
}

export function forgetShopScales(shop: string): void {
  scaleCache.delete(shop);
}

export async function shopScales(shop: string, store: Store = defaultStore(), now = Date.now()): Promise<ShopScales> {
  const hit = scaleCache.get(shop);
  if (hit && now - hit.at < SCALE_TTL_MS) return hit.scales;
  const rows = await store.db.customerProfile.findMany({
    where: { shop, ordersCount: { gt: 0 } },
    select: { ordersCount: true, netSpend: true, lastOrderAt: true },
  });
  const scales = computeShopScales(rows.map((r) => ({ ordersCount: r.ordersCount, netSpend: r.netSpend, lastOrderAt: r.lastOrderAt?.getTime() ?? null })));
  rememberShopScales(shop, scales, now);
  return scales;
}

/**
 * Periodic recompute: rebuilds the shop's quintile scales from the stored profiles, rescores every profile
 * (segment and stage), and sets the shop AOV. Returns how many profiles were rescored.
 */
export async function recomputeSegments(shop: string, store: Store = defaultStore(), now = Date.now()): Promise<{ profiles: number; shopAov: number }> {
  const all = await store.db.customerProfile.findMany({ where: { shop } });
  const aggs = all.map((p) => ({ p, a: aggregateOf(p) }));
  const scales = computeShopScales(aggs.map(({ a }) => ({ ordersCount: a.ordersCount, netSpend: Math.max(0, a.grossSpend - a.refunded), lastOrderAt: a.lastOrderAt })));
  let totalNet = 0;
  let totalOrders = 0;
  const rows: ProfileRow[] = aggs.map(({ p, a }) => {
    const d = deriveProfile(a, scales, now);
    totalNet += d.netSpend;
    totalOrders += a.ordersCount;
    return { customerId: p.customerId, ...a, ...d, shopifyRfmGroup: asGroup(p.shopifyRfmGroup) };
  });
  await persistProfiles(store, shop, rows, { now });
  const shopAov = shopAovOf(totalNet, totalOrders);
  await store.db.shop.upsert({ where: { shop }, create: { shop, shopAov }, update: { shopAov } });
  rememberShopScales(shop, scales, now);
  return { profiles: rows.length, shopAov };
}

export function aggregateOf(p: Pick<CustomerProfile, "ordersCount" | "grossSpend" | "refunded" | "firstOrderAt" | "lastOrderAt">): ProfileAggregate {
  return {
    ordersCount: p.ordersCount,
    grossSpend: p.grossSpend,
    refunded: p.refunded,
    firstOrderAt: p.firstOrderAt?.getTime() ?? null,
    lastOrderAt: p.lastOrderAt?.getTime() ?? null,
  };
}

export function asGroup(g: string | null | undefined): RfmGroup | null {
  return g && RFM_SET.has(g) ? (g as RfmGroup) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

export interface SegmentExplanation {
  scores: { r: number; f: number; m: number; fm: number };
  /** The smallest value that earns scores 2..5 in this shop (null: no customer reaches it). */
  thresholds: {
    recency: (string | null)[];
    frequency: (number | null)[];
    monetary: (number | null)[];
  };
  population: number;
  segment: RfmGroup;
  shopifyRfmGroup: RfmGroup | null;
  agreesWithShopify: boolean | null;
  stage: LifecycleStage;
  reasons: string[];
}

export interface ProfileView {
  customerId: string;
  ordersCount: number;
  netSpend: number;
  grossSpend: number;
  refunded: number;
  aov: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  segment: RfmGroup;
  stage: LifecycleStage;
  shopifyRfmGroup: RfmGroup | null;
  explanation: SegmentExplanation;
}

/** A profile with why it is in its segment (scores against the shop's current thresholds). */
export async function getProfile(shop: string, customerId: string, store: Store = defaultStore(), now = Date.now()): Promise<ProfileView | null> {
  const id = legacyId(customerId);
  if (!id) return null;
  const p = await store.db.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId: id } } });
  if (!p) return null;
  const scales = await shopScales(shop, store, now);
  const a = aggregateOf(p);
  const d = deriveProfile(a, scales, now);
  const shopifyRfmGroup = asGroup(p.shopifyRfmGroup);
  const reasons: string[] = [];
  if (a.ordersCount === 0) reasons.push("No completed order yet: prospects are not ranked.");
  else {
    reasons.push(`Recency ${d.rScore}/5: last order ${new Date(a.lastOrderAt as number).toISOString().slice(0, 10)}.`);
    reasons.push(`Frequency ${d.fScore}/5: ${a.ordersCount} order(s).`);
    reasons.push(`Monetary ${d.mScore}/5: net spend ${d.netSpend.toFixed(2)}.`);
    reasons.push(`R ${d.rScore} with FM ${fmScore(d.fScore, d.mScore)} (average of F and M) is ${d.segment} in the R×FM grid.`);
  }
  return {
    customerId: p.customerId,
    ordersCount: a.ordersCount,
    netSpend: d.netSpend,
    grossSpend: a.grossSpend,
    refunded: a.refunded,
    aov: d.aov,
    firstOrderAt: p.firstOrderAt?.toISOString() ?? null,
    lastOrderAt: p.lastOrderAt?.toISOString() ?? null,
    segment: d.segment,
    stage: d.stage,
    shopifyRfmGroup,
    explanation: {
      scores: { r: d.rScore, f: d.fScore, m: d.mScore, fm: d.rScore ? fmScore(d.fScore, d.mScore) : 0 },
      thresholds: {
        recency: scales.r.minForScore.map((t) => (t === null ? null : new Date(t).toISOString())),
        frequency: [...scales.f.minForScore],
        monetary: [...scales.m.minForScore],
      },
      population: scales.f.population,
      segment: d.segment,
      shopifyRfmGroup,
      agreesWithShopify: shopifyRfmGroup ? shopifyRfmGroup === d.segment : null,
      stage: d.stage,
      reasons,
    },
  };
}

/**
 * Admin lookup by customer id (numeric or GID), straight to the stored profile; null when nothing matches.
 * Not by email: resolving an email means processing a protected customer field (level 2), and the app is
 * designed to need level 1 only (docs/profiles.md).
 */
export async function lookupCustomer(shop: string, idOrGid: string, store: Store = defaultStore()): Promise<ProfileView | null> {
  const id = legacyId(idOrGid.trim().slice(0, 64));
  return id ? getProfile(shop, id, store) : null;
}

/** Storefront/checkout context: one primary-key read; the stage is recomputed for now. */
export async function customerContext(shop: string, customerId: string | null | undefined, store: Store = defaultStore(), now = Date.now()): Promise<CustomerContext | null> {
  const id = legacyId(customerId);
  if (!id) return null;
  const p = await readContextRow(store, shop, id);
  if (!p) return null;
  return toCustomerContext({ ordersCount: p.ordersCount, aov: p.aov, lastOrderAt: p.lastOrderAt, segment: asGroup(p.segment) ?? "PROSPECTS" }, now);
}

/** Stage of a stored profile for now (the admin list uses the stored snapshot; this is the live value). */
export function liveStage(p: Pick<CustomerProfile, "ordersCount" | "lastOrderAt" | "segment">, now = Date.now()): LifecycleStage {
  return lifecycleStage({ ordersCount: p.ordersCount, lastOrderAt: p.lastOrderAt?.getTime() ?? null, segment: asGroup(p.segment) ?? "PROSPECTS" }, now);
}

/** How often our segment equals Shopify's rfmGroup, over customers where Shopify reported one. */
export async function rfmAgreement(shop: string, store: Store = defaultStore()): Promise<{ compared: number; agreeing: number; rate: number | null; byGroup: Record<string, { compared: number; agreeing: number }> }> {
  const groups = await store.db.customerProfile.groupBy({
    by: ["segment", "shopifyRfmGroup"],
    where: { shop, shopifyRfmGroup: { not: null } },
    _count: { _all: true },
  });
  let compared = 0;
  let agreeing = 0;
  const byGroup: Record<string, { compared: number; agreeing: number }> = {};
  for (const g of groups) {
    const n = g._count._all;
    const key = g.shopifyRfmGroup as string;
    byGroup[key] ??= { compared: 0, agreeing: 0 };
    byGroup[key].compared += n;
    compared += n;
    if (g.segment === g.shopifyRfmGroup) {
      agreeing += n;
      byGroup[key].agreeing += n;
    }
  }
  return { compared, agreeing, rate: compared > 0 ? agreeing / compared : null, byGroup };
}

// ---------------------------------------------------------------------------------------------------------------
// Compliance

/** customers/redact: the customer's profile and stored orders. Returns rows deleted. */
export async function eraseCustomer(shop: string, customerId: string | number, store: Store = defaultStore()): Promise<{ profiles: number; orders: number }> {
  const id = legacyId(String(customerId));
  if (!id) return { profiles: 0, orders: 0 };
  const [orders, profiles] = await store.db.$transaction([
    store.db.profileOrder.deleteMany({ where: { shop, customerId: id } }),
    store.db.customerProfile.deleteMany({ where: { shop, customerId: id } }),
  ]);
  return { profiles: profiles.count, orders: orders.count };
}

/** shop/redact: every profile, stored order and sync job of the shop. */
export async function eraseShop(shop: string, store: Store = defaultStore()): Promise<{ profiles: number; orders: number; syncJobs: number }> {
  const [orders, profiles, jobs] = await store.db.$transaction([
    store.db.profileOrder.deleteMany({ where: { shop } }),
    store.db.customerProfile.deleteMany({ where: { shop } }),
    store.db.syncJob.deleteMany({ where: { shop } }),
  ]);
  forgetShopScales(shop);
  return { profiles: profiles.count, orders: orders.count, syncJobs: jobs.count };
}
