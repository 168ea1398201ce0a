// Hostile input against the REST connectors (the GraphQL half is graphql-hostile.test.ts): malformed
// JSON, wrong types, huge strings, unicode edge cases, SQL and NoSQL injection strings in every text
// field, forged and replayed webhooks, other users' and expired tokens, admin routes without the
// admin token, bodies over the limit. Each case must get a clear 4xx in its endpoint's own
// documented envelope (never a 5xx, never a stack trace or driver message) and change nothing: every
// table's row count is compared before and after each area's cases, the rows prepared up front must
// be exactly as they were, the Request Out upstream must not have been called, and the
// request/response log must have lost nothing. Adding a case is adding one object to a list.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstreamSimulator, type UpstreamSimulator } from '../../src/simulators/upstream.js';
import { demoSalesOrder } from '../../src/simulators/jubelio.js';
import { ConnectorToken, ConnectorUser } from '../../src/connectors/auth/entities.js';
import { Product, ProductPrice, Shop } from '../../src/connectors/product-price/entities.js';
import { DEMO_PRODUCTS, DEMO_SHOPS } from '../../src/connectors/product-price/demo.js';
import { RequestOutRoute, RequestOutTicket } from '../../src/connectors/request-out/entities.js';
import { runRequestOutCall } from '../../src/connectors/request-out/service.js';
import { WebhookDelivery } from '../../src/connectors/commerce/entities.js';
import { JubelioProduct } from '../../src/connectors/jubelio/entities.js';
import { STAGE_BODY_LIMIT } from '../../src/connectors/jubelio/products.js';
import { encodeKeyCursor } from '../../src/connectors/change-cursor.js';
import { DEMO_USER, http, loginAs, loginDemo, newUser } from '../connectors/connector-helpers.js';
import { INJECTIONS, leaksInternals, rowCounts, type HttpAnswer } from './support.js';

type Ctx = Record<string, string>;

/** The REST counterpart of HostileCase: what is sent, and the refusal expected. */
interface RestCase {
  name: string;
  send(c: Ctx): Promise<HttpAnswer>;
  /** HTTP status of the refusal (a list when several are right; none with ONLY_THE_ANSWER). */
  status: number | readonly number[];
  /**
   * A documented non-error answer that refuses too (HTTP 200): an empty search result, a batch
   * whose rows are all rejected, Request Out's "not available" body, an acknowledged replay.
   */
  orAnswer?: (json: any) => boolean;
  /** Refused before any route runs (Node's header limit, Fastify's router), so not in the endpoint's envelope. */
  framework?: boolean;
}

/** Only `orAnswer` is right (a replay must be acknowledged, not refused). */
const ONLY_THE_ANSWER: readonly number[] = [];

interface Area {
  name: string;
  /** What is wrong with an error answer in this endpoint's documented envelope, or null. */
  envelope(json: any, status: number): string | null;
  /** Bearer-token endpoints answer 401 with `WWW-Authenticate: Bearer`. */
  bearer: boolean;
  cases(base: string): RestCase[];
}

// ---- the documented error envelopes -------------------------------------------------------------
const messageEnvelope = (json: any) =>
  json && typeof json === 'object' && Object.keys(json).join() === 'message' && typeof json.message === 'string' && json.message.length >= 5 ? null : 'not {"message": "..."}';
const requestOutEnvelope = (json: any, status: number) =>
  json && Object.keys(json).join() === 'Status,Code,Message,Data' && json.Status === 'error' && json.Code === String(status) && json.Data === '' && typeof json.Message === 'string' && json.Message.length >= 5
    ? null
    : 'not {"Status": "error", "Code", "Message", "Data": ""}';
const COMMERCE_CODES: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };
const commerceEnvelope = (json: any, status: number) =>
  json && Object.keys(json).join() === 'error' && json.error.code === COMMERCE_CODES[status] && typeof json.error.message === 'string' && json.error.message.length >= 5 && (json.error.field === undefined || typeof json.error.field === 'string')
    ? null
    : `not {"error": {"code": "${COMMERCE_CODES[status]}", "message", "field"?}}`;

// ---- what the cases send ------------------------------------------------------------------------
const ADMIN = 'admin-secret';
const EDITOR = 'editor-secret-1';
const U: string = DEMO_USER.id;
const PR: string = DEMO_PRODUCTS[0].id;
const PR2: string = DEMO_PRODUCTS[1].id;
const S: string = DEMO_SHOPS[0].id;
const NOTHING = '00000000-0000-4000-8000-000000000000';
const enc = encodeURIComponent;
const over = (bytes: number) => 'x'.repeat(bytes);
const BODY_LIMIT = 256 * 1024;
/** A Jubelio webhook signature (JUBELIO_WEBHOOK_SIGNATURE=hmac-sha256, the default). */
const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** The price body as a form (PHP-era clients post forms). */
const priceForm = (extra: Record<string, string> = {}) => ({ price: '25000', shop: S, startDate: '2031-01-01 00:00:00', endDate: '2031-01-01 23:59:00', ...extra });
/** A price body that would be accepted (the 2031 window overlaps nothing); each case breaks one thing. */
const goodPrice = (extra: Record<string, unknown> = {}) => ({ price: 25000, shop: S, startDate: '2031-01-01 00:00:00', endDate: '2031-01-01 23:59:00', ...extra });
const PRICE_FIELDS = ['price', 'shop', 'startDate', 'endDate', 'allowOverlap'] as const;

const emptyList = (j: any) => j?.total === 0 && j.show === 0 && Array.isArray(j.data) && j.data.length === 0;
const allRejected = (j: any) => j?.accepted === 0 && j.rejected >= 1 && j.results.every((r: any) => r.result === 'rejected' && r.errors.length >= 1);
const notAvailable = (j: any) => j?.StatusCode === 404 && j.Message === 'Request on process / not available now' && j.TicketId === '' && j.Data === null;
const replayAcknowledged = (j: any) => j?.received === true && j.duplicate === true && typeof j.deliveryId === 'string';

