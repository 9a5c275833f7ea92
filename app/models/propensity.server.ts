// Per-shop propensity model persistence (ShopModel, one row per shop). A shop's row stores only its adapted last
// layer and the fingerprint of the shipped tree set it was fitted on: when the app ships a retrained model, old
// layers no longer apply and the shop falls back to the new shipped model until it re-adapts.
import prisma from "../db.server";
import { explainPropensity, FEATURE_KEYS, modelFingerprint, SHIPPED_MODEL, type PropensityModelParams } from "../lib/propensity/index";
import { adaptShopModel, type ModelChoice, type ShopSession } from "../lib/propensity/adapt";
import type { FeatureKey } from "../lib/propensity/encode";
import { replaySessions, type ReplayedSession } from "../lib/signals/replay";
import { isTimeZone } from "../lib/signals/zone";
import { legacyId } from "../lib/segments";
import { loadPageRates } from "./pageStats.server";

interface StoredLayer {
  model: string;
  calibration: { scale: number; shift: number };
}

export interface ShopModelState {
  model: PropensityModelParams;
  source: "shipped" | "shop";
  version: number;
  metrics: Record<string, unknown>;
  trainedAt: Date | null;
}

function parseLayer(raw: string): StoredLayer | null {
  try {
    const v = JSON.parse(raw) as Partial<StoredLayer>;
    const c = v.calibration;
    if (typeof v.model !== "string" || !c) return null;
    if (!Number.isFinite(c.scale) || !(c.scale > 0) || !Number.isFinite(c.shift)) return null;
    return { model: v.model, calibration: { scale: c.scale, shift: c.shift } };
  } catch {
    return null;
  }
}

function parseMetrics(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

/** The model to score this shop's sessions with: its adapted layer on the shipped trees, else the shipped model. */
export async function loadShopModel(shop: string, shipped: PropensityModelParams = SHIPPED_MODEL): Promise<ShopModelState> {
  const row = await prisma.shopModel.findUnique({ where: { shop } });
  const fallback: ShopModelState = { model: shipped, source: "shipped", version: row?.version ?? 0, metrics: {}, trainedAt: null };
  if (!row) return fallback;
  const layer = parseLayer(row.params);
  if (!layer || layer.model !== modelFingerprint(shipped)) return { ...fallback, metrics: parseMetrics(row.metrics) };
  return {
    model: { ...shipped, calibration: layer.calibration },
    source: "shop",
    version: row.version,
    metrics: parseMetrics(row.metrics),
    trainedAt: row.trainedAt,
  };
}

/** Stores a shop's adapted model (its last layer) and bumps the version. */
export async function saveShopModel(shop: string, model: PropensityModelParams, metrics: Record<string, unknown> = {}): Promise<number> {
  const layer: StoredLayer = {
    model: modelFingerprint(model),
    calibration: model.calibration ?? { scale: 1, shift: 0 },
  };
  const params = JSON.stringify(layer);
  const row = await prisma.shopModel.upsert({
    where: { shop },
    create: { shop, version: 1, params, metrics: JSON.stringify(metrics), trainedAt: new Date() },
    update: { version: { increment: 1 }, params, metrics: JSON.stringify(metrics), trainedAt: new Date() },
  });
  return row.version;
}

/**
 * Periodic re-fit: adapts the shop's current model to its recent sessions with outcomes and saves the candidate
 * only when the guard prefers it on the most recent hold-out. Returns the guard's decision.
 */
export async function adaptAndSaveShopModel(shop: string, sessions: ShopSession[]): Promise<ModelChoice & { version: number }> {
  const current = await loadShopModel(shop);
  const choice = adaptShopModel(current.model, sessions);
  if (choice.chosen !== "candidate") return { ...choice, version: current.version };
  const version = await saveShopModel(shop, choice.model, {
    reason: choice.reason,
    holdout: choice.candidate,
    previous: choice.current,
    sessions: sessions.length,
  });
  return { ...choice, version };
}

/** Forgets a shop's adaptation (shop/redact, uninstall clean-up). */
export async function deleteShopModel(shop: string): Promise<void> {
  await prisma.shopModel.deleteMany({ where: { shop } });
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions with outcomes, from the app's own events (app/lib/signals/replay.ts replays them through the embed's
// reducer), for per-shop learning and for the merchant-facing explanations.

export interface SessionWindow {
  now?: Date;
  /** Look-back window in days. */
  days?: number;
  /** Upper bound on page views read (keeps the job bounded on big shops; the most recent are kept). */
  maxViews?: number;
}

/**
 * The shop's IANA time zone (Shop.ianaTimezone, stored from the Admin API), in which stored sessions get their
 * Month, Weekend and SpecialDay — the shoppers' local time as far as the server can tell, where the embed uses the
 * browser's. UTC while the zone is unknown or not a zone this runtime knows.
 */
export async function shopTimeZone(shop: string): Promise<string> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } });
  return isTimeZone(row?.ianaTimezone) ? row.ianaTimezone : "UTC";
}

