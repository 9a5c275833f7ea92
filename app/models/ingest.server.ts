// Event ingestion shared by the app-proxy and checkout endpoints: bounded body → validated batch → rate limit
// → stored in one statement. Accepted means stored: a database failure answers 503 and nothing is acknowledged.
import { json } from "@remix-run/node";
import { jsonError, readBody } from "./edge.server";
import { parseEventBatch, storeEvents } from "./events.server";
import { createSharedRateLimiter } from "./shared.server";
import { checkVisitorEvents } from "./visitors.server";

export const MAX_EVENTS_BODY_BYTES = 32 * 1024;

// Per visitor: bursts of 20 batches, 2 per second sustained (a shopper's beacons come every few seconds at
// most). Per shop: 1,000 batches/s sustained, bursts of 2,000 (protects the database from one shop's flood).
// Shared by all instances through Redis when REDIS_URL is set (else per process).
const perVisitor = createSharedRateLimiter({ name: "visitor", capacity: 20, refillPerSecond: 2 });
const perShop = createSharedRateLimiter({ name: "shop", capacity: 2000, refillPerSecond: 1000 });

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
  if (!(await perShop.take(shop)) || !(await perVisitor.take(`${shop}:${visitor}`))) {
    return jsonError(429, "Too many events; retry later", {}, { ...Object.fromEntries(new Headers(headers)), "Retry-After": "1" });
  }
  try {
    const stored = await storeEvents(shop, parsed.events, { customerId });
    return json({ stored }, { status: 202, headers });
  } catch {
    return jsonError(503, "Events could not be stored; retry later", {}, headers);
  }
}
