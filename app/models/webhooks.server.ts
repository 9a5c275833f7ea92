// Webhook edge and inbox. authenticate.webhook verifies the HMAC (401 on a bad signature, nothing written); a signed
// but malformed payload is refused (400); a body that names a shop other than the X-Shopify-Shop-Domain header is
// refused (the header is not covered by the HMAC, the body is). Each delivery is then stored in WebhookDelivery
// (id = X-Shopify-Webhook-Id: a repeated delivery is one row) and acknowledged with 200 once stored; it is processed
// at once, and a handler that fails — even after the 200 — is retried from the inbox with backoff by the
// "webhooks" job, so no delivery is lost. A database outage before the row is stored answers 503 (Shopify retries).
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import prisma from "../db.server";
import { authenticate, unauthenticated } from "../shopify.server";

export type WebhookAdmin = Awaited<ReturnType<typeof unauthenticated.admin>>["admin"];

export interface WebhookCall<P = unknown> {
  /** The shop the delivery is for: the header's, checked against the signed body wherever the body names one. */
  shop: string;
  topic: string;
  /** The payload as the topic's schema parsed it (once per attempt). */
  payload: P;
  /** The shop's offline Admin API client (loaded on demand). */
  admin(): Promise<WebhookAdmin>;
}

export interface WebhookTopic<P = unknown> {
  topic: string;
  /**
   * The one schema of the topic's payload: signed payloads that do not parse are refused with 400 before anything
   * is stored, and each attempt hands the handler what it parses to.
   */
  schema: z.ZodType<P>;
  /** false: processed for an uninstalled shop too (app/uninstalled, compliance topics). */
  requireActiveShop?: boolean;
  /** The shop the signed body names, if the topic's payload carries one; it must equal the header's shop. */
  bodyShop?: (payload: P) => string | null | undefined;
  handle(call: WebhookCall<P>): Promise<void>;
}

/**
 * A topic whose handler and body-shop check are typed by its schema. The registry holds topics of different
 * payload types, so each is stored as a WebhookTopic<unknown>: sound, because the inbox always parses the payload
 * with the same topic's schema before calling either.
 */
export function webhookTopic<P>(def: WebhookTopic<P>): WebhookTopic {
  return def as unknown as WebhookTopic;
}

/** A claimed attempt runs at most this long before another worker may take the delivery over. */
const LEASE_MS = 15 * 60_000;
/** After this many failed attempts a delivery is parked as `failed` (kept, logged) instead of retried. */
export const MAX_ATTEMPTS = 12;
const ANSWER_WITHIN_MS = 3000;

/** Delay before the next attempt after `attempts` failures: 1 min, doubling, at most 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 60 * 60_000);
}

function isUniqueViolation(err: unknown) {
  return (
    (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") ||
    (typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002")
  );
}

/** True while the shop has the app installed (uninstall stops all processing immediately). */
export async function isShopActive(shop: string): Promise<boolean> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  return !!row && row.uninstalledAt === null;
}

/** `shop_domain` of the compliance payloads (customers/data_request, customers/redact, shop/redact). */
export const shopDomainOf = (payload: { shop_domain: string }) => payload.shop_domain;

const sameShop = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The route's action: verify, validate, store, acknowledge. `answerWithinMs` bounds how long the first attempt may
 * hold the answer (Shopify expects one within 5 s); the attempt goes on after the answer and records its outcome.
 */
export async function receiveWebhook(
  request: Request,
  def: WebhookTopic,
  options: { answerWithinMs?: number; now?: () => Date } = {},
): Promise<Response> {
  let ctx: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    ctx = await authenticate.webhook(request);
  } catch (err) {
    if (err instanceof Response) throw err; // 400 missing headers / 401 bad HMAC, from the library
    console.error("webhook: session storage unavailable");
    return new Response("Service unavailable", { status: 503 });
  }
  const parsed = def.schema.safeParse(ctx.payload);
  if (!parsed.success) return new Response(`Invalid ${def.topic} payload`, { status: 400 });
  // Compliance payloads always name the shop (their schemas require shop_domain); elsewhere it is checked if present.
  const named = def.bodyShop?.(parsed.data);
  if (named != null && !sameShop(named, ctx.shop)) {
    console.error(`webhook ${def.topic}: the signed body names another shop than the header; refused`);
    return new Response("Shop does not match the signed payload", { status: 400 });
  }
  const id = ctx.webhookId || request.headers.get("x-shopify-webhook-id");
  if (!id) return new Response("Missing X-Shopify-Webhook-Id", { status: 400 });
  const now = options.now?.() ?? new Date();
  try {
    // Stored already claimed by this request (attempt 1, leased), so the retry job leaves it alone meanwhile.
    await prisma.webhookDelivery.create({
      data: {
        id, shop: ctx.shop, topic: def.topic, payload: JSON.stringify(ctx.payload ?? null),
        status: "pending", attempts: 1, nextAttemptAt: new Date(now.getTime() + LEASE_MS),
      },
    });
  } catch (err) {
    if (isUniqueViolation(err)) return new Response(null, { status: 200 });
    console.error(`webhook ${def.topic}: database unavailable`);
    return new Response("Service unavailable", { status: 503 });
  }
  const attempt = runAttempt(def, { id, shop: ctx.shop, payload: parsed.data, attempts: 1 }, now);
  await Promise.race([attempt, new Promise((r) => setTimeout(r, options.answerWithinMs ?? ANSWER_WITHIN_MS))]);
  return new Response(null, { status: 200 });
}

