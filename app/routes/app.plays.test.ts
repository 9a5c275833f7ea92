// The Plays admin through its real HTTP edge: loaders/actions called with session tokens signed with the test
// secret (Shopify's test helpers), a session stored by PrismaSessionStorage, and Admin API calls answered by a
// local stub that validates every document against the pinned schema.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AdminStub } from "../../tests/helpers/adminStub";
import { startAdminStub, themeFiles } from "../../tests/helpers/adminStub";
import { defaultSettings } from "../lib/plays/defaults";
import type { PublishedPlaysConfig } from "../lib/plays/types";

let stub: AdminStub;
let prisma: typeof import("../db.server").default;
let helpers: typeof import("../../tests/helpers/shopify");
let playsRoute: typeof import("./app.plays._index");
let playRoute: typeof import("./app.plays.$play");
let publish: typeof import("../models/publish.server");

const SHOP = "test-shop.myshopify.com";
const INSTALLATION = "gid://shopify/AppInstallation/42";
const SHOP_GID = "gid://shopify/Shop/7";
let metafieldsFail = 0;
let discountSeq = 0;

function defaultHandlers() {
  return {
    RecoveryPlaysInstallation: () => ({ currentAppInstallation: { id: INSTALLATION }, shop: { id: SHOP_GID } }),
    RecoveryPlaysPublish: (v: Record<string, unknown>) => {
      if (metafieldsFail > 0) {
        metafieldsFail--;
        return { metafieldsSet: { metafields: null, userErrors: [{ field: ["metafields"], message: "Internal error, try again", code: "INTERNAL" }] } };
      }
      const m = (v.metafields as Record<string, string>[])[0];
      return { metafieldsSet: { metafields: [{ id: "gid://shopify/Metafield/1", key: m.key, namespace: m.namespace, updatedAt: new Date().toISOString() }], userErrors: [] } };
    },
    RecoveryPlaysOnboarding: () => ({
      shop: { myshopifyDomain: SHOP, currencyCode: "EUR", plan: { publicDisplayName: "Basic", shopifyPlus: false, partnerDevelopment: false } },
      themes: { nodes: [{ id: "gid://shopify/OnlineStoreTheme/1", name: "Dawn", files: { nodes: themeFiles({ embed: true, cartBlock: true }) } }] },
    }),
    // A shop where the bundle discount Function is not deployed (what Shopify has until it is): the basic code.
    RecoveryPlaysBundleAppCreate: () => ({ discountCodeAppCreate: { codeAppDiscount: null, userErrors: [{ field: ["codeAppDiscount", "functionHandle"], message: "Function not found." }] } }),
    RecoveryPlaysBundleKind: () => ({ discountNode: { discount: { __typename: "DiscountCodeBasic" } } }),
    RecoveryPlaysBundleCreate: () => ({ discountCodeBasicCreate: { codeDiscountNode: { id: `gid://shopify/DiscountCodeNode/${++discountSeq}` }, userErrors: [] } }),
    RecoveryPlaysBundleUpdate: (v: Record<string, unknown>) => ({ discountCodeBasicUpdate: { codeDiscountNode: { id: v.id }, userErrors: [] } }),
    RecoveryPlaysBundleActivate: (v: Record<string, unknown>) => ({ discountCodeActivate: { codeDiscountNode: { id: v.id }, userErrors: [] } }),
    RecoveryPlaysBundleDeactivate: (v: Record<string, unknown>) => ({ discountCodeDeactivate: { codeDiscountNode: { id: v.id }, userErrors: [] } }),
    RecoveryPlaysBundleRetireAutomatic: (v: Record<string, unknown>) => ({ discountAutomaticDeactivate: { automaticDiscountNode: { id: v.id }, userErrors: [] } }),
  };
}

beforeAll(async () => {
  stub = await startAdminStub();
  // shopify.server reads the origin when it is first imported, so the stub must exist before that import.
  process.env.SHOPIFY_ADMIN_API_ORIGIN = stub.origin;
  helpers = await import("../../tests/helpers/shopify");
  prisma = (await import("../db.server")).default;
  playsRoute = await import("./app.plays._index");
  playRoute = await import("./app.plays.$play");
  publish = await import("../models/publish.server");
});

