// Outbound calls never follow a redirect (issue 18.3): every client (Request Out's is in
// request-out.test.ts, through its job), pointed at a server that
// answers 302 to another host, fails with a clear upstream error naming the redirect; the other
// host gets no request (so never our credentials or body); the request/response log records the
// 3xx with the credential headers redacted. Real loopback servers and the log's real fetch wrapper.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loggedFetch, type HttpLogRecord } from '../../src/connectors/http-log/index.js';
import { redactHeaders } from '../../src/connectors/http-log/redact.js';
import { MaconomyClient } from '../../src/integrations/maconomy/index.js';
import { JubelioClient } from '../../src/connectors/jubelio/client.js';
import { BaseLinkerClient } from '../../src/connectors/baselinker-optimakers/baselinker-client.js';
import { OptimakersClient } from '../../src/connectors/baselinker-optimakers/optimakers-client.js';
import { WordPressClient } from '../../src/integrations/wordpress/index.js';

const SECRET = 'redirect-test-secret-value-0123456789';

let redirector: Server;
let other: Server;
let redirectorUrl: string;
let otherRequests = 0;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  other = createServer((req, res) => {
    otherRequests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"stolen","items":[],"total":0,"page":1,"page_size":1}');
  });
  const otherPort = await listen(other);
  redirector = createServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: `http://localhost:${otherPort}/elsewhere?x=1` }).end();
  });
  redirectorUrl = `http://127.0.0.1:${await listen(redirector)}`;
});
afterAll(async () => {
  await new Promise((r) => redirector.close(r));
  await new Promise((r) => other.close(r));
});
beforeEach(() => {
  otherRequests = 0;
});

function recorder() {
  const records: HttpLogRecord[] = [];
  return { records, fetch: loggedFetch('test', (e) => records.push(e)) };
}

async function expectNotFollowed(records: HttpLogRecord[], err: unknown, credentialHeader: string) {
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/302.*redirect.*not followed/);
  expect((err as { status?: number }).status).toBe(302);
  expect(otherRequests).toBe(0);
  // The log's wrapper records once the answer is in; a redirect has no body to wait for.
  await new Promise((r) => setTimeout(r, 20));
  expect(records.length).toBeGreaterThanOrEqual(1);
  expect(records.every((r) => r.status === 302 && r.url.startsWith(redirectorUrl))).toBe(true);
  const stored = redactHeaders(records[0]!.requestHeaders);
  expect(stored[credentialHeader]).toBe('[redacted]');
  expect(JSON.stringify(stored)).not.toContain(SECRET);
}

const rejection = (p: Promise<unknown>) => p.then(
  () => {
    throw new Error('expected a rejection');
  },
  (e: unknown) => e,
);

test('Maconomy: a 302 is an upstream error, not followed, not retried', async () => {
  const { records, fetch } = recorder();
  const client = new MaconomyClient({ baseUrl: redirectorUrl, token: SECRET, retries: 2, fetch });
  const err = await rejection(client.listMainCourses());
  expect(err).toMatchObject({ name: 'MaconomyError', code: 'UPSTREAM_UNAVAILABLE', kind: 'http' });
  await expectNotFollowed(records, err, 'authorization');
  expect(records).toHaveLength(1);
});

test('Jubelio: the login is not followed to another host (the password stays here)', async () => {
  const { records, fetch } = recorder();
  const client = new JubelioClient({ baseUrl: redirectorUrl, email: 'ops@example.com', password: SECRET, retries: 2, fetch });
  const err = await rejection(client.findItemBySku('SKU-1'));
  expect(err).toMatchObject({ name: 'UpstreamError', system: 'Jubelio', retryable: false });
  expect(otherRequests).toBe(0);
  expect(records).toHaveLength(1);
  expect(records[0]!.status).toBe(302);
  expect(String(records[0]!.requestBody)).toContain('password');
  expect((err as Error).message).toMatch(/302.*not followed/);
});

test('BaseLinker: a 302 is an upstream error; X-BLToken never reaches the other host', async () => {
  const { records, fetch } = recorder();
  const client = new BaseLinkerClient({ url: `${redirectorUrl}/connector.php`, token: SECRET, retries: 2, fetch });
  const err = await rejection(client.getOrderStatusList());
  expect(err).toMatchObject({ name: 'UpstreamError', system: 'BaseLinker', retryable: false });
  await expectNotFollowed(records, err, 'x-bltoken');
  expect(records).toHaveLength(1);
});

test('Optimakers: reads and the create are not followed; a custom key header is redacted', async () => {
  const { records, fetch } = recorder();
  const client = new OptimakersClient({ baseUrl: redirectorUrl, apiKey: SECRET, apiKeyHeader: 'X-Om-Tenant-Proof', retries: 2, fetch });
  const err = await rejection(client.getOrder(1));
  expect(err).toMatchObject({ name: 'UpstreamError', system: 'Optimakers' });
  await expectNotFollowed(records, err, 'x-om-tenant-proof');
  const create = await rejection(client.createOrder({ externalId: 'x', statusId: 1, currencyId: 1, customer: { name: 'a', email: 'a@b.c', phone: '', attributes: [] }, delivery: { fullName: '', company: '', address: '', postcode: '', city: '', countryCode: 'PL' }, attributes: [], lines: [] }));
  expect(create).toMatchObject({ status: 302, ambiguous: false });
  expect(otherRequests).toBe(0);
});

test('WordPress: a 302 is an upstream error, not retried as if the site were down; the application password stays here', async () => {
  const { records, fetch } = recorder();
  const client = new WordPressClient({ baseUrl: redirectorUrl, user: 'kursus', appPassword: SECRET, retries: 2, fetch });
  const err = await rejection(client.getPost(1));
  expect(err).toMatchObject({ name: 'WordPressError', retryable: false });
  await expectNotFollowed(records, err, 'authorization');
  expect(records).toHaveLength(1);
});
