// The Jubelio gateway end to end, on SQLite and MySQL: the real app on loopback (demo mode starts
// the Jubelio simulator), the ERP's REST calls with a connector user's bearer token, the real
// Agenda worker running jubelio-push-products and the webhook jobs, and Jubelio's own webhook
// deliveries from the simulator, signed like the real thing.
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { demoSalesOrder, type JubelioSimulator } from '../../src/simulators/jubelio.js';
import { WebhookDelivery } from '../../src/connectors/commerce/entities.js';
import { JubelioProduct, JubelioSalesOrderEvent } from '../../src/connectors/jubelio/entities.js';
import { MAX_STAGE_BATCH, MAX_TEXT, STAGE_BODY_LIMIT } from '../../src/connectors/jubelio/products.js';
import { ADMIN, call, erpToken, runJob, waitFor } from './jubelio-bridge-support.js';

const product = (i: number, over: Record<string, unknown> = {}) => ({
  sku: `KAOS-${String(i).padStart(4, '0')}`,
  name: `Kaos Polos ${i}`,
  description: 'Katun combed 30s',
  sellPrice: 75_000 + i,
  buyPrice: 40_000,
  barcode: `899${String(i).padStart(10, '0')}`,
  ...over,
});

describe.each(testDatabaseKinds())('Jubelio gateway on %s', (kind) => {
  let h: Harness;
  let sim: JubelioSimulator;
  let erp: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness(kind, { worker: true, env: { JUBELIO_RATE_LIMIT_WAIT_MS: '50', JUBELIO_TIMEOUT_MS: '2000' } });
    sim = h.kursus.commerce.simulators.jubelio!;
    erp = await erpToken(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const allProducts = async (status?: string) => {
    const items: any[] = [];
    let after: string | null = null;
    do {
      const r = await call(h, 'GET', `/api/connectors/jubelio/products?limit=500${status ? `&status=${status}` : ''}${after ? `&after=${encodeURIComponent(after)}` : ''}`, { headers: erp });
      expect(r.status).toBe(200);
      items.push(...r.json.items);
      after = r.json.nextCursor;
    } while (after);
    return items;
  };

  it('stages 250 products, pushes all of them once, and re-pushes only the changed ones', async () => {
    const staged = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: Array.from({ length: 250 }, (_, i) => product(i)) } });
    expect(staged.status).toBe(200);
    expect(staged.json).toMatchObject({ accepted: 250, rejected: 0 });
    expect(new Set(staged.json.results.map((r: any) => r.result))).toEqual(new Set(['created']));
    expect(await allProducts('pending')).toHaveLength(250);

    const run = await runJob(h, 'jubelio-push-products');
    expect(run).toMatchObject({ status: 'OK', counts: { pushed: 250, created: 250, failed: 0 } });
    const pushed = await allProducts('pushed');
    expect(pushed).toHaveLength(250);
    expect(pushed.every((p) => Number.isInteger(p.itemGroupId) && p.lastError === null)).toBe(true);
    expect(sim.products.size).toBe(250);
    expect(sim.productBySku('KAOS-0007')).toMatchObject({ item_group_name: 'Kaos Polos 7', sell_price: 75_007, revision: 1, product_skus: [{ item_code: 'KAOS-0007', barcode: '8990000000007' }] });
    // One login for the whole run: the token is cached.
    expect(sim.logins()).toBe(1);

    // The ERP sends the whole catalogue again with 10 prices changed.
    const again = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: Array.from({ length: 250 }, (_, i) => product(i, i % 25 === 0 ? { sellPrice: 99_000 } : {})) } });
    expect(again.json.accepted).toBe(250);
    const byResult = (r: string) => again.json.results.filter((x: any) => x.result === r).length;
    expect([byResult('updated'), byResult('unchanged')]).toEqual([10, 240]);
    const catalogWrites = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/inventory/catalog')).length;
    const writesBefore = catalogWrites();
    const rerun = await runJob(h, 'jubelio-push-products');
    expect(rerun.counts).toMatchObject({ pushed: 10, created: 0, updated: 10, failed: 0 });
    expect(catalogWrites() - writesBefore).toBe(10);
    expect(sim.products.size).toBe(250);
    expect(sim.productBySku('KAOS-0025')).toMatchObject({ sell_price: 99_000, revision: 2 });
    expect(sim.productBySku('KAOS-0026')).toMatchObject({ sell_price: 75_026, revision: 1 });
    expect(await allProducts('pending')).toHaveLength(0);

    // Admins see the runs with their counts.
    const info = await call(h, 'GET', '/api/admin/jobs/jubelio-push-products', { headers: ADMIN });
    expect(info.status).toBe(200);
    expect(info.json.runs.map((r: any) => r.counts.pushed)).toEqual(expect.arrayContaining([10, 250]));
    expect(info.json.schedule).toMatchObject({ interval: '5 minutes' });
  });

  it('logs in again after a 401, waits on 429 and retries 5xx, still pushing each product once', async () => {
    await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: [product(900), product(901)] } });
    sim.expireTokens();
    const loginsBefore = sim.logins();
    sim.faults.failNext(1, { status: 429, path: '/inventory/catalog' });
    sim.faults.failNext(2, { status: 503, path: '/inventory/catalog' });
    const run = await runJob(h, 'jubelio-push-products');
    expect(run.counts).toMatchObject({ pushed: 2, failed: 0 });
    expect(sim.logins()).toBe(loginsBefore + 1);
    expect(sim.productBySku('KAOS-0900')?.revision).toBe(1);
    expect(sim.productBySku('KAOS-0901')?.revision).toBe(1);
  });

  it('a create whose answer was lost is found by SKU, not created twice', async () => {
    await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: [product(950)] } });
    // Jubelio stores the group, then the gateway in front of it answers 502.
    sim.faults.applyThenFailNext(1, { status: 502, path: '/inventory/catalog' });
    const run = await runJob(h, 'jubelio-push-products');
    expect(run.counts).toMatchObject({ pushed: 1, failed: 0 });
    expect([...sim.products.values()].filter((g) => g.product_skus.some((s) => s.item_code === 'KAOS-0950'))).toHaveLength(1);
    const [row] = (await allProducts('pushed')).filter((p) => p.sku === 'KAOS-0950');
    expect(row.itemGroupId).toBe(sim.productBySku('KAOS-0950')!.item_group_id);
  });

  it('marks a product Jubelio rejects as failed with the reason, and pushes it once the ERP stages a fix', async () => {
    await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: [product(960)] } });
    sim.faults.failNext(1, { status: 400, path: '/inventory/catalog' });
    const run = await runJob(h, 'jubelio-push-products');
    expect(run).toMatchObject({ status: 'PARTIAL', counts: { pushed: 0, failed: 1 } });
    const failed = await allProducts('failed');
    expect(failed).toEqual([expect.objectContaining({ sku: 'KAOS-0960', status: 'failed', lastError: expect.stringContaining('answered 400') })]);
    const fixed = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: [product(960, { name: 'Kaos Polos 960 (baru)' })] } });
    expect(fixed.json.results[0]).toMatchObject({ result: 'updated', status: 'pending' });
    expect((await runJob(h, 'jubelio-push-products')).counts).toMatchObject({ pushed: 1 });
    expect(sim.productBySku('KAOS-0960')?.item_group_name).toBe('Kaos Polos 960 (baru)');
  });

  const stage = async (...products: Record<string, unknown>[]) => {
    const r = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products } });
    expect(r.status).toBe(200);
    return r.json.results as any[];
  };
  const rowOf = async (sku: string) => (await allProducts()).find((p) => p.sku === sku);

  it('a product staged back to the version Jubelio had while a newer one is in flight is sent again, not left marked pushed', async () => {
    const v1 = product(990);
    const v2 = product(990, { name: 'Kaos Polos 990 v2' });
    await stage(v1);
    expect((await runJob(h, 'jubelio-push-products')).counts).toMatchObject({ pushed: 1 });
    await stage(v2);
    // The push of v2 is held inside Jubelio while the ERP stages v1 again.
    const paused = sim.faults.pauseNext({ method: 'POST', path: '/inventory/catalog', bodyIncludes: 'KAOS-0990' });
    const running = runJob(h, 'jubelio-push-products');
    await paused.reached;
    expect((await stage(v1))[0]).toMatchObject({ result: 'updated', status: 'pushed' });
    paused.release();
    expect((await running).counts).toMatchObject({ pushed: 1, failed: 0 });
    // Jubelio now holds v2 while the ERP wants v1: the row must wait to be sent again.
    expect(sim.productBySku('KAOS-0990')?.item_group_name).toBe('Kaos Polos 990 v2');
    expect(await rowOf('KAOS-0990')).toMatchObject({ status: 'pending' });
    expect((await runJob(h, 'jubelio-push-products')).counts).toMatchObject({ pushed: 1, updated: 1 });
    expect(sim.productBySku('KAOS-0990')).toMatchObject({ item_group_name: 'Kaos Polos 990', revision: 3 });
    expect(await rowOf('KAOS-0990')).toMatchObject({ status: 'pushed', lastError: null });
  });

  it('a push that may have landed (502 after Jubelio applied it) while the ERP re-stages the older version sends that version again', async () => {
    const v1 = product(991);
    await stage(v1);
    await runJob(h, 'jubelio-push-products');
    await stage(product(991, { name: 'Kaos Polos 991 v2' }));
    const paused = sim.faults.pauseNext({ method: 'POST', path: '/inventory/catalog', bodyIncludes: 'KAOS-0991' });
    // Every attempt is applied, then the proxy in front of Jubelio answers 502.
    sim.faults.applyThenFailNext(4, { status: 502, path: '/inventory/catalog', bodyIncludes: 'KAOS-0991' });
    const running = runJob(h, 'jubelio-push-products');
    await paused.reached;
    await stage(v1);
    paused.release();
    expect(await running).toMatchObject({ status: 'PARTIAL', counts: { pushed: 0, failed: 1 } });
    expect(sim.productBySku('KAOS-0991')?.item_group_name).toBe('Kaos Polos 991 v2');
    expect(await rowOf('KAOS-0991')).toMatchObject({ status: 'pending' });
    expect((await runJob(h, 'jubelio-push-products')).counts).toMatchObject({ pushed: 1 });
    expect(sim.productBySku('KAOS-0991')?.item_group_name).toBe('Kaos Polos 991');
    expect(await rowOf('KAOS-0991')).toMatchObject({ status: 'pushed' });
  });

  it('when Jubelio rejects the login, the run fails and every waiting product says why', async () => {
    // A row whose last push failed (and will be tried again) keeps the reason it failed.
    await stage(product(994));
    sim.faults.failNext(20, { status: 502, path: '/inventory/catalog' });
    expect((await runJob(h, 'jubelio-push-products')).counts).toMatchObject({ failed: 1 });
    sim.faults.clear();
    const failedBefore = (await allProducts('failed')).map((p) => [p.sku, p.lastError]);
    expect(failedBefore).toEqual([['KAOS-0994', expect.stringContaining('502')]]);
    await stage(product(992), product(993));
    sim.setPassword('changed-in-jubelio');
    sim.expireTokens();
    try {
      const run = await runJob(h, 'jubelio-push-products');
      expect(run).toMatchObject({ status: 'FAILED', error: expect.stringContaining('rejected the login') });
      const pending = (await allProducts('pending')).filter((p) => ['KAOS-0992', 'KAOS-0993'].includes(p.sku));
      expect(pending).toHaveLength(2);
      for (const p of pending) expect(p.lastError).toMatch(/not pushed yet: Jubelio rejected the login .*check JUBELIO_EMAIL and JUBELIO_PASSWORD/);
      expect(JSON.stringify(pending)).not.toContain('demo-jubelio-password');
      expect((await allProducts('failed')).map((p) => [p.sku, p.lastError])).toEqual(failedBefore);
    } finally {
      sim.setPassword('demo-jubelio-password');
    }
    expect((await runJob(h, 'jubelio-push-products')).counts).toMatchObject({ pushed: 3 }); // 992, 993 and the retried 994
    expect(await rowOf('KAOS-0992')).toMatchObject({ status: 'pushed', lastError: null });
  });

  it('validates every row on its own and says which field is wrong', async () => {
    const r = await call(h, 'POST', '/api/connectors/jubelio/products', {
      headers: erp,
      body: { products: [product(970), { name: 'no sku', sellPrice: 1 }, product(971, { sellPrice: -5 }), product(972, { colour: 'red' }), product(970), 'nonsense'] },
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ accepted: 1, rejected: 5 });
    const errs = (i: number) => r.json.results[i].errors.map((e: any) => e.field);
    expect(r.json.results[0]).toMatchObject({ result: 'created' });
    expect(errs(1)).toEqual(['products[1].sku']);
    expect(errs(2)).toEqual(['products[2].sellPrice']);
    expect(r.json.results[3].errors[0].message).toContain('colour');
    expect(r.json.results[4].errors[0].message).toContain('appears twice');
    expect(errs(5)).toEqual(['products[5]']);
    expect((await allProducts()).filter((p) => ['KAOS-0971', 'KAOS-0972'].includes(p.sku))).toEqual([]);

    const tooMany = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: Array.from({ length: 1001 }, (_, i) => product(i)) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'products' });
    const bad = await call(h, 'GET', '/api/connectors/jubelio/products?status=lost', { headers: erp });
    expect(bad.json.error).toMatchObject({ field: 'status' });
    const anonymous = await call(h, 'POST', '/api/connectors/jubelio/products', { body: { products: [product(980)] } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe('UNAUTHORIZED');
    expect((await allProducts()).some((p) => p.sku === 'KAOS-0980')).toBe(false);
  });

  it('accepts the largest valid batch: 1,000 rows with every text at its maximum, even with every character \\u-escaped', async () => {
    const wide = (n: number) => '中'.repeat(n);
    const rows = Array.from({ length: MAX_STAGE_BATCH }, (_, i) => ({
      sku: `MAX-${String(i).padStart(4, '0')}${wide(MAX_TEXT.sku - 8)}`,
      name: wide(MAX_TEXT.name),
      description: wide(MAX_TEXT.description),
      sellPrice: 9_999_999_999_999.99,
      buyPrice: 9_999_999_999_999.99,
      barcode: wide(MAX_TEXT.barcode),
      uomId: 2_147_483_647,
      categoryId: 2_147_483_647,
      brandId: 2_147_483_647,
    }));
    // As an encoder that escapes everything outside ASCII writes it: 6 bytes a character.
    const body = JSON.stringify({ products: rows }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(body.length).toBeGreaterThan(30 * 1024 * 1024);
    expect(body.length).toBeLessThanOrEqual(STAGE_BODY_LIMIT);
    try {
      const r = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, raw: body });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ accepted: 1000, rejected: 0 });
      const stored = await h.db.em().findOneOrFail(JubelioProduct, { sku: rows[999]!.sku });
      expect(stored.data.description).toBe(wide(MAX_TEXT.description));
      // One character more is a rejected row that names the field, not a lost request.
      const longer = await call(h, 'POST', '/api/connectors/jubelio/products', { headers: erp, body: { products: [product(994, { description: wide(MAX_TEXT.description + 1) })] } });
      expect(longer.json.results[0].errors).toEqual([{ field: 'products[0].description', message: `description must be at most ${MAX_TEXT.description} characters` }]);
      // Without a token the answer is 401 before the body is read.
      expect((await call(h, 'POST', '/api/connectors/jubelio/products', { raw: body })).status).toBe(401);
    } finally {
      // Not pushed here: 1,000 more products would wait on the rate limit in the next tests.
      await h.db.em().nativeDelete(JubelioProduct, { sku: { $like: 'MAX-%' } });
    }
  });

  const salesOrders = async (query = '') => {
    const r = await call(h, 'GET', `/api/connectors/jubelio/sales-orders${query}`, { headers: erp });
    expect(r.status).toBe(200);
    return r.json.items as any[];
  };

  it('a sales-order webhook delivered twice is one order for the ERP; a newer status is a new version with history', async () => {
    sim.putSalesOrder(demoSalesOrder(501));
    expect(await sim.deliverSalesOrder(501)).toBe(200);
    expect(await sim.deliverSalesOrder(501)).toBe(200);
    const [order] = await waitFor('the order for the ERP', async () => {
      const list = (await salesOrders()).filter((o) => o.salesorderId === 501);
      return list.length ? list : null;
    });
    expect(order).toMatchObject({ salesorderNo: 'SO-000501', status: 'PAID', version: 1, acknowledgedVersion: 0, order: { customer_name: 'Budi Santoso', items: [expect.objectContaining({ item_code: 'SKU-0001' })] } });
    const deliveries = await h.db.em().find(WebhookDelivery, { provider: 'jubelio' });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ duplicates: 1, status: 'DONE' });

    // The ERP takes version 1; then Jubelio sends the shipped status.
    const ack1 = await call(h, 'POST', '/api/connectors/jubelio/sales-orders/501/ack', { headers: erp, body: { version: 1 } });
    expect(ack1.json).toMatchObject({ acknowledgedVersion: 1, pending: false });
    expect((await salesOrders()).some((o) => o.salesorderId === 501)).toBe(false);
    sim.putSalesOrder({ ...demoSalesOrder(501), status: 'SHIPPED' });
    expect(await sim.deliverSalesOrder(501)).toBe(200);
    const changed = await waitFor('the shipped version', async () => (await salesOrders()).find((o) => o.salesorderId === 501));
    expect(changed).toMatchObject({ status: 'SHIPPED', version: 2, acknowledgedVersion: 1 });
    const history = await h.db.em().find(JubelioSalesOrderEvent, { salesOrder: { salesorderId: 501 } }, { orderBy: { version: 'asc' } });
    expect(history.map((e) => e.status)).toEqual(['PAID', 'SHIPPED']);

    // A replay of the old content does not move the order back.
    sim.putSalesOrder(demoSalesOrder(501));
    await sim.deliverSalesOrder(501);
    await waitFor('the replay to be processed', async () => (await h.db.em().findOne(WebhookDelivery, { provider: 'jubelio', duplicates: { $gt: 1 } })) ?? null);
    expect((await salesOrders('?since=2000-01-01T00:00:00Z')).find((o) => o.salesorderId === 501)).toMatchObject({ status: 'SHIPPED', version: 2 });

    expect((await call(h, 'POST', '/api/connectors/jubelio/sales-orders/501/ack', { headers: erp, body: { version: 3 } })).status).toBe(409);
    expect((await call(h, 'POST', '/api/connectors/jubelio/sales-orders/501/ack', { headers: erp, body: {} })).json.error.field).toBe('version');
    expect((await call(h, 'POST', '/api/connectors/jubelio/sales-orders/999999/ack', { headers: erp, body: { version: 1 } })).status).toBe(404);
    expect((await call(h, 'POST', '/api/connectors/jubelio/sales-orders/501/ack', { headers: erp, body: { version: 2 } })).json).toMatchObject({ acknowledgedVersion: 2, pending: false });
    expect((await salesOrders()).some((o) => o.salesorderId === 501)).toBe(false);
  });

  it('fetches the full order when names arrive masked, and hands it over only then', async () => {
    sim.putSalesOrder(demoSalesOrder(502, { customer_name: 'Siti Rahayu', shipping_full_name: 'Siti Rahayu' }));
    expect(await sim.deliverSalesOrder(502, { mask: true })).toBe(200);
    const order = await waitFor('the unmasked order', async () => (await salesOrders()).find((o) => o.salesorderId === 502));
    expect(order.order).toMatchObject({ customer_name: 'Siti Rahayu', shipping_full_name: 'Siti Rahayu', customer_phone: '+62 812 3456 7890' });
    expect(sim.requests.some((r) => r.method === 'GET' && r.path === '/sales/orders/502')).toBe(true);
  });

  it('rejects a wrong signature without storing anything, and stores other actions without treating them as orders', async () => {
    sim.putSalesOrder(demoSalesOrder(503));
    const body = sim.webhookBody(503);
    const before = await h.db.em().count(WebhookDelivery, {});
    const forged = await call(h, 'POST', '/api/connectors/jubelio/webhooks', { raw: body, headers: { sign: 'a'.repeat(64) } });
    expect(forged.status).toBe(401);
    const unsigned = await call(h, 'POST', '/api/connectors/jubelio/webhooks', { raw: body });
    expect(unsigned.status).toBe(401);
    // A valid signature over other bytes does not count either.
    const tampered = await call(h, 'POST', '/api/connectors/jubelio/webhooks', { raw: body.replace('"PAID"', '"CANCELED"'), headers: { sign: sim.sign(body)! } });
    expect(tampered.status).toBe(401);
    expect(await h.db.em().count(WebhookDelivery, {})).toBe(before);

    const other = JSON.stringify({ action: 'update-qty', item_code: 'KAOS-0001', qty: 5 });
    const ok = await call(h, 'POST', '/api/connectors/jubelio/webhooks', { raw: other, headers: { sign: sim.sign(other)! } });
    expect(ok.status).toBe(200);
    await waitFor('the delivery to be processed', async () => (await h.db.em().findOne(WebhookDelivery, { event: 'update-qty', status: 'IGNORED' })) ?? null);
    const notJson = await call(h, 'POST', '/api/connectors/jubelio/webhooks', { raw: 'not json', headers: { sign: sim.sign('not json')! } });
    expect(notJson.status).toBe(400);
  });

  it('lets admins run any connector job and see its state; others may not', async () => {
    expect((await call(h, 'POST', '/api/admin/jobs/jubelio-push-products/run')).status).toBe(401);
    expect((await call(h, 'POST', '/api/admin/jobs/jubelio-push-products/run', { headers: erp })).status).toBe(401);
    const unknown = await call(h, 'POST', '/api/admin/jobs/no-such-job/run', { headers: ADMIN });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain('baselinker-import-orders');
    const check = await call(h, 'GET', '/api/admin/connectors/jubelio/check', { headers: ADMIN });
    expect(check.json).toMatchObject({ ok: true, reports: [{ connector: 'jubelio', ok: true }] });
  });
});
