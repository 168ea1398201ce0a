// Faults of the systems around the product, in-process: Maconomy slow, down, answering 5xx or
// malformed JSON (reservations fail cleanly with UPSTREAM_UNAVAILABLE and hold nothing; syncs
// retry and land once), and SMTP down then back (each confirmation goes out exactly once).
// Each test ends with the ledger check of ledger.ts.
import { testDatabaseKinds } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until } from '../support/wait.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { Order } from '../../src/booking/entities.js';
import { post, rowCounts } from '../hostile/support.js';
import { expectLedger } from './ledger.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';
const CHECKOUT = 'mutation C($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';
const ADMIN = { authorization: 'Bearer admin-secret' };

describe.each(testDatabaseKinds())('Maconomy and SMTP faults on %s', (kind) => {
  let h: Harness;
  let smtp: Inbox;
  let smtpPort: number;
  let clockOffsetMs = 0;
  let url: string;
  let course: { id: string; maconomyId: string };

  beforeAll(async () => {
    smtp = await startSmtp();
    smtpPort = smtp.port;
    h = await startHarness(kind, {
      worker: true,
      env: { SMTP_URL: smtp.url, MACONOMY_TIMEOUT_MS: '300', MACONOMY_RETRIES: '1', SYNC_ATTEMPTS: '8' },
      build: { now: () => new Date(Date.now() + clockOffsetMs) },
    });
    url = `${h.url}/graphql`;
    course = (await post(url, { query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges[0].node;
    h.sim.state.setFreeSeats(course.maconomyId, 40);
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });
  afterEach(() => {
    h.sim.faults.clear();
    clockOffsetMs = 0;
  });

  const reserve = async (seats: number) => post(url, { query: RESERVE, variables: { input: { courseId: course.id, seats } } });

  it.each([
    ['slow (beyond MACONOMY_TIMEOUT_MS)', () => (h.sim.faults.latencyMs = 1_000)],
    ['down (every request refused with 503)', () => h.sim.faults.failNext(100, { status: 503 })],
    ['answering 500', () => h.sim.faults.failNext(100, { status: 500 })],
    ['answering malformed JSON', () => h.sim.faults.malformedNext(100, { raw: '{"free_seats": ' })],
    ['answering JSON of the wrong shape', () => h.sim.faults.malformedNext(100)],
  ])('Maconomy %s: reservations fail with UPSTREAM_UNAVAILABLE and hold nothing; it works again afterwards', async (_name, inject) => {
    const before = await rowCounts(h.db);
    inject();
    const r = await reserve(1);
    expect(r.status).toBeLessThan(500);
    expect(r.json.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.json.errors[0].message).toMatch(/Maconomy/);
    expect(await rowCounts(h.db)).toEqual(before);
    h.sim.faults.clear();
    const ok = await reserve(1);
    expect(ok.json.errors).toBeUndefined();
    await expectLedger(h.db, { confirmed: new Map([[ok.json.data.reserveSeats.order.id, 1]]), maconomyParticipants: h.sim.state.participants(course.maconomyId) });
  });

  it('syncs orders placed while Maconomy answers 5xx, slowly and malformed, each participant exactly once', async () => {
    const placed: { id: string; seats: number; token: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const r = (await reserve(2)).json.data.reserveSeats;
      placed.push({ id: r.order.id, seats: 2, token: r.orderToken });
    }
    // A Maconomy that does not refuse a repeated external_ref: a participant sent twice would be
    // stored twice, so the ledger's duplicate check can fail.
    h.sim.faults.dedupeExternalRef = false;
    // Writes fail in three different ways; the job retries with backoff (the clock is moved on).
    h.sim.faults.failNext(2, { status: 502, path: '/api/webparticipant' });
    h.sim.faults.malformedNext(1, { path: '/api/webparticipant' });
    h.sim.faults.acceptThenHangNext(1);
    for (const o of placed) {
      const c = await post(url, { query: CHECKOUT, variables: { input: { orderId: o.id, orderToken: o.token, booker: person(0, `-f${o.id.slice(0, 4)}`), participants: [person(1, `-f${o.id.slice(0, 4)}`), person(2, `-f${o.id.slice(0, 4)}`)] } } });
      expect(c.json.data.checkout.order.status).toBe('PLACED');
    }
    await until('all SYNCED', async () => {
      clockOffsetMs += 60_000; // retries become due
      const n = await h.db.em().count(Order, { id: { $in: placed.map((o) => o.id) }, status: 'SYNCED' });
      return n === placed.length;
    }, 45_000);
    await expectLedger(h.db, {
      confirmed: new Map(placed.map((o) => [o.id, o.seats])),
      maconomyParticipants: h.sim.state.participants(course.maconomyId),
      synced: placed.map((o) => o.id),
    });
  });

  it('SMTP down at checkout, then back: every confirmation goes out exactly once', async () => {
    clockOffsetMs = 0; // jobs enqueued now must be due now
    await smtp.close(); // nothing listens on the port now
    const r = (await reserve(1)).json.data.reserveSeats;
    const tag = `-smtp${r.order.id.slice(0, 6)}`;
    const c = await post(url, { query: CHECKOUT, variables: { input: { orderId: r.order.id, orderToken: r.orderToken, booker: person(0, tag), participants: [person(1, tag)] } } });
    expect(c.json.data.checkout.order.status).toBe('PLACED');
    // The booker's "booking received" (at checkout) and, once the order was SYNCED, the two
    // confirmations: all queued, none sent.
    await until('mails waiting for a retry', async () => {
      const rows = await h.db.em().getConnection().execute<{ n: number | string }[]>(`select count(*) as n from mail_outbox where order_id = ? and status = 'RETRYING'`, [r.order.id]);
      return Number(rows[0]!.n) === 3;
    });
    smtp = await startSmtp(smtpPort);
    // Operators (or the every-minute job) deliver: run it several times, concurrently, after the retry is due.
    clockOffsetMs += 60 * 60_000;
    await Promise.all([1, 2, 3].map(() => post(url, { query: 'mutation { runJob(name: "deliver-mail") }' }, ADMIN)));
    const inbox = smtp;
    await until('all three mails', () => inbox.received.filter((m) => m.text?.includes(r.order.id)).length >= 3);
    await post(url, { query: 'mutation { runJob(name: "deliver-mail") }' }, ADMIN);
    await new Promise((res) => setTimeout(res, 500));
    expect(inbox.to(person(0, tag).email).filter((m) => /^(Vi har modtaget|We have received) /.test(m.subject ?? ''))).toHaveLength(1);
    await expectLedger(h.db, {
      confirmed: new Map([[r.order.id, 1]]),
      maconomyParticipants: h.sim.state.participants(course.maconomyId),
      // Exactly one confirmation each (and the booker's one "booking received", checked below).
      mailsTo: { recipients: [person(0, tag).email, person(1, tag).email], received: (a) => inbox.to(a).filter((m) => !/^(Vi har modtaget|We have received) /.test(m.subject ?? '')).length },
    });
  });
});
