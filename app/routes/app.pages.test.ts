// Home, Analytics (+CSV), Customers, Settings and the layout through their real HTTP edge (signed session tokens,
// PrismaSessionStorage session, Admin calls to a schema-validating local stub).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAdminStub, themeFiles, type AdminStub } from "../../tests/helpers/adminStub";
import { hasMessage } from "../locales/i18n";
import { RFM_GROUPS } from "../lib/plays/types";

let stub: AdminStub;
let prisma: typeof import("../db.server").default;
let helpers: typeof import("../../tests/helpers/shopify");
const SHOP = "test-shop.myshopify.com";
let embed = false;

beforeAll(async () => {
  stub = await startAdminStub();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stub.origin;
  helpers = await import("../../tests/helpers/shopify");
  prisma = (await import("../db.server")).default;
});
afterAll(() => stub.close());
beforeEach(async () => {
  await prisma.session.deleteMany();
  await prisma.playConfig.deleteMany();
  await prisma.publishedConfig.deleteMany();
  await prisma.dailyPlayStat.deleteMany();
  stub.calls.length = 0;
  embed = false;
  stub.handlers = {
    RecoveryPlaysOnboarding: () => ({
      shop: { myshopifyDomain: SHOP, currencyCode: "EUR", plan: { publicDisplayName: "Shopify Plus", shopifyPlus: true, partnerDevelopment: false } },
      themes: { nodes: [{ id: "gid://shopify/OnlineStoreTheme/1", name: "Dawn", files: { nodes: themeFiles({ embed }) } }] },
    }),
    RecoveryPlaysInstallation: () => ({ currentAppInstallation: { id: "gid://shopify/AppInstallation/1" }, shop: { id: "gid://shopify/Shop/1" } }),
    RecoveryPlaysPublish: () => ({ metafieldsSet: { metafields: [], userErrors: [] } }),
  };
  await helpers.installShop(SHOP);
});

const args = (request: Request) => ({ request, params: {}, context: {} });
const post = (p: string, body: unknown) =>
  helpers.adminRequest(p, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

describe("Home setup guide", () => {
  it("GIVEN the theme embed off WHEN home loads THEN the embed step is not done and links to the editor with our embed", async () => {
    const { loader } = await import("./app._index");
    const data = await ((await loader(args(await helpers.adminRequest("/app")))) as Response).json();
    expect(data.onboarding.steps.embed).toBe(false);
    expect(data.onboarding.links.embed).toContain("activateAppId=");
  });

  it("GIVEN the merchant enabled the embed in the theme WHEN home loads again THEN the embed step is done", async () => {
    embed = true;
    const { loader } = await import("./app._index");
    const data = await ((await loader(args(await helpers.adminRequest("/app")))) as Response).json();
    expect(data.onboarding.steps.embed).toBe(true);
  });

  it("GIVEN a Plus shop WHEN home loads THEN the plan is read from the Admin API and stored on the shop", async () => {
    const { loader } = await import("./app._index");
    const data = await ((await loader(args(await helpers.adminRequest("/app")))) as Response).json();
    expect(data.onboarding.plan.shopifyPlus).toBe(true);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).currencyCode).toBe("EUR");
  });

  it("GIVEN the merchant marks the checkout step done WHEN home loads THEN that step is done", async () => {
    const { action, loader } = await import("./app._index");
    await action(args(await post("/app", { intent: "checkoutDone", done: true })));
    const data = await ((await loader(args(await helpers.adminRequest("/app")))) as Response).json();
    expect(data.onboarding.steps.checkout).toBe(true);
  });
});

describe("Analytics", () => {
  it("GIVEN no aggregates WHEN analytics loads THEN every play has zero eligible shoppers (empty state)", async () => {
    const { loader } = await import("./app.analytics");
    const data = await ((await loader(args(await helpers.adminRequest("/app/analytics?days=7")))) as Response).json();
    expect(data.days).toBe(7);
    expect(data.analytics.plays.every((p: { treatment: { eligible: number } }) => p.treatment.eligible === 0)).toBe(true);
  });

  it("GIVEN daily aggregates WHEN analytics loads THEN the funnel sums them per arm", async () => {
    const day = new Date().toISOString().slice(0, 10);
    await prisma.dailyPlayStat.createMany({
      data: [
        { shop: SHOP, day, play: "confidence", arm: "treatment", eligible: 900, shown: 850, engaged: 100, orders: 90, revenue: 9000 },
        { shop: SHOP, day, play: "confidence", arm: "holdout", eligible: 100, shown: 0, engaged: 0, orders: 5, revenue: 500 },
      ],
    });
    const { loader } = await import("./app.analytics");
    const data = await ((await loader(args(await helpers.adminRequest("/app/analytics")))) as Response).json();
    const c = data.analytics.plays.find((p: { play: string }) => p.play === "confidence");
    expect(c.treatment).toMatchObject({ eligible: 900, shown: 850, orders: 90 });
    expect(c.holdout).toMatchObject({ eligible: 100, orders: 5 });
    expect(c.lift.low).toBeLessThan(c.lift.estimate);
  });

  it("GIVEN a shop keyed in Los Angeles days WHEN 'last 7 days' loads THEN the range is 7 local days ending on the LA date, and says so", async () => {
    await prisma.shop.update({ where: { shop: SHOP }, data: { ianaTimezone: "America/Los_Angeles", statsZone: "America/Los_Angeles" } });
    try {
      const { loader } = await import("./app.analytics");
      const data = await ((await loader(args(await helpers.adminRequest("/app/analytics?days=7")))) as Response).json();
      const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles" }).format(new Date());
      const first = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
      expect(data.analytics.range).toEqual({ from: first, to: today, zone: "America/Los_Angeles" });
    } finally {
      await prisma.shop.update({ where: { shop: SHOP }, data: { ianaTimezone: null, statsZone: null } });
    }
  });

  it("GIVEN a CSV export request WHEN served THEN it is text/csv as an attachment", async () => {
    const { loader } = await import("./app.analytics.csv");
    const res = (await loader(args(await helpers.adminRequest("/app/analytics/csv?days=30")))) as Response;
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toContain("attachment");
  });
});

