// Issue 18 item 4: redaction by construction. A full demo flow runs with logging captured at debug
// level: a reservation and a checkout with booker and participants (synced to Maconomy and mailed
// by the worker), the order read over GraphQL GET with its token in the query and in the
// variables, a connector login, a price search with an e-mail address in ?q=, the Jubelio webhook
// with the secret in the path, and a Request Out call whose route authenticates with a custom
// header. Then every secret and personal value the flow used is searched for in the entire log and
// in every column of every http_log row: none may appear.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstreamSimulator, type UpstreamSimulator } from '../../src/simulators/upstream.js';
import { demoSalesOrder } from '../../src/simulators/jubelio.js';
import { DEMO_PRODUCTS } from '../../src/connectors/product-price/demo.js';
import { HttpLogEntry } from '../../src/connectors/http-log/index.js';
import { WebhookDelivery } from '../../src/connectors/commerce/entities.js';
import { DEMO_USER, http, until } from '../connectors/connector-helpers.js';
import { post } from './support.js';

describe.each(testDatabaseKinds())('no secret or personal value in logs or http_log after a full demo flow on %s', (kind) => {
  let h: Harness;
  let upstream: UpstreamSimulator;
  const lines: string[] = [];
  const R = randomBytes(4).toString('hex');
  const digits = String(parseInt(R, 16) % 10_000_000).padStart(7, '0');
  const WEBHOOK_SECRET = `jubelio-path-secret-${R}-0123456789`;
  const ROUTE_SECRET = `route-credential-${R}`;
  const ROUTE_HEADER = 'X-Partner-Access';
  // Values a person typed: names, e-mail addresses, phones, a company.
  const people = [0, 1, 2].map((i) => ({
    firstName: `Fornavn${i}x${R}`,
    lastName: `Efternavn${i}x${R}`,
    email: `person${i}.${R}@example.dk`,
    phone: `+45 3${i}${digits}`,
    company: `Firma${i}x${R} ApS`,
  }));
  const buyer = { name: `Pembeli${R} Santoso`, email: `pembeli.${R}@example.co.id`, phone: `+62 81${digits}9` };
  const searchedEmail = `searched.${R}@example.com`;

  beforeAll(async () => {
    upstream = await startUpstreamSimulator();
    const capture = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h = await startHarness(kind, {
      worker: true,
      env: { JUBELIO_WEBHOOK_SIGNATURE: 'path', JUBELIO_WEBHOOK_SECRET: WEBHOOK_SECRET, REQUEST_OUT_WAIT_MS: '3000' },
      build: { logger: { level: 'debug', stream: capture } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await upstream?.close();
  });

  it('leaves no trace of any secret or personal value', async () => {
    const url = `${h.url}/graphql`;
    const secrets: string[] = [WEBHOOK_SECRET, ROUTE_SECRET, DEMO_USER.password, 'admin-secret', 'editor-secret-1', 'demo-maconomy-token', searchedEmail, DEMO_USER.email];

    // ---- the storefront: reserve, check out, read the order over GET ------------------------------
    const courseId = (await post(url, { query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id } } } }' })).json.data.courses.edges[0].node.id;
    const reserved = (await post(url, { query: 'mutation($i: ReserveSeatsInput!) { reserveSeats(input: $i) { orderToken order { id } } }', variables: { i: { courseId, seats: 2 } } })).json.data.reserveSeats;
    const { orderToken } = reserved;
    const orderId: string = reserved.order.id;
    secrets.push(orderToken);
    const [booker, ...participants] = people;
    const checkout = await post(url, {
      query: 'mutation($i: CheckoutInput!) { checkout(input: $i) { order { id status } } }',
      variables: { i: { orderId, orderToken, booker, participants } },
    });
    expect(checkout.json.errors).toBeUndefined();
    const ORDER = 'query O($id: ID!, $token: String!) { order(id: $id, token: $token) { id status booker { email } participants { firstName email } } }';
    const viaVariables = await fetch(`${url}?${new URLSearchParams({ query: ORDER, variables: JSON.stringify({ id: orderId, token: orderToken }) })}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await viaVariables.json()) as any).data.order.booker.email).toBe(booker!.email);
    const inline = `{ order(id: "${orderId}", token: "${orderToken}") { id status } }`;
    const viaLiteral = await fetch(`${url}?${new URLSearchParams({ query: inline })}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(viaLiteral.status).toBe(200);
    // The worker syncs the order to Maconomy (participants' names and e-mails go out) and mails the booker.
    await until('the order synced to Maconomy', async () => {
      const r = await post(url, { query: ORDER, variables: { id: orderId, token: orderToken } });
      return r.json.data?.order?.status === 'SYNCED';
    }, 30_000);

    // ---- the connectors ------------------------------------------------------------------------
    const login = await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const token: string = login.json.token;
    secrets.push(token);
    const search = await http(h.url, 'GET', `/public/product/price/list/${DEMO_USER.id}/${DEMO_PRODUCTS[0].id}/0/10?q=${encodeURIComponent(searchedEmail)}`, { token });
    expect(search.status).toBe(200);

    const jubelio = h.kursus.commerce.simulators.jubelio!;
    jubelio.putSalesOrder(demoSalesOrder(7001, { customer_name: buyer.name, shipping_full_name: buyer.name, customer_email: buyer.email, customer_phone: buyer.phone }));
    const webhook = await http(h.url, 'POST', `/api/connectors/jubelio/webhooks/${WEBHOOK_SECRET}`, { body: jubelio.webhookBody(7001) });
    expect(webhook.status).toBe(200);
    const wrongSecret = await http(h.url, 'POST', `/api/connectors/jubelio/webhooks/${WEBHOOK_SECRET.slice(0, -1)}x`, { body: jubelio.webhookBody(7001) });
    expect(wrongSecret.status).toBe(401);
    secrets.push(`${WEBHOOK_SECRET.slice(0, -1)}x`);

    const route = await http(h.url, 'POST', '/api/admin/request-out/routes', {
      token: 'admin-secret',
      body: { subject: `leak-${R}`, subjectType: 'probe', subjectIdentifier: 'target', name: 'Leak probe', upstreamUrl: upstream.url, authType: 'header', authHeader: ROUTE_HEADER, authSecret: ROUTE_SECRET },
    });
    expect(route.status).toBe(201);
    const ro = await http(h.url, 'POST', '/api/request-out', { token, body: { TicketId: `t-leak-${R}`, Subject: `leak-${R}`, SubjectType: 'probe', SubjectIdentifier: 'target' } });
    expect(ro.status).toBe(200);
    await until('the upstream was called with the custom header', () => upstream.calls.some((c) => JSON.stringify(c).includes(ROUTE_SECRET)) || upstream.calls.length > 0);

    // Let the worker process the Jubelio delivery, and the log writer flush.
    await until('the Jubelio delivery processed', async () => {
      const d = await h.db.em().findOne(WebhookDelivery, { provider: 'jubelio' }, { orderBy: { receivedAt: 'desc' } });
      return d && d.status !== 'RECEIVED' ? d : null;
    }, 30_000);
    await h.kursus.httpLog.flush();

    // ---- the search ---------------------------------------------------------------------------
    const personal = [...people.flatMap((p) => [p.firstName, p.lastName, p.email, p.phone, p.company]), buyer.name, buyer.email, buyer.phone];
    const rows = await h.db.em().find(HttpLogEntry, {});
    expect(rows.length).toBeGreaterThan(5);
    const stored = rows.map((r) => JSON.stringify(r)).join('\n');
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(1000);
    // Sanity: the flow was logged at all (the order id is not personal).
    expect(log).toContain(orderId);
    const found = (where: string, text: string) => [...secrets, ...personal].filter((v) => text.includes(v) || text.includes(encodeURIComponent(v))).map((v) => `${where}: ${v}`);
    expect([...found('log', log), ...found('http_log', stored)]).toEqual([]);
  });
});