const priceApi: Area = {
  name: 'Product Price API',
  envelope: messageEnvelope,
  bearer: true,
  cases(base) {
    const call = (method: string, path: string, opts: { body?: unknown; token?: string | null; headers?: Record<string, string>; form?: Record<string, string> } = {}) => http(base, method, path, opts);
    const list = (q = '', u = U, p = PR, page = '0/10') => `/public/product/price/list/${u}/${p}/${page}${q}`;
    const create = (u = U, p = PR) => `/public/product/price/create/${u}/${p}`;
    const one = (what: 'update' | 'details' | 'delete', id: string, u = U, p = PR) => `/public/product/price/${what}/${u}/${p}/${id}`;
    const current = (q: string, u = U, p = PR) => `/public/product/price/current/${u}/${p}${q}`;
    const named = (what: 'shop' | 'product', q = '', u = U) => `/public/${what}/list/${u}/0/10${q}`;
    const asDemo = (method: string, path: (c: Ctx) => string, body?: (c: Ctx) => unknown) => (c: Ctx) => call(method, path(c), { token: c.demo, body: body?.(c) });
    const createWith = (body: unknown) => asDemo('POST', () => create(), () => body);
    const updateWith = (body: unknown) => asDemo('POST', (c) => one('update', c.priceId), () => body);
    // Every user-scoped endpoint, with the user, product and price it needs.
    const endpoints: [string, string, (c: Ctx, u: string, p: string) => string, unknown?][] = [
      ['list', 'GET', (_c, u, p) => list('', u, p)],
      ['create', 'POST', (_c, u, p) => create(u, p), goodPrice()],
      ['update', 'POST', (c, u, p) => one('update', c.priceId, u, p), goodPrice({ price: 1 })],
      ['details', 'POST', (c, u, p) => one('details', c.priceId, u, p)],
      ['delete', 'DELETE', (c, u, p) => one('delete', c.priceId, u, p)],
      ['current', 'GET', (_c, u, p) => current(`?shop=${S}`, u, p)],
    ];
    const cases: RestCase[] = [
      // ---- malformed bodies ---------------------------------------------------------------------
      { name: 'create: body is not JSON', send: (c) => call('POST', create(), { token: c.demo, body: '{"price": 25000,', headers: { 'content-type': 'application/json' } }), status: 400 },
      { name: 'create: body is a JSON array', send: createWith([goodPrice()]), status: 400 },
      { name: 'create: body is a JSON string', send: (c) => call('POST', create(), { token: c.demo, body: '"price=25000"', headers: { 'content-type': 'application/json' } }), status: 400 },
      { name: 'create: body is JSON null', send: (c) => call('POST', create(), { token: c.demo, body: 'null', headers: { 'content-type': 'application/json' } }), status: 400 },
      { name: 'create: text/plain body', send: (c) => call('POST', create(), { token: c.demo, body: JSON.stringify(goodPrice()), headers: { 'content-type': 'text/plain' } }), status: 415 },
      { name: 'create: a body of an unknown type', send: (c) => call('POST', create(), { token: c.demo, body: 'price=1', headers: { 'content-type': 'application/x-kursus' } }), status: 415 },
      { name: 'create: a __proto__ key', send: (c) => call('POST', create(), { token: c.demo, body: `{"price": 25000, "__proto__": {"isAdmin": true}}`, headers: { 'content-type': 'application/json' } }), status: 400 },
      { name: 'create: a constructor.prototype key', send: (c) => call('POST', create(), { token: c.demo, body: `{"price": 25000, "constructor": {"prototype": {"isAdmin": true}}}`, headers: { 'content-type': 'application/json' } }), status: 400 },
      { name: 'current: at is 30 February with an offset', send: asDemo('GET', () => current(`?shop=${S}&at=${enc('2031-02-30T10:00:00+07:00')}`)), status: 400 },
      { name: 'create: form with price=abc', send: (c) => call('POST', create(), { token: c.demo, form: priceForm({ price: 'abc' }) }), status: 400 },
      { name: 'update: body is not JSON', send: (c) => call('POST', one('update', c.priceId), { token: c.demo, body: '{"price": ', headers: { 'content-type': 'application/json' } }), status: 400 },
      { name: 'update: empty body (every field is required)', send: updateWith({}), status: 400 },
      // ---- wrong types --------------------------------------------------------------------------
      ...(
        [
          ['a decimal string', '25000.5'],
          ['a fraction', 25000.5],
          ['negative', -1],
          ['above 999,999,999,999', 1e12],
          ['beyond 2^53', 2 ** 53 + 2],
          ['in exponent notation', '1e3'],
          ['a boolean', true],
          ['an array', [25000]],
          ['a NoSQL operator', { $gt: 0 }],
          ['null', null],
          ['full-width digits', '２５０００'],
        ] as [string, unknown][]
      ).map(([what, price]): RestCase => ({ name: `price is ${what}`, send: createWith(goodPrice({ price })), status: 400 })),
      ...(
        [
          ['35 characters', S.slice(1)],
          ['37 characters', `${S}0`],
          ['36 characters that are not hex', 'zzzzzzzz-1b3f-4512-81ed-0c01310666e4'],
          ['a number', 123],
          ['a NoSQL operator', { $ne: null }],
        ] as [string, unknown][]
      ).map(([what, shop]): RestCase => ({ name: `shop is ${what}`, send: createWith(goodPrice({ shop })), status: 400 })),
      ...(
        [
          ['month 13', '2031-13-01 00:00:00'],
          ['30 February', '2031-02-30'],
          ['day/month/year', '01/01/2031'],
          ['hour 25', '2031-01-01 25:00:00'],
          ['a number', 20310101],
          ['"now"', 'now'],
          ['an offset of +25:00', '2031-01-01T00:00:00+25:00'],
          ['full-width digits', '２０３１-０１-０１'],
          ['100 kB', `2031-01-01 ${over(100_000)}`],
        ] as [string, unknown][]
      ).map(([what, startDate]): RestCase => ({ name: `startDate is ${what}`, send: createWith(goodPrice({ startDate })), status: 400 })),
      { name: 'startDate after endDate', send: createWith(goodPrice({ startDate: '2031-01-02 00:00:00' })), status: 400 },
      { name: 'allowOverlap is "yes"', send: createWith(goodPrice({ allowOverlap: 'yes' })), status: 400 },
      { name: 'a window overlapping the prepared price', send: createWith(goodPrice({ startDate: '2030-06-01 12:00:00', endDate: '2030-06-02 00:00:00' })), status: 409 },
      { name: 'update: price is negative', send: updateWith(goodPrice({ price: -5 })), status: 400 },
      { name: 'update: shop of another user', send: (c) => call('POST', one('update', c.priceId), { token: c.demo, body: goodPrice({ shop: c.otherShop }) }), status: 404 },
      { name: 'create: shop of another user', send: (c) => call('POST', create(), { token: c.demo, body: goodPrice({ shop: c.otherShop }) }), status: 404 },
      { name: 'create: an unknown shop', send: createWith(goodPrice({ shop: NOTHING })), status: 404 },
      { name: 'details: an unknown price', send: asDemo('POST', () => one('details', NOTHING)), status: 404 },
      { name: 'delete: an unknown price', send: asDemo('DELETE', () => one('delete', NOTHING)), status: 404 },
      { name: 'delete: the price under the other demo product', send: asDemo('DELETE', (c) => one('delete', c.priceId, U, PR2)), status: 404 },
      { name: 'id_user of 35 characters', send: asDemo('GET', () => list('', U.slice(1))), status: 400 },
      { name: 'id_product that is not an id', send: asDemo('GET', () => list('', U, 'not-a-uuid')), status: 400 },
      { name: 'id_price of 37 characters', send: asDemo('POST', (c) => one('details', `${c.priceId}0`)), status: 400 },
      { name: 'id_product with full-width digits', send: asDemo('GET', () => list('', U, enc('１３６２８１０４-90c3-41a9-9074-c5c8b386f720'))), status: 400 },
      { name: 'offsite is negative', send: asDemo('GET', () => list('', U, PR, '-1/10')), status: 400 },
      { name: 'offsite is a fraction', send: asDemo('GET', () => list('', U, PR, '1.5/10')), status: 400 },
      { name: 'offsite beyond 2^53', send: asDemo('GET', () => list('', U, PR, `${'9'.repeat(30)}/10`)), status: 400 },
      { name: 'limit is 0', send: asDemo('GET', () => list('', U, PR, '0/0')), status: 400 },
      { name: 'limit is 1001', send: asDemo('GET', () => list('', U, PR, '0/1001')), status: 400 },
      { name: 'limit is a word', send: asDemo('GET', () => list('', U, PR, '0/ten')), status: 400 },
      { name: 'orderBy has four keys', send: asDemo('GET', () => list('?orderBy=price,id,status,created')), status: 400 },
      { name: 'orderBy with an accent', send: asDemo('GET', () => list(`?orderBy=${enc('príce')}`)), status: 400 },
      { name: 'orderBy in full-width letters', send: asDemo('GET', () => list(`?orderBy=${enc('ｐｒｉｃｅ')}`)), status: 400 },
      { name: 'current: at is not a date', send: asDemo('GET', () => current(`?shop=${S}&at=yesterday`)), status: 400 },
      { name: 'current: shop missing', send: asDemo('GET', () => current('')), status: 400 },
      // ---- huge strings -------------------------------------------------------------------------
      { name: 'body over BODY_LIMIT_BYTES', send: createWith(goodPrice({ price: -1, pad: over(BODY_LIMIT + 1024) })), status: 413 },
      { name: '10 kB q', send: asDemo('GET', () => list(`?q=${over(10_000)}`)), status: 400 },
      { name: '10 kB orderBy', send: asDemo('GET', () => list(`?orderBy=${over(10_000)}`)), status: 400 },
      { name: '10 kB q on the shop list', send: asDemo('GET', () => named('shop', `?q=${over(10_000)}`)), status: 400 },
      { name: '100 kB q (over the HTTP header limit)', send: asDemo('GET', () => list(`?q=${over(100_000)}`)), status: 431, framework: true },
      { name: '300-character id_product (over the router parameter limit)', send: asDemo('GET', () => list('', U, over(300))), status: 414, framework: true },
      { name: '10 kB bearer token', send: () => call('GET', list(), { token: `kct_${over(10_000)}` }), status: 401 },
      // ---- unicode edge cases where text is accepted: q ---------------------------------------
      { name: 'q with a NUL byte', send: asDemo('GET', () => list(`?q=${enc('Online\u0000')}`)), status: 400, orAnswer: emptyList },
      { name: 'q with a lone surrogate (raw UTF-8 bytes)', send: asDemo('GET', () => list('?q=%ED%A0%80')), status: 400, orAnswer: emptyList },
      { name: 'q with a right-to-left override', send: asDemo('GET', () => list(`?q=${enc('Onl\u202eine')}`)), status: 400, orAnswer: emptyList },
      { name: 'q with a zero-width space', send: asDemo('GET', () => list(`?q=${enc('Online\u200bShop')}`)), status: 400, orAnswer: emptyList },
      { name: 'shop list q with a NUL byte', send: asDemo('GET', () => named('shop', `?q=${enc('Online\u0000')}`)), status: 400, orAnswer: emptyList },
      { name: 'product list q with a NUL byte', send: asDemo('GET', () => named('product', `?q=${enc('Coffee\u0000')}`)), status: 400, orAnswer: emptyList },
      // ---- tokens -------------------------------------------------------------------------------
      { name: 'no token', send: () => call('GET', list()), status: 401 },
      { name: 'Bearer without a token', send: () => call('GET', list(), { headers: { authorization: 'Bearer ' } }), status: 401 },
      { name: 'Basic credentials', send: () => call('GET', list(), { headers: { authorization: `Basic ${Buffer.from(`${DEMO_USER.email}:${DEMO_USER.password}`).toString('base64')}` } }), status: 401 },
      { name: 'a garbage token', send: () => call('GET', list(), { token: 'kct_not-a-token' }), status: 401 },
      { name: 'a token of the right shape that was never issued', send: () => call('GET', list(), { token: `kct_${randomBytes(32).toString('base64url')}` }), status: 401 },
      { name: 'an expired token', send: (c) => call('GET', list(), { token: c.expired }), status: 401 },
      { name: 'the token hash instead of the token', send: (c) => call('GET', list(), { token: c.demoHash }), status: 401 },
      { name: 'a token followed by another word', send: (c) => call('GET', list(), { headers: { authorization: `Bearer ${c.demo} extra` } }), status: 401 },
      { name: 'the admin token', send: () => call('GET', list(), { token: ADMIN }), status: 401 },
      { name: 'an editor token', send: () => call('POST', create(), { token: EDITOR, body: goodPrice() }), status: 401 },
      ...endpoints.map(([what, method, path, body]): RestCase => ({ name: `${what}: another user's token on the demo user's path`, send: (c) => call(method, path(c, U, PR), { token: c.other, body }), status: 403 })),
      ...(['shop', 'product'] as const).map((what): RestCase => ({ name: `${what} list: another user's token on the demo user's path`, send: (c) => call('GET', named(what), { token: c.other }), status: 403 })),
      ...endpoints.map(([what, method, path, body]): RestCase => ({ name: `${what}: another user's own path, the demo user's product`, send: (c) => call(method, path(c, c.otherId, PR), { token: c.other, body: what === 'current' ? undefined : body }), status: 404 })),
      { name: "current: another user's own path and product, the demo user's shop", send: (c) => call('GET', current(`?shop=${S}`, c.otherId, c.otherProduct), { token: c.other }), status: 404 },
      { name: "details: the demo user's price under another user's product", send: (c) => call('POST', one('details', c.priceId, c.otherId, c.otherProduct), { token: c.other }), status: 404 },
    ];
    // ---- names every object inherits: an allow-list must not find them (they answered 500) -----
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      cases.push(
        { name: `list orderBy = ${name}`, send: asDemo('GET', () => list(`?orderBy=${name}`)), status: 400 },
        { name: `list orderBy = -${name}`, send: asDemo('GET', () => list(`?orderBy=-${name}`)), status: 400 },
        { name: `shop list orderBy = ${name}`, send: asDemo('GET', () => named('shop', `?orderBy=${name}`)), status: 400 },
        { name: `product list orderBy = ${name} desc`, send: asDemo('GET', () => named('product', `?orderBy=${enc(`${name} desc`)}`)), status: 400 },
      );
    }
    // ---- SQL and NoSQL injection strings in every text field ------------------------------------
    for (const inj of INJECTIONS) {
      const e = enc(inj);
      cases.push(
        { name: `list id_user = ${inj}`, send: asDemo('GET', () => list('', e)), status: 400 },
        { name: `list id_product = ${inj}`, send: asDemo('GET', () => list('', U, e)), status: 400 },
        { name: `list offsite = ${inj}`, send: asDemo('GET', () => list('', U, PR, `${e}/10`)), status: 400 },
        { name: `list limit = ${inj}`, send: asDemo('GET', () => list('', U, PR, `0/${e}`)), status: 400 },
        { name: `list q = ${inj}`, send: asDemo('GET', () => list(`?q=${e}`)), status: 400, orAnswer: emptyList },
        { name: `list orderBy = ${inj}`, send: asDemo('GET', () => list(`?orderBy=${e}`)), status: 400 },
        { name: `list orderBy = price, ${inj}`, send: asDemo('GET', () => list(`?orderBy=price,${e}`)), status: 400 },
        ...PRICE_FIELDS.map((field): RestCase => ({ name: `create ${field} = ${inj}`, send: createWith(goodPrice({ [field]: inj })), status: 400 })),
        { name: `create ${'price'} = ${inj} (form)`, send: (c) => call('POST', create(), { token: c.demo, form: priceForm({ price: inj }) }), status: 400 },
        { name: `create id_product = ${inj}`, send: asDemo('POST', () => create(U, e), () => goodPrice()), status: 400 },
        ...PRICE_FIELDS.map((field): RestCase => ({ name: `update ${field} = ${inj}`, send: updateWith(goodPrice({ [field]: inj })), status: 400 })),
        { name: `update id_price = ${inj}`, send: asDemo('POST', () => one('update', e), () => goodPrice()), status: 400 },
        { name: `details id_price = ${inj}`, send: asDemo('POST', () => one('details', e)), status: 400 },
        { name: `delete id_price = ${inj}`, send: asDemo('DELETE', () => one('delete', e)), status: 400 },
        { name: `current shop = ${inj}`, send: asDemo('GET', () => current(`?shop=${e}`)), status: 400 },
        { name: `current at = ${inj}`, send: asDemo('GET', () => current(`?shop=${S}&at=${e}`)), status: 400 },
        { name: `shop list q = ${inj}`, send: asDemo('GET', () => named('shop', `?q=${e}`)), status: 400, orAnswer: emptyList },
        { name: `shop list orderBy = ${inj}`, send: asDemo('GET', () => named('shop', `?orderBy=${e}`)), status: 400 },
        { name: `product list q = ${inj}`, send: asDemo('GET', () => named('product', `?q=${e}`)), status: 400, orAnswer: emptyList },
        { name: `product list orderBy = ${inj}`, send: asDemo('GET', () => named('product', `?orderBy=${e}`)), status: 400 },
      );
    }
    return cases;
  },
};

