// Shared plumbing of the commerce connector clients (Jubelio, BaseLinker, Optimakers): their
// connection through the upstream kit (`CommerceUpstream`), an error type that says whether a retry
// is worth it and whether the request may have taken effect, and a per-process requests-per-minute
// limiter that counts a request until its answer is in. Timeouts, retries and backoff are the
// upstream kit's (src/http/upstream.ts). Every client takes a `fetch` so calls go through the
// request/response log's outbound wrapper.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { Upstream, UpstreamFailure, type RetryVerdict, type UpstreamAttempt, type UpstreamCall, type UpstreamResponse } from '../../http/upstream.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientLogger {
  warn(o: object, m?: string): void;
  info?(o: object, m?: string): void;
}

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly system: string;
  status?: number;
  /** The peer's own error code (BaseLinker `error_code`, Jubelio `code`). */
  code?: string;
  /** Worth trying again later (5xx, 429, timeout, network). */
  retryable: boolean;
  /** The request may have taken effect although it failed (timeout or 5xx after sending a write). */
  ambiguous: boolean;
  constructor(system: string, message: string, opts: { status?: number; code?: string; retryable?: boolean; ambiguous?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.system = system;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
    this.retryable = opts.retryable ?? false;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

export type RawResponse = UpstreamResponse;

/** The kit's failure (timeout, network, redirect) as the commerce clients' error: retryable unless a redirect. */
function toUpstreamError(system: string, failure: UpstreamFailure, opts: { write?: boolean } = {}): UpstreamError {
  return new UpstreamError(system, failure.message, {
    status: failure.status,
    retryable: failure.kind === 'timeout' || failure.kind === 'network' || failure.kind === 'circuit_open',
    ambiguous: !!opts.write && failure.ambiguous && failure.kind !== 'redirect',
    cause: failure,
  });
}

/** Runs a kit call, turning its failures into UpstreamError. */
async function viaKit<T>(system: string, call: () => Promise<T>, opts: { write?: boolean } = {}): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof UpstreamFailure) throw toUpstreamError(system, err, opts);
    throw err;
  }
}

/**
 * At most `perMinute` requests in any 60-second window, counted in this process only (two processes
 * with the same credentials each get the full budget: lower the limit per process for that). A slot
 * is taken when a request is about to be sent; `release()`, called once the answer is in, moves
 * the slot's time to then. The peer counts a request when it arrives, some time between the two,
 * so counting from the later moment keeps the peer's count under the limit however the requests'
 * transit times differ (a burst sent at once arrives spread out). A peer's 429 pauses everyone
 * (`pauseFor`), so one rejected call does not make the others hammer the peer meanwhile.
 */
export class MinuteRateLimiter {
  private readonly slots: { at: number }[] = [];
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  constructor(
    readonly perMinute: number,
    private readonly windowMs = 60_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new TypeError('perMinute must be a positive integer');
  }
  /** Waits for a slot; call the returned function once the answer is in (until then the slot counts). */
  acquire(): Promise<() => void> {
    // Serialised, so concurrent callers never both take the last slot.
    const next = this.chain.then(async () => {
      for (;;) {
        const now = Date.now();
        if (this.pausedUntil > now) {
          await sleep(this.pausedUntil - now);
          continue;
        }
        for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i]!.at <= now - this.windowMs) this.slots.splice(i, 1);
        if (this.slots.length < this.perMinute) {
          const slot = { at: Infinity };
          this.slots.push(slot);
          return () => {
            if (slot.at !== Infinity) return;
            slot.at = Date.now();
            this.wake?.();
          };
        }
        // Full: wait until the oldest finished slot leaves the window, or until one finishes.
        const oldest = Math.min(...this.slots.map((x) => x.at));
        await new Promise<void>((resolve) => {
          const timer = oldest === Infinity ? null : setTimeout(resolve, oldest + this.windowMs - now + 1);
          this.wake = () => {
            if (timer) clearTimeout(timer);
            this.wake = null;
            resolve();
          };
        });
      }
    });
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }
}

/** The first zod issue as `path: message`, for error messages that name the field. */
export function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  if (!i) return 'invalid';
  return `${i.path.length ? i.path.map(String).join('.') : '(body)'}: ${i.message}`;
}

