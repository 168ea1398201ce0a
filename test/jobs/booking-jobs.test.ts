// The jobs after a booking, run by the real Agenda on the SQL store, against the Maconomy
// simulator and a real SMTP server: sync-order exactly once, confirmations once, retries, failure
// handling, schedules in the configured time zone, expiry and GDPR cleanup.
import { testDatabaseKinds } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until } from '../support/wait.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { CoursesDocument, ReserveSeatsDocument, CheckoutDocument, OrderDocument } from '../generated/graphql.js';
import { Order } from '../../src/booking/entities.js';
import { syncOrder, externalRef } from '../../src/booking/sync.js';
import { clearReservations, gdprCleanup } from '../../src/booking/housekeeping.js';
import { MailMessage } from '../../src/mail/entities.js';
import { JOBS, SYNC_DELAY_MS } from '../../src/jobs/registry.js';
import { AgendaJob } from '../../src/jobs/entities.js';


const ADMIN = { authorization: 'Bearer admin-secret' };

describe.each(testDatabaseKinds())('booking jobs on %s', (kind) => {
  let h: Harness;
  let smtp: Inbox;

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startHarness(kind, {
      worker: true,
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, OPS_EMAIL: 'drift@example.dk', SYNC_ATTEMPTS: '2', MACONOMY_TIMEOUT_MS: '400' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });
  afterEach(() => h.sim.faults.clear());

  async function placeOrder(seats: number, skip = 0) {
    const node = (await h.gql(CoursesDocument, { first: 1 + skip, filter: { onlyAvailable: true } })).data!.courses.edges[skip]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 10);
    const { order, orderToken } = (await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats } })).data!.reserveSeats;
    const participants = Array.from({ length: seats }, (_, i) => person(i + 1, `-${order.id.slice(0, 6)}`));
    const r = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: person(0, `-${order.id.slice(0, 6)}`), participants } });
    expect(r.errors).toBeUndefined();
    return { orderId: order.id, orderToken, maconomyId: node.maconomyId, courseId: node.id };
  }

  it('syncs a placed order to Maconomy about a second after checkout; the booker gets "received" at once, and booker and participants are confirmed once Maconomy accepted', async () => {
    const placedAt = Date.now();
    const o = await placeOrder(2);
    // The job row was committed with the order, in the same transaction.
    const jobs = await h.kursus.jobs.agenda.queryJobs({ name: JOBS.syncOrder, data: { orderId: o.orderId } });
    expect(jobs.total).toBe(1);
    // Scheduled SYNC_DELAY_MS after the checkout committed, not run inside the request.
    const runAt = new Date(jobs.jobs[0]!.nextRunAt!).getTime();
    expect(runAt - placedAt).toBeGreaterThanOrEqual(SYNC_DELAY_MS);
    expect(runAt - Date.now()).toBeLessThanOrEqual(SYNC_DELAY_MS);
    const synced = await until('SYNCED', async () => {
      const r = await h.gql(OrderDocument, { id: o.orderId, token: o.orderToken });
      return r.data?.order?.status === 'SYNCED' ? r.data.order : null;
    });
    expect(synced.participants).toHaveLength(2);
    const inMaconomy = h.sim.state.participants(o.maconomyId).filter((p) => p.external_ref.startsWith(o.orderId));
    expect(inMaconomy.map((p) => p.external_ref).sort()).toEqual([externalRef(o.orderId, 1), externalRef(o.orderId, 2)]);

    const confirmations = (list: typeof smtp.received) => list.filter((m) => m.text?.includes(o.orderId) && /^Bekræftelse: /.test(m.subject ?? ''));
    const mails = await until('3 confirmation mails', async () => {
      const mine = confirmations(smtp.received);
      return mine.length >= 3 ? mine : null;
    });
    await new Promise((r) => setTimeout(r, 500));
    const mine = smtp.received.filter((m) => m.text?.includes(o.orderId));
    // One "booking received" to the booker (at checkout), then one confirmation each: 4 in all, none twice.
    expect(mine).toHaveLength(4);
    expect(mine.filter((m) => /^Vi har modtaget din bestilling: /.test(m.subject ?? ''))).toHaveLength(1);
    expect(confirmations(mine)).toHaveLength(3);
    const to = mails.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]!.address).sort();
    expect(to).toEqual([`deltager0-${o.orderId.slice(0, 6)}@example.dk`, `deltager1-${o.orderId.slice(0, 6)}@example.dk`, `deltager2-${o.orderId.slice(0, 6)}@example.dk`]);
    expect(mails[0]!.subject).toMatch(/^Bekræftelse: /);
    expect(mails.some((m) => /Pris pr\. deltager/.test(m.text ?? ''))).toBe(true);
  });

  /** Participant records Maconomy holds per external reference of this order (a duplicate counts twice). */
  const recordsPerRef = (maconomyId: string, orderId: string) => {
    const counts: Record<string, number> = {};
    for (const p of h.sim.state.participants(maconomyId)) if (p.external_ref.startsWith(`${orderId}:`)) counts[p.external_ref] = (counts[p.external_ref] ?? 0) + 1;
    return counts;
  };

  it('creates each participant once when Maconomy times out after accepting one', async () => {
    // A Maconomy that does not refuse a repeated external_ref: a second POST would be a second participant.
    h.sim.faults.dedupeExternalRef = false;
    const o = await placeOrder(2, 1);
    // This test runs the sync itself: the job checkout queued (due in a second) is removed.
    await h.kursus.jobs.agenda.cancel({ name: JOBS.syncOrder, data: { orderId: o.orderId } });
    h.sim.faults.acceptThenHangNext(1);
    await expect(syncOrder({ db: h.db, maconomy: h.kursus.maconomy }, o.orderId)).rejects.toMatchObject({ ambiguous: true });
    expect(recordsPerRef(o.maconomyId, o.orderId)).toEqual({ [externalRef(o.orderId, 1)]: 1 });
    const posts = h.sim.state.requestCount('/api/webparticipant');
    const second = await syncOrder({ db: h.db, maconomy: h.kursus.maconomy }, o.orderId);
    expect(second).toEqual({ status: 'synced', created: 1, adopted: 1 });
    // Only participant 2 was sent again; participant 1 was read back from /api/participant/{id}.
    expect(h.sim.state.requestCount('/api/webparticipant') - posts).toBe(1);
    expect(recordsPerRef(o.maconomyId, o.orderId)).toEqual({ [externalRef(o.orderId, 1)]: 1, [externalRef(o.orderId, 2)]: 1 });
    expect(await syncOrder({ db: h.db, maconomy: h.kursus.maconomy }, o.orderId)).toEqual({ status: 'already-synced' });
  });

  it('adopts what a worker killed mid-sync had created, instead of creating it again', async () => {
    h.sim.faults.dedupeExternalRef = false;
    const o = await placeOrder(3, 2);
    // Hold the order's job (due in a second) while the dead worker's trace is set up.
    await h.kursus.jobs.agenda.disable({ name: JOBS.syncOrder, data: { orderId: o.orderId } });
    // A worker created participant 1 in Maconomy and died before recording it.
    await h.db.em().nativeUpdate(Order, { id: o.orderId }, { syncAttempts: 1 });
    const res = await fetch(`${h.sim.url}/api/webparticipant`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-maconomy-token', 'content-type': 'application/json' },
      body: JSON.stringify({ course_no: o.maconomyId, external_ref: externalRef(o.orderId, 1), first_name: 'Deltager1', last_name: 'Hansen', email: 'x@example.dk' }),
    });
    expect(res.status).toBe(201);
    await h.kursus.jobs.agenda.enable({ name: JOBS.syncOrder, data: { orderId: o.orderId } });
    await until('SYNCED', async () => (await h.db.em().findOne(Order, { id: o.orderId }))?.status === 'SYNCED');
    expect(recordsPerRef(o.maconomyId, o.orderId)).toEqual(Object.fromEntries([1, 2, 3].map((i) => [externalRef(o.orderId, i), 1])));
  });

  it('marks the order SYNC_FAILED after the last attempt, alerts operators, and an admin retry syncs it', async () => {
    h.sim.faults.failNext(1000, { status: 503, path: '/api/webparticipant' });
    const o = await placeOrder(1, 3);
    const failed = await until('SYNC_FAILED', async () => {
      const order = await h.db.em().findOne(Order, { id: o.orderId });
      return order?.status === 'SYNC_FAILED' ? order : null;
    }, 30_000);
    expect(failed.lastSyncError).toMatch(/503|Maconomy/);
    // Operators see the failed job with its error and attempts, and it is counted in the overview.
    const failedJobs = await h.raw({ query: '{ jobs(name: "sync-order", state: "failed") { id name state failCount failReason nextRunAt data } }' }, ADMIN);
    expect(failedJobs.json.errors).toBeUndefined();
    const mine = failedJobs.json.data.jobs.filter((j: any) => j.data?.orderId === o.orderId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ name: JOBS.syncOrder, state: 'failed', failCount: 2, nextRunAt: null });
    expect(mine[0].failReason).toMatch(/503/);
    const overview = await h.raw({ query: '{ jobOverview { name total running queued scheduled failed completed } }' }, ADMIN);
    expect(overview.json.errors).toBeUndefined();
    const syncRow = overview.json.data.jobOverview.find((x: any) => x.name === JOBS.syncOrder);
    expect(syncRow.failed).toBe(failedJobs.json.data.jobs.length);
    expect(syncRow.total).toBe((await h.kursus.jobs.agenda.queryJobs({ name: JOBS.syncOrder })).total);
    expect(syncRow.total).toBe(syncRow.running + syncRow.queued + syncRow.scheduled + syncRow.failed + syncRow.completed);
    const names = overview.json.data.jobOverview.map((x: any) => x.name);
    for (const name of [JOBS.gdprCleanup, JOBS.sendParticipantList, JOBS.syncPendingOrders]) expect(names).toContain(name);
    const alert = await until('operator alert', async () => smtp.received.find((m) => m.subject === '[Kursus] En ordre kunne ikke sendes til Maconomy' && m.text?.includes(o.orderId)));
    expect((Array.isArray(alert.to) ? alert.to[0] : alert.to)!.value[0]!.address).toBe('drift@example.dk');
    // Its seats stay held meanwhile.
    h.sim.faults.clear();
    const retry = await h.raw({ query: 'mutation($id: ID!) { retryOrderSync(orderId: $id) }', variables: { id: o.orderId } }, ADMIN);
    expect(retry.json.data.retryOrderSync).toBe(true);
    await until('SYNCED after retry', async () => (await h.db.em().findOne(Order, { id: o.orderId }))?.status === 'SYNCED');
    expect((await h.gql(OrderDocument, { id: o.orderId, token: o.orderToken })).data?.order?.status).toBe('SYNCED');
    expect(h.sim.state.participants(o.maconomyId).filter((p) => p.external_ref.startsWith(o.orderId))).toHaveLength(1);
    const denied = await h.raw({ query: 'mutation($id: ID!) { retryOrderSync(orderId: $id) }', variables: { id: o.orderId } }, { authorization: 'Bearer editor-secret-1' });
    expect(denied.json.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('refuses the job operations without an admin token, and changes nothing', async () => {
    const o = await placeOrder(1, 3);
    await until('SYNCED', async () => (await h.db.em().findOne(Order, { id: o.orderId }))?.status === 'SYNCED');
    const jobsBefore = (await h.kursus.jobs.agenda.queryJobs({})).total;
    const operations = [
      { query: '{ jobOverview { name total } }' },
      { query: '{ jobs(state: "failed") { id failReason } }' },
      { query: 'mutation { runJob(name: "import-courses") }' },
      { query: 'mutation($id: ID!) { retryOrderSync(orderId: $id) }', variables: { id: o.orderId } },
    ];
    const callers: [string, Record<string, string>, string][] = [
      ['no token', {}, 'UNAUTHENTICATED'],
      ['an unknown token', { authorization: 'Bearer not-a-token' }, 'UNAUTHENTICATED'],
      ['an editor token', { authorization: 'Bearer editor-secret-1' }, 'FORBIDDEN'],
    ];
    for (const op of operations)
      for (const [who, headers, code] of callers) {
        const r = await h.raw(op, headers);
        expect({ op: op.query, who, code: r.json.errors?.[0]?.extensions?.code, data: r.json.data }).toEqual({ op: op.query, who, code, data: null });
      }
    expect((await h.kursus.jobs.agenda.queryJobs({})).total).toBe(jobsBefore);
    expect(await syncJobs(o.orderId)).toHaveLength(1);
  });

  /** Runs sync-pending-orders through the admin mutation and waits until that run has finished. */
  async function runSyncPendingOrders() {
    const before = new Set((await h.kursus.jobs.agenda.queryJobs({ name: JOBS.syncPendingOrders })).jobs.map((j) => String(j._id)));
    const r = await h.raw({ query: 'mutation { runJob(name: "sync-pending-orders") }' }, ADMIN);
    expect(r.json.data.runJob).toBe(true);
    await until('sync-pending-orders run finished', async () => {
      const { jobs } = await h.kursus.jobs.agenda.queryJobs({ name: JOBS.syncPendingOrders });
      return jobs.some((j) => !before.has(String(j._id)) && j.lastFinishedAt && !j.lockedAt);
    });
  }
  const syncJobs = async (orderId: string) => (await h.kursus.jobs.agenda.queryJobs({ name: JOBS.syncOrder, data: { orderId } })).jobs;
  const placedLongAgo = (orderId: string) => h.db.em().nativeUpdate(Order, { id: orderId }, { placedAt: new Date(Date.now() - 5 * 60_000) });

  it('sync-pending-orders gives a placed order whose job went missing a new one, and leaves an order with a waiting job alone', async () => {
    const lost = await placeOrder(1, 0);
    await h.kursus.jobs.agenda.cancel({ name: JOBS.syncOrder, data: { orderId: lost.orderId } }); // e.g. MongoDB store: crash between commit and schedule
    const waiting = await placeOrder(1, 1);
    // Its job waits for a retry an hour from now (backoff).
    const [waitingJob] = await syncJobs(waiting.orderId);
    await h.db.em().nativeUpdate(AgendaJob, { id: String(waitingJob!._id) }, { nextRunAt: new Date(Date.now() + 3600_000) });
    await placedLongAgo(lost.orderId);
    await placedLongAgo(waiting.orderId);
    expect(await syncJobs(lost.orderId)).toHaveLength(0);

    await runSyncPendingOrders();
    await until('lost order SYNCED', async () => (await h.db.em().findOne(Order, { id: lost.orderId }))?.status === 'SYNCED');
    expect(recordsPerRef(lost.maconomyId, lost.orderId)).toEqual({ [externalRef(lost.orderId, 1)]: 1 });
    const stillWaiting = await syncJobs(waiting.orderId);
    expect(stillWaiting.map((j) => String(j._id))).toEqual([String(waitingJob!._id)]);
    expect((await h.db.em().findOneOrFail(Order, { id: waiting.orderId })).status).toBe('PLACED');
    // A second run does not add one either.
    await runSyncPendingOrders();
    expect(await syncJobs(waiting.orderId)).toHaveLength(1);
    expect(await syncJobs(lost.orderId)).toHaveLength(1);
    // Let the waiting one run now, so it does not linger.
    await h.db.em().nativeUpdate(AgendaJob, { id: String(waitingJob!._id) }, { nextRunAt: new Date() });
    await until('waiting order SYNCED', async () => (await h.db.em().findOne(Order, { id: waiting.orderId }))?.status === 'SYNCED');
  });

  it('sync-pending-orders gives up an order whose last attempt failed in a worker that died before giving up: SYNC_FAILED and one operator mail, no new round', async () => {
    const o = await placeOrder(1, 2);
    await h.kursus.jobs.agenda.cancel({ name: JOBS.syncOrder, data: { orderId: o.orderId } });
    // What the dead worker left: both attempts (SYNC_ATTEMPTS=2) counted on the order, the job
    // failed for good (no next run), and the retry-exhausted handler never ran.
    // Written in that final state at once: a job row inserted due and updated afterwards could be
    // picked up by the running worker in between (it was, on a busy MySQL).
    const failedAt = new Date(Date.now() - 4 * 60_000);
    const em = h.db.em();
    const dead = em.create(AgendaJob, { name: JOBS.syncOrder, data: { orderId: o.orderId }, nextRunAt: null, lastRunAt: failedAt, lastFinishedAt: failedAt, failedAt, failCount: 2, failReason: 'Maconomy /api/webparticipant answered 503' });
    await em.flush();
    const jobId = dead.id;
    await h.db.em().nativeUpdate(Order, { id: o.orderId }, { syncAttempts: 2, lastSyncError: 'Maconomy /api/webparticipant answered 503' });
    await placedLongAgo(o.orderId);

    await runSyncPendingOrders();
    const order = await h.db.em().findOneOrFail(Order, { id: o.orderId });
    expect(order.status).toBe('SYNC_FAILED');
    expect(order.lastSyncError).toMatch(/503/);
    // No new round of attempts: the only sync-order job is the failed one.
    expect((await syncJobs(o.orderId)).map((j) => String(j._id))).toEqual([jobId]);
    expect(recordsPerRef(o.maconomyId, o.orderId)).toEqual({});
    const alert = await until('operator alert', () => smtp.to('drift@example.dk').find((m) => m.text?.includes(o.orderId)));
    expect(alert.text).toMatch(/503/);
    // Running it again changes nothing and mails nobody again.
    await runSyncPendingOrders();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to('drift@example.dk').filter((m) => m.text?.includes(o.orderId))).toHaveLength(1);
    expect(await syncJobs(o.orderId)).toHaveLength(1);
  });

  it('schedules the recurring jobs at their contract times in Europe/Copenhagen', async () => {
    const r = await h.raw({ query: '{ jobs(state: "repeating", limit: 50) { name nextRunAt repeatInterval } }' }, ADMIN);
    expect(r.json.errors).toBeUndefined();
    const byName = new Map<string, { nextRunAt: string; repeatInterval: string }>(r.json.data.jobs.map((j: any) => [j.name, j]));
    const local = (iso: string) =>
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    expect(local(byName.get(JOBS.gdprCleanup)!.nextRunAt)).toBe('04:00');
    expect(local(byName.get(JOBS.sendParticipantList)!.nextRunAt)).toBe('07:00');
    expect(local(byName.get(JOBS.importCourses)!.nextRunAt)).toMatch(/:00$/);
    expect(new Date(byName.get(JOBS.clearReservations)!.nextRunAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(new Date(byName.get(JOBS.gdprCleanup)!.nextRunAt).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    for (const name of [JOBS.importCourses, JOBS.clearReservations, JOBS.gdprCleanup, JOBS.sendParticipantList, JOBS.syncPendingOrders]) expect(byName.has(name)).toBe(true);
  });

  it('expires holds past their time and releases the seats', async () => {
    const node = (await h.gql(CoursesDocument, { first: 1, filter: { onlyAvailable: true } })).data!.courses.edges[0]!.node;
    const { order } = (await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 1 } })).data!.reserveSeats;
    expect((await clearReservations(h.db, new Date())).expired).toBe(0);
    const r = await clearReservations(h.db, new Date(Date.now() + 21 * 60_000));
    expect(r.expired).toBeGreaterThanOrEqual(1);
    expect((await h.db.em().findOneOrFail(Order, { id: order.id })).status).toBe('EXPIRED');
  });

  it('anonymises old orders and deletes expired ones, in batches, keeping counts', async () => {
    const o = await placeOrder(1, 4);
    await until('SYNCED', async () => (await h.db.em().findOne(Order, { id: o.orderId }))?.status === 'SYNCED');
    // The confirmations follow the sync (a job of their own): all three mails of the order in the
    // outbox before the cleanup, or one written after it would survive it (a race of this test's, not
    // of production's, where the cleanup comes two years after the course).
    await until('the order\'s three mails', async () => (await h.db.em().count(MailMessage, { orderId: o.orderId })) >= 3);
    // Pretend the course ended long ago.
    const far = new Date(Date.now() + 800 * 86_400_000);
    const result = await gdprCleanup(h.db, { retentionDays: 730, now: far, batchSize: 2 });
    expect(result.anonymisedOrders).toBeGreaterThanOrEqual(1);
    expect(result.deletedOrders).toBeGreaterThanOrEqual(1);
    const order = await h.db.em().findOneOrFail(Order, { id: o.orderId }, { populate: ['participants'] });
    expect(order.bookerEmail).toBeNull();
    expect(order.anonymisedAt).not.toBeNull();
    expect(order.participants.getItems().every((p) => p.email === 'anonymised@invalid')).toBe(true);
    expect(await h.db.em().count(MailMessage, { orderId: o.orderId })).toBe(0);
    expect(await h.db.em().count(Order, { status: { $in: ['EXPIRED', 'CANCELLED'] } })).toBe(0);
    const again = await gdprCleanup(h.db, { retentionDays: 730, now: far });
    expect(again.anonymisedOrders + again.deletedOrders).toBe(0);
  });
});
