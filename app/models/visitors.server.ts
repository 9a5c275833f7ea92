// Server-issued visitor ids and server-decided arms. The app proxy's profile endpoint hands each browser an id it
// signed with the shop's key, and that id's arm in every play (a keyed hash, app/lib/stats/visitor.ts). Events,
// attribution and page statistics accept only ids that verify, and an event's arm must be the one the server
// derives: a client can neither invent visitors nor pick the arm it reports.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import prisma from "../db.server";
import { defaultSettings } from "../lib/plays/defaults";
import { PLAY_KEYS, type Arm, type PlayKey } from "../lib/plays/types";
import { armMessage, armOfDigest, idMessage, splitVisitorId } from "../lib/stats/visitor";

// Keys never change once created, so the cache only bounds how long a redacted shop's key outlives its row.
const SECRET_TTL_MS = 60_000;
// Holdout shares change when the merchant saves a play: a few seconds of lag is what the storefront config has too.
const HOLDOUT_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

const secrets = new Map<string, { key: Buffer; until: number }>();
const holdouts = new Map<string, { byPlay: Map<PlayKey, number>; until: number }>();

function remember<V>(map: Map<string, V>, k: string, v: V) {
  if (map.size >= CACHE_MAX) map.delete(map.keys().next().value as string);
  map.set(k, v);
}

/** Drops cached keys and holdout shares (tests; a shop redacted or re-installed). */
export function forgetVisitorKeys(shop?: string) {
  if (shop === undefined) {
    secrets.clear();
    holdouts.clear();
  } else {
    secrets.delete(shop);
    holdouts.delete(shop);
  }
}

/**
 * The shop's signing key, created on first use. Concurrent first uses race on a conditional update: whichever
 * key is stored first wins and every caller reads that one back. Null when the shop has no row.
 */
export async function visitorKey(shop: string): Promise<Buffer | null> {
  const hit = secrets.get(shop);
  if (hit && hit.until > Date.now()) return hit.key;
  let row = await prisma.shop.findUnique({ where: { shop }, select: { visitorSecret: true } });
  if (!row) return null;
  if (!row.visitorSecret) {
    await prisma.shop.updateMany({ where: { shop, visitorSecret: null }, data: { visitorSecret: randomBytes(32).toString("hex") } });
    row = await prisma.shop.findUnique({ where: { shop }, select: { visitorSecret: true } });
    if (!row?.visitorSecret) return null;
  }
  const key = Buffer.from(row.visitorSecret, "hex");
  remember(secrets, shop, { key, until: Date.now() + SECRET_TTL_MS });
  return key;
}

const b64url = (b: Buffer) => b.toString("base64url");

function tagOf(key: Buffer, nonce: string): string {
  return b64url(createHmac("sha256", key).update(idMessage(nonce)).digest().subarray(0, 16));
}

/** A fresh signed id: 128 random bits and a 128-bit tag. */
export function signNewVisitorId(key: Buffer): string {
  const nonce = b64url(randomBytes(16));
  return `${nonce}.${tagOf(key, nonce)}`;
}

/** Whether `id` is an id this key signed (constant-time tag comparison). */
export function verifyVisitorIdWithKey(key: Buffer, id: unknown): id is string {
  if (typeof id !== "string") return false;
  const parts = splitVisitorId(id);
  if (!parts) return false;
  const want = Buffer.from(tagOf(key, parts.nonce));
  const got = Buffer.from(parts.tag);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether `id` is a visitor id the app issued for this shop. */
export async function verifyVisitorId(shop: string, id: unknown): Promise<boolean> {
  if (typeof id !== "string" || !splitVisitorId(id)) return false;
  const key = await visitorKey(shop);
  return !!key && verifyVisitorIdWithKey(key, id);
}

/** The arm of a verified id in a play at a holdout share (percent). */
export function armWithKey(key: Buffer, id: string, play: PlayKey, holdoutPercent: number): Arm {
  return armOfDigest(createHmac("sha256", key).update(armMessage(id, play)).digest(), holdoutPercent);
}

/** Configured holdout share (percent) per play, the merchant's PlayConfig, defaults for plays never saved. */
export async function holdoutPercents(shop: string): Promise<Map<PlayKey, number>> {
  const hit = holdouts.get(shop);
  if (hit && hit.until > Date.now()) return hit.byPlay;
  const rows = await prisma.playConfig.findMany({ where: { shop, play: { in: [...PLAY_KEYS] } }, select: { play: true, settings: true } });
  const byPlay = new Map<PlayKey, number>(PLAY_KEYS.map((p) => [p, defaultSettings(p).holdoutPercent]));
  for (const r of rows) {
    try {
      const pct = (JSON.parse(r.settings) as { holdoutPercent?: unknown }).holdoutPercent;
      if (typeof pct === "number" && pct >= 0 && pct <= 100) byPlay.set(r.play as PlayKey, pct);
    } catch {
      // Unreadable settings keep the default share.
    }
  }
  remember(holdouts, shop, { byPlay, until: Date.now() + HOLDOUT_TTL_MS });
  return byPlay;
}

export interface IssuedVisitor {
  /** The signed id: kept by the browser, sent with events, written to the `_rp_vid` cart attribute. */
  id: string;
  /** The server's arm for this id in every play. */
  arms: Record<PlayKey, Arm>;
}

/**
 * The visitor the profile endpoint answers with: the presented id when it verifies, else a new one; with its
 * arms. Null when the shop has no row (not installed).
 */
export async function issueVisitor(shop: string, presented?: string | null): Promise<IssuedVisitor | null> {
  const key = await visitorKey(shop);
  if (!key) return null;
  const id = presented && verifyVisitorIdWithKey(key, presented) ? presented : signNewVisitorId(key);
  const percents = await holdoutPercents(shop);
  const arms = {} as Record<PlayKey, Arm>;
  for (const play of PLAY_KEYS) arms[play] = armWithKey(key, id, play, percents.get(play) ?? 0);
  return { id, arms };
}

export type VisitorCheck =
  | { ok: true }
  | { ok: false; reason: "unsigned_visitor" | "forged_arm"; rejected: number };

/**
 * Checks a batch before it is stored: the id must be one this shop's key signed, and every play event's arm the
 * one the server derives. Anything else is refused whole (nothing stored, nothing aggregated).
 */
export async function checkVisitorEvents(
  shop: string,
  visitorId: string,
  events: readonly { play?: PlayKey; arm?: Arm }[],
): Promise<VisitorCheck> {
  const key = splitVisitorId(visitorId) ? await visitorKey(shop) : null;
  if (!key || !verifyVisitorIdWithKey(key, visitorId)) return { ok: false, reason: "unsigned_visitor", rejected: events.length };
  let forged = 0;
  if (events.some((e) => e.play)) {
    const percents = await holdoutPercents(shop);
    const memo = new Map<PlayKey, Arm>();
    for (const e of events) {
      if (!e.play) continue;
      let arm = memo.get(e.play);
      if (!arm) memo.set(e.play, (arm = armWithKey(key, visitorId, e.play, percents.get(e.play) ?? 0)));
      if (e.arm !== arm) forged++;
    }
  }
  return forged ? { ok: false, reason: "forged_arm", rejected: events.length } : { ok: true };
}