afterAll(async () => {
  await stub.close();
});

beforeEach(async () => {
  await prisma.playConfig.deleteMany();
  await prisma.orderAttribution.deleteMany();
  await prisma.publishedConfig.deleteMany();
  await prisma.session.deleteMany();
  stub.calls.length = 0;
  stub.handlers = defaultHandlers();
  metafieldsFail = 0;
  await helpers.installShop(SHOP);
});

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

async function loadPlay(play: string) {
  const res = (await playRoute.loader(args(await helpers.adminRequest(`/app/plays/${play}`), { play }))) as Response;
  return (await res.json()) as { record: { version: number; settings: Record<string, unknown>; enabled: boolean }; bands: { version: number; bands: { low: number; high: number } } };
}

/** Posts what the page's Save posts (intent "save" unless the body names another). */
async function savePlay(play: string, body: Record<string, unknown>) {
  const request = await helpers.adminRequest(`/app/plays/${play}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ intent: "save", ...body }),
  });
  return (await playRoute.action(args(request, { play }))) as Response;
}

const storedRow = (play: string) => prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop: SHOP, play } } });
const publishedPayloads = () =>
  stub.calls.filter((c) => c.operation === "RecoveryPlaysPublish").map((c) => JSON.parse((c.variables.metafields as { value: string }[])[0].value) as PublishedPlaysConfig);

describe("Plays page", () => {
  it("GIVEN a freshly installed shop WHEN the Plays page loads THEN the four plays are listed and all are off", async () => {
    const deferred = (await playsRoute.loader(args(await helpers.adminRequest("/app/plays")))) as unknown as { data: { plays: { play: string; enabled: boolean }[] } };
    const data = deferred.data;
    expect(data.plays.map((p) => p.play)).toEqual(["confidence", "vip", "indecision", "deal_seeker"]);
    expect(data.plays.every((p) => !p.enabled)).toBe(true);
  });

  it("GIVEN the theme embed on and a non-Plus plan WHEN the Plays page loads THEN cart is live and checkout is not (plan)", async () => {
    const deferred = (await playsRoute.loader(args(await helpers.adminRequest("/app/plays")))) as unknown as { data: { liveness: Promise<Record<string, unknown>> } };
    const liveness = await deferred.data.liveness;
    expect(liveness.confidence).toEqual([
      { surface: "cart", live: true, reason: null, blockPlaced: true },
      { surface: "checkout", live: false, reason: "checkoutPlan", blockPlaced: false },
    ]);
  });

  it("GIVEN a request without a session token WHEN the Plays page loads THEN it is not served", async () => {
    const res = await playsRoute.loader(args(new Request(`${helpers.APP_URL}/app/plays`, { headers: { Accept: "application/json" } }))).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(Response);
    expect([200]).not.toContain((res as Response).status);
  });

  it("GIVEN a session token signed with another secret WHEN the Plays page loads THEN it answers 401", async () => {
    const request = await helpers.adminRequest("/app/plays", { secret: "not-the-app-secret" });
    const res = await playsRoute.loader(args(request)).catch((e: unknown) => e);
    expect((res as Response).status).toBe(401);
  });

  it("GIVEN play 1 off WHEN the merchant toggles it on THEN it is stored on and published with only that play", async () => {
    const { record } = await loadPlay("confidence");
    const request = await helpers.adminRequest("/app/plays", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ intent: "toggle", play: "confidence", enabled: true, version: record.version }),
    });
    const res = (await playsRoute.action(args(request))) as Response;
    expect(res.status).toBe(200);
    expect((await storedRow("confidence")).enabled).toBe(true);
    const [payload] = publishedPayloads();
    expect(Object.keys(payload.plays)).toEqual(["confidence"]);
  });
});

describe("Play settings: validation", () => {
  const cases: [string, string, (s: Record<string, unknown>) => Record<string, unknown>, string][] = [
    ["a negative threshold", "confidence", (s) => ({ ...s, policyViewsMoreThan: -1 }), "policyViewsMoreThan"],
    ["a holdout above 50 %", "vip", (s) => ({ ...s, holdoutPercent: 60 }), "holdoutPercent"],
    ["empty copy", "indecision", (s) => ({ ...s, message: { ...(s.message as object), body: "" } }), "message.body"],
    ["a discount above the cap", "deal_seeker", (s) => ({ ...s, discountPercent: 25, discountCapPercent: 20 }), "discountPercent"],
  ];

  it.each(cases)("GIVEN %s WHEN saved THEN 422 names the field and nothing stored or published changes", async (_name, play, mutate, field) => {
    const { record } = await loadPlay(play);
    const before = await storedRow(play);
    const res = await savePlay(play, { version: record.version, enabled: true, settings: mutate(record.settings) });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { fieldErrors: Record<string, { key: string }> };
    expect(Object.keys(body.fieldErrors)).toContain(field);
    const after = await storedRow(play);
    expect({ settings: after.settings, version: after.version, enabled: after.enabled }).toEqual({ settings: before.settings, version: before.version, enabled: before.enabled });
    expect(stub.calls.filter((c) => c.operation !== "RecoveryPlaysOnboarding")).toEqual([]);
  });

  it("GIVEN a body that is not JSON WHEN saved THEN 400 and nothing changes", async () => {
    const request = await helpers.adminRequest("/app/plays/vip", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{nope" });
    const res = await playRoute.action(args(request, { play: "vip" })).catch((e: unknown) => e);
    expect((res as Response).status).toBe(400);
  });

  it("GIVEN an unknown play WHEN its page loads THEN 404", async () => {
    const res = await playRoute.loader(args(await helpers.adminRequest("/app/plays/nope"), { play: "nope" })).catch((e: unknown) => e);
    expect((res as Response).status).toBe(404);
  });
});

describe("Play settings: concurrent edits", () => {
  it("GIVEN two tabs on the same version WHEN both save in turn THEN the second is refused with 409 and the first update survives", async () => {
    const tabA = await loadPlay("confidence");
    const tabB = await loadPlay("confidence");
    const msg = tabA.record.settings.message as Record<string, string>;
    const a = await savePlay("confidence", { version: tabA.record.version, settings: { ...tabA.record.settings, message: { ...msg, heading: "From tab A" } } });
    const b = await savePlay("confidence", { version: tabB.record.version, settings: { ...tabB.record.settings, message: { ...msg, body: "From tab B" } } });
    expect([a.status, b.status]).toEqual([200, 409]);
    const stored = JSON.parse((await storedRow("confidence")).settings) as { message: { heading: string; body: string } };
    expect(stored.message).toMatchObject({ heading: "From tab A", body: defaultSettings("confidence").message.body });
  });

  it("GIVEN two tabs on the same version WHEN they save at the same moment THEN exactly one wins and the stored version moved by one", async () => {
    const { record } = await loadPlay("vip");
    const results = await Promise.all(
      [30, 60].map((stallSeconds) => savePlay("vip", { version: record.version, settings: { ...record.settings, stallSeconds } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const row = await storedRow("vip");
    expect(row.version).toBe(record.version + 1);
    const winner = results[0].status === 200 ? 30 : 60;
    expect((JSON.parse(row.settings) as { stallSeconds: number }).stallSeconds).toBe(winner);
  });
});

describe("Publishing to the app metafield", () => {
  it("GIVEN play 1 turned on with a custom message WHEN saved THEN one metafieldsSet writes $app:recovery_plays.config (json) on the installation and the shop with only that play", async () => {
    const { record } = await loadPlay("confidence");
    const msg = record.settings.message as Record<string, string>;
    const res = await savePlay("confidence", { version: record.version, enabled: true, settings: { ...record.settings, message: { ...msg, heading: "Returns are on us" } } });
    expect(res.status).toBe(200);
    const sets = stub.calls.filter((c) => c.operation === "RecoveryPlaysPublish");
    expect(sets).toHaveLength(1);
    const [metafield, forCheckout] = sets[0].variables.metafields as Record<string, string>[];
    expect(metafield).toMatchObject({ ownerId: INSTALLATION, namespace: "$app:recovery_plays", key: "config", type: "json" });
    // Checkout UI extensions read app-owned metafields on the shop, not on the installation.
    expect(forCheckout).toMatchObject({ ownerId: SHOP_GID, namespace: "$app:recovery_plays", key: "config", value: metafield.value });
    const payload = JSON.parse(metafield.value) as PublishedPlaysConfig;
    expect(Object.keys(payload.plays)).toEqual(["confidence"]);
    expect(payload.plays.confidence?.message.heading).toBe("Returns are on us");
  });

  it("GIVEN a published play WHEN it is turned off THEN the next snapshot has no plays and a higher version", async () => {
    let { record } = await loadPlay("indecision");
    await savePlay("indecision", { version: record.version, enabled: true });
    ({ record } = await loadPlay("indecision"));
    await savePlay("indecision", { version: record.version, enabled: false });
    const [on, off] = publishedPayloads();
    expect(Object.keys(on.plays)).toEqual(["indecision"]);
    expect(off.plays).toEqual({});
    expect(off.version).toBe(on.version + 1);
  });

  it("GIVEN Shopify refuses the metafield once WHEN saved THEN the state is failed with one attempt, and the retry publishes the same version", async () => {
    metafieldsFail = 1;
    const { record } = await loadPlay("vip");
    const res = await savePlay("vip", { version: record.version, enabled: true });
    expect(res.status).toBe(200);
    const failed = await publish.publishState(SHOP);
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    const later = new Date(Date.now() + publish.retryDelayMs(1) + 1000);
    const admin = { graphql: async (q: string, o?: { variables?: Record<string, unknown> }) => fetch(`${stub.origin}/admin/api/2026-07/graphql.json`, { method: "POST", body: JSON.stringify({ query: q, variables: o?.variables }) }) };
    const retried = await publish.retryPublishIfDue(SHOP, admin, later);
    expect(retried).toMatchObject({ status: "published", version: failed!.version, attempts: 0 });
    const payloads = publishedPayloads();
    expect(payloads.at(-1)!.version).toBe(failed!.version);
  });

  it("GIVEN a failed publish inside its backoff window WHEN a page loads THEN it is not retried yet", async () => {
    metafieldsFail = 1;
    const { record } = await loadPlay("vip");
    await savePlay("vip", { version: record.version, enabled: true });
    const before = stub.calls.length;
    const admin = { graphql: async () => new Response("{}") };
    const state = await publish.retryPublishIfDue(SHOP, admin, new Date());
    expect(state?.status).toBe("failed");
    expect(stub.calls.length).toBe(before);
  });
});

describe("Deal-Seeker bundle discount", () => {
  it("GIVEN the Deal-Seeker play WHEN turned on at 10 % THEN a code discount of 0.10 on 2+ items is created; its title is published, its code is not", async () => {
    const { record } = await loadPlay("deal_seeker");
    const res = await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings });
    expect(res.status).toBe(200);
    const create = stub.calls.find((c) => c.operation === "RecoveryPlaysBundleCreate")!;
    expect(create.variables.discount).toMatchObject({
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
      minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "2" } },
      context: { all: "ALL" },
    });
    const code = (create.variables.discount as { code: string }).code;
    expect(code).toMatch(/^BUNDLE-[A-HJ-NP-Z2-9]{10}$/);
    const row = await storedRow("deal_seeker");
    expect(row.discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\//);
    expect(row.discountCode).toBe(code);
    expect(publishedPayloads().at(-1)!.shop.bundleDiscountTitle).toBe("Bundle & Save 10%");
    expect(JSON.stringify(publishedPayloads().at(-1))).not.toContain(code);
  });

  it("GIVEN the bundle at 0 % WHEN the play is turned on THEN no discount is created and no saving is published; raising it later creates one", async () => {
    let { record } = await loadPlay("deal_seeker");
    await savePlay("deal_seeker", { version: record.version, enabled: true, settings: { ...record.settings, discountPercent: 0 } });
    expect(stub.calls.filter((c) => c.operation === "RecoveryPlaysBundleCreate")).toHaveLength(0);
    expect(publishedPayloads().at(-1)!.shop.bundleDiscountTitle).toBeUndefined();
    ({ record } = await loadPlay("deal_seeker"));
    await savePlay("deal_seeker", { version: record.version, enabled: true, settings: { ...record.settings, discountPercent: 5 } });
    expect(stub.calls.filter((c) => c.operation === "RecoveryPlaysBundleCreate")).toHaveLength(1);
    expect(publishedPayloads().at(-1)!.shop.bundleDiscountTitle).toBe("Bundle & Save 5%");
  });

  it("GIVEN a shop with the earlier automatic bundle discount WHEN the play is saved THEN the automatic one is paused and a code discount replaces it", async () => {
    const { record } = await loadPlay("deal_seeker");
    await prisma.playConfig.update({ where: { shop_play: { shop: SHOP, play: "deal_seeker" } }, data: { discountId: "gid://shopify/DiscountAutomaticNode/77" } });
    const res = await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings });
    expect(res.status).toBe(200);
    expect(stub.calls.find((c) => c.operation === "RecoveryPlaysBundleRetireAutomatic")!.variables.id).toBe("gid://shopify/DiscountAutomaticNode/77");
    expect((await storedRow("deal_seeker")).discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\//);
  });

  it("GIVEN an existing bundle discount WHEN the percentage changes and the play is turned off THEN it is updated and paused, not recreated", async () => {
    let { record } = await loadPlay("deal_seeker");
    await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings });
    ({ record } = await loadPlay("deal_seeker"));
    await savePlay("deal_seeker", { version: record.version, enabled: false, settings: { ...record.settings, discountPercent: 12 } });
    expect(stub.calls.filter((c) => c.operation === "RecoveryPlaysBundleCreate")).toHaveLength(1);
    const update = stub.calls.find((c) => c.operation === "RecoveryPlaysBundleUpdate")!;
    expect((update.variables.discount as { customerGets: { value: { percentage: number } } }).customerGets.value.percentage).toBeCloseTo(0.12, 10);
    expect(stub.calls.some((c) => c.operation === "RecoveryPlaysBundleDeactivate")).toBe(true);
  });

  it("GIVEN the first drawn code is taken in the shop WHEN the discount is created THEN one fresh code is drawn and that one is stored", async () => {
    let calls = 0;
    stub.handlers.RecoveryPlaysBundleCreate = () =>
      ++calls === 1
        ? { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [{ field: ["basicCodeDiscount", "code"], message: "Code must be unique.", code: "TAKEN" }] } }
        : { discountCodeBasicCreate: { codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/77" }, userErrors: [] } };
    const { record } = await loadPlay("deal_seeker");
    expect((await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings })).status).toBe(200);
    const creates = stub.calls.filter((c) => c.operation === "RecoveryPlaysBundleCreate").map((c) => (c.variables.discount as { code: string }).code);
    expect(creates).toHaveLength(2);
    expect(creates[1]).not.toBe(creates[0]);
    expect(await storedRow("deal_seeker")).toMatchObject({ discountId: "gid://shopify/DiscountCodeNode/77", discountCode: creates[1] });
  });

  it("GIVEN the merchant deleted the bundle discount in Shopify WHEN the play is saved again THEN a new discount is created and stored", async () => {
    let { record } = await loadPlay("deal_seeker");
    await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings });
    const first = (await storedRow("deal_seeker")).discountId;
    stub.handlers.RecoveryPlaysBundleUpdate = () => ({ discountCodeBasicUpdate: { codeDiscountNode: null, userErrors: [{ field: ["id"], message: "Discount does not exist" }] } });
    ({ record } = await loadPlay("deal_seeker"));
    const res = await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings });
    expect(res.status).toBe(200);
    const second = (await storedRow("deal_seeker")).discountId;
    expect(second).not.toBe(first);
    expect(stub.calls.filter((c) => c.operation === "RecoveryPlaysBundleCreate")).toHaveLength(2);
  });

  describe("bundle code leaks", () => {
    beforeEach(async () => {
      await prisma.bundleCode.deleteMany();
    });
    // A recorded code use by an order that was not the code holder's (what orders/create stores).
    const leakedOrder = (orderId: string, visitorId: string | null) =>
      prisma.bundleCode.create({
        data: { shop: SHOP, code: `RP-LEAK${orderId}`, discountId: "gid://shopify/DiscountCodeNode/1", state: "used", visitorId: "visitor-holder", orderId, orderVisitorId: visitorId, amount: 8, leaked: true, usedAt: new Date() },
      });

    async function enableBundle() {
      const { record } = await loadPlay("deal_seeker");
      await savePlay("deal_seeker", { version: record.version, enabled: true, settings: record.settings });
      return storedRow("deal_seeker");
    }

    it("GIVEN the shop's bundle discount WHEN the Deal-Seeker page loads THEN it says whether a code covers the bundle only or the whole cart, as Shopify reports the discount", async () => {
      await enableBundle();
      const scope = async () => ((await loadPlay("deal_seeker")) as unknown as { discountScope: string | null }).discountScope;
      expect(await scope()).toBe("whole_cart");
      stub.handlers.RecoveryPlaysBundleKind = () => ({ discountNode: { discount: { __typename: "DiscountCodeApp" } } });
      expect(await scope()).toBe("bundle_lines");
      stub.handlers.RecoveryPlaysBundleKind = () => {
        throw new Error("Shopify is down");
      };
      expect(await scope()).toBeNull();
    });

    it("GIVEN bundle-code orders from shoppers never offered it WHEN the Deal-Seeker page loads THEN it reports them since the code was created", async () => {
      const before = await enableBundle();
      expect(before.discountCodeAt).not.toBeNull();
      await leakedOrder("9001", "visitor-stranger");
      await leakedOrder("9002", null);
      const data = (await loadPlay("deal_seeker")) as unknown as { codeLeaks: { since: string; discountedOrders: number; leakedOrders: number; leakedDiscount: number } };
      expect(data.codeLeaks).toEqual({ since: before.discountCodeAt!.toISOString(), discountedOrders: 2, leakedOrders: 2, leakedDiscount: 16 });
    });

    it("GIVEN a leaked code WHEN the merchant replaces it THEN the old discount is paused, a new code is stored, and the report starts again at zero", async () => {
      const before = await enableBundle();
      await leakedOrder("9001", "visitor-stranger");
      const request = await helpers.adminRequest("/app/plays/deal_seeker", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "replaceCode" }) });
      const res = (await playRoute.action(args(request, { play: "deal_seeker" }))) as Response;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, intent: "replaceCode", active: true });
      expect(stub.calls.find((c) => c.operation === "RecoveryPlaysBundleDeactivate")!.variables.id).toBe(before.discountId);
      const after = await storedRow("deal_seeker");
      expect(after.discountId).not.toBe(before.discountId);
      expect(after.discountCode).toMatch(/^BUNDLE-/);
      expect(after.discountCode).not.toBe(before.discountCode);
      const data = (await loadPlay("deal_seeker")) as unknown as { codeLeaks: { leakedOrders: number } };
      expect(data.codeLeaks.leakedOrders).toBe(0);
    });

    it("GIVEN Shopify refuses the new code WHEN the merchant replaces it THEN 502 with the reason", async () => {
      await enableBundle();
      stub.handlers.RecoveryPlaysBundleCreate = () => ({ discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [{ field: ["basicCodeDiscount"], message: "Internal error", code: "INTERNAL_ERROR" }] } });
      const request = await helpers.adminRequest("/app/plays/deal_seeker", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "replaceCode" }) });
      const res = (await playRoute.action(args(request, { play: "deal_seeker" }))) as Response;
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ ok: false, error: "playPage.codeReplaceFailed", detail: expect.stringContaining("Internal error") });
    });

    it("GIVEN no bundle code yet, or another play WHEN a replace is asked for THEN 409 / 400 and nothing is called", async () => {
      const post = async (play: string) =>
        (await playRoute.action(args(await helpers.adminRequest(`/app/plays/${play}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "replaceCode" }) }), { play }))) as Response;
      expect((await post("deal_seeker")).status).toBe(409);
      expect((await post("vip")).status).toBe(400);
      expect(stub.calls.filter((c) => c.operation.startsWith("RecoveryPlaysBundle"))).toHaveLength(0);
    });
  });
});
