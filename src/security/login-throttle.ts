// Login throttling that slows password guessing without letting anyone lock a user out.
//
// Failures are counted per (account, client address): after `freeFailures` failures that pair
// waits baseDelayMs (2 s), then twice as long after each further failure, up to maxDelayMs. A guesser
// therefore gets a handful of tries per hour per address, while the real user, logging in from
// any other address, is not slowed at all: their pair has no failures. (A throttle keyed on the
// account alone let anyone lock any account by sending ten wrong passwords.)
//
// On top, a global limit per address: at most `addressFailures` failures per `addressWindowMs`
// across all accounts, so one address cannot spray one password over many accounts.
//
// Memory is bounded (`maxKeys` per map, least recently used dropped first), so spoofed accounts
// or addresses cannot grow it. State is per process, like the other per-client limits.
//
// Usage (any login route; the caller normalises the account name the way its lookup does):
//
//   const throttle = createLoginThrottle();
//   const wait = throttle.check(account, request.ip);
//   if (!wait.allowed) return reply.header('retry-after', wait.retryAfterSeconds).code(429)...;
//   const ok = await verify(...);
//   ok ? throttle.succeed(account, request.ip) : throttle.fail(account, request.ip);

export interface LoginThrottleOptions {
  /** Failures of one (account, address) pair that cost nothing. Default 5. */
  freeFailures?: number;
  /** The first wait after the free failures; it doubles with every further failure. Default 2 s. */
  baseDelayMs?: number;
  /** The longest wait of a pair. Default 15 minutes. */
  maxDelayMs?: number;
  /** Failures one address may have across all accounts per window; 0 disables. Default 100. */
  addressFailures?: number;
  /** Default 15 minutes. */
  addressWindowMs?: number;
  /** Entries kept per map at most. Default 100,000. */
  maxKeys?: number;
  now?: () => number;
}

export type LoginThrottleDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** ms until this pair (or address) may try again. */
      retryAfterMs: number;
      /** Whole seconds, at least 1: the Retry-After header. */
      retryAfterSeconds: number;
      /** 'account': this account from this address; 'address': this address for every account. */
      scope: 'account' | 'address';
    };

export interface LoginThrottle {
  /** Whether this account may try a password from this address now. Changes nothing. */
  check(account: string, address: string): LoginThrottleDecision;
  /** A wrong password (or unknown account) from this address. */
  fail(account: string, address: string): void;
  /** A correct password: the pair starts afresh (the address's global count is kept). */
  succeed(account: string, address: string): void;
  /** Forgets everything (tests). */
  reset(): void;
}

interface PairState {
  failures: number;
  /** Not before this time (ms epoch). */
  until: number;
  /** When the state can be forgotten. */
  expires: number;
}

interface AddressState {
  /** Failure times within the window, oldest first. */
  times: number[];
}

/** A Map that keeps at most `max` keys, dropping the least recently set first. */
function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number) {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export function createLoginThrottle(opts: LoginThrottleOptions = {}): LoginThrottle {
  const freeFailures = opts.freeFailures ?? 5;
  const baseDelayMs = opts.baseDelayMs ?? 2_000;
  const maxDelayMs = opts.maxDelayMs ?? 15 * 60_000;
  const addressFailures = opts.addressFailures ?? 100;
  const addressWindowMs = opts.addressWindowMs ?? 15 * 60_000;
  const maxKeys = opts.maxKeys ?? 100_000;
  const now = opts.now ?? Date.now;
  const pairs = new Map<string, PairState>();
  const addresses = new Map<string, AddressState>();
  // JSON keeps the two parts apart whatever characters an account name contains.
  const pairKey = (account: string, address: string) => JSON.stringify([account, address]);

  const refuse = (retryAfterMs: number, scope: 'account' | 'address'): LoginThrottleDecision => ({
    allowed: false,
    retryAfterMs,
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    scope,
  });

  const recentTimes = (address: string, at: number): number[] => {
    const state = addresses.get(address);
    if (!state) return [];
    while (state.times.length && at - state.times[0]! >= addressWindowMs) state.times.shift();
    if (!state.times.length) addresses.delete(address);
    return state.times;
  };

  return {
    check(account, address) {
      const at = now();
      if (addressFailures > 0) {
        const times = recentTimes(address, at);
        if (times.length >= addressFailures) return refuse(times[times.length - addressFailures]! + addressWindowMs - at, 'address');
      }
      const pair = pairs.get(pairKey(account, address));
      if (pair && pair.until > at) return refuse(pair.until - at, 'account');
      return { allowed: true };
    },
    fail(account, address) {
      const at = now();
      const key = pairKey(account, address);
      const known = pairs.get(key);
      const failures = (known && known.expires > at ? known.failures : 0) + 1;
      const over = failures - freeFailures;
      const delay = over <= 0 ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over - 1, 40));
      // Forgotten once a full maximum wait has passed after the last failure.
      boundedSet(pairs, key, { failures, until: at + delay, expires: at + delay + maxDelayMs }, maxKeys);
      if (addressFailures > 0) {
        const times = recentTimes(address, at);
        times.push(at);
        if (times.length > addressFailures) times.splice(0, times.length - addressFailures);
        boundedSet(addresses, address, { times }, maxKeys);
      }
    },
    succeed(account, address) {
      pairs.delete(pairKey(account, address));
    },
    reset() {
      pairs.clear();
      addresses.clear();
    },
  };
}
