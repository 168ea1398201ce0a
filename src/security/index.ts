// Browser security and abuse limits for the storefront API: security headers (helmet's set, with a
// Content-Security-Policy that still lets the offline GraphQL IDE at GET /graphql run), CORS for
// the configured storefront origins only, per-client rate limits on anonymous GraphQL requests
// (clientLimit) and on the booking mutations. docs/security.md lists every limit.
// Request body size (BODY_LIMIT_BYTES), query depth/cost and page size are enforced elsewhere
// (Fastify's bodyLimit, src/graphql/limits.ts, the courses resolver); seats per order and per
// client in the booking service.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import cors from '@fastify/cors';
import helmet, { contentSecurityPolicy } from 'helmet';
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Config } from '../config.js';
import { DomainError } from '../errors.js';
import { tokenInList } from '../booking/tokens.js';
import { clientKeyOf, createRateLimiter, createWindowLimiter, type RateLimiter } from './rate-limit.js';

export { clientKeyOf, createRateLimiter, createWindowLimiter, type RateLimiter, type RateLimitDecision } from './rate-limit.js';

/**
 * A Content-Security-Policy header value built by helmet from directives, in the `a; b` form.
 * Computed once per policy: helmet validates and serialises, we only reuse the result.
 */
export function cspHeader(directives: Record<string, string[]>): string {
  const headers = headersOf(contentSecurityPolicy({ useDefaults: false, directives }));
  return (headers['content-security-policy'] ?? '').split(';').join('; ');
}

