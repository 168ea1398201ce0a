// Response cache for anonymous catalogue queries (`courses`, `course`): the storefront's hottest
// read. An answer is reused for CATALOG_CACHE_MS and dropped at once when this process sees a
// change: any GraphQL mutation it serves that did something (seat holds change seatsAvailable;
// editors change texts; a refused mutation or `mutation { __typename }` leaves the cache alone),
// an import, or a sync that moved seats from local holds to Maconomy. Other processes' changes
// show after at most CATALOG_CACHE_MS; a reservation always re-checks seats with Maconomy, so a
// slightly old seatsAvailable in a listing can never oversell.
//
// The cache answers before Apollo runs, from the serialized JSON. The anonymous POSTs it answered
// in full are recorded for answer-replay.ts, which answers their repeats before Fastify: that is
// what makes a cached listing about as cheap as a static route.
import { hash } from 'node:crypto';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { FastifyReply, FastifyRequest, onResponseHookHandler, onSendHookHandler, preHandlerAsyncHookHandler, preParsingHookHandler } from 'fastify';
import type { AnswerReplay } from './answer-replay.js';

const CACHEABLE_ROOT_FIELDS = new Set(['courses', 'course', '__typename']);

export interface CatalogCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  /** How long requests wait for another one's answer to the same listing before computing their own. */
  joinWaitMs?: number;
  now?: () => number;
  /** The parser's token cap (GRAPHQL_MAX_TOKENS): an oversized document is not parsed here in full either. */
  maxTokens?: number;
}

type Kind_ = 'cacheable' | 'mutation' | 'other';

/**
 * A cached answer's identity: the query text, then the operation name and variables. `flat` joins
 * them, built only on a miss (for the requests waiting on the same answer).
 */
interface CacheKey {
  query: string;
  rest: string;
  readonly flat: string;
}
export function cacheKey(query: string, operationName: string | undefined, variables: string): CacheKey {
  const rest = `${operationName ?? ''}\u0000${variables}`;
  return {
    query,
    rest,
    get flat() {
      return `${rest}\u0000${query}`;
    },
  };
}

interface Entry {
  /** Encoded once: sending a Buffer skips the per-request UTF-8 encoding and length count of a string. */
  body: Buffer;
  expires: number;
}

