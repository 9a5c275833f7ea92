// The app proxy on a path the merchant changed: the dev store's storefront serves the proxy at another prefix and
// subpath, forwards to the app's real proxy routes with Shopify's signed `path_prefix`, and the app learns the path
// and publishes it for the storefront.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { installShop, TEST_SHOP } from "../../tests/helpers/shopify";
import { sampleStore, startStorefront, TEST_APP_ID, type TestStorefront } from "../../devstore/storefront/testing";
import { DEFAULT_BANDS, DEFAULT_SETTINGS } from "../lib/plays/defaults";
import { buildPublishedConfig } from "../models/publish.server";
import { forgetProxyPaths } from "../models/edge.server";
import { action as eventsAction } from "./apps.proxy.events";
import { signedVisitorFor } from "../../tests/helpers/visitors";
import { loader as profileLoader } from "./apps.proxy.profile";

let app: http.Server;
let store: TestStorefront;
let reachedApp = 0;

/** The app's proxy routes behind a real HTTP server, as the dev store forwards to them. */
function startApp(): Promise<string> {
  app = http.createServer(async (req, res) => {
    reachedApp++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = `http://127.0.0.1${req.url}`;
    const request = new Request(url, {
      method: req.method,
      headers: { "content-type": String(req.headers["content-type"] ?? "application/json") },
      body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
    });
    let response: Response;
    try {
      const pathname = new URL(url).pathname;
      const args = { request, params: {}, context: {} };
      response = pathname === "/apps/proxy/events" ? await eventsAction(args) : pathname === "/apps/proxy/profile" ? await profileLoader(args) : new Response("no route", { status: 404 });
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
    res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "text/plain" });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return new Promise((resolve) => app.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(app.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  const appUrl = await startApp();
  // The merchant moved the proxy from /apps/recovery-plays to /tools/rp (what the dev store serves comes from here).
  const dir = mkdtempSync(path.join(tmpdir(), "rp-proxy-path-"));
  const toml = path.join(dir, "shopify.app.toml");
  writeFileSync(toml, 'handle = "recovery-plays"\n[app_proxy]\nurl = "/apps/proxy"\nprefix = "tools"\nsubpath = "rp"\n');
  const data = sampleStore();
  data.shop.domain = TEST_SHOP;
  store = await startStorefront({ data, appUrl, options: { appTomlPath: toml } });
  store.ctx.apiSecret = process.env.SHOPIFY_API_SECRET as string;
});
afterAll(async () => {
  await store.close();
  app.closeAllConnections();
  await new Promise<void>((r) => app.close(() => r()));
});
beforeEach(async () => {
  await resetDatabase();
  forgetProxyPaths();
  await installShop();
  reachedApp = 0;
});

let eventsBody = "";
beforeEach(async () => {
  // The visitor id the app issued (events from any other id are refused).
  eventsBody = JSON.stringify({ visitorId: await signedVisitorFor(TEST_SHOP), events: [{ type: "page_view", pageType: "product", path: "/products/linen-shirt", ts: Date.now() }] });
});

describe("app proxy on a merchant-changed prefix and subpath", () => {
  it("GIVEN the proxy moved to /tools/rp WHEN the storefront posts events there THEN they reach the app and are stored", async () => {
    const res = await fetch(`${store.url}/tools/rp/events`, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, body: eventsBody });
    expect(res.status).toBe(202);
    expect(await prisma.event.count({ where: { shop: TEST_SHOP } })).toBe(1);
  });

  it("GIVEN the proxy moved WHEN the old hard-coded /apps/recovery-plays path is used THEN the shop answers 404 and nothing reaches the app", async () => {
    const res = await fetch(`${store.url}/apps/recovery-plays/events`, { method: "POST", body: eventsBody });
    expect(res.status).toBe(404);
    expect(reachedApp).toBe(0);
    expect(await prisma.event.count({ where: { shop: TEST_SHOP } })).toBe(0);
  });

  it("GIVEN a signed request on the new path WHEN the config is next published THEN it carries the path Shopify signed, and the storefront's boot JSON hands it to the embed", async () => {
    expect((await buildPublishedConfig(TEST_SHOP, 1)).proxy).toBeUndefined();
    await prisma.publishedConfig.create({ data: { shop: TEST_SHOP, version: 1, payload: "{}", status: "published", attempts: 0 } });
    expect((await fetch(`${store.url}/tools/rp/profile`)).status).toBe(200);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).proxyPathPrefix).toBe("/tools/rp");
    // The next publish (admin load or upkeep) is due, so the storefront gets the new path without a merchant action.
    expect((await prisma.publishedConfig.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).status).toBe("pending");
    const published = await buildPublishedConfig(TEST_SHOP, 2);
    expect(published.proxy).toBe("/tools/rp");
  });

  it("GIVEN a forged path_prefix such as a protocol-relative URL WHEN a request is signed with it THEN the shop's proxy path is not changed", async () => {
    const { recordProxyPath } = await import("../models/edge.server");
    for (const bad of ["//evil.example/x", "/apps/rp/../../x", "https://evil.example", "", "/apps"]) {
      expect(await recordProxyPath(TEST_SHOP, bad)).toBe(false);
    }
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).proxyPathPrefix).toBeNull();
  });
});

describe("the storefront embed reads the published proxy path", () => {
  it("GIVEN a published config with proxy /tools/rp WHEN a page with the app embed renders THEN the boot JSON carries it", async () => {
    const config = { version: 2, bands: DEFAULT_BANDS, plays: { confidence: DEFAULT_SETTINGS.confidence }, shop: { currency: "USD", aov: 80 }, pageStats: {}, proxy: "/tools/rp" };
    const metafields = [{ id: "1", ownerId: "gid://shopify/AppInstallation/1", namespace: `app--${TEST_APP_ID}--recovery_plays`, key: "config", type: "json", value: JSON.stringify(config), updatedAt: "2025-01-01T00:00:00.000Z" }];
    const withEmbed = await startStorefront({ metafields });
    try {
      const { Shopper, TEST_API_KEY } = await import("../../devstore/storefront/testing");
      const shopper = new Shopper(withEmbed.url);
      await shopper.get(`/admin/themes/current/editor?context=apps&template=index&activateAppId=${TEST_API_KEY}/app-embed`);
      const html = await shopper.html("/products/linen-shirt");
      const boot = JSON.parse(/<script type="application\/json" id="rp-boot">([\s\S]*?)<\/script>/.exec(html)![1]) as { c: { proxy?: string } };
      expect(boot.c.proxy).toBe("/tools/rp");
    } finally {
      await withEmbed.close();
    }
  });
});
