/** Token-bucket rate limiter keyed by string (pure; the clock is injected for tests). */
export interface RateLimiter {
  /** Takes `cost` tokens for `key`; false when the bucket is empty (caller answers 429). */
  take(key: string, cost?: number): boolean;
}

export function createRateLimiter(opts: {
  capacity: number;
  refillPerSecond: number;
  now?: () => number;
  maxKeys?: number;
}): RateLimiter {
  const now = opts.now ?? (() => Date.now());
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, cost = 1) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        // Bounded memory: forget the oldest keys first (Map keeps insertion order).
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
        b = { tokens: opts.capacity, at: t };
        buckets.set(key, b);
      }
      b.tokens = Math.min(opts.capacity, b.tokens + ((t - b.at) / 1000) * opts.refillPerSecond);
      b.at = t;
      if (b.tokens < cost) return false;
      b.tokens -= cost;
      return true;
    },
  };
}