const login: Area = {
  name: 'Connector login',
  envelope: messageEnvelope,
  bearer: false,
  cases(base) {
    const post = (body: unknown, headers: Record<string, string> = {}) => http(base, 'POST', '/public/auth/login', { body, headers });
    const cases: RestCase[] = [
      { name: 'body is not JSON', send: () => post('{"email": "demo@example.com",', { 'content-type': 'application/json' }), status: 400 },
      { name: 'body is a JSON array', send: () => post([DEMO_USER.email, DEMO_USER.password]), status: 400 },
      { name: 'body is a JSON string', send: () => post('"demo@example.com"', { 'content-type': 'application/json' }), status: 400 },
      { name: 'email missing', send: () => post({ password: DEMO_USER.password }), status: 400 },
      { name: 'email is a NoSQL operator', send: () => post({ email: { $gt: '' }, password: DEMO_USER.password }), status: 400 },
      { name: 'password is a NoSQL operator', send: () => post({ email: DEMO_USER.email, password: { $ne: null } }), status: 400 },
      { name: 'email is an array', send: () => post({ email: [DEMO_USER.email], password: DEMO_USER.password }), status: 400 },
      { name: 'password is a number', send: () => post({ email: DEMO_USER.email, password: 12345678901 }), status: 400 },
      { name: '100 kB email', send: () => post({ email: `${over(100_000)}@example.com`, password: DEMO_USER.password }), status: 401 },
      { name: '100 kB password', send: () => post({ email: DEMO_USER.email, password: over(100_000) }), status: 401 },
      { name: 'body over BODY_LIMIT_BYTES', send: () => post({ email: DEMO_USER.email, password: over(BODY_LIMIT + 1024) }), status: 413 },
      { name: 'text/plain body', send: () => post(JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }), { 'content-type': 'text/plain' }), status: 415 },
      { name: 'email with a NUL byte', send: () => post({ email: `${DEMO_USER.email}\u0000`, password: DEMO_USER.password }), status: 401 },
      { name: 'email with a lone surrogate', send: () => post({ email: `demo\ud800@example.com`, password: DEMO_USER.password }), status: 401 },
      { name: 'email in full-width letters', send: () => post({ email: 'ｄｅｍｏ@example.com', password: DEMO_USER.password }), status: 401 },
      { name: 'email with an accent', send: () => post({ email: 'démo@example.com', password: DEMO_USER.password }), status: 401 },
      { name: 'email with a zero-width space', send: () => post({ email: 'demo\u200b@example.com', password: DEMO_USER.password }), status: 401 },
      { name: 'password with a NUL byte after the right one', send: (c) => post({ email: c.otherEmail, password: `${c.otherPassword}\u0000` }), status: 401 },
    ];
    INJECTIONS.forEach((inj, i) => {
      cases.push(
        { name: `email = ${inj}`, send: () => post({ email: inj, password: DEMO_USER.password }), status: 401 },
        { name: `email = ${inj} (form)`, send: () => http(base, 'POST', '/public/auth/login', { form: { email: inj, password: 'x' } }), status: 401 },
        // Split over three users, so no (user, client) pair passes the five free failures after
        // which the login throttle makes the client wait.
        { name: `password = ${inj}`, send: (c) => post({ email: [DEMO_USER.email, c.otherEmail, c.thirdEmail][i % 3], password: inj }), status: 401 },
      );
    });
    return cases;
  },
};

