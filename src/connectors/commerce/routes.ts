// REST surface of the Jubelio gateway and the BaseLinker <-> Optimakers bridge:
//   ERP side (connector-user bearer tokens): stage products and read their push status, pull and
//   acknowledge Jubelio sales orders and Optimakers product changes;
//   webhooks (signature / security token on the raw body): store, answer 200, process in a job;
//   admin (ADMIN_TOKENS): run a job now, its runs and errors, the connector check, failed imports.
// Errors use one envelope: `{"error": {"code", "message", "field"?}}`. Routes stay thin: the work is
// in the services next to them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/orm.js';
import type { JobRunner } from '../../jobs/types.js';
import { connectorScope, bearerSecurity, isPlainText } from '../http.js';
import { requireAdmin, requireConnectorUser } from '../auth/index.js';
import type { CommerceConnectors } from './connectors.js';
import { storeDelivery } from './deliveries.js';
import { COMMERCE_JOBS, enqueueDeliveryJob, type CommerceJobName } from './jobs.js';
import { ConnectorJobRun } from './entities.js';
import { checkConnectors, CHECK_TARGETS, type CheckTarget } from './check.js';
import { listProducts, MAX_STAGE_BATCH, STAGE_BODY_LIMIT, stageProducts } from '../jubelio/products.js';
import { PRODUCT_STATUSES } from '../jubelio/entities.js';
import { ackSalesOrder, deliveryKeyOf, listSalesOrders, verifyJubelioSignature, type AckResult } from '../jubelio/sales-orders.js';
import { parseCursor, parseKeyCursor } from '../change-cursor.js';
import { cursorParam, idParam, InputError, instantParam, limitParam, oneOfParam } from '../params.js';
import { ackProductChange, listProductChanges, readMessage, tokenMatches } from '../baselinker-optimakers/webhooks.js';
import { BridgeOrder, BRIDGE_ORDER_STATUSES } from '../baselinker-optimakers/entities.js';

export interface CommerceRouteDeps {
  config: Config;
  db: Db;
  now: () => Date;
  jobs?: JobRunner;
  commerce: CommerceConnectors;
}

/** What an Optimakers product change can be (the `event` filter of the product change feed). */
const PRODUCT_CHANGE_EVENTS = ['created', 'updated', 'deleted'] as const;

const CODES: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'TOO_MANY_REQUESTS', 500: 'INTERNAL', 503: 'CONNECTOR_DISABLED' };
export const errorBody = (status: number, message: string, field?: string) => ({ error: { code: CODES[status] ?? 'ERROR', message, ...(field ? { field } : {}) } });
const fail = (reply: FastifyReply, status: number, message: string, field?: string) => reply.code(status).send(errorBody(status, message, field));

// ---- response schemas of the OpenAPI document (/docs/json); the contract test checks live answers against them
const errorSchema = {
  title: 'CommerceError',
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: { code: { type: 'string', enum: Object.values(CODES) }, message: { type: 'string' }, field: { type: 'string', description: 'the parameter or body field at fault' } },
    },
  },
} as const;
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
const dateTime = { type: 'string', format: 'date-time' } as const;
const nextCursor = { ...nullable('string'), description: 'pass as `after` for the next page; null on the last page' };
const stageResultSchema = {
  title: 'StageResult',
  type: 'object',
  required: ['accepted', 'rejected', 'results'],
  properties: {
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'sku', 'result'],
        properties: {
          index: { type: 'integer' },
          sku: nullable('string'),
          result: { type: 'string', enum: ['created', 'updated', 'unchanged', 'rejected'] },
          status: { type: 'string', enum: ['pending', 'pushed', 'failed'] },
          errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
} as const;
/** One page of a cursor-paged list: its items, and the cursor of the next page. */
const cursorPage = <T extends object>(title: string, item: T) =>
  ({
    title,
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: { type: 'object', ...item } }, nextCursor },
  }) as const;
