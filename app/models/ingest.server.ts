// Event ingestion shared by the app-proxy and checkout endpoints: bounded body → validated batch → rate limit
// → stored in one statement. Accepted means stored: a database failure answers 503 and nothing is acknowledged.
import { isIP } from "node:net";
import { json } from "@remix-run/node";
import { jsonError, readBody } from "./edge.server";
import { parseEventBatch, storeEvents } from "./events.server";
import { recordPaymentsCheckout } from "./paymentCustomization.server";
import { createSharedRateLimiter } from "./shared.server";
import { checkVisitorEvents } from "./visitors.server";

export const MAX_EVENTS_BODY_BYTES = 32 * 1024;

// Per visitor: bursts of 20 batches, 2 per second sustained (a shopper's beacons come every few seconds at
// most). Per shop: 1,000 batches/s sustained, bursts of 2,000 (protects the database from one shop's flood).
// Shared by all instances through Redis when REDIS_URL is set (else per process).
// Per IP: signed ids are free to get (the proxy issues one to anyone), so one machine rotating ids is held to
// 60 batches/s, bursts of 300 — a shared office or mobile carrier NAT stays well inside that, and one address
// can never spend more than a small share of its shop's allowance.
const perVisitor = createSharedRateLimiter({ name: "visitor", capacity: 20, refillPerSecond: 2 });
const perIp = createSharedRateLimiter({ name: "ip", capacity: 300, refillPerSecond: 60 });
const perShop = createSharedRateLimiter({ name: "shop", capacity: 2000, refillPerSecond: 1000 });

/**
 * The shopper's address: the last X-Forwarded-For entry, the one the proxy in front of the app (Shopify's app
 * proxy, or the dev store's) added; earlier entries are whatever the client sent. Null when absent or not an
 * IP, and then no per-IP limit applies, so shoppers without a known address never share one bucket.
 */
export function clientIp(request: Request): string | null {
  const xff = request.headers.get("x-forwarded-for");
  if (!xff) return null;
  const last = xff.split(",").pop()!.trim().replace(/^::ffff:/, "");
  return isIP(last) ? last : null;
}

/**
 * Narrowest bucket first: a request refused for its visitor or address spends nothing from its shop's
 * allowance, so a flood from one source runs out of its own buckets long before it can starve the shop's.
 */
async function withinLimits(shop: string, visitor: string, ip: string | null): Promise<boolean> {
  if (!(await perVisitor.take(`${shop}:${visitor}`))) return false;
  if (ip && !(await perIp.take(ip))) return false;
  return perShop.take(shop);
}

export async function ingestEvents(
  request: Request,
  shop: string,
  customerId: string | null,
  headers?: HeadersInit,
): Promise<Response> {
  let body: unknown;
  try {
    const text = await readBody(request, MAX_EVENTS_BODY_BYTES);
    body = JSON.parse(text);
  } catch (err) {
    if (err instanceof Response) return err;
    return jsonError(400, "Malformed JSON body", {}, headers);
  }
  const parsed = parseEventBatch(body);
  if (!parsed.success) return jsonError(400, "Invalid event batch", { issues: parsed.issues.slice(0, 10) }, headers);
  const visitor = parsed.events[0].visitorId;
  // Only ids the app signed, with the arms the server derives, are stored: made-up visitors and arms never count.
  let check;
  try {
    check = await checkVisitorEvents(shop, visitor, parsed.events);
  } catch {
    return jsonError(503, "Events could not be stored; retry later", {}, headers);
  }
  if (!check.ok) return jsonError(403, "Events refused: visitor id or arm not issued by the app", { reason: check.reason, rejected: check.rejected }, headers);
  if (!(await withinLimits(shop, visitor, clientIp(request)))) {
    return jsonError(429, "Too many events; retry later", {}, { ...Object.fromEntries(new Headers(headers)), "Retry-After": "1" });
  }
  let stored: number;
  try {
    stored = await storeEvents(shop, parsed.events, { customerId });
  } catch {
    return jsonError(503, "Events could not be stored; retry later", {}, headers);
  }
  // A signed customer reaching checkout: the payment customization Function ran for them (its exposure, both arms).
  const checkout = customerId ? parsed.events.find((e) => e.type === "checkout_started") : undefined;
  if (customerId && checkout) {
    await recordPaymentsCheckout(shop, customerId, checkout.occurredAt, checkout.value ?? null).catch((err: unknown) =>
      console.error("[payments] checkout exposure not recorded", { shop, error: err instanceof Error ? err.message : String(err) }),
    );
  }
  return json({ stored }, { status: 202, headers });
}
