// The Shopify profile page through its real HTTP edge (signed session token, Admin calls to the schema-validating
// stub): a publish Shopify refuses for lack of bulk-mutation access gives the merchant the fix, now and on reload.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAdminStub, type AdminStub } from "../../tests/helpers/adminStub";
import { createTranslator, hasMessage } from "../locales/i18n";

let stub: AdminStub;
let upload: Server;
let uploadUrl: string;
let uploads = 0;
let prisma: typeof import("../db.server").default;
let helpers: typeof import("../../tests/helpers/shopify");
let stored: string | null = null;
const SHOP = "test-shop.myshopify.com";

beforeAll(async () => {
  stub = await startAdminStub();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stub.origin;
  upload = createServer((req, res) => {
    uploads++;
    req.resume();
    req.on("end", () => res.writeHead(201).end());
  });
  await new Promise<void>((r) => upload.listen(0, "127.0.0.1", r));
  uploadUrl = `http://127.0.0.1:${(upload.address() as AddressInfo).port}/`;
  helpers = await import("../../tests/helpers/shopify");
  prisma = (await import("../db.server")).default;
});
afterAll(async () => {
  stub.close();
  await new Promise<void>((r) => upload.close(() => r()));
});
beforeEach(async () => {
  await prisma.session.deleteMany();
  await prisma.customerProfile.deleteMany();
  stored = null;
  uploads = 0;
  stub.handlers = {
    ProfileDefinitionCreate: () => ({ metafieldDefinitionCreate: { createdDefinition: { id: "gid://shopify/MetafieldDefinition/1", key: "k" }, userErrors: [] } }),
    ProfileStagedUpload: () => ({ stagedUploadsCreate: { stagedTargets: [{ url: uploadUrl, resourceUrl: uploadUrl, parameters: [{ name: "key", value: "tmp/1/bulk/x/profiles.jsonl" }] }], userErrors: [] } }),
    ProfileBulkWrite: () => new Error("Access denied for bulkOperationRunMutation field. Bulk mutations are not enabled for this app."),
    ProfileOutSettings: () => ({ currentAppInstallation: { id: "gid://shopify/AppInstallation/1", metafield: stored === null ? null : { value: stored } } }),
    ProfileMetafieldsSet: (v) => {
      stored = ((v.metafields as { value: string }[])[0]!).value;
      return { metafieldsSet: { metafields: [{ key: "profile_out" }], userErrors: [] } };
    },
  };
  await helpers.installShop(SHOP);
  await prisma.customerProfile.create({ data: { shop: SHOP, customerId: "7", ordersCount: 5, aov: 80, segment: "CHAMPIONS", stage: "loyalist", lastOrderAt: new Date() } });
});

const args = (request: Request) => ({ request, params: {}, context: {} });

describe("Shopify profile page", () => {
  it("GIVEN bulk mutations not enabled for the app WHEN the merchant publishes THEN 409 with the Partner Dashboard fix, and the page shows it after a reload", async () => {
    const route = await import("./app.profile-out");
    const res = (await route.action(args(await helpers.adminRequest("/app/profile-out", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "publish" }) })))) as Response;
    expect(res.status).toBe(409);
    const body = (await res.json()) as { ok: boolean; error: string };
    expect(body).toMatchObject({ ok: false, error: "profileOut.reasons.bulk_mutation_access" });
    expect(hasMessage(body.error)).toBe(true);
    expect(createTranslator("en")(body.error)).toMatch(/Allow bulk mutations/);
    expect(uploads).toBe(1);
    const page = (await route.loader(args(await helpers.adminRequest("/app/profile-out")))) as Response;
    const data = (await page.json()) as { last: { status: string; reason: string } | null; profiles: number };
    expect(data.last).toMatchObject({ status: "failed", reason: "bulk_mutation_access" });
    expect(data.profiles).toBe(1);
  });

  it("GIVEN the app lacks the pixel scopes WHEN the merchant turns on the checkout pixel THEN 403 with what to approve", async () => {
    stub.handlers.ProfilePixelCreate = () => new Error("Access denied for webPixelCreate field. Required access: `write_pixels` access scope.");
    const route = await import("./app.profile-out");
    const res = (await route.action(args(await helpers.adminRequest("/app/profile-out", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "pixel" }) })))) as Response;
    expect(res.status).toBe(403);
    const body = (await res.json()) as { ok: boolean; error: string };
    expect(body).toMatchObject({ ok: false, error: "profileOut.pixel.denied" });
    expect(createTranslator("en")(body.error)).toMatch(/write_pixels and read_customer_events/);
  });

  it("GIVEN the scopes WHEN the merchant turns on the checkout pixel THEN its settings point at the app's pixel endpoint with the shop's key", async () => {
    let settings: Record<string, string> = {};
    stub.handlers.ProfilePixelCreate = (v) => {
      settings = JSON.parse((v.webPixel as { settings: string }).settings);
      return { webPixelCreate: { webPixel: { id: "gid://shopify/WebPixel/1", settings: "{}" }, userErrors: [] } };
    };
    const route = await import("./app.profile-out");
    const res = (await route.action(args(await helpers.adminRequest("/app/profile-out", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "pixel" }) })))) as Response;
    expect(res.status).toBe(200);
    const { pixelKey } = await import("../models/profileOutCheckout.server");
    expect(settings).toEqual({ endpoint: expect.stringMatching(/\/api\/pixel\/events$/), shopKey: pixelKey(SHOP) });
  });

  it("GIVEN an unknown intent WHEN posted THEN 400 and no Admin call", async () => {
    const route = await import("./app.profile-out");
    stub.calls.length = 0;
    const res = (await route.action(args(await helpers.adminRequest("/app/profile-out", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "segment", segment: "everyone" }) })))) as Response;
    expect(res.status).toBe(400);
    expect(stub.calls).toEqual([]);
  });
});
