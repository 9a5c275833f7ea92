// State that several app instances must share, in Redis when REDIS_URL is set: rate limits (rate-limiter-flexible)
// and cache invalidation (Redis pub/sub: a change on one instance drops the other instances' cached copies within
// milliseconds). Without REDIS_URL the single-instance behaviour stays: limits and caches in process memory.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { createRateLimiter } from "../lib/edge/ratelimit";

export interface SharedRateLimiter {
  /** Takes `cost` from `key`'s allowance; false when exhausted (the caller answers 429). */
  take(key: string, cost?: number): Promise<boolean>;
}

export interface RateLimitSpec {
  /** Distinguishes limiters in Redis keys. */
  name: string;
  /** Burst size. */
  capacity: number;
  /** Sustained rate. */
  refillPerSecond: number;
}

const redisClients = new Map<string, Redis>();

/** One command connection per URL and process (rate limits and publishing share it). */
export function redisClient(url: string): Redis {
  let c = redisClients.get(url);
  if (!c) {
    // No offline queue: when Redis is down a call fails at once and the limiter falls back to process memory,
    // instead of requests queueing behind a reconnect.
    c = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    c.on("error", () => undefined);
    redisClients.set(url, c);
  }
  return c;
}

/** Resolves when the command connection is up (until then the limiters use their in-memory insurance). */
export function redisReady(url: string): Promise<void> {
  const c = redisClient(url);
  if (c.status === "ready") return Promise.resolve();
  return new Promise((resolve) => c.once("ready", () => resolve()));
}

/**
 * A rate limiter over all instances (Redis) or this process (memory). Redis: a fixed window of `capacity` points
 * per capacity / refillPerSecond seconds, the closest rate-limiter-flexible shape to the in-memory token bucket
 * (same burst, same sustained rate); while Redis is unreachable each process limits on its own (insurance).
 */
export function createSharedRateLimiter(spec: RateLimitSpec, url = process.env.REDIS_URL, keyPrefix = "rp:rl"): SharedRateLimiter {
  if (!url) {
    const local = createRateLimiter({ capacity: spec.capacity, refillPerSecond: spec.refillPerSecond });
    return { take: async (key, cost = 1) => local.take(key, cost) };
  }
  const duration = Math.max(1, Math.ceil(spec.capacity / spec.refillPerSecond));
  const limiter = new RateLimiterRedis({
    storeClient: redisClient(url),
    keyPrefix: `${keyPrefix}:${spec.name}`,
    points: spec.capacity,
    duration,
    insuranceLimiter: new RateLimiterMemory({ points: spec.capacity, duration }),
  });
  return {
    async take(key, cost = 1) {
      try {
        await limiter.consume(key, cost);
        return true;
      } catch (rej) {
        if (rej instanceof RateLimiterRes) return false;
        return true;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Cache invalidation.

/** What changed for a shop; app/models/invalidation.server.ts maps each topic to the caches it clears. */
export type CacheTopic = "shop-state" | "shop-scales" | "shop-config";

export interface InvalidationBus {
  /** Runs `handler(shop)` when another instance invalidates `topic` (and for local `invalidate` calls). */
  on(topic: CacheTopic, handler: (shop: string) => void): void;
  /** Drops the entry here now and tells every other instance. */
  invalidate(topic: CacheTopic, shop: string): Promise<void>;
  /** Tells the other instances only (this one already holds the fresh value). */
  broadcast(topic: CacheTopic, shop: string): Promise<void>;
  /** Resolves once the subscription is live (messages published before that are not received). */
  ready: Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = "rp:invalidate";

export function createInvalidationBus(url: string | undefined, instanceId: string = randomUUID()): InvalidationBus {
  const handlers = new Map<CacheTopic, ((shop: string) => void)[]>();
  const runLocal = (topic: CacheTopic, shop: string) => {
    for (const h of handlers.get(topic) ?? []) {
      try {
        h(shop);
      } catch (err) {
        console.error(`cache invalidation ${topic} failed: ${err instanceof Error ? err.message : "error"}`);
      }
    }
  };
  let sub: Redis | null = null;
  let pub: Redis | null = null;
  let ready = Promise.resolve();
  if (url) {
    sub = new Redis(url, { maxRetriesPerRequest: null });
    pub = redisClient(url);
    sub.on("error", () => undefined);
    sub.on("message", (_channel: string, raw: string) => {
      try {
        const m = JSON.parse(raw) as { from: string; topic: CacheTopic; shop: string };
        if (m.from !== instanceId && typeof m.shop === "string") runLocal(m.topic, m.shop);
      } catch {
        // Not ours.
      }
    });
    ready = sub.subscribe(CHANNEL).then(() => undefined);
    ready.catch(() => undefined);
  }
  const send = async (topic: CacheTopic, shop: string) => {
    if (!pub) return;
    try {
      await pub.publish(CHANNEL, JSON.stringify({ from: instanceId, topic, shop }));
    } catch (err) {
      // The other instances' TTLs still bound how stale they get.
      console.error(`cache invalidation could not be sent: ${err instanceof Error ? err.message : "error"}`);
    }
  };
  return {
    on(topic, handler) {
      handlers.set(topic, [...(handlers.get(topic) ?? []), handler]);
    },
    async invalidate(topic, shop) {
      runLocal(topic, shop);
      await send(topic, shop);
    },
    broadcast: send,
    ready,
    async close() {
      await sub?.quit().catch(() => undefined);
    },
  };
}

let bus: InvalidationBus | null = null;

/** This process's bus (REDIS_URL, or local only). */
export function invalidationBus(): InvalidationBus {
  bus ??= createInvalidationBus(process.env.REDIS_URL);
  return bus;
}
