// What the storefront shows and confirms is what Maconomy will honour (issue: ERP truth).
// Through the GraphQL API against the Maconomy simulator and a real SMTP server, on SQLite and
// MySQL: no seat freed twice when a sync lands beside a Maconomy look-up (forced interleaving, the
// sync run by a "worker" with its own database connections and its own Maconomy client), shown
// seats that follow Maconomy after our own syncs and after SOLD_OUT, checkout re-checked, mails
// only for accepted participants, drift found by reconcile-seats, and the smaller rules.
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { testDatabaseKinds } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until, sleep } from '../support/wait.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { CheckoutDocument, CoursesDocument, OrderDocument, ReserveSeatsDocument } from '../generated/graphql.js';
import { openDb, type Db } from '../../src/db/orm.js';
import { MaconomyClient } from '../../src/integrations/maconomy/index.js';
import { syncOrder } from '../../src/booking/sync.js';
import { CourseDate } from '../../src/catalog/entities.js';

const ADMIN = { authorization: 'Bearer admin-secret' };
// Ad-hoc operations of this suite (the typed ones come from test/graphql/operations.graphql).
const doc = (source: string) => parse(source) as TypedDocumentNode<any, Record<string, unknown>>;
const SEATS = doc('query S($id: ID) { course(id: $id) { seatsAvailable } }');
const AVAILABLE = doc('query A { courses(first: 100, filter: { onlyAvailable: true }) { edges { node { id } } } }');
const DRIFT = doc('query D($all: Boolean) { seatDrift(includeResolved: $all) { kind maconomyId maconomyFreeSeats heldHere expectedFreeSeats firstSeenAt lastSeenAt resolvedAt } }');
const RUN = doc('mutation R($name: String!) { runJob(name: $name) }');

