// Event ingestion shared by the app-proxy and checkout endpoints: bounded body → validated batch → rate limit
// → stored in one statement. Accepted means stored: a database failure answers 503 and nothing is acknowledged.
import { json } from "@remix-run/node";
import prisma, { databaseKind } from "../db.server";
import { createRateLimiter } from "../lib/edge/ratelimit";
import { jsonError, readBody } from "./edge.server";
import { MAX_EVENTS_PER_BATCH, normalizeCustomerId, parseEventBatch, type StoredEvent } from "./events.server";

export const MAX_EVENTS_BODY_BYTES = 32 * 1024;

// Per visitor: bursts of 20 batches, 2 per second sustained (a shopper's beacons come every few seconds at
// most). Per shop: 1,000 batches/s sustained, bursts of 2,000 (protects the database from one shop's flood).
const perVisitor = createRateLimiter({ capacity: 20, refillPerSecond: 2 });
const perShop = createRateLimiter({ capacity: 2000, refillPerSecond: 1000 });

const EVENT_COLUMNS = ["shop", "visitorId", "customerId", "type", "play", "arm", "pageType", "path", "value", "occurredAt", "createdAt"];
const insertSql = new Map<number, string>();

/**
 * The statement for n rows, cached per size: `?` placeholders on SQLite; on PostgreSQL `$1…` and the table
 * qualified with the ?schema= of DATABASE_URL (the adapter applies the schema to ORM queries, not to raw SQL).
 */
function insertStatement(rows: number): string {
  let sql = insertSql.get(rows);
  if (!sql) {
    const url = process.env.DATABASE_URL ?? "";
    const postgres = databaseKind(url) === "postgres";
    const table = postgres ? `"${(new URL(url).searchParams.get("schema") ?? "public").replace(/"/g, "")}"."Event"` : `"Event"`;
    const w = EVENT_COLUMNS.length;
    const tuple = (r: number) => `(${EVENT_COLUMNS.map((_, c) => (postgres ? `$${r * w + c + 1}` : "?")).join(", ")})`;
    sql = `INSERT INTO ${table} (${EVENT_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${Array.from({ length: rows }, (_, r) => tuple(r)).join(", ")}`;
    insertSql.set(rows, sql);
  }
  return sql;
}

/**
 * Writes a validated batch as one multi-row INSERT with bound parameters and returns the rows written. Same rows
 * as storeEvents (models/events.server) — checked by ingest.server.test.ts on SQLite and PostgreSQL — without
 * the ORM's per-row query planning, which cost ~200 µs per event and capped ingestion near 2,000 events/s.
 * createdAt is set here because the ORM, not the database, fills @default(now()) in the same format. Values are
 * always bound parameters (the SQL text depends only on the row count).
 */
export async function insertEvents(shop: string, batch: readonly StoredEvent[], customerId: string | null): Promise<number> {
  if (batch.length === 0) return 0;
  if (batch.length > MAX_EVENTS_PER_BATCH) throw new RangeError(`at most ${MAX_EVENTS_PER_BATCH} events per batch`);
  const signedCustomer = normalizeCustomerId(customerId);
  const createdAt = new Date();
  const values = batch.flatMap((e) => [
    shop, e.visitorId, normalizeCustomerId(e.customerId) ?? signedCustomer, e.type, e.play ?? null, e.arm ?? null,
    e.pageType ?? null, e.path ?? null, e.value ?? null, e.occurredAt, createdAt,
  ]);
  return prisma.$executeRawUnsafe(insertStatement(batch.length), ...values);
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
  if (!perShop.take(shop) || !perVisitor.take(`${shop}:${visitor}`)) {
    return jsonError(429, "Too many events; retry later", {}, { ...Object.fromEntries(new Headers(headers)), "Retry-After": "1" });
  }
  try {
    const stored = await insertEvents(shop, parsed.events, customerId);
    return json({ stored }, { status: 202, headers });
  } catch {
    return jsonError(503, "Events could not be stored; retry later", {}, headers);
  }
}