/** What every commerce client takes for its connection, beside its URL and credentials. */
export interface CommerceConnectionOptions {
  timeoutMs?: number;
  /** Extra attempts after the first (5xx, 429, network). Default 3. */
  retries?: number;
  backoffBaseMs?: number;
  fetch?: FetchLike;
  logger?: ClientLogger;
  /** Called once per HTTP attempt (metrics). */
  onCall?: (attempt: UpstreamAttempt) => void;
}

/** For a system with a per-minute request limit (Jubelio, BaseLinker). */
export interface CommerceRateLimitOptions {
  /** Local limit; each client's default is 90% of its peer's, a margin for clock drift and other callers. */
  rateLimitPerMinute?: number;
  /** The limit's window. Default 60000 (tests shorten it). */
  rateLimitWindowMs?: number;
  /** How long a rate-limit answer pauses every call. Default 60000. */
  rateLimitWaitMs?: number;
}

/**
 * One commerce system's connection: the upstream kit with that system's defaults (3 retries,
 * backoff capped at 5 s), and for a system with a request limit the per-minute limiter whose slot
 * every attempt holds, and the pause a rate-limit answer sets for every caller. Calls fail with
 * `UpstreamError`; answers are validated with `parse`.
 */
export class CommerceUpstream {
  readonly kit: Upstream;
  readonly limiter: MinuteRateLimiter | null;
  private readonly rateLimitWaitMs: number;
  private readonly logger?: ClientLogger;

  constructor(
    readonly system: string,
    opts: CommerceConnectionOptions & CommerceRateLimitOptions,
    defaults: { timeoutMs: number; backoffBaseMs: number; rateLimitPerMinute?: number },
  ) {
    this.logger = opts.logger;
    this.kit = new Upstream({
      system,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs ?? defaults.timeoutMs,
      retries: opts.retries ?? 3,
      backoffBaseMs: opts.backoffBaseMs ?? defaults.backoffBaseMs,
      backoffCapMs: 5000,
      onAttempt: opts.onCall,
      logger: opts.logger,
    });
    const perMinute = opts.rateLimitPerMinute ?? defaults.rateLimitPerMinute;
    this.limiter = perMinute === undefined ? null : new MinuteRateLimiter(perMinute, opts.rateLimitWindowMs);
    this.rateLimitWaitMs = opts.rateLimitWaitMs ?? 60_000;
  }

  /** One call through the kit (each attempt holding a slot of the limit); `write`: a failure may have taken effect. */
  call(req: Omit<UpstreamCall, 'beforeRetryAfterAmbiguous' | 'around'>, opts: { write?: boolean } = {}): Promise<RawResponse> {
    return viaKit(this.system, () => this.kit.call({ ...req, around: this.slot }), opts);
  }

  /** `call` with a look-up before a retry after an ambiguous failure, which may end it with `{found}`. */
  callOrFind<F>(req: Omit<UpstreamCall<F>, 'around'>, opts: { write?: boolean } = {}): Promise<RawResponse | { found: F }> {
    return viaKit(this.system, () => this.kit.callOrFind({ ...req, around: this.slot }), opts);
  }

  /**
   * The retry verdict for a rate-limit answer: every caller pauses for the configured wait, or the
   * peer's Retry-After when that is longer, and this call tries again after it.
   */
  pauseForRateLimit(response: UpstreamResponse, context: object = {}): RetryVerdict {
    const wait = Math.max(response.retryAfterMs ?? 0, this.rateLimitWaitMs);
    this.limiter?.pauseFor(wait);
    this.logger?.warn({ system: this.system, ...context, status: response.status, waitMs: wait }, `${this.system} rate limit hit: pausing calls`);
    return { afterMs: wait };
  }

  /** The answer's JSON body validated against `schema`; an UpstreamError naming the field when it does not fit. */
  parse<S extends z.ZodType>(label: string, res: RawResponse, schema: S): z.output<S> {
    if (!res.jsonOk) throw new UpstreamError(this.system, `${this.system} ${label} answered ${res.status} with a body that is not JSON`, { status: res.status });
    const parsed = schema.safeParse(res.json);
    if (!parsed.success) throw new UpstreamError(this.system, `${this.system} ${label} answered ${res.status} with an unexpected body: ${firstIssue(parsed.error)}`, { status: res.status });
    return parsed.data;
  }

  /** Holds a slot of the per-minute limit (if any) for one attempt. */
  private readonly slot = async <T>(attempt: () => Promise<T>): Promise<T> => {
    if (!this.limiter) return attempt();
    const done = await this.limiter.acquire();
    try {
      return await attempt();
    } finally {
      done();
    }
  };
}
