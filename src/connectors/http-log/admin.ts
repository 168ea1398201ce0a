// Admin surface of the request/response log: the query API (ADMIN_TOKENS bearer) and the prune
// that the daily `http-log-prune` job runs.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/orm.js';
import { inBatches } from '../../db/batches.js';
import type { ConnectorDeps } from '../deps.js';
import { bearerSecurity, connectorScope, isPlainText, messageSchema } from '../http.js';
import { requireAdmin } from '../auth/guard.js';
import { HttpLogEntry } from './entities.js';
import { instantParam, limitParam } from '../params.js';

/** Deletes entries older than the retention, in batches so no statement holds the table for long. */
export async function pruneHttpLog(db: Db, opts: { retentionDays: number; now: Date; batchSize?: number }): Promise<number> {
  const cutoff = new Date(opts.now.getTime() - opts.retentionDays * 86_400_000);
  return inBatches(db, opts.batchSize ?? 5000, async (em, limit) => {
    const rows = await em.find(HttpLogEntry, { at: { $lt: cutoff } }, { fields: ['id'], orderBy: { id: 'asc' }, limit });
    if (!rows.length) return { found: 0, changed: 0 };
    return { found: rows.length, changed: await em.nativeDelete(HttpLogEntry, { id: { $in: rows.map((r) => r.id) } }) };
  });
}

const statsSchema = {
  type: 'object',
  required: ['queued', 'written', 'dropped', 'failed', 'queueMax', 'queuedBytes', 'queueMaxBytes'],
  properties: {
    queued: { type: 'integer', description: 'entries waiting to be written' },
    written: { type: 'integer' },
    dropped: { type: 'integer', description: 'entries refused because the queue was full (HTTP_LOG_QUEUE_MAX entries or HTTP_LOG_QUEUE_MAX_BYTES)' },
    failed: { type: 'integer', description: 'entries lost because their batch could not be written' },
    queueMax: { type: 'integer' },
    queuedBytes: { type: 'integer', description: 'approximate memory held by waiting entries' },
    queueMaxBytes: { type: 'integer' },
  },
} as const;

const entrySchema = {
  type: 'object',
  required: ['id', 'at', 'direction', 'system', 'method', 'url', 'status', 'durationMs', 'correlationId', 'actor', 'requestHeaders', 'requestBody', 'responseHeaders', 'responseBody', 'error'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    direction: { type: 'string', enum: ['in', 'out'] },
    system: { type: 'string' },
    method: { type: 'string' },
    url: { type: 'string' },
    status: { type: ['integer', 'null'] },
    durationMs: { type: 'integer' },
    correlationId: { type: ['string', 'null'] },
    actor: { type: ['string', 'null'] },
    requestHeaders: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    requestBody: { type: ['string', 'null'] },
    responseHeaders: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    responseBody: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
  },
} as const;

const parseJson = (s: string | null) => {
  if (s === null) return null;
  try {
    return JSON.parse(s) as Record<string, string>;
  } catch {
    return null;
  }
};

export async function registerHttpLogAdmin(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  await app.register(async (scope) => {
    const envelope = (_s: number, message: string) => ({ message });
    connectorScope(scope, { envelope });
    const admin = requireAdmin(deps.config, { envelope });

    scope.get(
      '/api/admin/http-log',
      {
        preHandler: admin,
        schema: {
          tags: ['Admin: request/response log'],
          security: bearerSecurity,
          summary: 'Query the request/response log, newest first',
          description:
            '`status` is an HTTP status (`502`), a class (`4xx`, `5xx`) or `error` (no response: timeout, refused). `from`/`to` are ISO 8601 instants on `at`. Page with `before` = the previous answer\'s `nextBefore`.',
          querystring: {
            type: 'object',
            properties: {
              system: { type: 'string' },
              direction: { type: 'string', enum: ['in', 'out'] },
              status: { type: 'string' },
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              correlationId: { type: 'string' },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
              before: { type: 'integer' },
            },
          },
          response: {
            200: { type: 'object', required: ['items', 'nextBefore', 'stats'], properties: { items: { type: 'array', items: entrySchema }, nextBefore: { type: ['integer', 'null'] }, stats: statsSchema } },
            400: messageSchema,
            401: messageSchema,
          },
        },
      },
      async (request, reply) => {
        const q = request.query as Record<string, string | undefined>;
        const where: Record<string, unknown> = {};
        for (const key of ['system', 'correlationId'] as const) if (q[key] && !isPlainText(q[key])) return reply.code(400).send({ message: `${key} must not contain control characters` });
        if (q.system) where.system = q.system;
        if (q.direction) {
          if (q.direction !== 'in' && q.direction !== 'out') return reply.code(400).send({ message: 'direction must be in or out' });
          where.direction = q.direction;
        }
        if (q.correlationId) where.correlationId = q.correlationId;
        if (q.status) {
          const s = q.status.toLowerCase();
          if (/^\d{3}$/.test(s)) where.status = Number(s);
          else if (/^[1-5]xx$/.test(s)) where.status = { $gte: Number(s[0]) * 100, $lt: Number(s[0]) * 100 + 100 };
          else if (s === 'error') where.status = null;
          else return reply.code(400).send({ message: 'status must be an HTTP status (502), a class (5xx) or error' });
        }
        const at: Record<string, Date> = {};
        for (const key of ['from', 'to'] as const) {
          if (!q[key]) continue;
          at[key === 'from' ? '$gte' : '$lte'] = instantParam(q[key], key)!;
        }
        if (Object.keys(at).length) where.at = at;
        const limit = limitParam(q.limit, { fallback: 50 });
        if (q.before !== undefined) {
          const before = /^\d{1,15}$/.test(q.before) ? Number(q.before) : 0;
          if (before < 1) return reply.code(400).send({ message: 'before must be a nextBefore from an earlier answer (a positive whole number)' });
          where.id = { $lt: before };
        }
        // What is still queued is written first, so a request made a moment ago is found.
        await deps.httpLog.flush();
        const rows = await deps.db.em().find(HttpLogEntry, where as never, { orderBy: { id: 'desc' }, limit: limit + 1 });
        const page = rows.slice(0, limit);
        return {
          items: page.map((r) => ({
            id: Number(r.id),
            at: r.at.toISOString(),
            direction: r.direction,
            system: r.system,
            method: r.method,
            url: r.url,
            status: r.status ?? null,
            durationMs: r.durationMs,
            correlationId: r.correlationId ?? null,
            actor: r.actor ?? null,
            requestHeaders: parseJson(r.requestHeaders ?? null),
            requestBody: r.requestBody ?? null,
            responseHeaders: parseJson(r.responseHeaders ?? null),
            responseBody: r.responseBody ?? null,
            error: r.error ?? null,
          })),
          nextBefore: rows.length > limit ? Number(page[page.length - 1]!.id) : null,
          stats: deps.httpLog.stats(),
        };
      },
    );

    scope.get(
      '/api/admin/http-log/stats',
      { preHandler: admin, schema: { tags: ['Admin: request/response log'], security: bearerSecurity, summary: 'Counters of the log writer (queued, written, dropped, failed)', response: { 200: statsSchema, 401: messageSchema } } },
      async () => deps.httpLog.stats(),
    );
  });
}
