// Inbound side of the request/response log, as root-level Fastify hooks: every request runs in a
// correlation context (its request id), and requests to the connector surface (/public, /api) are
// recorded when their response has been sent.
//
// GraphQL (/graphql) is not recorded here: it is the storefront's high-volume API, anonymous
// customers' checkout variables are personal data from end to end, and pino already logs each
// request. Its outbound calls (Maconomy) are recorded, with the GraphQL request's id as their
// correlation id. Docs, health checks and the log's own admin query are not recorded either.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpLog } from './log.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, for the log: a connector user id or `admin`. Set by the auth helpers. */
    httpLogActor?: string;
  }
  interface FastifyContextConfig {
    /** Route options: `httpLog: false` skips the log; `httpLogSystem` names the system recorded. */
    httpLog?: boolean;
    httpLogSystem?: string;
  }
}

const kPayload = Symbol('httpLogPayload');
type WithPayload = FastifyRequest & { [kPayload]?: unknown };

export function shouldLogInbound(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  if (path.startsWith('/api/admin/http-log')) return false;
  return path.startsWith('/public/') || path.startsWith('/api/');
}

/** The system an inbound request belongs to, when its route does not say (config.httpLogSystem). */
export function inboundSystem(url: string): string {
  const path = url.split('?', 1)[0]!;
  if (path.startsWith('/public/auth')) return 'connector-auth';
  if (path.startsWith('/public/')) return 'product-price';
  const connector = /^\/api\/connectors\/([^/]+)/.exec(path);
  if (connector) return connector[1]!.slice(0, 50);
  if (path.startsWith('/api/request-out')) return 'request-out';
  if (path.startsWith('/api/admin')) return 'admin';
  return 'api';
}

export function registerHttpLogHooks(app: FastifyInstance, httpLog: HttpLog): void {
  // The request's correlation scope is the observability log context (its preHandler hook).
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) (request as WithPayload)[kPayload] = payload;
    done(null, payload);
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    try {
      const cfg = request.routeOptions?.config;
      if (cfg?.httpLog === false || (cfg?.httpLog !== true && !shouldLogInbound(request.url))) return done();
      httpLog.record({
        at: new Date(Date.now() - reply.elapsedTime),
        direction: 'in',
        system: cfg?.httpLogSystem ?? inboundSystem(request.url),
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
        correlationId: request.id,
        actor: request.httpLogActor ?? null,
        requestHeaders: request.headers,
        requestBody: request.body,
        // Parsed bodies are queued as they are only when known to be small (Content-Length is checked by the parser).
        requestBodyBytes: request.headers['content-length'] ? Number(request.headers['content-length']) : null,
        requestContentType: request.headers['content-type'] ?? null,
        responseHeaders: reply.getHeaders() as Record<string, string>,
        responseBody: (request as WithPayload)[kPayload],
        responseContentType: String(reply.getHeader('content-type') ?? ''),
      });
    } catch {
      /* the log never fails a request */
    }
    done();
  });
}
