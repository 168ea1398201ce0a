// The Product Price API through real HTTP on SQLite and MySQL: every documented endpoint, its
// envelope and record shape (checked against the documented examples and the route schemas that
// the OpenAPI document is built from), the auth matrix, validation, soft delete, search and order,
// overlapping windows and the price in force at a moment.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { ProductPrice } from '../../src/connectors/product-price/entities.js';
import { DEMO_PRICE, DEMO_PRODUCTS, DEMO_SHOPS } from '../../src/connectors/product-price/demo.js';
import { dataEnvelope, listEnvelope, messageOnly, priceRecordSchema, productRecordSchema, shopRecordSchema } from '../../src/connectors/product-price/schemas.js';
import { DEMO_USER, http, loginDemo, newUser, type HttpResult } from './connector-helpers.js';

// The documented examples (003_92c96f0cacea11c2.txt), as the contract the record must follow.
const DOCUMENTED_RECORD = {
  deleted_at: null,
  status: '1',
  id: '56139d43-3409-4a78-ad3f-e9f678170759',
  price: '25000',
  product: '13628104-90c3-41a9-9074-c5c8b386f720',
  startDate: '2022-10-08 00:00:00',
  endDate: '2022-10-08 23:59:00',
  shop: '03a0da07-1b3f-4512-81ed-0c01310666e4',
  shopName: 'Online Shop',
  created: { date: '2022-10-08 15:00:26.000000', timezone_type: 3, timezone: 'Asia/Bangkok' },
  updated: { date: '2022-10-08 15:00:26.000000', timezone_type: 3, timezone: 'Asia/Bangkok' },
  createdBy: '2888cc3b-0478-4e85-be41-7baf74fedf36',
  updatedBy: '',
  createdByName: 'Andika Pratama',
  updatedByName: null,
};
// The documents show these both as a name and as null.
const NULLABLE_NAMES = new Set(['shopName', 'createdByName', 'updatedByName']);

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Same keys in the same order as the documented record, each value of the documented type. */
function expectDocumentedRecord(record: Record<string, unknown>) {
  expect(Object.keys(record)).toEqual(Object.keys(DOCUMENTED_RECORD));
  for (const [key, documented] of Object.entries(DOCUMENTED_RECORD)) {
    const actual = record[key];
    if (NULLABLE_NAMES.has(key)) expect(['string', 'null']).toContain(kindOf(actual));
    else expect(`${key}:${kindOf(actual)}`).toBe(`${key}:${kindOf(documented)}`);
  }
  for (const stamp of ['created', 'updated'] as const) {
    expect(Object.keys(record[stamp] as object)).toEqual(['date', 'timezone_type', 'timezone']);
    expect((record[stamp] as any).date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect((record[stamp] as any).timezone_type).toBe(3);
  }
  expect(record.startDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  expect(record.endDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  expect(record.price).toMatch(/^\d+$/);
}

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validators = {
  list: ajv.compile(listEnvelope(priceRecordSchema)),
  data: ajv.compile(dataEnvelope(priceRecordSchema, '')),
  message: ajv.compile(messageOnly),
  shops: ajv.compile(listEnvelope(shopRecordSchema)),
  products: ajv.compile(listEnvelope(productRecordSchema)),
};
function expectSchema(name: keyof typeof validators, r: HttpResult) {
  const ok = validators[name](r.json);
  if (!ok) throw new Error(`${name} schema: ${JSON.stringify(validators[name].errors)} for ${r.text}`);
}

const ADMIN = 'admin-secret';
const ONLINE: string = DEMO_SHOPS[0].id;
const OFFLINE: string = DEMO_SHOPS[1].id;
const U = DEMO_USER.id;

describe.each(testDatabaseKinds())('Product Price API on %s', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness(kind);
    token = await loginDemo(h.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = (method: string, path: string, body?: unknown, t: string | null = token, form?: Record<string, string>) => http(h.url, method, path, { token: t, body, form });
  /** A fresh product of the demo user, so each test starts from an empty price list. */
  const freshProduct = async (name = 'Test product') => {
    const r = await http(h.url, 'POST', `/api/admin/connector-users/${U}/products`, { token: ADMIN, body: { name, sku: 'T-1' } });
    expect(r.status).toBe(201);
    return r.json.id as string;
  };
  const create = (product: string, body: Record<string, unknown>) => call('POST', `/public/product/price/create/${U}/${product}`, body);
  const window = (day: string, extra: Record<string, unknown> = {}) => ({ price: 25000, shop: ONLINE, startDate: `${day} 00:00:00`, endDate: `${day} 23:59:00`, ...extra });

  test('the documented flow: create, details, update, list, delete', async () => {
    const product = DEMO_PRODUCTS[0].id;
    // Demo mode seeds the price of the documentation's examples: its URLs work as written.
    const seeded = await call('GET', `/public/product/price/list/${U}/${product}/0/10`);
    expect(seeded.status).toBe(200);
    expect(seeded.json).toMatchObject({ message: 'Data retrieved successfully', show: 1, total: 1 });
    expect(seeded.json.data[0]).toMatchObject({ id: DEMO_PRICE.id, price: '25000', shop: ONLINE, startDate: '2022-10-07 00:00:00', endDate: '2022-10-07 23:59:00', createdBy: U, created: { date: '2022-10-08 15:00:26.000000', timezone: 'Asia/Bangkok' } });
    const example = await call('POST', `/public/product/price/details/${U}/${product}/56139d43-3409-4a78-ad3f-e9f678170759`);
    expect(example.status).toBe(200);
    expectSchema('data', example);
    expect(example.json.data).toEqual(seeded.json.data[0]);

    const created = await create(product, { price: 25000, shop: ONLINE, startDate: '2022-10-08 00:00:00', endDate: '2022-10-08 23:59:00' });
    expect(created.status).toBe(200);
    expectSchema('data', created);
    expect(Object.keys(created.json)).toEqual(['message', 'data']);
    expect(created.json.message).toBe('Data added successfully');
    const rec = created.json.data;
    expectDocumentedRecord(rec);
    expect(rec).toMatchObject({
      deleted_at: null,
      status: '1',
      price: '25000',
      product,
      startDate: '2022-10-08 00:00:00',
      endDate: '2022-10-08 23:59:00',
      shop: ONLINE,
      shopName: 'Online Shop',
      createdBy: U,
      updatedBy: '',
      createdByName: DEMO_USER.name,
      updatedByName: null,
    });
    expect(rec.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.created).toEqual(rec.updated);
    expect(rec.created.timezone).toBe('Asia/Bangkok');

    const details = await call('POST', `/public/product/price/details/${U}/${product}/${rec.id}`);
    expect(details.status).toBe(200);
    expectSchema('data', details);
    expect(details.json).toEqual({ message: 'Data retrieved successfully', data: rec });

    const updated = await call('POST', `/public/product/price/update/${U}/${product}/${rec.id}`, { price: 25500, shop: OFFLINE, startDate: '2022-10-08 00:00:00', endDate: '2022-10-08 23:59:00' });
    expect(updated.status).toBe(200);
    expectSchema('data', updated);
    expect(updated.json.message).toBe('Data updated successfully');
    expectDocumentedRecord(updated.json.data);
    expect(updated.json.data).toMatchObject({ id: rec.id, price: '25500', shop: OFFLINE, shopName: 'Offline Store', createdBy: U, updatedBy: U, updatedByName: DEMO_USER.name, created: rec.created });
    expect(updated.json.data.updated.date >= rec.created.date).toBe(true);

    const list = await call('GET', `/public/product/price/list/${U}/${product}/0/10`);
    expect(list.status).toBe(200);
    expectSchema('list', list);
    expect(Object.keys(list.json)).toEqual(['message', 'show', 'total', 'data']);
    expect(list.json).toMatchObject({ message: 'Data retrieved successfully', show: 2, total: 2 });
    expectDocumentedRecord(list.json.data[1]);
    expect(list.json.data.map((d: { id: string }) => d.id)).toEqual([DEMO_PRICE.id, rec.id]);
    expect(list.json.data[1]).toEqual(updated.json.data);

    const deleted = await call('DELETE', `/public/product/price/delete/${U}/${product}/${rec.id}`);
    expect(deleted.status).toBe(200);
    expectSchema('message', deleted);
    expect(deleted.json).toEqual({ message: 'data deleted successfully' });
    // Soft: the row is kept with deleted_at, but leaves details and lists.
    const row = await h.db.em().findOneOrFail(ProductPrice, { id: rec.id });
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect((await call('POST', `/public/product/price/details/${U}/${product}/${rec.id}`)).status).toBe(404);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/0/10`)).json).toMatchObject({ show: 1, total: 1, data: [{ id: DEMO_PRICE.id }] });
    const again = await call('DELETE', `/public/product/price/delete/${U}/${product}/${rec.id}`);
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ message: 'price not found' });
  });

  test('form-encoded bodies, date-only and ISO 8601 dates, prices as digit strings', async () => {
    const product = await freshProduct();
    const r = await call('POST', `/public/product/price/create/${U}/${product}`, undefined, token, { price: '15000', shop: ONLINE, startDate: '2023-01-01', endDate: '2023-01-31' });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ price: '15000', startDate: '2023-01-01 00:00:00', endDate: '2023-01-31 23:59:59' });
    // 00:00 UTC is 07:00 in Bangkok (UTC+7).
    const iso = await create(product, { price: 1, shop: OFFLINE, startDate: '2023-02-01T00:00:00Z', endDate: '2023-02-01T10:30:00+07:00' });
    expect(iso.status).toBe(200);
    expect(iso.json.data).toMatchObject({ startDate: '2023-02-01 07:00:00', endDate: '2023-02-01 10:30:00' });
    const zero = await create(product, { price: 0, shop: OFFLINE, startDate: '2023-03-01 00:00:00', endDate: '2023-03-01 00:00:00' });
    expect(zero.status).toBe(200);
    expect(zero.json.data.price).toBe('0');
    // DELETE with a JSON content type and no body, as PHP-era clients send it.
    const del = await http(h.url, 'DELETE', `/public/product/price/delete/${U}/${product}/${zero.json.data.id}`, { token, headers: { 'content-type': 'application/json' } });
    expect(del.status).toBe(200);
  });

  test('bad input is a 400 whose message names the field, and changes nothing', async () => {
    const product = await freshProduct();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...window('2024-01-01'), price: undefined }, /price/],
      [window('2024-01-01', { price: -1 }), /price/],
      [window('2024-01-01', { price: 12.5 }), /price/],
      [window('2024-01-01', { price: 'abc' }), /price/],
      [window('2024-01-01', { price: 1e15 }), /price/],
      [window('2024-01-01', { shop: undefined }), /shop/],
      [window('2024-01-01', { shop: 'online-shop' }), /shop/],
      [window('2024-01-01', { startDate: undefined }), /startDate/],
      [window('2024-01-01', { startDate: '08/10/2022' }), /startDate/],
      [window('2024-01-01', { endDate: '2022-02-30 00:00:00' }), /endDate/],
      [window('2024-01-01', { endDate: '2024-01-01 24:00:00' }), /endDate/],
      [window('2024-01-01', { startDate: '2024-01-02 00:00:00' }), /startDate must not be after endDate/],
      [window('2024-01-01', { allowOverlap: 'perhaps' }), /allowOverlap/],
    ];
    for (const [body, message] of cases) {
      const r = await create(product, body);
      expect(`${JSON.stringify(body)} -> ${r.status}`).toBe(`${JSON.stringify(body)} -> 400`);
      expect(Object.keys(r.json)).toEqual(['message']);
      expect(r.json.message).toMatch(message);
    }
    const notObject = await call('POST', `/public/product/price/create/${U}/${product}`, '[1,2]');
    expect(notObject.status).toBe(400);
    const notJson = await http(h.url, 'POST', `/public/product/price/create/${U}/${product}`, { token, body: '{"price": 1', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.json.message).toMatch(/JSON/);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/0/10`)).json.total).toBe(0);

    // Path parameters.
    const badProduct = await call('GET', `/public/product/price/list/${U}/not-a-product-id/0/10`);
    expect(badProduct.status).toBe(400);
    expect(badProduct.json.message).toMatch(/id_product/);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/-1/10`)).json.message).toMatch(/offsite/);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/0/0`)).json.message).toMatch(/limit/);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/0/5000`)).json.message).toMatch(/limit/);
    expect((await call('POST', `/public/product/price/details/${U}/${product}/xyz`)).json.message).toMatch(/id_price/);
    const badUser = await call('GET', `/public/product/price/list/short/${product}/0/10`);
    expect(badUser.status).toBe(400);
    expect(badUser.json.message).toMatch(/id_user/);
  });

  test('unknown or foreign product, shop and price are 404', async () => {
    const product = await freshProduct();
    const nobody = '00000000-0000-4000-8000-000000000000';
    expect((await call('GET', `/public/product/price/list/${U}/${nobody}/0/10`)).json).toEqual({ message: 'product not found' });
    expect((await create(nobody, window('2024-01-01'))).status).toBe(404);
    const unknownShop = await create(product, window('2024-01-01', { shop: nobody }));
    expect(unknownShop.status).toBe(404);
    expect(unknownShop.json).toEqual({ message: 'shop not found' });
    expect((await call('POST', `/public/product/price/details/${U}/${product}/${nobody}`)).json).toEqual({ message: 'price not found' });
    expect((await call('POST', `/public/product/price/update/${U}/${product}/${nobody}`, window('2024-01-01'))).status).toBe(404);

    // Another user's shop and product do not exist for the demo user.
    const other = await newUser(h.url, ADMIN);
    const theirShop = (await http(h.url, 'POST', `/api/admin/connector-users/${other.id}/shops`, { token: ADMIN, body: { name: 'Their Shop' } })).json.id;
    const theirProduct = (await http(h.url, 'POST', `/api/admin/connector-users/${other.id}/products`, { token: ADMIN, body: { name: 'Their Product' } })).json.id;
    expect((await create(product, window('2024-01-01', { shop: theirShop }))).status).toBe(404);
    expect((await create(theirProduct, window('2024-01-01'))).status).toBe(404);
    // ... and a price of one product is not reachable through another.
    const mine = await create(product, window('2024-02-01'));
    const otherProduct = await freshProduct();
    expect((await call('POST', `/public/product/price/details/${U}/${otherProduct}/${mine.json.data.id}`)).status).toBe(404);
    expect((await call('DELETE', `/public/product/price/delete/${U}/${otherProduct}/${mine.json.data.id}`)).status).toBe(404);
  });

  test('auth matrix: every endpoint answers 401 without or with a bad token, 403 for another user', async () => {
    const product = await freshProduct();
    const price = (await create(product, window('2024-03-01'))).json.data.id;
    const other = await newUser(h.url, ADMIN);
    const endpoints: [string, string, unknown?][] = [
      ['GET', `/public/product/price/list/${U}/${product}/0/10`],
      ['POST', `/public/product/price/create/${U}/${product}`, window('2024-03-05')],
      ['POST', `/public/product/price/update/${U}/${product}/${price}`, window('2024-03-01')],
      ['POST', `/public/product/price/details/${U}/${product}/${price}`],
      ['DELETE', `/public/product/price/delete/${U}/${product}/${price}`],
      ['GET', `/public/product/price/current/${U}/${product}?shop=${ONLINE}`],
      ['GET', `/public/shop/list/${U}/0/10`],
      ['GET', `/public/product/list/${U}/0/10`],
    ];
    for (const [method, path, body] of endpoints) {
      for (const t of [null, 'kct_not-a-real-token', 'Bearer-less']) {
        const r = await call(method, path, body, t);
        expect(`${method} ${path} ${t}: ${r.status}`).toBe(`${method} ${path} ${t}: 401`);
        expect(Object.keys(r.json)).toEqual(['message']);
      }
      const forbidden = await call(method, path, body, other.token);
      expect(`${method} ${path}: ${forbidden.status}`).toBe(`${method} ${path}: 403`);
      expect(Object.keys(forbidden.json)).toEqual(['message']);
    }
    // Nothing was changed by the refused calls.
    const details = await call('POST', `/public/product/price/details/${U}/${product}/${price}`);
    expect(details.status).toBe(200);
    expect(details.json.data.updatedBy).toBe('');
  });

  test('paging, search and ordering', async () => {
    const product = await freshProduct();
    await create(product, window('2024-05-01', { price: 300 }));
    await create(product, window('2024-05-02', { price: 100 }));
    await create(product, window('2024-05-03', { price: 200, shop: OFFLINE }));
    const page = await call('GET', `/public/product/price/list/${U}/${product}/1/1`);
    expect(page.json).toMatchObject({ show: 1, total: 3 });
    expect(page.json.data[0].price).toBe('100'); // default: created, then startDate ascending
    const prices = async (query: string) => (await call('GET', `/public/product/price/list/${U}/${product}/0/10${query}`)).json.data.map((d: any) => d.price);
    expect(await prices('?orderBy=-price')).toEqual(['300', '200', '100']);
    expect(await prices('?orderBy=price%20desc')).toEqual(['300', '200', '100']);
    expect(await prices('?orderBy=price:asc')).toEqual(['100', '200', '300']);
    expect(await prices('?orderBy=-startDate')).toEqual(['200', '100', '300']);
    expect(await prices('?orderBy=shopName,-price')).toEqual(['200', '300', '100']);
    expect(await prices('?q=offline')).toEqual(['200']);
    expect(await prices('?q=100')).toEqual(['100']);
    expect(await prices('?q=2024-05-02')).toEqual(['100']);
    expect(await prices('?q=nothing-like-this')).toEqual([]);
    expect(await prices('?q=%25')).toEqual([]);
    const filtered = await call('GET', `/public/product/price/list/${U}/${product}/0/10?q=O`);
    expect(filtered.json).toMatchObject({ show: 3, total: 3 });
    const bad = await call('GET', `/public/product/price/list/${U}/${product}/0/10?orderBy=password`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/orderBy/);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/0/10?orderBy=price;drop%20table%20x`)).status).toBe(400);
  });

  test('overlapping windows are refused with 409 unless allowOverlap; adjacent windows are fine', async () => {
    const product = await freshProduct();
    const first = await create(product, window('2024-06-10'));
    expect(first.status).toBe(200);
    const clash = await create(product, { price: 1, shop: ONLINE, startDate: '2024-06-10 12:00:00', endDate: '2024-06-11 00:00:00' });
    expect(clash.status).toBe(409);
    expect(Object.keys(clash.json)).toEqual(['message']);
    expect(clash.json.message).toContain(first.json.data.id);
    expect(clash.json.message).toMatch(/allowOverlap/);
    // Touching the end (inclusive) is an overlap; the next second is not.
    expect((await create(product, { price: 1, shop: ONLINE, startDate: '2024-06-10 23:59:00', endDate: '2024-06-12 00:00:00' })).status).toBe(409);
    expect((await create(product, { price: 1, shop: ONLINE, startDate: '2024-06-10 23:59:01', endDate: '2024-06-12 00:00:00' })).status).toBe(200);
    // Another shop is another price list.
    expect((await create(product, window('2024-06-10', { shop: OFFLINE }))).status).toBe(200);
    const allowed = await create(product, { price: 2, shop: ONLINE, startDate: '2024-06-10 12:00:00', endDate: '2024-06-10 13:00:00', allowOverlap: true });
    expect(allowed.status).toBe(200);
    // Updating a price onto itself is not a clash; moving it onto another is.
    expect((await call('POST', `/public/product/price/update/${U}/${product}/${first.json.data.id}`, window('2024-06-10', { price: 26000, allowOverlap: true }))).status).toBe(200);
    const moved = await call('POST', `/public/product/price/update/${U}/${product}/${allowed.json.data.id}`, { price: 2, shop: OFFLINE, startDate: '2024-06-10 12:00:00', endDate: '2024-06-10 13:00:00' });
    expect(moved.status).toBe(409);
    const total = (await call('GET', `/public/product/price/list/${U}/${product}/0/100`)).json.total;
    expect(total).toBe(4);
  });

  test('concurrent creates of one window: exactly one wins', async () => {
    const product = await freshProduct();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => create(product, window('2024-07-01', { price: 1000 + i }))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await call('GET', `/public/product/price/list/${U}/${product}/0/10`)).json.total).toBe(1);
  });

  test('price/current answers the price in force at a moment', async () => {
    const product = await freshProduct();
    const base = await create(product, { price: 100, shop: ONLINE, startDate: '2024-08-01 00:00:00', endDate: '2024-08-31 23:59:59' });
    const promo = await create(product, { price: 80, shop: ONLINE, startDate: '2024-08-10 00:00:00', endDate: '2024-08-12 23:59:59', allowOverlap: true });
    const at = (when: string, shop = ONLINE) => call('GET', `/public/product/price/current/${U}/${product}?shop=${shop}&at=${encodeURIComponent(when)}`);
    const r = await at('2024-08-05 12:00:00');
    expect(r.status).toBe(200);
    expectSchema('data', r);
    expect(r.json).toEqual({ message: 'Data retrieved successfully', data: base.json.data });
    expect((await at('2024-08-11 12:00:00')).json.data.id).toBe(promo.json.data.id); // the later start wins
    expect((await at('2024-08-13 00:00:00')).json.data.id).toBe(base.json.data.id);
    const none = await at('2024-09-01 00:00:00');
    expect(none.status).toBe(404);
    expect(Object.keys(none.json)).toEqual(['message']);
    expect((await at('2024-08-05 12:00:00', OFFLINE)).status).toBe(404);
    // Without `at`: now (no price covers today in this test).
    expect((await call('GET', `/public/product/price/current/${U}/${product}?shop=${ONLINE}`)).status).toBe(404);
    expect((await call('GET', `/public/product/price/current/${U}/${product}`)).json.message).toMatch(/shop/);
    expect((await at('yesterday')).json.message).toMatch(/at/);
    // A deleted price is no longer in force.
    await call('DELETE', `/public/product/price/delete/${U}/${product}/${promo.json.data.id}`);
    expect((await at('2024-08-11 12:00:00')).json.data.id).toBe(base.json.data.id);
  });

  test('shop and product lists in the style of the price list, with the fixed demo ids', async () => {
    const shops = await call('GET', `/public/shop/list/${U}/0/10?orderBy=name`);
    expect(shops.status).toBe(200);
    expectSchema('shops', shops);
    expect(shops.json.message).toBe('Data retrieved successfully');
    expect(shops.json.data.map((s: any) => [s.id, s.name])).toEqual([
      [OFFLINE, 'Offline Store'],
      [ONLINE, 'Online Shop'],
    ]);
    const products = await call('GET', `/public/product/list/${U}/0/2`);
    expectSchema('products', products);
    expect(products.json.show).toBe(2);
    expect(products.json.total).toBeGreaterThanOrEqual(2);
    const all = await call('GET', `/public/product/list/${U}/0/100`);
    expect(all.json.show).toBe(all.json.total);
    expect(all.json.data.map((p: any) => p.id)).toEqual(expect.arrayContaining(DEMO_PRODUCTS.map((p) => p.id)));
    const search = await call('GET', `/public/product/list/${U}/0/10?q=tea`);
    expect(search.json.data.map((p: any) => p.name)).toEqual(['Tea Leaves 100 g']);
    expect((await call('GET', `/public/product/list/${U}/0/10?orderBy=sku`)).status).toBe(400);
  });

  test('shop and product search takes %, _, \\ and ! literally', async () => {
    const other = await newUser(h.url, ADMIN, 'Wildcard Client');
    const add = async (kind: 'shops' | 'products', name: string) => {
      const r = await http(h.url, 'POST', `/api/admin/connector-users/${other.id}/${kind}`, { token: ADMIN, body: { name } });
      expect(r.status).toBe(201);
    };
    for (const name of ['Sugar 100_g', 'Sugar 100xg', 'Salt 5% off', 'Salt 5x off', 'Back\\slash', 'Bang!on']) await add('products', name);
    for (const name of ['Outlet 100_g', 'Outlet 100xg']) await add('shops', name);
    const names = async (kind: 'shop' | 'product', q: string) =>
      (await http(h.url, 'GET', `/public/${kind}/list/${other.id}/0/100?q=${encodeURIComponent(q)}&orderBy=name`, { token: other.token })).json.data.map((x: any) => x.name);
    expect(await names('product', '100_g')).toEqual(['Sugar 100_g']);
    expect(await names('shop', '100_g')).toEqual(['Outlet 100_g']);
    expect(await names('product', '5%')).toEqual(['Salt 5% off']);
    expect(await names('product', 'k\\s')).toEqual(['Back\\slash']);
    expect(await names('product', 'g!o')).toEqual(['Bang!on']);
    expect((await names('product', 'SUGAR')).sort()).toEqual(['Sugar 100_g', 'Sugar 100xg']); // collations order '_' differently
    expect(await names('product', '%')).toEqual(['Salt 5% off']);
  });
});
