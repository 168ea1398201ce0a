// Health, readiness, Prometheus metrics and the request id that follows a booking into its jobs,
// through the real app on loopback (real Agenda worker, Maconomy simulator, SMTP server).
import { testDatabaseKinds } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until } from '../support/wait.js';
import { sample } from '../support/prometheus.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { CoursesDocument, ReserveSeatsDocument, CheckoutDocument } from '../generated/graphql.js';
import { Order } from '../../src/booking/entities.js';

describe.each(testDatabaseKinds())('health, readiness and metrics on %s', (kind) => {
  let h: Harness;
  let smtp: Inbox;
  const logLines: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startHarness(kind, {
      worker: true,
      env: { SMTP_URL: smtp.url },
      build: { logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });

  it('answers /healthz, and /readyz with every dependency and the worker checked', async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', jobStore: 'ok', mail: 'ok', worker: 'ok' },
      // The storefront's Maconomy circuit breaker (shown; an open one does not make the instance unready).
      breakers: { maconomy: { state: 'closed', consecutiveFailures: 0 } },
    });
  });

  it('counts GraphQL operations, seat holds, Maconomy calls, HTTP latency and job runs', async () => {
    const node = (await h.gql(CoursesDocument, { first: 1, filter: { onlyAvailable: true } })).data!.courses.edges[0]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 3);
    const held = await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 2 } });
    expect(held.errors).toBeUndefined();
    const soldOut = await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 2 } });
    expect(soldOut.errors?.[0]?.extensions?.code).toBe('SOLD_OUT');
    const { order, orderToken } = held.data!.reserveSeats;
    const checkout = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: person(0, '-m'), participants: [person(1, '-m'), person(2, '-m')] } });
    expect(checkout.errors).toBeUndefined();
    await until('SYNCED', async () => (await h.db.em().findOne(Order, { id: order.id }))?.status === 'SYNCED');
    // The job goes on after recording SYNCED (the date's fresh count, the confirmation mails).
    await until('sync-order run counted', async () => sample(await (await fetch(`${h.url}/metrics`)).text(), 'kursus_job_runs_total', { job: 'sync-order', outcome: 'success' }) !== undefined);

    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'kursus_graphql_operations_total', { operation: 'ReserveSeats', type: 'mutation', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'kursus_graphql_operations_total', { operation: 'ReserveSeats', type: 'mutation', outcome: 'SOLD_OUT' })).toBe(1);
    expect(sample(text, 'kursus_graphql_operations_total', { operation: 'Checkout', type: 'mutation', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'kursus_seat_hold_requests_total', { outcome: 'held' })).toBe(1);
    expect(sample(text, 'kursus_seat_hold_requests_total', { outcome: 'SOLD_OUT' })).toBe(1);
    expect(sample(text, 'kursus_seats_reserved_total')).toBe(2);
    expect(sample(text, 'kursus_maconomy_request_duration_seconds_count', { method: 'GET', endpoint: '/api/course/:id', outcome: '200' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'kursus_maconomy_request_duration_seconds_count', { method: 'POST', endpoint: '/api/webparticipant', outcome: '201' })).toBe(2);
    // The same attempts in the metric every upstream client feeds (src/http/upstream.ts).
    expect(sample(text, 'kursus_upstream_request_duration_seconds_count', { upstream: 'maconomy', method: 'POST', outcome: '201' })).toBe(2);
    expect(sample(text, 'kursus_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status_code: '200' })).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'kursus_job_runs_total', { job: 'sync-order', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    // No ids or personal data in label values.
    expect(text).not.toContain(order.id);
    expect(text).not.toContain('@example.dk');
  });

  it('shows seats held now as a gauge read at scrape time', async () => {
    const node = (await h.gql(CoursesDocument, { first: 1, after: null, filter: { onlyAvailable: true, search: '' } })).data!.courses.edges[0]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 10);
    const before = sample(await (await fetch(`${h.url}/metrics`)).text(), 'kursus_seats_held', { status: 'RESERVED' }) ?? 0;
    expect((await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 3 } })).errors).toBeUndefined();
    const after = sample(await (await fetch(`${h.url}/metrics`)).text(), 'kursus_seats_held', { status: 'RESERVED' });
    expect(after).toBe(before + 3);
  });

  it('carries the request id of a checkout into the logs of its sync and mail jobs, without personal data', async () => {
    const requestId = `checkout-${Date.now()}-trace`;
    const node = (await h.gql(CoursesDocument, { first: 2, filter: { onlyAvailable: true } })).data!.courses.edges[1]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 10);
    const { order, orderToken } = (await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 1 } })).data!.reserveSeats;
    const res = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({
        query: 'mutation($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }',
        variables: { input: { orderId: order.id, orderToken, booker: person(0, '-trace'), participants: [person(1, '-trace')] } },
      }),
    });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    expect(((await res.json()) as any).data.checkout.order.status).toBe('PLACED');
    await until('SYNCED', async () => (await h.db.em().findOne(Order, { id: order.id }))?.status === 'SYNCED');
    const lines = await until('job log lines with the request id', () => {
      const mine = logLines.map((l) => JSON.parse(l)).filter((l) => l.requestId === requestId && l.job);
      const jobs = new Set(mine.map((l) => l.job));
      return jobs.has('sync-order') && jobs.has('send-order-confirmation') ? mine : null;
    });
    expect(lines.every((l) => l.orderId === undefined || l.orderId === order.id)).toBe(true);
    // The reservation, an earlier request with its own id, is tied to the same booking by the order id.
    const parsed = logLines.map((l) => JSON.parse(l));
    expect(parsed.some((l) => l.msg === 'seats reserved' && l.orderId === order.id && l.reqId)).toBe(true);
    expect(parsed.some((l) => l.msg === 'order checked out' && l.orderId === order.id && l.requestId === requestId)).toBe(true);
    expect(logLines.some((l) => l.includes(requestId) && l.includes('"reqId"'))).toBe(true);
    expect(logLines.join('\n')).not.toContain('deltager1-trace@example.dk');
    expect(logLines.join('\n')).not.toContain(orderToken);
  });

  it('replaces a caller request id that is unsafe to log', async () => {
    const res = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'bad id with "quotes" and spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts failures too: Maconomy timeouts and 5xx, UPSTREAM_UNAVAILABLE answers, failed job runs', async () => {
    const scrape = async () => (await fetch(`${h.url}/metrics`)).text();
    const before = await scrape();
    const node = (await h.gql(CoursesDocument, { first: 3, filter: { onlyAvailable: true } })).data!.courses.edges[2]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 10);

    // Every attempt of the seat look-up hangs past MACONOMY_TIMEOUT_MS.
    h.sim.faults.hangNext(5, { path: '/api/course/' });
    const down = await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 1 } });
    expect(down.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.faults.clear();

    // A checkout whose first sync attempt gets a 502: the job run fails and is retried.
    const { order, orderToken } = (await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 1 } })).data!.reserveSeats;
    h.sim.faults.failNext(1, { path: '/api/webparticipant', status: 502 });
    expect((await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: person(0, '-fail'), participants: [person(1, '-fail')] } })).errors).toBeUndefined();
    await until('SYNCED after a failed attempt', async () => (await h.db.em().findOne(Order, { id: order.id }))?.status === 'SYNCED', 30_000);

    const after = await scrape();
    const grew = (name: string, labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(grew('kursus_maconomy_request_duration_seconds_count', { method: 'GET', endpoint: '/api/course/:id', outcome: 'timeout' })).toBeGreaterThanOrEqual(1);
    expect(grew('kursus_maconomy_request_duration_seconds_count', { method: 'POST', endpoint: '/api/webparticipant', outcome: '502' })).toBe(1);
    expect(grew('kursus_graphql_operations_total', { operation: 'ReserveSeats', type: 'mutation', outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(grew('kursus_seat_hold_requests_total', { outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(grew('kursus_job_runs_total', { job: 'sync-order', outcome: 'failure' })).toBe(1);
    expect(grew('kursus_job_runs_total', { job: 'sync-order', outcome: 'success' })).toBeGreaterThanOrEqual(1);
  });

  it('is not ready when the worker of this process has stopped', async () => {
    await h.kursus.jobs.stop();
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).checks.worker).toBe('not running');
  });
});

describe('readiness with mail down (sqlite)', () => {
  it('answers 503 naming the mail check while SMTP is unreachable, and 200 once it is back', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const h = await startHarness('sqlite', { env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const down = await fetch(`${h.url}/readyz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as any;
      expect(body.checks).toMatchObject({ database: 'ok', jobStore: 'ok', mail: expect.stringMatching(/^unreachable/) });
      const smtp = await startSmtp(port);
      try {
        const up = await fetch(`${h.url}/readyz`);
        expect(up.status).toBe(200);
      } finally {
        await smtp.close();
      }
    } finally {
      await h.close();
    }
  });
});