const requestOut: Area = {
  name: 'Request Out',
  envelope: requestOutEnvelope,
  bearer: true,
  cases(base) {
    const FIELDS = ['TicketId', 'Subject', 'SubjectType', 'SubjectIdentifier'] as const;
    const ok = { TicketId: 't-hostile-new', Subject: 'hostile', SubjectType: 'probe', SubjectIdentifier: 'target' };
    const send = (body: unknown, token: (c: Ctx) => string | null = (c) => c.demo, headers: Record<string, string> = {}) => (c: Ctx) => http(base, 'POST', '/api/request-out', { token: token(c), body, headers });
    const raw = (text: string, type = 'application/json') => send(text, (c) => c.demo, { 'content-type': type });
    const cases: RestCase[] = [
      { name: 'no token', send: send(ok, () => null), status: 401 },
      { name: 'a garbage token', send: send(ok, () => 'kct_garbage'), status: 401 },
      { name: 'an expired token', send: send(ok, (c) => c.expired), status: 401 },
      { name: 'the admin token', send: send(ok, () => ADMIN), status: 401 },
      { name: 'body is not JSON', send: raw('{"TicketId": '), status: 400 },
      { name: 'body is a JSON array', send: send([ok]), status: 400 },
      { name: 'body is a JSON string', send: raw('"TicketId=t-1"'), status: 400 },
      { name: 'body is JSON null', send: raw('null'), status: 400 },
      { name: 'empty body', send: raw(''), status: 400 },
      { name: 'text/plain body', send: raw(JSON.stringify(ok), 'text/plain'), status: 415 },
      { name: 'form body', send: (c) => http(base, 'POST', '/api/request-out', { token: c.demo, form: ok }), status: 415 },
      { name: 'body over BODY_LIMIT_BYTES', send: send({ ...ok, pad: over(BODY_LIMIT + 1024) }), status: 413 },
      { name: 'TicketId with spaces and slashes', send: send({ ...ok, TicketId: 'has spaces / slashes' }), status: 400 },
      { name: 'TicketId in full-width letters', send: send({ ...ok, TicketId: 'ｔ-１' }), status: 400 },
      { name: 'TicketId with a NUL byte', send: send({ ...ok, TicketId: 't-1\u0000' }), status: 400 },
      { name: 'TicketId of another client', send: send({ ...ok, TicketId: 't-hostile-1' }, (c) => c.other), status: 409 },
      { name: 'TicketId used with another SubjectIdentifier', send: send({ ...ok, TicketId: 't-hostile-1', SubjectIdentifier: 'other' }), status: 409 },
      // The prepared route's subject, spelt so that only a loose comparison would find it.
      { name: 'Subject with an accent', send: send({ ...ok, TicketId: 't-accent', Subject: 'hóstile' }), status: 400, orAnswer: notAvailable },
      { name: 'Subject in full-width letters', send: send({ ...ok, TicketId: 't-wide', Subject: 'ｈｏｓｔｉｌｅ' }), status: 400, orAnswer: notAvailable },
      { name: 'Subject with a zero-width space', send: send({ ...ok, TicketId: 't-zw', Subject: 'host\u200bile' }), status: 400, orAnswer: notAvailable },
    ];
    for (const field of FIELDS) {
      cases.push(
        { name: `${field} missing`, send: send({ ...ok, [field]: undefined }), status: 400 },
        { name: `${field} blank`, send: send({ ...ok, [field]: '   ' }), status: 400 },
        { name: `${field} is a number`, send: send({ ...ok, [field]: 42 }), status: 400 },
        { name: `${field} is a NoSQL operator`, send: send({ ...ok, [field]: { $gt: '' } }), status: 400 },
        { name: `${field} is an array`, send: send({ ...ok, [field]: [ok[field]] }), status: 400 },
        { name: `${field} is 101 characters`, send: send({ ...ok, [field]: 'x'.repeat(101) }), status: 400 },
        { name: `${field} is 100 kB`, send: send({ ...ok, [field]: over(100_000) }), status: 400 },
      );
      if (field !== 'TicketId') {
        cases.push(
          { name: `${field} with a NUL byte`, send: send({ ...ok, TicketId: `t-nul-${field}`, [field]: `${ok[field]}\u0000` }), status: 400, orAnswer: notAvailable },
          { name: `${field} with a lone surrogate`, send: send({ ...ok, TicketId: `t-sur-${field}`, [field]: `${ok[field]}\ud800` }), status: 400, orAnswer: notAvailable },
        );
      }
    }
    INJECTIONS.forEach((inj, i) => {
      for (const field of FIELDS) {
        // An injection in a subject field names no route: the documented "not available" body, no ticket.
        cases.push({ name: `${field} = ${inj}`, send: send({ ...ok, TicketId: `t-inj-${i}-${field}`, [field]: inj }), status: 400, orAnswer: field === 'TicketId' ? undefined : notAvailable });
      }
    });
    return cases;
  },
};

const erpSide: Area = {
  name: 'Jubelio gateway and bridge (ERP side)',
  envelope: commerceEnvelope,
  bearer: true,
  cases(base) {
    const PRODUCTS = '/api/connectors/jubelio/products';
    const row = (extra: Record<string, unknown> = {}) => ({ sku: 'HOSTILE-NEW', name: 'Kaos Polos', sellPrice: 75_000, ...extra });
    const stage = (body: unknown, token: (c: Ctx) => string | null = (c) => c.demo, headers: Record<string, string> = {}) => (c: Ctx) => http(base, 'POST', PRODUCTS, { token: token(c), body, headers });
    const rows = (...list: unknown[]) => stage({ products: list });
    const get = (path: string) => (c: Ctx) => http(base, 'GET', path, { token: c.demo });
    const ack = (id: string, body: unknown) => (c: Ctx) => http(base, 'POST', `/api/connectors/jubelio/sales-orders/${id}/ack`, { token: c.demo, body });
    const cursor = (s: string) => Buffer.from(s).toString('base64url');
    const cases: RestCase[] = [
      { name: 'stage: no token', send: stage({ products: [row()] }, () => null), status: 401 },
      { name: 'stage: a garbage token', send: stage({ products: [row()] }, () => 'kct_garbage'), status: 401 },
      { name: 'stage: an expired token', send: stage({ products: [row()] }, (c) => c.expired), status: 401 },
      { name: 'stage: the admin token', send: stage({ products: [row()] }, () => ADMIN), status: 401 },
      { name: 'stage: body is not JSON', send: stage('{"products": [', (c) => c.demo, { 'content-type': 'application/json' }), status: 400 },
      { name: 'stage: products is not an array', send: stage({ products: row() }), status: 400 },
      { name: 'stage: products is a NoSQL operator', send: stage({ products: { $gt: [] } }), status: 400 },
      { name: 'stage: no products', send: stage({ products: [] }), status: 400 },
      { name: 'stage: 1,001 products', send: stage({ products: Array.from({ length: 1001 }, (_, i) => row({ sku: `HOSTILE-${i}` })) }), status: 400 },
      { name: 'stage: body over its STAGE_BODY_LIMIT', send: stage({ products: [row({ description: over(STAGE_BODY_LIMIT + 1024) })] }), status: 413 },
      { name: 'stage: text/plain body', send: stage(JSON.stringify({ products: [row()] }), (c) => c.demo, { 'content-type': 'text/plain' }), status: 415 },
      { name: 'stage: a __proto__ key', send: stage('{"products": [], "__proto__": {"x": 1}}', (c) => c.demo, { 'content-type': 'application/json' }), status: 400 },
      // Rows are validated one by one: a bad row is rejected in the documented per-row answer.
      ...(
        [
          ['sellPrice is a string', row({ sellPrice: '75000' })],
          ['sellPrice is negative', row({ sellPrice: -1 })],
          ['sellPrice is 1e14', row({ sellPrice: 1e14 })],
          ['sellPrice is a NoSQL operator', row({ sellPrice: { $gt: 0 } })],
          ['sku is a number', row({ sku: 123 })],
          ['sku is a NoSQL operator', row({ sku: { $ne: null } })],
          ['sku is 101 characters', row({ sku: 'S'.repeat(101) })],
          ['sku is blank', row({ sku: '   ' })],
          ['sku with a NUL byte', row({ sku: 'HOSTILE\u0000' })],
          ['sku with a lone surrogate', row({ sku: 'HOSTILE-\ud800' })],
          ['name is 100 kB', row({ name: over(100_000) })],
          ['name with a lone surrogate', row({ name: 'Kaos \udc00' })],
          ['description with a NUL byte', row({ description: 'Katun\u0000' })],
          ['uomId is a fraction', row({ uomId: 1.5 })],
          ['brandId is negative', row({ brandId: -1 })],
          ['an unknown field', row({ colour: 'red' })],
          ['the row is a string', 'HOSTILE-NEW'],
          ['the row is null', null],
        ] as [string, unknown][]
      ).map(([what, r]): RestCase => ({ name: `stage: ${what}`, send: rows(r), status: 400, orAnswer: allRejected })),
      { name: 'push status: status is not a status', send: get(`${PRODUCTS}?status=lost`), status: 400 },
      { name: 'push status: limit is 501', send: get(`${PRODUCTS}?limit=501`), status: 400 },
      { name: 'push status: after with a NUL byte', send: get(`${PRODUCTS}?after=${enc('HOSTILE\u0000')}`), status: 400 },
      { name: 'push status: after is not a cursor', send: get(`${PRODUCTS}?after=garbage`), status: 400 },
      { name: 'push status: after is a sales-order cursor', send: get(`${PRODUCTS}?after=${cursor(`2026-01-01T00:00:00.000Z|${NOTHING}`)}`), status: 400 },
      { name: 'sales orders: since is not a date', send: get('/api/connectors/jubelio/sales-orders?since=yesterday'), status: 400 },
      { name: 'sales orders: since is 30 February', send: get('/api/connectors/jubelio/sales-orders?since=2026-02-30'), status: 400 },
      { name: 'sales orders: since is 31 April at noon', send: get(`/api/connectors/jubelio/sales-orders?since=${enc('2026-04-31T12:00:00Z')}`), status: 400 },
      { name: 'sales orders: since at hour 24', send: get(`/api/connectors/jubelio/sales-orders?since=${enc('2026-04-01T24:00:00Z')}`), status: 400 },
      { name: 'sales orders: limit is 1e2', send: get('/api/connectors/jubelio/sales-orders?limit=1e2'), status: 400 },
      { name: 'sales orders: a cursor of the product list', send: get(`/api/connectors/jubelio/sales-orders?after=${cursor('key|HOSTILE-SKU-1')}`), status: 400 },
      { name: 'optimakers products: since is 30 February', send: get('/api/connectors/optimakers/products?since=2026-02-30'), status: 400 },
      { name: 'optimakers products: after is not a cursor', send: get('/api/connectors/optimakers/products?after=garbage'), status: 400 },
      { name: 'ack: text/plain body', send: (c) => http(base, 'POST', '/api/connectors/jubelio/sales-orders/777/ack', { token: c.demo, body: '{"version": 1}', headers: { 'content-type': 'text/plain' } }), status: 415 },
      { name: 'sales orders: after is not a cursor', send: get('/api/connectors/jubelio/sales-orders?after=garbage'), status: 400 },
      { name: 'sales orders: a forged cursor with a NUL byte', send: get(`/api/connectors/jubelio/sales-orders?after=${cursor('2026-01-01T00:00:00Z|a\u0000')}`), status: 400 },
      { name: "sales orders: a forged cursor with an injection", send: get(`/api/connectors/jubelio/sales-orders?after=${cursor(`2026-01-01T00:00:00Z|' OR '1'='1`)}`), status: 400 },
      { name: 'ack: version missing', send: ack('777', {}), status: 400 },
      { name: 'ack: version is a string', send: ack('777', { version: '1' }), status: 400 },
      { name: 'ack: version is a NoSQL operator', send: ack('777', { version: { $gt: 0 } }), status: 400 },
      { name: 'ack: an unknown sales order', send: ack('999999', { version: 1 }), status: 404 },
      { name: 'ack: body is not JSON', send: (c) => http(base, 'POST', '/api/connectors/jubelio/sales-orders/777/ack', { token: c.demo, body: '{"version": ', headers: { 'content-type': 'application/json' } }), status: 400 },
    ];
    for (const inj of INJECTIONS) {
      const e = enc(inj);
      cases.push(
        // A SKU may hold quotes: a row that is otherwise wrong must not get past its validation.
        { name: `stage: sku = ${inj}, sellPrice missing`, send: rows({ sku: inj, name: 'x' }), status: 400, orAnswer: allRejected },
        { name: `stage: name = ${inj}, sellPrice is text`, send: rows(row({ name: inj, sellPrice: inj })), status: 400, orAnswer: allRejected },
        { name: `push status: status = ${inj}`, send: get(`${PRODUCTS}?status=${e}`), status: 400 },
        { name: `push status: limit = ${inj}`, send: get(`${PRODUCTS}?limit=${e}`), status: 400 },
        { name: `sales orders: since = ${inj}`, send: get(`/api/connectors/jubelio/sales-orders?since=${e}`), status: 400 },
        { name: `sales orders: status = ${inj}`, send: get(`/api/connectors/jubelio/sales-orders?status=${e}`), status: 400 },
        { name: `sales orders: after = ${inj}`, send: get(`/api/connectors/jubelio/sales-orders?after=${e}`), status: 400 },
        { name: `ack: id = ${inj}`, send: ack(e, { version: 1 }), status: 400 },
        { name: `ack: version = ${inj}`, send: ack('777', { version: inj }), status: 400 },
        { name: `optimakers products: since = ${inj}`, send: get(`/api/connectors/optimakers/products?since=${e}`), status: 400 },
        { name: `optimakers products: event = ${inj}`, send: get(`/api/connectors/optimakers/products?event=${e}`), status: 400 },
        { name: `optimakers ack: id = ${inj}`, send: (c) => http(base, 'POST', `/api/connectors/optimakers/products/${e}/ack`, { token: c.demo, body: { version: 1 } }), status: 400 },
      );
    }
    return cases;
  },
};

