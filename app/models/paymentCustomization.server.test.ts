import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { customerArmId } from "../lib/payments/customization";
import { attributeOrder, recordRefund } from "./attribution.server";
import type { AdminGraphqlClient } from "./adminData.server";
import { ingestEvents } from "./ingest.server";
import { onboardingState } from "./onboarding.server";
import { markPaymentsOn, paymentsArmForCustomer, paymentsFunctionKey, recordPaymentsCheckout } from "./paymentCustomization.server";
import { signedVisitorFor } from "../../tests/helpers/visitors";

let seq = 0;
let shop = "";
let VID = "";
beforeEach(async () => {
  shop = `pay-${++seq}.myshopify.com`;
  VID = await signedVisitorFor(shop);
});

const at = (d: number) => new Date(Date.UTC(2026, 2, d, 12));

/** The first customer id (from 1000) the Function puts in `arm` with this shop's key. */
async function customerIn(arm: "treatment" | "holdout"): Promise<string> {
  for (let id = 1000; id < 3000; id++) if ((await paymentsArmForCustomer(shop, `gid://shopify/Customer/${id}`)) === arm) return String(id);
  throw new Error(`no customer in ${arm}`);
}

/** A profile from one earlier order (as the history sync leaves it), so the Function had a profile to act on. */
const earlierOrder = (customerId: string, total = 100, segment = "NEEDS_ATTENTION") =>
  prisma.customerProfile.create({ data: { shop, customerId, ordersCount: 1, grossSpend: total, netSpend: total, aov: total, segment, firstOrderAt: at(1), lastOrderAt: at(1) } });

const order = (id: number, customerId: string | null, subtotal: number, extra: Record<string, unknown> = {}) => ({
  id,
  created_at: at(5).toISOString(),
  total_price: subtotal.toFixed(2),
  subtotal_price: subtotal.toFixed(2),
  customer: customerId ? { id: Number(customerId) } : null,
  note_attributes: [] as { name: string; value: string }[],
  ...extra,
});

const exposure = (customerId: string) =>
  prisma.playExposure.findUnique({ where: { shop_play_visitorId: { shop, play: "vip", visitorId: customerArmId(`gid://shopify/Customer/${customerId}`) } } });

