// The profile published into Shopify, against the dev store: definitions, one bulk mutation (and what refuses
// it), tags that leave others alone, ready-made segments, the Flow trigger and erasure on redact.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin, merchantAdmin } from "../../tests/helpers/devstore";
import { profileOutState, setBulkMutations } from "../../devstore/admin/profileOut";
import { PROFILE_FIELDS } from "../lib/profile-out/fields";
import {
  createReadySegment,
  ensureProfileDefinitions,
  fireHesitations,
  historyChunks,
  historyLines,
  redactCustomerProfile,
  saveSettings,
  syncCustomerTags,
  writeBackProfiles,
} from "./profileOut.server";
import prisma from "../db.server";
import { historyLine } from "../lib/profile-out/encode";
import { liveStage } from "./profiles.server";
import { customerPropensity } from "./propensity.server";
import { getBands } from "./plays.server";
import { bandOf } from "../lib/decisions/engine";

const API_KEY = "profile-out-key";
const API_SECRET = "profile-out-secret";
let store: DevStore;
let admin: Awaited<ReturnType<typeof devStoreAdmin>>;
let shop: string;
let ids: string[];

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 11, size: "test", quiet: true, webhookRetries: 0 });
  admin = await devStoreAdmin(store, API_KEY, API_SECRET);
  shop = store.shopDomain;
  ids = store.state.customers.slice(0, 4).map((c) => c.id);
  await ensureProfileDefinitions(admin);
});
afterAll(() => store.stop());

beforeEach(async () => {
  await prisma.customerProfile.deleteMany({ where: { shop } });
  await prisma.event.deleteMany({ where: { shop } });
  setBulkMutations(store.env, true);
  store.setFaults({ bulkChunkDelayMs: 0 });
});

const profile = (customerId: string, segment: string, extra: Record<string, unknown> = {}) =>
  prisma.customerProfile.create({
    data: { shop, customerId, ordersCount: 6, grossSpend: 900, netSpend: 900, aov: 150, lastOrderAt: new Date(), segment, stage: "loyalist", ...extra },
  });