interface Claimed {
  id: string;
  shop: string;
  /** Parsed by the topic's schema. */
  payload: unknown;
  /** The attempt number this claim holds (its outcome is written only while the row still says so). */
  attempts: number;
}

/** Runs one claimed attempt and records its outcome; never throws. Returns the delivery's new status. */
async function runAttempt(def: WebhookTopic, claim: Claimed, now: Date): Promise<"done" | "pending" | "failed"> {
  const mine = { id: claim.id, attempts: claim.attempts, status: "pending" };
  try {
    if (def.requireActiveShop === false || (await isShopActive(claim.shop))) {
      await def.handle({
        shop: claim.shop,
        topic: def.topic,
        payload: claim.payload,
        admin: async () => (await unauthenticated.admin(claim.shop)).admin,
      });
    }
    // Processed: the payload (order and customer data) is not kept.
    await prisma.webhookDelivery.updateMany({ where: mine, data: { status: "done", payload: null, lastError: null } });
    return "done";
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const failed = claim.attempts >= MAX_ATTEMPTS;
    console.error(`webhook ${def.topic} for ${claim.shop} failed (attempt ${claim.attempts}${failed ? ", giving up" : ", will retry"}): ${message}`);
    await prisma.webhookDelivery
      .updateMany({
        where: mine,
        data: failed
          ? { status: "failed", lastError: message }
          : { lastError: message, nextAttemptAt: new Date(now.getTime() + retryDelayMs(claim.attempts)) },
      })
      .catch(() => undefined); // the lease expires and the delivery is retried anyway
    return failed ? "failed" : "pending";
  }
}

/** Shops with deliveries due for another attempt. */
export async function shopsWithDueWebhooks(now: Date = new Date()): Promise<string[]> {
  const rows = await prisma.webhookDelivery.findMany({
    where: { status: "pending", nextAttemptAt: { lte: now } },
    select: { shop: true },
    distinct: ["shop"],
  });
  return rows.map((r) => r.shop);
}

/**
 * Retries the shop's due deliveries, oldest first. Each is claimed by a compare-and-set on its attempt count (two
 * workers never run the same attempt); a topic without a handler is parked as failed.
 */
export async function processDueDeliveries(
  shop: string,
  topics: Record<string, WebhookTopic>,
  now: Date = new Date(),
  limit = 100,
): Promise<{ done: number; pending: number; failed: number }> {
  const due = await prisma.webhookDelivery.findMany({
    where: { shop, status: "pending", nextAttemptAt: { lte: now } },
    orderBy: { receivedAt: "asc" },
    take: limit,
    select: { id: true, topic: true, payload: true, attempts: true },
  });
  const tally = { done: 0, pending: 0, failed: 0 };
  for (const row of due) {
    const attempts = row.attempts + 1;
    const claimed = await prisma.webhookDelivery.updateMany({
      where: { id: row.id, status: "pending", attempts: row.attempts, nextAttemptAt: { lte: now } },
      data: { attempts, nextAttemptAt: new Date(now.getTime() + LEASE_MS) },
    });
    if (claimed.count !== 1) continue;
    const def = topics[row.topic];
    if (!def) {
      await prisma.webhookDelivery.updateMany({ where: { id: row.id }, data: { status: "failed", lastError: `no handler for ${row.topic}` } });
      tally.failed++;
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(row.payload ?? "null");
    } catch {
      raw = null;
    }
    // Stored after the same schema accepted it; a payload that no longer parses (the schema changed since) is parked.
    const parsed = def.schema.safeParse(raw);
    if (!parsed.success) {
      await prisma.webhookDelivery.updateMany({ where: { id: row.id }, data: { status: "failed", lastError: `payload no longer matches the ${row.topic} schema` } });
      tally.failed++;
      continue;
    }
    tally[await runAttempt(def, { id: row.id, shop, payload: parsed.data, attempts }, now)]++;
  }
  return tally;
}
