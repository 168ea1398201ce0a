// Per-client rate limits: a token bucket per key (the client's IP, or a connector client id), in
// memory. A bucket holds `limit` calls and refills evenly over `windowMs`, so a client may burst up
// to the limit and then gets one call per windowMs/limit. Limits are per process: behind a load
// balancer with N API processes a client gets at most N times the limit, which still stops abuse.
//
// Used for the booking mutations, where one GraphQL request can ask for several calls at once
// (`take(key, n)`); plain per-request limits use @fastify/rate-limit (clientLimit in ./index.ts).

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until one more call is allowed (0 when allowed). */
  retryAfterSeconds: number;
  /** Calls left right now. */
  remaining: number;
}

export interface RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Takes `cost` calls from the key's bucket when they are available; otherwise takes nothing. */
  take(key: string, cost?: number): RateLimitDecision;
  /** Forgets every bucket (tests, configuration reloads). */
  reset(): void;
}

export interface RateLimiterOptions {
  /** Calls per window; 0 disables the limiter (every call allowed). */
  limit: number;
  windowMs?: number;
  /** Buckets kept at most; beyond this the least recently used are dropped (bounded memory under spoofed keys). */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const limit = Math.max(0, Math.floor(opts.limit));
  const windowMs = opts.windowMs ?? 60_000;
  const maxKeys = opts.maxKeys ?? 100_000;
  const now = opts.now ?? Date.now;
  const perMs = limit / windowMs;
  // A Map iterates in insertion order; re-inserting on use keeps it ordered by last use.
  const buckets = new Map<string, Bucket>();

  return {
    limit,
    windowMs,
    take(key, cost = 1) {
      if (limit === 0) return { allowed: true, retryAfterSeconds: 0, remaining: Number.POSITIVE_INFINITY };
      const at = now();
      let bucket = buckets.get(key);
      if (bucket) {
        buckets.delete(key);
        bucket.tokens = Math.min(limit, bucket.tokens + (at - bucket.updatedAt) * perMs);
        bucket.updatedAt = at;
      } else {
        bucket = { tokens: limit, updatedAt: at };
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
      }
      const missing = Math.min(cost, limit) - bucket.tokens;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / perMs / 1000)), remaining: Math.floor(bucket.tokens) };
    },
    reset() {
      buckets.clear();
    },
  };
}