const jubelioWebhook: Area = {
  name: 'Jubelio webhook',
  envelope: commerceEnvelope,
  bearer: false,
  cases(base) {
    const post = (raw: string | ((c: Ctx) => string), sign: (c: Ctx, body: string) => string | null) => (c: Ctx) => {
      const body = typeof raw === 'string' ? raw : raw(c);
      const signature = sign(c, body);
      return http(base, 'POST', '/api/connectors/jubelio/webhooks', { body, headers: { 'content-type': 'application/json', ...(signature ? { sign: signature } : {}) } });
    };
    const signed = (c: Ctx, body: string) => hmac(c.jubelioSecret!, body);
    const prepared = (c: Ctx) => c.jubelioBody!;
    const cases: RestCase[] = [
      { name: 'no signature', send: post(prepared, () => null), status: 401 },
      { name: 'a forged signature', send: post(prepared, () => 'a'.repeat(64)), status: 401 },
      { name: 'a forged signature with a sha256= prefix', send: post(prepared, () => `sha256=${'0'.repeat(64)}`), status: 401 },
      { name: 'a 10 kB signature', send: post(prepared, () => over(10_000)), status: 401 },
      { name: 'a SHA-256 of the body instead of its HMAC', send: post(prepared, (_c, b) => createHash('sha256').update(b).digest('hex')), status: 401 },
      { name: 'a valid signature over other bytes (status changed)', send: post((c) => c.jubelioBody!.replace('"PAID"', '"CANCELED"'), (c) => signed(c, c.jubelioBody!)), status: 401 },
      { name: 'a valid signature over other bytes (a space appended)', send: post((c) => `${c.jubelioBody} `, (c) => signed(c, c.jubelioBody!)), status: 401 },
      { name: 'a raw NUL byte in the body, forged signature', send: post('{"action":"update-salesorder","salesorder_id":1\u0000}', () => 'b'.repeat(64)), status: 401 },
      { name: 'malformed JSON, validly signed', send: post('{"action": "update-salesorder",', signed), status: 400 },
      { name: 'a JSON array, validly signed', send: post('[{"action":"update-salesorder","salesorder_id":1}]', signed), status: 400 },
      { name: 'action missing, validly signed', send: post('{"salesorder_id": 1}', signed), status: 400 },
      { name: 'action is a NoSQL operator, validly signed', send: post('{"action": {"$ne": null}, "salesorder_id": 1}', signed), status: 400 },
      { name: 'action with a NUL byte, validly signed', send: post('{"action": "update-qty\\u0000"}', signed), status: 400 },
      { name: 'salesorder_id is an injection, validly signed', send: post(JSON.stringify({ action: 'update-salesorder', salesorder_id: `1 OR 1=1` }), signed), status: 400 },
      { name: 'body over BODY_LIMIT_BYTES', send: post(JSON.stringify({ action: 'update-qty', pad: over(BODY_LIMIT + 1024) }), signed), status: 413 },
      // A replay is acknowledged (Jubelio retries until it gets a 2xx) and stored once.
      { name: 'the prepared delivery replayed byte for byte', send: post(prepared, signed), status: ONLY_THE_ANSWER, orAnswer: replayAcknowledged },
      { name: 'the prepared delivery replayed, re-serialised', send: post((c) => JSON.stringify(JSON.parse(c.jubelioBody!), null, 2), signed), status: ONLY_THE_ANSWER, orAnswer: replayAcknowledged },
    ];
    for (const inj of INJECTIONS) {
      cases.push(
        { name: `action = ${inj}, forged signature`, send: post(JSON.stringify({ action: inj, salesorder_id: inj }), () => 'c'.repeat(64)), status: 401 },
        { name: `signature = ${inj}`, send: post(prepared, () => inj), status: 401 },
      );
    }
    return cases;
  },
};

