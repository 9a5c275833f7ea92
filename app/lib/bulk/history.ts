/**
 * Folds the JSONL of the customer-history bulk operation into per-customer aggregates.
 *
 * Lines are either a customer ({"id":"gid://shopify/Customer/1","statistics":{"rfmGroup":"LOYAL"}}) or one of
 * its orders ({"id":"gid://shopify/Order/9", …, "__parentId":"gid://shopify/Customer/1"}). Without
 * groupObjects, children need not follow their parent, so the fold keys everything by customer id and never
 * relies on line order. A malformed, truncated or unexpected line is counted in `linesSkipped` and skipped.
 */
import { RFM_GROUPS, type RfmGroup } from "../plays/types";
import { applyContribution, type Contribution, type OrderState, type ProfileAggregate } from "../segments/profile";

/** One customer's totals as the fold holds them (ProfileAggregate + Shopify's group). */
export interface CustomerAggregate extends ProfileAggregate {
  shopifyRfmGroup: RfmGroup | null;
  /** The customer line itself was seen (not only orders pointing at it). */
  seen: boolean;
}

const RFM_SET: ReadonlySet<string> = new Set(RFM_GROUPS);
const CUSTOMER_PREFIX = "gid://shopify/Customer/";
const ORDER_PREFIX = "gid://shopify/Order/";

export interface HistoryFoldOptions {
  /**
   * Start of the visible order window (epoch ms) when the shop's history is cut (no `read_all_orders`: 60 days).
   * A customer whose lifetime `numberOfOrders` exceeds the orders seen has orders before it: frequency and spend
   * then come from the lifetime `numberOfOrders` / `amountSpent`, and the unseen orders are dated at the window
   * start (the latest they can be), so a loyal customer with only older orders is not a prospect.
   */
  windowStart?: number;
  /**
   * Orders updated after this instant (epoch ms; the bulk operation's start) changed while the export ran:
   * they are kept in `changedOrders` so the caller can store them per order and reconcile with webhooks.
   */
  changedAfter?: number;
}

/**
 * Columnar storage (one typed array per field, a slot per customer): hundreds of thousands of customers cost a
 * few dozen bytes each and give the garbage collector almost nothing to trace.
 */
export class HistoryFold {
  readonly changedOrders: (OrderState & { updatedAt: number })[] = [];
  ordersFolded = 0;
  linesRead = 0;
  linesSkipped = 0;
  private readonly changedAfter: number;
  private readonly slots = new Map<string, number>();
  private ids: string[] = [];
  private orders = new Float64Array(1024);
  private gross = new Float64Array(1024);
  private refunds = new Float64Array(1024);
  /** NaN = no order. */
  private first = new Float64Array(1024).fill(NaN);
  private last = new Float64Array(1024).fill(NaN);
  /** 0 = none, else RFM_GROUPS index + 1. */
  private group = new Uint8Array(1024);
  private seenLine = new Uint8Array(1024);
  /** Customer lifetime numberOfOrders / amountSpent; NaN = not in the export. */
  private lifeOrders = new Float64Array(1024).fill(NaN);
  private lifeSpent = new Float64Array(1024).fill(NaN);
  private readonly windowStart: number | null;
  /** Earliest order date folded (epoch ms), null when none. */
  earliestOrderAt: number | null = null;
  /** Customers whose frequency/spend were completed from lifetime totals (orders before the window). */
  customersFromLifetime = 0;

  constructor(opts: HistoryFoldOptions = {}) {
    this.changedAfter = opts.changedAfter ?? Number.POSITIVE_INFINITY;
    this.windowStart = opts.windowStart ?? null;
  }

  private slot(id: string): number {
    let i = this.slots.get(id);
    if (i === undefined) {
      i = this.ids.length;
      if (i === this.orders.length) this.grow();
      this.ids.push(id);
      this.slots.set(id, i);
    }
    return i;
  }

