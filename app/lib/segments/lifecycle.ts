/**
 * Lifecycle stage of a shopper from their order history. Depends on "now", so it is recomputed at read time
 * (the stored stage is a snapshot for filtering in the admin).
 */
import type { LifecycleStage, RfmGroup } from "../plays/types";

export const DAY_MS = 86_400_000;

export interface LifecycleOptions {
  /** A loyalist has at least this many orders (default 4)… */
  loyalistMinOrders: number;
  /** …or is in one of these RFM groups with at least 2 orders. */
  loyalistSegments: readonly RfmGroup[];
  /** A loyalist without an order for this many days is lapsing (default 90). */
  lapsingDays: number;
  /** A loyalist without an order for this many days has lapsed (default 365). */
  loyalistLapsedDays: number;
  /** Any other customer without an order for this many days has lapsed (default 180). */
  lapsedDays: number;
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = {
  loyalistMinOrders: 4,
  loyalistSegments: ["CHAMPIONS", "LOYAL"],
  lapsingDays: 90,
  loyalistLapsedDays: 365,
  lapsedDays: 180,
};

export interface LifecycleInput {
  /** Non-cancelled orders. */
  ordersCount: number;
  /** Epoch ms of the last order, or null. */
  lastOrderAt: number | null;
  segment: RfmGroup;
}

export function isLoyalist(c: LifecycleInput, o: LifecycleOptions = DEFAULT_LIFECYCLE): boolean {
  return c.ordersCount >= o.loyalistMinOrders || (c.ordersCount >= 2 && o.loyalistSegments.includes(c.segment));
}

/**
 * Stage of a known customer (the storefront decides new_visitor vs returning_visitor for anonymous shoppers;
 * a customer record without orders is a returning visitor).
 */
export function lifecycleStage(c: LifecycleInput | null, now: number, o: LifecycleOptions = DEFAULT_LIFECYCLE): LifecycleStage {
  if (!c) return "new_visitor";
  if (c.ordersCount <= 0 || c.lastOrderAt === null) return "returning_visitor";
  const idleDays = (now - c.lastOrderAt) / DAY_MS;
  if (isLoyalist(c, o)) {
    if (idleDays >= o.loyalistLapsedDays) return "lapsed";
    if (idleDays >= o.lapsingDays) return "lapsing_loyalist";
    return "loyalist";
  }
  if (idleDays >= o.lapsedDays) return "lapsed";
  return c.ordersCount === 1 ? "first_time_customer" : "repeat_customer";
}