describe("the payment customization Function's exposures and attribution", () => {
  it("GIVEN the customization on and a holdout customer with earlier orders WHEN they order THEN a holdout exposure is recorded with the order, not shown", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("holdout");
    await earlierOrder(c);
    const r = await attributeOrder(shop, order(1, c, 400), { bundleDiscountTitles: [] });
    expect(r.status).toBe("attributed");
    const e = await exposure(c);
    expect(e).toMatchObject({ arm: "holdout", orders: 1, revenue: 400, shownAt: null, customerId: c });
    const day = await prisma.dailyPlayStat.findMany({ where: { shop, play: "vip" } });
    expect(day).toEqual([expect.objectContaining({ arm: "holdout", eligible: 1, shown: 0, orders: 1, revenue: 400 })]);
  });

  it("GIVEN a treated customer whose cart is ≥ 3× their earlier AOV WHEN they order THEN the order is attributed to the VIP play as shown in the treatment arm", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    await earlierOrder(c, 100);
    await attributeOrder(shop, order(2, c, 310), { bundleDiscountTitles: [] });
    const row = await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "2" } } });
    expect(JSON.parse(row.plays)).toEqual([expect.objectContaining({ play: "vip", arm: "treatment", status: "shown", source: "customer" })]);
    expect((await exposure(c))?.shownAt).toEqual(at(5));
  });

  it("GIVEN a treated customer below 3× their AOV and not a VIP group WHEN they order THEN the exposure is eligible, not shown", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    await earlierOrder(c, 100);
    await attributeOrder(shop, order(3, c, 290), { bundleDiscountTitles: [] });
    expect(await exposure(c)).toMatchObject({ arm: "treatment", shownAt: null, orders: 1 });
  });

  it("GIVEN this order already folded into the profile WHEN it is attributed THEN the AOV it is compared with is the earlier orders' only", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    // One earlier order of 100 and this one of 310, folded by orders/create before attribution.
    await prisma.customerProfile.create({ data: { shop, customerId: c, ordersCount: 2, grossSpend: 410, netSpend: 410, aov: 205, segment: "NEEDS_ATTENTION" } });
    await prisma.profileOrder.create({ data: { shop, orderId: "9", customerId: c, createdAt: at(5), total: 310, sourceUpdatedAt: at(5) } });
    await attributeOrder(shop, order(9, c, 310), { bundleDiscountTitles: [] });
    expect((await exposure(c))?.shownAt).toEqual(at(5));
  });

  it("GIVEN a first order already folded into the profile WHEN it is attributed THEN no Function exposure is recorded", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    await prisma.customerProfile.create({ data: { shop, customerId: c, ordersCount: 1, grossSpend: 400, netSpend: 400, aov: 400, segment: "PROSPECTS" } });
    await prisma.profileOrder.create({ data: { shop, orderId: "10", customerId: c, createdAt: at(5), total: 400, sourceUpdatedAt: at(5) } });
    await attributeOrder(shop, order(10, c, 400), { bundleDiscountTitles: [] });
    expect(await exposure(c)).toBeNull();
  });

  it("GIVEN a treated Champion below 3× their AOV WHEN they order THEN the exposure is shown (wallets first)", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    await earlierOrder(c, 100, "CHAMPIONS");
    await attributeOrder(shop, order(11, c, 120), { bundleDiscountTitles: [] });
    expect((await exposure(c))?.shownAt).toEqual(at(5));
  });

  it("GIVEN a first-time buyer WHEN they order THEN no Function exposure is recorded (the Function saw no profile)", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    expect(await attributeOrder(shop, order(4, c, 400), { bundleDiscountTitles: [] })).toEqual({ status: "unattributed", orderId: "4" });
    expect(await prisma.playExposure.count({ where: { shop } })).toBe(0);
  });

  it("GIVEN the customization off WHEN a customer with a profile orders THEN no Function exposure is recorded", async () => {
    const c = await customerIn("treatment");
    await earlierOrder(c);
    await attributeOrder(shop, order(5, c, 400), { bundleDiscountTitles: [] });
    expect(await prisma.playExposure.count({ where: { shop } })).toBe(0);
  });

  it("GIVEN the customization turned on after the order was placed WHEN the order arrives THEN it is not counted for the Function", async () => {
    await markPaymentsOn(shop, true, at(6));
    const c = await customerIn("treatment");
    await earlierOrder(c);
    await attributeOrder(shop, order(6, c, 400), { bundleDiscountTitles: [] });
    expect(await exposure(c)).toBeNull();
  });

  it("GIVEN an order that already counts for the VIP play through the storefront WHEN the Function also ran THEN its exposure is recorded without the order's money", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    await earlierOrder(c);
    await prisma.playExposure.create({ data: { shop, play: "vip", visitorId: VID, arm: "treatment", firstEligibleAt: at(4), shownAt: at(4) } });
    await attributeOrder(shop, order(7, c, 400, { note_attributes: [{ name: "_rp_vid", value: VID }] }), { bundleDiscountTitles: [] });
    expect(await exposure(c)).toMatchObject({ orders: 0, revenue: 0 });
    const row = await prisma.orderAttribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "7" } } });
    expect(JSON.parse(row.plays).map((p: { source: string }) => p.source)).toEqual(["visitor"]);
  });

  it("GIVEN an order attributed through the Function WHEN it is refunded THEN the customer exposure's revenue drops", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("holdout");
    await earlierOrder(c);
    await attributeOrder(shop, order(8, c, 400), { bundleDiscountTitles: [] });
    const r = await recordRefund(shop, { id: 81, order_id: 8, created_at: at(6).toISOString(), transactions: [{ amount: "100.00", kind: "refund", status: "success" }] });
    expect(r).toMatchObject({ status: "applied", plays: ["vip"] });
    expect((await exposure(c))?.revenue).toBe(300);
  });

  it("GIVEN the customization was on WHEN it is marked off and on again THEN the new start time counts", async () => {
    await markPaymentsOn(shop, true, at(2));
    await markPaymentsOn(shop, true, at(3));
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).paymentsOnAt).toEqual(at(2));
    await markPaymentsOn(shop, false);
    await markPaymentsOn(shop, true, at(4));
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).paymentsOnAt).toEqual(at(4));
  });
});

