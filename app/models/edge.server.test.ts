import "@shopify/shopify-api/adapters/node";
import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { installShop, TEST_SHOP } from "../../tests/helpers/shopify";
import { appProxyQuery } from "../../bench/lib/signing";
import { signedProxyUrl } from "../../devstore/storefront/proxy";
import { authenticateProxy, forgetShopState, setShopStateTtl, verifyAppProxySignature } from "./edge.server";

const SECRET = process.env.SHOPIFY_API_SECRET as string;
const params = (q: string) => new URLSearchParams(q);

// The library's own validator (what authenticate.public.appProxy uses), as the reference implementation.
const library = shopifyApi({
  apiKey: "k",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.July26,
  hostName: "app.example",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});
async function libraryAccepts(q: URLSearchParams) {
  try {
    return await library.utils.validateHmac(Object.fromEntries(q.entries()), { signator: "appProxy" });
  } catch {
    return false;
  }
}

describe("verifyAppProxySignature", () => {
  it("GIVEN queries signed like Shopify with the usual parameters WHEN verified THEN accepted, as by the library", async () => {
    for (const extra of [{}, { q: "a b&c=d", page: "2" }, { customer_id: "77" }] as Record<string, string>[]) {
      const good = params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, customerId: "42", extra }));
      expect(verifyAppProxySignature(good, SECRET)).toBe(true);
      expect(await libraryAccepts(good)).toBe(true);
    }
  });

  it("GIVEN keys that Shopify's byte order and the library's localeCompare order differently WHEN signed either way THEN accepted", async () => {
    const extra = { a: "1", a1: "2", Zeta: "z", a_b: "3" };
    const shopifySigned = params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, extra }));
    expect(verifyAppProxySignature(shopifySigned, SECRET)).toBe(true);
    const libraryOrdered = new URLSearchParams(shopifySigned);
    libraryOrdered.delete("signature");
    const message = [...libraryOrdered.keys()].sort((x, y) => x.localeCompare(y)).map((k) => `${k}=${libraryOrdered.get(k)}`).join("");
    libraryOrdered.set("signature", createHmac("sha256", SECRET).update(message).digest("hex"));
    expect(await libraryAccepts(libraryOrdered)).toBe(true);
    expect(verifyAppProxySignature(libraryOrdered, SECRET)).toBe(true);
  });

  it("GIVEN a signed query whose customer id was changed WHEN verified THEN refused, as by the library", async () => {
    const tampered = params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, customerId: "42" }));
    tampered.set("logged_in_customer_id", "43");
    expect(verifyAppProxySignature(tampered, SECRET)).toBe(false);
    expect(await libraryAccepts(tampered)).toBe(false);
  });

  it("GIVEN a query signed 91 s ago or 91 s ahead WHEN verified THEN it is refused (replay window ±90 s)", () => {
    // One clock for signing and verifying, so a second boundary between the two cannot move the edge.
    const now = Date.now();
    const sec = Math.trunc(now / 1000);
    for (const timestamp of [sec - 91, sec + 91]) {
      expect(verifyAppProxySignature(params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, timestamp })), SECRET, now)).toBe(false);
    }
    expect(verifyAppProxySignature(params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, timestamp: sec - 89 })), SECRET, now)).toBe(true);
  });

  it("GIVEN a signature made with another secret WHEN verified THEN it is refused", () => {
    expect(verifyAppProxySignature(params(appProxyQuery({ shop: TEST_SHOP, secret: "attacker" })), SECRET)).toBe(false);
  });

  it("GIVEN a signed query with a repeated parameter appended WHEN verified THEN it is refused", () => {
    const q = params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, customerId: "42" }));
    q.append("logged_in_customer_id", "43");
    expect(verifyAppProxySignature(q, SECRET)).toBe(false);
  });

  // Shopify's own worked example (shopify.dev "Authenticate app proxies", shared secret "hush"): `?extra=1&extra=2`
  // is signed as `extra=1,2…`.
  const DOC_QUERY =
    "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews" +
    "&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";
  const DOC_NOW = 1317327555_000;

  it("GIVEN Shopify's documented proxy request with a repeated key WHEN verified THEN accepted, as by shopify-api's validator", async () => {
    expect(verifyAppProxySignature(params(DOC_QUERY), "hush", DOC_NOW)).toBe(true);
    // shopify-api's validateHmac is handed the repeated key as an array, as its types allow.
    const q = params(DOC_QUERY);
    const query: Record<string, string | string[]> = Object.fromEntries(q.entries());
    query.extra = q.getAll("extra");
    const reference = shopifyApi({ apiKey: "k", apiSecretKey: "hush", apiVersion: ApiVersion.July26, hostName: "app.example", isEmbeddedApp: true, logger: { level: LogSeverity.Error } });
    const realNow = Date.now;
    Date.now = () => DOC_NOW;
    try {
      expect(await reference.utils.validateHmac(query as never, { signator: "appProxy" })).toBe(true);
    } finally {
      Date.now = realNow;
    }
  });

  it("GIVEN `?a=1&a=2` signed by Shopify's rule, by the last value only, or as `a=1a=2` WHEN verified THEN only Shopify's rule passes", () => {
    const now = Date.now();
    const base = { shop: TEST_SHOP, logged_in_customer_id: "", path_prefix: "/apps/recovery-plays", timestamp: String(Math.trunc(now / 1000)) };
    const signWith = (message: string) => {
      const q = new URLSearchParams([["a", "1"], ["a", "2"], ...Object.entries(base)]);
      q.set("signature", createHmac("sha256", SECRET).update(message).digest("hex"));
      return q;
    };
    const rest = Object.entries(base).map(([k, v]) => `${k}=${v}`);
    const message = (a: string[]) => [...a, ...rest].sort().join("");
    expect(verifyAppProxySignature(signWith(message(["a=1,2"])), SECRET, now)).toBe(true);
    expect(verifyAppProxySignature(signWith(message(["a=2"])), SECRET, now)).toBe(false);
    expect(verifyAppProxySignature(signWith(message(["a=1", "a=2"])), SECRET, now)).toBe(false);
    expect(verifyAppProxySignature(signWith(message(["a=2,1"])), SECRET, now)).toBe(false);
  });

  it("GIVEN the dev store forwarding a storefront `?a=1&a=2` WHEN the app verifies the signed URL THEN accepted, both values kept", () => {
    const target = { appUrl: "http://app.example", proxyPath: "/apps/proxy", prefix: "/apps/recovery-plays", shopDomain: TEST_SHOP, secret: SECRET, timeoutMs: 1000 };
    const url = signedProxyUrl(target, "/apps/recovery-plays/events", new URLSearchParams("a=1&a=2"), null);
    expect(url.searchParams.getAll("a")).toEqual(["1", "2"]);
    expect(verifyAppProxySignature(url.searchParams, SECRET)).toBe(true);
  });

  it("GIVEN a Shopify-set parameter repeated and signed WHEN verified THEN refused (the app would read only the first)", () => {
    const now = Date.now();
    const q = new URLSearchParams(appProxyQuery({ shop: TEST_SHOP, secret: SECRET, customerId: "42" }));
    q.delete("signature");
    q.append("logged_in_customer_id", "43");
    const grouped = new Map<string, string[]>();
    for (const [k, v] of q) grouped.set(k, [...(grouped.get(k) ?? []), v]);
    const message = [...grouped].map(([k, vs]) => `${k}=${vs.join(",")}`).sort().join("");
    q.set("signature", createHmac("sha256", SECRET).update(message).digest("hex"));
    expect(verifyAppProxySignature(q, SECRET, now)).toBe(false);
  });

  it("GIVEN a query without timestamp, without signature or with a malformed signature WHEN verified THEN it is refused", () => {
    const good = params(appProxyQuery({ shop: TEST_SHOP, secret: SECRET }));
    const noTs = new URLSearchParams(good);
    noTs.delete("timestamp");
    const noSig = new URLSearchParams(good);
    noSig.delete("signature");
    const shortSig = new URLSearchParams(good);
    shortSig.set("signature", good.get("signature")!.slice(0, 62));
    for (const q of [noTs, noSig, shortSig]) expect(verifyAppProxySignature(q, SECRET)).toBe(false);
  });

  it("GIVEN an empty app secret WHEN verifying THEN nothing is accepted", () => {
    expect(verifyAppProxySignature(params(appProxyQuery({ shop: TEST_SHOP, secret: "" })), "")).toBe(false);
  });
});

