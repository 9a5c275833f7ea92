import { describe, expect, it } from "vitest";
import { HistoryFold } from "./history";
import { forEachLine, LineSplitter } from "./lines";

const customer = (id: number, rfm: string | null = "LOYAL") =>
  JSON.stringify({ id: `gid://shopify/Customer/${id}`, createdAt: "2024-01-01T00:00:00Z", statistics: { rfmGroup: rfm } });
const order = (id: number, cid: number, total: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: `gid://shopify/Order/${id}`,
    createdAt: "2025-03-01T10:00:00Z",
    updatedAt: "2025-03-01T10:00:00Z",
    cancelledAt: null,
    displayFinancialStatus: "PAID",
    totalPriceSet: { shopMoney: { amount: total.toFixed(2) } },
    totalRefundedSet: { shopMoney: { amount: "0.0" } },
    __parentId: `gid://shopify/Customer/${cid}`,
    ...extra,
  });

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

describe("LineSplitter", () => {
  it("GIVEN lines split across chunk boundaries WHEN pushed THEN every line comes out whole", () => {
    const s = new LineSplitter();
    const out: string[] = [];
    for (const ch of ['{"a":', '1}\n{"b"', ":2}\r\n", '{"c":3}']) s.push(ch, (l) => out.push(l));
    s.end((l) => out.push(l));
    expect(out).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it("GIVEN a multi-byte character split between two byte chunks WHEN pushed THEN it is decoded intact", () => {
    const bytes = new TextEncoder().encode('{"n":"é"}\n');
    const s = new LineSplitter();
    const out: string[] = [];
    s.push(bytes.subarray(0, 7), (l) => out.push(l));
    s.push(bytes.subarray(7), (l) => out.push(l));
    expect(out).toEqual(['{"n":"é"}']);
  });

  it("GIVEN a line longer than the limit WHEN pushed THEN it is dropped, counted, and the next line survives", () => {
    const s = new LineSplitter(10);
    const out: string[] = [];
    s.push("x".repeat(25), (l) => out.push(l));
    s.push("yyy\nok\n", (l) => out.push(l));
    expect(out).toEqual(["ok"]);
    expect(s.oversized).toBe(1);
  });
});

describe("HistoryFold", () => {
  it("GIVEN customers and their orders WHEN folded THEN counts, spend and Shopify's rfmGroup are aggregated per customer", () => {
    const f = new HistoryFold();
    for (const l of [customer(1), order(11, 1, 10), order(12, 1, 30), customer(2, "NEW"), order(21, 2, 5)]) f.addLine(l);
    expect(f.aggregate("1")).toMatchObject({ ordersCount: 2, grossSpend: 40, shopifyRfmGroup: "LOYAL" });
    expect(f.aggregate("2")).toMatchObject({ ordersCount: 1, grossSpend: 5, shopifyRfmGroup: "NEW" });
    expect(f.ordersFolded).toBe(3);
  });

  it("GIVEN orders that arrive before their customer line (ungrouped output) WHEN folded THEN they still land on that customer", () => {
    const f = new HistoryFold();
    for (const l of [order(11, 1, 10), order(21, 2, 5), customer(2), customer(1)]) f.addLine(l);
    expect(f.aggregate("1")?.ordersCount).toBe(1);
    expect(f.aggregate("2")?.seen).toBe(true);
  });

  it("GIVEN refunds and a cancelled order WHEN folded THEN refunds are subtracted and the cancelled order is excluded", () => {
    const f = new HistoryFold();
    f.addLine(order(11, 1, 100, { totalRefundedSet: { shopMoney: { amount: "25.00" } }, displayFinancialStatus: "PARTIALLY_REFUNDED" }));
    f.addLine(order(12, 1, 999, { cancelledAt: "2025-03-02T00:00:00Z" }));
    expect(f.aggregate("1")).toMatchObject({ ordersCount: 1, grossSpend: 100, refunded: 25 });
  });

  it("GIVEN malformed, truncated and unexpected lines among good ones WHEN folded THEN they are counted as skipped and the rest is kept", () => {
    const f = new HistoryFold();
    const lines = [
      customer(1),
      "not json",
      order(11, 1, 10).slice(0, 40),
      "[1,2,3]",
      JSON.stringify({ id: "gid://shopify/Order/12", __parentId: "gid://shopify/Customer/1" }),
      JSON.stringify({ id: "gid://shopify/Product/1" }),
      order(13, 1, 15),
    ];
    for (const l of lines) f.addLine(l);
    expect(f.linesSkipped).toBe(5);
    expect(f.aggregate("1")?.ordersCount).toBe(1);
  });

  it("GIVEN a file truncated mid-line WHEN streamed THEN the complete lines are folded and the tail is skipped", async () => {
    const f = new HistoryFold();
    const body = [customer(1), order(11, 1, 10), order(12, 1, 20)].join("\n");
    await forEachLine(streamOf(body.slice(0, body.length - 15)), (l) => void f.addLine(l));
    expect(f.aggregate("1")?.ordersCount).toBe(1);
    expect(f.linesSkipped).toBe(1);
  });

  it("GIVEN orders updated after the export started WHEN folded THEN they are reported as changed", () => {
    const f = new HistoryFold({ changedAfter: Date.parse("2025-03-01T12:00:00Z") });
    f.addLine(order(11, 1, 10));
    f.addLine(order(12, 1, 10, { updatedAt: "2025-03-01T13:00:00Z" }));
    expect(f.changedOrders.map((o) => o.orderId)).toEqual(["12"]);
  });
});

describe("HistoryFold: a history cut at 60 days (no read_all_orders)", () => {
  const WINDOW = Date.parse("2025-02-01T00:00:00Z");
  const withLifetime = (id: number, orders: number, spent: number) =>
    JSON.stringify({ id: `gid://shopify/Customer/${id}`, statistics: { rfmGroup: "LOYAL" }, numberOfOrders: String(orders), amountSpent: { amount: spent.toFixed(2) } });

  it("GIVEN a customer whose 5 orders are all before the window WHEN folded with the window THEN frequency and spend are lifetime, dated at the window start", () => {
    const f = new HistoryFold({ windowStart: WINDOW });
    f.addLine(withLifetime(1, 5, 500));
    f.finish();
    expect(f.aggregate("1")).toMatchObject({ ordersCount: 5, grossSpend: 500, refunded: 0, lastOrderAt: WINDOW, firstOrderAt: WINDOW });
    expect(f.customersFromLifetime).toBe(1);
  });

  it("GIVEN a customer with one order in the window and three before WHEN folded THEN the count is lifetime and the last order is the seen one", () => {
    const f = new HistoryFold({ windowStart: WINDOW });
    f.addLine(withLifetime(2, 4, 400));
    f.addLine(order(20, 2, 100));
    f.finish();
    expect(f.aggregate("2")).toMatchObject({ ordersCount: 4, grossSpend: 400, lastOrderAt: Date.parse("2025-03-01T10:00:00Z"), firstOrderAt: WINDOW });
    expect(f.earliestOrderAt).toBe(Date.parse("2025-03-01T10:00:00Z"));
  });

  it("GIVEN the full history (no window) WHEN lifetime totals are present THEN the seen orders alone decide", () => {
    const f = new HistoryFold();
    f.addLine(withLifetime(3, 5, 500));
    f.addLine(order(30, 3, 100));
    f.finish();
    expect(f.aggregate("3")).toMatchObject({ ordersCount: 1, grossSpend: 100 });
    expect(f.customersFromLifetime).toBe(0);
  });
});
