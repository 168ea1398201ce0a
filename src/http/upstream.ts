// The one upstream HTTP kit: every outbound client (Maconomy, WordPress, Jubelio, BaseLinker,
// Optimakers, Request Out) sends its requests through `Upstream.call`, so timeouts, retries,
// backoff, deadlines, the circuit breaker, redirects and the per-attempt hooks are written once.
// Policies come from cockatiel (retry with jittered exponential backoff, circuit breaker); the
// exchange itself is Node's fetch (undici), usually the request/response log's wrapper
// (`httpLog.fetch('<system>')`, src/connectors/http-log/), so every attempt is recorded there.
//
// - Per attempt: a timeout that covers the body, never longer than what is left of the deadline.
// - Redirects are never followed (`redirect: 'manual'`): a 3xx is an upstream error of kind
//   `redirect` (the log records the 3xx; the other host gets nothing, not even our credentials).
// - Retries: jittered exponential backoff (cockatiel's half-jitter generator), at least the peer's
//   `Retry-After` (capped), never past the deadline. What is retried is the caller's decision
//   (`retry`), by default: failures that sent nothing, and for idempotent requests timeouts,
//   network errors, 429 and 5xx.
// - A total deadline across attempts and waits (`deadlineMs`).
// - An optional circuit breaker (`UpstreamBreaker`): counts calls whose final outcome is a failure
//   (timeout, network, 429, 5xx); while open, calls fail at once with kind `circuit_open`.
// See docs/upstream-http.md.
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, ExponentialBackoff, halfJitterGenerator, handleWhenResult, retry, type CircuitBreakerPolicy, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';
import { NOT_SENT_CODES, errorCode } from '../integrations/net-errors.js';

export type UpstreamFetch = (input: string, init: RequestInit) => Promise<Response>;

/**
 * One HTTP exchange without fetch's Web streams and Response objects: the status, the headers and
 * the whole body as text (src/http/node-transport.ts: node:http with keep-alive connections).
 * Never follows redirects. Rejects when `signal` aborts, before or during the body.
 */
export type UpstreamTransport = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<{ status: number; headers: UpstreamHeaders; text: string }>;

/** What an answer's headers are read through (fetch's Headers is one). */
export interface UpstreamHeaders {
  get(name: string): string | null;
}

export type UpstreamFailureKind = 'timeout' | 'network' | 'redirect' | 'circuit_open';

/** A call that got no usable HTTP answer: timeout, network error, a redirect, or an open breaker. */
export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure';
  readonly system: string;
  readonly kind: UpstreamFailureKind;
  /** The 3xx of a redirect. */
  readonly status?: number;
  /** The socket error's code (ECONNREFUSED, ...), when there was one. */
  readonly code?: string;
  /** The request may have reached the peer (a timeout or reset after sending). */
  readonly ambiguous: boolean;
  /** The total deadline ran out (rather than one attempt's timeout). */
  readonly deadline: boolean;
  constructor(system: string, kind: UpstreamFailureKind, message: string, opts: { status?: number; code?: string; ambiguous?: boolean; deadline?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.system = system;
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
    this.ambiguous = opts.ambiguous ?? false;
    this.deadline = opts.deadline ?? false;
  }
}

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  text: string;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  json: unknown;
  jsonOk: boolean;
  /** The peer's Retry-After in ms (seconds or an HTTP date), else null. */
  retryAfterMs: number | null;
  /** When the attempt that produced this answer was sent. */
  sentAt: Date;
  /** Attempts made, this one included. */
  attempts: number;
}

export type UpstreamOutcome = { response: UpstreamResponse; failure?: undefined } | { failure: UpstreamFailure; response?: undefined };

/** One HTTP attempt, for metrics and the clients' `onCall` hooks. */
export interface UpstreamAttempt {
  system: string;
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  /** `<kind>: <message>` when the attempt got no usable answer. */
  error?: string;
  attempt: number;
}

/** false: final; true: retry after the backoff; {afterMs}: retry after at least afterMs (a peer's pause). */
export type RetryVerdict = boolean | { afterMs: number };

export interface UpstreamLogger {
  warn(o: object, m?: string): void;
}

export interface UpstreamOptions {
  /** Name used in messages and hooks, e.g. 'Maconomy'. */
  system: string;
  /** The fetch to use (the request/response log's, from buildKursus). Default: global fetch. */
  fetch?: UpstreamFetch;
  /** Sends instead of fetch when given (the Maconomy client's: a tenth of fetch's CPU per call). */
  transport?: UpstreamTransport;
  /** Per attempt, including the body. */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** First backoff delay. Default 100. */
  backoffBaseMs?: number;
  /** Longest backoff delay. Default 5000. */
  backoffCapMs?: number;
  /** Upper bound for a peer's Retry-After. Default 30000. */
  maxRetryAfterMs?: number;
  onAttempt?: (a: UpstreamAttempt) => void;
  logger?: UpstreamLogger;
}

