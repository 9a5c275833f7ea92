// Deal-Seeker bundle codes: one single-use redeem code per treated visitor who was shown the offer.
//
// The shop's bundle discount (discounts.server.ts) carries `usageLimit: 1`, which Shopify applies to each of its
// redeem codes separately, so every code here is good for one order. Codes are added to Shopify in bulk
// (`discountRedeemCodeBulkAdd`, at most 250 a call, asynchronous) and kept as a pool per shop; issuing claims one
// pooled code under a per-shop lock, within the merchant's daily budget. orders/create records which order used
// a code and whether that order was its holder's: the leak report counts codes used by anyone else.
import { randomInt } from "node:crypto";
import prisma from "../db.server";
import { currentDialect } from "../db/dialect";
import type { DealSeekerSettings } from "../lib/plays/types";
import { adminGraphql, AdminApiError, type AdminGraphqlClient } from "./adminData.server";
import { normalizeCustomerId } from "./events.server";
import { activeBundleCode, getPlay } from "./plays.server";

const BULK_ADD = `#graphql
  mutation RecoveryPlaysBundleCodesAdd($discountId: ID!, $codes: [DiscountRedeemCodeInput!]!) {
    discountRedeemCodeBulkAdd(discountId: $discountId, codes: $codes) {
      bulkCreation { id }
      userErrors { field message code }
    }
  }`;

