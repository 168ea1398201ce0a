// The OpenAPI document at /docs/json against what the routes really answer: a tour of every
// documented operation (its success answer) plus hostile probes of each (no token, a wrong token,
// garbage parameters, malformed JSON, a body of the wrong type), and every recorded answer must
// have its status documented for that operation, with a description (not "Default Response"), a
// named schema (a title), and a body that validates against that schema.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { DEMO_PRICE, DEMO_PRODUCTS, DEMO_SHOPS } from '../../src/connectors/product-price/demo.js';
import { BridgeOrder, OptimakersProductChange } from '../../src/connectors/baselinker-optimakers/entities.js';
import { JubelioSalesOrder } from '../../src/connectors/jubelio/entities.js';
import { DEMO_USER, loginDemo } from './connector-helpers.js';

const ADMIN = 'admin-secret';

interface Answer {
  method: string;
  path: string;
  status: number;
  json: unknown;
  text: string;
}

describe.each(testDatabaseKinds())('OpenAPI document vs live answers on %s', (kind) => {
  let h: Harness;
  let spec: any;
  const answers: Answer[] = [];

  async function send(method: string, path: string, opts: { body?: unknown; raw?: string; type?: string; token?: string | null } = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
    const res = await fetch(h.url + path, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* checked below: every documented answer is JSON */
    }
    const a = { method, path, status: res.status, json, text };
    answers.push(a);
    return a;
  }

  beforeAll(async () => {
    h = await startHarness(kind, { env: { REQUEST_OUT_WAIT_MS: '0' } });
    spec = (await send('GET', '/docs/json')).json;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The documented operation a concrete request went to (literal segments win over parameters). */
  function operationOf(method: string, path: string): { template: string; op: any } | null {
    const bare = path.split('?')[0]!;
    const candidates = Object.keys(spec.paths)
      .filter((t) => spec.paths[t][method.toLowerCase()] && new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare))
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    const template = candidates[0];
    return template ? { template, op: spec.paths[template][method.toLowerCase()] } : null;
  }

  it('every documented operation answers as documented: success, refusals and malformed requests', async () => {
    const token = await loginDemo(h.url);
    const U = DEMO_USER.id;
    const P = DEMO_PRODUCTS[0].id;
    const S = DEMO_SHOPS[0].id;
    const em = h.db.em();

    // ---- the tour: one success answer per operation -----------------------------------------------
    await send('POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
    await send('GET', '/api/admin/connector-users', { token: ADMIN });
    const user = (await send('POST', '/api/admin/connector-users', { token: ADMIN, body: { email: `contract-${kind}@example.com`, name: 'Contract Client', password: 'a-long-password' } })).json as { id: string };
    await send('PATCH', `/api/admin/connector-users/${user.id}`, { token: ADMIN, body: { name: 'Contract Client 2' } });
    await send('POST', `/api/admin/connector-users/${user.id}/revoke-tokens`, { token: ADMIN });
    await send('POST', `/api/admin/connector-users/${user.id}/shops`, { token: ADMIN, body: { name: 'Contract Shop' } });
    await send('POST', `/api/admin/connector-users/${user.id}/products`, { token: ADMIN, body: { name: 'Contract Product', sku: 'C-1' } });
    await send('GET', `/public/product/price/list/${U}/${P}/0/10`, { token });
    const created = (await send('POST', `/public/product/price/create/${U}/${P}`, { token, body: { price: 1000, shop: S, startDate: '2032-01-01 00:00:00', endDate: '2032-01-01 23:59:00' } })).json as { data: { id: string } };
    await send('POST', `/public/product/price/update/${U}/${P}/${created.data.id}`, { token, body: { price: 1100, shop: S, startDate: '2032-01-01 00:00:00', endDate: '2032-01-01 23:59:00' } });
    await send('POST', `/public/product/price/details/${U}/${P}/${DEMO_PRICE.id}`, { token });
    await send('GET', `/public/product/price/current/${U}/${P}?shop=${S}&at=2032-01-01%2012:00:00`, { token });
    await send('DELETE', `/public/product/price/delete/${U}/${P}/${created.data.id}`, { token });
    await send('GET', `/public/shop/list/${U}/0/10`, { token });
    await send('GET', `/public/product/list/${U}/0/10`, { token });
    await send('GET', '/api/admin/http-log?limit=5', { token: ADMIN });
    await send('GET', '/api/admin/http-log/stats', { token: ADMIN });
    await send('GET', '/api/admin/request-out/routes', { token: ADMIN });
    const route = (await send('POST', '/api/admin/request-out/routes', { token: ADMIN, body: { subject: 'contract', subjectType: 'probe', subjectIdentifier: 'x', name: 'contract', upstreamUrl: 'http://127.0.0.1:9/never' } })).json as { id: string };
    await send('GET', `/api/admin/request-out/routes/${route.id}`, { token: ADMIN });
    await send('PATCH', `/api/admin/request-out/routes/${route.id}`, { token: ADMIN, body: { name: 'contract 2' } });
    await send('POST', '/api/request-out', { token, body: { TicketId: `t-contract-${kind}`, Subject: 'contract', SubjectType: 'probe', SubjectIdentifier: 'x' } });
    await send('GET', `/api/admin/request-out/tickets/t-contract-${kind}`, { token: ADMIN });
    await send('DELETE', `/api/admin/request-out/routes/${route.id}`, { token: ADMIN });

    await send('POST', '/api/connectors/jubelio/products', { token, body: { products: [{ sku: 'CONTRACT-1', name: 'Kaos', sellPrice: 1 }, { sku: 'x', name: 'no price' }] } });
    await send('GET', '/api/connectors/jubelio/products?limit=1', { token });
    const jubelio = h.kursus.commerce.simulators.jubelio!;
    const sent = { salesorder_id: 4242, action: 'update-salesorder' };
    await send('POST', '/api/connectors/jubelio/webhooks', { raw: JSON.stringify(sent), ...{ token: null } }).then(() => undefined);
    const signed = JSON.stringify(sent);
    const res = await fetch(`${h.url}/api/connectors/jubelio/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', sign: jubelio.sign(signed) }, body: signed });
    answers.push({ method: 'POST', path: '/api/connectors/jubelio/webhooks', status: res.status, text: await res.clone().text(), json: await res.json() });
    const optimakers = h.kursus.commerce.simulators.optimakers!;
    await send('POST', '/api/connectors/optimakers/webhooks', { raw: optimakers.webhookMessage('product.updated', [31]) });
    // Rows the ERP side reads and acknowledges (what the jobs would have stored from the deliveries).
    const now = new Date();
    em.create(JubelioSalesOrder, { salesorderId: 4242, salesorderNo: 'SO-4242', status: 'PAID', contentHash: 'x'.repeat(64), version: 2, payload: { salesorder_id: 4242 }, firstReceivedAt: now, changedAt: now } as never);
    em.create(OptimakersProductChange, { productId: 31, event: 'updated', version: 1, payload: { id: 31 }, changedAt: now } as never);
    em.create(BridgeOrder, { baselinkerOrderId: 9001, dateConfirmed: 1, status: 'FAILED', reason: 'no mapping', attempts: 3, createdAt: now, updatedAt: now } as never);
    await em.flush();
    await send('GET', '/api/connectors/jubelio/sales-orders?limit=1', { token });
    await send('POST', '/api/connectors/jubelio/sales-orders/4242/ack', { token, body: { version: 1 } });
    await send('GET', '/api/connectors/optimakers/products', { token });
    await send('POST', '/api/connectors/optimakers/products/31/ack', { token, body: { version: 1 } });
    await send('POST', '/api/admin/jobs/jubelio-push-products/run', { token: ADMIN });
    await send('GET', '/api/admin/jobs/jubelio-push-products', { token: ADMIN });
    await send('GET', '/api/admin/connectors/all/check', { token: ADMIN });
    await send('GET', '/api/admin/connectors/bridge/orders', { token: ADMIN });
    await send('POST', '/api/admin/connectors/bridge/orders/9001/retry', { token: ADMIN });

    // ---- refusals: every documented operation, hostile requests --------------------------------------
    for (const [template, ops] of Object.entries<any>(spec.paths)) {
      for (const method of Object.keys(ops)) {
        const M = method.toUpperCase();
        const right = template.startsWith('/api/admin') ? ADMIN : token;
        const garbage = template.replace(/\{[^}]+\}/g, 'not-an-id');
        const real = template.replace(/\{(\w+)\}/g, (_m, n: string) => ({ id_user: U, id_product: P, id_price: DEMO_PRICE.id, offsite: '0', limit: '10', id: '4242', name: 'jubelio' })[n] ?? 'not-an-id');
        await send(M, real, { token: null });
        await send(M, real, { token: 'kct_wrong' });
        await send(M, `${garbage}?limit=0&after=garbage&since=2026-02-30&from=2026-02-30&status=%00`, { token: right });
        if (M !== 'GET') {
          await send(M, real, { token: right, raw: '{"version": ' });
          await send(M, real, { token: right, raw: '{"version": 1}', type: 'text/plain' });
        }
      }
    }

    // ---- every answer against the document ------------------------------------------------------------
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const problems: string[] = [];
    const succeeded = new Set<string>();
    for (const a of answers) {
      const found = operationOf(a.method, a.path);
      if (!found) continue; // not a documented route (/docs/json itself)
      const label = `${a.method} ${found.template} ${a.status}`;
      const response = found.op.responses?.[String(a.status)];
      if (!response) {
        problems.push(`${label}: status not documented (${a.text.slice(0, 120)})`);
        continue;
      }
      if (!response.description || response.description === 'Default Response') problems.push(`${label}: no description`);
      const schema = response.content?.['application/json']?.schema;
      if (!schema) {
        problems.push(`${label}: no JSON schema`);
        continue;
      }
      if (!schema.title) problems.push(`${label}: the schema has no name (title)`);
      const validate = ajv.compile(schema);
      if (!validate(a.json)) problems.push(`${label}: ${ajv.errorsText(validate.errors)} in ${a.text.slice(0, 200)}`);
      if (a.status < 300) succeeded.add(`${a.method} ${found.template}`);
    }
    expect([...new Set(problems)]).toEqual([]);

    // Every operation was seen succeeding, except the secret-path webhook (only with JUBELIO_WEBHOOK_SIGNATURE=path).
    const operations = Object.entries<any>(spec.paths).flatMap(([t, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${t}`));
    const unseen = operations.filter((o) => !succeeded.has(o) && o !== 'POST /api/connectors/jubelio/webhooks/{secret}');
    expect(unseen).toEqual([]);
    expect(operations.length).toBeGreaterThan(35);
  });
});
