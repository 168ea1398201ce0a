// The writer of the request/response log: a bounded in-memory queue flushed in batches by a
// timer. Recording never awaits, never throws and never slows the exchange it records; the costly
// part (redaction, serialisation, the INSERT) runs at flush time for small bodies. A body larger
// than HTTP_LOG_BODY_LIMIT_BYTES is redacted and cut when it is recorded, so the queue never holds
// more than the limit per body, and the queue is bounded in bytes (HTTP_LOG_QUEUE_MAX_BYTES) as
// well as in entries. When either bound is reached new entries are dropped and counted
// (stats().dropped), and a failed INSERT drops its batch and is counted too: losing log lines is
// preferred over holding requests or memory hostage.
import type { Config } from '../../config.js';
import type { Db } from '../../db/orm.js';
import { HttpLogEntry, type HttpLogDirection } from './entities.js';
import { currentCorrelationId } from './context.js';
import { MAX_REDACT_BYTES, redactBody, redactHeaders, redactText, redactUrl } from './redact.js';
import type { UpstreamTransport } from '../../http/upstream.js';

type HeaderInput = Parameters<typeof redactHeaders>[0];

/** One exchange as captured, not yet redacted. */
export interface HttpLogRecord {
  at: Date;
  direction: HttpLogDirection;
  system: string;
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  /** Defaults to the current correlation id (request or job). */
  correlationId?: string | null;
  actor?: string | null;
  requestHeaders?: HeaderInput;
  requestBody?: unknown;
  /** Size of requestBody as received (Content-Length), when it is a parsed object. */
  requestBodyBytes?: number | null;
  requestContentType?: string | null;
  responseHeaders?: HeaderInput;
  responseBody?: unknown;
  responseContentType?: string | null;
  error?: string | null;
}

