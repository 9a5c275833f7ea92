// Per-shop propensity model persistence (ShopModel, one row per shop). A shop's row stores only its adapted last
// layer and the fingerprint of the shipped tree set it was fitted on: when the app ships a retrained model, old
// layers no longer apply and the shop falls back to the new shipped model until it re-adapts.
import prisma from "../db.server";
import { modelFingerprint, SHIPPED_MODEL, type PropensityModelParams } from "../lib/propensity/index";
import { adaptShopModel, type ModelChoice, type ShopSession } from "../lib/propensity/adapt";

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