const productListSchema = cursorPage('StagedProductList', {
  required: ['sku', 'name', 'status', 'itemGroupId', 'itemId', 'lastError', 'attempts', 'stagedAt', 'pushedAt'],
  properties: { sku: { type: 'string' }, name: { type: 'string' }, status: { type: 'string', enum: ['pending', 'pushed', 'failed'] }, itemGroupId: nullable('integer'), itemId: nullable('integer'), lastError: nullable('string'), attempts: { type: 'integer' }, stagedAt: dateTime, pushedAt: nullable('string', { format: 'date-time' }) },
});
const salesOrderListSchema = cursorPage('SalesOrderList', {
  required: ['salesorderId', 'salesorderNo', 'status', 'version', 'acknowledgedVersion', 'changedAt', 'order'],
  properties: { salesorderId: { type: 'integer' }, salesorderNo: nullable('string'), status: nullable('string'), version: { type: 'integer' }, acknowledgedVersion: { type: 'integer' }, changedAt: dateTime, order: { type: 'object', description: "Jubelio's sales order as it sent it" } },
});
const productChangeListSchema = cursorPage('ProductChangeList', {
  required: ['productId', 'event', 'version', 'acknowledgedVersion', 'changedAt', 'product'],
  properties: { productId: { type: 'integer' }, event: { type: 'string', enum: [...PRODUCT_CHANGE_EVENTS] }, version: { type: 'integer' }, acknowledgedVersion: { type: 'integer' }, changedAt: dateTime, product: { ...nullable('object'), description: 'the product as Optimakers returned it; null once deleted' } },
});
const ackSchema = (idName: string, title: string) =>
  ({
    title,
    type: 'object',
    required: [idName, 'acknowledgedVersion', 'currentVersion', 'pending'],
    properties: { [idName]: { type: 'integer' }, acknowledgedVersion: { type: 'integer' }, currentVersion: { type: 'integer' }, pending: { type: 'boolean', description: 'a newer version than the acknowledged one is waiting' } },
  }) as const;
const receivedSchema = {
  title: 'WebhookReceived',
  type: 'object',
  required: ['received', 'duplicate', 'deliveryId'],
  properties: { received: { type: 'boolean', const: true }, duplicate: { type: 'boolean', description: 'this delivery was stored before (a retry); it is not processed again' }, deliveryId: { type: 'string' } },
} as const;
const jobQueuedSchema = { title: 'JobQueued', type: 'object', required: ['name', 'queued', 'jobId'], properties: { name: { type: 'string' }, queued: { type: 'boolean', const: true }, jobId: { type: 'string' } } } as const;
const jobStatusSchema = {
  title: 'JobStatus',
  type: 'object',
  required: ['name', 'schedule', 'counts', 'lastError', 'runs'],
  properties: {
    name: { type: 'string' },
    schedule: { ...nullable('object'), required: ['interval', 'nextRunAt', 'lastRunAt', 'lastFinishedAt'], properties: { interval: { type: 'string' }, nextRunAt: nullable('string', { format: 'date-time' }), lastRunAt: nullable('string', { format: 'date-time' }), lastFinishedAt: nullable('string', { format: 'date-time' }) } },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
    lastError: { ...nullable('object'), required: ['at', 'reason', 'failCount'], properties: { at: nullable('string', { format: 'date-time' }), reason: { type: 'string' }, failCount: { type: 'integer' } } },
    runs: {
      type: 'array',
      items: { type: 'object', required: ['id', 'startedAt', 'finishedAt', 'status', 'counts', 'error'], properties: { id: { type: 'string' }, startedAt: dateTime, finishedAt: nullable('string', { format: 'date-time' }), status: { type: 'string' }, counts: { ...nullable('object'), additionalProperties: { type: 'integer' } }, error: nullable('string') } },
    },
  },
} as const;
const checkSchema = {
  title: 'ConnectorCheck',
  type: 'object',
  required: ['ok', 'reports'],
  properties: {
    ok: { type: 'boolean' },
    reports: { type: 'array', items: { type: 'object', required: ['connector', 'ok', 'checks'], properties: { connector: { type: 'string' }, ok: { type: 'boolean' }, checks: { type: 'array', items: { type: 'object', required: ['check', 'ok', 'detail'], properties: { check: { type: 'string' }, ok: { type: 'boolean' }, detail: { type: 'string' } } } } } } },
    simulators: { type: 'object', description: 'demo mode: where the simulators listen', properties: { jubelio: nullable('string'), baselinker: nullable('string'), optimakers: nullable('string') } },
  },
} as const;
const bridgeOrdersSchema = {
  title: 'BridgeOrderList',
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['baselinkerOrderId', 'status', 'optimakersOrderId', 'reason', 'attempts', 'importedAt', 'realisedAt', 'statusSentAt', 'statusError'],
        properties: {
          baselinkerOrderId: { type: 'integer' },
          status: { type: 'string', enum: [...BRIDGE_ORDER_STATUSES] },
          optimakersOrderId: nullable('integer'),
          reason: nullable('string'),
          attempts: { type: 'integer' },
          importedAt: nullable('string', { format: 'date-time' }),
          realisedAt: nullable('string', { format: 'date-time' }),
          statusSentAt: nullable('string', { format: 'date-time' }),
          statusError: nullable('string'),
        },
      },
    },
  },
} as const;
const retrySchema = { title: 'BridgeRetryQueued', type: 'object', required: ['baselinkerOrderId', 'queued'], properties: { baselinkerOrderId: { type: 'integer' }, queued: { type: 'boolean', const: true } } } as const;
/** The answers of a route in the commerce envelope: 400 bad input, 401 token, 404/409 per route, 503 connector not configured. */
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorSchema]));

