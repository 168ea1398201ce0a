// The request/response log end to end: inbound connector requests and outbound calls (Maconomy,
// WordPress, any connector through httpLog.fetch) are written with their correlation id, redacted;
// the writer is bounded and never fails a request; admins query it; old entries are pruned daily.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { HttpLogEntry, createHttpLog, pruneHttpLog, withCorrelationId } from '../../src/connectors/http-log/index.js';
import { JOBS, SCHEDULES } from '../../src/jobs/registry.js';
import { DEMO_USER, http, until } from './connector-helpers.js';

const ADMIN = 'admin-secret';

describe.each(testDatabaseKinds())('request/response log on %s', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(kind, { worker: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const entries = async (where: Record<string, unknown>) => {
    await h.kursus.httpLog.flush();
    return h.db.em().find(HttpLogEntry, where as never, { orderBy: { id: 'asc' } });
  };

  test('an inbound connector request is recorded, redacted, with the caller-given request id', async () => {
    const requestId = `corr-${Date.now()}-login`;
    const r = await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password }, headers: { 'x-request-id': requestId } });
    expect(r.status).toBe(200);
    const [e] = await entries({ correlationId: requestId });
    expect(e).toBeDefined();
    expect(e).toMatchObject({ direction: 'in', system: 'connector-auth', method: 'POST', url: '/public/auth/login', status: 200, actor: DEMO_USER.id });
    expect(e!.durationMs).toBeGreaterThanOrEqual(0);
    const all = JSON.stringify(e);
    expect(all).not.toContain(DEMO_USER.password);
    expect(all).not.toContain(DEMO_USER.email);
    expect(all).not.toContain(r.json.token);
    expect(JSON.parse(e!.requestBody!)).toEqual({ email: '[redacted]', password: '[redacted]' });
    const response = JSON.parse(e!.responseBody!);
    expect(response.token).toBe('[redacted]');
    expect(response.user).toEqual({ id: DEMO_USER.id, name: '[redacted]' });
  });

  test('a failed request is recorded with its status; GraphQL is not recorded as inbound', async () => {
    const requestId = `corr-${Date.now()}-bad`;
    await http(h.url, 'POST', '/public/auth/login', { body: { email: 'x@example.com', password: 'wrong-password' }, headers: { 'x-request-id': requestId, authorization: 'Bearer kct_should-not-appear' } });
    const [e] = await entries({ correlationId: requestId });
    expect(e!.status).toBe(401);
    expect(JSON.parse(e!.requestHeaders!).authorization).toBe('[redacted]');
    expect(JSON.stringify(e)).not.toContain('kct_should-not-appear');
    const gqlId = `corr-${Date.now()}-gql`;
    await h.raw({ query: '{ courses(first: 1) { totalCount } }' }, { 'x-request-id': gqlId });
    expect(await entries({ correlationId: gqlId, direction: 'in' })).toHaveLength(0);
  });

  test("Maconomy calls made during a GraphQL request are recorded outbound with that request's id", async () => {
    const list = await h.raw({ query: '{ courses(first: 1) { edges { node { id } } } }' });
    const courseId = list.json.data.courses.edges[0].node.id;
    const gqlId = `corr-${Date.now()}-seats`;
    const r = await h.raw({ query: 'mutation($id: ID!) { reserveSeats(input: { courseId: $id, seats: 1 }) { orderToken } }', variables: { id: courseId } }, { 'x-request-id': gqlId });
    expect(r.status).toBe(200);
    expect(r.json.errors).toBeUndefined();
    const out = await until('the Maconomy calls in the log', async () => {
      const rows = await entries({ correlationId: gqlId, direction: 'out' });
      return rows.length ? rows : null;
    });
    expect(out.every((e) => e.system === 'maconomy' && e.method === 'GET' && e.status === 200)).toBe(true);
    expect(out[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/course\//);
    const headers = JSON.parse(out[0]!.requestHeaders!);
    expect(headers.authorization).toBe('[redacted]');
    expect(headers['x-request-id']).toBe(gqlId);
    expect(JSON.parse(out[0]!.responseBody!)).toHaveProperty('free_seats');
  });

  test('WordPress calls are recorded outbound, the application password redacted, personal fields too', async () => {
    await withCorrelationId('job:push-wordpress:test', async () => {
      const post = await h.kursus.wordpress.createPost({ title: 'Excel for begyndere', status: 'draft', content: 'x', fields: { trainer_email: 'underviser@example.dk', maconomy_id: '25172-04' }, slug: 'excel-25172-04' });
      expect(post.id).toBeGreaterThan(0);
    });
    const [e] = await entries({ system: 'wordpress', correlationId: 'job:push-wordpress:test' });
    expect(e).toMatchObject({ direction: 'out', method: 'POST', status: 201 });
    expect(e!.url).toMatch(/\/wp-json\/wp\/v2\/kursus$/);
    expect(JSON.parse(e!.requestHeaders!).authorization).toBe('[redacted]');
    expect(e!.requestBody).not.toContain('underviser@example.dk');
    expect(JSON.parse(e!.requestBody!).meta).toMatchObject({ trainer_email: '[redacted]', maconomy_id: '25172-04' });
    expect(JSON.stringify(e)).not.toContain(h.config.wordpress.appPassword);
  });

  test("a checkout's order sync job calls Maconomy under the checkout request's id", async () => {
    const list = await h.raw({ query: '{ courses(first: 3) { edges { node { id seatsAvailable } } } }' });
    const courseId = list.json.data.courses.edges.find((e: any) => e.node.seatsAvailable >= 1).node.id;
    const held = await h.raw({ query: 'mutation($id: ID!) { reserveSeats(input: { courseId: $id, seats: 1 }) { orderToken order { id } } }', variables: { id: courseId } });
    const { orderToken, order } = held.json.data.reserveSeats;
    const checkoutId = `corr-${Date.now()}-checkout`;
    const person = { firstName: 'Mette', lastName: 'Hansen', email: 'mette@example.dk', phone: '+45 12 34 56 78' };
    const placed = await h.raw(
      { query: 'mutation($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }', variables: { input: { orderId: order.id, orderToken, booker: person, participants: [person] } } },
      { 'x-request-id': checkoutId },
    );
    expect(placed.json.errors).toBeUndefined();
    const sync = await until('the sync-order call in the log', async () => {
      const rows = await entries({ correlationId: checkoutId, direction: 'out', method: 'POST' });
      return rows.find((r) => r.url.endsWith('/api/webparticipant'));
    });
    expect(sync).toMatchObject({ system: 'maconomy', status: 201 });
    for (const secret of ['mette@example.dk', 'Mette', '12 34 56 78']) expect(JSON.stringify(sync)).not.toContain(secret);
  });

  test('the import at start-up was recorded too (no request: no correlation id)', async () => {
    const rows = await entries({ system: 'maconomy', url: { $like: '%/api/maincourse%' } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]!.correlationId).toBeNull();
  });

  test('a connector fetch carries the correlation id of the job or request that made it, and records failures', async () => {
    const f = h.kursus.httpLog.fetch('test-peer');
    await withCorrelationId('job:test-peer:1', async () => {
      await expect(f('http://127.0.0.1:1/refused', { method: 'POST', body: JSON.stringify({ password: 'hunter2-password' }), headers: { 'content-type': 'application/json' } })).rejects.toThrow();
    });
    const [e] = await entries({ system: 'test-peer' });
    expect(e).toMatchObject({ direction: 'out', method: 'POST', status: null, correlationId: 'job:test-peer:1' });
    expect(e!.error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(e!.requestBody).toBe('{"password":"[redacted]"}');
  });

  test('when the queue is full entries are dropped and counted, and a broken table never throws', async () => {
    const small = createHttpLog({ db: h.db, config: { ...h.config.httpLog, queueMax: 3, flushMs: 60_000, batchSize: 100 } });
    const rec = (i: number) => small.record({ at: new Date(), direction: 'out', system: 'queue-test', method: 'GET', url: `http://x/${i}`, status: 200, durationMs: 1 });
    for (let i = 0; i < 5; i++) rec(i);
    expect(small.stats()).toMatchObject({ queued: 3, dropped: 2, written: 0 });
    await small.flush();
    expect(small.stats()).toMatchObject({ queued: 0, dropped: 2, written: 3, failed: 0 });
    await small.close();

    const broken = createHttpLog({ db: { ...h.db, em: () => { throw new Error('database is gone'); } } as never, config: { ...h.config.httpLog, flushMs: 60_000 } });
    broken.record({ at: new Date(), direction: 'out', system: 'queue-test', method: 'GET', url: 'http://x', status: 200, durationMs: 1 });
    await expect(broken.flush()).resolves.toBeUndefined();
    expect(broken.stats()).toMatchObject({ failed: 1, written: 0 });
    await broken.close();
  });

  test('bodies are cut to the limit before they are queued, and the queue is bounded in bytes: beyond it entries are dropped and counted', async () => {
    const limit = h.config.httpLog.bodyLimitBytes;
    const small = createHttpLog({ db: h.db, config: { ...h.config.httpLog, queueMax: 10_000, queueMaxBytes: 64 * 1024, flushMs: 60_000, batchSize: 5000 } });
    // 256 KiB JSON bodies (the inbound maximum) with personal data at the start and at the end.
    const big = JSON.stringify({ NIK: '3171234567890001', padding: 'x'.repeat(256 * 1024), Image: 'base64-photo' });
    const rec = (i: number) =>
      small.record({ at: new Date(), direction: 'in', system: 'bytes-test', method: 'POST', url: `/api/bytes/${i}`, status: 200, durationMs: 1, requestBody: JSON.parse(big), requestBodyBytes: big.length, requestContentType: 'application/json', responseBody: big, responseContentType: 'application/json' });
    rec(0);
    // One entry holds its two cut bodies, not 512 KiB.
    expect(small.stats().queuedBytes).toBeLessThan(2 * (limit + 100) + 4096);
    for (let i = 1; i < 100; i++) rec(i);
    const stats = small.stats();
    expect(stats.queuedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.queued).toBeGreaterThan(0);
    expect(stats.queued + stats.dropped).toBe(100);
    expect(stats.dropped).toBeGreaterThan(90);
    await small.flush();
    expect(small.stats()).toMatchObject({ queued: 0, queuedBytes: 0, written: stats.queued });
    const rows = await h.db.em().find(HttpLogEntry, { system: 'bytes-test' });
    expect(rows).toHaveLength(stats.queued);
    for (const body of [rows[0]!.requestBody!, rows[0]!.responseBody!]) {
      expect(body).toMatch(/…\[truncated, \d+ bytes\]$/);
      expect(Buffer.byteLength(body)).toBeLessThan(limit + 100);
      expect(body).toContain('"NIK":"[redacted]"');
      expect(body).not.toContain('3171234567890001');
    }
    // A parsed body beyond what redaction takes (1 MiB) is described, not walked and stored.
    const huge = JSON.stringify({ products: Array.from({ length: 3000 }, (_, i) => ({ sku: `S-${i}`, description: 'y'.repeat(500), email: `p${i}@example.dk` })) });
    small.record({ at: new Date(), direction: 'in', system: 'bytes-huge', method: 'POST', url: '/api/huge', status: 200, durationMs: 1, requestBody: JSON.parse(huge), requestBodyBytes: huge.length, requestContentType: 'application/json' });
    await small.flush();
    const [hugeRow] = await h.db.em().find(HttpLogEntry, { system: 'bytes-huge' });
    expect(hugeRow!.requestBody).toBe(`[body of ${huge.length} bytes, too large to redact: not logged]`);
    await small.close();
  });

  test('an outbound response without Content-Length is read for the log up to 1 MiB only: an endless one is not buffered', async () => {
    let written = 0;
    let closed!: () => void;
    const clientGone = new Promise<void>((resolve) => (closed = resolve));
    const server: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no Content-Length
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const more = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      res.on('close', () => closed());
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/endless`;
      const res = await h.kursus.httpLog.fetch('endless-peer')(url);
      const reader = res.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      // The log gives up on its copy after 1 MiB and records the call; once the caller stops too,
      // the connection ends (a log reading the whole body would keep it open, buffering forever).
      const [e] = await until('the outbound entry', async () => {
        const rows = await entries({ system: 'endless-peer' });
        return rows.length ? rows : null;
      });
      expect(e).toMatchObject({ direction: 'out', status: 200 });
      expect(e!.responseBody).toBe('[more than 1048576 bytes of application/json not logged]');
      await reader.cancel();
      await clientGone;
      expect(written).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a large outbound JSON answer without Content-Length reaches the caller whole and the log redacted and cut', async () => {
    const answer = JSON.stringify({ ResourceId: '321231990', Data: { NIK: '3171234567890001', Image: 'i'.repeat(200 * 1024), Status: 'ok' } });
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < answer.length; i += 16 * 1024) res.write(answer.slice(i, i + 16 * 1024));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await h.kursus.httpLog.fetch('large-peer')(`http://127.0.0.1:${(server.address() as AddressInfo).port}/large`);
      expect(await res.text()).toBe(answer);
      const [e] = await until('the outbound entry', async () => {
        const rows = await entries({ system: 'large-peer' });
        return rows.length ? rows : null;
      });
      expect(Buffer.byteLength(e!.responseBody!)).toBeLessThan(h.config.httpLog.bodyLimitBytes + 100);
      expect(e!.responseBody).toMatch(/^\{"ResourceId":"\[redacted\]","Data":\{"NIK":"\[redacted\]","Image":"\[redacted\]","Status":"ok"\}\}$/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('with a tiny byte budget (HTTP_LOG_QUEUE_MAX_BYTES)', () => {
    let tiny: Harness;
    beforeAll(async () => {
      tiny = await startHarness(kind, { env: { HTTP_LOG_QUEUE_MAX_BYTES: '4096', HTTP_LOG_FLUSH_MS: '60000', HTTP_LOG_BATCH_SIZE: '5000' } });
    });
    afterAll(async () => {
      await tiny?.close();
    });

    test('requests with large bodies still succeed while their log entries are dropped and counted', async () => {
      const before = tiny.kursus.httpLog.stats().dropped;
      for (let i = 0; i < 5; i++) {
        const r = await http(tiny.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password, padding: 'p'.repeat(100 * 1024) } });
        expect(r.status).toBe(200);
      }
      const stats = tiny.kursus.httpLog.stats();
      expect(stats.dropped - before).toBe(5);
      expect(stats.queuedBytes).toBeLessThanOrEqual(4096);
    });
  });

  describe('admin query', () => {
    test('needs the admin token and filters by system, status and time', async () => {
      expect((await http(h.url, 'GET', '/api/admin/http-log')).status).toBe(401);
      await h.kursus.httpLog.flush();
      const bySystem = await http(h.url, 'GET', '/api/admin/http-log?system=connector-auth&limit=500', { token: ADMIN });
      expect(bySystem.status).toBe(200);
      expect(bySystem.json.items.length).toBeGreaterThan(0);
      expect(bySystem.json.items.every((e: any) => e.system === 'connector-auth')).toBe(true);
      expect(bySystem.json.stats).toMatchObject({ dropped: expect.any(Number), queued: expect.any(Number) });

      const clientErrors = await http(h.url, 'GET', '/api/admin/http-log?status=4xx&limit=500', { token: ADMIN });
      expect(clientErrors.json.items.length).toBeGreaterThan(0);
      expect(clientErrors.json.items.every((e: any) => e.status >= 400 && e.status < 500)).toBe(true);
      const exact = await http(h.url, 'GET', '/api/admin/http-log?status=401&direction=in', { token: ADMIN });
      expect(exact.json.items.every((e: any) => e.status === 401 && e.direction === 'in')).toBe(true);
      const errors = await http(h.url, 'GET', '/api/admin/http-log?status=error', { token: ADMIN });
      expect(errors.json.items.some((e: any) => e.system === 'test-peer' && e.status === null)).toBe(true);

      const future = await http(h.url, 'GET', `/api/admin/http-log?from=${new Date(Date.now() + 3_600_000).toISOString()}`, { token: ADMIN });
      expect(future.json.items).toEqual([]);
      const past = await http(h.url, 'GET', `/api/admin/http-log?to=${new Date(Date.now() - 3_600_000).toISOString()}`, { token: ADMIN });
      expect(past.json.items).toEqual([]);

      const bad = await http(h.url, 'GET', '/api/admin/http-log?status=teapot', { token: ADMIN });
      expect(bad.status).toBe(400);
      expect(bad.json.message).toMatch(/status/);
      expect((await http(h.url, 'GET', '/api/admin/http-log?from=yesterday', { token: ADMIN })).json.message).toMatch(/from/);
    });

    test('pages newest first with before/nextBefore, and the query itself is not logged', async () => {
      const first = await http(h.url, 'GET', '/api/admin/http-log?limit=2', { token: ADMIN });
      expect(first.json.items).toHaveLength(2);
      expect(first.json.items[0].id).toBeGreaterThan(first.json.items[1].id);
      const second = await http(h.url, 'GET', `/api/admin/http-log?limit=2&before=${first.json.nextBefore}`, { token: ADMIN });
      expect(second.json.items[0].id).toBeLessThan(first.json.items[1].id);
      expect(await entries({ url: { $like: '/api/admin/http-log%' } })).toHaveLength(0);
      const stats = await http(h.url, 'GET', '/api/admin/http-log/stats', { token: ADMIN });
      expect(Object.keys(stats.json).sort()).toEqual(['dropped', 'failed', 'queueMax', 'queueMaxBytes', 'queued', 'queuedBytes', 'written']);
    });
  });

  test('http-log-prune is scheduled daily and deletes entries older than HTTP_LOG_RETENTION_DAYS', async () => {
    expect(SCHEDULES.find((s) => s.name === JOBS.httpLogPrune)?.interval).toBe('30 3 * * *');
    const old = new Date(Date.now() - (h.config.httpLog.retentionDays + 1) * 86_400_000);
    await h.db.em().insertMany(HttpLogEntry, [1, 2, 3].map((i) => ({ at: old, direction: 'out', system: 'prune-test', method: 'GET', url: `http://old/${i}`, status: 200, durationMs: 1 })) as never);
    const recent = new Date(Date.now() - (h.config.httpLog.retentionDays - 1) * 86_400_000);
    await h.db.em().insertMany(HttpLogEntry, [{ at: recent, direction: 'out', system: 'prune-test', method: 'GET', url: 'http://recent', status: 200, durationMs: 1 }] as never);
    await h.kursus.jobs.agenda.now(JOBS.httpLogPrune);
    await until('the prune job', async () => (await h.db.em().count(HttpLogEntry, { system: 'prune-test' })) === 1);
    const [left] = await h.db.em().find(HttpLogEntry, { system: 'prune-test' });
    expect(left!.url).toBe('http://recent');
    expect(await pruneHttpLog(h.db, { retentionDays: h.config.httpLog.retentionDays, now: new Date() })).toBe(0);
  });
});
