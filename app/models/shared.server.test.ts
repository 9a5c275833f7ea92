// Shared state across instances through Redis: one rate limit for all instances, and a cache entry dropped on
// every instance within a second of a change on one. Needs Redis (127.0.0.1:6379, or TEST_REDIS_URL): skipped,
// loudly, where it is absent — except under CI=true, where .ci/run starts it and its absence fails.
import net from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { createInvalidationBus, createSharedRateLimiter, redisClient, redisReady, type InvalidationBus } from "./shared.server";

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
});