/** `{"version": n}` of an acknowledgement. */
function versionOf(body: unknown): number {
  const v = body && typeof body === 'object' ? (body as { version?: unknown }).version : undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InputError(400, 'version is required: the version you received (a positive whole number), so a newer change is never acknowledged unseen', 'version');
  return v;
}

/** The `since`, `limit` and `after` (cursor) query parameters of both change feeds, checked in that order. */
function changeFeedParams(q: Record<string, string | undefined>) {
  return { since: instantParam(q.since, 'since'), limit: limitParam(q.limit), after: cursorParam(q.after, parseCursor) };
}

/** A webhook's raw body as JSON; a 400 naming the body when it is not. */
function jsonOf(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputError(400, 'the body is not valid JSON', '(body)');
  }
}

/**
 * `POST .../:id/ack` of a change feed (Jubelio sales orders, Optimakers product changes): the body
 * `{"version": n}` acknowledges that version of one item; 404 when the item has no recorded change,
 * 409 when that version was never handed out. Acknowledging a version again changes nothing.
 */
function acknowledgeRoute(
  deps: CommerceRouteDeps,
  feed: { idName: string; idMeaning: string; ack: (db: Db, id: number, version: number, now: Date) => Promise<AckResult>; notFound: (id: number) => string; conflict: (id: number, currentVersion: number, version: number) => string },
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const id = idParam((request.params as { id?: string }).id, feed.idMeaning);
    const version = versionOf(request.body);
    const r = await feed.ack(deps.db, id, version, deps.now());
    if (!r.found) return fail(reply, 404, feed.notFound(id));
    if (r.conflict) return fail(reply, 409, feed.conflict(id, r.currentVersion, version), 'version');
    return { [feed.idName]: id, acknowledgedVersion: r.acknowledgedVersion, currentVersion: r.currentVersion, pending: r.currentVersion > r.acknowledgedVersion };
  };
}

/** Queues a stored delivery's processing: in the same transaction with the SQL store, after commit otherwise. */
function deliveryEnqueuer(deps: CommerceRouteDeps, job: CommerceJobName) {
  const sql = deps.jobs?.store === 'sql';
  return {
    inTransaction: sql ? (em: Parameters<typeof enqueueDeliveryJob>[0], id: string) => enqueueDeliveryJob(em, job, id, deps.now()) : undefined,
    async afterCommit(id: string) {
      if (!sql && deps.jobs) await deps.jobs.agenda.now(job, { deliveryId: id });
    },
  };
}