const optimakersWebhook: Area = {
  name: 'Optimakers webhook',
  envelope: commerceEnvelope,
  bearer: false,
  cases(base) {
    const post = (body: (c: Ctx) => unknown, headers: Record<string, string> = {}) => (c: Ctx) => http(base, 'POST', '/api/connectors/optimakers/webhooks', { body: body(c), headers: { 'content-type': 'application/json', ...headers } });
    const message = (c: Ctx, extra: Record<string, unknown> = {}) => ({ ...JSON.parse(c.optimakersMessage!), Id: crypto.randomUUID(), ...extra });
    const cases: RestCase[] = [
      { name: 'token missing', send: post((c) => ({ ...message(c), Token: undefined })), status: 401 },
      { name: 'a wrong token', send: post((c) => message(c, { Token: 'guess' })), status: 401 },
      { name: 'an empty token', send: post((c) => message(c, { Token: '' })), status: 401 },
      { name: 'token is a NoSQL operator', send: post((c) => message(c, { Token: { $ne: null } })), status: 401 },
      { name: 'token is true', send: post((c) => message(c, { Token: true })), status: 401 },
      { name: 'the token with a NUL byte appended', send: post((c) => message(c, { Token: `${c.optimakersToken}\u0000` })), status: 401 },
      { name: 'a wrong token first, the right one in a second property', send: post((c) => ({ token: 'guess', ...message(c) })), status: 401 },
      { name: 'the token in a header instead', send: post((c) => ({ ...message(c), Token: undefined }), { 'x-token': 'demo-optimes-webhook-token' }), status: 401 },
      { name: 'malformed JSON', send: post(() => '{"Id": "x", "Token": '), status: 400 },
      { name: 'a JSON array', send: post((c) => [message(c)]), status: 401 },
      { name: 'empty body', send: post(() => ''), status: 400 },
      { name: 'body over BODY_LIMIT_BYTES', send: post((c) => message(c, { pad: over(BODY_LIMIT + 1024) })), status: 413 },
      { name: 'right token, Id missing', send: post((c) => ({ ...message(c), Id: undefined })), status: 400 },
      { name: 'right token, Id is 65 characters', send: post((c) => message(c, { Id: 'a'.repeat(65) })), status: 400 },
      { name: 'right token, Id is a NoSQL operator', send: post((c) => message(c, { Id: { $gt: '' } })), status: 400 },
      { name: 'right token, Ids hold an injection', send: post((c) => message(c, { Ids: ['1 OR 1=1'] })), status: 400 },
      { name: 'right token, 1,001 Ids', send: post((c) => message(c, { Ids: Array.from({ length: 1001 }, (_, i) => i + 1) })), status: 400 },
      { name: 'right token, EventSource is 101 characters', send: post((c) => message(c, { EventSource: 'e'.repeat(101) })), status: 400 },
      { name: 'right token, EventSource with a NUL byte', send: post((c) => message(c, { EventSource: 'order.updated\u0000' })), status: 400 },
      { name: 'right token, EventSource with a lone surrogate', send: post((c) => message(c, { EventSource: 'order.updated\ud800' })), status: 400 },
      // Stored once per Id: a replay is acknowledged and changes nothing.
      { name: 'the prepared message replayed', send: post((c) => c.optimakersMessage!), status: ONLY_THE_ANSWER, orAnswer: replayAcknowledged },
      { name: 'the prepared Id replayed with another event', send: post((c) => ({ ...JSON.parse(c.optimakersMessage!), EventSource: 'product.deleted', Ids: [999] })), status: ONLY_THE_ANSWER, orAnswer: replayAcknowledged },
      { name: 'the prepared Id replayed in upper case', send: post((c) => ({ ...JSON.parse(c.optimakersMessage!), Id: JSON.parse(c.optimakersMessage!).Id.toUpperCase() })), status: ONLY_THE_ANSWER, orAnswer: replayAcknowledged },
    ];
    for (const inj of INJECTIONS) {
      cases.push(
        { name: `Token = ${inj}`, send: post((c) => message(c, { Token: inj })), status: 401 },
        { name: `Id = ${inj}, wrong token`, send: post((c) => message(c, { Id: inj, Token: 'guess' })), status: 401 },
        { name: `Id = ${inj}, right token`, send: post((c) => message(c, { Id: inj })), status: 400 },
      );
    }
    return cases;
  },
};

// Admin routes know only ADMIN_TOKENS: any other token is not a credential there (401, as documented).
const ADMIN_ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/admin/http-log'],
  ['GET', '/api/admin/http-log/stats'],
  ['GET', '/api/admin/request-out/routes'],
  ['POST', '/api/admin/request-out/routes', { subject: 's', subjectType: 't', subjectIdentifier: 'i', name: 'n', upstreamUrl: 'https://upstream.example/x' }],
  ['GET', '/api/admin/request-out/tickets/t-hostile-1'],
  ['GET', '/api/admin/connector-users'],
  ['POST', '/api/admin/connector-users', { email: 'intruder@example.com', name: 'Intruder', password: 'a-long-password' }],
  ['POST', `/api/admin/connector-users/${U}/shops`, { name: 'Intruder shop' }],
  ['POST', `/api/admin/connector-users/${U}/revoke-tokens`],
];
const COMMERCE_ADMIN_ROUTES: [string, string][] = [
  ['POST', '/api/admin/jobs/jubelio-push-products/run'],
  ['GET', '/api/admin/jobs/jubelio-push-products'],
  ['GET', '/api/admin/connectors/bridge/orders'],
  ['GET', '/api/admin/connectors/jubelio/check'],
  ['POST', '/api/admin/connectors/bridge/orders/1/retry'],
];
const WHO: [string, (c: Ctx) => string | null][] = [
  ['no token', () => null],
  ["a connector user's token", (c) => c.demo],
  ['an editor token', () => EDITOR],
  ['an admin token with a suffix', () => `${ADMIN}x`],
];

const adminApi: Area = {
  name: 'Admin API',
  envelope: messageEnvelope,
  bearer: true,
  cases(base) {
    const admin = (method: string, path: string, body?: unknown) => () => http(base, method, path, { token: ADMIN, body });
    const cases: RestCase[] = ADMIN_ROUTES.flatMap(([method, path, body]) => WHO.map(([who, token]): RestCase => ({ name: `${method} ${path} with ${who}`, send: (c) => http(base, method, path, { token: token(c), body }), status: 401 })));
    const routeBody = (extra: Record<string, unknown>) => ({ subject: 's', subjectType: 't', subjectIdentifier: 'i', name: 'n', upstreamUrl: 'https://upstream.example/x', ...extra });
    cases.push(
      { name: 'http-log: status is not a status', send: admin('GET', '/api/admin/http-log?status=teapot'), status: 400 },
      { name: 'http-log: from is not a date', send: admin('GET', '/api/admin/http-log?from=yesterday'), status: 400 },
      { name: 'http-log: limit is 501', send: admin('GET', '/api/admin/http-log?limit=501'), status: 400 },
      { name: 'http-log: system with a NUL byte', send: admin('GET', `/api/admin/http-log?system=${enc('jubelio\u0000')}`), status: 400 },
      { name: 'http-log: correlationId with a NUL byte', send: admin('GET', `/api/admin/http-log?correlationId=${enc('x\u0000')}`), status: 400 },
      { name: 'request-out route: subject with a NUL byte', send: admin('POST', '/api/admin/request-out/routes', routeBody({ subject: 's\u0000' })), status: 400 },
      { name: 'request-out route: name with a lone surrogate', send: admin('POST', '/api/admin/request-out/routes', routeBody({ name: 'n\ud800' })), status: 400 },
      { name: 'request-out route: upstreamUrl with credentials', send: admin('POST', '/api/admin/request-out/routes', routeBody({ upstreamUrl: 'https://u:p@upstream.example' })), status: 400 },
      { name: 'request-out route: upstreamUrl is javascript:', send: admin('POST', '/api/admin/request-out/routes', routeBody({ upstreamUrl: 'javascript:alert(1)' })), status: 400 },
      { name: 'request-out route: 100 kB name', send: admin('POST', '/api/admin/request-out/routes', routeBody({ name: over(100_000) })), status: 400 },
      { name: 'request-out route: the prepared route again, upper case', send: admin('POST', '/api/admin/request-out/routes', routeBody({ subject: 'HOSTILE', subjectType: 'probe', subjectIdentifier: 'target' })), status: 409 },
      { name: 'request-out ticket: id with a NUL byte', send: admin('GET', `/api/admin/request-out/tickets/${enc('t-hostile-1\u0000')}`), status: 404 },
      { name: 'connector user: name with a NUL byte', send: admin('POST', '/api/admin/connector-users', { email: 'nul@example.com', name: 'N\u0000', password: 'a-long-password' }), status: 400 },
      { name: 'connector user: name with a lone surrogate', send: admin('POST', '/api/admin/connector-users', { email: 'surrogate@example.com', name: 'N\ud800', password: 'a-long-password' }), status: 400 },
      { name: 'connector user: the demo e-mail again, upper case', send: admin('POST', '/api/admin/connector-users', { email: 'DEMO@example.com', name: 'Copy', password: 'a-long-password' }), status: 409 },
      { name: 'connector user: 100 kB name', send: admin('POST', '/api/admin/connector-users', { email: 'long@example.com', name: over(100_000), password: 'a-long-password' }), status: 400 },
      { name: 'connector user: active is "false"', send: admin('PATCH', `/api/admin/connector-users/${U}`, { active: 'false' }), status: 400 },
      { name: 'shop: name with a NUL byte', send: admin('POST', `/api/admin/connector-users/${U}/shops`, { name: 'Shop\u0000' }), status: 400 },
      { name: 'shop: name with a lone surrogate', send: admin('POST', `/api/admin/connector-users/${U}/shops`, { name: 'Shop\udfff' }), status: 400 },
      { name: 'shop: 100 kB name', send: admin('POST', `/api/admin/connector-users/${U}/shops`, { name: over(100_000) }), status: 400 },
      { name: 'product: name is a NoSQL operator', send: admin('POST', `/api/admin/connector-users/${U}/products`, { name: { $gt: '' } }), status: 400 },
      { name: 'product: 10 kB sku', send: admin('POST', `/api/admin/connector-users/${U}/products`, { name: 'P', sku: over(10_000) }), status: 400 },
      { name: 'product: an unknown user', send: admin('POST', `/api/admin/connector-users/${NOTHING}/products`, { name: 'P' }), status: 404 },
      { name: 'body over BODY_LIMIT_BYTES', send: admin('POST', '/api/admin/request-out/routes', routeBody({ pad: over(BODY_LIMIT + 1024) })), status: 413 },
      { name: 'http-log: from is 30 February', send: admin('GET', '/api/admin/http-log?from=2026-02-30'), status: 400 },
      { name: 'http-log: to is month 13', send: admin('GET', `/api/admin/http-log?to=${enc('2026-13-01T00:00:00Z')}`), status: 400 },
      { name: 'http-log: before is not a number', send: admin('GET', '/api/admin/http-log?before=1e3'), status: 400 },
    );
    for (const inj of INJECTIONS) {
      const e = enc(inj);
      cases.push(
        { name: `http-log: status = ${inj}`, send: admin('GET', `/api/admin/http-log?status=${e}`), status: 400 },
        { name: `http-log: before = ${inj}`, send: admin('GET', `/api/admin/http-log?before=${e}`), status: 400 },
        { name: `connector user: id = ${inj}`, send: admin('PATCH', `/api/admin/connector-users/${e}`, { name: 'x' }), status: 400 },
        { name: `connector user: email = ${inj}`, send: admin('POST', '/api/admin/connector-users', { email: inj, name: 'x', password: 'a-long-password' }), status: 400 },
        { name: `request-out route: id = ${inj}`, send: admin('PATCH', `/api/admin/request-out/routes/${e}`, { name: 'x' }), status: 404 },
        { name: `request-out route: upstreamUrl = ${inj}`, send: admin('POST', '/api/admin/request-out/routes', routeBody({ upstreamUrl: inj })), status: 400 },
        { name: `request-out ticket: id = ${inj}`, send: admin('GET', `/api/admin/request-out/tickets/${e}`), status: 404 },
        { name: `shops: user id = ${inj}`, send: admin('POST', `/api/admin/connector-users/${e}/shops`, { name: 'x' }), status: 400 },
      );
    }
    return cases;
  },
};

