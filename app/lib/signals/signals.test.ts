import { describe, expect, it } from "vitest";
import {
  applySignal, cartStallSeconds, newSession, newVisitor, parseSession, parseVisitor, policyViews,
  resumeSession, serializeSession, serializeVisitor, sessionMinutes, specialDay, toPropensityFeatures,
  visitsLast7Days, SESSION_TIMEOUT_MS, MAX_TRACKED_PRODUCTS, categoryOf, PAGE_KINDS,
} from "./index";

const T0 = Date.UTC(2026, 5, 3, 12, 0, 0); // a Wednesday
const S = 1000;
const DAY = 86400000;

describe("dataset page categories", () => {
  it("GIVEN each page kind WHEN categorised THEN account/info/product-related kinds map to the dataset's columns", () => {
    expect(Object.fromEntries(PAGE_KINDS.map((k) => [k, categoryOf(k)]))).toEqual({
      home: "other", collection: "productRelated", product: "productRelated", search: "productRelated",
      cart: "productRelated", info: "informational", account: "administrative", other: "other",
    });
  });
});

describe("session signals", () => {
  it("GIVEN page views WHEN applied THEN views and dwell accrue per page kind", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    applySignal(s, v, { type: "page_view", ts: T0, kind: "product", productId: "1" });
    applySignal(s, v, { type: "page_view", ts: T0 + 30 * S, kind: "info" });
    applySignal(s, v, { type: "page_view", ts: T0 + 40 * S, kind: "product", productId: "1" });
    expect(s.views).toEqual({ product: 2, info: 1 });
    expect(s.dwell).toEqual({ product: 30, info: 10 });
    expect(s.pv["1"]).toBe(2);
    expect(policyViews(s)).toBe(1);
  });
  it("GIVEN the cart page WHEN the cart changes THEN the stall timer restarts", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    applySignal(s, v, { type: "page_view", ts: T0, kind: "cart" });
    expect(cartStallSeconds(s, T0 + 50 * S)).toBe(50);
    applySignal(s, v, { type: "add_to_cart", ts: T0 + 50 * S, productId: "3" });
    expect(cartStallSeconds(s, T0 + 60 * S)).toBe(10);
  });
  it("GIVEN a product page WHEN time passes THEN the cart stall stays 0", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    applySignal(s, v, { type: "page_view", ts: T0, kind: "product", productId: "3" });
    expect(cartStallSeconds(s, T0 + 100 * S)).toBe(0);
  });
  it("GIVEN removals WHEN applied THEN per-product removals and the last removed product are kept", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    applySignal(s, v, { type: "remove_from_cart", ts: T0, productId: "8", quantity: 2 });
    applySignal(s, v, { type: "remove_from_cart", ts: T0 + S, productId: "9" });
    expect(s.remCount).toBe(2);
    expect(s.rems).toEqual({ "8": 2, "9": 1 });
    expect(s.lastRemoved).toBe("9");
  });
  it("GIVEN a stepper trim 4 → 1 of one product WHEN its three removals apply THEN it counts as one removal", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    applySignal(s, v, { type: "add_to_cart", ts: T0, productId: "8", quantity: 4 });
    for (let i = 1; i <= 3; i++) applySignal(s, v, { type: "remove_from_cart", ts: T0 + i * S, productId: "8" });
    expect(s.remCount).toBe(1);
    expect(s.rems).toEqual({ "8": 3 });
  });
  it("GIVEN one product added and removed three times WHEN applied THEN three add/remove cycles count", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    for (let i = 0; i < 3; i++) {
      applySignal(s, v, { type: "add_to_cart", ts: T0 + 2 * i * S, productId: "8" });
      applySignal(s, v, { type: "remove_from_cart", ts: T0 + (2 * i + 1) * S, productId: "8" });
    }
    expect(s.remCount).toBe(3);
  });
  it("GIVEN more products than tracked WHEN viewed THEN the map stays bounded", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    for (let i = 0; i < MAX_TRACKED_PRODUCTS + 10; i++) applySignal(s, v, { type: "page_view", ts: T0 + i, kind: "product", productId: String(i) });
    expect(Object.keys(s.pv).length).toBe(MAX_TRACKED_PRODUCTS);
  });
  it("GIVEN a stored session idle for 31 min WHEN resumed THEN a new session starts and a visit is counted", () => {
    const v = newVisitor("visitor-0001", T0);
    const first = resumeSession(null, v, T0);
    const later = T0 + SESSION_TIMEOUT_MS + 60 * S;
    const second = resumeSession(first, v, later);
    expect(second).not.toBe(first);
    expect(visitsLast7Days(v, later)).toBe(2);
  });
  it("GIVEN a stored session idle for 29 min WHEN resumed THEN it continues", () => {
    const v = newVisitor("visitor-0001", T0);
    const first = resumeSession(null, v, T0);
    expect(resumeSession(first, v, T0 + 29 * 60 * S)).toBe(first);
    expect(sessionMinutes(first, T0 + 29 * 60 * S)).toBe(29);
  });
  it("GIVEN visits 8 and 2 days ago WHEN counted THEN only the recent one is within 7 days", () => {
    const v = newVisitor("visitor-0001", T0 - 8 * DAY);
    v.visits = [T0 - 8 * DAY, T0 - 2 * DAY];
    resumeSession(null, v, T0);
    expect(visitsLast7Days(v, T0)).toBe(2);
  });
});