const BULK_STATUS = `#graphql
  query RecoveryPlaysBundleCodesStatus($id: ID!, $after: String) {
    discountRedeemCodeBulkCreation(id: $id) {
      done
      codes(first: 250, after: $after) {
        nodes { code errors { message } discountRedeemCode { id } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

const BULK_DELETE = `#graphql
  mutation RecoveryPlaysBundleCodesDelete($discountId: ID!, $ids: [ID!]) {
    discountCodeRedeemCodeBulkDelete(discountId: $discountId, ids: $ids) {
      job { id }
      userErrors { field message code }
    }
  }`;

/**
 * How long an issued code stays valid unused. A shopper who accepted the offer checks out within the session; a
 * farmer who collects codes to spend later keeps none past this age, so what is outstanding is bounded by two
 * days of budget.
 */
export const BUNDLE_CODE_MAX_AGE_MS = 48 * 60 * 60 * 1000;

/** Shopify's maximum per discountRedeemCodeBulkAdd call. */
export const BULK_ADD_MAX = 250;
const DAY_MS = 24 * 60 * 60 * 1000;
// A bulk creation Shopify never reports done within this long is given up; its codes were never issued.
const PENDING_GIVE_UP_MS = DAY_MS;

// No 0/O/1/I: a shopper may read the code aloud to support.
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A fresh single-use code: RP- and 12 random characters (60 bits), not guessable from any other code. */
export function newRedeemCode(): string {
  let s = "RP-";
  for (let i = 0; i < 12; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/**
 * How many codes the pool keeps ready: a day's budget (bounded), so a burst of accepted offers never finds it
 * empty before the next refill (every 5 minutes, and on every save of the play).
 */
export function poolTarget(settings: Pick<DealSeekerSettings, "bundleCodesPerDay">): number {
  const perDay = settings.bundleCodesPerDay;
  return perDay > 0 ? Math.min(1000, Math.max(25, perDay)) : BULK_ADD_MAX;
}

type BulkStatus = {
  discountRedeemCodeBulkCreation: {
    done: boolean;
    codes: {
      nodes: { code: string; errors: { message: string }[]; discountRedeemCode: { id: string } | null }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
};

/** Pending codes of a finished bulk creation become pooled; codes Shopify refused are dropped. */
async function settleBulk(shop: string, admin: AdminGraphqlClient, bulkId: string, now: Date): Promise<"done" | "waiting"> {
  const failed: string[] = [];
  const ids = new Map<string, string>();
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const data: BulkStatus = await adminGraphql<BulkStatus>(admin, BULK_STATUS, { id: bulkId, after });
    const bulk = data.discountRedeemCodeBulkCreation;
    if (!bulk) break;
    if (!bulk.done) {
      const oldest = await prisma.bundleCode.findFirst({ where: { shop, bulkId, state: "pending" }, select: { createdAt: true } });
      if (oldest && now.getTime() - oldest.createdAt.getTime() < PENDING_GIVE_UP_MS) return "waiting";
      await prisma.bundleCode.deleteMany({ where: { shop, bulkId, state: "pending" } });
      return "done";
    }
    for (const c of bulk.codes.nodes) {
      if (c.errors.length > 0) failed.push(c.code.toUpperCase());
      else if (c.discountRedeemCode) ids.set(c.code.toUpperCase(), c.discountRedeemCode.id);
    }
    if (!bulk.codes.pageInfo.hasNextPage) break;
    after = bulk.codes.pageInfo.endCursor;
  }
  if (failed.length) await prisma.bundleCode.deleteMany({ where: { shop, bulkId, state: "pending", code: { in: failed } } });
  // The redeem code ids: what deleting a code in Shopify later takes.
  await prisma.$transaction(
    [...ids].map(([code, redeemCodeId]) => prisma.bundleCode.updateMany({ where: { shop, bulkId, code, state: "pending" }, data: { redeemCodeId } })),
  );
  await prisma.bundleCode.updateMany({ where: { shop, bulkId, state: "pending" }, data: { state: "pooled" } });
  return "done";
}

/**
 * Deletes in Shopify the codes issued more than `maxAgeMs` ago and never used (discountCodeRedeemCodeBulkDelete,
 * by redeem code id), then marks them expired: a code collected and kept stops working at checkout. A code used
 * meanwhile is still recorded by orders/create (its row is found by code whatever its state). Returns how many
 * were deleted.
 */
export async function deleteStaleBundleCodes(
  shop: string,
  admin: AdminGraphqlClient,
  discountId: string,
  options: { now?: Date; maxAgeMs?: number } = {},
): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.maxAgeMs ?? BUNDLE_CODE_MAX_AGE_MS));
  // Codes pooled before their ids were kept: read the ids back from their bulk creation once.
  const unknown = await prisma.bundleCode.findMany({
    where: { shop, discountId, state: "issued", usedAt: null, issuedAt: { lt: cutoff }, redeemCodeId: null, bulkId: { not: null } },
    distinct: ["bulkId"],
    select: { bulkId: true },
    take: 10,
  });
  for (const { bulkId } of unknown) {
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const data: BulkStatus = await adminGraphql<BulkStatus>(admin, BULK_STATUS, { id: bulkId, after });
      const bulk = data.discountRedeemCodeBulkCreation;
      if (!bulk) break;
      const found = bulk.codes.nodes.filter((c) => c.discountRedeemCode);
      await prisma.$transaction(
        found.map((c) => prisma.bundleCode.updateMany({ where: { shop, bulkId, code: c.code.toUpperCase(), redeemCodeId: null }, data: { redeemCodeId: c.discountRedeemCode!.id } })),
      );
      if (!bulk.codes.pageInfo.hasNextPage) break;
      after = bulk.codes.pageInfo.endCursor;
    }
  }
  const stale = await prisma.bundleCode.findMany({
    where: { shop, discountId, state: "issued", usedAt: null, issuedAt: { lt: cutoff }, redeemCodeId: { not: null } },
    select: { code: true, redeemCodeId: true },
    orderBy: { issuedAt: "asc" },
    take: 10 * BULK_ADD_MAX,
  });
  let deleted = 0;
  for (let i = 0; i < stale.length; i += BULK_ADD_MAX) {
    const chunk = stale.slice(i, i + BULK_ADD_MAX);
    const data = await adminGraphql<{ discountCodeRedeemCodeBulkDelete: { job: { id: string } | null; userErrors: { message: string }[] } }>(
      admin, BULK_DELETE, { discountId, ids: chunk.map((c) => c.redeemCodeId!) },
    );
    const { userErrors } = data.discountCodeRedeemCodeBulkDelete;
    if (userErrors.length) throw new AdminApiError(`Stale bundle codes not deleted: ${userErrors.map((e) => e.message).join("; ")}`);
    // Only codes still unused: one used between the read and now keeps its "used" record.
    const r = await prisma.bundleCode.updateMany({ where: { shop, state: "issued", usedAt: null, code: { in: chunk.map((c) => c.code) } }, data: { state: "expired" } });
    deleted += r.count;
  }
  return deleted;
}

export interface RefillResult {
  added: number;
  pooled: number;
  pending: number;
}

/**
 * Tops the shop's pool up to its target: deletes codes issued over 48 hours ago and never used, settles finished
 * bulk creations, then adds fresh codes in calls of 250 (at most `maxCalls` per run). Nothing happens while the
 * play is off or has no code discount.
 */
export async function refillBundleCodes(shop: string, admin: AdminGraphqlClient, options: { now?: Date; maxCalls?: number } = {}): Promise<RefillResult> {
  const now = options.now ?? new Date();
  const play = await getPlay(shop, "deal_seeker");
  const discountId = play.discountId;
  const count = (state: string) => prisma.bundleCode.count({ where: { shop, discountId: discountId ?? "", state } });
  if (!activeBundleCode(play) || !discountId) return { added: 0, pooled: 0, pending: 0 };
  await expireBundleCodes(shop, discountId);
  await deleteStaleBundleCodes(shop, admin, discountId, { now });
  const bulks = await prisma.bundleCode.findMany({ where: { shop, state: "pending", bulkId: { not: null } }, distinct: ["bulkId"], select: { bulkId: true } });
  for (const b of bulks) await settleBulk(shop, admin, b.bulkId!, now);
  let added = 0;
  const target = poolTarget(play.settings);
  for (let call = 0; call < (options.maxCalls ?? 4); call++) {
    const need = target - (await count("pooled")) - (await count("pending"));
    if (need <= 0) break;
    const codes = [...new Set(Array.from({ length: Math.min(need, BULK_ADD_MAX) }, newRedeemCode))];
    const data = await adminGraphql<{
      discountRedeemCodeBulkAdd: { bulkCreation: { id: string } | null; userErrors: { field?: string[] | null; message: string }[] };
    }>(admin, BULK_ADD, { discountId, codes: codes.map((code) => ({ code })) });
    const { bulkCreation, userErrors } = data.discountRedeemCodeBulkAdd;
    if (userErrors.length || !bulkCreation) throw new AdminApiError(`Bundle codes not added: ${userErrors.map((e) => e.message).join("; ") || "no bulk creation"}`);
    // Recorded once Shopify took them: a crash before this line leaves unknown codes in Shopify that nobody holds.
    await prisma.bundleCode.createMany({ data: codes.map((code) => ({ shop, code, discountId, state: "pending", bulkId: bulkCreation.id, createdAt: now })) });
    added += codes.length;
    await settleBulk(shop, admin, bulkCreation.id, now);
  }
  return { added, pooled: await count("pooled"), pending: await count("pending") };
}

/**
 * The codes of any other discount (a replaced, leaked one) are dead in Shopify: pooled, pending and issued ones
 * are marked expired so they are never handed out again or counted against today's budget as outstanding.
 */
export async function expireBundleCodes(shop: string, keepDiscountId: string | null): Promise<number> {
  const r = await prisma.bundleCode.updateMany({
    where: { shop, state: { in: ["pooled", "pending", "issued"] }, ...(keepDiscountId ? { discountId: { not: keepDiscountId } } : {}) },
    data: { state: "expired" },
  });
  return r.count;
}

/** The daily discount-value budget's charge for one code: the recent average bundle discount, else the shop's AOV. */
async function valueEstimate(shop: string, percent: number, now: Date): Promise<number> {
  const recent = await prisma.bundleCode.aggregate({
    where: { shop, state: "used", amount: { gt: 0 }, usedAt: { gte: new Date(now.getTime() - 30 * DAY_MS) } },
    _avg: { amount: true },
  });
  if (recent._avg.amount) return Math.round(recent._avg.amount * 100) / 100;
  const published = await prisma.publishedConfig.findUnique({ where: { shop }, select: { payload: true } });
  try {
    const aov = Number((JSON.parse(published?.payload ?? "{}") as { shop?: { aov?: unknown } }).shop?.aov);
    return Number.isFinite(aov) && aov > 0 ? Math.round(aov * percent) / 100 : 0;
  } catch {
    return 0;
  }
}

export type IssueResult =
  | { status: "issued"; code: string; reused: boolean }
  | { status: "budget"; limit: "codes" | "value" }
  | { status: "empty" };

export interface IssueRequest {
  visitorId: string;
  customerId: string | null;
  discountId: string;
  settings: Pick<DealSeekerSettings, "bundleCodesPerDay" | "bundleDiscountPerDay" | "discountPercent">;
  now?: Date;
}

/**
 * Hands one pooled code to a visitor (the caller checked the signed id, the treatment arm and the shown offer).
 * The visitor's unused code, when they hold one, is handed again without spending budget. Runs under a per-shop
 * lock (PostgreSQL advisory lock; SQLite has one writer), so concurrent offers cannot overshoot the budget or
 * claim one code twice.
 */
export async function issueBundleCode(shop: string, req: IssueRequest): Promise<IssueResult> {
  const now = req.now ?? new Date();
  const since = new Date(now.getTime() - DAY_MS);
  const { bundleCodesPerDay, bundleDiscountPerDay, discountPercent } = req.settings;
  const estimate = bundleDiscountPerDay > 0 ? await valueEstimate(shop, discountPercent, now) : 0;
  return prisma.$transaction(async (tx) => {
    if (currentDialect() === "postgres") await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `rp-bundle:${shop}`);
    const held = await tx.bundleCode.findFirst({ where: { shop, visitorId: req.visitorId, state: "issued", discountId: req.discountId }, select: { code: true } });
    if (held) return { status: "issued", code: held.code, reused: true } as const;
    if (bundleCodesPerDay > 0 && (await tx.bundleCode.count({ where: { shop, issuedAt: { gte: since } } })) >= bundleCodesPerDay) {
      return { status: "budget", limit: "codes" } as const;
    }
    if (bundleDiscountPerDay > 0) {
      // Used codes count what their order got; outstanding ones what they were charged when issued.
      const [used, open] = await Promise.all([
        tx.bundleCode.aggregate({ where: { shop, issuedAt: { gte: since }, usedAt: { not: null } }, _sum: { amount: true } }),
        tx.bundleCode.aggregate({ where: { shop, issuedAt: { gte: since }, usedAt: null }, _sum: { estimate: true } }),
      ]);
      const spent = (used._sum.amount ?? 0) + (open._sum.estimate ?? 0);
      if (spent >= bundleDiscountPerDay || spent + estimate > bundleDiscountPerDay) return { status: "budget", limit: "value" } as const;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const next = await tx.bundleCode.findFirst({ where: { shop, discountId: req.discountId, state: "pooled" }, orderBy: { createdAt: "asc" }, select: { code: true } });
      if (!next) return { status: "empty" } as const;
      const claimed = await tx.bundleCode.updateMany({
        where: { shop, code: next.code, state: "pooled" },
        data: { state: "issued", visitorId: req.visitorId, customerId: req.customerId, issuedAt: now, estimate },
      });
      if (claimed.count === 1) return { status: "issued", code: next.code, reused: false } as const;
    }
    return { status: "empty" } as const;
  });
}

export interface CodeUse {
  orderId: string;
  /** The order's codes with the discount each gave (REST `discount_codes`). */
  codes: { code: string; amount: number }[];
  /** The order's signed visitor id (`_rp_vid` that verified), or null. */
  visitorId: string | null;
  customerId: string | number | null;
  createdAt: Date;
}

/**
 * orders/create: marks the shop's bundle codes the order used. The holder is the visitor the code was issued to
 * (or the logged-in customer it was issued to); any other order — another visitor, a customer who was not the
 * holder, no signed visitor at all — is a leak. The discount's own code was never issued to anyone: an order
 * with it is recorded as a leak too. Idempotent: a repeated delivery changes nothing.
 * Returns the bundle discount amount of the order (0 when it used none of the shop's codes).
 */
export async function recordBundleCodeUse(shop: string, use: CodeUse): Promise<number> {
  if (use.codes.length === 0) return 0;
  const wanted = [...new Set(use.codes.map((c) => c.code.trim().toUpperCase()))];
  const [rows, play] = await Promise.all([
    prisma.bundleCode.findMany({ where: { shop, code: { in: wanted } } }),
    prisma.playConfig.findUnique({ where: { shop_play: { shop, play: "deal_seeker" } }, select: { discountCode: true, discountId: true } }),
  ]);
  const customerId = normalizeCustomerId(use.customerId);
  const amountOf = (code: string) => use.codes.filter((c) => c.code.trim().toUpperCase() === code).reduce((s, c) => s + c.amount, 0);
  let total = 0;
  for (const row of rows) {
    if (row.orderId === use.orderId) {
      total += row.amount;
      continue;
    }
    if (row.state === "used") continue;
    const holder = (row.visitorId !== null && row.visitorId === use.visitorId) || (row.customerId !== null && row.customerId === customerId);
    const amount = Math.round(amountOf(row.code) * 100) / 100;
    const r = await prisma.bundleCode.updateMany({
      where: { shop, code: row.code, state: { not: "used" } },
      data: { state: "used", usedAt: use.createdAt, orderId: use.orderId, orderVisitorId: use.visitorId, amount, leaked: !holder },
    });
    if (r.count === 1) total += amount;
  }
  const base = play?.discountCode?.toUpperCase();
  if (base && wanted.includes(base) && !rows.some((r) => r.code === base)) {
    const amount = Math.round(amountOf(base) * 100) / 100;
    await prisma.bundleCode.createMany({
      data: [{ shop, code: base, discountId: play!.discountId ?? "", state: "used", usedAt: use.createdAt, orderId: use.orderId, orderVisitorId: use.visitorId, amount, leaked: true }],
    });
    total += amount;
  }
  return Math.round(total * 100) / 100;
}

export interface BundleCodeLeaks {
  /** Orders since `since` that used one of the shop's bundle codes. */
  discountedOrders: number;
  /** Of those, orders that were not the code holder's (the code travelled: shared, posted, farmed). */
  leakedOrders: number;
  /** The bundle discount those leaked orders received, in shop currency. */
  leakedDiscount: number;
}

/** The leak report: recorded code uses since `since`, and which were not the holder's. */
export async function bundleCodeLeaks(shop: string, since: Date): Promise<BundleCodeLeaks> {
  const [all, leaked] = await Promise.all([
    prisma.bundleCode.count({ where: { shop, state: "used", usedAt: { gte: since } } }),
    prisma.bundleCode.aggregate({ where: { shop, state: "used", leaked: true, usedAt: { gte: since } }, _count: true, _sum: { amount: true } }),
  ]);
  return { discountedOrders: all, leakedOrders: leaked._count, leakedDiscount: Math.round((leaked._sum.amount ?? 0) * 100) / 100 };
}

/** Codes issued in the last 24 hours and what they cost, for the play page's budget line. */
export async function bundleBudgetToday(shop: string, now = new Date()): Promise<{ issued: number; pooled: number; discount: number }> {
  const since = new Date(now.getTime() - DAY_MS);
  const [issued, pooled, used, open] = await Promise.all([
    prisma.bundleCode.count({ where: { shop, issuedAt: { gte: since } } }),
    prisma.bundleCode.count({ where: { shop, state: "pooled" } }),
    prisma.bundleCode.aggregate({ where: { shop, issuedAt: { gte: since }, usedAt: { not: null } }, _sum: { amount: true } }),
    prisma.bundleCode.aggregate({ where: { shop, issuedAt: { gte: since }, usedAt: null }, _sum: { estimate: true } }),
  ]);
  return { issued, pooled, discount: Math.round(((used._sum.amount ?? 0) + (open._sum.estimate ?? 0)) * 100) / 100 };
}
