// Request Out through real HTTP, a real Agenda worker and the upstream simulator, on SQLite and
// MySQL: the documented bodies, one upstream call per TicketId whatever happens, the route table's
// admin API, failures, and the request/response log of the upstream call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { startUpstreamSimulator, upstreamAnswer, type UpstreamSimulator } from '../../src/simulators/upstream.js';
import { requestOutAnswerSchema, requestOutErrorSchema } from '../../src/connectors/request-out/routes.js';
import { RequestOutTicket } from '../../src/connectors/request-out/entities.js';
import { eraseRequestOutData, reapStuckTickets, REAP_MARGIN_MS, REQUEST_OUT_JOB, runRequestOutCall } from '../../src/connectors/request-out/service.js';
import { JOBS, SCHEDULES } from '../../src/jobs/registry.js';
import { HttpLogEntry } from '../../src/connectors/http-log/index.js';
import { DEMO_USER, http, loginDemo, newUser, until, type HttpResult } from './connector-helpers.js';

// The documented examples (001_2899a842be319a2e.txt).
const DOCUMENTED_REQUEST = { TicketId: '312d31-5a2cc51e-ec2a-4286-a44a-bb7a258703e3', Subject: 'digitalid', SubjectType: 'enrollment', SubjectIdentifier: 'ektp' };
const DOCUMENTED_SUCCESS_KEYS = ['TicketId', 'Subject', 'SubjectType', 'SubjectIdentifier', 'Action', 'ResourceType', 'Resource', 'ResourceId', 'Data', 'Status', 'Message', 'StatusCode'];
const DOCUMENTED_IN_PROCESS = {
  TicketId: '',
  Subject: '',
  SubjectType: '',
  SubjectIdentifier: '',
  Action: '',
  ResourceType: '',
  Resource: '',
  ResourceId: '',
  Data: null,
  Status: 'success',
  Message: 'Request on process / not available now',
  StatusCode: 404,
};

const ajv = new Ajv({ strict: false });
const validAnswer = ajv.compile(requestOutAnswerSchema);
const validError = ajv.compile(requestOutErrorSchema);
function expectAnswerShape(r: HttpResult) {
  expect(r.status).toBe(200);
  if (!validAnswer(r.json)) throw new Error(`answer schema: ${JSON.stringify(validAnswer.errors)} for ${r.text}`);
  expect(Object.keys(r.json)).toEqual(DOCUMENTED_SUCCESS_KEYS);
}
function expectError(r: HttpResult, status: number, message?: RegExp) {
  expect(r.status).toBe(status);
  if (!validError(r.json)) throw new Error(`error schema: ${JSON.stringify(validError.errors)} for ${r.text}`);
  expect(Object.keys(r.json)).toEqual(['Status', 'Code', 'Message', 'Data']);
  expect(r.json.Code).toBe(String(status));
  if (message) expect(r.json.Message).toMatch(message);
}

const ADMIN = 'admin-secret';
const listenOn = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
let seq = 0;
const ticket = (label: string) => `t-${label}-${Date.now().toString(36)}-${++seq}`;