describe.each(testDatabaseKinds())('ERP truth on %s', (kind) => {
  let h: Harness;
  let smtp: Inbox;
  let worker: { db: Db; maconomy: MaconomyClient };
  /** Runs between a reservation's Maconomy look-up and its locked count, once. */
  let betweenLookUpAndLock: (() => Promise<void>) | null = null;
  let skip = 0;

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startHarness(kind, {
      env: { SMTP_URL: smtp.url, OPS_EMAIL: 'ops@example.dk', SYNC_ATTEMPTS: '1', MACONOMY_SEAT_CACHE_MS: '2000', RECONCILE_DAYS: '3650' },
      build: {
        hooks: {
          async beforeLock() {
            const step = betweenLookUpAndLock;
            betweenLookUpAndLock = null;
            await step?.();
          },
        },
      },
    });
    // The worker's own connections and Maconomy client: nothing it caches is shared with the API.
    worker = { db: await openDb(h.config.database), maconomy: new MaconomyClient({ baseUrl: h.sim.url, token: 'demo-maconomy-token', retries: 0 }) };
  });
  afterAll(async () => {
    await worker?.db.close();
    await h?.close();
    await smtp?.close();
  });
  afterEach(() => h.sim.faults.clear());

  /** A fresh bookable date with `free` seats in Maconomy, as the storefront sees it. */
  async function dateWith(free: number) {
    const node = (await h.gql(CoursesDocument, { first: 50, filter: { onlyAvailable: true } })).data!.courses.edges[skip++]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, free);
    return { courseId: node.id, maconomyId: node.maconomyId };
  }
  const reserve = (courseId: string, seats: number, order?: { id: string; token: string }) =>
    h.gql(ReserveSeatsDocument, { input: { courseId, seats, ...(order ? { orderId: order.id, orderToken: order.token } : {}) } });
  async function reserved(courseId: string, seats: number) {
    const r = await reserve(courseId, seats);
    expect(r.errors).toBeUndefined();
    return { id: r.data!.reserveSeats.order.id, token: r.data!.reserveSeats.orderToken };
  }
  const checkout = (o: { id: string; token: string }, seats: number, participants: { firstName: string; lastName: string; email: string; company?: string | null }[] = Array.from({ length: seats }, (_, i) => person(i + 1, `-${o.id.slice(0, 6)}`))) =>
    h.gql(CheckoutDocument, { input: { orderId: o.id, orderToken: o.token, booker: { ...person(0, `-${o.id.slice(0, 6)}`), company: 'Booker A/S' }, participants } });
  const shown = async (courseId: string) => (await h.gql(SEATS, { id: courseId })).data!.course.seatsAvailable as number;
  const mailsOf = (orderId: string) => smtp.received.filter((m) => m.text?.includes(orderId));
  let workerStarted = false;
  const startWorker = async () => {
    if (!workerStarted) await h.kursus.startWorker();
    workerStarted = true;
  };
  const syncInWorker = (orderId: string) => syncOrder({ db: worker.db, maconomy: worker.maconomy, maxAttempts: 1 }, orderId);

  it('never frees synced seats twice: a sync committed between a look-up and its hold, and a cached answer after it', async () => {
    const d = await dateWith(2);
    const a = await reserved(d.courseId, 2);
    expect((await checkout(a, 2)).errors).toBeUndefined();
    // Past the 2 s in which a hold may reuse the checkout's answer: B asks Maconomy itself.
    await new Promise((r) => setTimeout(r, 2_100));
    // B asks Maconomy (2 free: A is not there yet); then, before B counts, the worker sends A.
    betweenLookUpAndLock = async () => {
      expect(await syncInWorker(a.id)).toMatchObject({ status: 'synced', created: 2 });
    };
    const b = await reserve(d.courseId, 1);
    expect(b.errors?.[0]?.extensions?.code).toBe('SOLD_OUT');
    // C within the cache's 2 s: B's answer (2 free) predates the sync, whose sequence every
    // process reads from the database (C's lock requires the answer's tag to be the date's
    // sequence), so C asks Maconomy again.
    const asked = h.sim.state.requestCount(`/api/course/${d.maconomyId}`);
    const c = await reserve(d.courseId, 1);
    expect(c.errors?.[0]?.extensions?.code).toBe('SOLD_OUT');
    expect(h.sim.state.requestCount(`/api/course/${d.maconomyId}`)).toBe(asked + 1);
    expect(h.sim.state.participants(d.maconomyId).filter((p) => p.external_ref.startsWith(a.id))).toHaveLength(2);
    expect(await shown(d.courseId)).toBe(0);
  });

  it('shows Maconomy\'s count minus live holds right after a sync, without an import, and drops a sold-out date from onlyAvailable', async () => {
    const d = await dateWith(10);
    const a = await reserved(d.courseId, 2);
    await checkout(a, 2);
    const live = await reserved(d.courseId, 3);
    expect(await shown(d.courseId)).toBe(10 - 2 - 3);
    await syncInWorker(a.id);
    // Maconomy now has 8 free; 3 are held here and unknown to it.
    await sleep(h.config.security.catalogCacheMs + 50);
    expect(await shown(d.courseId)).toBe(8 - 3);
    await h.gql(doc('mutation X($i: CancelReservationInput!) { cancelReservation(input: $i) { order { id } } }'), { i: { orderId: live.id, orderToken: live.token } });

    const small = await dateWith(2);
    const b = await reserved(small.courseId, 2);
    await checkout(b, 2);
    await syncInWorker(b.id);
    await sleep(h.config.security.catalogCacheMs + 50);
    expect(await shown(small.courseId)).toBe(0);
    const ids = (await h.gql(AVAILABLE, {})).data!.courses.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).not.toContain(small.courseId);
  });

  it('after SOLD_OUT shows what Maconomy just said', async () => {
    const d = await dateWith(10);
    await reserved(d.courseId, 4);
    h.sim.state.setFreeSeats(d.maconomyId, 5); // sold elsewhere: 5 free, 4 of them held here
    await sleep(2_100); // past MACONOMY_SEAT_CACHE_MS: the next hold asks Maconomy
    const r = await reserve(d.courseId, 2);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'SOLD_OUT', seatsAvailable: 1 });
    expect(await shown(d.courseId)).toBe(1);
  });

  it('re-checks Maconomy at checkout: SOLD_OUT with seatsAvailable, nothing placed or mailed, the hold kept; fewer seats then check out', async () => {
    const d = await dateWith(10);
    const o = await reserved(d.courseId, 4);
    h.sim.state.setFreeSeats(d.maconomyId, 3);
    const refused = await checkout(o, 4);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SOLD_OUT', seatsAvailable: 3 });
    const order = (await h.gql(OrderDocument, { id: o.id, token: o.token })).data!.order!;
    expect(order.status).toBe('RESERVED');
    expect(order.participants).toHaveLength(0);
    await sleep(300);
    expect(mailsOf(o.id)).toHaveLength(0);
    expect((await reserve(d.courseId, 3, o)).errors).toBeUndefined();
    expect((await checkout(o, 3)).data?.checkout.order.status).toBe('PLACED');
  });

  it('answers UPSTREAM_UNAVAILABLE at checkout when Maconomy cannot be asked, placing nothing', async () => {
    const d = await dateWith(10);
    const o = await reserved(d.courseId, 1);
    h.sim.faults.failNext(10);
    const r = await checkout(o, 1);
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await h.gql(OrderDocument, { id: o.id, token: o.token })).data!.order!.status).toBe('RESERVED');
  });

  it('confirms only participants Maconomy accepted; the booker is told who is not booked, ops is told, the order shows it', async () => {
    const d = await dateWith(10);
    const o = await reserved(d.courseId, 3);
    const participants = [person(1, `-${o.id.slice(0, 6)}`), { ...person(2, `-${o.id.slice(0, 6)}`), company: null }, person(3, `-${o.id.slice(0, 6)}`)];
    await startWorker();
    await checkout(o, 3, participants);
    h.sim.state.setFreeSeats(d.maconomyId, 1); // Maconomy sells the rest elsewhere before our sync (~1 s after checkout)
    const received = await until('booking received', () => mailsOf(o.id).find((m) => /modtaget/.test(m.subject ?? '')));
    expect(received.to && (Array.isArray(received.to) ? received.to[0] : received.to)!.value[0]!.address).toBe(person(0, `-${o.id.slice(0, 6)}`).email);
    const order = await until('PARTIALLY_SYNCED', async () => {
      const r = await h.gql(OrderDocument, { id: o.id, token: o.token });
      return r.data?.order?.status === 'PARTIALLY_SYNCED' ? r.data.order : null;
    });
    expect(order.syncedSeats).toBe(1);
    expect(order.participants.map((p) => p.maconomyState)).toEqual(['ACCEPTED', 'REFUSED', 'REFUSED']);
    const partial = await until('partial mail', () => mailsOf(o.id).find((m) => /delvist/.test(m.subject ?? '')));
    const [booked, notBooked] = [/Tilmeldt: ([^\n]*)/.exec(partial.text!)![1]!, partial.text!.split('Ikke tilmeldt:')[1]!];
    expect(booked).toContain(participants[0]!.email);
    expect(notBooked).toContain(participants[1]!.email);
    expect(notBooked).toContain(participants[2]!.email);
    await until('ops alert', () => smtp.to('ops@example.dk').find((m) => m.text?.includes(o.id)));
    await sleep(500);
    expect(smtp.to(participants[0]!.email)).toHaveLength(1);
    expect(smtp.to(participants[0]!.email)[0]!.subject).toMatch(/^Bekræftelse/);
    expect(smtp.to(participants[1]!.email)).toHaveLength(0);
    expect(smtp.to(participants[2]!.email)).toHaveLength(0);
  });

  it('books a participant without a company under the booker\'s company, shown and sent so', async () => {
    const d = await dateWith(10);
    const o = await reserved(d.courseId, 1);
    const r = await checkout(o, 1, [{ ...person(1, `-${o.id.slice(0, 6)}`), company: null }]);
    expect(r.data!.checkout.order.participants[0]!.company).toBe('Booker A/S');
    await syncInWorker(o.id);
    expect(h.sim.state.participants(d.maconomyId).find((p) => p.external_ref.startsWith(o.id))!.company).toBe('Booker A/S');
  });

  it('says a date that is no longer offered is no longer offered (NOT_FOUND), as course() still shows it', async () => {
    const d = await dateWith(10);
    await h.db.em().nativeUpdate(CourseDate, { id: d.courseId }, { published: false });
    const r = await reserve(d.courseId, 1);
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(r.errors?.[0]?.message).toMatch(/no longer offered/);
  });

  it('reconcile-seats records drift for admins, /metrics and ops (an over-commitment mailed once a day), and resolves it', async () => {
    const d = await dateWith(10);
    await reserved(d.courseId, 4);
    h.sim.state.setFreeSeats(d.maconomyId, 2); // sold elsewhere: fewer free than held here
    let last: unknown;
    let startedAt = 0;
    const runOnce = async (n: number) => {
      // MySQL keeps whole seconds: a run is told apart from the one before by starting in a later second.
      await sleep(1_100);
      startedAt = Math.floor(Date.now() / 1000) * 1000;
      expect((await h.gql(RUN, { name: 'reconcile-seats' }, ADMIN)).errors).toBeUndefined();
      await until(`reconcile run ${n}`, async () => {
        const rows = (await h.gql(DRIFT, { all: true }, ADMIN)).data!.seatDrift.filter((x: { maconomyId: string }) => x.maconomyId === d.maconomyId);
        last = rows;
        // Every run touches this date's drift: sees it again, opens it or resolves it.
        return rows.some((x: { lastSeenAt: string; resolvedAt: string | null }) => Math.max(Date.parse(x.lastSeenAt), x.resolvedAt ? Date.parse(x.resolvedAt) : 0) >= startedAt) ? rows : null;
      }).catch((err) => {
        throw new Error(`${(err as Error).message}: ${JSON.stringify(last)} (started ${new Date(startedAt).toISOString()})`);
      });
    };
    await startWorker();
    await runOnce(1);
    const drift = (await h.gql(DRIFT, {}, ADMIN)).data!.seatDrift.filter((x: { maconomyId: string }) => x.maconomyId === d.maconomyId);
    expect(drift.map((x: { kind: string }) => x.kind).sort()).toEqual(['OVERCOMMITTED', 'UNEXPLAINED_CHANGE']);
    expect(drift.find((x: { kind: string }) => x.kind === 'OVERCOMMITTED')).toMatchObject({ maconomyFreeSeats: 2, heldHere: 4 });
    expect(drift.find((x: { kind: string }) => x.kind === 'UNEXPLAINED_CHANGE')).toMatchObject({ expectedFreeSeats: 10 });
    const metrics = await (await fetch(`${h.url}/metrics`, { headers: ADMIN })).text();
    expect(metrics).toMatch(/^kursus_seat_drift_dates [1-9]/m);
    await until('drift mail', () => smtp.to('ops@example.dk').find((m) => m.text?.includes(d.maconomyId)));
    await runOnce(2);
    await sleep(300);
    expect(smtp.to('ops@example.dk').filter((m) => m.text?.includes(d.maconomyId))).toHaveLength(1);
    // Maconomy gets its seats back: the over-commitment resolves.
    h.sim.state.setFreeSeats(d.maconomyId, 10);
    await runOnce(3);
    const open = (await h.gql(DRIFT, {}, ADMIN)).data!.seatDrift.filter((x: { maconomyId: string; kind: string }) => x.maconomyId === d.maconomyId && x.kind === 'OVERCOMMITTED');
    expect(open).toHaveLength(0);
  });
});
