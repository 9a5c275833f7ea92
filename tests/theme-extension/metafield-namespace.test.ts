// The published config reaches the real theme app extension the way it does on Shopify: the app publishes with
// its own publishConfig (metafieldsSet, namespace `$app:recovery_plays`) to the dev store, which stores it as
// `app--<app id>--recovery_plays`; the blocks read it with the reserved prefix, `app.metafields["$app:…"]`.
// A Liquid read of the plain namespace `recovery_plays` sees nothing, as on Shopify
// (shopify.dev/docs/apps/build/online-store/theme-app-extensions/configuration#reserved-prefixes-for-metafields-and-metaobjects).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../../devstore/server";
import { Shopper, TEST_API_KEY, TEST_APP_ID, startStorefront } from "../../devstore/storefront/testing";
import { getPlay, savePlay } from "../../app/models/plays.server";
import { METAFIELD_KEY, METAFIELD_NAMESPACE, publishConfig } from "../../app/models/publish.server";
import { METAFIELD_NAMESPACE as CHECKOUT_NAMESPACE } from "../../extensions/recovery-plays-checkout/src/core/data";
import { devStoreAdmin } from "../helpers/devstore";

const API_KEY = "ns-key";
const API_SECRET = "ns-secret";
let store: DevStore;
let admin: Awaited<ReturnType<typeof devStoreAdmin>>;

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 5, size: "test", quiet: true });
  admin = await devStoreAdmin(store, API_KEY, API_SECRET);
  await new Shopper(store.url).get(`/admin/themes/current/editor?template=cart&addAppBlockId=${API_KEY}/cart-confidence&target=mainSection`);
});
afterAll(() => store.stop());

/** A shopper with one item in the cart, on a cart page that carries the cart-confidence app block. */
async function cartPageHtml(): Promise<string> {
  const shopper = new Shopper(store.url);
  const variant = store.state.products[0]!.variants[0]!.id;
  await shopper.postJson("/cart/add.js", { id: Number(variant), quantity: 1 });
  return shopper.html("/cart");
}

describe("published config → theme app extension, through the dev store", () => {
  it("GIVEN a plain-namespace metafield `recovery_plays.config` WHEN the cart renders THEN the block does not read it (not the app's namespace)", async () => {
    const { currentAppInstallation } = ((await (await admin.graphql(`{ currentAppInstallation { id } }`)).json()) as { data: { currentAppInstallation: { id: string } } }).data;
    const value = JSON.stringify({ version: 1, bands: { low: 0.2, high: 0.6 }, plays: { confidence: { surfaces: ["cart"] } }, shop: { currency: "USD", aov: 1 }, pageStats: {} });
    const res = await admin.graphql(`mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`, {
      variables: { m: [{ ownerId: currentAppInstallation.id, namespace: "recovery_plays", key: METAFIELD_KEY, type: "json", value }] },
    });
    expect(((await res.json()) as { data: { metafieldsSet: { userErrors: unknown[] } } }).data.metafieldsSet.userErrors).toEqual([]);
    try {
      const html = await cartPageHtml();
      expect(html).toContain("shopify-app-block");
      expect(html).not.toContain('data-rp-kind="returns_confidence"');
    } finally {
      store.state.metafields = store.state.metafields.filter((m) => m.namespace !== "recovery_plays");
    }
  });

  it("GIVEN the confidence play enabled WHEN the app publishes and a shopper opens the cart THEN the block renders the intervention", async () => {
    const shop = store.shopDomain;
    const play = await getPlay(shop, "confidence");
    const saved = await savePlay(shop, "confidence", { version: play.version, enabled: true });
    expect(saved.ok).toBe(true);
    const state = await publishConfig(shop, { graphql: admin.graphql });
    expect(state.status).toBe("published");

    const stored = store.state.metafields.filter((m) => m.key === METAFIELD_KEY);
    expect(METAFIELD_NAMESPACE).toBe("$app:recovery_plays");
    // Checkout hands the Shop's copy back under the `$app:` namespace the app wrote.
    expect(CHECKOUT_NAMESPACE).toBe(METAFIELD_NAMESPACE);
    expect(stored.map((m) => m.namespace)).toEqual([`app--${store.env.appId}--recovery_plays`, `app--${store.env.appId}--recovery_plays`]);
    expect(store.env.appId).toMatch(/^\d+$/);
    expect(store.env.appId).not.toBe(API_KEY);

    const html = await cartPageHtml();
    expect(html).toContain('data-rp-kind="returns_confidence"');
  });
});

describe("the dev store's Liquid `app` object resolves namespaces as Shopify does", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "rp-ns-"));
    const write = (rel: string, content: string) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), content);
    };
    write("shopify.extension.toml", 'name = "ns"\ntype = "theme"\nuid = "22222222-3333-4444-5555-666666666666"\n');
    write(
      "blocks/probe.liquid",
      `<p id="reserved">[{{ app.metafields["$app:recovery_plays"].config.value.v }}]</p><p id="plain">[{{ app.metafields.recovery_plays.config.value.v }}]</p>{% schema %}{"name":"Probe","target":"body"}{% endschema %}`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("GIVEN a metafield stored under app--<app id>--recovery_plays WHEN Liquid reads it THEN only the $app: prefix sees it", async () => {
    const sf = await startStorefront({
      options: { extensionDir: dir },
      metafields: [
        { id: "1", ownerId: "gid://shopify/AppInstallation/1", namespace: `app--${TEST_APP_ID}--recovery_plays`, key: "config", type: "json", value: '{"v":"owned"}', updatedAt: "2026-01-01T00:00:00Z" },
      ],
    });
    try {
      await new Shopper(sf.url).get(`/admin/themes/current/editor?context=apps&activateAppId=${TEST_API_KEY}/probe`);
      const html = await new Shopper(sf.url).html("/");
      expect(html).toContain('<p id="reserved">[owned]</p>');
      expect(html).toContain('<p id="plain">[]</p>');
    } finally {
      await sf.close();
    }
  });
});