const commerceAdmin: Area = {
  name: 'Admin API (jobs and connectors)',
  envelope: commerceEnvelope,
  bearer: true,
  cases(base) {
    const admin = (method: string, path: string) => () => http(base, method, path, { token: ADMIN });
    const cases: RestCase[] = COMMERCE_ADMIN_ROUTES.flatMap(([method, path]) => WHO.map(([who, token]): RestCase => ({ name: `${method} ${path} with ${who}`, send: (c) => http(base, method, path, { token: token(c) }), status: 401 })));
    cases.push(
      { name: 'jobs: an unknown job', send: admin('POST', '/api/admin/jobs/no-such-job/run'), status: 404 },
      { name: 'jobs: a job that needs data of its own', send: admin('POST', '/api/admin/jobs/sync-order/run'), status: 404 },
      { name: 'connectors: an unknown check', send: admin('GET', '/api/admin/connectors/maconomy/check'), status: 404 },
      { name: 'bridge orders: status is not a status', send: admin('GET', '/api/admin/connectors/bridge/orders?status=LOST'), status: 400 },
      { name: 'bridge orders: retry an unknown order', send: admin('POST', '/api/admin/connectors/bridge/orders/424242/retry'), status: 404 },
    );
    for (const inj of INJECTIONS) {
      const e = enc(inj);
      cases.push(
        { name: `jobs: name = ${inj}`, send: admin('POST', `/api/admin/jobs/${e}/run`), status: 404 },
        { name: `jobs: show name = ${inj}`, send: admin('GET', `/api/admin/jobs/${e}`), status: 404 },
        { name: `connectors: check name = ${inj}`, send: admin('GET', `/api/admin/connectors/${e}/check`), status: 404 },
        { name: `bridge orders: status = ${inj}`, send: admin('GET', `/api/admin/connectors/bridge/orders?status=${e}`), status: 400 },
        { name: `bridge orders: retry id = ${inj}`, send: admin('POST', `/api/admin/connectors/bridge/orders/${e}/retry`), status: 400 },
      );
    }
    return cases;
  },
};

const AREAS = [priceApi, login, requestOut, erpSide, jubelioWebhook, optimakersWebhook, adminApi, commerceAdmin];

/** Problems with one answer: a 5xx, a leak, the wrong status, or an error outside the endpoint's envelope. */
function judge(area: Area, c: RestCase, a: HttpAnswer): string[] {
  const label = `${area.name}: ${c.name}`;
  const excerpt = a.text.slice(0, 300);
  if (a.status >= 500) return [`${label}: answered ${a.status}: ${excerpt}`];
  const problems: string[] = [];
  const leak = leaksInternals(a.text);
  if (leak) problems.push(`${label}: the answer shows "${leak}": ${excerpt}`);
  if (c.orAnswer && a.status === 200 && c.orAnswer(a.json)) return problems;
  const wanted = [c.status].flat();
  if (!wanted.includes(a.status)) return [...problems, `${label}: expected HTTP ${wanted.join(' or ') || '200 with the documented answer'}, got ${a.status}: ${excerpt}`];
  if (!c.framework) {
    const wrong = area.envelope(a.json, a.status);
    if (wrong) problems.push(`${label}: ${wrong}: ${excerpt}`);
  }
  if (a.status === 401 && area.bearer && !/^Bearer\b/.test(a.headers.get('www-authenticate') ?? '')) problems.push(`${label}: 401 without WWW-Authenticate: Bearer`);
  return problems;
}

