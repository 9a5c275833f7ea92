// Read access to the store for the Admin API: in-memory DevStoreData (demo/test sizes) and, optionally, a
// streaming seed (benchmark sizes) whose customers and orders are regenerated on demand from (seed, index)
// instead of being held in memory. Orders created at runtime (storefront checkout) live in state.orders.
import type { DevCustomer, DevOrder, DevProduct, DevStoreData } from "../types";
import {
  _makeCtx,
  customerIndexOf,
  customerTotals,
  generateCustomerHistories,
  generateCustomerHistory,
  generateGuestOrder,
  guestOrderCount,
  locateOrder,
  type SeedOptions,
} from "../seed/generate";

export interface CustomerRecord {
  customer: DevCustomer;
  orders: DevOrder[];
}

export class StoreData {
  private ordersByCustomer = new Map<string, DevOrder[]>();
  private orderIndex = new Map<string, DevOrder>();
  private customerIndex = new Map<string, DevCustomer>();
  private indexedOrders = 0;
  private indexedCustomers = 0;

  constructor(
    readonly state: DevStoreData,
    /** When set, customers and orders of this seed exist in addition to state (never materialised). */
    readonly streamed?: SeedOptions,
  ) {}

  /** Appends made by others (checkout) are picked up lazily; orders are append-only. */
  private refresh(): void {
    const { orders, customers } = this.state;
    if (customers.length < this.indexedCustomers || orders.length < this.indexedOrders) {
      this.ordersByCustomer.clear();
      this.orderIndex.clear();
      this.customerIndex.clear();
      this.indexedOrders = 0;
      this.indexedCustomers = 0;
    }
    for (; this.indexedCustomers < customers.length; this.indexedCustomers++) {
      const c = customers[this.indexedCustomers]!;
      this.customerIndex.set(c.id, c);
    }
    for (; this.indexedOrders < orders.length; this.indexedOrders++) {
      const o = orders[this.indexedOrders]!;
      this.orderIndex.set(o.id, o);
      if (o.customerId) {
        const list = this.ordersByCustomer.get(o.customerId);
        if (list) list.push(o);
        else this.ordersByCustomer.set(o.customerId, [o]);
      }
    }
  }

  private streamedCustomer(id: string): CustomerRecord | undefined {
    if (!this.streamed) return undefined;
    const idx = customerIndexOf(id);
    if (idx === null || idx >= this.streamed.customers) return undefined;
    return generateCustomerHistory(this.streamed, idx, this.state.products);
  }

  customer(id: string): CustomerRecord | undefined {
    this.refresh();
    const c = this.customerIndex.get(id);
    const extra = this.ordersByCustomer.get(id) ?? [];
    if (c) return { customer: c, orders: extra };
    const s = this.streamedCustomer(id);
    return s ? { customer: s.customer, orders: extra.length ? [...s.orders, ...extra] : s.orders } : undefined;
  }

  ordersOf(customerId: string): DevOrder[] {
    return this.customer(customerId)?.orders ?? [];
  }

  order(id: string): DevOrder | undefined {
    this.refresh();
    const o = this.orderIndex.get(id);
    if (o || !this.streamed) return o;
    const loc = locateOrder(id);
    if (!loc) return undefined;
    if ("guestIndex" in loc) {
      if (loc.guestIndex >= guestOrderCount(this.streamed)) return undefined;
      return generateGuestOrder(_makeCtx(this.streamed, this.state.products), loc.guestIndex);
    }
    if (loc.customerIndex >= this.streamed.customers) return undefined;
    return generateCustomerHistory(this.streamed, loc.customerIndex, this.state.products).orders[loc.k];
  }

  /** All customers with their orders, streamed (constant memory in streaming mode). */
  *customers(): Generator<CustomerRecord> {
    this.refresh();
    if (this.streamed) {
      for (const item of generateCustomerHistories(this.streamed, this.state.products)) {
        if (!item.customer) continue;
        const extra = this.ordersByCustomer.get(item.customer.id);
        yield { customer: item.customer, orders: extra ? [...item.orders, ...extra] : item.orders };
      }
    }
    for (const c of this.state.customers) yield { customer: c, orders: this.ordersByCustomer.get(c.id) ?? [] };
  }

  *orders(): Generator<DevOrder> {
    if (this.streamed) {
      for (const item of generateCustomerHistories(this.streamed, this.state.products)) yield* item.orders;
    }
    yield* this.state.orders;
  }

  product(id: string): DevProduct | undefined {
    return this.state.products.find((p) => p.id === id);
  }

  variant(id: string) {
    for (const p of this.state.products) {
      const v = p.variants.find((x) => x.id === id);
      if (v) return { product: p, variant: v };
    }
    return undefined;
  }

  counts(): { products: number; customers: number; orders: number } {
    const guests = this.streamed ? guestOrderCount(this.streamed) : 0;
    const streamedOrders = this.streamed ? Math.round((this.streamed.orders ?? this.streamed.customers * 3.3)) : 0;
    void guests;
    return {
      products: this.state.products.length,
      customers: this.state.customers.length + (this.streamed?.customers ?? 0),
      orders: this.state.orders.length + streamedOrders,
    };
  }
}

export { customerTotals };