/** The shop's sessions in the window with their features (as the embed computes them) and purchase outcome. */
export async function loadShopSessions(shop: string, o: SessionWindow = {}): Promise<ReplayedSession[]> {
  const now = o.now ?? new Date();
  const since = new Date(now.getTime() - (o.days ?? 60) * 86_400_000);
  const [views, orders, rates, zone] = await Promise.all([
    prisma.event.findMany({
      where: { shop, type: "page_view", occurredAt: { gte: since, lte: now } },
      select: { visitorId: true, pageType: true, occurredAt: true },
      orderBy: { occurredAt: "desc" },
      take: o.maxViews ?? 200_000,
    }),
    prisma.orderAttribution.findMany({
      where: { shop, createdAt: { gte: since }, NOT: { visitorId: null } },
      select: { visitorId: true, createdAt: true },
    }),
    loadPageRates(shop),
    shopTimeZone(shop),
  ]);
  return replaySessions(
    views.map((v) => ({ visitorId: v.visitorId, pageType: v.pageType, at: v.occurredAt.getTime() })),
    orders.map((x) => ({ visitorId: x.visitorId as string, at: x.createdAt.getTime() })),
    rates,
    zone,
  );
}

export interface AdaptRun {
  sessions: number;
  purchases: number;
  chosen: ModelChoice["chosen"];
  reason: string;
  version: number;
}

/**
 * The scheduled per-shop learning step: the shop's recent sessions with outcomes → a candidate last layer → the
 * guard. Sessions still open (last page view under 30 minutes ago) are left out: their outcome is not known yet.
 */
export async function adaptShopFromEvents(shop: string, o: SessionWindow = {}): Promise<AdaptRun> {
  const now = o.now ?? new Date();
  const settled = (await loadShopSessions(shop, { ...o, now })).filter((s) => now.getTime() - s.end >= 30 * 60_000);
  const sessions: ShopSession[] = settled.map((s) => ({ features: s.features, purchased: s.purchased, at: s.start }));
  const purchases = sessions.filter((s) => s.purchased).length;
  const choice = await adaptAndSaveShopModel(shop, sessions);
  return { sessions: sessions.length, purchases, chosen: choice.chosen, reason: choice.reason, version: choice.version };
}

export interface SignalEffect {
  signal: FeatureKey;
  /** Logit change (positive pushes towards a purchase). */
  effect: number;
}

export interface CustomerPropensity {
  probability: number;
  /** When the explained session ended. */
  at: string;
  up: SignalEffect[];
  down: SignalEffect[];
  source: "shipped" | "shop";
}

/**
 * The customer's most recent storefront session (page views while logged in identify the visitor), scored and
 * explained with the shop's current model. Null when the customer has no stored session.
 */