describe("shop state cache", () => {
  const proxyRequest = () => new Request(`https://app.example/apps/proxy/profile?${appProxyQuery({ shop: TEST_SHOP, secret: SECRET })}`);
  const status = async () => {
    try {
      await authenticateProxy(proxyRequest());
      return 200;
    } catch (thrown) {
      if (thrown instanceof Response) return thrown.status;
      throw thrown;
    }
  };

  beforeEach(async () => {
    await resetDatabase();
    setShopStateTtl(60_000);
  });
  afterEach(() => setShopStateTtl(0));

  it("GIVEN a cached installed shop WHEN app/uninstalled is processed in this process (forgetShopState) THEN the next request is refused", async () => {
    await installShop();
    expect(await status()).toBe(200);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date() } });
    forgetShopState(TEST_SHOP);
    expect(await status()).toBe(404);
  });

  it("GIVEN a cached installed shop WHEN another process uninstalls it THEN this process serves it until the TTL expires", async () => {
    await installShop();
    expect(await status()).toBe(200);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date() } });
    expect(await status()).toBe(200);
    setShopStateTtl(60_000);
    expect(await status()).toBe(404);
  });

  it("GIVEN a refused (not installed) shop WHEN it installs THEN the very next request is served (refusals are not cached)", async () => {
    expect(await status()).toBe(404);
    await installShop();
    expect(await status()).toBe(200);
  });

  it("GIVEN an active Shop row without an offline session WHEN the storefront calls THEN 404", async () => {
    await prisma.shop.create({ data: { shop: TEST_SHOP } });
    expect(await status()).toBe(404);
  });
});
