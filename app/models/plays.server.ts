/**
 * Play settings in the database (the source of truth). Every write is an optimistic-concurrency update on
 * PlayConfig.version: a save based on a stale version changes nothing and reports a conflict, so two tabs (or two
 * staff members) never silently overwrite each other. The propensity bands are shop-wide and live in a reserved
 * PlayConfig row (play = "__bands") so they get the same versioning without a schema change.
 */
import prisma from "../db.server";
import { DEFAULT_BANDS, defaultSettings } from "../lib/plays/defaults";
import { PLAY_KEYS, type PlayKey, type PlaySettingsMap, type PropensityBands } from "../lib/plays/types";
import { validateBands, validatePlaySettings, type FieldErrors } from "../lib/playsSchema/schema";
import { invalidationBus } from "./shared.server";

export const BANDS_ROW = "__bands";

export interface PlayRecord<K extends PlayKey = PlayKey> {
  play: K;
  enabled: boolean;
  settings: PlaySettingsMap[K];
  version: number;
  discountId: string | null;
  /** The bundle discount's code (Deal-Seeker). Never published: the storefront gets it from the app proxy. */
  discountCode: string | null;
  /** When that code was created (ISO): the bundle-code leak report counts orders from then on. */
  discountCodeAt: string | null;
  updatedAt: string;
}

export interface BandsRecord {
  bands: PropensityBands;
  version: number;
}

/** Stored JSON over the defaults, so settings added to the contract later get their default, never undefined. */
function parseSettings<K extends PlayKey>(play: K, json: string): PlaySettingsMap[K] {
  const defaults = defaultSettings(play);
  try {
    const stored = JSON.parse(json) as Partial<PlaySettingsMap[K]>;
    return { ...defaults, ...stored, message: { ...defaults.message, ...(stored.message ?? {}) } };
  } catch {
    return defaults;
  }
}

function toRecord(row: { play: string; enabled: boolean; settings: string; version: number; discountId: string | null; discountCode: string | null; discountCodeAt: Date | null; updatedAt: Date }): PlayRecord {
  const play = row.play as PlayKey;
  return {
    play,
    enabled: row.enabled,
    settings: parseSettings(play, row.settings),
    version: row.version,
    discountId: row.discountId,
    discountCode: row.discountCode,
    discountCodeAt: row.discountCodeAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Creates the four plays (all OFF) and the bands row for a shop; existing rows are left untouched. */
export async function ensureDefaultPlays(shop: string): Promise<void> {
  const existing = new Set((await prisma.playConfig.findMany({ where: { shop }, select: { play: true } })).map((r) => r.play));
  const rows = [
    ...PLAY_KEYS.filter((p) => !existing.has(p)).map((play) => ({ shop, play, enabled: false, settings: JSON.stringify(defaultSettings(play)) })),
    ...(existing.has(BANDS_ROW) ? [] : [{ shop, play: BANDS_ROW, enabled: false, settings: JSON.stringify(DEFAULT_BANDS) }]),
  ];
  for (const data of rows) {
    // Concurrent first loads (layout + page loaders, afterAuth) may insert the same row: the loser's duplicate-key
    // error (P2002; Prisma's upsert is not atomic on PostgreSQL) means the row exists, which is all we need.
    try {
      await prisma.playConfig.upsert({ where: { shop_play: { shop, play: data.play } }, create: data, update: {} });
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
  }
}

export async function listPlays(shop: string): Promise<PlayRecord[]> {
  await ensureDefaultPlays(shop);
  const rows = await prisma.playConfig.findMany({ where: { shop, play: { in: [...PLAY_KEYS] } } });
  const byKey = new Map(rows.map((r) => [r.play, toRecord(r)]));
  return PLAY_KEYS.map((k) => byKey.get(k)!).filter(Boolean);
}

export async function getPlay<K extends PlayKey>(shop: string, play: K): Promise<PlayRecord<K>> {
  await ensureDefaultPlays(shop);
  const row = await prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop, play } } });
  return toRecord(row) as PlayRecord<K>;
}