export interface UpstreamCall<F = never> {
  method: string;
  url: string;
  /** A function when they change per attempt (Jubelio's token). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  body?: string;
  /** For messages and logs, e.g. `GET /api/course/:id`; must not carry secrets. Default method + path. */
  label?: string;
  timeoutMs?: number;
  retries?: number;
  /** Total time for all attempts and waits; the call fails with a `timeout` (deadline) beyond it. */
  deadlineMs?: number;
  breaker?: UpstreamBreaker | null;
  /** Repeating the request is harmless (default: GET, HEAD, PUT, DELETE). */
  idempotent?: boolean;
  /** Decides after each attempt whether to try again. Default: `defaultRetry`. */
  retry?: (outcome: UpstreamOutcome, idempotent: boolean) => RetryVerdict;
  /** Runs around each attempt (a rate limiter's slot). */
  around?: <T>(attempt: () => Promise<T>) => Promise<T>;
  /**
   * Before a retry that follows an ambiguous failure (a write that may have landed): a look-up that
   * may find its result, ending the call with `{found}`. It gets the failed attempt's outcome, so
   * a failing look-up can report the first cause.
   */
  beforeRetryAfterAmbiguous?: (outcome: UpstreamOutcome) => Promise<F | null | undefined>;
}

/** The default: failures that sent nothing always; timeouts, network errors, 429 and 5xx when idempotent; 429 always (never applied). */
export function defaultRetry(outcome: UpstreamOutcome, idempotent: boolean): RetryVerdict {
  if (outcome.failure) {
    const f = outcome.failure;
    if (f.kind === 'redirect' || f.kind === 'circuit_open' || f.deadline) return false;
    return idempotent || !f.ambiguous;
  }
  const s = outcome.response.status;
  return s === 429 || (s >= 500 && idempotent);
}

/** Does this final outcome count against a circuit breaker? No answer, 429 or 5xx. */
export function isUpstreamFault(outcome: UpstreamOutcome): boolean {
  if (outcome.failure) return outcome.failure.kind !== 'circuit_open';
  return outcome.response.status === 429 || outcome.response.status >= 500;
}

export function parseRetryAfter(v: string | null): number | null {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Host of a Location header, for messages (never its path or query, which may carry data). */
function redirectTarget(location: string | null, base: string): string {
  if (!location) return 'no Location';
  try {
    return new URL(location, base).host;
  } catch {
    return 'an invalid Location';
  }
}

export function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

/** What each retry waits: taken from the attempt's outcome (computed there, see `Upstream.call`). */
class OutcomeBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const r = context.result as { value?: AttemptResult };
    return { duration: r.value?.waitMs ?? 0, next: (c) => this.next(c) };
  }
}

