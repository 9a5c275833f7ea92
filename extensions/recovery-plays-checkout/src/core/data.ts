/**
 * Pure readers for what checkout hands the extension: the app metafield (published config) and
 * cart attributes written by the storefront. Every reader is defensive: malformed data means "play off",
 * never an exception inside checkout.
 */
import type {
  Arm,
  CustomerContext,
  PlayKey,
  PublishedPlaysConfig,
} from "../../../../app/lib/plays/types";
import { LIFECYCLE_STAGES, PLAY_KEYS, RFM_GROUPS } from "../../../../app/lib/plays/types";
import { isSignedVisitorIdFormat } from "../../../../app/lib/stats/visitor";

export const METAFIELD_NAMESPACE = "$app:recovery_plays";
export const VISITOR_ATTRIBUTE = "_rp_vid";
export const PLAYS_ATTRIBUTE = "_rp_plays";

export interface MetafieldEntryLike {
  target: { type: string; id: string };
  metafield: { namespace: string; key: string; value: string | number };
}

export interface AttributeLike {
  key: string;
  value: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * Checkout returns app-owned metafields "using the `$app` format. The fully qualified reserved namespace format
 * such as `app--{your-app-id}[--{optional-namespace}]` is not supported" (checkout UI extensions, Metafields API),
 * so the entry's namespace is exactly the one declared in shopify.extension.toml.
 */
function findEntry(entries: readonly MetafieldEntryLike[] | undefined, key: string) {
  return entries?.find((e) => e.metafield.namespace === METAFIELD_NAMESPACE && e.metafield.key === key);
}

/** The published config, or null when absent/malformed (= every play off). */
export function readConfig(entries: readonly MetafieldEntryLike[] | undefined): PublishedPlaysConfig | null {
  const raw = parseJson(findEntry(entries, "config")?.metafield.value);
  if (!isObject(raw) || !isObject(raw.plays) || !isObject(raw.shop)) return null;
  const plays: PublishedPlaysConfig["plays"] = {};
  for (const key of PLAY_KEYS) {
    const settings = raw.plays[key];
    if (isValidSettings(key, settings)) (plays as Record<string, unknown>)[key] = settings;
  }
  const shop = raw.shop;
  return {
    version: typeof raw.version === "number" ? raw.version : 0,
    bands: isObject(raw.bands) ? (raw.bands as unknown as PublishedPlaysConfig["bands"]) : { low: 0.2, high: 0.6 },
    plays,
    shop: {
      currency: typeof shop.currency === "string" ? shop.currency : "",
      aov: typeof shop.aov === "number" && Number.isFinite(shop.aov) ? shop.aov : 0,
      bundleDiscountTitle: typeof shop.bundleDiscountTitle === "string" ? shop.bundleDiscountTitle : undefined,
    },
    pageStats: {},
  };
}

function isValidSettings(play: PlayKey, s: unknown): boolean {
  if (!isObject(s)) return false;
  const message = s.message;
  const common =
    Array.isArray(s.surfaces) &&
    typeof s.holdoutPercent === "number" &&
    isObject(message) &&
    typeof message.heading === "string" &&
    typeof message.body === "string" &&
    typeof message.cta === "string";
  if (!common) return false;
  switch (play) {
    case "vip":
      return Array.isArray(s.segments) && typeof s.stallSeconds === "number" && typeof s.aovMultiple === "number";
    case "deal_seeker":
      return typeof s.discountPercent === "number" && typeof s.discountCapPercent === "number";
    default:
      return true;
  }
}

/** A CustomerContext from untrusted JSON (the backend's answer), or null. */
export function toCustomerContext(raw: unknown): CustomerContext | null {
  if (!isObject(raw)) return null;
  const { stage, segment, ordersCount, aov, lastOrderAt } = raw;
  if (!(LIFECYCLE_STAGES as readonly unknown[]).includes(stage)) return null;
  if (!(RFM_GROUPS as readonly unknown[]).includes(segment)) return null;
  if (typeof ordersCount !== "number" || typeof aov !== "number") return null;
  return {
    stage: stage as CustomerContext["stage"],
    segment: segment as CustomerContext["segment"],
    ordersCount,
    aov,
    lastOrderAt: typeof lastOrderAt === "string" ? lastOrderAt : null,
  };
}

export function attribute(attributes: readonly AttributeLike[] | undefined, key: string): string | undefined {
  const value = attributes?.find((a) => a.key === key)?.value;
  return value ? value : undefined;
}

/** The `_rp_vid` the cart carries (the storefront's, or one this extension wrote); unverified until the app says so. */
export function cartVisitorId(attributes: readonly AttributeLike[] | undefined): string | undefined {
  return attribute(attributes, VISITOR_ATTRIBUTE);
}

/** The visitor the app issued: its signed id and its arm per play, decided by the server. */
export interface ServerVisitor {
  id: string;
  arms: Partial<Record<PlayKey, Arm>>;
}

/**
 * The profile endpoint's `visitor` from untrusted JSON, or null. Only the id format is checked here (the key is
 * the server's); a play missing from `arms` has no arm, so it neither renders nor reports.
 */
export function toServerVisitor(raw: unknown): ServerVisitor | null {
  if (!isObject(raw) || !isSignedVisitorIdFormat(raw.id) || !isObject(raw.arms)) return null;
  const arms: ServerVisitor["arms"] = {};
  for (const play of PLAY_KEYS) {
    const arm = raw.arms[play];
    if (arm === "treatment" || arm === "holdout") arms[play] = arm;
  }
  return { id: raw.id, arms };
}

/** Plays the storefront recorded for this visitor in `_rp_plays` (`play:arm:shown|eligible,…`). */
export function storefrontPlays(attributes: readonly AttributeLike[] | undefined): Set<PlayKey> {
  const plays = new Set<PlayKey>();
  for (const item of (attribute(attributes, PLAYS_ATTRIBUTE) ?? "").split(",")) {
    const play = item.trim().split(":")[0];
    if ((PLAY_KEYS as readonly string[]).includes(play)) plays.add(play as PlayKey);
  }
  return plays;
}
