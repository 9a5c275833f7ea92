// The Deal-Seeker bundle code for the storefront (POST /apps/proxy/bundle) and checkout (POST /api/checkout/bundle):
// one single-use code (bundleCodes.server.ts) per visitor, handed out only while the play is on, only to an id the
// app issued (signed) whose server arm is treatment and for whom the server recorded the offer as shown, within
// the merchant's daily budget; rate-limited per visitor, per address and per shop. No code is ever in the
// published theme config, so shoppers who were not offered the bundle — and the holdout group the lift is
// measured against — cannot read one from a page, and a code that travels is good for one order only.
import { z } from "zod";
import { json } from "@remix-run/node";
import type { PlaySettingsMap } from "../lib/plays/types";
import prisma from "../db.server";
import { issueBundleCode } from "./bundleCodes.server";
import { jsonError, parseJsonBody } from "./edge.server";
import { MAX_EVENT_AGE_MS, visitorIdSchema } from "./events.server";
import { clientIp } from "./ingest.server";
import { createSharedRateLimiter } from "./shared.server";
import { activeBundleCode, getPlay } from "./plays.server";
import { armWithKey, verifyVisitorIdWithKey, visitorKey } from "./visitors.server";

const body = z.object({ visitorId: visitorIdSchema }).strict();
// A shopper accepts an offer a few times a session at most; a script asking for codes gets 429s. Signed ids are
// free to get, so one address rotating ids is held to a few codes too (a shared office stays well inside it).
// Shared by all instances through Redis when REDIS_URL is set (else per process), as the event limits are.
const perVisitor = createSharedRateLimiter({ name: "bundle-visitor", capacity: 5, refillPerSecond: 1 / 60 });
const perIp = createSharedRateLimiter({ name: "bundle-ip", capacity: 10, refillPerSecond: 1 / 120 });
const perShop = createSharedRateLimiter({ name: "bundle-shop", capacity: 200, refillPerSecond: 50 });
const NO_STORE = { "Cache-Control": "private, no-store" };

/**
 * Whether the server recorded the bundle offer as shown to this visitor in the treatment arm: a rolled-up
 * exposure, or a stored `shown`/`engaged` event not rolled up yet (both verified at ingest: signed id, server arm).
 */
export async function offerShown(shop: string, visitorId: string, now = new Date()): Promise<boolean> {
  const exposure = await prisma.playExposure.findUnique({
    where: { shop_play_visitorId: { shop, play: "deal_seeker", visitorId } },
    select: { arm: true, shownAt: true },
  });
  if (exposure?.arm === "treatment" && exposure.shownAt) return true;
  const event = await prisma.event.findFirst({
    where: {
      shop, visitorId, play: "deal_seeker", arm: "treatment", type: { in: ["shown", "engaged"] },
      occurredAt: { gte: new Date(now.getTime() - MAX_EVENT_AGE_MS) },
    },
    select: { id: true },
  });
  return event !== null;
}

// The embed reports "shown" in batches (flushed within 4 s), and a shopper can accept the offer sooner: a signed
// treated visitor whose report is not stored yet is given this long for it to land before being refused.
export const SHOWN_GRACE_MS = 5_000;
const SHOWN_POLL_MS = 250;

async function shownWithin(shop: string, visitorId: string, graceMs: number): Promise<boolean> {
  const end = Date.now() + graceMs;
  for (;;) {
    if (await offerShown(shop, visitorId)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, SHOWN_POLL_MS));
  }
}

export async function bundleCodeResponse(
  request: Request,
  shop: string,
  customerId: string | null = null,
  options: { shownGraceMs?: number } = {},
): Promise<Response> {
  const { visitorId } = await parseJsonBody(request, body, 1024);
  const ip = clientIp(request);
  // Narrowest first: a request refused for its visitor or address spends nothing of its shop's allowance.
  if (!(await perVisitor.take(`${shop}:${visitorId}`)) || (ip && !(await perIp.take(`${shop}:${ip}`))) || !(await perShop.take(shop))) {
    return jsonError(429, "Too many requests; retry later", {}, { "Retry-After": "60" });
  }
  try {
    const play = await getPlay(shop, "deal_seeker");
    const settings = play.settings as PlaySettingsMap["deal_seeker"];
    if (!(settings.discountPercent > 0) || !activeBundleCode(play) || !play.discountId) {
      return jsonError(404, "The bundle offer is not active", {}, NO_STORE);
    }
    // A made-up id, or a holdout one, would take the discount from the group the lift is measured against.
    const key = await visitorKey(shop);
    const treated = !!key && verifyVisitorIdWithKey(key, visitorId) && armWithKey(key, visitorId, "deal_seeker", settings.holdoutPercent) === "treatment";
    if (!treated) return jsonError(403, "The bundle offer is not available to this visitor", {}, NO_STORE);
    if (!(await shownWithin(shop, visitorId, options.shownGraceMs ?? SHOWN_GRACE_MS))) return jsonError(403, "The bundle offer was not shown to this visitor", { reason: "not_shown" }, NO_STORE);
    const issued = await issueBundleCode(shop, { visitorId, customerId, discountId: play.discountId, settings });
    if (issued.status === "budget") {
      return jsonError(429, "The shop's bundle offer budget for today is spent", { reason: "budget" }, { ...NO_STORE, "Retry-After": "3600" });
    }
    if (issued.status === "empty") {
      return jsonError(503, "No bundle code is ready; retry later", { reason: "pool_empty" }, { ...NO_STORE, "Retry-After": "300" });
    }
    return json({ code: issued.code }, { headers: NO_STORE });
  } catch {
    return jsonError(503, "The bundle offer is temporarily unavailable", {}, NO_STORE);
  }
}
