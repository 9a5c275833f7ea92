// Stored sessions get their Month / Weekend / SpecialDay in the shop's time zone (Shop.ianaTimezone), not the
// server's: the daily adaptation, the customer lookup and the insights all read the zone from the shop row.
import { beforeEach, describe, expect, it, vi } from "vitest";
import prisma from "../db.server";
import { adaptShopModel } from "../lib/propensity/adapt";
import { explainPropensity, SHIPPED_MODEL, type PropensityFeatures } from "../lib/propensity/index";
import { adaptShopFromEvents, customerPropensity, loadShopSessions, propensityInsights, shopTimeZone } from "./propensity.server";

// The real adaptation, observed: which sessions (features) the daily step hands to it.
vi.mock("../lib/propensity/adapt", async (importOriginal) => {
  const m = await importOriginal<typeof import("../lib/propensity/adapt")>();
  return { ...m, adaptShopModel: vi.fn(m.adaptShopModel) };
});

const min = 60_000;
// Sunday 31 May 2026, 20:00 in Los Angeles (PDT) = Monday 1 June, 03:00 UTC.
const END = Date.parse("2026-06-01T03:00:00Z");
const NOW = new Date(END + 6 * 3_600_000);

async function shopIn(shop: string, ianaTimezone: string | null) {
  await prisma.shop.create({ data: { shop, ianaTimezone } });
}

/** n visitors, each one session of a product and a cart page ending at END (minus i minutes). */
async function seedEvening(shop: string, n: number) {
  const data = [];
  for (let i = 0; i < n; i++) {
    const end = END - i * min;
    data.push({ shop, visitorId: `v${i}`, type: "page_view", pageType: "product", occurredAt: new Date(end - 2 * min) });
    data.push({ shop, visitorId: `v${i}`, type: "page_view", pageType: "cart", occurredAt: new Date(end) });
  }
  await prisma.event.createMany({ data });
}

beforeEach(() => {
  vi.mocked(adaptShopModel).mockClear();
});

describe("sessions in the shop's time zone", () => {
  it("GIVEN shop rows with a zone, none, and one the runtime does not know WHEN the zone is read THEN the zone, else UTC", async () => {
    await shopIn("la-zone.myshopify.com", "America/Los_Angeles");
    await shopIn("no-zone.myshopify.com", null);
    await shopIn("bad-zone.myshopify.com", "Mars/Olympus_Mons");
    expect(await shopTimeZone("la-zone.myshopify.com")).toBe("America/Los_Angeles");
    expect(await shopTimeZone("no-zone.myshopify.com")).toBe("UTC");
    expect(await shopTimeZone("bad-zone.myshopify.com")).toBe("UTC");
    expect(await shopTimeZone("no-row.myshopify.com")).toBe("UTC");
  });

  it("GIVEN the same Sunday-evening sessions in a Los Angeles shop and a shop without a zone WHEN they load THEN weekend and May in LA, a June weekday in UTC", async () => {
    await shopIn("la.myshopify.com", "America/Los_Angeles");
    await shopIn("utc.myshopify.com", null);
    await seedEvening("la.myshopify.com", 5);
    await seedEvening("utc.myshopify.com", 5);
    const la = await loadShopSessions("la.myshopify.com", { now: NOW });
    const utc = await loadShopSessions("utc.myshopify.com", { now: NOW });
    expect(la.map((s) => [s.features.weekend, s.features.month])).toEqual(Array(5).fill([true, 5]));
    expect(utc.map((s) => [s.features.weekend, s.features.month])).toEqual(Array(5).fill([false, 6]));
  });

  it("GIVEN a Los Angeles shop WHEN the daily step runs THEN the adaptation is fitted on sessions with Los Angeles calendar features", async () => {
    await shopIn("la-daily.myshopify.com", "America/Los_Angeles");
    await seedEvening("la-daily.myshopify.com", 8);
    const run = await adaptShopFromEvents("la-daily.myshopify.com", { now: NOW });
    expect(run.sessions).toBe(8);
    const sessions = vi.mocked(adaptShopModel).mock.calls.at(-1)![1];
    expect(sessions.map((s) => [s.features.weekend, s.features.month])).toEqual(Array(8).fill([true, 5]));
  });

  it("GIVEN a customer's Sunday-evening session in a Los Angeles shop WHEN looked up THEN it is scored with Los Angeles Month and Weekend", async () => {
    const shop = "la-lookup.myshopify.com";
    await shopIn(shop, "America/Los_Angeles");
    await prisma.event.createMany({
      data: [
        { shop, visitorId: "dev1", customerId: "42", type: "page_view", pageType: "product", occurredAt: new Date(END - 2 * min) },
        { shop, visitorId: "dev1", customerId: "42", type: "page_view", pageType: "cart", occurredAt: new Date(END) },
      ],
    });
    const base: PropensityFeatures = {
      administrative: 0, administrativeDuration: 0, informational: 0, informationalDuration: 0, productRelated: 2, productRelatedDuration: 120,
      bounceRates: 0, exitRates: 0, pageValues: 0, specialDay: 0, month: 5, visitorType: "new", weekend: true,
    };
    const inLa = explainPropensity(base, SHIPPED_MODEL).probability;
    const inUtc = explainPropensity({ ...base, month: 6, weekend: false }, SHIPPED_MODEL).probability;
    expect(inLa).not.toBeCloseTo(inUtc, 6); // the zone matters to this session's score
    const p = await customerPropensity(shop, "42", NOW);
    expect(p!.probability).toBeCloseTo(inLa, 12);
  });

  it("GIVEN a Los Angeles shop WHEN insights are computed THEN the sessions are scored with Los Angeles calendar features", async () => {
    const la = "la-insights.myshopify.com";
    const utc = "utc-insights.myshopify.com";
    await shopIn(la, "America/Los_Angeles");
    await shopIn(utc, null);
    await seedEvening(la, 6);
    await seedEvening(utc, 6);
    const expected = (await loadShopSessions(la, { now: NOW })).map((s) => explainPropensity(s.features, SHIPPED_MODEL).probability);
    const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
    const [a, b] = await Promise.all([propensityInsights(la, { now: NOW }), propensityInsights(utc, { now: NOW })]);
    expect(a.meanPredicted).toBeCloseTo(mean, 12);
    expect(a.meanPredicted).not.toBeCloseTo(b.meanPredicted!, 6);
  });
});
