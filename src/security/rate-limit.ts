// Per-client rate limits: a token bucket per key (the client's IP, or a connector client id), in
// memory. A bucket holds `limit` calls and refills evenly over `windowMs`, so a client may burst up
// to the limit and then gets one call per windowMs/limit. Limits are per process: behind a load
// balancer with N API processes a client gets at most N times the limit, which still stops abuse.
//
// Used for the booking mutations, where one GraphQL request can ask for several calls at once
// (`take(key, n)`). Plain per-request limits (clientLimit in ./index.ts) count requests in fixed
// windows instead: createWindowLimiter below.
import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { recentKeys } from '../recent-keys.js';

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
  const buckets = recentKeys<Bucket>(maxKeys);

  return {
    limit,
    windowMs,
    take(key, cost = 1) {
      if (limit === 0) return { allowed: true, retryAfterSeconds: 0, remaining: Number.POSITIVE_INFINITY };
      const at = now();
      const bucket = buckets.use(key, () => ({ tokens: limit, updatedAt: at }));
      bucket.tokens = Math.min(limit, bucket.tokens + (at - bucket.updatedAt) * perMs);
      bucket.updatedAt = at;
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

export interface WindowLimiterOptions {
  /** Requests per window (at least 1). */
  limit: number;
  windowMs: number;
  /** Clients kept at most; beyond this the least recently seen are dropped (bounded memory under spoofed keys). */
  maxKeys?: number;
  now?: () => number;
}

export interface WindowLimiter {
  /** Counts one request of the key; refused once the key's window holds more than `limit`. */
  hit(key: string): RateLimitDecision;
}

/**
 * Fixed windows per key, as @fastify/rate-limit's in-memory store counts them (this replaced it on
 * the request path; its async checks cost ~15 µs of every anonymous GraphQL request): a key's
 * window opens with its first request and lasts `windowMs`; every request in it counts, refused
 * ones too; past `limit` the answer is "retry when the window ends".
 */
export function createWindowLimiter(opts: WindowLimiterOptions): WindowLimiter {
  const limit = Math.max(1, Math.floor(opts.limit));
  const { windowMs } = opts;
  const maxKeys = opts.maxKeys ?? 100_000;
  const now = opts.now ?? Date.now;
  const windows = recentKeys<{ count: number; openedAt: number }>(maxKeys);
  return {
    hit(key) {
      const at = now();
      const window = windows.use(key, () => ({ count: 0, openedAt: at }));
      if (window.openedAt + windowMs <= at) {
        window.count = 0;
        window.openedAt = at;
      }
      window.count++;
      if (window.count <= limit) return { allowed: true, retryAfterSeconds: 0, remaining: limit - window.count };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.openedAt + windowMs - at) / 1000)), remaining: 0 };
    },
  };
}

/**
 * The key a client's requests are counted under: its IPv4 address, or the /64 network of its IPv6
 * address (one customer's devices and privacy addresses share a /64, and anyone holding one has
 * 2^64 addresses to rotate through; @fastify/rate-limit's default too). An IPv4 address mapped
 * into IPv6 (::ffff:a.b.c.d) counts as the IPv4 address.
 */
export function clientKeyOf(ip: string): string {
  if (!isIPv6(ip)) return ip.toLowerCase();
  // IPv6 is parsed by ipaddr.js (as Fastify's proxy-addr does); IPv4, nearly every request, never is.
  const address = ipaddr.IPv6.parse(ip);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  return `${address.parts.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