export function createCatalogCache(opts: CatalogCacheOptions) {
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  // Answers by query text, then by operation name and variables. Two levels instead of one
  // concatenated key: the query text (~700 characters for a listing) is hashed once per request
  // and the hash is kept in the string, so the classification and the answer look-ups below reuse
  // it instead of building and hashing two long keys each time.
  const entries = new Map<string, Map<string, Entry>>();
  let entryCount = 0;
  // Classifying a query means parsing it: remembered per query text and operation name
  // (storefronts send few shapes).
  const kinds = new Map<string, Map<string, Kind_>>();
  let kindCount = 0;
  let generation = 0;
  // Misses being computed, per key, for the current generation: concurrent requests for the same
  // listing wait for the first one's answer instead of each running the same queries (when an
  // answer expires under load, all the connections miss at once).
  const inflight = new Map<string, { since: number; startedAt: number; answer: Promise<Buffer | undefined>; settle: (body: Buffer | undefined) => void }>();
  const joinWaitMs = opts.joinWaitMs ?? 2_000;

  function classify(query: string, operationName: string | undefined): Kind_ {
    const byName = kinds.get(query);
    let kind = byName?.get(operationName ?? '');
    if (kind) return kind;
    try {
      const doc = parse(query, { noLocation: true, maxTokens: opts.maxTokens ?? 10_000 });
      const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
      if (!op) kind = 'other';
      // `mutation { __typename }` writes nothing: it must not be a free way to empty the cache.
      else if (op.operation === 'mutation') kind = op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value === '__typename') ? 'other' : 'mutation';
      else if (op.operation === 'query' && op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(s.name.value) && !s.directives?.length))
        kind = 'cacheable';
      else kind = 'other';
    } catch {
      kind = 'other'; // Apollo answers the syntax error
    }
    if (kindCount >= 2000) {
      kinds.clear();
      kindCount = 0;
    }
    let names = kinds.get(query);
    if (!names) kinds.set(query, (names = new Map()));
    names.set(operationName ?? '', kind);
    kindCount++;
    return kind;
  }

  return {
    classify,
    get(key: CacheKey): Buffer | undefined {
      const byRest = entries.get(key.query);
      const e = byRest?.get(key.rest);
      if (!e) return undefined;
      if (e.expires <= now()) {
        byRest!.delete(key.rest);
        entryCount--;
        if (!byRest!.size) entries.delete(key.query);
        return undefined;
      }
      return e.body;
    },
    /** Stores only if nothing was invalidated since `since` (an answer computed before a change is stale). */
    set(key: CacheKey, body: Buffer, since: number) {
      if (since !== generation || opts.ttlMs <= 0) return;
      if (entryCount >= maxEntries) {
        // The oldest query text's answers go first (bounded memory; storefronts send few shapes).
        const [query, byRest] = entries.entries().next().value!;
        entryCount -= byRest.size;
        entries.delete(query);
      }
      let byRest = entries.get(key.query);
      if (!byRest) entries.set(key.query, (byRest = new Map()));
      if (!byRest.has(key.rest)) entryCount++;
      byRest.set(key.rest, { body, expires: now() + opts.ttlMs });
    },
    /**
     * A miss: either the answer another request is computing for this key (a promise of it, or of
     * undefined if that one failed), or undefined when this request is the one to compute it and
     * must call `settle(key, ...)` when done. Nothing is shared across an invalidation.
     */
    join(key: CacheKey): Promise<Buffer | undefined> | undefined {
      if (opts.ttlMs <= 0) return undefined;
      const running = inflight.get(key.flat);
      if (running && running.since === generation && now() - running.startedAt < joinWaitMs) return running.answer;
      // None, or one that never finished (its client went away mid-answer): this request leads.
      running?.settle(undefined);
      let settle!: (body: Buffer | undefined) => void;
      const answer = new Promise<Buffer | undefined>((resolve) => (settle = resolve));
      inflight.set(key.flat, { since: generation, startedAt: now(), answer, settle });
      return undefined;
    },
    /** Ends this request's computation of `key`: waiters get `body` (undefined: compute it yourselves). */
    settle(key: CacheKey, since: number, body: Buffer | undefined) {
      const running = inflight.get(key.flat);
      if (!running || running.since !== since) return;
      inflight.delete(key.flat);
      running.settle(body === undefined ? undefined : (entries.get(key.query)?.get(key.rest)?.body ?? body));
    },
    joinWaitMs,
    generation: () => generation,
    invalidate() {
      generation++;
      entries.clear();
      entryCount = 0;
      // Requests waiting on an answer computed before the change compute their own.
      for (const running of inflight.values()) running.settle(undefined);
      inflight.clear();
    },
    size: () => entryCount,
  };
}

export type CatalogCache = ReturnType<typeof createCatalogCache>;

interface GraphQLBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

interface Mark {
  key?: CacheKey;
  since: number;
  mutation: boolean;
  leader?: boolean;
  /** Anonymous catalogue read: its answer may be cached by a CDN. */
  shared?: boolean;
  /** Answered from this cache in preHandler (its headers are set). */
  hit?: boolean;
}
const marks = new WeakMap<FastifyRequest, Mark>();

/**
 * HTTP caching for a CDN or browser in front: anonymous catalogue answers carry an ETag (a hash
 * of the answer, so every API instance gives the same one) and
 * `Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=M`; a request whose
 * If-None-Match names the current answer gets 304 without a body. Everything else on /graphql
 * (orders, mutations, authenticated requests, errors) is `Cache-Control: no-store`.
 */
export interface HttpCachingOptions {
  sMaxAgeSeconds: number;
  staleWhileRevalidateSeconds: number;
}

// ETags of the cached answers (the same Buffer is sent until it expires); other answers' are not kept.
const etags = new WeakMap<Buffer, string>();
function etagOf(body: Buffer, remember: boolean): string {
  const known = remember ? etags.get(body) : undefined;
  if (known) return known;
  const tag = `"${hash('sha1', body, 'base64url')}"`;
  if (remember) etags.set(body, tag);
  return tag;
}
const matches = (request: FastifyRequest, etag: string) => {
  const header = request.headers['if-none-match'];
  return typeof header === 'string' && (header === etag || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));
};

