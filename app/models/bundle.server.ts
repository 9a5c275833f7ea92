// The Deal-Seeker bundle code for the storefront (POST /apps/proxy/bundle): handed out only while the play is on,
// only to visitors the app issued (signed id) in its treatment arm (the server's arm, as the embed is told), rate-limited per
// visitor. The code is never in the published theme config, so shoppers who were not offered the bundle — and the
// holdout group the lift is measured against — do not get the discount from reading a page.
import { z } from "zod";
import { json } from "@remix-run/node";
import { createRateLimiter } from "../lib/edge/ratelimit";
import type { PlaySettingsMap } from "../lib/plays/types";
import { jsonError, parseJsonBody } from "./edge.server";
import { visitorIdSchema } from "./events.server";
import { activeBundleCode, getPlay } from "./plays.server";
import { armWithKey, verifyVisitorIdWithKey, visitorKey } from "./visitors.server";

const body = z.object({ visitorId: visitorIdSchema }).strict();
// A shopper accepts an offer a few times a session at most; a script asking for codes gets 429s.
const perVisitor = createRateLimiter({ capacity: 5, refillPerSecond: 1 / 60 });
const perShop = createRateLimiter({ capacity: 200, refillPerSecond: 50 });
const NO_STORE = { "Cache-Control": "private, no-store" };

export async function bundleCodeResponse(request: Request, shop: string): Promise<Response> {
  const { visitorId } = await parseJsonBody(request, body, 1024);
  if (!perShop.take(shop) || !perVisitor.take(`${shop}:${visitorId}`)) return jsonError(429, "Too many requests; retry later", {}, { "Retry-After": "60" });
  try {
    const play = await getPlay(shop, "deal_seeker");
    const { holdoutPercent, discountPercent } = play.settings as PlaySettingsMap["deal_seeker"];
    const code = discountPercent > 0 ? activeBundleCode(play) : null;
    if (!code) return jsonError(404, "The bundle offer is not active", {}, NO_STORE);
    // A made-up id, or a holdout one, would take the discount from the group the lift is measured against.
    const key = await visitorKey(shop);
    const treated = !!key && verifyVisitorIdWithKey(key, visitorId) && armWithKey(key, visitorId, "deal_seeker", holdoutPercent) === "treatment";
    if (!treated) return jsonError(403, "The bundle offer is not available to this visitor", {}, NO_STORE);
    return json({ code }, { headers: NO_STORE });
  } catch {
    return jsonError(503, "The bundle offer is temporarily unavailable", {}, NO_STORE);
  }
}