describe("storage", () => {
  it("GIVEN a session WHEN serialised and parsed THEN it round-trips", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    applySignal(s, v, { type: "page_view", ts: T0, kind: "product", productId: "1" });
    expect(parseSession(serializeSession(s))).toEqual(s);
  });
  it("GIVEN tampered storage WHEN parsed THEN it is dropped", () => {
    expect(parseSession('{"v":1,"start":"x"}')).toBeNull();
    expect(parseSession("not json")).toBeNull();
    expect(parseVisitor('{"v":1,"id":"<script>","visits":[],"firstSeen":1,"shows":{},"purchasedAt":null}')).toBeNull();
  });
  it("GIVEN a visitor WHEN serialised and parsed THEN it round-trips", () => {
    const v = newVisitor("visitor-0001", T0);
    v.shows.vip = [T0];
    expect(parseVisitor(serializeVisitor(v))).toEqual(v);
  });
});

describe("propensity features", () => {
  it("GIVEN pages with shop stats WHEN mapped THEN counts, durations and averaged page metrics match", () => {
    const v = newVisitor("visitor-0001", T0);
    const s = newSession(T0);
    const stats = { product: { bounceRate: 0.02, exitRate: 0.04, pageValue: 10 }, informational: { bounceRate: 0.1, exitRate: 0.2, pageValue: 0 } };
    applySignal(s, v, { type: "page_view", ts: T0, kind: "product", productId: "1" }, stats);
    applySignal(s, v, { type: "page_view", ts: T0 + 20 * S, kind: "info" }, stats);
    applySignal(s, v, { type: "page_view", ts: T0 + 30 * S, kind: "account" }, stats);
    const f = toPropensityFeatures(s, v, T0 + 35 * S);
    expect(f).toMatchObject({ productRelated: 1, productRelatedDuration: 20, informational: 1, informationalDuration: 10, administrative: 1, administrativeDuration: 5, visitorType: "new", month: 6, weekend: false });
    expect(f.bounceRates).toBeCloseTo(0.06);
    expect(f.pageValues).toBeCloseTo(5);
  });
  it("GIVEN an earlier session WHEN mapped THEN the visitor is returning", () => {
    const v = newVisitor("visitor-0001", T0 - DAY);
    const s = resumeSession(null, v, T0);
    expect(toPropensityFeatures(s, v, T0).visitorType).toBe("returning");
  });
  it("GIVEN 6 days before Valentine's Day WHEN mapped THEN special day is 1, and 0 in June", () => {
    expect(specialDay(new Date(2026, 1, 8, 12).getTime())).toBe(1);
    expect(specialDay(new Date(2026, 5, 20, 12).getTime())).toBe(0);
  });
});