describe.each(testDatabaseKinds())('hostile REST input on %s', (kind) => {
  let h: Harness;
  let upstream: UpstreamSimulator;
  const ctx: Ctx = {};
  const UPSTREAM_TOKEN = 'hostile-upstream-token';

  beforeAll(async () => {
    upstream = await startUpstreamSimulator({ token: UPSTREAM_TOKEN });
    // No worker: nothing but the cases moves rows while they run. REQUEST_OUT_WAIT_MS=0 answers a
    // request that did get through at once (it would show as a new ticket and job).
    h = await startHarness(kind, { env: { REQUEST_OUT_WAIT_MS: '0' } });
    const base = h.url;
    ctx.demo = await loginDemo(base);
    ctx.demoHash = createHash('sha256').update(ctx.demo).digest('hex');
    const other = await newUser(base, ADMIN, 'Other Client');
    Object.assign(ctx, { other: other.token, otherId: other.id, otherEmail: other.email, otherPassword: other.password });
    ctx.thirdEmail = (await newUser(base, ADMIN, 'Third Client')).email;
    ctx.otherShop = (await http(base, 'POST', `/api/admin/connector-users/${other.id}/shops`, { token: ADMIN, body: { name: 'Other Shop' } })).json.id;
    ctx.otherProduct = (await http(base, 'POST', `/api/admin/connector-users/${other.id}/products`, { token: ADMIN, body: { name: 'Other Product', sku: 'O-1' } })).json.id;
    // A token that expired an hour ago.
    ctx.expired = `kct_${randomBytes(32).toString('base64url')}`;
    const em = h.db.em();
    em.create(ConnectorToken, { user: U, tokenHash: createHash('sha256').update(ctx.expired).digest('hex'), expiresAt: new Date(Date.now() - 3_600_000) } as never);
    await em.flush();

    const price = await http(base, 'POST', `/public/product/price/create/${U}/${PR}`, { token: ctx.demo, body: { price: 25000, shop: S, startDate: '2030-06-01 00:00:00', endDate: '2030-06-01 23:59:00' } });
    expect(price.status).toBe(200);
    ctx.priceId = price.json.data.id;

    // A Request Out route to this suite's upstream simulator, and one ticket, called once.
    const route = await http(base, 'POST', '/api/admin/request-out/routes', {
      token: ADMIN,
      body: { subject: 'hostile', subjectType: 'probe', subjectIdentifier: 'target', name: 'hostile target', upstreamUrl: `${upstream.url}/hostile`, authType: 'bearer', authSecret: UPSTREAM_TOKEN, timeoutMs: 2000 },
    });
    expect(route.status).toBe(201);
    const ticket = await http(base, 'POST', '/api/request-out', { token: ctx.demo, body: { TicketId: 't-hostile-1', Subject: 'hostile', SubjectType: 'probe', SubjectIdentifier: 'target' } });
    expect(ticket.json.StatusCode).toBe(404); // in process: no worker here
    expect(await runRequestOutCall({ db: h.db, fetch: (i, n) => fetch(i, n), now: () => new Date() }, 't-hostile-1')).toBe('SUCCEEDED');
    expect(upstream.calls).toHaveLength(1);

    // A staged Jubelio product, one signed sales-order delivery, one Optimakers message.
    const staged = await http(base, 'POST', '/api/connectors/jubelio/products', { token: ctx.demo, body: { products: [{ sku: 'HOSTILE-SKU-1', name: 'Kaos Polos', sellPrice: 75_000 }] } });
    expect(staged.json.accepted).toBe(1);
    const jubelio = h.kursus.commerce.simulators.jubelio!;
    ctx.jubelioSecret = h.config.jubelio.webhook.secret;
    jubelio.putSalesOrder(demoSalesOrder(777));
    ctx.jubelioBody = jubelio.webhookBody(777);
    expect(jubelio.sign(ctx.jubelioBody)).toBe(hmac(ctx.jubelioSecret, ctx.jubelioBody));
    const delivered = await http(base, 'POST', '/api/connectors/jubelio/webhooks', { body: ctx.jubelioBody, headers: { 'content-type': 'application/json', sign: hmac(ctx.jubelioSecret, ctx.jubelioBody) } });
    expect(delivered.json).toMatchObject({ received: true, duplicate: false });
    const optimakers = h.kursus.commerce.simulators.optimakers!;
    ctx.optimakersToken = h.config.bridge.optimes.webhookToken;
    ctx.optimakersMessage = optimakers.webhookMessage('order.updated', [1]);
    const sent = await http(base, 'POST', '/api/connectors/optimakers/webhooks', { body: ctx.optimakersMessage, headers: { 'content-type': 'application/json' } });
    expect(sent.json).toMatchObject({ received: true, duplicate: false });
  });
  afterAll(async () => {
    await h?.close();
    await upstream?.close();
  });

  /** The rows the cases aim at, field by field (a replay's duplicate counter is checked on its own). */
  const preparedState = async () => {
    const em = h.db.em();
    const pick = <T extends object>(rows: T[], keys: (keyof T)[]) => rows.map((r) => keys.map((k) => String(r[k] instanceof Date ? (r[k] as Date).toISOString() : typeof r[k] === 'object' && r[k] ? (r[k] as { id?: string }).id ?? JSON.stringify(r[k]) : r[k])));
    return {
      users: pick(await em.find(ConnectorUser, {}, { orderBy: { id: 'asc' } }), ['id', 'email', 'name', 'passwordHash', 'active', 'updatedAt']),
      tokens: pick(await em.find(ConnectorToken, {}, { orderBy: { tokenHash: 'asc' } }), ['tokenHash', 'user', 'expiresAt']),
      shops: pick(await em.find(Shop, {}, { orderBy: { id: 'asc' } }), ['id', 'owner', 'name', 'deletedAt', 'updatedAt']),
      products: pick(await em.find(Product, {}, { orderBy: { id: 'asc' } }), ['id', 'owner', 'name', 'sku', 'deletedAt', 'updatedAt']),
      prices: pick(await em.find(ProductPrice, {}, { orderBy: { id: 'asc' } }), ['id', 'product', 'shop', 'price', 'startDate', 'endDate', 'updatedAt', 'updatedBy', 'deletedAt']),
      routes: pick(await em.find(RequestOutRoute, {}, { orderBy: { id: 'asc' } }), ['id', 'subject', 'subjectType', 'subjectIdentifier', 'name', 'upstreamUrl', 'authSecret', 'enabled', 'timeoutMs']),
      tickets: pick(await em.find(RequestOutTicket, {}, { orderBy: { ticketId: 'asc' } }), ['ticketId', 'user', 'subject', 'subjectType', 'subjectIdentifier', 'status', 'attempts', 'resourceId', 'completedAt']),
      jubelioProducts: pick(await em.find(JubelioProduct, {}, { orderBy: { sku: 'asc' } }), ['sku', 'name', 'contentHash', 'status', 'updatedAt']),
      deliveries: pick(await em.find(WebhookDelivery, {}, { orderBy: { id: 'asc' } }), ['id', 'provider', 'deliveryKey', 'event', 'body', 'status', 'attempts']),
    };
  };
  const duplicates = async () => Object.fromEntries((await h.db.em().find(WebhookDelivery, {})).map((d) => [d.provider, d.duplicates]));

  it('refuses every hostile case clearly, in its envelope, and changes nothing', async () => {
    const stateBefore = await preparedState();
    const duplicatesBefore = await duplicates();
    const failures: string[] = [];
    let total = 0;
    for (const area of AREAS) {
      const all = area.cases(h.url);
      total += all.length;
      const before = await rowCounts(h.db);
      for (const c of all) {
        let answer: HttpAnswer;
        try {
          answer = await c.send(ctx);
        } catch (err) {
          failures.push(`${area.name}: ${c.name}: the request failed: ${(err as Error).message}`);
          continue;
        }
        failures.push(...judge(area, c, answer));
      }
      const after = await rowCounts(h.db);
      for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (before[table] !== after[table]) failures.push(`${area.name}: table ${table} went from ${before[table]} to ${after[table]} rows`);
      }
    }
    expect(failures).toEqual([]);
    expect(await preparedState()).toEqual(stateBefore);
    // Each replay was counted on its delivery, and nothing else about the delivery changed.
    const replays = (area: Area) => area.cases(h.url).filter((c) => c.status === ONLY_THE_ANSWER).length;
    expect(await duplicates()).toEqual({ jubelio: duplicatesBefore.jubelio! + replays(jubelioWebhook), optimakers: duplicatesBefore.optimakers! + replays(optimakersWebhook) });
    expect(upstream.calls).toHaveLength(1);
    // The request/response log recorded the hostile requests too, without losing a batch.
    await h.kursus.httpLog.flush();
    expect(h.kursus.httpLog.stats()).toMatchObject({ failed: 0, dropped: 0 });
    expect(total).toBeGreaterThan(1000);
  });

  it('logs requests that carry huge strings without holding up the process', async () => {
    // Runs that the log's redaction patterns once scanned quadratically: seconds of a blocked event
    // loop (every request waits) for each such field, at the next flush of the log.
    const started = Date.now();
    const runs = { letters: 'x'.repeat(240_000), jwtish: 'eyJ-'.repeat(60_000) };
    for (const run of Object.values(runs)) {
      expect((await http(h.url, 'POST', '/api/request-out', { token: ctx.demo, body: { TicketId: 't-huge', Subject: run, SubjectType: 'probe', SubjectIdentifier: 'target' } })).status).toBe(400);
      expect((await http(h.url, 'POST', `/public/product/price/create/${U}/${PR}`, { token: ctx.demo, body: goodPrice({ startDate: run }) })).status).toBe(400);
    }
    await h.kursus.httpLog.flush();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(h.kursus.httpLog.stats()).toMatchObject({ failed: 0, dropped: 0 });
  });

  it('stores a SKU that looks like SQL verbatim; a SKU the database cannot tell from a staged one is rejected, not a 500', async () => {
    const stage = (products: unknown[]) => http(h.url, 'POST', '/api/connectors/jubelio/products', { token: ctx.demo, body: { products } });
    const sku = `KAOS'); DROP TABLE jubelio_product; --`;
    const before = await rowCounts(h.db);
    const stored = await stage([{ sku, name: `{"$gt": ""}`, description: `<script>alert(1)</script>`, sellPrice: 1 }]);
    expect(stored.json).toMatchObject({ accepted: 1, results: [{ sku, result: 'created' }] });
    expect(await h.db.em().findOneOrFail(JubelioProduct, { sku })).toMatchObject({ name: `{"$gt": ""}`, data: expect.objectContaining({ description: '<script>alert(1)</script>' }) });
    expect((await http(h.url, 'GET', `/api/connectors/jubelio/products?after=${encodeKeyCursor(sku.slice(0, -1))}&limit=1`, { token: ctx.demo })).json.items[0].sku).toBe(sku);

    // A staged SKU in lower case, and two SKUs of one batch that differ only in case. SQLite tells
    // them apart; MySQL's collation (utf8mb4_unicode_ci) does not, and its UNIQUE index refuses them.
    const variants = await stage([
      { sku: 'hostile-sku-1', name: 'x', sellPrice: 1 },
      { sku: 'VARIANT-A', name: 'x', sellPrice: 1 },
      { sku: 'variant-a', name: 'x', sellPrice: 1 },
      { sku: 'Variánt-B', name: 'x', sellPrice: 1 },
      { sku: 'variant-b', name: 'x', sellPrice: 1 },
    ]);
    expect(variants.status).toBe(200);
    const results = variants.json.results.map((r: any) => `${r.sku}: ${r.result}`);
    if (kind === 'mysql') {
      expect(results).toEqual(['hostile-sku-1: rejected', 'VARIANT-A: created', 'variant-a: rejected', 'Variánt-B: created', 'variant-b: rejected']);
      expect(variants.json.results[0].errors[0]).toMatchObject({ field: 'products[0].sku', message: expect.stringContaining('does not tell apart') });
    } else {
      expect(results).toEqual(['hostile-sku-1: created', 'VARIANT-A: created', 'variant-a: created', 'Variánt-B: created', 'variant-b: created']);
    }
    const after = await rowCounts(h.db);
    expect(after.jubelio_product).toBe(before.jubelio_product! + 1 + (kind === 'mysql' ? 2 : 5));
    expect({ ...after, jubelio_product: 0 }).toEqual({ ...before, jubelio_product: 0 });
  });

  it('counts failed logins per address however it is spelt, and logs in only with the address as stored', async () => {
    const target = await newUser(h.url, ADMIN, 'Throttle Target');
    const login = (email: string, password: string) => http(h.url, 'POST', '/public/auth/login', { body: { email, password } });
    // Six failures (five are free), each under another spelling of the same address.
    const spellings = [target.email, ` ${target.email}`, `${target.email} `, target.email.toUpperCase(), `  ${target.email.toUpperCase()}  `];
    for (let i = 0; i < 6; i++) expect((await login(spellings[i % spellings.length]!, `wrong-password-${i}`)).status).toBe(401);
    // This client must wait now, under every spelling, even with the right password.
    for (const email of [...spellings, `\t${target.email}`]) {
      const r = await login(email, target.password);
      expect(`${JSON.stringify(email)}: ${r.status}`).toBe(`${JSON.stringify(email)}: 429`);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Other spellings that MySQL's collation would match are not this address at all.
    const [local, domain] = target.email.split('@') as [string, string];
    for (const email of [`${local.replace(/e/, 'é')}@${domain}`, `${local}@${domain.replace('example', 'éxample')}`, `${local}@${domain.replace(/m/, 'ｍ')}`]) {
      const r = await login(email, target.password);
      expect(`${email}: ${r.status}`).toBe(`${email}: 401`);
    }
    expect((await loginAs(h.url, DEMO_USER.email, DEMO_USER.password)).startsWith('kct_')).toBe(true);
  });
});
