import { describe, expect, it } from "vitest";
import { customerTotals, generateCustomerHistories, generateCustomerHistory, generateStore } from "./generate";

const NOW = "2026-07-01T12:00:00Z";

describe("seed generator", () => {
  it("GIVEN the same seed WHEN generating twice THEN the data is identical", () => {
    const a = generateStore({ seed: 11, customers: 120, now: NOW });
    const b = generateStore({ seed: 11, customers: 120, now: NOW });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("GIVEN different seeds WHEN generating THEN the data differs", () => {
    const a = generateStore({ seed: 11, customers: 50, now: NOW });
    const b = generateStore({ seed: 12, customers: 50, now: NOW });
    expect(JSON.stringify(a.orders)).not.toBe(JSON.stringify(b.orders));
  });

  it("GIVEN a customer index WHEN regenerated directly THEN it equals the streamed one", () => {
    const opts = { seed: 5, customers: 30, now: NOW };
    const streamed = [...generateCustomerHistories(opts)][17]!;
    expect(generateCustomerHistory(opts, 17)).toEqual(streamed);
  });

  it("GIVEN the demo size WHEN generated THEN spend is heavy-tailed and repeat, refund, cancel and guest rates are realistic", () => {
    const s = generateStore({ seed: 3, customers: 2000, orders: 6600, now: NOW });
    const byCustomer = new Map<string, typeof s.orders>();
    for (const o of s.orders) if (o.customerId) byCustomer.set(o.customerId, [...(byCustomer.get(o.customerId) ?? []), o]);
    const spends = [...byCustomer.values()].map((os) => customerTotals(os).spent).sort((x, y) => x - y);
    const mean = spends.reduce((a, b) => a + b, 0) / spends.length;
    const median = spends[Math.floor(spends.length / 2)]!;
    const top10 = spends.slice(Math.floor(spends.length * 0.9)).reduce((a, b) => a + b, 0) / spends.reduce((a, b) => a + b, 0);
    expect(mean).toBeGreaterThan(median * 1.3); // right-skewed
    expect(top10).toBeGreaterThan(0.3); // top decile holds a large share of revenue
    const buyers = byCustomer.size;
    const repeat = [...byCustomer.values()].filter((os) => os.length > 1).length / buyers;
    expect(repeat).toBeGreaterThan(0.3);
    expect(repeat).toBeLessThan(0.7);
    const refunded = s.orders.filter((o) => o.refunds.length > 0 && !o.cancelledAt).length / s.orders.length;
    expect(refunded).toBeGreaterThan(0.04);
    expect(refunded).toBeLessThan(0.09);
    expect(s.orders.some((o) => o.financialStatus === "PARTIALLY_REFUNDED")).toBe(true);
    expect(s.orders.filter((o) => o.cancelledAt).length).toBeGreaterThan(0);
    const guests = s.orders.filter((o) => !o.customerId).length / s.orders.length;
    expect(guests).toBeGreaterThan(0.05);
    expect(s.orders.length).toBeGreaterThan(6600 * 0.85);
    expect(s.orders.length).toBeLessThan(6600 * 1.15);
    const days = s.orders.map((o) => (Date.parse(NOW) - Date.parse(o.createdAt)) / 86_400_000);
    expect(Math.max(...days)).toBeGreaterThan(600);
    expect(days.filter((d) => d < 30).length).toBeGreaterThan(0);
    expect(s.customers.some((c) => c.rfmGroup === "PROSPECTS")).toBe(true);
    expect(s.customers.some((c) => c.rfmGroup === "CHAMPIONS")).toBe(true);
  });

  it("GIVEN 100,000 orders WHEN streamed THEN memory stays bounded (nothing is accumulated)", () => {
    if (global.gc) global.gc();
    const before = process.memoryUsage().heapUsed;
    let orders = 0;
    let peak = 0;
    for (const item of generateCustomerHistories({ seed: 9, customers: 30_000, orders: 100_000, now: NOW })) {
      orders += item.orders.length;
      if (orders % 5000 < item.orders.length) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(orders).toBeGreaterThan(85_000);
    // 100k materialised orders would take well over 100 MB; streaming stays far below.
    expect(peak).toBeLessThan(60 * 1024 * 1024);
  });
});