/** The GraphQL request's operation: a POST's JSON body, or a GET's query string (as Apollo reads them). */
function operationOf(request: FastifyRequest): { query: string; operationName?: string; variables: string } | undefined {
  if (request.method === 'POST') {
    const body = request.body as GraphQLBody | undefined;
    if (!body || typeof body !== 'object' || typeof body.query !== 'string') return undefined;
    return { query: body.query, operationName: typeof body.operationName === 'string' ? body.operationName : undefined, variables: JSON.stringify(body.variables ?? null) };
  }
  if (request.method === 'GET') {
    const q = request.query as Record<string, unknown> | undefined;
    if (!q || typeof q.query !== 'string') return undefined;
    let variables = 'null';
    if (typeof q.variables === 'string' && q.variables !== '') {
      try {
        variables = JSON.stringify(JSON.parse(q.variables));
      } catch {
        return undefined; // Apollo answers the malformed variables
      }
    }
    return { query: q.query, operationName: typeof q.operationName === 'string' ? q.operationName : undefined, variables };
  }
  return undefined;
}

/**
 * An answer whose data's first field (other than __typename) opens an object or a list: non-null,
 * read from the answer's first bytes. The usual successful mutation (`{"data":{"reserveSeats":{`)
 * is decided by it instead of parsing the whole answer again (~6 µs of a reservation).
 */