export interface HttpLogStats {
  /** Entries waiting to be written. */
  queued: number;
  written: number;
  /** Entries refused because the queue was full, in entries or bytes (or the log was closed). */
  dropped: number;
  /** Entries lost because their batch INSERT failed. */
  failed: number;
  queueMax: number;
  /** Approximate bytes held by queued entries (and by the batch being written). */
  queuedBytes: number;
  queueMaxBytes: number;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface HttpLog {
  /** Queue one exchange. Never throws, never waits. */
  record(entry: HttpLogRecord): void;
  /** A fetch that records every call as an outbound exchange with `system`. */
  fetch(system: string, base?: FetchLike): FetchLike;
  /** The same for an upstream transport (src/http/node-transport.ts): every call recorded as an outbound exchange. */
  transport(system: string, send: UpstreamTransport): UpstreamTransport;
  stats(): HttpLogStats;
  /** Write everything queued now (tests, shutdown). */
  flush(): Promise<void>;
  /** Flush, then stop the timer; later records are dropped. */
  close(): Promise<void>;
  readonly bodyLimitBytes: number;
}

type Logger = { warn(o: object, m?: string): void };
type HttpLogConfig = Pick<Config['httpLog'], 'bodyLimitBytes' | 'queueMax' | 'batchSize' | 'flushMs'> & Partial<Pick<Config['httpLog'], 'queueMaxBytes'>>;

/** A body already redacted and cut (when it was recorded); stored as it is. */
class PreparedBody {
  constructor(readonly text: string | null) {}
}

/** Headers, method, ids and the object around them: a rough allowance per entry. */
const ENTRY_OVERHEAD_BYTES = 2048;

/** A body's size when it is known without serialising it, else null. */
function bodySize(body: unknown, knownBytes?: number | null): number | null {
  if (typeof body === 'string') return body.length;
  if (body instanceof Uint8Array) return body.byteLength;
  if (body instanceof PreparedBody) return body.text?.length ?? 0;
  return typeof body === 'object' && body !== null && typeof knownBytes === 'number' && Number.isFinite(knownBytes) ? knownBytes : null;
}

/**
 * A body as it waits in the queue, and what it holds: kept as it is when it is within the limit
 * (redacted at flush time), else redacted and cut now. A parsed object of unknown size is
 * prepared now too. Sizes are UTF-16 code units or bytes, close enough for a memory bound.
 */
function queuedBody(body: unknown, contentType: string | null | undefined, limit: number, knownBytes?: number | null): { body: unknown; bytes: number } {
  if (body === undefined || body === null || body === '') return { body, bytes: 0 };
  if (body instanceof PreparedBody) return { body, bytes: body.text?.length ?? 0 };
  if (body instanceof URLSearchParams) return queuedBody(body.toString(), contentType, limit);
  const size = bodySize(body, knownBytes);
  if (size !== null && size <= limit) return { body, bytes: size };
  // A parsed body larger than redaction takes (a 30 MiB staging batch) is not walked and
  // stringified on the request's turn of the event loop: like large texts, it is not logged.
  if (size !== null && size > MAX_REDACT_BYTES && typeof body === 'object' && !(body instanceof Uint8Array)) {
    const placeholder = new PreparedBody(`[body of ${size} bytes, too large to redact: not logged]`);
    return { body: placeholder, bytes: placeholder.text?.length ?? 0 };
  }
  const prepared = new PreparedBody(redactBody(body, contentType, limit));
  return { body: prepared, bytes: prepared.text?.length ?? 0 };
}

// Long by design: one closure owns the queue, its byte and entry bounds and the flush timer; its
// inner functions share that state and are small.
export function createHttpLog(opts: { db: Db; config: HttpLogConfig; log?: Logger; now?: () => Date }): HttpLog {
  const { db, config } = opts;
  const queueMaxBytes = config.queueMaxBytes ?? 64 * 1024 * 1024;
  const queue: { entry: HttpLogRecord; bytes: number }[] = [];
  let queuedBytes = 0;
  let written = 0;
  let dropped = 0;
  let failed = 0;
  let closed = false;
  let flushing: Promise<void> | null = null;
  let soon: NodeJS.Immediate | null = null;
  let lastWarn = 0;

  const warn = (o: object, m: string) => {
    // At most one warning a minute: a broken log table must not flood the process log.
    if (Date.now() - lastWarn < 60_000) return;
    lastWarn = Date.now();
    opts.log?.warn(o, m);
  };

  // A NUL (a decoded %00 in a path, a raw byte in a webhook body) would make SQLite refuse the
  // whole batch: it is stored escaped, as it would read in JSON.
  const noNul = (s: string | null) => (s === null ? null : s.replace(/\u0000/g, '\\u0000'));
  const toRow = (r: HttpLogRecord) => {
    const limit = config.bodyLimitBytes;
    const headers = (h: HeaderInput) => (h ? JSON.stringify(redactHeaders(h)) : null);
    const body = (b: unknown, type: string | null | undefined) => (b instanceof PreparedBody ? b.text : redactBody(b, type, limit));
    return {
      at: r.at,
      direction: r.direction,
      system: r.system.slice(0, 50),
      method: r.method.toUpperCase().slice(0, 10),
      url: noNul(redactUrl(r.url)),
      status: r.status,
      durationMs: Math.max(0, Math.round(r.durationMs)),
      correlationId: r.correlationId ? r.correlationId.slice(0, 100) : null,
      actor: r.actor ? r.actor.slice(0, 64) : null,
      requestHeaders: headers(r.requestHeaders),
      requestBody: noNul(body(r.requestBody, r.requestContentType)),
      responseHeaders: headers(r.responseHeaders),
      responseBody: noNul(body(r.responseBody, r.responseContentType)),
      error: r.error ? noNul(redactText(r.error).slice(0, 500)) : null,
    };
  };

  async function writeBatches(): Promise<void> {
    while (queue.length) {
      const batch = queue.splice(0, config.batchSize);
      let rows: ReturnType<typeof toRow>[];
      try {
        rows = batch.map((q) => toRow(q.entry));
        await db.em().insertMany(HttpLogEntry, rows as never);
        written += rows.length;
      } catch (err) {
        failed += batch.length;
        warn({ err: (err as Error).message, lost: batch.length }, 'request/response log: a batch could not be written');
      } finally {
        // Counted until written: the batch is in memory until then.
        for (const q of batch) queuedBytes -= q.bytes;
      }
    }
  }

  const flush = (): Promise<void> => {
    if (flushing) return flushing.then(() => (queue.length ? flush() : undefined));
    if (!queue.length) return Promise.resolve();
    flushing = writeBatches().finally(() => {
      flushing = null;
    });
    return flushing;
  };

  const timer = setInterval(() => void flush(), config.flushMs);
  timer.unref();

  const record = (entry: HttpLogRecord) => {
    try {
      if (closed || queue.length >= config.queueMax || queuedBytes >= queueMaxBytes) {
        dropped++;
        return;
      }
      const limit = config.bodyLimitBytes;
      // What the entry will hold at least: when even that does not fit, drop it before any redaction work.
      const atLeast = ENTRY_OVERHEAD_BYTES + entry.url.length + Math.min(limit, bodySize(entry.requestBody, entry.requestBodyBytes) ?? 0) + Math.min(limit, bodySize(entry.responseBody) ?? 0);
      if (queuedBytes + atLeast > queueMaxBytes) {
        dropped++;
        return;
      }
      const request = queuedBody(entry.requestBody, entry.requestContentType, limit, entry.requestBodyBytes);
      const response = queuedBody(entry.responseBody, entry.responseContentType, limit);
      const bytes = ENTRY_OVERHEAD_BYTES + entry.url.length + request.bytes + response.bytes;
      if (queuedBytes + bytes > queueMaxBytes) {
        dropped++;
        return;
      }
      if (entry.correlationId === undefined) entry.correlationId = currentCorrelationId();
      queue.push({ entry: { ...entry, requestBody: request.body, responseBody: response.body }, bytes });
      queuedBytes += bytes;
      if (queue.length >= config.batchSize && !soon && !flushing) {
        soon = setImmediate(() => {
          soon = null;
          void flush();
        });
      }
    } catch {
      dropped++;
    }
  };

  return {
    record,
    fetch: (system, base) => loggedFetch(system, record, base),
    transport: (system, send) => loggedTransport(system, record, send),
    stats: () => ({ queued: queue.length, written, dropped, failed, queueMax: config.queueMax, queuedBytes, queueMaxBytes }),
    flush,
    async close() {
      clearInterval(timer);
      if (soon) clearImmediate(soon);
      await flush();
      closed = true;
    },
    bodyLimitBytes: config.bodyLimitBytes,
  };
}

function bodyOf(init: RequestInit | undefined): unknown {
  const b = init?.body;
  if (b === undefined || b === null) return null;
  if (typeof b === 'string' || b instanceof URLSearchParams || b instanceof Uint8Array || b instanceof ArrayBuffer) return b;
  return `[${(b as object).constructor?.name ?? 'stream'} body not logged]`;
}

function headerValue(h: RequestInit['headers'], name: string): string | null {
  if (!h) return null;
  if (h instanceof Headers) return h.get(name);
  if (Array.isArray(h)) return h.find(([k]) => k.toLowerCase() === name)?.[1] ?? null;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  return key ? String((h as Record<string, string>)[key]) : null;
}

const LARGE_RESPONSE = MAX_REDACT_BYTES;

/** What an outbound call that got no answer records as its error (fetch's and Node's errors alike). */
function failureReason(err: unknown, aborted = false): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  if (aborted || e?.name === 'AbortError' || e?.name === 'TimeoutError') return 'aborted (timeout)';
  return `${e?.cause?.code ?? e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? 'network error'}`;
}

