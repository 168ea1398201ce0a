// The Product Price API exactly as documented (003_92c96f0cacea11c2.txt), under /public, plus the
// shop and product lists of a user, the price in force at a moment, and admin endpoints that give
// a connector user shops and products.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorDeps } from '../deps.js';
import { bearerSecurity, bodyObject, connectorScope, isPlainText, UUID_RE } from '../http.js';
import { requireAdmin, requireConnectorUser, requireSameUser } from '../auth/guard.js';
import { ConnectorUser } from '../auth/entities.js';
import { Product, Shop } from './entities.js';
import { parseWallTime } from './dates.js';
import {
  createPrice,
  currentPrice,
  deletePrice,
  getPrice,
  listOwned,
  listPrices,
  namedRecord,
  pageParams,
  PriceApiError,
  priceInput,
  priceRecord,
  requireId,
  updatePrice,
  ORDER_FIELD_NAMES,
  MAX_LIMIT,
} from './service.js';
import { dataEnvelope, listEnvelope, messageOnly, priceBodySchema, priceRecordSchema, productRecordSchema, shopRecordSchema } from './schemas.js';

const envelope = (_status: number, message: string) => ({ message });
const RETRIEVED = 'Data retrieved successfully';

const idParam = (description: string) => ({ type: 'string', minLength: 36, maxLength: 36, description });
const P = {
  id_user: idParam('36-character id of the user (the token must belong to it)'),
  id_product: idParam('36-character id of the product'),
  id_price: idParam('36-character id of the price'),
  offsite: { type: 'integer', minimum: 0, description: 'offset of the first record (the original API spells it offsite)' },
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: 'records per page' },
};
const params = (...names: (keyof typeof P)[]) => ({ type: 'object', required: names, properties: Object.fromEntries(names.map((n) => [n, P[n]])) });
const errors = { 400: messageOnly, 401: messageOnly, 403: messageOnly, 404: messageOnly };
const tags = ['Product Price API'];

/** 400 for malformed ids in the path, before the 403 owner check. */
async function validatePath(request: FastifyRequest, reply: FastifyReply) {
  const p = request.params as Record<string, string>;
  try {
    for (const name of ['id_user', 'id_product', 'id_price'] as const) if (p[name] !== undefined) p[name] = requireId(p[name], name);
    if (p.offsite !== undefined || p.limit !== undefined) pageParams(p.offsite, p.limit);
  } catch (err) {
    if (err instanceof PriceApiError) return reply.code(err.status).send({ message: err.message });
    throw err;
  }
}

function fail(reply: FastifyReply, err: unknown) {
  if (err instanceof PriceApiError) return reply.code(err.status).send({ message: err.message });
  throw err;
}