describe.each(testDatabaseKinds())('Request Out on %s', (kind) => {
  let h: Harness;
  let sim: UpstreamSimulator;
  let token: string;
  const UPSTREAM_TOKEN = 'upstream-secret-token';

  beforeAll(async () => {
    sim = await startUpstreamSimulator({ token: UPSTREAM_TOKEN });
    h = await startHarness(kind, { worker: true, env: { REQUEST_OUT_WAIT_MS: '2000' } });
    token = await loginDemo(h.url);
  });
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });
  afterEach(() => sim.faults.clear());

  const send = (body: unknown, t: string | null = token, headers: Record<string, string> = {}) => http(h.url, 'POST', '/api/request-out', { token: t, body, headers });
  /** A route to the test's simulator for a fresh subject identifier. */
  const route = async (identifier: string, extra: Record<string, unknown> = {}) => {
    const r = await http(h.url, 'POST', '/api/admin/request-out/routes', {
      token: ADMIN,
      body: { subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: identifier, name: `test ${identifier}`, upstreamUrl: `${sim.url}/digitalid/${identifier}`, authType: 'bearer', authSecret: UPSTREAM_TOKEN, timeoutMs: 2000, ...extra },
    });
    expect(r.status).toBe(201);
    return r.json;
  };
  const body = (TicketId: string, SubjectIdentifier: string) => ({ TicketId, Subject: 'digitalid', SubjectType: 'enrollment', SubjectIdentifier });
  /** Repeats the request until it is no longer "in process". */
  const settled = async (b: unknown) => until('the ticket to settle', async () => {
    const r = await send(b);
    return r.json?.StatusCode === 404 ? null : r;
  });

  test('the documented example works out of the box on the demo route (demo upstream simulator)', async () => {
    const r = await send(DOCUMENTED_REQUEST);
    expectAnswerShape(r);
    expect(r.json).toMatchObject({ ...DOCUMENTED_REQUEST, Action: 'create', ResourceType: 'data', Resource: 'nik', Status: 'success', Message: 'success', StatusCode: 200 });
    expect(r.json.ResourceId).toMatch(/^\d+$/);
    expect(Object.keys(r.json.Data)).toEqual(['Image', 'NIK', 'Status']);
    expect(r.json.Data).toEqual(upstreamAnswer(DOCUMENTED_REQUEST.TicketId, 'ektp').Data);
    // Matching is case-insensitive; the answer echoes what was sent.
    const mixed = await send({ ...DOCUMENTED_REQUEST, TicketId: ticket('case'), Subject: 'DigitalID' });
    expectAnswerShape(mixed);
    expect(mixed.json.Subject).toBe('DigitalID');
  });

  test('a repeated TicketId never calls the upstream twice, even when sent concurrently', async () => {
    await route('idem');
    const t = ticket('idem');
    const first = await Promise.all(Array.from({ length: 5 }, () => send(body(t, 'idem'))));
    for (const r of first) expect([200, 404]).toContain(r.json.StatusCode);
    const final = await settled(body(t, 'idem'));
    expectAnswerShape(final);
    expect(final.json).toMatchObject({ ...body(t, 'idem'), ...upstreamAnswer(t, 'idem'), Status: 'success', StatusCode: 200 });
    for (let i = 0; i < 3; i++) expect((await send(body(t, 'idem'))).json).toEqual(final.json);
    expect(sim.callsFor(t)).toBe(1);
    const call = sim.calls.find((c) => c.ticketId === t)!;
    expect(call.authorization).toBe(`Bearer ${UPSTREAM_TOKEN}`);
    expect(call.body).toEqual(body(t, 'idem'));
  });

  test('while the upstream works, the answer is the documented in-process body; later the stored result', async () => {
    await route('slow', { timeoutMs: 10_000 });
    sim.faults.delay(3000);
    const t = ticket('slow');
    const r = await send(body(t, 'slow'));
    expectAnswerShape(r);
    expect(r.json).toEqual(DOCUMENTED_IN_PROCESS);
    const again = await send(body(t, 'slow'));
    expect(again.json).toEqual(DOCUMENTED_IN_PROCESS);
    const done = await settled(body(t, 'slow'));
    expect(done.json.StatusCode).toBe(200);
    expect(sim.callsFor(t)).toBe(1);
  });

  test('unknown and disabled routes answer in-process and keep no ticket; enabling the route processes the same TicketId', async () => {
    const unknown = await send(body(ticket('nope'), 'no-such-product'));
    expect(unknown.json).toEqual(DOCUMENTED_IN_PROCESS);
    const r = await route('later', { enabled: false });
    const t = ticket('later');
    expect((await send(body(t, 'later'))).json).toEqual(DOCUMENTED_IN_PROCESS);
    expect((await http(h.url, 'GET', `/api/admin/request-out/tickets/${t}`, { token: ADMIN })).status).toBe(404);
    expect(sim.callsFor(t)).toBe(0);
    expect((await http(h.url, 'PATCH', `/api/admin/request-out/routes/${r.id}`, { token: ADMIN, body: { enabled: true } })).json.enabled).toBe(true);
    const done = await settled(body(t, 'later'));
    expect(done.json.StatusCode).toBe(200);
    expect(sim.callsFor(t)).toBe(1);
  });

  test('malformed requests are HTTP 400 with Status, Code, Message, Data naming the field', async () => {
    const good = body(ticket('bad'), 'idem');
    for (const field of ['TicketId', 'Subject', 'SubjectType', 'SubjectIdentifier'] as const) {
      expectError(await send({ ...good, [field]: undefined }), 400, new RegExp(field));
      expectError(await send({ ...good, [field]: '  ' }), 400, new RegExp(field));
      expectError(await send({ ...good, [field]: 42 }), 400, new RegExp(field));
      expectError(await send({ ...good, [field]: 'x'.repeat(101) }), 400, new RegExp(field));
    }
    expectError(await send({ ...good, TicketId: 'has spaces and / slashes' }), 400, /TicketId/);
    expectError(await send([good]), 400);
    expectError(await http(h.url, 'POST', '/api/request-out', { token, body: '{"TicketId": ', headers: { 'content-type': 'application/json' } }), 400, /JSON/);
    expect(sim.callsFor(good.TicketId)).toBe(0);
  });

  test('missing or bad tokens are 401 in the same envelope; a TicketId of another client or with other fields is 409', async () => {
    const b = body(ticket('auth'), 'idem');
    expectError(await send(b, null), 401);
    expectError(await send(b, 'kct_wrong'), 401);
    expectError(await send(b, ADMIN), 401);
    const done = await settled(b);
    expect(done.json.StatusCode).toBe(200);
    const other = await newUser(h.url, ADMIN);
    expectError(await send(b, other.token), 409, /another client/);
    expectError(await send({ ...b, SubjectIdentifier: 'slow' }), 409, /another Subject/);
    expect(sim.callsFor(b.TicketId)).toBe(1);
  });

  test('upstream failures are stored and answered with Status "failed" and StatusCode 502, never retried after sending', async () => {
    await route('fails');
    const cases: [() => void, RegExp][] = [
      [() => sim.faults.failNext(1, 500), /HTTP 500/],
      [() => sim.faults.malformedNext(1), /not JSON/],
    ];
    for (const [fault, message] of cases) {
      fault();
      const t = ticket('fails');
      const r = await settled(body(t, 'fails'));
      expectAnswerShape(r);
      expect(r.json).toMatchObject({ TicketId: t, Status: 'failed', StatusCode: 502, Data: null });
      expect(r.json.Message).toMatch(message);
      expect((await send(body(t, 'fails'))).json).toEqual(r.json);
      expect(sim.callsFor(t)).toBe(1);
    }
    // A wrong upstream credential is the upstream's 401, stored as a failure.
    await route('wrongkey', { authSecret: 'not-the-token' });
    const t = ticket('wrongkey');
    expect((await settled(body(t, 'wrongkey'))).json.Message).toMatch(/HTTP 401/);
  });

  test('an upstream that does not answer in time is failed and not called again', async () => {
    await route('hangs', { timeoutMs: 300 });
    sim.faults.hangNext(1);
    const t = ticket('hangs');
    const r = await settled(body(t, 'hangs'));
    expect(r.json).toMatchObject({ Status: 'failed', StatusCode: 502 });
    expect(r.json.Message).toMatch(/no answer within 300 ms/);
    expect(sim.callsFor(t)).toBe(1);
  });

  test('a refused connection (nothing sent) is retried by the job, then failed', async () => {
    const closed = await startUpstreamSimulator();
    const url = `${closed.url}/gone`;
    await closed.close();
    await route('refused', { upstreamUrl: url, authType: 'none', authSecret: null });
    const t = ticket('refused');
    const r = await until('the retries', async () => {
      const x = await send(body(t, 'refused'));
      return x.json?.Status === 'failed' ? x : null;
    }, 30_000);
    expect(r.json.Message).toMatch(/unreachable .* after 3 attempts/);
    const row = await h.db.em().findOneOrFail(RequestOutTicket, { ticketId: t });
    expect(row.attempts).toBe(3);
  });

  test('a ticket claimed by a run that died mid-call is failed, not called again', async () => {
    const r = await route('crash');
    const t = ticket('crash');
    const em = h.db.em();
    em.create(RequestOutTicket, { ticketId: t, user: DEMO_USER.id, route: r.id, subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: 'crash', status: 'PROCESSING', callStartedAt: new Date(), attempts: 1 } as never);
    await em.flush();
    const outcome = await runRequestOutCall({ db: h.db, fetch: (i, n) => fetch(i, n), now: () => new Date() }, t);
    expect(outcome).toBe('FAILED');
    expect(sim.callsFor(t)).toBe(0);
    const answer = await send(body(t, 'crash'));
    expect(answer.json).toMatchObject({ Status: 'failed', StatusCode: 502 });
    expect(answer.json.Message).toMatch(/interrupted/);
  });

  test('the upstream call is in the request/response log under the inbound request id, redacted', async () => {
    await route('logged');
    const t = ticket('logged');
    const requestId = `req-out-${Date.now()}`;
    const r = await send(body(t, 'logged'), token, { 'x-request-id': requestId });
    const done = r.json.StatusCode === 200 ? r : await settled(body(t, 'logged'));
    expect(done.json.StatusCode).toBe(200);
    expect(sim.calls.find((c) => c.ticketId === t)!.requestId).toBe(requestId);
    const rows = await until('the log entries', async () => {
      await h.kursus.httpLog.flush();
      const found = await h.db.em().find(HttpLogEntry, { correlationId: requestId }, { orderBy: { id: 'asc' } });
      return found.length >= 2 ? found : null;
    });
    const inbound = rows.find((e) => e.direction === 'in')!;
    const outbound = rows.find((e) => e.direction === 'out')!;
    expect(inbound).toMatchObject({ system: 'request-out', method: 'POST', url: '/api/request-out', status: 200, actor: DEMO_USER.id });
    expect(outbound).toMatchObject({ system: 'request-out', method: 'POST', status: 200 });
    expect(outbound.url).toBe(`${sim.url}/digitalid/logged`);
    expect(JSON.parse(outbound.requestHeaders!).authorization).toBe('[redacted]');
    expect(JSON.stringify(rows)).not.toContain(UPSTREAM_TOKEN);
    // The Data's personal fields and the record id, in the upstream's answer and in ours.
    for (const logged of [JSON.parse(outbound.responseBody!), JSON.parse(inbound.responseBody!)]) {
      expect(logged.Data).toEqual({ Image: '[redacted]', NIK: '[redacted]', Status: 'ok' });
      expect(logged.ResourceId).toBe('[redacted]');
    }
    expect(JSON.stringify(rows)).not.toContain(upstreamAnswer(t, 'logged').Data.NIK);
    expect(JSON.stringify(rows)).not.toContain(upstreamAnswer(t, 'logged').ResourceId);
  });

  test('an upstream redirect to another host is not followed: the ticket fails naming it, the other host gets nothing, the log has the 302 with the route\'s custom auth header (a name no pattern knows) redacted', async () => {
    const secret = 'apim-subscription-secret-0123456789';
    let elsewhere = 0;
    const other = createServer((req, res) => {
      elsewhere++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Data: { stolen: true } }));
    });
    const otherPort = await listenOn(other);
    const redirector = createServer((req, res) => {
      req.resume();
      res.writeHead(302, { location: `http://localhost:${otherPort}/digitalid` }).end();
    });
    const redirectorPort = await listenOn(redirector);
    try {
      await route('redirected', { upstreamUrl: `http://127.0.0.1:${redirectorPort}/digitalid/redirected`, authType: 'header', authHeader: 'X-Partner-Proof', authSecret: secret });
      const t = ticket('redirected');
      const requestId = `req-out-redirect-${Date.now()}`;
      const r = await send(body(t, 'redirected'), token, { 'x-request-id': requestId });
      const done = r.json.StatusCode === 502 ? r : await settled(body(t, 'redirected'));
      expect(done.json).toMatchObject({ Status: 'failed', StatusCode: 502, Data: null });
      expect(done.json.Message).toMatch(/redirect \(HTTP 302\).*not followed/);
      expect(elsewhere).toBe(0);
      const outbound = await until('the logged call', async () => {
        await h.kursus.httpLog.flush();
        return (await h.db.em().find(HttpLogEntry, { correlationId: requestId, direction: 'out' }))[0] ?? null;
      });
      expect(outbound).toMatchObject({ system: 'request-out', method: 'POST', status: 302 });
      expect(JSON.parse(outbound.requestHeaders!)['x-partner-proof']).toBe('[redacted]');
      const everything = JSON.stringify(await h.db.em().getConnection().execute('select * from http_log'));
      expect(everything).not.toContain(secret);
      // Counted in the upstream metric with its outcome.
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(/^kursus_upstream_request_duration_seconds_count\{upstream="request-out",method="POST",outcome="redirect"\} [1-9]/m);
    } finally {
      await new Promise((res) => redirector.close(res));
      await new Promise((res) => other.close(res));
    }
  });

  test('after REQUEST_OUT_RETENTION_DAYS the daily job erases the stored Data; the row stays and a repeat gets a clear body, not a second call', async () => {
    await route('retained');
    const oldT = ticket('retained-old');
    const newT = ticket('retained-new');
    for (const t of [oldT, newT]) expect((await settled(body(t, 'retained'))).json.StatusCode).toBe(200);
    const days = h.config.connectors.requestOutRetentionDays;
    const past = new Date(Date.now() - (days + 1) * 86_400_000);
    await h.db.em().nativeUpdate(RequestOutTicket, { ticketId: oldT }, { createdAt: past, completedAt: past });
    await h.kursus.jobs.agenda.now(JOBS.httpLogPrune);
    const erased = await until('the daily job to erase the old ticket', async () => {
      const row = await h.db.em().findOneOrFail(RequestOutTicket, { ticketId: oldT });
      return row.dataErasedAt ? row : null;
    });
    expect(erased).toMatchObject({ status: 'SUCCEEDED', data: null, resourceId: null });
    const again = await send(body(oldT, 'retained'));
    expectAnswerShape(again);
    expect(again.json).toEqual({
      ...body(oldT, 'retained'),
      Action: 'create',
      ResourceType: 'data',
      Resource: 'nik',
      ResourceId: '',
      Data: null,
      Status: 'success',
      Message: 'The result of this ticket was erased after the retention period; the TicketId stays used',
      StatusCode: 410,
    });
    expect(sim.callsFor(oldT)).toBe(1);
    // The recent ticket keeps its result; a second run erases nothing more.
    const recent = await send(body(newT, 'retained'));
    expect(recent.json).toMatchObject({ StatusCode: 200, Data: upstreamAnswer(newT, 'retained').Data });
    expect(await eraseRequestOutData(h.db, { retentionDays: days, now: new Date() })).toBe(0);
  });

  describe('the reaper of tickets stuck in PROCESSING', () => {
    const agenda = () => h.kursus.jobs.agenda;
    const reap = () =>
      reapStuckTickets({
        db: h.db,
        now: () => new Date(),
        jobAlive: async (ticketId) => (await agenda().queryJobs({ name: REQUEST_OUT_JOB, data: { ticketId } })).jobs.some((j) => j.lockedAt || (j.nextRunAt && !j.disabled)),
        requeue: async (ticketId) => void (await agenda().now(REQUEST_OUT_JOB, { ticketId })),
      });
    /** A ticket as a crash leaves it: PROCESSING, no job, created long enough ago. */
    const stuck = async (t: string, identifier: string, routeId: string, extra: Record<string, unknown> = {}) => {
      const em = h.db.em();
      const longAgo = new Date(Date.now() - 2000 - REAP_MARGIN_MS - 60_000);
      em.create(RequestOutTicket, { ticketId: t, user: DEMO_USER.id, route: routeId, subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: identifier, status: 'PROCESSING', createdAt: longAgo, ...extra } as never);
      await em.flush();
    };

    test('runs every minute; a ticket whose job was lost before it ran is queued again and answered for real', async () => {
      expect(SCHEDULES.find((x) => x.name === JOBS.requestOutReap)?.interval).toBe('* * * * *');
      const r = await route('lostjob');
      const t = ticket('lostjob');
      await stuck(t, 'lostjob', r.id);
      expect((await send(body(t, 'lostjob'))).json).toEqual(DOCUMENTED_IN_PROCESS);
      await agenda().now(JOBS.requestOutReap);
      const done = await settled(body(t, 'lostjob'));
      expectAnswerShape(done);
      expect(done.json).toMatchObject({ ...body(t, 'lostjob'), ...upstreamAnswer(t, 'lostjob'), StatusCode: 200 });
      expect(sim.callsFor(t)).toBe(1);
      expect((await h.db.em().findOneOrFail(RequestOutTicket, { ticketId: t })).requeues).toBe(1);
    });

    test('a claimed ticket whose job is gone is failed, never called again; a live job, a young ticket or exhausted requeues are handled', async () => {
      const r = await route('reaped');
      const claimed = ticket('reaped-claimed');
      await stuck(claimed, 'reaped', r.id, { callStartedAt: new Date(Date.now() - 2000 - REAP_MARGIN_MS - 60_000), attempts: 1 });
      const exhausted = ticket('reaped-exhausted');
      await stuck(exhausted, 'reaped', r.id, { requeues: 3 });
      const waiting = ticket('reaped-waiting');
      await stuck(waiting, 'reaped', r.id);
      await agenda().schedule(new Date(Date.now() + 3_600_000), REQUEST_OUT_JOB, { ticketId: waiting });
      const young = ticket('reaped-young');
      const em = h.db.em();
      em.create(RequestOutTicket, { ticketId: young, user: DEMO_USER.id, route: r.id, subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: 'reaped', status: 'PROCESSING' } as never);
      await em.flush();
      const result = await reap();
      expect(result.failed).toBeGreaterThanOrEqual(2);
      const state = async (t: string) => h.db.em().findOneOrFail(RequestOutTicket, { ticketId: t });
      expect(await state(claimed)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/interrupted/) });
      expect(await state(exhausted)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/lost 4 times/) });
      expect(await state(waiting)).toMatchObject({ status: 'PROCESSING', requeues: 0 });
      expect(await state(young)).toMatchObject({ status: 'PROCESSING', requeues: 0 });
      const answer = await send(body(claimed, 'reaped'));
      expectAnswerShape(answer);
      expect(answer.json).toMatchObject({ TicketId: claimed, Status: 'failed', StatusCode: 502 });
      for (const t of [claimed, exhausted, waiting, young]) expect(sim.callsFor(t)).toBe(0);
      await agenda().cancel({ name: REQUEST_OUT_JOB, data: { ticketId: waiting } });
    });
  });

  describe('admin API of the route table', () => {
    test('needs the admin token', async () => {
      expect((await http(h.url, 'GET', '/api/admin/request-out/routes')).status).toBe(401);
      expect((await http(h.url, 'GET', '/api/admin/request-out/routes', { token })).status).toBe(401);
    });

    test('creates, lists, reads, changes and deletes routes; secrets are never returned', async () => {
      const created = await route('crud', { authType: 'header', authHeader: 'X-API-Key', authSecret: 'key-123' });
      expect(created).toMatchObject({ subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: 'crud', authType: 'header', authHeader: 'X-API-Key', hasSecret: true, enabled: true, timeoutMs: 2000 });
      expect(JSON.stringify(created)).not.toContain('key-123');
      const list = await http(h.url, 'GET', '/api/admin/request-out/routes', { token: ADMIN });
      expect(list.json.items.some((r: any) => r.id === created.id)).toBe(true);
      expect(JSON.stringify(list.json)).not.toContain(UPSTREAM_TOKEN);
      expect((await http(h.url, 'GET', `/api/admin/request-out/routes/${created.id}`, { token: ADMIN })).json.name).toBe('test crud');
      const changed = await http(h.url, 'PATCH', `/api/admin/request-out/routes/${created.id}`, { token: ADMIN, body: { name: 'renamed', timeoutMs: 5000 } });
      expect(changed.json).toMatchObject({ name: 'renamed', timeoutMs: 5000, authType: 'header' });
      const dup = await http(h.url, 'POST', '/api/admin/request-out/routes', { token: ADMIN, body: { subject: 'DIGITALID', subjectType: 'enrollment', subjectIdentifier: 'crud', name: 'dup', upstreamUrl: sim.url } });
      expect(dup.status).toBe(409);
      expect((await http(h.url, 'DELETE', `/api/admin/request-out/routes/${created.id}`, { token: ADMIN })).json).toEqual({ message: 'route deleted' });
      expect((await http(h.url, 'GET', `/api/admin/request-out/routes/${created.id}`, { token: ADMIN })).status).toBe(404);
    });

    test('refuses bad routes with a message naming the field', async () => {
      const base = { subject: 's', subjectType: 't', subjectIdentifier: 'i', name: 'n', upstreamUrl: 'https://upstream.example/x' };
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ ...base, subject: '' }, /subject/],
        [{ ...base, upstreamUrl: 'ftp://x' }, /upstreamUrl/],
        [{ ...base, upstreamUrl: 'https://user:pw@upstream.example' }, /upstreamUrl/],
        [{ ...base, authType: 'magic' }, /authType/],
        [{ ...base, authType: 'bearer' }, /authSecret/],
        [{ ...base, authType: 'basic', authSecret: 'nocolon' }, /authSecret/],
        [{ ...base, authType: 'header', authSecret: 'k' }, /authHeader/],
        [{ ...base, timeoutMs: 5 }, /timeoutMs/],
        [{ ...base, enabled: 'yes' }, /enabled/],
      ];
      for (const [b, message] of cases) {
        const r = await http(h.url, 'POST', '/api/admin/request-out/routes', { token: ADMIN, body: b });
        expect(`${JSON.stringify(b)} ${r.status}`).toBe(`${JSON.stringify(b)} 400`);
        expect(r.json.message).toMatch(message);
      }
    });

    test('shows a ticket with its state', async () => {
      await route('show');
      const t = ticket('show');
      await settled(body(t, 'show'));
      const r = await http(h.url, 'GET', `/api/admin/request-out/tickets/${t}`, { token: ADMIN });
      expect(r.json).toMatchObject({ ticketId: t, userId: DEMO_USER.id, status: 'SUCCEEDED', attempts: 1, upstreamStatus: 200, error: null, dataErasedAt: null, requeues: 0 });
    });
  });
});