describe("Customers", () => {
  it("GIVEN a query that is neither an email nor an id WHEN looked up THEN 400 and no Admin call", async () => {
    const { loader } = await import("./app.customers");
    const res = (await loader(args(await helpers.adminRequest("/app/customers?q=%3Cscript%3E")))) as Response;
    expect(res.status).toBe(400);
    expect(stub.calls).toEqual([]);
  });

  it("GIVEN a stored profile WHEN looked up by numeric id THEN it is found with its order count and a Shopify-vocabulary segment", async () => {
    await prisma.customerProfile.create({
      data: { shop: SHOP, customerId: "1001", ordersCount: 7, netSpend: 700, aov: 100, rScore: 5, fScore: 5, mScore: 4, segment: "CHAMPIONS", stage: "loyalist", shopifyRfmGroup: "CHAMPIONS" },
    });
    const { loader } = await import("./app.customers");
    const data = await ((await loader(args(await helpers.adminRequest("/app/customers?q=1001")))) as Response).json();
    expect(data.result.kind).toBe("found");
    expect(data.result.customer).toMatchObject({ customerId: "1001", ordersCount: 7, shopifyRfmGroup: "CHAMPIONS" });
    expect(RFM_GROUPS).toContain(data.result.customer.segment);
  });
});

describe("Settings", () => {
  it("GIVEN a retention of 5 days WHEN saved THEN 422 and the stored retention is unchanged", async () => {
    const { action } = await import("./app.settings");
    const res = (await action(args(await post("/app/settings", { intent: "retention", retentionDays: 5 })))) as Response;
    expect(res.status).toBe(422);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).retentionDays).toBe(365);
  });

  it("GIVEN a retention of 90 days WHEN saved THEN it is stored", async () => {
    const { action } = await import("./app.settings");
    const res = (await action(args(await post("/app/settings", { intent: "retention", retentionDays: 90 })))) as Response;
    expect(res.status).toBe(200);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).retentionDays).toBe(90);
  });
});

describe("Layout", () => {
  it("GIVEN a failed publish whose backoff has passed WHEN any admin page loads THEN publishing is retried and succeeds", async () => {
    await prisma.publishedConfig.create({ data: { shop: SHOP, version: 3, payload: "{}", status: "failed", attempts: 1, lastError: "boom" } });
    await prisma.$executeRawUnsafe(`UPDATE "PublishedConfig" SET "updatedAt" = '2000-01-01T00:00:00.000Z'`).catch(() => undefined);
    await prisma.publishedConfig.update({ where: { shop: SHOP }, data: { updatedAt: new Date(Date.now() - 3_600_000) } });
    const { loader } = await import("./app");
    await loader(args(await helpers.adminRequest("/app")));
    expect(stub.calls.some((c) => c.operation === "RecoveryPlaysPublish")).toBe(true);
    expect((await prisma.publishedConfig.findUniqueOrThrow({ where: { shop: SHOP } })).status).toBe("published");
  });
});

describe("Copy", () => {
  it("GIVEN every admin page and component WHEN its literal t() keys are collected THEN each has English copy", () => {
    const dirs = [path.join(process.cwd(), "app/routes"), path.join(process.cwd(), "app/components")];
    const files = dirs.flatMap((d) => readdirSync(d).filter((f) => /^(app[.\w$]*|[A-Z]\w+|playCopy)\.tsx?$/.test(f) && !f.includes(".test.")).map((f) => path.join(d, f)));
    const keys = files.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\bt\("([a-zA-Z_.]+)"/g)].map((m) => m[1]));
    expect(keys.length).toBeGreaterThan(50);
    expect(keys.filter((k) => !hasMessage(k))).toEqual([]);
  });
});
