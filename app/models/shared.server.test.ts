// Shared state across instances through Redis: one rate limit for all instances, and a cache entry dropped on
// every instance within a second of a change on one. Needs Redis (127.0.0.1:6379, or TEST_REDIS_URL): skipped,
// loudly, where it is absent — except under CI=true, where .ci/run starts it and its absence fails.
import net from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import prisma from "../db.server";
import { subscribeCaches } from "./invalidation.server";
import { getPlay, savePlay } from "./plays.server";
import { createInvalidationBus, createSharedRateLimiter, invalidationBus, redisClient, redisReady, type InvalidationBus } from "./shared.server";
import { processHistory } from "./sync.server";
import { forgetVisitorKeys, holdoutPercents } from "./visitors.server";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const CI = process.env.CI === "true" || process.env.CI === "1";
let redisUp = false;

beforeAll(async () => {
  const u = new URL(REDIS_URL);
  redisUp = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379), timeout: 1500 }, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
    s.on("timeout", () => (s.destroy(), resolve(false)));
  });
});
afterAll(async () => {
  if (redisUp) await redisClient(REDIS_URL).quit();
});

function requireRedis(ctx: TestContext) {
  if (redisUp) return;
  if (CI) throw new Error(`Redis is not reachable at ${REDIS_URL} (CI must start it: .ci/run)`);
  console.warn(`SKIPPED: Redis not reachable at ${REDIS_URL} — shared rate limits and cache invalidation not checked`);
  ctx.skip();
}

describe("rate limits shared by instances", () => {
  it("GIVEN a burst of 3 WHEN two instances with their own limiter take from one key THEN the fourth take is refused wherever it lands", async (ctx) => {
    requireRedis(ctx);
    const prefix = `rp:test:${randomUUID()}`;
    const spec = { name: "visitor", capacity: 3, refillPerSecond: 0.1 };
    const a = createSharedRateLimiter(spec, REDIS_URL, prefix);
    const b = createSharedRateLimiter(spec, REDIS_URL, prefix);
    await redisReady(REDIS_URL);
    expect([await a.take("shop:v1"), await b.take("shop:v1"), await a.take("shop:v1"), await b.take("shop:v1")]).toEqual([true, true, true, false]);
    expect(await a.take("shop:v2")).toBe(true);
  });

  it("GIVEN no REDIS_URL WHEN two instances take THEN each limits alone (the single-instance behaviour)", async () => {
    const spec = { name: "visitor", capacity: 3, refillPerSecond: 0.1 };
    const a = createSharedRateLimiter(spec, undefined);
    const b = createSharedRateLimiter(spec, undefined);
    const takes = [];
    for (let i = 0; i < 4; i++) takes.push(await a.take("k"), await b.take("k"));
    expect(takes.filter(Boolean)).toHaveLength(6);
  });
});

describe("cache invalidation across instances", () => {
  const buses: InvalidationBus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });

  it("GIVEN two instances caching a shop's state WHEN one invalidates it THEN the other drops it within a second, and the sender only runs its own once", async (ctx) => {
    requireRedis(ctx);
    const a = createInvalidationBus(REDIS_URL, "instance-a");
    const b = createInvalidationBus(REDIS_URL, "instance-b");
    buses.push(a, b);
    await Promise.all([a.ready, b.ready]);
    const shop = `${randomUUID()}.myshopify.com`;
    const cacheA = new Set([shop]);
    const cacheB = new Set([shop]);
    let aRuns = 0;
    a.on("shop-state", (s) => (aRuns++, cacheA.delete(s)));
    b.on("shop-state", (s) => cacheB.delete(s));

    const t0 = Date.now();
    await a.invalidate("shop-state", shop);
    expect(cacheA.has(shop)).toBe(false);
    while (cacheB.has(shop) && Date.now() - t0 < 1_000) await new Promise((r) => setTimeout(r, 5));
    expect(cacheB.has(shop), "instance B still trusts the uninstalled shop after 1 s").toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(aRuns).toBe(1);
  });

  // This test process plays instance A through the app's own bus (the one sync and play saves broadcast on), with
  // no caches subscribed to it: only a message through Redis can reach instance B.
  async function twoInstances(): Promise<InvalidationBus> {
    process.env.REDIS_URL = REDIS_URL;
    const a = invalidationBus();
    const b = createInvalidationBus(REDIS_URL, "instance-b");
    buses.push(b);
    subscribeCaches(b);
    await Promise.all([a.ready, b.ready, redisReady(REDIS_URL)]);
    return b;
  }
  afterAll(async () => {
    if (process.env.REDIS_URL === REDIS_URL) {
      await invalidationBus().close();
      delete process.env.REDIS_URL;
    }
  });

  async function within(ms: number, done: () => boolean | Promise<boolean>): Promise<boolean> {
    const t0 = Date.now();
    while (!(await done()) && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
    return done();
  }

  it("GIVEN another instance scoring with a shop's quintiles WHEN a history sync here replaces them THEN it drops its copy within a second", async (ctx) => {
    requireRedis(ctx);
    const b = await twoInstances();
    const shop = `${randomUUID()}.myshopify.com`;
    const cachedOnB = new Set([shop]);
    b.on("shop-scales", (s) => cachedOnB.delete(s));

    await processHistory(shop, null, null);
    expect(await within(1_000, () => !cachedOnB.has(shop)), "instance B still scores with the old quintiles after 1 s").toBe(true);
  });

  it("GIVEN another instance deriving arms from a shop's cached holdout share WHEN a play save here changes it THEN that instance uses the new share within a second", async (ctx) => {
    requireRedis(ctx);
    await twoInstances();
    const shop = `${randomUUID()}.myshopify.com`;
    await prisma.shop.create({ data: { shop } });
    forgetVisitorKeys(shop);
    expect((await holdoutPercents(shop)).get("confidence")).toBe(10);

    const play = await getPlay(shop, "confidence");
    const saved = await savePlay(shop, "confidence", { version: play.version, settings: { ...play.settings, holdoutPercent: 40 } });
    expect(saved.ok).toBe(true);
    // The shares are cached for 5 s; without the broadcast the old 10 % would still assign arms here.
    expect(await within(1_000, async () => (await holdoutPercents(shop)).get("confidence") === 40), "the old holdout share still assigns arms after 1 s").toBe(true);
  });
});