/** A response body kept as text in the log: JSON, text, XML or a form (or no type given). */
const textualBody = (contentType: string | null) => !contentType || /json|text|xml|form/.test(contentType);
const tooLargeToLog = (contentType: string | null) => `[more than ${LARGE_RESPONSE} bytes of ${contentType ?? 'unknown type'} not logged]`;

/**
 * Reads a body up to `cap` bytes and stops there (the rest is never buffered for the log), so a
 * response without Content-Length cannot make the log hold an unbounded body. Not just the body
 * limit: a JSON body is redacted by key, which needs all of it, and a cut one would keep its
 * personal fields in clear. What is read is redacted and cut to the limit when recorded.
 */
async function readCapped(body: ReadableStream<Uint8Array>, cap: number): Promise<{ text: string } | { over: number }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: Buffer.concat(chunks).toString('utf8') };
      bytes += value.byteLength;
      if (bytes > cap) return { over: bytes };
      chunks.push(value);
    }
  } finally {
    // Frees this branch of the tee; the caller's branch reads on undisturbed.
    reader.cancel().catch(() => undefined);
  }
}

/**
 * Wraps fetch so that each call is recorded as an outbound exchange: method, URL, status, time to
 * the end of the response body, request and response headers and bodies (redacted and cut at
 * flush time). The caller gets the untouched Response; the log reads a clone. The current
 * correlation id is sent as `x-request-id` unless the caller set one.
 */
