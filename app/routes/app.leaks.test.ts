// Leak finder page, CSV and "turn on" through their real HTTP edge (signed session tokens, Admin calls to a
// schema-validating local stub).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAdminStub, type AdminStub } from "../../tests/helpers/adminStub";

let stub: AdminStub;
let prisma: typeof import("../db.server").default;
let helpers: typeof import("../../tests/helpers/shopify");
const SHOP = "leak-shop.myshopify.com";
const OTHER = "leak-other.myshopify.com";

beforeAll(async () => {
  stub = await startAdminStub();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stub.origin;
  helpers = await import("../../tests/helpers/shopify");
  prisma = (await import("../db.server")).default;
});
afterAll(() => stub.close());
beforeEach(async () => {
  stub.handlers = {
    RecoveryPlaysInstallation: () => ({ currentAppInstallation: { id: "gid://shopify/AppInstallation/1" }, shop: { id: "gid://shopify/Shop/1" } }),
    RecoveryPlaysPublish: () => ({ metafieldsSet: { metafields: [], userErrors: [] } }),
  };
  await helpers.installShop(SHOP);
});

const args = (request: Request) => ({ request, params: {}, context: {} });
const today = () => new Date().toISOString().slice(0, 10);

/** 30 carts of /products/mug abandoned after 3 policy views, stored as aggregates the leak job writes. */
async function seed(shop = SHOP) {
  await prisma.leakFunnelDay.upsert({
    where: { shop_day: { shop, day: today() } },
    create: { shop, day: today(), visits: 100, productViews: 60, adds: 40, carts: 35, checkouts: 12, orders: 10, bounces: 30, abandonedCarts: 30 },
    update: {},
  });
  await prisma.leakPathDay.createMany({
    data: [
      { shop, day: today(), kind: "product", path: "/products/mug", pageType: "product", views: 60, exits: 40, abandoned: 30, policy: 24 },
      { shop, day: today(), kind: "page", path: "/", pageType: "home", views: 100, exits: 25 },
    ],
  });
}

describe("leak finder page", () => {
  it("GIVEN stored aggregates WHEN the page loads THEN the product losing most carts ranks first with the confidence play off", async () => {
    await seed();
    const { loader } = await import("./app.leaks");
    const data = await ((await loader(args(await helpers.adminRequest("/app/leaks?days=7", { shop: SHOP })))) as Response).json();
    expect(data.range.days).toBe(7);
    expect(data.report.funnel.visits).toBe(100);
    expect(data.report.leaks[0]).toMatchObject({ kind: "product", path: "/products/mug", count: 30, sample: 40, play: "confidence" });
    expect(data.report.plays.find((p: { play: string }) => p.play === "confidence").enabled).toBe(false);
    expect(data.report.rates.cartAbandonment.estimate).toBeCloseTo(30 / 40, 10);
    expect(data.report.marginPercent).toBe(50);
  });

  it("GIVEN another shop's aggregates WHEN this shop's page loads THEN it sees none of them", async () => {
    await prisma.leakFunnelDay.deleteMany({ where: { shop: SHOP } });
    await prisma.leakPathDay.deleteMany({ where: { shop: SHOP } });
    await seed(OTHER);
    const { loader } = await import("./app.leaks");
    const data = await ((await loader(args(await helpers.adminRequest("/app/leaks", { shop: SHOP })))) as Response).json();
    expect(data.report.funnel.visits).toBe(0);
    expect(data.report.leaks).toEqual([]);
  });

  it("GIVEN a leak WHEN its play is turned on from the page THEN the play is enabled", async () => {
    const { action } = await import("./app.leaks");
    const play = await prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop: SHOP, play: "confidence" } } });
    const res = (await action(args(await helpers.adminRequest("/app/leaks", {
      shop: SHOP, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "turnOn", play: "confidence", version: play.version }),
    })))) as Response;
    expect(res.status).toBe(200);
    expect((await prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop: SHOP, play: "confidence" } } })).enabled).toBe(true);
  });

  it("GIVEN an unknown play WHEN turned on THEN the answer is 400", async () => {
    const { action } = await import("./app.leaks");
    const res = (await action(args(await helpers.adminRequest("/app/leaks", {
      shop: SHOP, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "turnOn", play: "nope", version: 1 }),
    })))) as Response;
    expect(res.status).toBe(400);
  });

  it("GIVEN stored aggregates WHEN the CSV is exported THEN it lists the leaks with sample sizes", async () => {
    await prisma.leakPathDay.deleteMany({ where: { shop: SHOP } });
    await seed();
    const { loader } = await import("./app.leaks.csv");
    const res = (await loader(args(await helpers.adminRequest("/app/leaks/csv?days=30", { shop: SHOP })))) as Response;
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("kind,path,lost,sample,rate,rate_low_95,rate_high_95,signal,play");
    expect(lines[1].startsWith("product,/products/mug,30,40,0.7500,")).toBe(true);
  });

  it("GIVEN a margin of 35 % WHEN saved THEN the page's profit uses it", async () => {
    const { action, loader } = await import("./app.leaks");
    const post = async (marginPercent: unknown) => (await action(args(await helpers.adminRequest("/app/leaks", {
      shop: SHOP, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "margin", marginPercent }),
    })))) as Response;
    expect((await post(35)).status).toBe(200);
    const data = await ((await loader(args(await helpers.adminRequest("/app/leaks", { shop: SHOP })))) as Response).json();
    expect(data.report.marginPercent).toBe(35);
  });

  it("GIVEN a margin outside 0–100 WHEN saved THEN the answer is 422 and the margin is unchanged", async () => {
    const { action } = await import("./app.leaks");
    const before = (await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).marginPercent;
    const res = (await action(args(await helpers.adminRequest("/app/leaks", {
      shop: SHOP, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "margin", marginPercent: 150 }),
    })))) as Response;
    expect(res.status).toBe(422);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).marginPercent).toBe(before);
  });
});
