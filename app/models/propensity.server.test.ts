import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { readSessionsCsv, TRAIN_CSV } from "../../scripts/model/data";
import { mulberry32 } from "../../scripts/model/random";
import { propensityLogit, sigmoid, SHIPPED_MODEL } from "../lib/propensity/index";
import type { ShopSession } from "../lib/propensity/adapt";
import { adaptAndSaveShopModel, deleteShopModel, loadShopModel, saveShopModel } from "./propensity.server";

const features = readSessionsCsv(TRAIN_CSV).map((r) => r.features);

function shopSessions(n: number, shift: number, seed: number): ShopSession[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const f = features[(i * 104729) % features.length];
    return { features: f, purchased: rand() < sigmoid(propensityLogit(f) + shift), at: i };
  });
}

describe("propensity.server", () => {
  it("GIVEN a shop without an adapted model WHEN loaded THEN the shipped model is used", async () => {
    const s = await loadShopModel("fresh.myshopify.com");
    expect(s.source).toBe("shipped");
    expect(s.model).toBe(SHIPPED_MODEL);
  });

  it("GIVEN a saved shop model WHEN loaded THEN its calibration applies to that shop only", async () => {
    const adapted = { ...SHIPPED_MODEL, calibration: { scale: 0.9, shift: -0.7 } };
    const v1 = await saveShopModel("a.myshopify.com", adapted, { note: "test" });
    const v2 = await saveShopModel("a.myshopify.com", adapted);
    expect(v2).toBe(v1 + 1);
    const a = await loadShopModel("a.myshopify.com");
    expect(a.source).toBe("shop");
    expect(a.model.calibration).toEqual({ scale: 0.9, shift: -0.7 });
    expect((await loadShopModel("b.myshopify.com")).source).toBe("shipped");
  });

  it("GIVEN a layer fitted on a different shipped tree set WHEN loaded THEN the shop falls back to the shipped model", async () => {
    await prisma.shopModel.create({
      data: { shop: "stale.myshopify.com", params: JSON.stringify({ model: "deadbeef", calibration: { scale: 2, shift: 1 } }) },
    });
    const s = await loadShopModel("stale.myshopify.com");
    expect(s.source).toBe("shipped");
    expect(s.model.calibration).toBeUndefined();
  });

  it("GIVEN corrupt stored params WHEN loaded THEN the shipped model is used instead of failing", async () => {
    await prisma.shopModel.create({ data: { shop: "corrupt.myshopify.com", params: "{not json" } });
    expect((await loadShopModel("corrupt.myshopify.com")).source).toBe("shipped");
  });

  it("GIVEN a shop that behaves like the prior WHEN adapted THEN nothing is saved", async () => {
    const choice = await adaptAndSaveShopModel("same.myshopify.com", shopSessions(3000, 0, 11));
    expect(choice.chosen).toBe("current");
    expect(await prisma.shopModel.findUnique({ where: { shop: "same.myshopify.com" } })).toBeNull();
  });

  it("GIVEN a shop converting less than the prior WHEN adapted THEN the better model is saved and then served", async () => {
    const choice = await adaptAndSaveShopModel("low.myshopify.com", shopSessions(4000, -1.2, 12));
    expect(choice.chosen).toBe("candidate");
    const s = await loadShopModel("low.myshopify.com");
    expect(s.source).toBe("shop");
    expect(s.model.calibration!.shift).toBeLessThan(0);
    await deleteShopModel("low.myshopify.com");
    expect((await loadShopModel("low.myshopify.com")).source).toBe("shipped");
  });
});