// Long by design: the route table of the Product Price API (one registration per documented
// operation with its schema), read top to bottom like the API it declares.
export async function registerProductPriceApi(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const tz = () => deps.config.connectors.priceTimezone;

  await app.register(async (scope) => {
    connectorScope(scope, { envelope, forms: true });
    const guard = [requireConnectorUser(deps, { envelope }), validatePath, requireSameUser('id_user', envelope)];
    const route = { preHandler: guard, config: { httpLogSystem: 'product-price' } };

    scope.get(
      '/public/product/price/list/:id_user/:id_product/:offsite/:limit',
      {
        ...route,
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'API List: prices of a product',
          description: `Paged with offsite/limit. \`q\` searches the shop name, the exact price (digits) or, for a date \`YYYY-MM-DD\`, the prices valid on that day. \`orderBy\`: ${ORDER_FIELD_NAMES.join(', ')}; \`-price\` or \`price desc\` for descending, comma-separated for several keys. Default: created ascending (then startDate).`,
          params: params('id_user', 'id_product', 'offsite', 'limit'),
          querystring: { type: 'object', properties: { q: { type: 'string' }, orderBy: { type: 'string', example: '-startDate' } } },
          response: { 200: listEnvelope(priceRecordSchema), ...errors },
        },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        const q = request.query as Record<string, unknown>;
        try {
          const page = pageParams(p.offsite, p.limit);
          const { total, items } = await listPrices(deps.db, { userId: p.id_user!, productId: p.id_product!, ...page, q: q.q, orderBy: q.orderBy, timeZone: tz() });
          return { message: RETRIEVED, show: items.length, total, data: items.map((i) => priceRecord(i, tz())) };
        } catch (err) {
          return fail(reply, err);
        }
      },
    );

    scope.post(
      '/public/product/price/create/:id_user/:id_product',
      {
        ...route,
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'API Create: add a price',
          description: 'JSON or form body. A window overlapping another live price of the product in the same shop is refused with 409 unless allowOverlap is true.',
          params: params('id_user', 'id_product'),
          body: priceBodySchema,
          response: { 200: dataEnvelope(priceRecordSchema, 'Data added successfully'), ...errors, 409: messageOnly },
        },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        try {
          const body = bodyObject(request.body);
          if (!body) throw new PriceApiError(400, 'the request body must be an object with price, shop, startDate and endDate');
          const input = priceInput(body, tz(), request.query as Record<string, unknown>);
          const price = await createPrice(deps.db, { userId: p.id_user!, productId: p.id_product!, input, now: deps.now(), timeZone: tz() });
          return { message: 'Data added successfully', data: priceRecord(price, tz()) };
        } catch (err) {
          return fail(reply, err);
        }
      },
    );

    scope.post(
      '/public/product/price/update/:id_user/:id_product/:id_price',
      {
        ...route,
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'API Update: change a price',
          description: 'Same body as create (every field required). The overlap check ignores the price itself.',
          params: params('id_user', 'id_product', 'id_price'),
          body: priceBodySchema,
          response: { 200: dataEnvelope(priceRecordSchema, 'Data updated successfully'), ...errors, 409: messageOnly },
        },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        try {
          const body = bodyObject(request.body);
          if (!body) throw new PriceApiError(400, 'the request body must be an object with price, shop, startDate and endDate');
          const input = priceInput(body, tz(), request.query as Record<string, unknown>);
          const price = await updatePrice(deps.db, { userId: p.id_user!, productId: p.id_product!, priceId: p.id_price!, input, now: deps.now(), timeZone: tz() });
          return { message: 'Data updated successfully', data: priceRecord(price, tz()) };
        } catch (err) {
          return fail(reply, err);
        }
      },
    );

    scope.post(
      '/public/product/price/details/:id_user/:id_product/:id_price',
      {
        ...route,
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'API Details: one price (POST, as documented)',
          params: params('id_user', 'id_product', 'id_price'),
          response: { 200: dataEnvelope(priceRecordSchema, RETRIEVED), ...errors },
        },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        try {
          const price = await getPrice(deps.db, { userId: p.id_user!, productId: p.id_product!, priceId: p.id_price! });
          return { message: RETRIEVED, data: priceRecord(price, tz()) };
        } catch (err) {
          return fail(reply, err);
        }
      },
    );

    scope.delete(
      '/public/product/price/delete/:id_user/:id_product/:id_price',
      {
        ...route,
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'API Delete: remove a price (soft: it leaves lists and details)',
          params: params('id_user', 'id_product', 'id_price'),
          response: { 200: { ...messageOnly, properties: { message: { type: 'string', example: 'data deleted successfully' } } }, ...errors },
        },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        try {
          await deletePrice(deps.db, { userId: p.id_user!, productId: p.id_product!, priceId: p.id_price!, now: deps.now() });
          return { message: 'data deleted successfully' };
        } catch (err) {
          return fail(reply, err);
        }
      },
    );

    scope.get(
      '/public/product/price/current/:id_user/:id_product',
      {
        ...route,
        schema: {
          tags,
          security: bearerSecurity,
          summary: 'The price in force at a moment',
          description: 'The live price of the product in `shop` whose window contains `at` (default: now). Where windows overlap (allowOverlap), the one with the latest startDate wins, then the latest created. 404 when none.',
          params: params('id_user', 'id_product'),
          querystring: { type: 'object', required: ['shop'], properties: { shop: idParam('36-character id of the shop'), at: { type: 'string', example: '2022-10-08 12:00:00', description: 'YYYY-MM-DD HH:mm:ss in PRICE_API_TIMEZONE, or ISO 8601 with an offset' } } },
          response: { 200: dataEnvelope(priceRecordSchema, RETRIEVED), ...errors },
        },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        const q = request.query as Record<string, unknown>;
        try {
          if (q.shop === undefined || q.shop === '') throw new PriceApiError(400, 'shop is required');
          const shopId = requireId(q.shop, 'shop');
          let at = deps.now();
          if (q.at !== undefined && q.at !== '') {
            const parsed = parseWallTime(q.at, tz());
            if (!parsed) throw new PriceApiError(400, 'at must be a date-time such as 2022-10-08 12:00:00');
            at = parsed;
          }
          const price = await currentPrice(deps.db, { userId: p.id_user!, productId: p.id_product!, shopId, at });
          if (!price) return reply.code(404).send({ message: 'no price of this product is in force in this shop at that moment' });
          return { message: RETRIEVED, data: priceRecord(price, tz()) };
        } catch (err) {
          return fail(reply, err);
        }
      },
    );

    for (const [what, entity, schema] of [
      ['shop', Shop, shopRecordSchema],
      ['product', Product, productRecordSchema],
    ] as const) {
      scope.get(
        `/public/${what}/list/:id_user/:offsite/:limit`,
        {
          ...route,
          schema: {
            tags,
            security: bearerSecurity,
            summary: `The user's ${what}s, in the style of the price list`,
            description: '`q` searches the name; `orderBy`: name, created, updated (with - or asc/desc).',
            params: params('id_user', 'offsite', 'limit'),
            querystring: { type: 'object', properties: { q: { type: 'string' }, orderBy: { type: 'string' } } },
            response: { 200: listEnvelope(schema), ...errors },
          },
        },
        async (request, reply) => {
          const p = request.params as Record<string, string>;
          const q = request.query as Record<string, unknown>;
          try {
            const page = pageParams(p.offsite, p.limit);
            const { total, items } = await listOwned(deps.db, entity, { userId: p.id_user!, ...page, q: q.q, orderBy: q.orderBy });
            return { message: RETRIEVED, show: items.length, total, data: items.map((i) => namedRecord(i, tz())) };
          } catch (err) {
            return fail(reply, err);
          }
        },
      );
    }
  });

  // Admin: give a connector user its shops and products (operators set clients up with these).
  await app.register(async (scope) => {
    connectorScope(scope, { envelope });
    const admin = requireAdmin(deps.config, { envelope });
    for (const [what, entity, schema] of [
      ['shops', Shop, shopRecordSchema],
      ['products', Product, productRecordSchema],
    ] as const) {
      scope.post(
        `/api/admin/connector-users/:id/${what}`,
        {
          preHandler: admin,
          schema: {
            tags: ['Admin: connector users'],
            security: bearerSecurity,
            summary: `Add a ${what.slice(0, -1)} to a connector user`,
            params: { type: 'object', properties: { id: { type: 'string' } } },
            body: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 200 }, ...(what === 'products' ? { sku: { type: 'string', maxLength: 100 } } : {}) } },
            response: { 201: schema, 400: messageOnly, 401: messageOnly, 404: messageOnly },
          },
        },
        async (request, reply) => {
          const { id } = request.params as { id: string };
          if (!UUID_RE.test(id)) return reply.code(400).send({ message: 'id must be a 36-character id' });
          const body = bodyObject(request.body) ?? {};
          if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 200 || !isPlainText(body.name)) return reply.code(400).send({ message: 'name must be a non-empty string of at most 200 characters, without control characters' });
          if (body.sku !== undefined && (typeof body.sku !== 'string' || body.sku.length > 100 || !isPlainText(body.sku))) return reply.code(400).send({ message: 'sku must be a string of at most 100 characters, without control characters' });
          const em = deps.db.em();
          if (!(await em.findOne(ConnectorUser, { id }))) return reply.code(404).send({ message: 'connector user not found' });
          const row = em.create(entity as typeof Shop, { owner: id, name: body.name.trim(), ...(what === 'products' ? { sku: (body.sku as string | undefined) ?? null } : {}) } as never);
          await em.flush();
          return reply.code(201).send(namedRecord(row, tz()));
        },
      );
    }
  });
}
