// The BaseLinker <-> Optimakers bridge end to end, on SQLite and MySQL: the real app (demo mode
// starts the BaseLinker and Optimakers simulators with the demo configuration), the real Agenda
// worker running baselinker-import-orders and optimakers-process-webhooks, and Optimakers'
// webhooks sent by its simulator to the app over HTTP.
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { demoBaseLinkerOrder, type BaseLinkerSimulator } from '../../src/simulators/baselinker.js';
import type { OptimakersSimulator } from '../../src/simulators/optimakers.js';
import { BridgeOrder, OptimakersProductChange } from '../../src/connectors/baselinker-optimakers/entities.js';
import { handleOptimakersDelivery } from '../../src/connectors/baselinker-optimakers/webhooks.js';
import { WebhookDelivery } from '../../src/connectors/commerce/entities.js';
import { ADMIN, call, erpToken, runJob, waitFor } from './jubelio-bridge-support.js';

const IMPORT = 1002;
const SEND = 1003;

describe.each(testDatabaseKinds())('BaseLinker <-> Optimakers bridge on %s', (kind) => {
  let h: Harness;
  let bl: BaseLinkerSimulator;
  let om: OptimakersSimulator;
  let erp: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness(kind, { worker: true, env: { OPTIMES_TIMEOUT_MS: '700', OPTIMES_RETRIES: '1', BASELINKER_RATE_LIMIT_WAIT_MS: '50' } });
    bl = h.kursus.commerce.simulators.baselinker!;
    om = h.kursus.commerce.simulators.optimakers!;
    erp = await erpToken(h);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    const em = h.db.em();
    // A delivery of the scenario before that the worker has not finished (a product fetch that
    // timed out and waits for its retry, say) must not be processed against the reset simulator,
    // whose product ids start again at 1: it would record a second version of this scenario's
    // product. None is claimed anew once all are put off; the ones running are waited for.
    await em.nativeUpdate(WebhookDelivery, { provider: 'optimakers' }, { nextAttemptAt: new Date(Date.now() + 86_400_000) });
    await waitFor('no Optimakers delivery being processed', async () => (await h.db.em().count(WebhookDelivery, { provider: 'optimakers', claimedAt: { $ne: null } })) === 0);
    await em.nativeDelete(WebhookDelivery, { provider: 'optimakers' });
    // The demo data of the simulators is not part of these scenarios.
    bl.reset();
    om.reset();
    await em.nativeDelete(BridgeOrder, {});
    await em.nativeDelete(OptimakersProductChange, {}); // the simulator's product ids start again at reset
    await em.getConnection().execute('delete from bridge_cursor');
    h.kursus.commerce.hooks.afterCreate = undefined;
  });

  it('imports 250 orders once each, also when a run is interrupted between the create and its record', async () => {
    bl.addDemoOrders(250, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    bl.addDemoOrders(5, { status_id: 1001, firstConfirmed: 1_790_000_100 });
    let creates = 0;
    h.kursus.commerce.hooks.afterCreate = () => {
      // The process "dies" right after Optimakers accepted the 130th order.
      if (++creates === 130) throw new Error('simulated crash after the create');
    };
    const crashed = await runJob(h, 'baselinker-import-orders');
    expect(crashed).toMatchObject({ status: 'FAILED', error: expect.stringContaining('simulated crash') });
    expect(om.orders.size).toBe(130);
    // The cursor was saved after the first page (100 orders, confirmed 1_790_000_000 + 0..99): the
    // next page starts at the last second seen, whose order is already imported. The page the crash
    // cut short saved nothing.
    const cursor = async () => Number((await h.db.em().getConnection().execute<{ value: number | string }[]>("select value from bridge_cursor where name = 'baselinker-orders'"))[0]?.value);
    expect(await cursor()).toBe(1_790_000_099);

    h.kursus.commerce.hooks.afterCreate = undefined;
    const omCreates = () => om.requests.filter((r) => r.method === 'POST' && r.path === '/api/orders' && r.status === 201).length;
    const createsBefore = omCreates();
    expect(createsBefore).toBe(130);
    const resumed = await runJob(h, 'baselinker-import-orders');
    expect(resumed.status).toBe('OK');
    expect(resumed.counts).toMatchObject({ created: 120, adopted: 1, failed: 0 });
    // The resumed run created only the 120 missing orders; the one created just before the crash was
    // found by its external id (adopted), the 129 recorded ones were skipped.
    expect(omCreates() - createsBefore).toBe(120);
    expect(om.orders.size).toBe(250);
    // Last page: 52 orders up to 1_790_000_249, fewer than 100, so the next run starts one second on.
    expect(resumed.counts!.cursor).toBe(1_790_000_250);
    expect(await cursor()).toBe(1_790_000_250);
    const externalIds = [...om.orders.values()].map((o) => o.externalId);
    expect(new Set(externalIds).size).toBe(250);
    expect(await h.db.em().count(BridgeOrder, { status: 'CREATED' })).toBe(250);
    // Orders in other statuses are left alone.
    expect(externalIds.some((e) => Number(e.slice(3)) >= 100_250)).toBe(false);

    // Nothing new: a third run creates nothing.
    const third = await runJob(h, 'baselinker-import-orders');
    expect(third.counts).toMatchObject({ created: 0, adopted: 0, failed: 0 });
    expect(om.orders.size).toBe(250);
    expect(omCreates()).toBe(250);

    // The mapping, field by field, for one order.
    const src = bl.orders.get(100_004)!;
    const [mapped] = om.ordersByExternalId('BL-100004');
    expect(mapped).toMatchObject({
      statusId: 12,
      currencyId: 1,
      customer: { name: src.invoice_fullname, email: src.email, attributes: [{ attributeId: 301, value: src.user_login }] },
      attributes: [
        { attributeId: 201, value: src.delivery_method },
        { attributeId: 202, value: src.delivery_price.toFixed(2) },
        { attributeId: 203, value: src.payment_method },
        { attributeId: 204, value: src.extra_field_1 },
        { attributeId: 205, value: src.extra_field_2 },
        { attributeId: 206, value: src.user_comments },
      ],
      lines: src.products.map((p) => ({ name: p.name, sku: p.sku, ean: p.ean, quantity: p.quantity, unitPriceGross: p.price_brutto, currencyId: 1, vatRateId: 1 })),
    });
    // 255 orders in the simulator, 100 per page: the import pages by date_confirmed_from.
    expect(bl.calls('getOrders')).toBeGreaterThanOrEqual(3);
  });

  it('looks the order up instead of creating it again when Optimakers times out after accepting it', async () => {
    bl.addDemoOrders(3, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    om.faults.applyThenHangNext(1, { method: 'POST', path: '/api/orders' });
    const run = await runJob(h, 'baselinker-import-orders');
    expect(run.counts).toMatchObject({ created: 2, adopted: 1, failed: 0 });
    expect(om.orders.size).toBe(3);
    expect(new Set([...om.orders.values()].map((o) => o.externalId)).size).toBe(3);
  });

  it('fails an order with an unmapped currency or VAT rate with a clear reason, and imports the others', async () => {
    bl.addDemoOrders(3, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    bl.addOrder(demoBaseLinkerOrder(200_001, 1_790_000_010, { currency: 'GBP' }));
    const vat7 = demoBaseLinkerOrder(200_002, 1_790_000_011);
    vat7.products[0]!.tax_rate = 7;
    bl.addOrder(vat7);
    bl.addOrder(demoBaseLinkerOrder(200_003, 1_790_000_012));
    const run = await runJob(h, 'baselinker-import-orders');
    expect(run).toMatchObject({ status: 'PARTIAL', counts: { created: 4, failed: 2 } });
    expect(om.orders.size).toBe(4);
    const failed = await call(h, 'GET', '/api/admin/connectors/bridge/orders?status=FAILED', { headers: ADMIN });
    const reasons = Object.fromEntries(failed.json.items.map((i: any) => [i.baselinkerOrderId, i.reason]));
    expect(reasons[200_001]).toMatch(/currency "GBP" has no Optimakers currency id in OPTIMES_CURRENCY_IDS/);
    expect(reasons[200_002]).toMatch(/VAT rate 7% of product 1 \(STOL-160\) has no Optimakers VAT rate id in OPTIMES_VAT_RATE_IDS/);
    expect((await call(h, 'GET', '/api/admin/connectors/bridge/orders?status=LOST', { headers: ADMIN })).status).toBe(400);
  });

  it('sets the BaseLinker status once when an imported order is realised in Optimakers', async () => {
    bl.addDemoOrders(2, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    await runJob(h, 'baselinker-import-orders');
    const row = await h.db.em().findOneOrFail(BridgeOrder, { baselinkerOrderId: 100_000 });
    const omId = row.optimakersOrderId!;

    // Realised ("Zrealizowane: Tak"): Optimakers sends a thin order.updated message.
    expect(await om.realiseOrder(omId)).toBe(200);
    await waitFor('the BaseLinker status change', () => bl.statusChanges.length === 1);
    expect(bl.statusChanges).toEqual([{ order_id: 100_000, status_id: SEND }]);
    expect(bl.orders.get(100_000)!.order_status_id).toBe(SEND);

    // The same message again, and a new message about the same order: no second change.
    const again = om.webhookMessage('order.updated', [omId]);
    expect(await om.send(again)).toBe(200);
    expect(await om.send(again)).toBe(200);
    const dup = await h.db.em().findOneOrFail(WebhookDelivery, { provider: 'optimakers', deliveryKey: JSON.parse(again).Id });
    expect(dup.duplicates).toBe(1);
    await waitFor('the new message to be processed', async () => (await h.db.em().findOne(WebhookDelivery, { id: dup.id, status: 'DONE' })) ?? null);
    expect(bl.calls('setOrderStatus')).toBe(1);
    const other = await h.db.em().findOneOrFail(BridgeOrder, { baselinkerOrderId: 100_001 });
    expect(other.statusSentAt ?? null).toBeNull();

    // Any property casing is accepted; a wrong or missing token is refused and nothing is stored.
    const lower = JSON.stringify({ id: crypto.randomUUID(), token: 'demo-optimes-webhook-token', eventsource: 'Order.Updated', ids: [other.optimakersOrderId] });
    expect((await call(h, 'POST', '/api/connectors/optimakers/webhooks', { raw: lower })).status).toBe(200);
    const count = await h.db.em().count(WebhookDelivery, { provider: 'optimakers' });
    const forged = await call(h, 'POST', '/api/connectors/optimakers/webhooks', { raw: JSON.stringify({ ...JSON.parse(again), Id: crypto.randomUUID(), Token: 'guess' }) });
    expect(forged.status).toBe(401);
    expect(forged.json.error.field).toBe('Token');
    const noId = await call(h, 'POST', '/api/connectors/optimakers/webhooks', { raw: JSON.stringify({ Token: 'demo-optimes-webhook-token', EventSource: 'order.updated', Ids: [1] }) });
    expect(noId.status).toBe(400);
    expect(noId.json.error.field).toBe('Id');
    expect(await h.db.em().count(WebhookDelivery, { provider: 'optimakers' })).toBe(count);
    // The stored message does not keep the security token.
    const stored = await h.db.em().find(WebhookDelivery, { provider: 'optimakers' });
    expect(stored.some((d) => (d.body ?? '').includes('demo-optimes-webhook-token'))).toBe(false);
  });

  const limitExceeded = { status: 'ERROR', error_code: 'ERROR_QUERY_LIMIT_EXCEEDED', error_message: 'Query limit exceeded, API blocked for 60 seconds' };

  it('backs off and retries when BaseLinker answers ERROR_QUERY_LIMIT_EXCEEDED, and fails the run visibly when it goes on', async () => {
    bl.addDemoOrders(3, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    bl.faults.failNext(2, { status: 200, body: limitExceeded, bodyIncludes: 'method=getOrders' });
    const run = await runJob(h, 'baselinker-import-orders');
    expect(run).toMatchObject({ status: 'OK', counts: { created: 3, failed: 0 } });
    // Two refused calls, then the same call again: nothing skipped, nothing twice.
    expect(bl.calls('getOrders')).toBe(3);
    expect(om.orders.size).toBe(3);

    bl.addDemoOrders(1, { status_id: IMPORT, firstConfirmed: 1_790_000_010 });
    bl.faults.failNext(10, { status: 200, body: limitExceeded, bodyIncludes: 'method=getOrders' });
    const blocked = await runJob(h, 'baselinker-import-orders');
    expect(blocked).toMatchObject({ status: 'FAILED', error: expect.stringContaining('query limit exceeded') });
    expect(om.orders.size).toBe(3);
    bl.faults.clear();
    expect((await runJob(h, 'baselinker-import-orders')).counts).toMatchObject({ created: 1 });
  });

  it('a BaseLinker token that is no longer valid fails the run with a clear reason and imports nothing', async () => {
    bl.addDemoOrders(2, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    bl.setToken('regenerated-in-baselinker');
    try {
      const run = await runJob(h, 'baselinker-import-orders');
      expect(run).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/ERROR_BAD_TOKEN.*check BASELINKER_API_KEY \(baselinkerApiKey\)/) });
      // Refused at once: a bad token is not retried.
      expect(bl.calls('getOrders')).toBe(1);
      const info = await call(h, 'GET', '/api/admin/jobs/baselinker-import-orders', { headers: ADMIN });
      // (MySQL keeps whole seconds: the runs of one second come in any order.)
      expect(info.json.runs).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'FAILED', error: expect.stringContaining('ERROR_BAD_TOKEN') })]));
      expect(JSON.stringify(info.json)).not.toContain('demo-baselinker-token');
      expect(om.orders.size).toBe(0);
    } finally {
      bl.setToken('demo-baselinker-token');
    }
    expect((await runJob(h, 'baselinker-import-orders')).counts).toMatchObject({ created: 2 });
  });

  it('retries BaseLinker 5xx answers and HTML error pages (also with HTTP 200)', async () => {
    bl.addDemoOrders(2, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    bl.faults.failNext(1, { status: 503, bodyIncludes: 'method=getOrders' }); // the simulator's HTML 503 page
    bl.faults.failNext(1, { status: 200, body: '<html><body>Przerwa techniczna</body></html>', bodyIncludes: 'method=getOrders' });
    bl.faults.failNext(1, { status: 502, body: '<html><body>502 Bad Gateway</body></html>', bodyIncludes: 'method=getOrders' });
    const run = await runJob(h, 'baselinker-import-orders');
    expect(run).toMatchObject({ status: 'OK', counts: { created: 2, failed: 0 } });
    expect(bl.calls('getOrders')).toBe(4);
  });

  it('a failed setOrderStatus is recorded and sent by the sweep later, once', async () => {
    bl.addDemoOrders(1, { status_id: IMPORT, firstConfirmed: 1_790_000_000 });
    await runJob(h, 'baselinker-import-orders');
    const row = await h.db.em().findOneOrFail(BridgeOrder, { baselinkerOrderId: 100_000 });
    // Every attempt of the first try fails (1 + BASELINKER_RETRIES).
    bl.faults.failNext(4, { status: 503, bodyIncludes: 'method=setOrderStatus' });
    expect(await om.realiseOrder(row.optimakersOrderId!)).toBe(200);
    const failed = await waitFor('the failed status change to be recorded', async () => {
      const r = await call(h, 'GET', '/api/admin/connectors/bridge/orders', { headers: ADMIN });
      const item = r.json.items.find((i: any) => i.baselinkerOrderId === 100_000);
      return item?.statusError ? item : null;
    });
    expect(failed).toMatchObject({ realisedAt: expect.any(String), statusSentAt: null, statusError: expect.stringContaining('503') });
    expect(bl.statusChanges).toEqual([]);
    expect(bl.orders.get(100_000)!.order_status_id).toBe(IMPORT);

    // A minute later (the sweep leaves fresh claims alone, in case a worker is still on them).
    await h.db.em().nativeUpdate(BridgeOrder, { id: row.id }, { realisedAt: new Date(Date.now() - 2 * 60_000) });
    const sweep = await runJob(h, 'optimakers-process-webhooks');
    expect(sweep.counts).toMatchObject({ statusesRetried: 1 });
    expect(bl.statusChanges).toEqual([{ order_id: 100_000, status_id: SEND }]);
    const sent = await h.db.em().findOneOrFail(BridgeOrder, { id: row.id }, { refresh: true });
    expect(sent.statusSentAt).toBeInstanceOf(Date);
    expect(sent.statusError ?? null).toBeNull();

    // The failed delivery's own retry comes later still: it finds the status sent and sends nothing.
    const delivery = await h.db.em().findOneOrFail(WebhookDelivery, { provider: 'optimakers', status: 'FAILED' });
    await h.db.em().nativeUpdate(WebhookDelivery, { id: delivery.id }, { nextAttemptAt: new Date(Date.now() - 1000) });
    const redelivered = await runJob(h, 'optimakers-process-webhooks');
    expect(redelivered.counts).toMatchObject({ done: 1, statusesRetried: 0 });
    expect(bl.statusChanges).toHaveLength(1);
  });

  it('records product events for the ERP to pull and acknowledge', async () => {
    const { id } = await om.upsertProduct({ name: 'Stół dębowy 160x90', sku: 'STOL-160' });
    await om.upsertProduct({ id, name: 'Stół dębowy 180x90', sku: 'STOL-180' });
    const { id: gone } = await om.upsertProduct({ name: 'Krzesło', sku: 'KRZ' });
    await om.deleteProduct(gone);
    const list = await waitFor('both product changes', async () => {
      const r = await call(h, 'GET', '/api/connectors/optimakers/products', { headers: erp });
      const items = r.json.items as any[];
      const p = items.find((x) => x.productId === id);
      const g = items.find((x) => x.productId === gone);
      return p?.version === 2 && g?.event === 'deleted' ? items : null;
    });
    expect(list.find((x: any) => x.productId === id)).toMatchObject({ event: 'updated', product: { name: 'Stół dębowy 180x90', sku: 'STOL-180' } });
    expect(list.find((x: any) => x.productId === gone)).toMatchObject({ event: 'deleted', product: null });
    expect((await call(h, 'POST', `/api/connectors/optimakers/products/${id}/ack`, { headers: erp, body: { version: 2 } })).json).toMatchObject({ acknowledgedVersion: 2, pending: false });
    const after = await call(h, 'GET', '/api/connectors/optimakers/products', { headers: erp });
    expect(after.json.items.some((x: any) => x.productId === id)).toBe(false);
    expect((await call(h, 'GET', '/api/connectors/optimakers/products')).status).toBe(401);
  });

  it('pages product changes with nextCursor/after, with and without since, like the Jubelio sales orders', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await om.upsertProduct({ name: `Produkt ${i}`, sku: `P-${i}` })).id);
    const pages = async (query: string) => {
      const seen: any[][] = [];
      let after: string | null = null;
      do {
        const r = await call(h, 'GET', `/api/connectors/optimakers/products?limit=3${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`, { headers: erp });
        expect(r.status).toBe(200);
        seen.push(r.json.items);
        after = r.json.nextCursor;
      } while (after && seen.length < 10);
      return seen;
    };
    await waitFor('all 7 product changes', async () => (await call(h, 'GET', '/api/connectors/optimakers/products', { headers: erp })).json.items.length === 7);
    const unacked = await pages('');
    expect(unacked.map((p) => p.length)).toEqual([3, 3, 1]);
    const order = unacked.flat().map((x) => x.productId);
    expect(new Set(order)).toEqual(new Set(ids));
    const times = unacked.flat().map((x) => x.changedAt);
    expect([...times].sort()).toEqual(times);

    for (const id of ids.slice(0, 2)) expect((await call(h, 'POST', `/api/connectors/optimakers/products/${id}/ack`, { headers: erp, body: { version: 1 } })).status).toBe(200);
    expect((await pages('')).flat().map((x) => x.productId).sort()).toEqual(ids.slice(2).sort());
    // With since: acknowledged or not, every change at or after it, still paged.
    const all = await pages('&since=2000-01-01T00:00:00Z');
    expect(all.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(all.flat().map((x) => x.productId).sort()).toEqual([...ids].sort());
    const bad = await call(h, 'GET', '/api/connectors/optimakers/products?after=garbage', { headers: erp });
    expect(bad).toMatchObject({ status: 400, json: { error: { field: 'after' } } });
  });

  it('records the right event and every version when product deliveries are processed out of order and at once', async () => {
    const c = h.kursus.commerce;
    const deps = { db: h.db, baselinker: c.baselinker!, optimakers: c.optimakers!, config: h.config.bridge, now: () => new Date() };
    const delivery = (eventsource: string, id: number) =>
      ({ body: JSON.stringify({ id: crypto.randomUUID(), eventsource, ids: [id] }) }) as WebhookDelivery;
    // The simulator stays quiet here: this test delivers the messages itself, in its own order.
    om.setWebhook(null);
    const { id } = await om.upsertProduct({ name: 'Bord', sku: 'BORD-1' });
    await om.upsertProduct({ id, name: 'Bord, eg', sku: 'BORD-1' });
    om.setWebhook({ url: `${h.url}/api/connectors/optimakers/webhooks`, token: h.config.bridge.optimes.webhookToken });
    // The update's delivery is processed before the creation's.
    expect((await handleOptimakersDelivery(deps, delivery('Product.Updated', id))).status).toBe('DONE');
    expect((await handleOptimakersDelivery(deps, delivery('Product.Created', id))).status).toBe('DONE');
    let row = await h.db.em().findOneOrFail(OptimakersProductChange, { productId: id });
    expect(row).toMatchObject({ event: 'updated', version: 2, payload: expect.objectContaining({ name: 'Bord, eg' }) });
    // Five deliveries at once: five versions, none lost to a concurrent read-modify-write.
    await Promise.all(Array.from({ length: 5 }, () => handleOptimakersDelivery(deps, delivery('Product.Updated', id))));
    row = await h.db.em().findOneOrFail(OptimakersProductChange, { productId: id }, { refresh: true });
    expect(row.version).toBe(7);
  });

  it('the connector check reports both systems reachable and every configured id present', async () => {
    const r = await call(h, 'GET', '/api/admin/connectors/bridge/check', { headers: ADMIN });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
    const lines = r.json.reports.flatMap((x: any) => x.checks.map((c: any) => c.check));
    expect(lines).toEqual(
      expect.arrayContaining(['baselinkerOrderStatusToImport', 'baselinkerOrderStatusToSend', 'optimesOrderStatus', 'optimesCustomerAttributeLogin', 'optimesOrderAttributeNote', 'currency PLN', 'VAT rate zw']),
    );
    expect(JSON.stringify(r.json)).not.toContain('demo-optimes-api-key');
  });
});
