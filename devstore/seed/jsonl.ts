// Bulk-operation JSONL for customers + orders, written straight from the seed stream for benchmarks. The line
// format is exactly what the dev store's bulk executor produces for HISTORY_BULK_QUERY (a test compares them):
// one line per customer, then one line per order with "__parentId" = the customer's GID, keys in selection order.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { DevCustomer, DevOrder } from "../types";
import { customerTotals, generateCustomerHistories, type SeedOptions } from "./generate";

export const HISTORY_BULK_QUERY = `#graphql
{
  customers {
    edges {
      node {
        id
        createdAt
        numberOfOrders
        amountSpent { amount currencyCode }
        lastOrder { id createdAt }
        statistics { rfmGroup predictedSpendTier }
        orders {
          edges {
            node {
              id
              createdAt
              cancelledAt
              displayFinancialStatus
              totalPriceSet { shopMoney { amount currencyCode } }
              totalRefundedSet { shopMoney { amount currencyCode } }
              refunds { createdAt totalRefundedSet { shopMoney { amount currencyCode } } }
              customAttributes { key value }
            }
          }
        }
      }
    }
  }
}`;

/** Shopify's Decimal rendering: "39.99", "40.0". */
export function decimal(x: number): string {
  const s = String(Math.round(x * 100) / 100);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;

export function customerLine(c: DevCustomer, orders: DevOrder[], currency: string): string {
  const t = customerTotals(orders);
  return JSON.stringify({
    id: gid("Customer", c.id),
    createdAt: c.createdAt,
    numberOfOrders: String(t.count),
    amountSpent: { amount: decimal(t.spent), currencyCode: currency },
    lastOrder: t.last ? { id: gid("Order", t.last.id), createdAt: t.last.createdAt } : null,
    statistics: { rfmGroup: c.rfmGroup ?? null, predictedSpendTier: c.predictedSpendTier ?? null },
  });
}

export function orderLine(o: DevOrder, parentId: string): string {
  const money = (x: number) => ({ shopMoney: { amount: decimal(x), currencyCode: o.currencyCode } });
  return JSON.stringify({
    id: gid("Order", o.id),
    createdAt: o.createdAt,
    cancelledAt: o.cancelledAt,
    displayFinancialStatus: o.financialStatus,
    totalPriceSet: money(o.total),
    totalRefundedSet: money(o.refunded),
    refunds: o.refunds.map((r) => ({ createdAt: r.createdAt, totalRefundedSet: money(r.amount) })),
    customAttributes: o.attributes.map((a) => ({ key: a.key, value: a.value })),
    __parentId: parentId,
  });
}

/**
 * Writes the JSONL a bulk operation over HISTORY_BULK_QUERY would produce for this seed, streaming (constant
 * memory). Returns counts for the benchmark's report.
 */
export async function writeHistoryJsonl(
  opts: SeedOptions,
  file: string,
): Promise<{ customers: number; orders: number; lines: number; bytes: number }> {
  const out = createWriteStream(file);
  const currency = opts.currencyCode ?? "USD";
  let customers = 0;
  let orders = 0;
  let bytes = 0;
  let buf = "";
  const flush = async () => {
    if (!out.write(buf)) await once(out, "drain");
    bytes += Buffer.byteLength(buf);
    buf = "";
  };
  for (const item of generateCustomerHistories(opts)) {
    if (!item.customer) continue; // guest orders are not reachable from customers
    customers++;
    const parent = gid("Customer", item.customer.id);
    buf += customerLine(item.customer, item.orders, currency) + "\n";
    for (const o of item.orders) {
      buf += orderLine(o, parent) + "\n";
      orders++;
    }
    if (buf.length > 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, "finish");
  return { customers, orders, lines: customers + orders, bytes };
}