interface AttemptResult {
  outcome: UpstreamOutcome;
  /** Set when another attempt should follow after this many ms. */
  waitMs?: number;
  found?: { value: unknown };
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker around calls to one upstream (cockatiel's, with a consecutive-failure count).
 * Opens after `failures` consecutive faulty calls; while open every call fails at once; after
 * `cooldownMs` one probe goes through (others still fail at once) and a success closes it.
 */
export class UpstreamBreaker {
  readonly policy: CircuitBreakerPolicy;
  private readonly counter: ConsecutiveBreaker;
  private openedAt: number | null = null;
  /** Times it opened since start (metrics). */
  opened = 0;
  constructor(
    readonly system: string,
    readonly target: string,
    readonly failures: number,
    readonly cooldownMs: number,
    private readonly logger?: UpstreamLogger & { info?(o: object, m?: string): void },
  ) {
    this.counter = new ConsecutiveBreaker(Math.max(1, failures));
    this.policy = circuitBreaker(
      handleWhenResult((r) => isUpstreamFault((r as AttemptResult).outcome)),
      { halfOpenAfter: cooldownMs, breaker: this.counter },
    );
    this.policy.onStateChange((s) => {
      if (s === CircuitState.Open) {
        this.openedAt = Date.now();
        this.opened++;
        this.logger?.warn({ system, target, failures, cooldownMs }, `${system} circuit breaker opened: calls fail at once until a probe succeeds`);
      } else if (s === CircuitState.Closed) {
        this.openedAt = null;
        this.logger?.info?.({ system, target }, `${system} circuit breaker closed: a probe succeeded`);
      }
    });
  }
  get state(): BreakerState {
    const s = this.policy.state;
    return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';
  }
  /** Consecutive faulty calls counted so far (resets on success). */
  get consecutiveFailures(): number {
    return this.counter.state;
  }
  /** For /readyz. */
  describe() {
    const s = this.state;
    return {
      system: this.system,
      target: this.target,
      state: s,
      consecutiveFailures: this.consecutiveFailures,
      ...(s !== 'closed' && this.openedAt !== null ? { openedAt: new Date(this.openedAt).toISOString(), probeAfterMs: Math.max(0, this.openedAt + this.cooldownMs - Date.now()) } : {}),
    };
  }
  openFailure(label: string): UpstreamFailure {
    const wait = this.openedAt === null ? 0 : Math.max(0, this.openedAt + this.cooldownMs - Date.now());
    const probe = this.state === 'half-open' ? 'a probe is under way' : `next probe in ${Math.ceil(wait / 1000)} s`;
    return new UpstreamFailure(this.system, 'circuit_open', `${this.system} is unavailable: the circuit breaker is open after ${this.failures} consecutive failures (${label} not sent; ${probe})`);
  }
}

/** The breakers of one app, one per (system, base URL); read by /readyz and /metrics. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, UpstreamBreaker>();
  get(system: string, target: string, opts: { failures: number; cooldownMs: number; logger?: UpstreamLogger }): UpstreamBreaker {
    const key = `${system}\u0000${target}`;
    let b = this.breakers.get(key);
    if (!b) {
      b = new UpstreamBreaker(system, target, opts.failures, opts.cooldownMs, opts.logger);
      this.breakers.set(key, b);
    }
    return b;
  }
  list(): UpstreamBreaker[] {
    return [...this.breakers.values()];
  }
}

export class Upstream {
  readonly system: string;
  private readonly fetchImpl: UpstreamFetch;
  private readonly transport?: UpstreamTransport;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly backoff: ExponentialBackoff<number>;
  private readonly maxRetryAfterMs: number;
  private readonly onAttempt?: (a: UpstreamAttempt) => void;
  private readonly logger?: UpstreamLogger;

  constructor(opts: UpstreamOptions) {
    this.system = opts.system;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.transport = opts.transport;
    this.timeoutMs = opts.timeoutMs;
    this.retries = Math.max(0, opts.retries);
    this.backoff = new ExponentialBackoff({ initialDelay: opts.backoffBaseMs ?? 100, maxDelay: opts.backoffCapMs ?? 5000, generator: halfJitterGenerator });
    this.maxRetryAfterMs = Math.max(0, opts.maxRetryAfterMs ?? 30_000);
    this.onAttempt = opts.onAttempt;
    this.logger = opts.logger;
  }

  /** Sends with the call's policies. Returns the final answer (any status that is not 3xx); throws UpstreamFailure. */
  async call(req: Omit<UpstreamCall, 'beforeRetryAfterAmbiguous'>): Promise<UpstreamResponse> {
    const r = await this.callOrFind(req);
    if ('found' in r) throw new Error('unreachable: found without a look-up');
    return r;
  }

  /** As `call`; when the look-up before a retry finds the earlier attempt's result, `{found}`. */
  async callOrFind<F>(req: UpstreamCall<F>): Promise<UpstreamResponse | { found: F }> {
    const method = req.method.toUpperCase();
    const label = req.label ?? `${method} ${stripQuery(safePath(req.url))}`;
    const idempotent = req.idempotent ?? ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method);
    const decide = req.retry ?? defaultRetry;
    const retries = Math.max(0, req.retries ?? this.retries);
    const deadlineAt = req.deadlineMs !== undefined ? Date.now() + req.deadlineMs : null;
    let backoff: IBackoff<unknown> | undefined;
    let attempt = 0;

    const once = async (): Promise<AttemptResult> => {
      attempt++;
      const run = () => this.attempt(method, req, label, attempt, deadlineAt);
      const outcome = await (req.around ? req.around(run) : run());
      const verdict = attempt > retries ? false : decide(outcome, idempotent);
      if (!verdict) {
        if (isUpstreamFault(outcome)) this.logger?.warn({ system: this.system, request: label, attempts: attempt, status: outcome.response?.status ?? outcome.failure?.status, kind: outcome.failure?.kind }, `${this.system} request failed`);
        return { outcome };
      }
      backoff = backoff ? backoff.next(undefined) : this.backoff.next();
      let waitMs = backoff.duration;
      if (typeof verdict === 'object') waitMs = Math.max(waitMs, verdict.afterMs);
      const retryAfter = outcome.response?.retryAfterMs;
      if (retryAfter !== null && retryAfter !== undefined) waitMs = Math.max(waitMs, Math.min(this.maxRetryAfterMs, retryAfter));
      // No retry that could not finish before the deadline.
      if (deadlineAt !== null && Date.now() + waitMs >= deadlineAt) return { outcome };
      this.logger?.warn(
        { system: this.system, request: label, attempt, status: outcome.response?.status, error: outcome.failure?.message, retryInMs: waitMs },
        `${this.system} request failed, retrying`,
      );
      // An ambiguous failure is followed by the caller's look-up, after the wait.
      if (req.beforeRetryAfterAmbiguous && isAmbiguous(outcome, method)) {
        await sleep(waitMs);
        const found = await req.beforeRetryAfterAmbiguous(outcome);
        if (found) return { outcome, found: { value: found } };
        return { outcome, waitMs: 0 };
      }
      return { outcome, waitMs };
    };

    const policy = retry(
      handleWhenResult((r) => (r as AttemptResult).waitMs !== undefined && !(r as AttemptResult).found),
      { maxAttempts: retries, backoff: new OutcomeBackoff() },
    );
    const run = () => policy.execute(once);

    let result: AttemptResult;
    const breaker = req.breaker;
    if (breaker) {
      // A call during the probe fails at once too (cockatiel would make it wait for the probe).
      if (breaker.state === 'half-open') throw breaker.openFailure(label);
      try {
        result = await breaker.policy.execute(run);
      } catch (err) {
        if (err instanceof BrokenCircuitError) throw breaker.openFailure(label);
        throw err;
      }
    } else result = await run();

    if (result.found) return { found: result.found.value as F };
    if (result.outcome.failure) throw result.outcome.failure;
    return result.outcome.response;
  }

