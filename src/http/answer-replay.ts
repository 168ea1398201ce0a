// Cached catalogue answers replayed in front of Fastify, the way an HTTP cache in front of an app
// serves them: status, headers and body as the app sent them, keyed by the request's exact bytes.
//
// A catalogue answer from the cache (catalog-cache.ts) already skips Apollo, but it still pays for
// the framework around it: Fastify's request and reply, the body's JSON parse, every hook of the
// route (security headers, CORS, the cache's own look-up and ETag), the reply's header checks.
// That was ~50 µs of the ~85 µs a cached answer cost, against ~33 µs for a bare Fastify route
// sending the same bytes. Replayed here, a repeat of a request the app answered from the cache
// (same body, same Accept, Origin and Content-Type, no credentials, no If-None-Match) costs what
// a bare route costs, and keeps what a person running it relies on: its own request id, its one
// request line at info, its latency and cache metrics.
//
// What is recorded is what the app itself sent (catalogCacheHooks records it as the answer
// leaves), so the replay cannot drift from the app's headers. A record is used only while its
// cache generation is current (every invalidation: a mutation that did something, an import, a
// sync) and before CATALOG_CACHE_MS has run out, exactly like the cache entry it copies. Anything
// else on the server goes to Fastify untouched; a body read here that has no record goes to
// Fastify whole (the /graphql route's preParsing hook hands it over).
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { FastifyReply, FastifyRequest, FastifyServerOptions, preParsingHookHandler } from 'fastify';
import { requestIdFor } from '../observability/log-context.js';

interface Replay {
  /** The request body it answers, byte for byte. */
  request: Buffer;
  generation: number;
  expires: number;
  /** The answer's headers as the app sent them, as a flat [name, value, ...] list; the request id's value is each request's. */
  head: string[];
  body: Buffer;
  /** The request headers that shaped the answer's headers (Apollo's content type, CORS). */
  accept: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
}

export interface AnswerReplayOptions {
  /** The catalogue cache's generation (an answer recorded before an invalidation is never replayed). */
  generation: () => number;
  /** CATALOG_CACHE_MS: a record lives as long as the cache entry it copies. */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
  /** After a replayed answer is written: its request id and how long it took (ms). */
  onReplayed?: (requestId: string, ms: number) => void;
}

// A body read here and handed to Fastify (a request that had no record after all).
const kBody = Symbol('kursus.replay.body');
type WithBody = IncomingMessage & { [kBody]?: Buffer };