async function bulkDone(id: string) {
  for (let i = 0; i < 200; i++) {
    const op = store.env.bulkOps.find((b) => `gid://shopify/BulkOperation/${b.id}` === id);
    if (op && op.status !== "CREATED" && op.status !== "RUNNING") return op;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("bulk mutation did not finish");
}

const customerPage = async (id: string) => (await fetch(`${store.url}/admin/customers/${id}`)).text();

describe("metafield definitions", () => {
  it("GIVEN the definitions exist WHEN the app upgrades and ensures them again THEN each is updated, none duplicated", async () => {
    const again = await ensureProfileDefinitions(admin);
    expect(again.created).toEqual([]);
    expect(again.updated.sort()).toEqual(PROFILE_FIELDS.map((f) => f.key).sort());
    expect(profileOutState(store.env).definitions.filter((d) => d.ownerType === "CUSTOMER")).toHaveLength(PROFILE_FIELDS.length);
    expect(profileOutState(store.env).definitions.every((d) => d.access.admin === "MERCHANT_READ" && d.namespace === "app--4000000001--recovery_plays")).toBe(true);
  });
});

describe("bulk write-back", () => {
  it("GIVEN synced profiles WHEN written back THEN one bulk mutation runs and the admin customer page shows the Champion's stage and RFM group", async () => {
    await profile(ids[0]!, "CHAMPIONS");
    await profile(ids[1]!, "AT_RISK", { lastOrderAt: new Date(Date.now() - 200 * 86_400_000), stage: "lapsed" });
    const before = store.env.bulkOps.filter((b) => b.type === "MUTATION").length;
    const r = await writeBackProfiles(shop, admin);
    expect(r.status).toBe("started");
    if (r.status !== "started") return;
    expect(r.customers).toBe(2);
    expect(store.env.bulkOps.filter((b) => b.type === "MUTATION")).toHaveLength(before + 1);
    const op = await bulkDone(r.bulkOperationId);
    expect(op.status).toBe("COMPLETED");
    const html = await customerPage(ids[0]!);
    expect(html).toContain("Recovery Plays: lifecycle stage");
    expect(html).toMatch(/<dd data-key="stage">loyalist<\/dd>/);
    expect(html).toMatch(/<dd data-key="rfm_group">CHAMPIONS<\/dd>/);
    expect(html).toMatch(/<dd data-key="aov">150\.00<\/dd>/);
  });

  it("GIVEN profiles of every recency WHEN history lines stream through the database driver THEN they equal the lines built from Prisma's rows, customers without orders left out", async () => {
    await profile(ids[0]!, "CHAMPIONS");
    await profile(ids[1]!, "AT_RISK", { lastOrderAt: new Date(Date.now() - 200 * 86_400_000), stage: "lapsed" });
    await profile(ids[2]!, "PROSPECTS", { ordersCount: 0, lastOrderAt: null, aov: 0 });
    const now = Date.now();
    const got: string[] = [];
    for await (const l of historyLines(shop, 1, undefined, now)) got.push(l);
    const rows = await prisma.customerProfile.findMany({ where: { shop, ordersCount: { gt: 0 } }, orderBy: { customerId: "asc" } });
    expect(got).toEqual(rows.map((r) => historyLine({ customerId: r.customerId, stage: liveStage(r, now), segment: r.segment, aov: r.aov })));
    expect(got).toHaveLength(2);
    let chunked = "";
    for await (const c of historyChunks(shop, 1, undefined, now)) chunked += c.text;
    expect(chunked).toBe(got.map((l) => `${l}\n`).join(""));
  });

  it("GIVEN bulk mutations not enabled for the app WHEN the write-back starts THEN it fails with the typed reason bulk_mutation_access", async () => {
    await profile(ids[0]!, "CHAMPIONS");
    setBulkMutations(store.env, false);
    const r = await writeBackProfiles(shop, admin);
    expect(r).toMatchObject({ status: "failed", reason: "bulk_mutation_access" });
  });

  it("GIVEN a bulk mutation still running for the shop WHEN a second write-back starts THEN Shopify's one-at-a-time limit comes back as bulk_mutation_in_progress", async () => {
    await profile(ids[0]!, "CHAMPIONS");
    store.setFaults({ bulkChunkDelayMs: 400 });
    const lines = async function* () { for (let i = 0; i < 300; i++) yield `{"metafields":[]}`; };
    const first = await writeBackProfiles(shop, admin, {}, lines());
    expect(first.status).toBe("started");
    const second = await writeBackProfiles(shop, admin);
    expect(second).toMatchObject({ status: "failed", reason: "bulk_mutation_in_progress" });
    store.setFaults({ bulkChunkDelayMs: 0 });
    if (first.status === "started") await bulkDone(first.bulkOperationId);
  });
});

describe("customer tags", () => {
  it("GIVEN a Champion with a merchant's own tag WHEN tags sync, then the customer stops being a Champion THEN rp:champion is added then removed and the merchant's tag stays", async () => {
    const merchant = merchantAdmin(store, "write_customers");
    const gid = `gid://shopify/Customer/${ids[2]}`;
    await merchant.graphql(`mutation($id: ID!) { tagsAdd(id: $id, tags: ["wholesale", "RP:other"]) { userErrors { message } } }`, { variables: { id: gid } });
    await profile(ids[2]!, "CHAMPIONS");
    expect(await syncCustomerTags(shop, admin, ids[2]!)).toEqual({ add: ["rp:champion"], remove: [] });
    expect(profileOutState(store.env).tags.get(ids[2]!)).toEqual(["wholesale", "RP:other", "rp:champion"]);
    await prisma.customerProfile.update({ where: { shop_customerId: { shop, customerId: ids[2]! } }, data: { segment: "LOYAL" } });
    expect(await syncCustomerTags(shop, admin, ids[2]!)).toEqual({ add: [], remove: ["rp:champion"] });
    expect(profileOutState(store.env).tags.get(ids[2]!)).toEqual(["wholesale", "RP:other"]);
  });
});

describe("ready-made segments", () => {
  it("GIVEN the definitions WHEN the merchant creates Champions THEN Shopify holds a segment filtering on the app's rfm_group metafield", async () => {
    const r = await createReadySegment(admin, "champions", "Champions");
    expect(r).toMatchObject({ ok: true, name: "Champions" });
    expect(profileOutState(store.env).segments.find((s) => s.name === "Champions")?.query).toBe("metafields.app--4000000001--recovery_plays.rfm_group = 'CHAMPIONS'");
  });

  it("GIVEN a query on a metafield without a definition WHEN segmentCreate runs THEN Shopify's userErrors shape names the query and nothing is created", async () => {
    const count = profileOutState(store.env).segments.length;
    const res = await admin.graphql(`mutation($n: String!, $q: String!) { segmentCreate(name: $n, query: $q) { segment { id } userErrors { field message } } }`, {
      variables: { n: "Broken", q: "metafields.app--4000000001--recovery_plays.nope = 'x'" },
    });
    const body = (await res.json()) as any;
    expect(body.data.segmentCreate.segment).toBeNull();
    expect(body.data.segmentCreate.userErrors).toEqual([{ field: ["query"], message: expect.stringMatching(/^Line 1 Column 1: .*cannot be found/) }]);
    expect(profileOutState(store.env).segments).toHaveLength(count);
  });
});

describe("Shopper hesitated Flow trigger", () => {
  it("GIVEN a known treated and a known holdout customer who hesitated and left WHEN the scan runs twice THEN one trigger each, the holdout one marked, none repeated", async () => {
    const at = new Date(Date.now() - 60 * 60_000);
    await profile(ids[0]!, "CHAMPIONS");
    await prisma.event.createMany({
      data: [
        { shop, visitorId: "v1", customerId: ids[0]!, type: "add_to_cart", value: 450, occurredAt: new Date(at.getTime() - 1000) },
        { shop, visitorId: "v1", customerId: ids[0]!, type: "eligible", play: "vip", arm: "treatment", path: "/cart", occurredAt: at },
        { shop, visitorId: "v2", customerId: ids[3]!, type: "eligible", play: "deal_seeker", arm: "holdout", path: "/products/x", occurredAt: at },
      ],
    });
    const before = profileOutState(store.env).flowTriggers.length;
    expect((await fireHesitations(shop, admin, { storefrontUrl: store.url })).fired).toBe(2);
    const got = profileOutState(store.env).flowTriggers.slice(before);
    expect(got.map((t) => t.handle)).toEqual(["shopper-hesitated", "shopper-hesitated"]);
    const vip = got.find((t) => t.payload.customer_id === Number(ids[0]))!.payload;
    expect(vip).toEqual({ customer_id: Number(ids[0]), play: "vip", barrier: "convenience", "cart value": 450, "cart aov ratio": 3, "propensity band": "unknown", "storefront url": `${store.url}/cart`, holdout: false });
    expect(got.find((t) => t.payload.customer_id === Number(ids[3]))!.payload).toMatchObject({ play: "deal_seeker", barrier: "price", holdout: true });
    expect((await fireHesitations(shop, admin, { storefrontUrl: store.url })).fired).toBe(0);
  });

  it("GIVEN a known customer whose page views the app stored WHEN their hesitation fires THEN the trigger and the metafield carry the band the server scored from those views", async () => {
    const at = new Date(Date.now() - 90 * 60_000);
    const id = ids[1]!;
    const views = ["home", "collection", "product", "product", "product", "cart"].map((pageType, i) => ({
      shop, visitorId: "v-band", customerId: id, type: "page_view", pageType, path: `/p${i}`, occurredAt: new Date(at.getTime() - (6 - i) * 60_000),
    }));
    await prisma.event.createMany({ data: [...views, { shop, visitorId: "v-band", customerId: id, type: "eligible", play: "confidence", arm: "treatment", path: "/cart", occurredAt: at }] });
    const scored = await customerPropensity(shop, id, at);
    expect(scored).not.toBeNull();
    const band = bandOf(scored!.probability, (await getBands(shop)).bands);
    const before = profileOutState(store.env).flowTriggers.length;
    expect((await fireHesitations(shop, admin, { storefrontUrl: store.url })).fired).toBe(1);
    const sent = profileOutState(store.env).flowTriggers.slice(before).find((t) => t.payload.customer_id === Number(id))!;
    expect(sent.payload["propensity band"]).toBe(band);
    const written = store.env.state.metafields.find((m) => m.ownerId === `gid://shopify/Customer/${id}` && m.key === "propensity_band");
    expect(written?.value).toBe(band);
  });

  it("GIVEN the tags setting on WHEN a known customer who hesitated on price left THEN rp:hesitated-price is added with the trigger", async () => {
    const at = new Date(Date.now() - 60 * 60_000);
    const id = ids[2]!;
    await saveSettings(admin, { tags: true });
    await prisma.event.create({ data: { shop, visitorId: "v3", customerId: id, type: "eligible", play: "deal_seeker", arm: "treatment", path: "/products/y", occurredAt: at } });
    expect((await fireHesitations(shop, admin, { storefrontUrl: store.url })).fired).toBe(1);
    expect(profileOutState(store.env).tags.get(id)).toContain("rp:hesitated-price");
    await saveSettings(admin, { tags: false });
  });

  it("GIVEN a payload with an undeclared field WHEN flowTriggerReceive runs THEN the dev store refuses it and records nothing", async () => {
    const before = profileOutState(store.env).flowTriggers.length;
    const res = await admin.graphql(`mutation($h: String!, $p: JSON!) { flowTriggerReceive(handle: $h, payload: $p) { userErrors { field message } } }`, {
      variables: { h: "shopper-hesitated", p: { customer_id: Number(ids[0]), extra: 1 } },
    });
    expect(((await res.json()) as any).data.flowTriggerReceive.userErrors[0].message).toMatch(/'extra' is not declared/);
    expect(profileOutState(store.env).flowTriggers).toHaveLength(before);
  });
});

describe("customers/redact", () => {
  it("GIVEN a customer with the app's metafields and tags and a merchant tag WHEN redacted THEN the app's metafields and tags are gone and the merchant's tag stays", async () => {
    const id = ids[1]!;
    const merchant = merchantAdmin(store, "write_customers");
    const gid = `gid://shopify/Customer/${id}`;
    await merchant.graphql(`mutation($id: ID!) { tagsAdd(id: $id, tags: ["newsletter"]) { userErrors { message } } }`, { variables: { id: gid } });
    await profile(id, "CHAMPIONS");
    await syncCustomerTags(shop, admin, id);
    const r = await writeBackProfiles(shop, admin);
    if (r.status === "started") await bulkDone(r.bulkOperationId);
    const owner = gid;
    expect(store.state.metafields.filter((m) => m.ownerId === owner && m.namespace.endsWith("--recovery_plays")).length).toBeGreaterThan(0);
    const out = await redactCustomerProfile(admin, id);
    expect(out.tags).toEqual(["rp:champion"]);
    expect(store.state.metafields.filter((m) => m.ownerId === owner && m.namespace.endsWith("--recovery_plays"))).toEqual([]);
    expect(profileOutState(store.env).tags.get(id)).toEqual(["newsletter"]);
  });
});
