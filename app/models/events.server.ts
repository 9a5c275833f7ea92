// Raw storefront/checkout events: validation of the batches the app proxy receives, and their persistence.
// Events are rolled up into PlayExposure / DailyPlayStat by models/rollup.server and pruned by retention.
import { z } from "zod";
import prisma from "../db.server";
import { PLAY_KEYS } from "../lib/plays/types";
import { currentDialect, dialectSql } from "../db/dialect";

export const EVENT_TYPES = [
  "page_view", "eligible", "shown", "engaged", "dismissed", "add_to_cart", "remove_from_cart", "checkout_started",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event types that belong to a play and must carry the play and the visitor's arm. */
export const PLAY_EVENT_TYPES = ["eligible", "shown", "engaged", "dismissed"] as const satisfies readonly EventType[];

export const MAX_EVENTS_PER_BATCH = 100;
/** Beacons queued while offline may arrive late; anything older is not trusted. */
export const MAX_EVENT_AGE_MS = 3 * 24 * 60 * 60 * 1000;
/** Tolerated client clock skew into the future. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

export const visitorIdSchema = z.string().min(8).max(64).regex(/^[A-Za-z0-9_.:-]+$/);

const timestamp = z.union([z.number().int().nonnegative(), z.string().max(40)]).transform((v, ctx) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "invalid timestamp" });
    return z.NEVER;
  }
  return d;
});

const eventObject = z
  .object({
    type: z.enum(EVENT_TYPES),
    play: z.enum(PLAY_KEYS).optional(),
    arm: z.enum(["treatment", "holdout"]).optional(),
    pageType: z.string().max(32).regex(/^[a-z_]+$/).optional(),
    // Query strings can carry personal data (emails, tokens): only the path is kept.
    path: z.string().max(512).transform((p) => p.split(/[?#]/)[0]).optional(),
    value: z.number().min(-1e7).max(1e7).optional(),
    occurredAt: timestamp,
    /** Per-event visitor id; defaults to the batch's. */
    visitorId: visitorIdSchema.optional(),
  })
  .strict()
  .refine((e) => !(PLAY_EVENT_TYPES as readonly string[]).includes(e.type) || (e.play && e.arm), {
    message: "play events need play and arm",
    path: ["play"],
  });

/**
 * The storefront and checkout clients send the time as `ts` (epoch ms, the compact wire name); `occurredAt` is
 * accepted too. Exactly one of them is used; anything else about the event is validated strictly.
 */
const eventSchema = z.preprocess((e) => {
  if (e && typeof e === "object" && !Array.isArray(e) && "ts" in e && !("occurredAt" in e)) {
    const { ts, ...rest } = e as Record<string, unknown>;
    return { ...rest, occurredAt: ts };
  }
  return e;
}, eventObject);

export const eventBatchSchema = z
  .object({
    visitorId: visitorIdSchema,
    events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
  })
  .strict();

export type EventBatchInput = z.input<typeof eventBatchSchema>;

export interface StoredEvent {
  type: EventType;
  play?: (typeof PLAY_KEYS)[number];
  arm?: "treatment" | "holdout";
  visitorId: string;
  customerId?: string | null;
  pageType?: string;
  path?: string;
  value?: number;
  occurredAt: Date;
}

export type ParseResult =
  | { success: true; events: StoredEvent[] }
  | { success: false; issues: { path: string; message: string }[] };

/**
 * Validates a body `{ visitorId, events: [...] }` from the storefront. Timestamps outside
 * [now − MAX_EVENT_AGE_MS, now + MAX_CLOCK_SKEW_MS] are rejected. Routes answer 400/413 on failure.
 */
export function parseEventBatch(body: unknown, now: Date = new Date()): ParseResult {
  const parsed = eventBatchSchema.safeParse(body);
  if (!parsed.success) {
    return { success: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
  }
  const issues: { path: string; message: string }[] = [];
  // A batch speaks for exactly one visitor (its signed id): one request cannot carry a crowd of made-up ones.
  parsed.data.events.forEach((e, i) => {
    if (e.visitorId !== undefined && e.visitorId !== parsed.data.visitorId) issues.push({ path: `events.${i}.visitorId`, message: "one visitor per batch" });
  });
  const min = now.getTime() - MAX_EVENT_AGE_MS;
  const max = now.getTime() + MAX_CLOCK_SKEW_MS;
  const events = parsed.data.events.map((e, i) => {
    const t = e.occurredAt.getTime();
    if (t < min || t > max) issues.push({ path: `events.${i}.occurredAt`, message: "timestamp out of range" });
    return {
      type: e.type,
      play: e.play,
      arm: e.arm,
      visitorId: e.visitorId ?? parsed.data.visitorId,
      pageType: e.pageType,
      path: e.path,
      value: e.value,
      occurredAt: e.occurredAt,
    } satisfies StoredEvent;
  });
  return issues.length ? { success: false, issues } : { success: true, events };
}

/** Shopify customer ids arrive as numbers, numeric strings or GIDs; they are stored as the numeric string. */
export function normalizeCustomerId(id: string | number | null | undefined): string | null {
  if (id === null || id === undefined || id === "") return null;
  const s = String(id);
  const m = /(\d+)$/.exec(s);
  return m ? m[1] : null;
}

/**
 * Stores a validated batch as one multi-row INSERT (a single atomic statement) and returns the rows written.
 * `customerId` comes from the signed app-proxy parameter (logged_in_customer_id), never from the body.
 * Throws when the database fails, so the route answers 503 and the storefront retries.
 */
export async function storeEvents(
  shop: string,
  batch: readonly StoredEvent[],
  context: { customerId?: string | number | null } = {},
): Promise<number> {
  if (batch.length === 0) return 0;
  if (batch.length > MAX_EVENTS_PER_BATCH) throw new RangeError(`at most ${MAX_EVENTS_PER_BATCH} events per batch`);
  const customerId = normalizeCustomerId(context.customerId);
  const sql = dialectSql(currentDialect());
  const createdAt = sql.tsValue(new Date());
  const params: unknown[] = [];
  const rows = batch.map((e) => {
    if (Number.isNaN(e.occurredAt.getTime())) throw new RangeError("invalid occurredAt");
    params.push(
      shop, e.visitorId, normalizeCustomerId(e.customerId) ?? customerId, e.type, e.play ?? null, e.arm ?? null,
      e.pageType ?? null, e.path ?? null, e.value ?? null, sql.tsValue(e.occurredAt), createdAt,
    );
    return `(?, ?, ?, ?, ?, ?, ?, ?, ?, ${sql.ts}, ${sql.ts})`;
  });
  // One statement (atomic on its own): raw SQL because the ORM's per-row work dominated ingestion cost.
  return prisma.$executeRawUnsafe(
    sql.q(`INSERT INTO ${sql.t("Event")} ("shop", "visitorId", "customerId", "type", "play", "arm", "pageType", "path", "value", "occurredAt", "createdAt")
      VALUES ${rows.join(", ")}`),
    ...params,
  );
}
