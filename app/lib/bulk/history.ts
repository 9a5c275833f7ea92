/**
 * Folds the JSONL of the customer-history bulk operation into per-customer aggregates.
 *
 * Lines are either a customer ({"id":"gid://shopify/Customer/1","statistics":{"rfmGroup":"LOYAL"}}) or one of
 * its orders ({"id":"gid://shopify/Order/9", …, "__parentId":"gid://shopify/Customer/1"}). Without
 * groupObjects, children need not follow their parent, so the fold keys everything by customer id and never
 * relies on line order. A malformed, truncated or unexpected line is counted in `linesSkipped` and skipped.
 */
import { RFM_GROUPS, type RfmGroup } from "../plays/types";
import type { OrderState } from "../segments/profile";

/** Per-customer running totals during the fold (flat fields: hundreds of thousands of these are alive). */
export class CustomerAccumulator {
  ordersCount = 0;
  grossSpend = 0;
  refunded = 0;
  firstOrderAt: number | null = null;
  lastOrderAt: number | null = null;
  shopifyRfmGroup: RfmGroup | null = null;
  /** The customer line itself was seen (not only orders pointing at it). */
  seen = false;
}

const RFM_SET: ReadonlySet<string> = new Set(RFM_GROUPS);
const CUSTOMER_PREFIX = "gid://shopify/Customer/";
const ORDER_PREFIX = "gid://shopify/Order/";

export interface HistoryFoldOptions {
  /**
   * Orders updated after this instant (epoch ms; the bulk operation's start) changed while the export ran:
   * they are kept in `changedOrders` so the caller can store them per order and reconcile with webhooks.
   */
  changedAfter?: number;
}

export class HistoryFold {
  readonly customers = new Map<string, CustomerAccumulator>();
  readonly changedOrders: (OrderState & { updatedAt: number })[] = [];
  ordersFolded = 0;
  linesRead = 0;
  linesSkipped = 0;
  private readonly changedAfter: number;

  constructor(opts: HistoryFoldOptions = {}) {
    this.changedAfter = opts.changedAfter ?? Number.POSITIVE_INFINITY;
  }

  private acc(id: string): CustomerAccumulator {
    let a = this.customers.get(id);
    if (!a) {
      a = new CustomerAccumulator();
      this.customers.set(id, a);
    }
    return a;
  }

  /** Folds one JSONL line; returns false when the line was skipped. */
  addLine(line: string): boolean {
    this.linesRead++;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      this.linesSkipped++;
      return false;
    }
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) {
      this.linesSkipped++;
      return false;
    }
    const ok = this.addRecord(rec as Record<string, unknown>);
    if (!ok) this.linesSkipped++;
    return ok;
  }

  private addRecord(r: Record<string, unknown>): boolean {
    const id = r.id;
    if (typeof id !== "string") return false;
    const parent = r.__parentId;
    if (parent === undefined) {
      if (!id.startsWith(CUSTOMER_PREFIX)) return false;
      const cid = gidTail(id, CUSTOMER_PREFIX);
      if (!cid) return false;
      const a = this.acc(cid);
      a.seen = true;
      const stats = r.statistics as { rfmGroup?: unknown } | null | undefined;
      const g = stats && typeof stats === "object" ? stats.rfmGroup : null;
      a.shopifyRfmGroup = typeof g === "string" && RFM_SET.has(g) ? (g as RfmGroup) : null;
      return true;
    }
    if (typeof parent !== "string") return false;
    // Hot path (one call per order): no intermediate objects unless the order changed during the export.
    const orderId = gidTail(id, ORDER_PREFIX);
    const customerId = gidTail(parent, CUSTOMER_PREFIX);
    if (!orderId || !customerId) return false;
    const createdAt = typeof r.createdAt === "string" ? Date.parse(r.createdAt) : NaN;
    if (!Number.isFinite(createdAt)) return false;
    const total = money(r.totalPriceSet);
    if (total === null) return false;
    const refunded = r.totalRefundedSet === undefined ? 0 : money(r.totalRefundedSet);
    if (refunded === null) return false;
    const cancelled = (typeof r.cancelledAt === "string" && r.cancelledAt.length > 0) || r.displayFinancialStatus === "VOIDED";
    const a = this.acc(customerId);
    if (!cancelled) {
      a.ordersCount++;
      a.grossSpend += total;
      a.refunded += Math.min(Math.max(0, refunded), Math.max(0, total));
      if (a.firstOrderAt === null || createdAt < a.firstOrderAt) a.firstOrderAt = createdAt;
      if (a.lastOrderAt === null || createdAt > a.lastOrderAt) a.lastOrderAt = createdAt;
    }
    this.ordersFolded++;
    if (this.changedAfter !== Number.POSITIVE_INFINITY && typeof r.updatedAt === "string") {
      const updatedAt = Date.parse(r.updatedAt);
      if (updatedAt > this.changedAfter) this.changedOrders.push({ orderId, customerId, createdAt, updatedAt, total, refunded, cancelled });
    }
    return true;
  }

  /** Rounds the money totals to cents (sums of decimals drift in binary floating point). */
  finish(): this {
    for (const a of this.customers.values()) {
      a.grossSpend = Math.round(a.grossSpend * 100) / 100;
      a.refunded = Math.round(a.refunded * 100) / 100;
    }
    return this;
  }

  /** Customers folded (including ones only known through their orders). */
  get customerCount(): number {
    return this.customers.size;
  }
}

function money(bag: unknown): number | null {
  const shopMoney = bag && typeof bag === "object" ? (bag as { shopMoney?: { amount?: unknown } }).shopMoney : undefined;
  const amount = shopMoney && typeof shopMoney === "object" ? shopMoney.amount : undefined;
  const n = typeof amount === "string" ? Number(amount) : typeof amount === "number" ? amount : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The numeric id after a GID prefix (hot path: no regex); null unless 1–20 digits. */
export function gidTail(gid: string, prefix: string): string | null {
  if (!gid.startsWith(prefix)) return null;
  const n = gid.length - prefix.length;
  if (n < 1 || n > 20) return null;
  for (let i = prefix.length; i < gid.length; i++) {
    const c = gid.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return gid.slice(prefix.length);
}
