// "Preview on my store": a signed, short-lived token that lets the merchant's browser see one play on the
// storefront with the play's current copy. The token names the shop, the play and its expiry, and is signed with
// the app secret (HMAC-SHA256, its own "preview:" message prefix so it can never verify as any other signed value).
// The storefront embed, holding a token, tracks nothing and sends no events, so preview traffic never counts.
import { createHmac, timingSafeEqual } from "node:crypto";
import { isPlayKey } from "../lib/playsSchema/schema";
import type { PlayKey, PlayMessage } from "../lib/plays/types";
import { getPlay } from "./plays.server";

export const PREVIEW_TTL_MS = 15 * 60_000;

/** Intervention the storefront reveals for each play (the decision engine's kinds) and the page that shows it. */
export const PREVIEW_SURFACE: Record<PlayKey, { kind: string; path: string }> = {
  confidence: { kind: "returns_confidence", path: "/cart" },
  vip: { kind: "payment_options", path: "/cart" },
  indecision: { kind: "alternatives", path: "/cart" },
  // Without read_products the app knows no product handle: the catalogue page (the panel shows there too).
  deal_seeker: { kind: "bundle", path: "/collections/all" },
};

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function secret(): string {
  const s = process.env.SHOPIFY_API_SECRET;
  if (!s) throw new Error("SHOPIFY_API_SECRET is not set");
  return s;
}

function sign(payload: string): Buffer {
  return createHmac("sha256", secret()).update(`preview:${payload}`).digest();
}

export function createPreviewToken(shop: string, play: PlayKey, now = Date.now()): string {
  const payload = b64(JSON.stringify({ s: shop, p: play, e: now + PREVIEW_TTL_MS }));
  return `${payload}.${b64(sign(payload))}`;
}

/** The play a token grants for this shop, or null (bad signature, other shop, expired, malformed). */
export function verifyPreviewToken(token: string | null | undefined, shop: string, now = Date.now()): PlayKey | null {
  if (!token || token.length > 512) return null;
  const [payload, mac, extra] = token.split(".");
  if (!payload || !mac || extra !== undefined) return null;
  const given = Buffer.from(mac, "base64url");
  const want = sign(payload);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  let claims: { s?: unknown; p?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (claims.s !== shop || typeof claims.e !== "number" || claims.e <= now || !isPlayKey(claims.p)) return null;
  return claims.p;
}

/** Storefront URL that opens the preview (the dev store's origin in demo and test mode). */
export function previewUrl(shop: string, play: PlayKey, now = Date.now()): string {
  const origin = process.env.SHOPIFY_ADMIN_API_ORIGIN || `https://${shop}`;
  const url = new URL(PREVIEW_SURFACE[play].path, origin);
  url.searchParams.set("rp_preview", createPreviewToken(shop, play, now));
  return url.toString();
}

/** What the storefront shows for a valid token: the play's intervention kind and its current (saved) copy. */
export async function previewContent(shop: string, play: PlayKey): Promise<{ play: PlayKey; kind: string } & Pick<PlayMessage, "heading" | "body">> {
  const { heading, body } = (await getPlay(shop, play)).settings.message;
  return { play, kind: PREVIEW_SURFACE[play].kind, heading, body };
}