export async function customerPropensity(shop: string, customerId: string, now = new Date()): Promise<CustomerPropensity | null> {
  const id = legacyId(customerId);
  if (!id) return null;
  const latest = await prisma.event.findFirst({
    where: { shop, customerId: id, type: "page_view", occurredAt: { lte: now } },
    orderBy: { occurredAt: "desc" },
    select: { visitorId: true, occurredAt: true },
  });
  if (!latest) return null;
  // That device's page views over the preceding 12 hours (logged in or not; no shopping session is longer). Read
  // through the (shop, occurredAt) index: the event table has no visitor index, to keep ingestion cheap.
  const from = new Date(latest.occurredAt.getTime() - 12 * 3_600_000);
  const views = await prisma.event.findMany({
    where: { shop, occurredAt: { gte: from, lte: latest.occurredAt }, visitorId: latest.visitorId, type: "page_view" },
    select: { visitorId: true, pageType: true, occurredAt: true },
    orderBy: { occurredAt: "asc" },
    take: 5_000,
  });
  // Seen before that window (as this customer, any device): a returning visitor even in the window's first session.
  const earlier = await prisma.event.count({ where: { shop, customerId: id, occurredAt: { lt: from } } });
  const [rates, state, zone] = await Promise.all([loadPageRates(shop), loadShopModel(shop), shopTimeZone(shop)]);
  const sessions = replaySessions(views.map((v) => ({ visitorId: v.visitorId, pageType: v.pageType, at: v.occurredAt.getTime() })), [], rates, zone);
  const last = sessions[sessions.length - 1];
  if (!last) return null;
  // A visitor seen before the replayed day is returning even in the day's first session.
  const features = earlier > 0 ? { ...last.features, visitorType: "returning" as const } : last.features;
  const e = explainPropensity(features, state.model, 3);
  return {
    probability: e.probability,
    at: new Date(last.end).toISOString(),
    up: e.up.map((c) => ({ signal: c.signal, effect: c.contribution })),
    down: e.down.map((c) => ({ signal: c.signal, effect: c.contribution })),
    source: state.source,
  };
}

export interface PropensityInsights {
  sessions: number;
  purchases: number;
  /** Mean predicted probability vs the observed purchase rate over the window (calibration at a glance). */
  meanPredicted: number | null;
  observedRate: number | null;
  /** Per signal: mean logit effect in sessions that purchased and in those that did not, strongest first. */
  signals: { signal: FeatureKey; purchased: number; notPurchased: number }[];
  model: { source: "shipped" | "shop"; version: number; trainedAt: string | null };
}

/** What drives the model's scores in this shop: the explanations of its recent sessions, averaged. */
export async function propensityInsights(shop: string, o: SessionWindow = {}): Promise<PropensityInsights> {
  const [sessions, state] = await Promise.all([loadShopSessions(shop, { days: 30, maxViews: 50_000, ...o }), loadShopModel(shop)]);
  const keys = FEATURE_KEYS;
  const sum = { yes: new Float64Array(keys.length), no: new Float64Array(keys.length) };
  let yes = 0;
  let predicted = 0;
  for (const s of sessions) {
    const e = explainPropensity(s.features, state.model, 0);
    predicted += e.probability;
    const acc = s.purchased ? sum.yes : sum.no;
    keys.forEach((k, i) => (acc[i] += e.contributions[k]));
    if (s.purchased) yes++;
  }
  const no = sessions.length - yes;
  const signals = keys
    .map((signal, i) => ({ signal, purchased: yes ? sum.yes[i] / yes : 0, notPurchased: no ? sum.no[i] / no : 0 }))
    .filter((s) => Math.abs(s.purchased) + Math.abs(s.notPurchased) > 1e-9)
    .sort((a, b) => Math.abs(b.purchased - b.notPurchased) - Math.abs(a.purchased - a.notPurchased));
  return {
    sessions: sessions.length,
    purchases: yes,
    meanPredicted: sessions.length ? predicted / sessions.length : null,
    observedRate: sessions.length ? yes / sessions.length : null,
    signals,
    model: { source: state.source, version: state.version, trainedAt: state.trainedAt?.toISOString() ?? null },
  };
}