export async function getBands(shop: string): Promise<BandsRecord> {
  await ensureDefaultPlays(shop);
  const row = await prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop, play: BANDS_ROW } } });
  let bands = DEFAULT_BANDS;
  try {
    const parsed = validateBands(JSON.parse(row.settings));
    if (parsed.ok) bands = parsed.value;
  } catch {
    // A corrupt row falls back to the defaults; the next save rewrites it.
  }
  return { bands, version: row.version };
}

export type SaveResult<K extends PlayKey> =
  | { ok: true; record: PlayRecord<K>; bands: BandsRecord }
  | { ok: false; kind: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; kind: "conflict"; record: PlayRecord<K>; bands: BandsRecord };

export interface SavePlayInput {
  version: number;
  enabled?: boolean;
  settings?: unknown;
  /** Only for plays whose page edits the shared bands. */
  bands?: { version: number; value: unknown };
}

/**
 * Validates (zod, authoritative) and stores a play's settings/enabled flag. All-or-nothing: invalid input or a
 * stale version (play or bands) leaves every row unchanged.
 */
export async function savePlay<K extends PlayKey>(shop: string, play: K, input: SavePlayInput): Promise<SaveResult<K>> {
  await ensureDefaultPlays(shop);
  let fieldErrors: FieldErrors = {};
  let settings: PlaySettingsMap[K] | undefined;
  if (input.settings !== undefined) {
    const v = validatePlaySettings(play, input.settings);
    if (v.ok) settings = v.value;
    else fieldErrors = { ...fieldErrors, ...v.fieldErrors };
  }
  let bands: PropensityBands | undefined;
  if (input.bands) {
    const v = validateBands(input.bands.value);
    if (v.ok) bands = v.value;
    else fieldErrors = { ...fieldErrors, ...v.fieldErrors };
  }
  if (Object.keys(fieldErrors).length) return { ok: false, kind: "invalid", fieldErrors };

  const conflict = Symbol("conflict");
  try {
    await prisma.$transaction(async (tx) => {
      const data: { version: { increment: number }; enabled?: boolean; settings?: string } = { version: { increment: 1 } };
      if (input.enabled !== undefined) data.enabled = input.enabled;
      if (settings) data.settings = JSON.stringify(settings);
      // Compare-and-set on version: 0 rows updated means another save got there first.
      const updated = await tx.playConfig.updateMany({ where: { shop, play, version: input.version }, data });
      if (updated.count !== 1) throw conflict;
      if (bands && input.bands) {
        const b = await tx.playConfig.updateMany({
          where: { shop, play: BANDS_ROW, version: input.bands.version },
          data: { settings: JSON.stringify(bands), version: { increment: 1 } },
        });
        if (b.count !== 1) throw conflict;
      }
    });
  } catch (error) {
    if (error !== conflict) throw error;
    return { ok: false, kind: "conflict", record: await getPlay(shop, play), bands: await getBands(shop) };
  }
  // Holdout shares are cached where arms are derived (visitors.server): every instance drops them now.
  await invalidationBus().invalidate("shop-config", shop);
  return { ok: true, record: await getPlay(shop, play), bands: await getBands(shop) };
}

/**
 * Records the Shopify discount backing the Deal-Seeker bundle and its code (not a settings change: version
 * untouched). The code is never in the published config: only the app proxy hands it out.
 */
export async function setDiscount(shop: string, play: PlayKey, discountId: string | null, discountCode: string | null): Promise<void> {
  await prisma.playConfig.update({ where: { shop_play: { shop, play } }, data: { discountId, discountCode, discountCodeAt: discountCode ? new Date() : null } });
}

/** The bundle's discount code while the Deal-Seeker play is on and backed by a code discount, else null. */
export function activeBundleCode(play: PlayRecord<"deal_seeker">): string | null {
  return play.enabled && play.discountCode && play.discountId?.includes("/DiscountCodeNode/") ? play.discountCode : null;
}
