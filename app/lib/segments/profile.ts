/**
 * The order → profile fold. A profile is the sum of its orders' contributions, so incremental updates are
 * exact deltas: new profile = old − contribution(old order state) + contribution(new order state).
 */
import type { CustomerContext, LifecycleStage, RfmGroup } from "../plays/types";
import { DEFAULT_LIFECYCLE, lifecycleStage, type LifecycleOptions } from "./lifecycle";
import { scoreCustomer, type ShopScales } from "./rfm";

/** One order as the profile sees it (money in shop currency). */
export interface OrderState {
  orderId: string;
  customerId: string | null;
  /** Epoch ms. */
  createdAt: number;
  total: number;
  /** Sum of refunds so far. */
  refunded: number;
  /** Cancelled or voided: excluded from counts and spend. */
  cancelled: boolean;
}

/** What one order adds to its customer's aggregate. */
export interface Contribution {
  orders: number;
  gross: number;
  refunded: number;
  /** Epoch ms, or null when the order does not count. */
  at: number | null;
}

export const NO_CONTRIBUTION: Contribution = Object.freeze({ orders: 0, gross: 0, refunded: 0, at: null });

export function contributionOf(o: Pick<OrderState, "createdAt" | "total" | "refunded" | "cancelled">): Contribution {
  if (o.cancelled) return NO_CONTRIBUTION;
  const gross = finite(o.total);
  // A refund can never take more than the order took.
  const refunded = Math.min(Math.max(0, finite(o.refunded)), Math.max(0, gross));
  return { orders: 1, gross, refunded, at: o.createdAt };
}

/** Running totals per customer (the stored part of a profile). */
export interface ProfileAggregate {
  ordersCount: number;
  grossSpend: number;
  refunded: number;
  /** Epoch ms or null. */
  firstOrderAt: number | null;
  lastOrderAt: number | null;
}

export function emptyAggregate(): ProfileAggregate {
  return { ordersCount: 0, grossSpend: 0, refunded: 0, firstOrderAt: null, lastOrderAt: null };
}

/** Adds (sign 1) or removes (sign −1) a contribution. Dates only widen: a removed order keeps the dates. */
export function applyContribution(a: ProfileAggregate, c: Contribution, sign: 1 | -1 = 1): ProfileAggregate {
  a.ordersCount += sign * c.orders;
  a.grossSpend = round2(a.grossSpend + sign * c.gross);
  a.refunded = round2(a.refunded + sign * c.refunded);
  if (sign === 1 && c.at !== null) {
    if (a.firstOrderAt === null || c.at < a.firstOrderAt) a.firstOrderAt = c.at;
    if (a.lastOrderAt === null || c.at > a.lastOrderAt) a.lastOrderAt = c.at;
  }
  if (a.ordersCount < 0) a.ordersCount = 0;
  return a;
}

export function netSpendOf(a: Pick<ProfileAggregate, "grossSpend" | "refunded">): number {
  return round2(Math.max(0, a.grossSpend - a.refunded));
}

/** Historical AOV: net spend / non-cancelled orders; 0 when there are none. */
export function aovOf(a: Pick<ProfileAggregate, "grossSpend" | "refunded" | "ordersCount">): number {
  return a.ordersCount > 0 ? round2(netSpendOf(a) / a.ordersCount) : 0;
}

export interface DerivedProfile {
  netSpend: number;
  aov: number;
  rScore: number;
  fScore: number;
  mScore: number;
  segment: RfmGroup;
  stage: LifecycleStage;
}

export function deriveProfile(a: ProfileAggregate, scales: ShopScales, now: number, o: LifecycleOptions = DEFAULT_LIFECYCLE): DerivedProfile {
  const netSpend = netSpendOf(a);
  const rfm = scoreCustomer(scales, { ordersCount: a.ordersCount, netSpend, lastOrderAt: a.lastOrderAt });
  const stage = lifecycleStage({ ordersCount: a.ordersCount, lastOrderAt: a.lastOrderAt, segment: rfm.segment }, now, o);
  return { netSpend, aov: aovOf(a), ...rfm, stage };
}

/** The storefront/checkout view of a profile (no PII); the stage is recomputed for "now". */
export function toCustomerContext(
  p: { ordersCount: number; aov: number; lastOrderAt: number | null; segment: RfmGroup },
  now: number,
  o: LifecycleOptions = DEFAULT_LIFECYCLE,
): CustomerContext {
  return {
    stage: lifecycleStage(p, now, o),
    segment: p.segment,
    ordersCount: p.ordersCount,
    aov: p.aov,
    lastOrderAt: p.lastOrderAt === null ? null : new Date(p.lastOrderAt).toISOString(),
  };
}

/** Shop AOV for anonymous shoppers: all customers' net spend / all their orders. */
export function shopAovOf(totalNet: number, totalOrders: number): number {
  return totalOrders > 0 ? round2(totalNet / totalOrders) : 0;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** Numeric id from a GID (gid://shopify/Customer/123) or a bare id; null when it is neither. */
export function legacyId(idOrGid: string | number | null | undefined): string | null {
  if (idOrGid === null || idOrGid === undefined) return null;
  const s = String(idOrGid).trim();
  const m = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d{1,20})(?:\?.*)?$/.exec(s);
  return m ? m[1] : null;
}
