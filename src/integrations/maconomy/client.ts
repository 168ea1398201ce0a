// Typed client of the Maconomy REST API. Every response is validated (schemas.ts); failures become
// MaconomyError (code UPSTREAM_UNAVAILABLE). Reads retry with backoff; the one write does not (the
// sync job retries it idempotently via the external reference). Logs carry ids, paths, statuses and
// durations only: never the token or participants' personal data.
import type { z } from 'zod';
import {
  describeIssue,
  toCourseDateRecord,
  toMainCourseRecord,
  toParticipantRecord,
  toSeatInfo,
  toWireParticipantInput,
  wireCourseDatePageSchema,
  wireDuplicateSchema,
  wireErrorSchema,
  wireMainCourseListSchema,
  wireParticipantListSchema,
  wireParticipantSchema,
  wireSeatInfoSchema,
  type CourseDateRecord,
  type MainCourseRecord,
  type ParticipantInput,
  type ParticipantRecord,
  type SeatInfo,
} from './schemas.js';
import { NOT_SENT_CODES, errorCode } from '../net-errors.js';
import { BreakerRegistry, stripQuery, Upstream, UpstreamFailure, type UpstreamAttempt, type UpstreamBreaker, type UpstreamTransport } from '../../http/upstream.js';

export interface MaconomyCall {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  error?: string;
}

export interface MaconomyClientOptions {
  baseUrl: string;
  token: string;
  /** Per HTTP attempt, including reading the body. Default 5000. */
  timeoutMs?: number;
  /** Extra attempts for reads (GET) only. Default 2. */
  retries?: number;
  /** Total time of a storefront seat look-up (`purpose: 'storefront'`), retries included. Default 3000. */
  storefrontDeadlineMs?: number;
  /** Storefront look-ups' circuit breaker: consecutive failed calls that open it (default 5) and the wait before a probe (default 10000). */
  breaker?: { failures?: number; cooldownMs?: number; registry?: BreakerRegistry };
  logger?: { warn(obj: object, msg?: string): void; debug?(obj: object, msg?: string): void };
  /** Called once per HTTP attempt. */
  onCall?: (call: MaconomyCall) => void;
  /** The fetch to use; buildKursus passes the request/response log's (src/connectors/http-log/). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * Sends instead of fetch when given: buildKursus passes Node's HTTP client with keep-alive
   * connections (src/http/node-transport.ts), through the request/response log. Every seat hold
   * that cannot reuse an answer asks Maconomy, and fetch was most of that call's CPU.
   */
  transport?: UpstreamTransport;
}

/** `circuit_open`: not sent, the storefront's circuit breaker is open (see docs/upstream-http.md). */
export type MaconomyErrorKind = 'timeout' | 'network' | 'http' | 'malformed' | 'no_seats' | 'circuit_open';

/** Who asks: the storefront (a customer waits: one short deadline, the circuit breaker) or background work (sync, import, lists, reconciliation). */
export type SeatPurpose = 'storefront' | 'background';

export class MaconomyError extends Error {
  override name = 'MaconomyError';
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  kind: MaconomyErrorKind;
  status?: number;
  /** Path of the offending field of a malformed body, e.g. `items[3].capacity`. */
  field?: string;
  /** Maconomy's own error code from a JSON error body, e.g. `no_free_seats`. */
  upstreamCode?: string;
  /** true when the request may have reached Maconomy (timeout/reset after sending a write) */
  ambiguous: boolean;

  constructor(
    message: string,
    opts: { kind: MaconomyErrorKind; status?: number; field?: string; upstreamCode?: string; ambiguous?: boolean; cause?: unknown },
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.kind = opts.kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.upstreamCode !== undefined) this.upstreamCode = opts.upstreamCode;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

interface RawResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  json: unknown;
  jsonOk: boolean;
  sentAt: Date;
}

export class MaconomyClient {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly logger: MaconomyClientOptions['logger'];
  private readonly upstream: Upstream;
  readonly storefrontDeadlineMs: number;
  /** The storefront's circuit breaker for this base URL (background calls do not pass through it). */
  readonly breaker: UpstreamBreaker;

  constructor(opts: MaconomyClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.logger = opts.logger;
    const onCall = opts.onCall;
    this.upstream = new Upstream({
      system: 'Maconomy',
      fetch: opts.fetch,
      transport: opts.transport,
      timeoutMs: opts.timeoutMs ?? 5000,
      retries: opts.retries ?? 2,
      backoffBaseMs: 100,
      backoffCapMs: 2000,
      logger: opts.logger,
      onAttempt: onCall ? (a: UpstreamAttempt) => onCall({ method: a.method, url: a.url, status: a.status, durationMs: a.durationMs, ...(a.error ? { error: a.error } : {}) }) : undefined,
    });
    this.storefrontDeadlineMs = Math.max(1, opts.storefrontDeadlineMs ?? 3000);
    this.breaker = (opts.breaker?.registry ?? new BreakerRegistry()).get('Maconomy', this.baseUrl, {
      failures: opts.breaker?.failures ?? 5,
      cooldownMs: opts.breaker?.cooldownMs ?? 10_000,
      logger: opts.logger,
    });
  }

