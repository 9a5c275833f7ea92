// Publishing from several instances, through the dev store: the metafield write is conditional (compareDigest,
// as Shopify's metafieldsSet honours it), and two publishes racing from two instances leave the newest config.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startDevStore, type DevStore } from "../../devstore/server";
import { devStoreAdmin } from "../../tests/helpers/devstore";
import { getPlay, savePlay } from "./plays.server";
import { METAFIELD_KEY, METAFIELD_NAMESPACE, publishConfig } from "./publish.server";
import prisma from "../db.server";

const API_KEY = "publish-race-key";
const API_SECRET = "publish-race-secret";
let store: DevStore;
let admin: Awaited<ReturnType<typeof devStoreAdmin>>;

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 5, size: "test", quiet: true, webhookRetries: 0 });
  admin = await devStoreAdmin(store, API_KEY, API_SECRET);
});
afterAll(() => store.stop());

type Gql = { data: any; errors?: unknown };
const gql = async (query: string, variables: Record<string, unknown> = {}) => (await (await admin.graphql(query, { variables })).json()) as Gql;
const SET = `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { compareDigest } userErrors { field code } } }`;

describe("dev store: metafieldsSet compareDigest", () => {
  it("GIVEN a stored metafield WHEN written with a stale digest, with null, without, and with the current digest THEN only the stale and null writes are refused", async () => {
    const owner = (await gql(`{ shop { id } }`)).data.shop.id as string;
    const input = (value: string, extra: Record<string, unknown>) => ({ ownerId: owner, namespace: "$app:digest_test", key: "k1", type: "json", value, ...extra });
    const created = await gql(SET, { m: [input('{"v":1}', { compareDigest: null })] });
    expect(created.data.metafieldsSet.userErrors).toEqual([]);
    const first = created.data.metafieldsSet.metafields[0].compareDigest as string;

    const again = await gql(SET, { m: [input('{"v":2}', { compareDigest: null })] });
    expect(again.data.metafieldsSet.userErrors).toEqual([{ field: ["metafields", "0", "compareDigest"], code: "STALE_OBJECT" }]);

    const second = await gql(SET, { m: [input('{"v":2}', { compareDigest: first })] });
    expect(second.data.metafieldsSet.userErrors).toEqual([]);
    const stale = await gql(SET, { m: [input('{"v":3}', { compareDigest: first })] });
    expect(stale.data.metafieldsSet.userErrors).toEqual([{ field: ["metafields", "0", "compareDigest"], code: "STALE_OBJECT" }]);

    const unguarded = await gql(SET, { m: [input('{"v":4}', {})] });
    expect(unguarded.data.metafieldsSet.userErrors).toEqual([]);
    const read = await gql(`{ shop { metafield(namespace: "$app:digest_test", key: "k1") { value } } }`);
    expect(read.data.shop.metafield.value).toBe('{"v":4}');
  });
});

describe("publish from two instances at once", () => {
  it("GIVEN instance A publishing an older config while instance B saves and publishes a newer one THEN the metafield ends with the newest", async () => {
    const shop = store.shopDomain;
    const play = await getPlay(shop, "confidence");
    expect((await savePlay(shop, "confidence", { version: play.version, enabled: false })).ok).toBe(true);
    expect((await publishConfig(shop, { graphql: admin.graphql })).status).toBe("published");

    // A second instance: its own copy of the module (own in-process queue), the same database and store.
    vi.resetModules();
    const instanceB = await import("./publish.server");
    const plays = await import("./plays.server");

    // The merchant turns the play on; instance A publishes, and its metafieldsSet is held until B is done (or
    // 1.5 s, when B has to wait for A).
    const off = await getPlay(shop, "confidence");
    expect((await savePlay(shop, "confidence", { version: off.version, enabled: true })).ok).toBe(true);
    let releaseA!: () => void;
    const bDone = new Promise<void>((r) => (releaseA = r));
    let aReachedSet!: () => void;
    const aAtSet = new Promise<void>((r) => (aReachedSet = r));
    const adminA = {
      graphql: async (query: string, o?: { variables?: Record<string, unknown> }) => {
        if (query.includes("metafieldsSet")) {
          aReachedSet();
          await Promise.race([bDone, new Promise((r) => setTimeout(r, 1_500))]);
        }
        return admin.graphql(query, o);
      },
    };
    const publishA = publishConfig(shop, adminA);
    await aAtSet;
    // The merchant turns the play off; B (another instance) saves and publishes.
    const current = await plays.getPlay(shop, "confidence");
    expect((await plays.savePlay(shop, "confidence", { version: current.version, enabled: false })).ok).toBe(true);
    const publishB = instanceB.publishConfig(shop, { graphql: admin.graphql }).finally(releaseA);
    const [a, b] = await Promise.all([publishA, publishB]);
    expect([a.status, b.status]).toEqual(["published", "published"]);

    const stored = store.state.metafields.filter((m) => m.key === METAFIELD_KEY && m.namespace.endsWith("--recovery_plays"));
    expect(stored).toHaveLength(2);
    const row = await prisma.publishedConfig.findUniqueOrThrow({ where: { shop } });
    for (const m of stored) {
      const config = JSON.parse(m.value) as { version: number; plays: Record<string, unknown> };
      expect(config.plays.confidence, "the play the merchant turned off is not live").toBeUndefined();
      expect(config.version).toBe(row.version);
    }
    expect(METAFIELD_NAMESPACE.startsWith("$app")).toBe(true);
  });
});