export function createAnswerReplay(opts: AnswerReplayOptions) {
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  // Records by their request body's byte length, as Content-Length spells it: a request of any
  // other length goes straight to Fastify without its body being read here, and a body read is
  // compared byte for byte with the few of its length (no decoding, no hashing of ~700 bytes).
  const byLength = new Map<string, Replay[]>();
  let count = 0;
  let recordedGeneration = -1;
  let closing = false;

  function clear() {
    byLength.clear();
    count = 0;
  }

  function find(list: Replay[], body: Buffer, req: IncomingMessage): Replay | undefined {
    const i = list.findIndex((r) => r.request.equals(body));
    const r = list[i];
    if (!r) return undefined;
    if (r.generation !== opts.generation() || r.expires <= now()) {
      list.splice(i, 1);
      count--;
      return undefined;
    }
    const h = req.headers;
    return r.accept === h.accept && r.origin === h.origin && r.contentType === h['content-type'] ? r : undefined;
  }

  function replay(req: IncomingMessage, res: ServerResponse, r: Replay, started: number) {
    const requestId = requestIdFor(req);
    // The request id's slot of the recorded list, filled in place: writeHead reads the list at once.
    r.head[1] = requestId;
    res.writeHead(200, r.head);
    res.end(r.body);
    opts.onReplayed?.(requestId, performance.now() - started);
  }

  /**
   * The server's request listener: replays what it can, hands everything else to Fastify's
   * (`next`). Only `POST /graphql` with a Content-Length some record has is read here.
   */
  function front(req: IncomingMessage, res: ServerResponse, next: RequestListener) {
    const h = req.headers;
    const length = h['content-length'];
    const list = length === undefined ? undefined : byLength.get(length);
    if (
      closing ||
      list === undefined ||
      req.method !== 'POST' ||
      req.url !== '/graphql' ||
      h.authorization !== undefined ||
      h.cookie !== undefined ||
      h['if-none-match'] !== undefined ||
      h['transfer-encoding'] !== undefined ||
      h['content-encoding'] !== undefined
    )
      return next(req, res);
    const started = performance.now();
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onError = () => {
      // The client went away mid-body: Fastify would only log the same abort.
      req.off('data', onData);
      res.destroy();
    };
    // `on`, not `once`: the request is used once, and once() wraps each listener per request.
    req.on('data', onData);
    req.on('error', onError);
    req.on('end', () => {
      req.off('error', onError);
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const r = closing ? undefined : find(list, body, req);
      if (r) return replay(req, res, r, started);
      (req as WithBody)[kBody] = body;
      next(req, res);
    });
  }

  return {
    front,
    /**
     * Records the answer leaving for `request` (a cacheable, anonymous POST the cache has just
     * answered in full): called from the route's last onSend hook, so the headers are all the
     * app's but Content-Length, which is the body's.
     */
    record(request: FastifyRequest, reply: FastifyReply, body: Buffer, generation: number) {
      const text = request.jsonText;
      // An answer computed across an invalidation is stale: the cache did not keep it either.
      if (closing || opts.ttlMs <= 0 || generation !== opts.generation() || request.method !== 'POST' || !text || reply.statusCode !== 200) return;
      if (generation !== recordedGeneration || count >= maxEntries) {
        clear();
        recordedGeneration = generation;
      }
      const head = recordedHead(reply, body);
      const h = request.headers;
      const raw = Buffer.from(text, 'utf8');
      const replay: Replay = { request: raw, generation, expires: now() + opts.ttlMs, head, body, accept: h.accept, origin: h.origin, contentType: h['content-type'] };
      const length = String(raw.length);
      const list = byLength.get(length) ?? [];
      const i = list.findIndex((r) => r.request.equals(raw));
      if (i >= 0) list[i] = replay;
      else {
        list.push(replay);
        count++;
      }
      byLength.set(length, list);
    },
    preParsing: bodyReadInFront,
    /** From Fastify's preClose on: every request goes to Fastify (which answers 503 while closing). */
    close() {
      closing = true;
      clear();
    },
    size: () => count,
  };
}

export type AnswerReplay = ReturnType<typeof createAnswerReplay>;

/** The answer's headers as a flat list for writeHead: the request id's slot first, then the app's, Content-Length the body's. */
function recordedHead(reply: FastifyReply, body: Buffer): string[] {
  const head: string[] = ['x-request-id', ''];
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined || name === 'x-request-id' || name === 'content-length' || name === 'x-cache') continue;
    for (const v of Array.isArray(value) ? value : [value]) head.push(name, String(v));
  }
  head.push('x-cache', 'hit', 'content-length', String(body.length));
  return head;
}

/** The /graphql route's preParsing hook: a body the front has read (and had no record for) is parsed from memory. */
const bodyReadInFront: preParsingHookHandler = (request, _reply, payload, done) => {
  const body = (request.raw as WithBody)[kBody];
  if (body === undefined) return done(null, payload);
  (request.raw as WithBody)[kBody] = undefined;
  done(null, Readable.from([body]));
};

/**
 * Fastify's `serverFactory`: the HTTP server Fastify would make (same options, same timeouts),
 * whose requests pass `front()` first. `front` is read per request, so it can be set once the app
 * (and its cache) exist.
 */
export function serverWithFront(holder: { front?: (req: IncomingMessage, res: ServerResponse, next: RequestListener) => void }) {
  return (handler: RequestListener, options: FastifyServerOptions & { http?: object; keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number }): Server => {
    const server = createServer(options.http ?? {}, (req, res) => (holder.front ? holder.front(req, res, handler) : handler(req, res)));
    // What Fastify's own getServerInstance sets on the server it makes.
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    server.setTimeout(options.connectionTimeout ?? 0);
    if (options.maxRequestsPerSocket && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}