// Long by design: the route table of both commerce connectors (one registration per documented
// operation with its schema), read top to bottom like the API it declares.
export async function registerCommerceConnectors(app: FastifyInstance, deps: CommerceRouteDeps): Promise<void> {
  const { db, commerce, config } = deps;
  const guard = requireConnectorUser({ db, now: deps.now }, { envelope: (status, message) => errorBody(status, message) });
  const admin = requireAdmin(config, { envelope: (status, message) => errorBody(status, message) });
  pointSimulatorsAtApp(app, commerce);
  // 503 unless the connector is configured on this server (checked after the caller's token).
  const jubelioOn = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!commerce.jubelio) return fail(reply, 503, 'the Jubelio gateway is not configured on this server (JUBELIO_URL)');
  };
  const bridgeOn = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!commerce.optimakers) return fail(reply, 503, 'the BaseLinker-Optimakers bridge is not configured on this server');
  };
  const jobsOn = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!deps.jobs) return fail(reply, 503, 'this process has no job store');
  };

  // ---- ERP side (bearer tokens of connector users) ------------------------------------------------
  await app.register(async (scope) => {
    connectorScope(scope, { envelope: errorBody });
    const tags = ['Jubelio gateway (ERP side)'];

    scope.post(
      '/api/connectors/jubelio/products',
      {
        // Staging 1,000 products needs far more than the app-wide body limit (see STAGE_BODY_LIMIT),
        // so the token is checked before the body is read: only connector users can send that much.
        bodyLimit: STAGE_BODY_LIMIT,
        onRequest: [guard, jubelioOn],
        schema: {
          tags,
          security: bearerSecurity,
          summary: `Stage up to ${MAX_STAGE_BATCH} products for Jubelio (upsert by SKU)`,
          description: 'Body `{"products": [{sku, name, description?, sellPrice, buyPrice?, barcode?, uomId?, categoryId?, brandId?}]}`. Each row is validated on its own; the answer says per row whether it was created, updated, unchanged or rejected (with the fields at fault). Accepted rows are pushed by the `jubelio-push-products` job.',
          response: { 200: stageResultSchema, ...errors(400, 401, 503) },
        },
      },
      async (request, reply) => {
        const body = request.body as { products?: unknown } | unknown[] | undefined;
        const rows = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as { products?: unknown }).products : undefined;
        if (!Array.isArray(rows)) return fail(reply, 400, 'products must be an array of products', 'products');
        if (rows.length === 0) return fail(reply, 400, 'products must contain at least one product', 'products');
        if (rows.length > MAX_STAGE_BATCH) return fail(reply, 400, `products may hold at most ${MAX_STAGE_BATCH} products per request, got ${rows.length}`, 'products');
        const result = await stageProducts(db, rows, deps.now());
        request.log.info({ accepted: result.accepted, rejected: result.rejected }, 'jubelio products staged');
        return result;
      },
    );

    scope.get(
      '/api/connectors/jubelio/products',
      { preHandler: [guard, jubelioOn], schema: { tags, security: bearerSecurity, summary: 'Push status of staged products (`status=pending|pushed|failed`, `limit`, `after` = nextCursor)', response: { 200: productListSchema, ...errors(400, 401, 503) } } },
      async (request) => {
        const q = request.query as Record<string, string | undefined>;
        const status = oneOfParam(q.status, PRODUCT_STATUSES, 'status');
        const after = cursorParam(q.after, parseKeyCursor);
        return listProducts(db, { status, limit: limitParam(q.limit), after });
      },
    );

    scope.get(
      '/api/connectors/jubelio/sales-orders',
      {
        preHandler: [guard, jubelioOn],
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'Sales orders from Jubelio for the ERP',
          description: 'Without `since`: every order new or changed since the ERP last acknowledged it. With `since` (ISO 8601): every order changed at or after that moment, acknowledged or not. `status` filters on the Jubelio status; page with `after` = nextCursor. Acknowledge each order with the version you received.',
          response: { 200: salesOrderListSchema, ...errors(400, 401, 503) },
        },
      },
      async (request, reply) => {
        const q = request.query as Record<string, string | undefined>;
        const feed = changeFeedParams(q);
        if (q.status !== undefined && !/^[A-Za-z0-9_ -]{1,50}$/.test(q.status)) return fail(reply, 400, 'status must be a Jubelio status such as PAID', 'status');
        return listSalesOrders(db, { ...feed, status: q.status || undefined });
      },
    );

    scope.post(
      '/api/connectors/jubelio/sales-orders/:id/ack',
      { preHandler: [guard, jubelioOn], schema: { tags, security: bearerSecurity, summary: 'Acknowledge a sales order version (`{"version": n}`); idempotent', response: { 200: ackSchema('salesorderId', 'SalesOrderAck'), ...errors(400, 401, 404, 409, 503) } } },
      acknowledgeRoute(deps, {
        idName: 'salesorderId',
        idMeaning: 'a Jubelio salesorder_id',
        ack: ackSalesOrder,
        notFound: (id) => `sales order ${id} is not known here`,
        conflict: (id, current, version) => `sales order ${id} is at version ${current}; version ${version} was never handed out`,
      }),
    );

    const otags = ['BaseLinker-Optimakers bridge (ERP side)'];
    scope.get(
      '/api/connectors/optimakers/products',
      {
        preHandler: [guard, bridgeOn],
        schema: {
          tags: otags,
          security: bearerSecurity,
          summary: 'Optimakers product changes (created/updated/deleted) for the ERP',
          description: 'Like the Jubelio sales orders. Without `since`: every product whose latest change the ERP has not acknowledged. With `since` (ISO 8601): every product changed at or after that moment, acknowledged or not. `event` filters; page with `after` = nextCursor. Acknowledge each product with the version you received.',
          response: { 200: productChangeListSchema, ...errors(400, 401, 503) },
        },
      },
      async (request) => {
        const q = request.query as Record<string, string | undefined>;
        const feed = changeFeedParams(q);
        return listProductChanges(db, { ...feed, event: oneOfParam(q.event, PRODUCT_CHANGE_EVENTS, 'event') });
      },
    );

    scope.post(
      '/api/connectors/optimakers/products/:id/ack',
      { preHandler: [guard, bridgeOn], schema: { tags: otags, security: bearerSecurity, summary: 'Acknowledge a product change version (`{"version": n}`)', response: { 200: ackSchema('productId', 'ProductChangeAck'), ...errors(400, 401, 404, 409, 503) } } },
      acknowledgeRoute(deps, {
        idName: 'productId',
        idMeaning: 'an Optimakers product id',
        ack: ackProductChange,
        notFound: (id) => `product ${id} has no recorded change`,
        conflict: (id, current) => `product ${id} is at version ${current}`,
      }),
    );
  });

  // ---- webhooks (raw body: the signature covers the exact bytes) ---------------------------------
  await app.register(async (scope) => {
    connectorScope(scope, { envelope: errorBody });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const raw = (request: FastifyRequest) => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    const jubelioJob = deliveryEnqueuer(deps, COMMERCE_JOBS.jubelioProcessWebhooks);
    const optimakersJob = deliveryEnqueuer(deps, COMMERCE_JOBS.optimakersProcessWebhooks);

    const jubelioWebhook = async (request: FastifyRequest, reply: FastifyReply) => {
      const body = raw(request);
      const pathSecret = (request.params as { secret?: string }).secret;
      if (!verifyJubelioSignature(config.jubelio.webhook, body, request.headers, pathSecret)) {
        request.log.warn({ scheme: config.jubelio.webhook.scheme }, 'jubelio webhook rejected: signature missing or wrong');
        return fail(reply, 401, config.jubelio.webhook.scheme === 'path' ? 'unknown webhook address' : 'the webhook signature is missing or does not match');
      }
      const payload = jsonOf(body);
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return fail(reply, 400, 'the body must be a JSON object', '(body)');
      const action = (payload as { action?: unknown }).action;
      if (typeof action !== 'string' || !action) return fail(reply, 400, 'action is required (e.g. update-salesorder)', 'action');
      if (!isPlainText(action)) return fail(reply, 400, 'action must not contain control characters or invalid Unicode', 'action');
      if (action === 'update-salesorder' && !Number.isSafeInteger(Number((payload as { salesorder_id?: unknown }).salesorder_id))) return fail(reply, 400, 'salesorder_id must be a number', 'salesorder_id');
      const stored = await storeDelivery(db, { provider: 'jubelio', key: deliveryKeyOf(payload), event: action, body: body.toString('utf8'), now: deps.now() }, jubelioJob.inTransaction);
      if (!stored.duplicate) await jubelioJob.afterCommit(stored.id);
      return reply.code(200).send({ received: true, duplicate: stored.duplicate, deliveryId: stored.id });
    };
    const wtags = ['Webhooks'];
    scope.post('/api/connectors/jubelio/webhooks', { config: { httpLogSystem: 'jubelio' }, preHandler: jubelioOn, schema: { tags: wtags, summary: 'Jubelio webhook receiver (signature in the `Sign` header)', response: { 200: receivedSchema, ...errors(400, 401, 503) } } }, jubelioWebhook);
    scope.post('/api/connectors/jubelio/webhooks/:secret', { config: { httpLogSystem: 'jubelio' }, preHandler: jubelioOn, schema: { tags: wtags, summary: 'Jubelio webhook receiver, secret-path variant (JUBELIO_WEBHOOK_SIGNATURE=path)', response: { 200: receivedSchema, ...errors(400, 401, 503) } } }, jubelioWebhook);

    scope.post(
      '/api/connectors/optimakers/webhooks',
      { config: { httpLogSystem: 'optimakers' }, preHandler: bridgeOn, schema: { tags: wtags, summary: 'Optimakers webhook receiver (security token in the message)', response: { 200: receivedSchema, ...errors(400, 401, 503) } } },
      async (request, reply) => {
        const parsed = jsonOf(raw(request));
        const read = readMessage(parsed);
        // The token is checked first, so an unauthenticated caller learns nothing about the format.
        const token = parsed && typeof parsed === 'object' ? Object.entries(parsed as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'token')?.[1] : undefined;
        if (typeof token !== 'string' || !tokenMatches(token, config.bridge.optimes.webhookToken)) {
          request.log.warn('optimakers webhook rejected: security token missing or wrong');
          return fail(reply, 401, 'the security token is missing or does not match', 'Token');
        }
        if ('error' in read) return fail(reply, 400, read.error, read.field);
        // The stored copy leaves the token out: it is a secret.
        const stored = { Id: read.message.id, CreatedAt: read.message.createdAt, EventSource: read.message.eventSource, Ids: read.message.ids };
        const r = await storeDelivery(db, { provider: 'optimakers', key: read.message.id, event: read.message.eventSource, body: JSON.stringify(stored), now: deps.now() }, optimakersJob.inTransaction);
        if (!r.duplicate) await optimakersJob.afterCommit(r.id);
        return reply.code(200).send({ received: true, duplicate: r.duplicate, deliveryId: r.id });
      },
    );
  });

  // ---- admin (ADMIN_TOKENS) --------------------------------------------------------------------
  await app.register(async (scope) => {
    connectorScope(scope, { envelope: errorBody });
    const atags = ['Admin: jobs and connectors'];
    // Jobs that need data of their own (one order) are run through their own admin actions.
    const NOT_RUNNABLE = new Set(['sync-order', 'send-order-confirmation']);
    const runnable = () => Object.keys(deps.jobs?.agenda.definitions ?? {}).filter((n) => !NOT_RUNNABLE.has(n)).sort();

    scope.post(
      '/api/admin/jobs/:name/run',
      { preHandler: [admin, jobsOn], schema: { tags: atags, security: bearerSecurity, summary: 'Run a job now (e.g. jubelio-push-products, baselinker-import-orders)', response: { 202: jobQueuedSchema, ...errors(400, 401, 404, 503) } } },
      async (request, reply) => {
        const { name } = request.params as { name: string };
        if (!runnable().includes(name)) return fail(reply, 404, `no job "${name}" can be run here; known: ${runnable().join(', ')}`, 'name');
        const job = await deps.jobs!.agenda.now(name, {});
        request.log.info({ job: name }, 'admin queued a job run');
        return reply.code(202).send({ name, queued: true, jobId: String(job.attrs._id) });
      },
    );

    scope.get(
      '/api/admin/jobs/:name',
      { preHandler: [admin, jobsOn], schema: { tags: atags, security: bearerSecurity, summary: "A job's schedule, counts, last error and last runs (with per-run counts for connector jobs)", response: { 200: jobStatusSchema, ...errors(401, 404, 503) } } },
      async (request, reply) => {
        const { name } = request.params as { name: string };
        const jobs = deps.jobs!;
        if (!jobs.agenda.definitions[name]) return fail(reply, 404, `no job "${name}"; known: ${runnable().join(', ')}`, 'name');
        const found = (await jobs.agenda.queryJobs({ name, limit: 50, sort: { lastRunAt: 'desc' } })).jobs;
        const counts: Record<string, number> = { running: 0, queued: 0, scheduled: 0, repeating: 0, completed: 0, failed: 0, paused: 0 };
        for (const j of found) counts[j.state] = (counts[j.state] ?? 0) + 1;
        const recurring = found.find((j) => j.repeatInterval);
        const lastFailure = found.filter((j) => j.failReason).sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0))[0];
        const runs = await db.em().find(ConnectorJobRun, { job: name }, { orderBy: { startedAt: 'desc' }, limit: 20 });
        return {
          name,
          schedule: recurring ? { interval: String(recurring.repeatInterval), nextRunAt: recurring.nextRunAt ?? null, lastRunAt: recurring.lastRunAt ?? null, lastFinishedAt: recurring.lastFinishedAt ?? null } : null,
          counts,
          lastError: lastFailure ? { at: lastFailure.failedAt ?? null, reason: lastFailure.failReason, failCount: lastFailure.failCount ?? 0 } : null,
          runs: runs.map((r) => ({ id: r.id, startedAt: r.startedAt, finishedAt: r.finishedAt ?? null, status: r.status, counts: r.counts ?? null, error: r.error ?? null })),
        };
      },
    );

    scope.get(
      '/api/admin/connectors/:name/check',
      { preHandler: admin, schema: { tags: atags, security: bearerSecurity, summary: 'Calls the configured systems: reachability and which configured ids exist', response: { 200: checkSchema, ...errors(401, 404) } } },
      async (request, reply) => {
        const { name } = request.params as { name: string };
        if (!(CHECK_TARGETS as readonly string[]).includes(name)) return fail(reply, 404, `name must be one of ${CHECK_TARGETS.join(', ')}`, 'name');
        const reports = await checkConnectors(commerce, name as CheckTarget);
        const sims = commerce.simulators;
        // Demo mode: where the simulators listen, for trying the flows with curl (/__sim/* routes).
        const simulators = sims.jubelio || sims.baselinker || sims.optimakers ? { jubelio: sims.jubelio?.url ?? null, baselinker: sims.baselinker?.url ?? null, optimakers: sims.optimakers?.url ?? null } : undefined;
        return { ok: reports.every((r) => r.ok), reports, ...(simulators ? { simulators } : {}) };
      },
    );

    scope.get(
      '/api/admin/connectors/bridge/orders',
      { preHandler: admin, schema: { tags: atags, security: bearerSecurity, summary: 'Imported BaseLinker orders and their state (`status=PENDING|CREATED|FAILED`), with the reason of failures', response: { 200: bridgeOrdersSchema, ...errors(400, 401) } } },
      async (request) => {
        const q = request.query as Record<string, string | undefined>;
        const status = oneOfParam(q.status, BRIDGE_ORDER_STATUSES, 'status');
        const limit = limitParam(q.limit);
        const rows = await db.em().find(BridgeOrder, status ? { status } : {}, { orderBy: { updatedAt: 'desc' }, limit });
        return {
          items: rows.map((r) => ({
            baselinkerOrderId: r.baselinkerOrderId,
            status: r.status,
            optimakersOrderId: r.optimakersOrderId ?? null,
            reason: r.reason ?? null,
            attempts: r.attempts,
            importedAt: r.importedAt ?? null,
            realisedAt: r.realisedAt ?? null,
            statusSentAt: r.statusSentAt ?? null,
            statusError: r.statusError ?? null,
          })),
        };
      },
    );

    scope.post(
      '/api/admin/connectors/bridge/orders/:id/retry',
      { preHandler: admin, schema: { tags: atags, security: bearerSecurity, summary: 'Import a failed BaseLinker order again at the next run (after fixing the mapping)', response: { 200: retrySchema, ...errors(400, 401, 404, 409) } } },
      async (request, reply) => {
        const id = idParam((request.params as { id?: string }).id, 'a BaseLinker order_id');
        const row = await db.em().findOne(BridgeOrder, { baselinkerOrderId: id });
        if (!row) return fail(reply, 404, `BaseLinker order ${id} has not been seen by the bridge`);
        if (row.status === 'CREATED') return fail(reply, 409, `BaseLinker order ${id} is already Optimakers order ${row.optimakersOrderId}`);
        await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { attempts: 0, updatedAt: new Date(0) });
        if (deps.jobs) await deps.jobs.agenda.now(COMMERCE_JOBS.baselinkerImportOrders, {});
        return { baselinkerOrderId: id, queued: true };
      },
    );
  });
}

/** Demo mode: once the app listens, the simulators send their webhooks to it. */
export function pointSimulatorsAtApp(app: FastifyInstance, commerce: CommerceConnectors): void {
  if (!commerce.simulators.jubelio && !commerce.simulators.optimakers) return;
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (!address || typeof address === 'string') return;
    const host = ['0.0.0.0', '::', ''].includes(address.address) ? '127.0.0.1' : address.address.includes(':') ? `[${address.address}]` : address.address;
    commerce.setPublicUrl(`http://${host}:${address.port}`);
  });
}
