/**
 * Server-issued visitor ids and server-decided arms (pure part). An id is `<nonce>.<mac>`: a random nonce the app
 * chose and the first 16 bytes of HMAC-SHA256(shop key, "vid:" + nonce), both base64url. The arm of a play is a
 * bucket of HMAC-SHA256(shop key, "arm:" + play + ":" + id), so neither the id nor its arm can be chosen by a
 * client: a made-up id does not verify, and the arm of a real one is unknown until the server says it.
 * The HMAC itself lives on the server (app/models/visitors.server.ts); this module holds the formats.
 */
import type { Arm, PlayKey } from "../plays/types";

/** 22 base64url characters = 16 bytes (128 bits) for the nonce and for the tag. */
export const SIGNED_VISITOR_ID = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

export function isSignedVisitorIdFormat(id: unknown): id is string {
  return typeof id === "string" && SIGNED_VISITOR_ID.test(id);
}

/** The nonce and tag of a well-formed signed id, else null. */
export function splitVisitorId(id: string): { nonce: string; tag: string } | null {
  if (!SIGNED_VISITOR_ID.test(id)) return null;
  const dot = id.indexOf(".");
  return { nonce: id.slice(0, dot), tag: id.slice(dot + 1) };
}

/** What the HMAC covers for the id's tag, and for a play's arm. */
export const idMessage = (nonce: string) => `vid:${nonce}`;
export const armMessage = (id: string, play: PlayKey) => `arm:${play}:${id}`;

/** Bucket 0–9999 from the first four bytes of a keyed digest (uniform: 2^32 mod 10^4 bias < 3e-6). */
export function bucketOfDigest(digest: Uint8Array): number {
  return (((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0) % 10000;
}

/** Holdout when the bucket falls below holdoutPercent (basis points), the same rule as the published holdout. */
export function armOfDigest(digest: Uint8Array, holdoutPercent: number): Arm {
  return bucketOfDigest(digest) < Math.round(holdoutPercent * 100) ? "holdout" : "treatment";
}