const FIRST_FIELD_NOT_NULL = /^\{"data":\{"(?!__typename")[_A-Za-z][_0-9A-Za-z]*":[{[]/;

/** An answer with at least one non-null root field of data (other than __typename). */
export function mutationDidSomething(status: number, payload: unknown): boolean {
  if (status >= 400) return false;
  if (typeof payload !== 'string') return true; // not a JSON answer we can read: assume it wrote
  if (FIRST_FIELD_NOT_NULL.test(payload)) return true;
  try {
    const data = (JSON.parse(payload) as { data?: Record<string, unknown> | null }).data;
    return !!data && Object.entries(data).some(([field, value]) => field !== '__typename' && value !== null);
  } catch {
    return true;
  }
}

/** Route-level hooks (Fastify `preHandler`, `onSend`, `onResponse` arrays) for the GraphQL route. */
export interface GraphQLRouteHooks {
  preParsing: preParsingHookHandler[];
  preHandler: preHandlerAsyncHookHandler[];
  onSend: onSendHookHandler[];
  onResponse: onResponseHookHandler[];
}

/**
 * The GraphQL route's hooks: answer cached catalogue queries, store fresh ones, invalidate on
 * mutations; HTTP caching headers. They are the /graphql route's own (not the app's), so no other
 * route pays for them.
 */
export function catalogCacheHooks(cache: CatalogCache, onLookup?: (result: 'hit' | 'miss') => void, http?: HttpCachingOptions, replay?: AnswerReplay): GraphQLRouteHooks {
  const sharedCacheControl = http ? `public, max-age=0, s-maxage=${http.sMaxAgeSeconds}, stale-while-revalidate=${http.staleWhileRevalidateSeconds}` : undefined;
  const sendCached = (request: FastifyRequest, reply: FastifyReply, body: Buffer, shared: boolean) => {
    reply.header('x-cache', 'hit');
    if (sharedCacheControl) {
      const etag = etagOf(body, true);
      reply.header('cache-control', shared ? sharedCacheControl : 'no-store');
      if (shared) {
        reply.header('etag', etag);
        if (matches(request, etag)) return reply.code(304).send();
      }
    }
    return reply.header('content-type', 'application/json; charset=utf-8').send(body);
  };

  const lookup: preHandlerAsyncHookHandler = async (request, reply) => {
    const op = operationOf(request);
    if (!op) return;
    const kind = cache.classify(op.query, op.operationName);
    if (kind === 'mutation') {
      marks.set(request, { since: cache.generation(), mutation: true });
      return;
    }
    // Editors and admins may see more than the public (and their role must be checked each time).
    if (kind !== 'cacheable' || request.headers.authorization) return;
    // What a CDN may keep: no credentials of any kind (a back-office session is a cookie).
    const shared = request.headers.cookie === undefined;
    // A GET is answered here only if Apollo would answer it (its CSRF prevention wants one of
    // these headers on a GET); otherwise Apollo refuses it as before.
    const fromCache = request.method === 'POST' || request.headers['apollo-require-preflight'] !== undefined || request.headers['x-apollo-operation-name'] !== undefined;
    const key = cacheKey(op.query, op.operationName, op.variables);
    const hit = fromCache ? cache.get(key) : undefined;
    if (hit !== undefined) {
      onLookup?.('hit');
      marks.set(request, { since: cache.generation(), mutation: false, hit: true });
      return sendCached(request, reply, hit, shared);
    }
    if (!fromCache) {
      marks.set(request, { since: cache.generation(), mutation: false, shared });
      return;
    }
    const since = cache.generation();
    const running = cache.join(key);
    if (running) {
      let timer: NodeJS.Timeout | undefined;
      const body = await Promise.race([running, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), cache.joinWaitMs)))]);
      clearTimeout(timer);
      if (body !== undefined) {
        onLookup?.('hit');
        marks.set(request, { since: cache.generation(), mutation: false, hit: true });
        return sendCached(request, reply, body, shared);
      }
      // The other request failed, took too long, or a change came in between: compute it here.
      onLookup?.('miss');
      marks.set(request, { key, since: cache.generation(), mutation: false, shared });
      return;
    }
    onLookup?.('miss');
    marks.set(request, { key, since, mutation: false, leader: true, shared });
  };

  // A leader whose answer never reaches onSend (the client went away, an error before it) still
  // releases its waiters.
  const release: onResponseHookHandler = (request, _reply, done) => {
    const mark = marks.get(request);
    if (mark?.leader && mark.key) cache.settle(mark.key, mark.since, undefined);
    done();
  };

  const store: onSendHookHandler = (request, reply, payload, done) => {
    const mark = marks.get(request);
    if (mark?.hit) return done(null, payload);
    if (!mark) {
      if (sharedCacheControl) reply.header('cache-control', 'no-store');
      return done(null, payload);
    }
    // Before the mutation's answer leaves: the client's next listing must already see its change.
    // Only a mutation that did something: a refused one (bad input, rate limit, no rights) answers
    // without data and leaves the cache alone, so failing calls cannot keep it empty.
    if (mark.mutation) {
      if (sharedCacheControl) reply.header('cache-control', 'no-store');
      if (mutationDidSomething(reply.statusCode, payload)) cache.invalidate();
      return done(null, payload);
    }
    // Only whole successful answers: an error (or a partial result) is not worth repeating.
    const whole = reply.statusCode === 200 && typeof payload === 'string' && payload.startsWith('{"data"') && !payload.includes('"errors":');
    // A whole answer is encoded once, here: the cache, the ETag and the socket share the bytes
    // (a 10 KB string costs ~9 µs to encode and ~4 µs to measure, and was encoded up to three times).
    const body = whole && (mark.key || (sharedCacheControl && mark.shared)) ? Buffer.from(payload as string, 'utf8') : payload;
    if (mark.key) {
      if (whole) {
        cache.set(mark.key, body as Buffer, mark.since);
        reply.header('x-cache', 'miss');
      }
      if (mark.leader) {
        cache.settle(mark.key, mark.since, whole ? (body as Buffer) : undefined);
        // Settled: onResponse must not settle again (a later leader of the key may be running by then).
        mark.leader = false;
      }
    }
    if (sharedCacheControl) {
      if (!whole || !mark.shared) {
        reply.header('cache-control', 'no-store');
        return done(null, body);
      }
      const etag = etagOf(body as Buffer, !!mark.key);
      reply.header('cache-control', sharedCacheControl).header('etag', etag);
      if (matches(request, etag)) {
        reply.code(304);
        return done(null, '');
      }
    }
    // A cached anonymous answer, headers final: its repeats are answered in front of Fastify.
    if (replay && mark.key && whole && mark.shared) replay.record(request, reply, body as Buffer, mark.since);
    done(null, body);
  };

  return { preParsing: replay ? [replay.preParsing] : [], preHandler: [lookup], onSend: [store], onResponse: [release] };
}
