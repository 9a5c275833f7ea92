import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { MAX_EVENTS_PER_BATCH, normalizeCustomerId, parseEventBatch, storeEvents } from "./events.server";

const now = new Date("2026-03-10T12:00:00.000Z");
const vid = "v_0123456789abcdef";
const ev = (extra: Record<string, unknown> = {}) => ({ type: "page_view", occurredAt: now.getTime() - 1000, path: "/products/a", ...extra });

describe("parseEventBatch", () => {
  it("GIVEN a well-formed batch WHEN parsed THEN every event carries the batch visitor and a Date", () => {
    const r = parseEventBatch({ visitorId: vid, events: [ev(), ev({ type: "eligible", play: "vip", arm: "holdout" })] }, now);
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.events.map((e) => e.visitorId)).toEqual([vid, vid]);
    expect(r.events[1]).toMatchObject({ type: "eligible", play: "vip", arm: "holdout" });
    expect(r.events[0].occurredAt).toBeInstanceOf(Date);
  });

  it("GIVEN more events than allowed WHEN parsed THEN the batch is rejected", () => {
    const events = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => ev());
    expect(parseEventBatch({ visitorId: vid, events }, now).success).toBe(false);
  });

  it("GIVEN a play event without its arm WHEN parsed THEN the batch is rejected", () => {
    expect(parseEventBatch({ visitorId: vid, events: [ev({ type: "shown", play: "vip" })] }, now).success).toBe(false);
  });

  it("GIVEN an unknown play key WHEN parsed THEN the batch is rejected", () => {
    expect(parseEventBatch({ visitorId: vid, events: [ev({ type: "shown", play: "spam", arm: "treatment" })] }, now).success).toBe(false);
  });

  it("GIVEN a timestamp a week old WHEN parsed THEN the batch is rejected with the field named", () => {
    const r = parseEventBatch({ visitorId: vid, events: [ev({ occurredAt: now.getTime() - 7 * 86400_000 })] }, now);
    expect(r).toEqual({ success: false, issues: [{ path: "events.0.occurredAt", message: "timestamp out of range" }] });
  });

  it("GIVEN an over-long path WHEN parsed THEN the batch is rejected", () => {
    expect(parseEventBatch({ visitorId: vid, events: [ev({ path: "/" + "a".repeat(600) })] }, now).success).toBe(false);
  });

  it("GIVEN a path with a query string WHEN parsed THEN only the path is kept", () => {
    const r = parseEventBatch({ visitorId: vid, events: [ev({ path: "/cart?email=a@b.c#x" })] }, now);
    expect(r.success && r.events[0].path).toBe("/cart");
  });

  it("GIVEN an unexpected field (customerId in the body) WHEN parsed THEN the batch is rejected", () => {
    expect(parseEventBatch({ visitorId: vid, events: [ev({ customerId: "1" })] }, now).success).toBe(false);
  });

  it("GIVEN a malformed visitor id WHEN parsed THEN the batch is rejected", () => {
    expect(parseEventBatch({ visitorId: "<script>", events: [ev()] }, now).success).toBe(false);
  });
});

describe("normalizeCustomerId", () => {
  it.each([
    ["gid://shopify/Customer/42", "42"],
    [42, "42"],
    ["42", "42"],
    [null, null],
    ["", null],
  ])("GIVEN %s WHEN normalised THEN gives %s", (input, out) => {
    expect(normalizeCustomerId(input as string | number | null)).toBe(out);
  });
});

describe("storeEvents", () => {
  it("GIVEN a parsed batch WHEN stored THEN all rows exist, scoped to the shop, with the signed customer id", async () => {
    const r = parseEventBatch({ visitorId: vid, events: [ev(), ev({ type: "eligible", play: "confidence", arm: "treatment" })] }, now);
    if (!r.success) throw new Error("fixture invalid");
    const count = await storeEvents("store-a.myshopify.com", r.events, { customerId: "gid://shopify/Customer/7" });
    expect(count).toBe(2);
    const rows = await prisma.event.findMany({ where: { shop: "store-a.myshopify.com" }, orderBy: { id: "asc" } });
    expect(rows.map((e) => [e.type, e.play, e.arm, e.customerId])).toEqual([
      ["page_view", null, null, "7"],
      ["eligible", "confidence", "treatment", "7"],
    ]);
    expect(rows[1].occurredAt).toEqual(r.events[1].occurredAt);
    expect(await prisma.event.count({ where: { shop: "store-b.myshopify.com" } })).toBe(0);
  });

  it("GIVEN an invalid row in the batch WHEN storing THEN it throws and stores none of the batch", async () => {
    const bad = [{ type: "page_view", visitorId: vid, occurredAt: new Date(Number.NaN) }] as const;
    await expect(storeEvents("store-c.myshopify.com", bad)).rejects.toThrow();
    expect(await prisma.event.count({ where: { shop: "store-c.myshopify.com" } })).toBe(0);
  });
});

describe("one visitor per batch", () => {
  it("GIVEN a batch whose events name other visitors WHEN parsed THEN it is refused", () => {
    const now = new Date();
    const r = parseEventBatch({ visitorId: "visitor-0001", events: [{ type: "page_view", ts: now.getTime(), visitorId: "visitor-0002" }] }, now);
    expect(r.success).toBe(false);
    expect(!r.success && r.issues[0]).toEqual({ path: "events.0.visitorId", message: "one visitor per batch" });
  });
});