  async listMainCourses(): Promise<MainCourseRecord[]> {
    const path = '/api/maincourse';
    const res = await this.read(path);
    return this.parse(path, res, wireMainCourseListSchema).map(toMainCourseRecord);
  }

  async *iterateCourseDates(pageSize = 500): AsyncGenerator<CourseDateRecord[]> {
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    let seen = 0;
    for (let page = 1; ; page++) {
      const path = `/api/course?page=${page}&pageSize=${pageSize}`;
      const body = this.parse(path, await this.read(path), wireCourseDatePageSchema);
      seen += body.items.length;
      if (body.items.length) yield body.items.map(toCourseDateRecord);
      // Stops on the server's own page size too, in case it caps ours.
      if (body.items.length === 0 || seen >= body.total || page * body.page_size >= body.total) return;
    }
  }

  async listCourseDates(): Promise<CourseDateRecord[]> {
    const all: CourseDateRecord[] = [];
    for await (const page of this.iterateCourseDates()) all.push(...page);
    return all;
  }

  /**
   * Seat info of one course date, null when Maconomy does not know it: a request of its own, sent
   * now, never cached or shared. (The booking engine's seat reader, src/booking/maconomy-seats.ts,
   * reuses and shares answers, tagged with the date's sync sequence read before each question; a
   * cache here could hand it an answer older than its tag.) `purpose: 'storefront'` (a customer
   * waits): one total deadline across retries (storefrontDeadlineMs) and the circuit breaker,
   * which answers at once while open or while its probe is under way; the default 'background'
   * keeps the longer per-attempt timeouts and backoff and never touches the breaker.
   */
  async getSeats(maconomyId: string, opts: { purpose?: SeatPurpose } = {}): Promise<SeatInfo | null> {
    const storefront = opts.purpose === 'storefront';
    if (storefront && this.breaker.state === 'half-open') throw this.circuitOpen(maconomyId);
    return this.fetchSeats(maconomyId, storefront);
  }

  /**
   * Creates a participant on a course date. Not retried here. A duplicate external reference is
   * not an error: Maconomy already has this participant, so it is returned with created=false.
   */
  async createParticipant(input: ParticipantInput): Promise<{ participant: ParticipantRecord; created: boolean }> {
    const path = '/api/webparticipant';
    const ids = { maconomyId: input.maconomyId, externalRef: input.externalRef };
    let res: RawResponse;
    try {
      res = await this.send('POST', path, toWireParticipantInput(input), { retries: 0 });
    } catch (err) {
      if (err instanceof MaconomyError) {
        const code = errorCode(err.cause);
        // A timeout or reset may come after Maconomy received the request; a refused connection cannot.
        err.ambiguous = err.kind === 'timeout' || !(code && NOT_SENT_CODES.has(code));
        this.logger?.warn({ method: 'POST', path, ...ids, kind: err.kind, ambiguous: err.ambiguous }, 'Maconomy participant creation failed');
      }
      throw err;
    }

    if (res.status === 200 || res.status === 201) {
      try {
        const participant = toParticipantRecord(this.parse(path, res, wireParticipantSchema));
        this.logger?.debug?.({ method: 'POST', path, ...ids, participantId: participant.participantId }, 'Maconomy participant created');
        return { participant, created: true };
      } catch (err) {
        // The participant exists but we could not read its id.
        if (err instanceof MaconomyError) err.ambiguous = true;
        throw err;
      }
    }
    if (res.status === 409) {
      const dup = wireDuplicateSchema.safeParse(res.json);
      if (dup.success) {
        this.logger?.debug?.({ method: 'POST', path, ...ids, participantId: dup.data.participant_id }, 'Maconomy participant already existed');
        return {
          created: false,
          participant: {
            participantId: dup.data.participant_id,
            maconomyId: input.maconomyId,
            externalRef: input.externalRef,
            firstName: input.firstName,
            lastName: input.lastName,
            email: input.email,
            phone: input.phone ?? null,
            company: input.company ?? null,
          },
        };
      }
      const upstreamCode = this.upstreamCode(res);
      if (upstreamCode === 'duplicate_external_ref') {
        const { field, message } = describeIssue(dup.error);
        throw new MaconomyError(`Maconomy ${path} returned an invalid body: ${message}`, { kind: 'malformed', status: 409, field, upstreamCode });
      }
      throw new MaconomyError(`Maconomy course date ${input.maconomyId} cannot take more participants (409 ${upstreamCode ?? 'conflict'})`, {
        kind: 'no_seats',
        status: 409,
        upstreamCode,
      });
    }
    // A 5xx may come after the participant was stored (or from a proxy that forwarded it).
    throw this.httpError('POST', path, res, { ambiguous: res.status >= 500 });
  }