  /** One exchange; never throws for upstream faults (they become the outcome's failure). */
  private async attempt(method: string, req: UpstreamCall<unknown>, label: string, attempt: number, deadlineAt: number | null): Promise<UpstreamOutcome> {
    const remaining = deadlineAt === null ? Infinity : deadlineAt - Date.now();
    const timeoutMs = Math.max(1, Math.min(req.timeoutMs ?? this.timeoutMs, remaining));
    const byDeadline = timeoutMs < (req.timeoutMs ?? this.timeoutMs);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const sentAt = new Date();
    const started = performance.now();
    let status: number | null = null;
    const report = (error?: string) => {
      if (!this.onAttempt) return;
      const a: UpstreamAttempt = { system: this.system, method, url: req.url, status, durationMs: Math.round((performance.now() - started) * 10) / 10, attempt };
      if (error) a.error = error;
      try {
        this.onAttempt(a);
      } catch {
        /* a broken hook must not break the call */
      }
    };
    try {
      const headers = typeof req.headers === 'function' ? await req.headers() : req.headers;
      const sent = this.transport ? null : await this.fetchImpl(req.url, { method, headers, body: req.body, signal: controller.signal, redirect: 'manual' });
      const res = sent ?? (await this.transport!(req.url, { method, headers, body: req.body, signal: controller.signal }));
      status = res.status;
      if (status >= 300 && status < 400) {
        await sent?.body?.cancel().catch(() => undefined);
        const failure = new UpstreamFailure(this.system, 'redirect', `${this.system} ${label} answered ${status} redirecting to ${redirectTarget(res.headers.get('location'), req.url)}; redirects are not followed`, { status });
        report(`redirect: ${failure.message}`);
        return { failure };
      }
      const text = sent ? await sent.text() : (res as Awaited<ReturnType<UpstreamTransport>>).text;
      let json: unknown;
      let jsonOk = false;
      if (text.length) {
        try {
          json = JSON.parse(text);
          jsonOk = true;
        } catch {
          /* reported by the client when JSON is required */
        }
      }
      report();
      return { response: { status, headers: res.headers, text, json, jsonOk, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), sentAt, attempts: attempt } };
    } catch (err) {
      const timedOut = controller.signal.aborted;
      const code = errorCode(err);
      const cause = (err as { cause?: { message?: string } })?.cause?.message;
      const message = timedOut
        ? byDeadline
          ? `${this.system} ${label} got no answer within the deadline of ${deadlineAt !== null && req.deadlineMs !== undefined ? req.deadlineMs : timeoutMs} ms`
          : `${this.system} ${label} timed out after ${timeoutMs} ms`
        : `${this.system} ${label} failed: ${code ?? cause ?? (err as Error)?.message ?? 'network error'}`;
      const notSent = !timedOut && !!code && NOT_SENT_CODES.has(code);
      const failure = new UpstreamFailure(this.system, timedOut ? 'timeout' : 'network', message, { code, ambiguous: !notSent, deadline: timedOut && byDeadline, cause: err });
      report(`${failure.kind}: ${message}`);
      return { failure };
    } finally {
      clearTimeout(timer);
    }
  }
}

function isAmbiguous(outcome: UpstreamOutcome, method: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  return outcome.failure ? outcome.failure.ambiguous : outcome.response.status >= 500;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
