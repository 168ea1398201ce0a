// The route table's admin REST API (ADMIN_TOKENS bearer): which upstream handles a Subject /
// SubjectType / SubjectIdentifier, with its auth and timeout; and a ticket look-up for operators.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ConnectorDeps } from '../deps.js';
import { bearerSecurity, bodyObject, connectorScope, isPlainText, messageSchema, UUID_RE } from '../http.js';
import { TICKET_RE } from './service.js';
import { requireAdmin } from '../auth/guard.js';
import { REQUEST_OUT_AUTH_TYPES, RequestOutRoute, RequestOutTicket, type RequestOutAuthType } from './entities.js';

const routeSchema = {
  type: 'object',
  required: ['id', 'subject', 'subjectType', 'subjectIdentifier', 'name', 'upstreamUrl', 'authType', 'authHeader', 'hasSecret', 'timeoutMs', 'enabled', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    subject: { type: 'string', example: 'digitalid' },
    subjectType: { type: 'string', example: 'enrollment' },
    subjectIdentifier: { type: 'string', example: 'ektp' },
    name: { type: 'string', example: 'e-KTP enrolment' },
    upstreamUrl: { type: 'string', format: 'uri' },
    authType: { type: 'string', enum: [...REQUEST_OUT_AUTH_TYPES] },
    authHeader: { type: ['string', 'null'] },
    hasSecret: { type: 'boolean', description: 'the secret itself is never returned' },
    timeoutMs: { type: 'integer' },
    enabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const routeBody = (required: string[]) => ({
  type: 'object',
  required,
  properties: {
    subject: { type: 'string', maxLength: 100 },
    subjectType: { type: 'string', maxLength: 100 },
    subjectIdentifier: { type: 'string', maxLength: 100 },
    name: { type: 'string', maxLength: 200 },
    upstreamUrl: { type: 'string', format: 'uri', description: 'http(s) URL the job POSTs {TicketId, Subject, SubjectType, SubjectIdentifier} to' },
    authType: { type: 'string', enum: [...REQUEST_OUT_AUTH_TYPES], default: 'none' },
    authHeader: { type: 'string', description: 'header name for authType header, e.g. X-API-Key' },
    authSecret: { type: 'string', description: 'bearer token, user:password for basic, or the header value' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
    enabled: { type: 'boolean', default: true },
  },
});

const ticketSchema = {
  type: 'object',
  required: ['ticketId', 'userId', 'routeId', 'subject', 'subjectType', 'subjectIdentifier', 'status', 'attempts', 'upstreamStatus', 'error', 'correlationId', 'createdAt', 'completedAt', 'dataErasedAt', 'requeues'],
  properties: {
    ticketId: { type: 'string' },
    userId: { type: 'string' },
    routeId: { type: ['string', 'null'] },
    subject: { type: 'string' },
    subjectType: { type: 'string' },
    subjectIdentifier: { type: 'string' },
    status: { type: 'string', enum: ['PROCESSING', 'SUCCEEDED', 'FAILED'] },
    attempts: { type: 'integer' },
    upstreamStatus: { type: ['integer', 'null'] },
    error: { type: ['string', 'null'] },
    correlationId: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
    dataErasedAt: { type: ['string', 'null'], format: 'date-time', description: 'when the stored Data was erased (REQUEST_OUT_RETENTION_DAYS)' },
    requeues: { type: 'integer', description: 'times the reaper queued a lost call again' },
  },
} as const;

export const routeView = (r: RequestOutRoute) => ({
  id: r.id,
  subject: r.subject,
  subjectType: r.subjectType,
  subjectIdentifier: r.subjectIdentifier,
  name: r.name,
  upstreamUrl: r.upstreamUrl,
  authType: r.authType,
  authHeader: r.authHeader ?? null,
  hasSecret: !!r.authSecret,
  timeoutMs: r.timeoutMs,
  enabled: r.enabled,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

class BadRoute extends Error {}

/** Validated route fields from a body; `partial` for PATCH. */
export function routeFields(body: Record<string, unknown>, partial: boolean): Partial<RequestOutRoute> {
  const out: Record<string, unknown> = {};
  const str = (field: string, max: number, lower = false) => {
    const v = body[field];
    if (v === undefined && partial) return;
    if (typeof v !== 'string' || !v.trim() || v.trim().length > max || !isPlainText(v)) throw new BadRoute(`${field} must be a non-empty string of at most ${max} characters, without control characters`);
    out[field] = lower ? v.trim().toLowerCase() : v.trim();
  };
  str('subject', 100, true);
  str('subjectType', 100, true);
  str('subjectIdentifier', 100, true);
  str('name', 200);
  if (body.upstreamUrl !== undefined || !partial) {
    let ok = false;
    try {
      const u = new URL(String(body.upstreamUrl));
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && typeof body.upstreamUrl === 'string' && body.upstreamUrl.length <= 2000 && !u.username && !u.password;
    } catch {
      ok = false;
    }
    if (!ok) throw new BadRoute('upstreamUrl must be an http:// or https:// URL without credentials (use authType/authSecret)');
    out.upstreamUrl = body.upstreamUrl;
  }
  if (body.authType !== undefined || !partial) {
    const t = body.authType ?? 'none';
    if (!REQUEST_OUT_AUTH_TYPES.includes(t as RequestOutAuthType)) throw new BadRoute(`authType must be one of ${REQUEST_OUT_AUTH_TYPES.join(', ')}`);
    out.authType = t;
  }
  if (body.authHeader !== undefined) {
    if (body.authHeader !== null && (typeof body.authHeader !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(body.authHeader))) throw new BadRoute('authHeader must be a header name such as X-API-Key');
    out.authHeader = body.authHeader;
  }
  if (body.authSecret !== undefined) {
    if (body.authSecret !== null && (typeof body.authSecret !== 'string' || body.authSecret.length > 2000 || /[\r\n]/.test(body.authSecret))) throw new BadRoute('authSecret must be a single-line string of at most 2000 characters');
    out.authSecret = body.authSecret;
  }
  if (body.timeoutMs !== undefined || !partial) {
    const t = body.timeoutMs ?? 10_000;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 100 || t > 120_000) throw new BadRoute('timeoutMs must be a whole number from 100 to 120000');
    out.timeoutMs = t;
  }
  if (body.enabled !== undefined || !partial) {
    const e = body.enabled ?? true;
    if (typeof e !== 'boolean') throw new BadRoute('enabled must be true or false');
    out.enabled = e;
  }
  return out as Partial<RequestOutRoute>;
}

function checkAuth(r: Pick<RequestOutRoute, 'authType' | 'authHeader' | 'authSecret'>) {
  if (r.authType !== 'none' && !r.authSecret) throw new BadRoute(`authSecret is required for authType ${r.authType}`);
  if (r.authType === 'header' && !r.authHeader) throw new BadRoute('authHeader is required for authType header');
  if (r.authType === 'basic' && !String(r.authSecret).includes(':')) throw new BadRoute('authSecret must be user:password for authType basic');
}

export async function registerRequestOutAdmin(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  await app.register(async (scope) => {
    const envelope = (_s: number, message: string) => ({ message });
    connectorScope(scope, { envelope });
    const admin = requireAdmin(deps.config, { envelope });
    const common = { tags: ['Admin: Request Out routes'], security: bearerSecurity };
    const idParams = { type: 'object', properties: { id: { type: 'string' } } };
    const bad = (reply: FastifyReply, err: unknown) => {
      if (err instanceof BadRoute) return reply.code(400).send({ message: err.message });
      if (err instanceof UniqueConstraintViolationException) return reply.code(409).send({ message: 'a route for this subject, subjectType and subjectIdentifier already exists' });
      throw err;
    };

    scope.get('/api/admin/request-out/routes', { preHandler: admin, schema: { ...common, summary: 'List routes', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: routeSchema } } }, 401: messageSchema } } }, async () => {
      const routes = await deps.db.em().find(RequestOutRoute, {}, { orderBy: { subject: 'asc', subjectType: 'asc', subjectIdentifier: 'asc' } });
      return { items: routes.map(routeView) };
    });

    scope.post(
      '/api/admin/request-out/routes',
      {
        preHandler: admin,
        schema: {
          ...common,
          summary: 'Create a route',
          description: 'Subject, SubjectType and SubjectIdentifier are matched case-insensitively (stored lower-cased).',
          body: routeBody(['subject', 'subjectType', 'subjectIdentifier', 'name', 'upstreamUrl']),
          response: { 201: routeSchema, 400: messageSchema, 401: messageSchema, 409: messageSchema },
        },
      },
      async (request, reply) => {
        try {
          const fields = routeFields(bodyObject(request.body) ?? {}, false);
          checkAuth(fields as RequestOutRoute);
          const em = deps.db.em();
          const route = em.create(RequestOutRoute, fields as never);
          await em.flush();
          return reply.code(201).send(routeView(route));
        } catch (err) {
          return bad(reply, err);
        }
      },
    );

    scope.get('/api/admin/request-out/routes/:id', { preHandler: admin, schema: { ...common, summary: 'One route', params: idParams, response: { 200: routeSchema, 401: messageSchema, 404: messageSchema } } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const route = UUID_RE.test(id) ? await deps.db.em().findOne(RequestOutRoute, { id }) : null;
      return route ? routeView(route) : reply.code(404).send({ message: 'route not found' });
    });

    scope.patch(
      '/api/admin/request-out/routes/:id',
      { preHandler: admin, schema: { ...common, summary: 'Change a route (any subset of the fields)', params: idParams, body: routeBody([]), response: { 200: routeSchema, 400: messageSchema, 401: messageSchema, 404: messageSchema, 409: messageSchema } } },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        try {
          const fields = routeFields(bodyObject(request.body) ?? {}, true);
          const em = deps.db.em();
          const route = UUID_RE.test(id) ? await em.findOne(RequestOutRoute, { id }) : null;
          if (!route) return reply.code(404).send({ message: 'route not found' });
          em.assign(route, fields as never);
          checkAuth(route);
          await em.flush();
          return routeView(route);
        } catch (err) {
          return bad(reply, err);
        }
      },
    );

    scope.delete('/api/admin/request-out/routes/:id', { preHandler: admin, schema: { ...common, summary: 'Delete a route (its tickets keep their results)', params: idParams, response: { 200: messageSchema, 401: messageSchema, 404: messageSchema } } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const n = UUID_RE.test(id) ? await deps.db.em().nativeDelete(RequestOutRoute, { id }) : 0;
      return n ? { message: 'route deleted' } : reply.code(404).send({ message: 'route not found' });
    });

    scope.get(
      '/api/admin/request-out/tickets/:ticketId',
      { preHandler: admin, schema: { ...common, summary: 'A ticket: its state, upstream status and error', params: { type: 'object', properties: { ticketId: { type: 'string' } } }, response: { 200: ticketSchema, 401: messageSchema, 404: messageSchema } } },
      async (request, reply) => {
        const { ticketId } = request.params as { ticketId: string };
        const t = TICKET_RE.test(ticketId) ? await deps.db.em().findOne(RequestOutTicket, { ticketId }) : null;
        if (!t) return reply.code(404).send({ message: 'ticket not found' });
        const id = (r: unknown) => (r === null || r === undefined ? null : typeof r === 'string' ? r : (r as { id: string }).id);
        return {
          ticketId: t.ticketId,
          userId: id(t.user)!,
          routeId: id(t.route),
          subject: t.subject,
          subjectType: t.subjectType,
          subjectIdentifier: t.subjectIdentifier,
          status: t.status,
          attempts: t.attempts,
          upstreamStatus: t.upstreamStatus ?? null,
          error: t.error ?? null,
          correlationId: t.correlationId ?? null,
          createdAt: t.createdAt.toISOString(),
          completedAt: t.completedAt ? t.completedAt.toISOString() : null,
          dataErasedAt: t.dataErasedAt ? t.dataErasedAt.toISOString() : null,
          requeues: t.requeues,
        };
      },
    );
  });
}