  async listParticipants(maconomyId: string): Promise<ParticipantRecord[]> {
    const path = `/api/participant/${encodeURIComponent(maconomyId)}`;
    const res = await this.read(path);
    return this.parse(path, res, wireParticipantListSchema).map(toParticipantRecord);
  }

  // ---- internals ----------------------------------------------------------------------------

  private circuitOpen(maconomyId: string): MaconomyError {
    const f = this.breaker.openFailure(`GET /api/course/${maconomyId}`);
    return new MaconomyError(f.message, { kind: 'circuit_open' });
  }

  private async fetchSeats(maconomyId: string, storefront: boolean): Promise<SeatInfo | null> {
    const path = `/api/course/${encodeURIComponent(maconomyId)}`;
    const res = await this.read(path, { allow404: true, storefront });
    if (res.status === 404) return null;
    return toSeatInfo(this.parse(path, res, wireSeatInfoSchema), res.sentAt);
  }

  /** GET through the upstream kit: retries on timeouts, network errors, 429 and 5xx. Returns a 2xx (or 404 when allowed) response. */
  private async read(path: string, opts: { allow404?: boolean; storefront?: boolean } = {}): Promise<RawResponse> {
    const res = await this.send('GET', path, undefined, opts.storefront ? { deadlineMs: this.storefrontDeadlineMs, breaker: this.breaker } : {});
    if ((res.status >= 200 && res.status < 300) || (res.status === 404 && opts.allow404)) return res;
    throw this.httpError('GET', path, res);
  }

  /** One call through the kit; its failures (timeout, network, redirect, open breaker) become MaconomyError. */
  private async send(method: 'GET' | 'POST', path: string, body?: unknown, opts: { retries?: number; deadlineMs?: number; breaker?: UpstreamBreaker | null } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await this.upstream.call({
        method,
        url: this.baseUrl + path,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        label: `${method} ${stripQuery(path)}`,
        ...opts,
      });
      return { status: res.status, json: res.json, jsonOk: res.jsonOk, sentAt: res.sentAt };
    } catch (err) {
      if (!(err instanceof UpstreamFailure)) throw err;
      const kind: MaconomyErrorKind = err.kind === 'redirect' ? 'http' : err.kind;
      throw new MaconomyError(err.message, { kind, status: err.status, ambiguous: method === 'POST' && err.ambiguous && err.kind !== 'redirect', cause: err.cause ?? err });
    }
  }

  private parse<S extends z.ZodType>(path: string, res: RawResponse, schema: S): z.output<S> {
    const label = stripQuery(path);
    if (!res.jsonOk) {
      throw new MaconomyError(`Maconomy ${label} returned an invalid body: not JSON`, { kind: 'malformed', status: res.status });
    }
    const parsed = schema.safeParse(res.json);
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      this.logger?.warn({ path: label, status: res.status, field }, 'Maconomy returned an invalid body');
      throw new MaconomyError(`Maconomy ${label} returned an invalid body: ${message}`, { kind: 'malformed', status: res.status, field });
    }
    return parsed.data;
  }

  private upstreamCode(res: RawResponse): string | undefined {
    const e = wireErrorSchema.safeParse(res.json);
    // Codes are short identifiers; anything else is not echoed (it could carry data).
    return e.success && /^[a-z0-9_.-]{1,64}$/i.test(e.data.error) ? e.data.error : undefined;
  }

  private httpError(method: string, path: string, res: RawResponse, opts: { ambiguous?: boolean } = {}): MaconomyError {
    const label = `${method} ${stripQuery(path)}`;
    const upstreamCode = this.upstreamCode(res);
    const suffix = upstreamCode ? ` (${upstreamCode})` : '';
    let message: string;
    if (res.status === 401) message = `Maconomy rejected the API token (401) for ${label}; check MACONOMY_TOKEN`;
    else if (res.status === 403) message = `Maconomy refused ${label} for this API token (403)`;
    else if (res.status === 404) message = `Maconomy ${label} was not found (404)${suffix}`;
    else message = `Maconomy ${label} failed with HTTP ${res.status}${suffix}`;
    return new MaconomyError(message, { kind: 'http', status: res.status, upstreamCode, ambiguous: opts.ambiguous ?? false });
  }
}