/** The headers a helmet middleware sets, captured once (no request needed: none of ours vary). */
function headersOf(middleware: (req: never, res: never, next: (err?: unknown) => void) => void): Record<string, string> {
  const out: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (out[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete out[name.toLowerCase()],
    getHeader: (name: string) => out[name.toLowerCase()],
  };
  middleware({ headers: {} } as never, res as never, (err) => {
    if (err) throw err;
  });
  return out;
}

/** JSON answers are never rendered by a browser: nothing may load, nothing may frame them. */
const API_CSP = cspHeader({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"] });

/**
 * The IDE page (Altair, served from npm) runs its inline bootstrap script (allowed by hash, so no
 * other inline script can run), loads its bundle from /graphql/ide/, injects styles at run time,
 * and its bundle uses `new Function`, hence 'unsafe-eval' on this one page. It talks only to
 * this origin.
 */
function ideCsp(html: string): string {
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`,
  );
  return cspHeader({
    'default-src': ["'self'"],
    'script-src': ["'self'", "'unsafe-eval'", ...hashes],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'object-src': ["'none'"],
  });
}

/**
 * helmet's default headers (helmet 8), HSTS only outside demo mode. Content-Security-Policy is
 * chosen per response below. Computed once from helmet itself and set as a fixed map: registering
 * @fastify/helmet instead rebuilds helmet's middleware on every request, which halved the
 * requests per second of a trivial route (3.8k vs 7.5k) and cost more than half of a cached
 * catalogue answer's time; these values never vary per request.
 */
export function securityHeaders(opts: { hsts: boolean }): Record<string, string> {
  return headersOf(helmet({ contentSecurityPolicy: false, strictTransportSecurity: opts.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false }));
}

declare module 'fastify' {
  interface FastifyRequest {
    /** request.ip, read once (clientIp). */
    clientIp: string;
  }
}

/**
 * The client's address (request.ip) worked out once per request. Behind a trusted proxy every read
 * of request.ip parses X-Forwarded-For and the socket's address again (proxy-addr with ipaddr.js:
 * ~5 µs), and a GraphQL request needs it twice: for the anonymous query limit and for its context.
 */
export function clientIp(request: FastifyRequest): string {
  return (request.clientIp ||= request.ip);
}

export async function registerSecurity(app: FastifyInstance, config: Config): Promise<void> {
  // Declared on the request's shape (Fastify's decorator) rather than added to each request later.
  if (!app.hasRequestDecorator('clientIp')) app.decorateRequest('clientIp', '');
  const headers = securityHeaders({ hsts: !config.demo });
  const ideCspByPage = new Map<string, string>();
  const IDE_ASSET_CSP = ideCsp('');
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(headers);
    const isIde = request.url.startsWith('/graphql') && (request.url.startsWith('/graphql/ide/') || (request.url.split('?')[0] === '/graphql' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')));
    if (!isIde) {
      reply.header('content-security-policy', API_CSP);
      return done(null, payload);
    }
    if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      let csp = ideCspByPage.get(payload);
      if (!csp) {
        csp = ideCsp(payload);
        if (ideCspByPage.size < 16) ideCspByPage.set(payload, csp);
      }
      reply.header('content-security-policy', csp);
    } else {
      reply.header('content-security-policy', IDE_ASSET_CSP);
    }
    done(null, payload);
  });

  const allowed = new Set(config.security.corsOrigins);
  await app.register(cors, {
    // Exact origins only. Requests without an Origin header (servers, curl) are not CORS requests.
    origin: (origin, cb) => cb(null, !origin ? false : allowed.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    credentials: false,
    maxAge: 600,
    strictPreflight: true,
  });
}

/** A request hook (onRequest or preHandler) that either lets the request through or has answered it. */
export type ClientLimitHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * A per-client fixed-window limit (createWindowLimiter, keyed by clientKeyOf(request.ip)) as a
 * hook that answers 429 with Retry-After in the caller's envelope. `max` 0: no limit (null).
 * A plain callback hook, synchronous: it runs on every anonymous GraphQL request.
 */
export function clientLimit(opts: {
  max: number;
  windowMs?: number;
  /** Requests not counted; `ip` is the client's address (clientIp). */
  exempt?: (request: FastifyRequest, ip: string) => boolean;
  refuse: (reply: FastifyReply, retryAfterSeconds: number) => FastifyReply;
}): ClientLimitHook | null {
  if (opts.max <= 0) return null;
  // maxKeys: clients remembered per limiter (least recently seen dropped first), bounded memory.
  const limiter = createWindowLimiter({ limit: opts.max, windowMs: opts.windowMs ?? 60_000, maxKeys: 100_000 });
  return (request, reply, done) => {
    const ip = clientIp(request);
    if (opts.exempt?.(request, ip)) return done();
    const decision = limiter.hit(clientKeyOf(ip));
    if (decision.allowed) return done();
    // Answered here: a callback hook that has sent its reply does not call done().
    opts.refuse(reply.code(429).header('retry-after', String(decision.retryAfterSeconds)), decision.retryAfterSeconds);
  };
}

/**
 * Anonymous GraphQL requests per client (RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE), as a preHandler
 * hook for the GraphQL route, to run after the catalogue cache's: a cached listing is answered in
 * that earlier hook and never gets here, so browsing the catalogue costs a client nothing of its
 * allowance; only what runs resolvers does. Editors and admins (a valid token) and
 * RATE_LIMIT_EXEMPT_IPS are not limited. The booking mutations keep their own, stricter limits
 * (rateLimitPlugin below). null: no limit configured.
 */
export function anonymousQueryLimit(config: Config): ClientLimitHook | null {
  const exemptIps = new Set(config.security.rateLimitExemptIps);
  return clientLimit({
    max: config.security.anonymousQueryRatePerMinute,
    exempt: (request, ip) => {
      if (exemptIps.has(ip)) return true;
      const m = /^Bearer\s+(\S{1,500})$/i.exec(request.headers.authorization?.trim() ?? '');
      return !!m && (tokenInList(m[1]!, config.adminTokens) || tokenInList(m[1]!, config.editorTokens));
    },
    refuse: (reply, seconds) =>
      reply.send({ errors: [{ message: `too many requests from this client; try again in ${seconds} s`, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds } }] }),
  });
}

export interface BookingRateLimits {
  /** Root mutation field name -> its limiter. */
  byField: Record<string, RateLimiter>;
}

const ONCE_PER_REQUEST = new Set(['reserveSeats', 'checkout', 'cancelReservation']);

export function bookingRateLimits(config: Config): BookingRateLimits {
  return {
    byField: {
      reserveSeats: createRateLimiter({ limit: config.security.reserveRatePerMinute, windowMs: 60_000 }),
      checkout: createRateLimiter({ limit: config.security.checkoutRatePerMinute, windowMs: 60_000 }),
    },
  };
}

/**
 * Rate limits per client on root mutation fields. Checked after parsing and before execution, so a
 * refused call costs no SQL and no Maconomy request; every aliased copy of a field in one request
 * counts. The answer is HTTP 429 with Retry-After and `extensions.code` RATE_LIMITED.
 */
export function rateLimitPlugin(limits: BookingRateLimits, clientKey: (ctx: { clientKey?: string }) => string | undefined): ApolloServerPlugin<{ clientKey: string }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const key = clientKey(contextValue) ?? 'unknown';
          const counts = new Map<string, number>();
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
          );
          countRootFields(operation.selectionSet, fragments, counts);
          for (const [field, n] of counts) {
            // One booking step per request: aliases must not turn one request into a hundred holds.
            if (n > 1 && ONCE_PER_REQUEST.has(field))
              throw new GraphQLError(`${field} may appear once per request (this one has ${n}); send separate requests`, {
                extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } },
              });
          }
          for (const [field, n] of counts) {
            const limiter = limits.byField[field];
            if (!limiter) continue;
            const decision = limiter.take(key, n);
            if (!decision.allowed) {
              const message = `too many ${field} calls from this client; try again in ${decision.retryAfterSeconds} s`;
              throw new GraphQLError(message, {
                originalError: new DomainError('RATE_LIMITED', message, { retryAfterSeconds: decision.retryAfterSeconds, field }),
                extensions: {
                  code: 'RATE_LIMITED',
                  retryAfterSeconds: decision.retryAfterSeconds,
                  http: { status: 429, headers: new HeaderMap([['retry-after', String(decision.retryAfterSeconds)]]) },
                },
              });
            }
          }
        },
      };
    },
  };
}

/**
 * Root fields of a mutation, fragments included (a fragment must not hide extra calls). Each
 * fragment is counted once and its counts reused at every spread, so a fan-out of fragments costs
 * time linear in the document, not in what it expands to; counts saturate instead of growing.
 */
function countRootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, counts: Map<string, number>) {
  const memo = new Map<string, Map<string, number>>();
  const inProgress = new Set<string>();
  const add = (into: Map<string, number>, field: string, n: number) => into.set(field, Math.min(1_000_000_000, (into.get(field) ?? 0) + n));
  const countsOf = (s: SelectionSetNode, into: Map<string, number>) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) add(into, sel.name.value, 1);
      else if (sel.kind === Kind.INLINE_FRAGMENT) countsOf(sel.selectionSet, into);
      else {
        const name = sel.name.value;
        let known = memo.get(name);
        if (!known) {
          const fragment = fragments.get(name);
          if (!fragment || inProgress.has(name)) continue; // cycles are refused by graphql's validation
          inProgress.add(name);
          known = new Map();
          countsOf(fragment.selectionSet, known);
          inProgress.delete(name);
          memo.set(name, known);
        }
        for (const [field, n] of known) add(into, field, n);
      }
    }
  };
  countsOf(set, counts);
}
