// The booking flow through the public GraphQL surface, on every test database (SQLite and MySQL).
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, person, errorCodes, type Harness } from '../support/harness.js';
import { hashToken } from '../../src/booking/tokens.js';
import { Order } from '../../src/booking/entities.js';
import {
  CoursesDocument, CourseDocument, ReserveSeatsDocument, CheckoutDocument, CancelReservationDocument, OrderDocument,
} from '../generated/graphql.js';

describe.each(testDatabaseKinds())('booking on %s', (kind) => {
  let h: Harness;
  let clock = 0; // ms added to the real clock, to move past hold expiry without waiting
  let beforeLock: ((courseDateId: string) => Promise<void>) | undefined;

  beforeAll(async () => {
    h = await startHarness(kind, {
      build: { now: () => new Date(Date.now() + clock), hooks: { beforeLock: (id) => beforeLock?.(id) ?? Promise.resolve() } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    clock = 0;
    beforeLock = undefined;
    h.sim.faults.clear();
  });

  /** A fresh bookable course date (no holds from earlier tests) with exactly `free` seats free in Maconomy. */
  let used = 0;
  async function courseWithFreeSeats(free: number) {
    const r = await h.gql(CoursesDocument, { first: 50, filter: { onlyAvailable: true } });
    const node = r.data!.courses.edges[used++]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, free);
    return node;
  }

  async function reserve(courseId: string, seats: number, extra: { orderId?: string; orderToken?: string } = {}) {
    return h.gql(ReserveSeatsDocument, { input: { courseId, seats, ...extra } });
  }

  it('reserves seats, returns a secret token stored only as a hash, and holds them for HOLD_MINUTES', async () => {
    const course = await courseWithFreeSeats(5);
    const before = Date.now();
    const r = await reserve(course.id, 1);
    expect(r.errors).toBeUndefined();
    const { order, orderToken } = r.data!.reserveSeats;
    expect(order.status).toBe('RESERVED');
    expect(order.seats).toBe(1);
    expect(Buffer.from(orderToken, 'base64url').length).toBeGreaterThanOrEqual(16);
    const expires = new Date(order.expiresAt!).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 20 * 60_000 - 2000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 20 * 60_000 + 1000);

    const rows = await h.db.em().getConnection().execute<{ token_hash: string }[]>('select token_hash from booking_order where id = ?', [order.id]);
    expect(rows[0]!.token_hash).toBe(hashToken(orderToken));
    expect(JSON.stringify(rows)).not.toContain(orderToken);

    const after = await h.gql(CourseDocument, { id: course.id });
    expect(after.data!.course!.seatsAvailable).toBe(4);
  });

  it('accepts the Maconomy id as courseId, as the storefront of the source sends it', async () => {
    const course = await courseWithFreeSeats(3);
    const r = await reserve(course.maconomyId, 2);
    expect(r.errors).toBeUndefined();
    expect(r.data!.reserveSeats.order.course.id).toBe(course.id);
  });

  it('stores a new reservation exactly as it answers it, and refuses more seats than are free with the seats left', async () => {
    const course = await courseWithFreeSeats(3);
    const r = await reserve(course.id, 2);
    const { order } = r.data!.reserveSeats;
    const stored = await h.db.em().findOneOrFail(Order, { id: order.id });
    expect(stored.status).toBe('RESERVED');
    expect(stored.seats).toBe(2);
    expect(stored.courseDate.id).toBe(course.id);
    expect(stored.expiresAt!.toISOString()).toBe(new Date(order.expiresAt!).toISOString());
    expect(stored.placedAt ?? null).toBeNull();

    const tooMany = await reserve(course.id, 2);
    expect(errorCodes(tooMany)).toEqual(['SOLD_OUT']);
    expect(tooMany.errors![0]!.message).toMatch(/only 1 seat left/);
    expect(tooMany.errors![0]!.extensions!.seatsAvailable).toBe(1);
    const rows = await h.db.em().getConnection().execute<{ n: number | string }[]>('select count(*) as n from booking_order o join course_date cd on cd.id = o.course_date_id where cd.id = ?', [course.id]);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('writes a new reservation on a date booked before with the lock (MySQL; SQLite: the answer stored) and the conditional insert only, in one transaction (MySQL: one round trip)', async () => {
    const course = await courseWithFreeSeats(5);
    expect((await reserve(course.id, 1)).errors).toBeUndefined(); // the date is now known bookable here
    await h.resetQueries();
    const r = await reserve(course.id, 1);
    expect(r.errors).toBeUndefined();
    // The request log's own inserts may land in the window, and the answer's course is read by
    // its DataLoader; the booking's statements are these (no read of the date, no count).
    const booking = h.queries.map((q) => q.replace(/\x1b\[[0-9;]*m/g, '')).filter((q) => /course_date|booking_order/.test(q) && !/^(\[query\] )?select /.test(q));
    if (kind === 'mysql') {
      expect(booking).toHaveLength(1);
      expect(booking[0]).toMatch(/start transaction;\s*update course_date set hold_version[\s\S]*;\s*insert into booking_order[\s\S]*;\s*commit/);
    } else {
      // SQLite: the transaction holds the database's write lock, so no row lock: the fresh
      // Maconomy answer stored where newer, and the insert that requires the date bookable.
      expect(booking).toHaveLength(2);
      expect(booking[0]).toMatch(/^(\[query\] )?update course_date set maconomy_free_seats = .* where id = .* and \(maconomy_free_seq </);
      expect(booking[1]).toMatch(/insert into booking_order[\s\S]*cd.published = (1|true) and cd.status = 'OPEN'/);
    }
    const stored = await h.db.em().findOneOrFail(Order, { id: r.data!.reserveSeats.order.id });
    expect([stored.status, stored.seats, stored.courseDate.id]).toEqual(['RESERVED', 1, course.id]);
    expect(stored.expiresAt!.toISOString()).toBe(new Date(r.data!.reserveSeats.order.expiresAt!).toISOString());
  });

  it('refuses a date unpublished or closed after it was last booked here (as an import in another process does), under the lock', async () => {
    const course = await courseWithFreeSeats(5);
    expect((await reserve(course.maconomyId, 1)).errors).toBeUndefined(); // this process now knows the date as bookable
    const set = (sql: string) => h.db.em().getConnection().execute(`update course_date set ${sql} where id = ?`, [course.id]);
    const held = async () => Number((await h.db.em().getConnection().execute<{ n: number | string }[]>('select count(*) as n from booking_order where course_date_id = ?', [course.id]))[0]!.n);

    await set('published = 0');
    const unpublished = await reserve(course.maconomyId, 1);
    expect(errorCodes(unpublished)).toEqual(['NOT_FOUND']);
    await set("published = 1, status = 'CLOSED'");
    const closed = await reserve(course.id, 1);
    expect(errorCodes(closed)).toEqual(['CONFLICT']);
    expect(closed.errors![0]!.message).toMatch(/closed and cannot be booked/);
    expect(await held()).toBe(1);

    await set("status = 'OPEN'");
    expect((await reserve(course.id, 1)).errors).toBeUndefined();
    expect(await held()).toBe(2);
  });

  it('changes 1 -> 2 seats on the same order and extends the hold (the source flow)', async () => {
    const course = await courseWithFreeSeats(4);
    const first = (await reserve(course.id, 1)).data!.reserveSeats;
    clock = 5 * 60_000;
    const second = await reserve(course.id, 2, { orderId: first.order.id, orderToken: first.orderToken });
    expect(second.errors).toBeUndefined();
    expect(second.data!.reserveSeats.order.id).toBe(first.order.id);
    expect(second.data!.reserveSeats.order.seats).toBe(2);
    expect(new Date(second.data!.reserveSeats.order.expiresAt!).getTime()).toBeGreaterThan(new Date(first.order.expiresAt!).getTime() + 4 * 60_000);
    const seats = (await h.gql(CourseDocument, { id: course.id })).data!.course!.seatsAvailable;
    expect(seats).toBe(2);
  });

  it('gives exactly 10 of 60 concurrent single-seat reservations when 10 seats are free; the rest are SOLD_OUT', async () => {
    const course = await courseWithFreeSeats(10);
    const results = await Promise.all(Array.from({ length: 60 }, () => reserve(course.id, 1)));
    const ok = results.filter((r) => r.data?.reserveSeats);
    const soldOut = results.filter((r) => errorCodes(r).includes('SOLD_OUT'));
    expect(ok).toHaveLength(10);
    expect(soldOut).toHaveLength(50);
    const held = await h.db.em().getConnection().execute<{ n: number }[]>(
      "select coalesce(sum(seats), 0) as n from booking_order o join course_date c on c.id = o.course_date_id where c.maconomy_id = ? and o.status = 'RESERVED'",
      [course.maconomyId],
    );
    expect(Number(held[0]!.n)).toBe(10);
  });

  (kind === 'mysql' ? it : it.skip)('runs every MySQL session at READ COMMITTED, which the locked seat count relies on', async () => {
    const level = await h.db.em().transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      // MySQL 8 knows only transaction_isolation, MariaDB 10.x only tx_isolation.
      const read = async (v: string) => (await conn.execute<{ v: string }[]>(`select @@session.${v} as v`, [], 'all', ctx))[0]!.v;
      return read('transaction_isolation').catch(() => read('tx_isolation'));
    });
    expect(level).toBe('READ-COMMITTED');
  });

  it('holds the last seat once when two requests both saw it free in Maconomy (forced interleaving)', async () => {
    const course = await courseWithFreeSeats(1);
    // Both requests pass the Maconomy look-up (1 free) before either takes the lock.
    let arrived = 0;
    let release!: () => void;
    const bothArrived = new Promise<void>((r) => (release = r));
    beforeLock = async () => {
      if (++arrived === 2) release();
      await bothArrived;
    };
    const [a, b] = await Promise.all([reserve(course.id, 1), reserve(course.id, 1)]);
    expect(arrived).toBe(2);
    const codes = [a, b].map((r) => (r.data?.reserveSeats ? 'OK' : errorCodes(r)[0]));
    expect(codes.sort()).toEqual(['OK', 'SOLD_OUT']);
  });

  it('refuses 1 -> 3 seats with SOLD_OUT when only 1 more is free, and leaves the reservation at 1 seat', async () => {
    const course = await courseWithFreeSeats(2);
    const first = (await reserve(course.id, 1)).data!.reserveSeats;
    const change = await reserve(course.id, 3, { orderId: first.order.id, orderToken: first.orderToken });
    expect(errorCodes(change)).toEqual(['SOLD_OUT']);
    expect(change.errors![0]!.message).toMatch(/only 2 seats left/);
    const order = await h.gql(OrderDocument, { id: first.order.id, token: first.orderToken });
    expect(order.data!.order!.seats).toBe(1);
    expect(order.data!.order!.status).toBe('RESERVED');
  });

  it('ignores expired holds when counting, and refuses to change an expired reservation', async () => {
    const course = await courseWithFreeSeats(1);
    const first = (await reserve(course.id, 1)).data!.reserveSeats;
    expect(errorCodes(await reserve(course.id, 1))).toEqual(['SOLD_OUT']);
    clock = 21 * 60_000; // past HOLD_MINUTES = 20
    const second = await reserve(course.id, 1);
    expect(second.errors).toBeUndefined();
    const change = await reserve(course.id, 1, { orderId: first.order.id, orderToken: first.orderToken });
    expect(errorCodes(change)).toEqual(['RESERVATION_EXPIRED']);
  });

  it('checks out with one participant per seat and keeps the seats held', async () => {
    const course = await courseWithFreeSeats(3);
    const { order, orderToken } = (await reserve(course.id, 2)).data!.reserveSeats;
    const input = { orderId: order.id, orderToken, booker: { ...person(0), company: 'Konform A/S', phone: '+45 12 34 56 78' }, participants: [person(1), person(2)] };
    const r = await h.gql(CheckoutDocument, { input });
    expect(r.errors).toBeUndefined();
    const placed = r.data!.checkout.order;
    expect(placed.status).toBe('PLACED');
    expect(placed.expiresAt).toBeNull();
    expect(placed.participants.map((p) => p.email)).toEqual(['deltager1@example.dk', 'deltager2@example.dk']);
    expect(placed.booker!.email).toBe('deltager0@example.dk');
    expect(placed.total!.amountMinor).toBe(2 * (course.price.amountMinor));
    // Placed orders still hold their seats until Maconomy has them, whatever the clock says.
    clock = 60 * 60_000;
    expect((await h.gql(CourseDocument, { id: course.id })).data!.course!.seatsAvailable).toBe(1);
    // A retried checkout (lost response) is answered with the same order, nothing duplicated.
    const again = await h.gql(CheckoutDocument, { input });
    expect(again.errors).toBeUndefined();
    const count = await h.db.em().getConnection().execute<{ n: number }[]>('select count(*) as n from participant where order_id = ?', [order.id]);
    expect(Number(count[0]!.n)).toBe(2);
  });

  it('rejects checkouts whose participants do not match the seats, or with invalid e-mails, and changes nothing', async () => {
    const course = await courseWithFreeSeats(3);
    const { order, orderToken } = (await reserve(course.id, 2)).data!.reserveSeats;
    const mismatch = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: person(0), participants: [person(1)] } });
    expect(errorCodes(mismatch)).toEqual(['BAD_USER_INPUT']);
    expect(mismatch.errors![0]!.message).toMatch(/exactly one person per seat/);
    const badEmail = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: { ...person(0), email: 'not-an-email' }, participants: [person(1), person(2)] } });
    expect(errorCodes(badEmail)).toEqual(['BAD_USER_INPUT']);
    const still = await h.gql(OrderDocument, { id: order.id, token: orderToken });
    expect(still.data!.order!.status).toBe('RESERVED');
    expect(still.data!.order!.participants).toHaveLength(0);
  });

  it('checks out an expired hold only if its seats are still free', async () => {
    const course = await courseWithFreeSeats(1);
    const a = (await reserve(course.id, 1)).data!.reserveSeats;
    clock = 25 * 60_000;
    const b = (await reserve(course.id, 1)).data!.reserveSeats; // takes the released seat
    const r = await h.gql(CheckoutDocument, { input: { orderId: a.order.id, orderToken: a.orderToken, booker: person(0), participants: [person(1)] } });
    expect(errorCodes(r)).toEqual(['RESERVATION_EXPIRED']);
    await h.gql(CancelReservationDocument, { input: { orderId: b.order.id, orderToken: b.orderToken } });
    const c = (await reserve(course.id, 1)).data!.reserveSeats;
    clock = 50 * 60_000;
    const late = await h.gql(CheckoutDocument, { input: { orderId: c.order.id, orderToken: c.orderToken, booker: person(0), participants: [person(1)] } });
    expect(late.errors).toBeUndefined();
    expect(late.data!.checkout.order.status).toBe('PLACED');
  });

  it('cancels a reservation, releasing its seats', async () => {
    const course = await courseWithFreeSeats(2);
    const { order, orderToken } = (await reserve(course.id, 2)).data!.reserveSeats;
    expect((await h.gql(CourseDocument, { id: course.id })).data!.course!.seatsAvailable).toBe(0);
    const r = await h.gql(CancelReservationDocument, { input: { orderId: order.id, orderToken } });
    expect(r.data!.cancelReservation.order.status).toBe('CANCELLED');
    expect((await h.gql(CourseDocument, { id: course.id })).data!.course!.seatsAvailable).toBe(2);
    expect((await reserve(course.id, 2)).errors).toBeUndefined();
  });

  it('shows an order only to the holder of its token', async () => {
    const course = await courseWithFreeSeats(2);
    const { order, orderToken } = (await reserve(course.id, 1)).data!.reserveSeats;
    expect((await h.gql(OrderDocument, { id: order.id, token: orderToken })).data!.order!.id).toBe(order.id);
    expect((await h.gql(OrderDocument, { id: order.id, token: orderToken.slice(0, -2) + 'xx' })).data!.order).toBeNull();
    const change = await reserve(course.id, 2, { orderId: order.id, orderToken: 'wrong-token' });
    expect(errorCodes(change)).toEqual(['FORBIDDEN']);
    const unknown = await reserve(course.id, 2, { orderId: '00000000-0000-4000-8000-000000000000', orderToken });
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
  });

  it.each([0, -1, 21, 2.5])('rejects %p seats with BAD_USER_INPUT and holds nothing', async (seats) => {
    const course = await courseWithFreeSeats(30);
    const before = await h.db.em().getConnection().execute<{ n: number }[]>('select count(*) as n from booking_order');
    const r = await h.raw({ query: 'mutation($s: Int!, $c: ID!) { reserveSeats(input: { courseId: $c, seats: $s }) { orderToken } }', variables: { s: seats, c: course.id } });
    expect(r.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const after = await h.db.em().getConnection().execute<{ n: number }[]>('select count(*) as n from booking_order');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('fails with UPSTREAM_UNAVAILABLE and changes nothing when Maconomy is down or answers nonsense', async () => {
    const course = await courseWithFreeSeats(5);
    const shown = (await h.gql(CourseDocument, { id: course.id })).data!.course!.seatsAvailable;
    h.sim.faults.failNext(10, { status: 503 });
    const down = await reserve(course.id, 1);
    expect(errorCodes(down)).toEqual(['UPSTREAM_UNAVAILABLE']);
    h.sim.faults.clear();
    h.sim.faults.malformedNext(10);
    const malformed = await reserve(course.id, 1);
    expect(errorCodes(malformed)).toEqual(['UPSTREAM_UNAVAILABLE']);
    h.sim.faults.clear();
    expect((await h.gql(CourseDocument, { id: course.id })).data!.course!.seatsAvailable).toBe(shown);
    const rows = await h.db.em().getConnection().execute<{ n: number }[]>('select count(*) as n from booking_order o join course_date d on d.id = o.course_date_id where d.maconomy_id = ?', [course.maconomyId]);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