describe("the payment customization Function's exposures at checkout", () => {
  it("GIVEN a holdout customer with a profile WHEN they reach checkout and later order THEN one exposure records the checkout, then the order", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("holdout");
    await earlierOrder(c);
    expect(await recordPaymentsCheckout(shop, c, at(4), 400)).toBe(true);
    expect(await exposure(c)).toMatchObject({ arm: "holdout", orders: 0, firstEligibleAt: at(4), shownAt: null });
    await attributeOrder(shop, order(20, c, 400), { bundleDiscountTitles: [] });
    expect(await exposure(c)).toMatchObject({ orders: 1, revenue: 400, firstEligibleAt: at(4) });
    expect(await prisma.dailyPlayStat.findMany({ where: { shop, play: "vip" } })).toEqual([expect.objectContaining({ arm: "holdout", eligible: 1, orders: 1 })]);
  });

  it("GIVEN a treated customer who leaves checkout without ordering WHEN their big cart reached checkout THEN a shown exposure without an order stays", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    await earlierOrder(c, 100);
    await recordPaymentsCheckout(shop, c, at(4), 350);
    expect(await exposure(c)).toMatchObject({ arm: "treatment", orders: 0, shownAt: at(4) });
  });

  it("GIVEN a signed customer's checkout_started event WHEN the batch is ingested THEN the Function's exposure is recorded", async () => {
    await markPaymentsOn(shop, true, new Date(Date.now() - 3_600_000));
    const c = await customerIn("holdout");
    await earlierOrder(c);
    const body = JSON.stringify({ visitorId: VID, events: [{ type: "checkout_started", ts: Date.now(), value: 400 }] });
    const res = await ingestEvents(new Request("https://app.test/apps/proxy/events", { method: "POST", body }), shop, c);
    expect(res.status).toBe(202);
    expect(await exposure(c)).toMatchObject({ arm: "holdout", orders: 0 });
  });

  it("GIVEN a customer without a profile WHEN they reach checkout THEN nothing is recorded", async () => {
    await markPaymentsOn(shop, true, at(2));
    const c = await customerIn("treatment");
    expect(await recordPaymentsCheckout(shop, c, at(4), 350)).toBe(false);
    expect(await prisma.playExposure.count({ where: { shop } })).toBe(0);
  });
});

describe("onboarding shows the checkout payment order's state", () => {
  /** Answers the onboarding query (no theme) and the payment customization list with `nodes`; records updates. */
  let updates: unknown[] = [];
  const admin = (nodes: unknown[] | null): AdminGraphqlClient => ({
    graphql: async (query, options) => {
      if (/paymentCustomizationUpdate\(/.test(query)) {
        updates.push(options?.variables);
        return new Response(JSON.stringify({ data: { paymentCustomizationUpdate: { paymentCustomization: { id: "x" }, userErrors: [] } } }), { headers: { "Content-Type": "application/json" } });
      }
      const data = /paymentCustomizations/.test(query)
        ? nodes === null
          ? null
          : { paymentCustomizations: { nodes } }
        : { shop: { myshopifyDomain: shop, currencyCode: "USD", plan: { publicDisplayName: "Basic", shopifyPlus: false, partnerDevelopment: false }, ianaTimezone: "UTC" }, themes: { nodes: [] } };
      const body = data ? { data } : { errors: [{ message: "Throttled" }] };
      return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
    },
  });
  const ours = (enabled: boolean) => ({ id: "gid://shopify/PaymentCustomization/1", title: "Recovery Plays", enabled, metafield: { jsonValue: { key: "ab" } } });

  it("GIVEN our customization active in Shopify WHEN the setup guide loads THEN it shows it on and orders/create counts from now", async () => {
    const state = await onboardingState(shop, admin([ours(true)]), "key");
    expect(state.payments).toEqual({ enabled: true });
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).paymentsOnAt).not.toBeNull();
  });

  it("GIVEN our customization switched off in Shopify's settings WHEN the setup guide loads THEN it shows it off and stops counting", async () => {
    await markPaymentsOn(shop, true, at(2));
    const state = await onboardingState(shop, admin([ours(false)]), "key");
    expect(state.payments).toEqual({ enabled: false });
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).paymentsOnAt).toBeNull();
  });

  it("GIVEN the published configuration has another holdout than the VIP play's WHEN the state is read THEN the configuration is republished with the play's", async () => {
    updates = [];
    const published = { key: await paymentsFunctionKey(shop), holdoutPercent: 33, aovMultiple: 3, vipGroups: ["CHAMPIONS", "LOYAL"], hide: [] };
    await onboardingState(shop, admin([{ ...ours(true), metafield: { jsonValue: published } }]), "key");
    expect(updates).toHaveLength(1);
    const value = JSON.parse((updates[0] as { input: { metafields: { value: string }[] } }).input.metafields[0]!.value);
    expect(value).toMatchObject({ key: published.key, holdoutPercent: 10 });
  });

  it("GIVEN the published configuration matches the VIP play WHEN the state is read THEN nothing is written", async () => {
    updates = [];
    const published = { key: await paymentsFunctionKey(shop), holdoutPercent: 10, aovMultiple: 3, vipGroups: ["LOYAL", "CHAMPIONS"], hide: [] };
    await onboardingState(shop, admin([{ ...ours(true), metafield: { jsonValue: published } }]), "key");
    expect(updates).toEqual([]);
  });

  it("GIVEN the customizations cannot be read WHEN the setup guide loads THEN the state is unknown and the page still loads", async () => {
    const state = await onboardingState(shop, admin(null), "key");
    expect(state.payments).toBeNull();
    expect(state.shopDomain).toBe(shop);
  });
});