  private grow(): void {
    const n = this.orders.length * 2;
    const f64 = (a: Float64Array, fill = 0) => {
      const b = new Float64Array(n);
      if (fill !== 0) b.fill(fill);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    this.orders = f64(this.orders);
    this.gross = f64(this.gross);
    this.refunds = f64(this.refunds);
    this.first = f64(this.first, NaN);
    this.last = f64(this.last, NaN);
    this.group = u8(this.group);
    this.seenLine = u8(this.seenLine);
    this.lifeOrders = f64(this.lifeOrders, NaN);
    this.lifeSpent = f64(this.lifeSpent, NaN);
  }

  /** Customers folded (including ones only known through their orders). */
  get customerCount(): number {
    return this.ids.length;
  }

  /** A snapshot of one customer's totals, or null when the customer never appeared. */
  aggregate(id: string): CustomerAggregate | null {
    const i = this.slots.get(id);
    return i === undefined ? null : this.at(i);
  }

  private at(i: number): CustomerAggregate {
    const g = this.group[i];
    return {
      ordersCount: this.orders[i],
      grossSpend: this.gross[i],
      refunded: this.refunds[i],
      firstOrderAt: Number.isNaN(this.first[i]) ? null : this.first[i],
      lastOrderAt: Number.isNaN(this.last[i]) ? null : this.last[i],
      shopifyRfmGroup: g === 0 ? null : RFM_GROUPS[g - 1],
      seen: this.seenLine[i] === 1,
    };
  }

  /** Every customer with its totals (objects are created one at a time, as they are consumed). */
  *entries(): Generator<[string, CustomerAggregate]> {
    for (let i = 0; i < this.ids.length; i++) yield [this.ids[i], this.at(i)];
  }

  /** Replaces one order's contribution (used to fold in changes that happened while the export ran). */
  adjust(customerId: string, before: Contribution, after: Contribution): void {
    const i = this.slot(customerId);
    const a = this.at(i);
    applyContribution(a, before, -1);
    applyContribution(a, after, 1);
    this.orders[i] = a.ordersCount;
    this.gross[i] = a.grossSpend;
    this.refunds[i] = a.refunded;
    this.first[i] = a.firstOrderAt ?? NaN;
    this.last[i] = a.lastOrderAt ?? NaN;
  }

  /**
   * Completes customers with orders before the window from their lifetime totals (see `windowStart`), then rounds
   * the money totals to cents (sums of decimals drift in binary floating point).
   */
  finish(): this {
    for (let i = 0; i < this.ids.length; i++) {
      if (this.windowStart !== null && this.lifeOrders[i] > this.orders[i]) {
        // Lifetime spend is net of refunds; the unseen orders add what the seen ones do not explain.
        const seenNet = Math.max(0, this.gross[i] - this.refunds[i]);
        const unseenNet = Number.isFinite(this.lifeSpent[i]) ? Math.max(0, this.lifeSpent[i] - seenNet) : 0;
        this.orders[i] = this.lifeOrders[i];
        this.gross[i] += unseenNet;
        // The unseen orders are older than the window: the first order is at or before its start.
        if (!(this.first[i] <= this.windowStart)) this.first[i] = this.windowStart;
        if (Number.isNaN(this.last[i])) this.last[i] = this.windowStart;
        this.customersFromLifetime++;
      }
      this.gross[i] = Math.round(this.gross[i] * 100) / 100;
      this.refunds[i] = Math.round(this.refunds[i] * 100) / 100;
    }
    return this;
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
      const i = this.slot(cid);
      this.seenLine[i] = 1;
      const stats = r.statistics as { rfmGroup?: unknown } | null | undefined;
      const g = stats && typeof stats === "object" ? stats.rfmGroup : null;
      this.group[i] = typeof g === "string" && RFM_SET.has(g) ? RFM_GROUPS.indexOf(g as RfmGroup) + 1 : 0;
      // UnsignedInt64 arrives as a string.
      const n = typeof r.numberOfOrders === "string" || typeof r.numberOfOrders === "number" ? Number(r.numberOfOrders) : NaN;
      this.lifeOrders[i] = Number.isInteger(n) && n >= 0 ? n : NaN;
      const spent = r.amountSpent && typeof r.amountSpent === "object" ? Number((r.amountSpent as { amount?: unknown }).amount) : NaN;
      this.lifeSpent[i] = Number.isFinite(spent) ? spent : NaN;
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
    const i = this.slot(customerId);
    if (!cancelled) {
      this.orders[i]++;
      this.gross[i] += total;
      this.refunds[i] += Math.min(Math.max(0, refunded), Math.max(0, total));
      // NaN comparisons are false: the first order always sets both dates.
      if (!(createdAt >= this.first[i])) this.first[i] = createdAt;
      if (!(createdAt <= this.last[i])) this.last[i] = createdAt;
    }
    if (this.earliestOrderAt === null || createdAt < this.earliestOrderAt) this.earliestOrderAt = createdAt;
    this.ordersFolded++;
    if (this.changedAfter !== Number.POSITIVE_INFINITY && typeof r.updatedAt === "string") {
      const updatedAt = Date.parse(r.updatedAt);
      if (updatedAt > this.changedAfter) this.changedOrders.push({ orderId, customerId, createdAt, updatedAt, total, refunded, cancelled });
    }
    return true;
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