export function loggedFetch(system: string, record: (e: HttpLogRecord) => void, base: FetchLike = (i, n) => fetch(i, n)): FetchLike {
  return async (input, init) => {
    const at = new Date();
    const started = performance.now();
    const correlationId = currentCorrelationId();
    const isRequest = typeof Request !== 'undefined' && input instanceof Request;
    const method = (init?.method ?? (isRequest ? (input as Request).method : 'GET')).toUpperCase();
    const url = isRequest ? (input as Request).url : String(input);
    let sendInit = init;
    if (correlationId && !isRequest && !headerValue(init?.headers, 'x-request-id')) {
      const headers = new Headers(init?.headers);
      headers.set('x-request-id', correlationId);
      sendInit = { ...init, headers };
    }
    const requestHeaders = (sendInit?.headers ?? (isRequest ? (input as Request).headers : undefined)) as HeaderInput;
    const requestBody = isRequest ? '[Request object body not logged]' : bodyOf(init);
    const requestContentType = headerValue(sendInit?.headers, 'content-type');
    const base0 = { at, direction: 'out' as const, system, method, url, correlationId, requestHeaders, requestBody, requestContentType };

    let res: Response;
    try {
      res = await base(input, sendInit);
    } catch (err) {
      record({ ...base0, status: null, durationMs: performance.now() - started, error: failureReason(err) });
      throw err;
    }
    try {
      const responseHeaders = res.headers;
      const responseContentType = res.headers.get('content-type');
      const length = Number(res.headers.get('content-length') ?? 0);
      const done = (responseBody: unknown, error?: string) =>
        record({ ...base0, status: res.status, durationMs: performance.now() - started, responseHeaders, responseBody, responseContentType, error: error ?? null });
      if (!res.body || length > LARGE_RESPONSE || !textualBody(responseContentType)) {
        done(res.body ? `[${length || 'unknown'} bytes of ${responseContentType ?? 'unknown type'} not logged]` : null);
      } else {
        // Read the clone in the background: the caller's read of the original is not delayed.
        readCapped(res.clone().body!, LARGE_RESPONSE).then(
          (r) => done('text' in r ? r.text : tooLargeToLog(responseContentType)),
          (err: Error) => done(null, `response body not read: ${err?.name ?? 'error'}`),
        );
      }
    } catch {
      /* logging must never break the call */
    }
    return res;
  };
}

/**
 * As loggedFetch, for an upstream transport: the same entry (method, URL, status, time to the end
 * of the body, headers and bodies, redacted and cut at flush time), and the current correlation id
 * sent as `x-request-id` unless the caller set one. The transport has read the whole body already,
 * so nothing is cloned; a body over the redaction limit or of a type that is not text is not logged.
 */
export function loggedTransport(system: string, record: (e: HttpLogRecord) => void, send: UpstreamTransport): UpstreamTransport {
  return async (url, init) => {
    const at = new Date();
    const started = performance.now();
    const correlationId = currentCorrelationId();
    const method = init.method.toUpperCase();
    const sendInit = correlationId && !headerValue(init.headers, 'x-request-id') ? { ...init, headers: { ...init.headers, 'x-request-id': correlationId } } : init;
    const requestContentType = headerValue(sendInit.headers, 'content-type');
    const base0 = { at, direction: 'out' as const, system, method, url, correlationId, requestHeaders: sendInit.headers, requestBody: init.body ?? null, requestContentType };
    let res: Awaited<ReturnType<UpstreamTransport>>;
    try {
      res = await send(url, sendInit);
    } catch (err) {
      record({ ...base0, status: null, durationMs: performance.now() - started, error: failureReason(err, init.signal.aborted) });
      throw err;
    }
    try {
      const responseContentType = res.headers.get('content-type');
      const bytes = Buffer.byteLength(res.text);
      const responseBody =
        !res.text.length ? null
        : bytes > LARGE_RESPONSE ? tooLargeToLog(responseContentType)
        : !textualBody(responseContentType) ? `[${bytes} bytes of ${responseContentType} not logged]`
        : res.text;
      const raw = (res.headers as { raw?: HeaderInput }).raw;
      record({ ...base0, status: res.status, durationMs: performance.now() - started, responseHeaders: raw, responseBody, responseContentType, error: null });
    } catch {
      /* logging must never break the call */
    }
    return res;
  };
}