describe("sessions from the app's own events", () => {
  const NOW = new Date("2026-06-10T12:00:00Z");
  const min = 60_000;

  /** n visitors, one session each: `views` product pages a minute apart, ending ≥ 1 h before NOW; every `every`-th buys. */
  async function seedSessions(shop: string, n: number, every: number, views = 3) {
    const events = [];
    const orders = [];
    for (let i = 0; i < n; i++) {
      const start = NOW.getTime() - 2 * 3_600_000 - i * 10 * min;
      const k = 1 + ((i * 7) % views) + (i % 2);
      for (let j = 0; j < k; j++) events.push({ shop, visitorId: `v${i}`, type: "page_view", pageType: j === k - 1 && i % 3 === 0 ? "cart" : "product", occurredAt: new Date(start + j * min) });
      if (i % every === 0) orders.push({ shop, orderId: `o${i}`, visitorId: `v${i}`, total: 50, createdAt: new Date(start + k * min) });
    }
    await prisma.event.createMany({ data: events });
    await prisma.orderAttribution.createMany({ data: orders });
  }

  it("GIVEN stored page views and attributed orders WHEN the shop's sessions load THEN one session per visit with its outcome, this shop's only", async () => {
    const { loadShopSessions } = await import("./propensity.server");
    await seedSessions("sess.myshopify.com", 30, 3);
    await seedSessions("other-sess.myshopify.com", 5, 1);
    const sessions = await loadShopSessions("sess.myshopify.com", { now: NOW });
    expect(sessions).toHaveLength(30);
    expect(sessions.filter((s) => s.purchased)).toHaveLength(10);
    expect(sessions.every((s) => s.features.productRelated >= 1)).toBe(true);
  });

  it("GIVEN a shop that buys far more often than the shipped model predicts WHEN the daily step runs THEN the adapted layer is saved and published; a small shop keeps the shipped one", async () => {
    const { adaptShopFromEvents } = await import("./propensity.server");
    const { buildPublishedConfig } = await import("./publish.server");
    await seedSessions("eager.myshopify.com", 1200, 2);
    const run = await adaptShopFromEvents("eager.myshopify.com", { now: NOW });
    expect(run, run.reason).toMatchObject({ sessions: 1200, purchases: 600, chosen: "candidate", version: 1 });
    const config = await buildPublishedConfig("eager.myshopify.com", 1);
    expect(config.propensity?.shift).toBeGreaterThan(0);

    await seedSessions("tiny.myshopify.com", 50, 2);
    const small = await adaptShopFromEvents("tiny.myshopify.com", { now: NOW });
    expect(small).toMatchObject({ sessions: 50, chosen: "current", version: 0 });
    expect((await buildPublishedConfig("tiny.myshopify.com", 1)).propensity).toBeUndefined();
  });

  it("GIVEN sessions still open WHEN the daily step runs THEN they are left out (their outcome is not known yet)", async () => {
    const { adaptShopFromEvents } = await import("./propensity.server");
    await prisma.event.createMany({
      data: [0, 1].map((j) => ({ shop: "open.myshopify.com", visitorId: "live", type: "page_view", pageType: "product", occurredAt: new Date(NOW.getTime() - 10 * min + j * min) })),
    });
    await seedSessions("open.myshopify.com", 4, 2);
    expect((await adaptShopFromEvents("open.myshopify.com", { now: NOW })).sessions).toBe(4);
  });

  it("GIVEN a customer's logged-in page views WHEN looked up THEN their latest session is scored and explained; none → null", async () => {
    const { customerPropensity } = await import("./propensity.server");
    const { explainPropensity, SHIPPED_MODEL: shipped } = await import("../lib/propensity/index");
    const shop = "who.myshopify.com";
    const at = (m: number) => new Date(NOW.getTime() - m * min);
    await prisma.event.createMany({
      data: [
        { shop, visitorId: "dev0", customerId: "42", type: "page_view", pageType: "product", occurredAt: at(3 * 24 * 60) }, // seen before (another device): returning
        { shop, visitorId: "dev1", customerId: "42", type: "page_view", pageType: "product", occurredAt: at(20) },
        { shop, visitorId: "dev1", customerId: "42", type: "page_view", pageType: "info", occurredAt: at(18) },
        { shop, visitorId: "dev1", customerId: "42", type: "page_view", pageType: "cart", occurredAt: at(15) },
        { shop: "elsewhere.myshopify.com", visitorId: "dev9", customerId: "43", type: "page_view", pageType: "cart", occurredAt: at(5) },
      ],
    });
    const p = await customerPropensity(shop, "gid://shopify/Customer/42", NOW);
    expect(p).not.toBeNull();
    expect(p!.at).toBe(at(15).toISOString());
    expect(p!.source).toBe("shipped");
    const expected = explainPropensity(
      {
        administrative: 0, administrativeDuration: 0, informational: 1, informationalDuration: 180, productRelated: 2, productRelatedDuration: 120,
        bounceRates: 0, exitRates: 0, pageValues: 0, specialDay: 0, month: 6, visitorType: "returning", weekend: false,
      },
      shipped,
    );
    expect(p!.probability).toBeCloseTo(expected.probability, 12);
    expect(p!.up.map((s) => s.signal)).toEqual(expected.up.map((s) => s.signal));
    expect(p!.down.map((s) => s.signal)).toEqual(expected.down.map((s) => s.signal));
    expect(await customerPropensity(shop, "43", NOW)).toBeNull();
    expect(await customerPropensity(shop, "not an id", NOW)).toBeNull();
  });

  it("GIVEN recent sessions WHEN insights are computed THEN sessions, purchases, calibration at a glance and per-signal effects come back", async () => {
    const { propensityInsights } = await import("./propensity.server");
    await seedSessions("insight.myshopify.com", 40, 4);
    const i = await propensityInsights("insight.myshopify.com", { now: NOW, days: 30 });
    expect([i.sessions, i.purchases, i.observedRate]).toEqual([40, 10, 0.25]);
    expect(i.meanPredicted).toBeGreaterThan(0);
    expect(i.signals.length).toBeGreaterThan(0);
    expect(i.signals.map((s) => s.signal)).toContain("productRelated");
    expect(i.model.source).toBe("shipped");
    const empty = await propensityInsights("nobody.myshopify.com", { now: NOW });
    expect([empty.sessions, empty.meanPredicted, empty.signals]).toEqual([0, null, []]);
  });
});
