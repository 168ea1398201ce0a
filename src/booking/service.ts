// The booking service: reserve, change, check out and cancel. Resolvers stay thin and call these.
//
// Every seat hold (new reservation, changed seat count, checkout of an expired hold) goes through
// one function, `holdSeats`, so the rules cannot drift apart. It asks Maconomy first (outside any
// transaction, so no lock is held during HTTP), then in one transaction takes the course date's
// lock and writes the hold only if the seats fit what is held locally (a new reservation: in the
// insert statement itself).
import { randomUUID } from 'node:crypto';
import type { Db, Em } from '../db/orm.js';
import type { CourseDate } from '../catalog/entities.js';
import { findCourseDateByRef } from '../catalog/service.js';
import { orderById } from '../catalog/read-model.js';
import { DomainError, badInput, notFound } from '../errors.js';
import { Order, Participant, type OrderStatus } from './entities.js';
import { heldSeatsForHold, newerAnswerSql, seatsFitSql, storeAnswerStatement, storeMaconomyAnswer } from './seats.js';
import type { SeatAnswer, SeatReader } from './maconomy-seats.js';
import { hashToken, newOrderToken, tokenMatches } from './tokens.js';
import { validateBooker, validateParticipants, type PersonInput } from './validation.js';

export interface BookingHooks {
  /** Runs inside the checkout transaction (e.g. enqueue sync-order with the order). */
  onPlaced?(em: Em, orderId: string): Promise<void>;
  /** Runs after the checkout transaction committed. */
  afterPlaced?(order: Order): Promise<void>;
  /** Test seam to force interleavings: runs between the Maconomy look-up and the locked count. */
  beforeLock?(courseDateId: string): Promise<void>;
}

export interface BookingDeps {
  db: Db;
  /** Maconomy's free seats, tagged with the date's sync sequence (maconomy-seats.ts). */
  seats: SeatReader;
  holdMinutes: number;
  maxSeatsPerOrder: number;
  /** Seats one client (clientKey) may hold in unexpired reservations across its orders; unset: no cap. */
  maxSeatsPerClient?: number;
  now?: () => Date;
  hooks?: BookingHooks;
  /** false: a new reservation counts held seats first, then inserts (the fallback for servers that refuse the one-statement form). */
  conditionalInsert?: boolean;
}

export interface ReserveInput {
  courseId: string;
  seats: number;
  orderId?: string | null;
  orderToken?: string | null;
  clientKey?: string | null;
}

export interface CheckoutInput {
  orderId: string;
  orderToken: string;
  booker: PersonInput & { company?: string | null };
  participants: PersonInput[];
}

/** An order as the API shows it: an Order entity, or the plain row of a reservation just written. */
export type OrderView = Pick<
  Order,
  'id' | 'status' | 'seats' | 'expiresAt' | 'placedAt' | 'syncedSeats' | 'bookerFirstName' | 'bookerLastName' | 'bookerEmail' | 'bookerPhone' | 'bookerCompany' | 'unitPriceMinor' | 'currency'
> & { courseDate: { id: string } };

/** What a hold needs of a course date. */
type BookableDate = Pick<CourseDate, 'id' | 'maconomyId'>;
/** Whose hold this is and what it may do: leave out the order's own hold (a seat change), the client's seat cap, bookable dates only. */
type HoldOptions = { excludeOrderId?: string; clientKey?: string | null; bookable?: boolean };

/**
 * How a hold writes: checked by a count read first (`apply`), or in its own statement: `newHold`
 * gives the row and the insert that writes it only where `fits` holds.
 */
type HoldWrite<T> =
  | { apply(tx: Em, at: Date): Promise<T> }
  | { newHold(at: Date, fits: { sql: string; params: unknown[] }): { row: T; sql: string; params: unknown[] } };

/**
 * The row lock every hold on a course date takes first; `bookable`: only while it is published and
 * OPEN. It also stores the Maconomy answer the hold is checked against as the date's shown count,
 * unless a newer answer is stored already (a higher sync-sequence tag, or the same tag and a later
 * answer; seats.ts). Each condition reads the columns as they were: SQLite evaluates every SET
 * against the old row, and MySQL's left-to-right SET gives the same result because the condition
 * holds for the later columns exactly when it held for the earlier ones.
 */
function lockStatement(courseDateId: string, bookable: boolean, answer: SeatAnswer, reused: boolean) {
  const { sql: newer, params: when } = newerAnswerSql(answer);
  return {
    sql: `update course_date set hold_version = hold_version + 1,
      maconomy_free_seats = case when ${newer} then ? else maconomy_free_seats end,
      maconomy_checked_at = case when ${newer} then ? else maconomy_checked_at end,
      maconomy_free_seq = case when ${newer} then ? else maconomy_free_seq end
      where id = ?${bookable ? " and published = ? and status = 'OPEN'" : ''}${reused ? ' and sync_seq = ?' : ''}`,
    params: [...when, answer.freeSeats, ...when, answer.fetchedAt, ...when, answer.seq, courseDateId, ...(bookable ? [true] : []), ...(reused ? [answer.seq] : [])],
  };
}

/**
 * A hold tried with a reused Maconomy answer found the date's sync sequence moved on (or the date
 * no longer bookable): nothing was written; the hold is tried again with a fresh look-up.
 */
const STALE_ANSWER = Symbol('stale answer');

/** SOLD_OUT with what can still be had. */
function soldOut(maconomyId: string, free: number): DomainError {
  return new DomainError(
    'SOLD_OUT',
    free <= 0 ? `course date ${maconomyId} is sold out` : `only ${free} seat${free === 1 ? '' : 's'} left on course date ${maconomyId}`,
    { seatsAvailable: Math.max(0, free) },
  );
}

/** MySQL's ER_UPDATE_TABLE_USED: "You can't specify target table ... for update in FROM clause". */
function targetTableInSubquery(err: unknown): boolean {
  const e = err as { errno?: unknown; code?: unknown; cause?: { errno?: unknown; code?: unknown } } | null;
  return [e, e?.cause].some((x) => x?.errno === 1093 || x?.code === 'ER_UPDATE_TABLE_USED');
}

/** Rows a raw write changed (MikroORM reports affectedRows for every driver). */
function affected(result: { affectedRows?: number }): number {
  return Number(result.affectedRows ?? 0);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Long by design: the booking service is one closure over its dependencies, and its steps (the one
 * hold path, the one-round-trip hold, reserve, checkout, cancel) share private state (the
 * bookable-date cache, whether the conditional insert is usable) that must not leak to callers.
 * Each step is its own small function inside it.
 */
export function createBookingService(deps: BookingDeps) {
  const now = deps.now ?? (() => new Date());

  function validateSeats(seats: number) {
    if (!Number.isInteger(seats) || seats < 1) throw badInput('seats must be a whole number of at least 1', 'seats');
    if (seats > deps.maxSeatsPerOrder)
      throw badInput(`seats must be at most ${deps.maxSeatsPerOrder} per order; contact us for group bookings`, 'seats');
  }

  /** Loads an order and checks its token; the same answer for unknown ids and wrong tokens would hide nothing useful (ids are random), so they differ for clarity. */
  async function authorisedOrder(em: Em, orderId: string, token: string): Promise<Order> {
    if (!UUID.test(orderId)) throw badInput('orderId is not a valid order id', 'orderId');
    const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate'] });
    if (!order) throw notFound(`order ${orderId} does not exist`);
    if (!tokenMatches(token, order.tokenHash)) throw new DomainError('FORBIDDEN', 'orderToken does not match this order');
    return order;
  }

  function holdExpired(order: Pick<Order, 'status' | 'expiresAt'>): boolean {
    return order.status === 'EXPIRED' || (order.status === 'RESERVED' && !!order.expiresAt && order.expiresAt <= now());
  }

  async function lookUpSeats(courseDate: BookableDate, fresh: boolean): Promise<SeatAnswer> {
    // Not stored by the reader: the hold's lock statement stores it (or, on SOLD_OUT, holdSeats).
    const info = await deps.seats.read(deps.db.em(), courseDate, { fresh, purpose: 'storefront', store: false });
    if (!info) throw notFound(`course date ${courseDate.maconomyId} is no longer offered`);
    if (info.status !== 'open') throw new DomainError('CONFLICT', `course date ${courseDate.maconomyId} is ${info.status} and cannot be booked`);
    return info;
  }

  /**
   * A recent Maconomy answer that says the date is open, to reuse without reading the date's sync
   * sequence first: the hold's lock statement (and a new hold's insert) then requires the sequence
   * to still equal the answer's tag, which is the rule `SeatReader.read` applies before reusing
   * an answer, checked under the lock instead of one query earlier.
   */
  function reusableAnswer(courseDate: BookableDate, fresh: boolean): SeatAnswer | null {
    if (fresh) return null;
    const recent = deps.seats.recentAnswer(courseDate.id);
    return recent?.status === 'open' ? recent : null;
  }

  /**
   * Course dates by the storefront's ref (our id or the Maconomy id), remembered once they were
   * found bookable: the mapping never changes, and whether the date is still bookable is checked
   * again by the locked update in `holdSeats`, so a stale entry can never book an unpublished or
   * closed date. It saves a query per reservation. Bounded; never holds a miss.
   */
  const bookableByRef = new Map<string, BookableDate>();
  /**
   * SQLite: every write transaction holds the database's write lock from its start (BEGIN
   * IMMEDIATE, db/orm.ts), so holds are serialised without a row lock (see holdInOneGo).
   */
  const oneWriterAtATime = deps.db.kind === 'sqlite';
  /** Whether new reservations check and insert in one statement (see holdSeats); tests may turn it off. */
  let conditionalInsert = deps.conditionalInsert ?? true;
  const BOOKABLE_CACHE_MAX = 5_000;

  async function findBookableCourseDate(ref: string): Promise<BookableDate> {
    // Only valid refs are ever stored, so a malformed one misses and is refused by the load.
    return bookableByRef.get(ref) ?? loadBookableCourseDate(deps.db.em(), ref);
  }

  /** From the database, with the errors for a date that cannot be booked. */
  async function loadBookableCourseDate(em: Em, ref: string): Promise<BookableDate> {
    const courseDate = await findCourseDateByRef(em, ref);
    if (!courseDate) throw notFound(`course ${ref} does not exist`);
    // Consistent with course(): the date is still there to look at, but no longer for sale.
    if (!courseDate.published) throw notFound(`course date ${courseDate.maconomyId} is no longer offered`);
    if (courseDate.status !== 'OPEN') throw new DomainError('CONFLICT', `course date ${courseDate.maconomyId} is ${courseDate.status.toLowerCase()} and cannot be booked`);
    const found = { id: courseDate.id, maconomyId: courseDate.maconomyId };
    if (bookableByRef.size >= BOOKABLE_CACHE_MAX) bookableByRef.clear();
    bookableByRef.set(ref, found);
    return found;
  }

  /** The per-client seat cap that applies to a hold, if any (MAX_SEATS_PER_CLIENT and a known client). */
  function clientCap(clientKey: string | null | undefined) {
    return deps.maxSeatsPerClient && clientKey ? { clientKey, max: deps.maxSeatsPerClient } : undefined;
  }

  /**
   * The one seat-hold path. Inside the transaction: take the course date's lock by bumping its
   * hold_version (a write lock on MySQL's row, the database write lock on SQLite), then write.
   *
   * Every write is checked against the same count (seats.ts): either the write carries the check
   * in its own statement (`newHold`, a new reservation: one statement instead of a count and an
   * insert, on the path the storefront uses most; tried first in a transaction of its own, in one
   * go, see holdInOneGo), or the count is read first and checked here
   * (`apply`). When a conditional write writes nothing, the count is read to say why. Throws
   * SOLD_OUT, or CONFLICT over the per-client cap, changing nothing.
   *
   * With `bookable`, the lock is taken only while the date is published and OPEN, so a date
   * unpublished or closed since it was looked up is refused here, under the lock.
   */
  async function holdSeats<T>(
    courseDate: BookableDate,
    seats: number,
    opts: HoldOptions & { fresh?: boolean },
    write: HoldWrite<T>,
  ): Promise<T> {
    const recent = reusableAnswer(courseDate, !!opts.fresh);
    if (recent) {
      const held = await holdWith(courseDate, seats, recent, true, opts, write);
      if (held !== STALE_ANSWER) return held;
    }
    const info = await lookUpSeats(courseDate, !!opts.fresh);
    return (await holdWith(courseDate, seats, info, false, opts, write)) as T;
  }

  /** One attempt of holdSeats with one Maconomy answer; `reused`: STALE_ANSWER where the date's sequence moved on. */
  async function holdWith<T>(
    courseDate: BookableDate,
    seats: number,
    info: SeatAnswer,
    reused: boolean,
    opts: HoldOptions,
    write: HoldWrite<T>,
  ): Promise<T | typeof STALE_ANSWER> {
    await deps.hooks?.beforeLock?.(courseDate.id);
    if ('newHold' in write && conditionalInsert && opts.bookable) {
      const held = await holdInOneGo(courseDate, seats, info, reused, opts.clientKey, write);
      if (held !== null) return held;
      // Nothing written: the transaction below takes the lock again and says why (or holds the
      // seats, if some were freed in between); with a reused answer its lock again requires the
      // sequence unchanged, and a hold that finds it moved on asks Maconomy afresh.
    }
    const em = deps.db.em();
    try {
      return await holdInTransaction(em, courseDate, seats, info, reused, opts, write);
    } catch (err) {
      if (err === STALE_ANSWER) return STALE_ANSWER;
      // The rollback undid the lock statement's store: keep what Maconomy just said as shown.
      if (err instanceof DomainError && err.code === 'SOLD_OUT') await storeMaconomyAnswer(em, courseDate.id, info);
      throw err;
    }
  }

  async function holdInTransaction<T>(
    em: Em,
    courseDate: BookableDate,
    seats: number,
    info: SeatAnswer,
    reused: boolean,
    opts: HoldOptions,
    write: HoldWrite<T>,
  ): Promise<T> {
    // MySQL sessions run at READ COMMITTED (db/orm.ts): every statement after the lock sees every
    // hold committed before it.
    return em.transactional(async (tx) => {
      const at = now();
      const lock = lockStatement(courseDate.id, !!opts.bookable, info, reused);
      const locked = await write1(tx, lock);
      // A reused answer whose tag is no longer the date's sequence (or a date no longer
      // bookable): nothing written, rolled back, tried again with a fresh look-up.
      if (reused && affected(locked) !== 1) throw STALE_ANSWER;
      if (affected(locked) !== 1) {
        // Unpublished or closed since it was looked up (or cached): say which, from the database.
        for (const [ref, known] of bookableByRef) if (known.id === courseDate.id) bookableByRef.delete(ref);
        await loadBookableCourseDate(tx, courseDate.id);
        throw new DomainError('CONFLICT', `course date ${courseDate.maconomyId} changed while seats were being held; try again`);
      }
      const cap = clientCap(opts.clientKey);
      const count = { now: at, answerSeq: info.seq, excludeOrderId: opts.excludeOrderId, clientKey: cap?.clientKey };
      const insertIfFree = async (fits: { sql: string; params: unknown[] }) => {
        const insert = (write as Extract<HoldWrite<T>, { newHold: unknown }>).newHold(at, fits);
        const result = await write1(tx, insert);
        return affected(result) === 1 ? insert.row : null;
      };
      if ('newHold' in write && conditionalInsert) {
        try {
          const written = await insertIfFree(seatsFitSql(courseDate.id, seats, info.freeSeats, count, cap?.max));
          if (written !== null) return written;
        } catch (err) {
          if (!targetTableInSubquery(err)) throw err;
          // A server that refuses the insert's subqueries on its own table (MySQL's error 1093;
          // MariaDB and SQLite accept them): count first from now on. MySQL undoes only the failed
          // statement, so the lock is still held.
          conditionalInsert = false;
        }
      }
      const held = await heldSeatsForHold(tx, courseDate.id, count);
      const free = info.freeSeats - held.courseDate;
      if (seats > free) throw soldOut(courseDate.maconomyId, free);
      // Locks are per course date, so two simultaneous holds by one client on different dates
      // can both pass the cap; the rate limit on reserveSeats bounds how far that can go.
      if (cap && held.client + seats > cap.max)
        throw new DomainError('CONFLICT', `this client already holds ${held.client} seat${held.client === 1 ? '' : 's'} in open reservations and may hold at most ${cap.max}; check out or cancel a reservation first`, {
          field: 'seats',
          heldByClient: held.client,
          maxSeatsPerClient: cap.max,
        });
      if ('newHold' in write) {
        // Counted under the lock, so the seats fit: write without the condition.
        if (!conditionalInsert) return (await insertIfFree({ sql: '1 = 1', params: [] }))!;
        // The conditional write wrote nothing, yet the count (under the same lock) says the seats fit.
        throw new DomainError('CONFLICT', 'the seats could not be held; try again');
      }
      return write.apply(tx, at);
    });
  }

  /**
   * A new hold in one go (Db.batch: its own transaction, on MySQL in one round trip): the
   * conditional insert, which requires the date bookable (and for a reused answer its sequence
   * unchanged) and the seats to fit, after what takes the date's lock:
   * - MySQL: the bookable lock statement, as in holdInTransaction (the row lock that orders
   *   concurrent holds on the date; it stores the answer). The statements run one after another
   *   on the server, so the insert's read comes after the lock.
   * - SQLite: nothing to lock: the transaction holds the database's write lock (BEGIN IMMEDIATE),
   *   so no other hold can come between the insert's count and its write. A fresh answer is stored
   *   where it is newer than the stored one (the lock statement's store, without the lock); a
   *   reused one was stored when it was fresh. One statement, one page written fewer.
   * Returns null when it wrote nothing; what the batch committed then changes no seats, and
   * holdInTransaction says why.
   */
  async function holdInOneGo<T>(
    courseDate: BookableDate,
    seats: number,
    info: SeatAnswer,
    reused: boolean,
    clientKey: string | null | undefined,
    write: Extract<HoldWrite<T>, { newHold: unknown }>,
  ): Promise<T | null> {
    const at = now();
    const cap = clientCap(clientKey);
    const fits = seatsFitSql(courseDate.id, seats, info.freeSeats, { now: at, answerSeq: info.seq, clientKey: cap?.clientKey }, cap?.max);
    // The insert runs even when the lock matched nothing, so it repeats the lock's conditions:
    // bookable, and for a reused answer the unchanged sequence (it only ever grows, so an insert
    // after a lock that missed on it misses too).
    const insert = write.newHold(at, {
      sql: `cd.published = ? and cd.status = 'OPEN'${reused ? ' and cd.sync_seq = ?' : ''} and ${fits.sql}`,
      params: [true, ...(reused ? [info.seq] : []), ...fits.params],
    });
    const before = oneWriterAtATime ? (reused ? [] : [storeAnswerStatement(courseDate.id, info)]) : [lockStatement(courseDate.id, true, info, reused)];
    try {
      const results = await deps.db.batch([...before, insert]);
      const locked = oneWriterAtATime || affected(results[0]!) === 1;
      return locked && affected(results.at(-1)!) === 1 ? insert.row : null;
    } catch (err) {
      if (!targetTableInSubquery(err)) throw err;
      conditionalInsert = false; // as in holdSeats: count first from now on
      return null;
    }
  }

  /** One write of the hold inside its transaction: on SQLite bound and prepared once (Db.bound). */
  function write1(tx: Em, statement: { sql: string; params: unknown[] }): Promise<{ affectedRows?: number }> {
    if (deps.db.bound) return deps.db.bound(tx, statement.sql, statement.params, 'run');
    return tx.getConnection().execute<{ affectedRows?: number }>(statement.sql, statement.params, 'run', tx.getTransactionContext());
  }

  /** In whole seconds: MySQL's datetime keeps no more, so the expiry answered is the one stored. */
  function expiry(at: Date) {
    return new Date(Math.floor((at.getTime() + deps.holdMinutes * 60_000) / 1000) * 1000);
  }

  async function reserveSeats(input: ReserveInput): Promise<{ order: OrderView; orderToken: string }> {
    validateSeats(input.seats);
    const courseDate = await findBookableCourseDate(input.courseId);

    if (input.orderId || input.orderToken) {
      if (!input.orderId || !input.orderToken) throw badInput('orderId and orderToken must be given together to change a reservation', input.orderId ? 'orderToken' : 'orderId');
      const order = await authorisedOrder(deps.db.em(), input.orderId, input.orderToken);
      if (order.courseDate.id !== courseDate.id)
        throw badInput('courseId differs from the course date of this reservation; cancel it and reserve the other date', 'courseId');
      if (holdExpired(order)) {
        await markExpired(order.id);
        throw new DomainError('RESERVATION_EXPIRED', 'this reservation has expired; reserve seats again');
      }
      if (order.status !== 'RESERVED') throw new DomainError('CONFLICT', `order is ${order.status.toLowerCase()} and its seats can no longer be changed`);
      const token = input.orderToken;
      const updated = await holdSeats(courseDate, input.seats, { excludeOrderId: order.id, clientKey: input.clientKey, bookable: true }, {
        apply: async (tx, at) => {
          // Conditional on the order still being an unexpired reservation: a concurrent checkout,
          // cancel or expiry wins and this change fails instead of resurrecting the order.
          const changed = await tx.nativeUpdate(
            Order,
            { id: order.id, status: 'RESERVED', expiresAt: { $gt: at } },
            { seats: input.seats, expiresAt: expiry(at), updatedAt: at },
          );
          if (changed !== 1) throw new DomainError('CONFLICT', 'the reservation changed while seats were being updated; load the order and try again');
          return tx.findOneOrFail(Order, { id: order.id }, { populate: ['courseDate'], refresh: true });
        },
      });
      return { order: updated, orderToken: token };
    }

    const token = newOrderToken();
    const row = await holdSeats(courseDate, input.seats, { clientKey: input.clientKey, bookable: true }, {
      newHold: (at, fits) => {
        const row = {
          id: randomUUID(),
          status: 'RESERVED' as const,
          seats: input.seats,
          expiresAt: expiry(at),
          tokenHash: hashToken(token),
          clientKey: input.clientKey ?? null,
          syncAttempts: 0,
          createdAt: at,
          updatedAt: at,
        };
        // One statement: the row is written only if the seats still fit (and the client's cap).
        return {
          row,
          sql: `insert into booking_order (id, course_date_id, status, seats, expires_at, token_hash, client_key, sync_attempts, created_at, updated_at)
           select ?, cd.id, ?, ?, ?, ?, ?, ?, ?, ? from course_date cd where cd.id = ? and ${fits.sql}`,
          params: [row.id, row.status, row.seats, row.expiresAt, row.tokenHash, row.clientKey, row.syncAttempts, row.createdAt, row.updatedAt, courseDate.id, ...fits.params],
        };
      },
    });
    // The order as written, as plain data (no entity: building a managed one and its course
    // date's reference was a tenth of a reservation's CPU): the API resolves its course date and
    // participants through DataLoaders by id, and it has no participants yet.
    const order: OrderView = {
      ...row,
      courseDate: { id: courseDate.id },
      placedAt: null,
      syncedSeats: null,
      bookerFirstName: null,
      bookerLastName: null,
      bookerEmail: null,
      bookerPhone: null,
      bookerCompany: null,
      unitPriceMinor: null,
      currency: null,
    };
    return { order, orderToken: token };
  }

  async function checkout(input: CheckoutInput): Promise<Order> {
    const em = deps.db.em();
    const order = await authorisedOrder(em, input.orderId, input.orderToken);
    const booker = validateBooker(input.booker);
    const participants = validateParticipants(input.participants, order.seats);

    if (order.status === 'PLACED' || order.status === 'SYNCED' || order.status === 'SYNC_FAILED') {
      // A retried checkout (lost response) gets the same answer; a different booker is a conflict.
      if (order.bookerEmail === booker.email) return reload(order.id);
      throw new DomainError('CONFLICT', 'this order has already been checked out');
    }
    if (order.status === 'CANCELLED') throw new DomainError('CONFLICT', 'this reservation was cancelled');

    const place = async (tx: Em, at: Date) => {
      const changed = await tx.nativeUpdate(
        Order,
        { id: order.id, status: { $in: ['RESERVED', 'EXPIRED'] as OrderStatus[] }, seats: order.seats },
        {
          status: 'PLACED',
          expiresAt: null,
          placedAt: at,
          updatedAt: at,
          bookerFirstName: booker.firstName,
          bookerLastName: booker.lastName,
          bookerEmail: booker.email,
          bookerPhone: booker.phone,
          bookerCompany: booker.company,
          unitPriceMinor: order.courseDate.priceMinor,
          currency: order.courseDate.currency,
        },
      );
      if (changed !== 1) throw new DomainError('CONFLICT', 'the reservation changed during checkout; load the order and try again');
      participants.forEach((p, i) =>
        tx.create(Participant, {
          order: tx.getReference(Order, order.id),
          position: i + 1,
          firstName: p.firstName,
          lastName: p.lastName,
          email: p.email,
          phone: p.phone,
          // A participant without a company is booked under the booker's: stored so, shown so,
          // and sent to Maconomy so (one value everywhere).
          company: p.company ?? booker.company ?? null,
        }),
      );
      await tx.flush();
      await deps.hooks?.onPlaced?.(tx, order.id);
    };

    // Every checkout re-checks the seats against a fresh Maconomy answer, through the one hold
    // path (same lock, same count, this order's own seats left out): Maconomy may have sold seats
    // elsewhere since the hold was taken, and a customer must not be told a booking was placed
    // that Maconomy will refuse. A live hold that no longer fits gets SOLD_OUT with what can still
    // be had and keeps its hold (the customer may lower the seat count and check out again); a
    // lapsed hold whose seats are gone has expired. Maconomy unreachable: UPSTREAM_UNAVAILABLE,
    // nothing placed.
    const expired = holdExpired(order);
    try {
      await holdSeats(order.courseDate, order.seats, { excludeOrderId: order.id, fresh: true }, { apply: place });
    } catch (err) {
      if (expired && err instanceof DomainError && err.code === 'SOLD_OUT') {
        await markExpired(order.id);
        throw new DomainError('RESERVATION_EXPIRED', 'this reservation expired and its seats have been taken; reserve again');
      }
      throw err;
    }
    const placed = await reload(order.id);
    await deps.hooks?.afterPlaced?.(placed);
    return placed;
  }

  async function cancelReservation(orderId: string, orderToken: string): Promise<Order> {
    const em = deps.db.em();
    const order = await authorisedOrder(em, orderId, orderToken);
    if (order.status === 'CANCELLED' || order.status === 'EXPIRED') return order;
    if (order.status !== 'RESERVED') throw new DomainError('CONFLICT', `order is ${order.status.toLowerCase()}; contact us to cancel a completed booking`);
    const changed = await em.nativeUpdate(Order, { id: order.id, status: 'RESERVED' }, { status: 'CANCELLED', expiresAt: null, updatedAt: now() });
    if (changed !== 1) throw new DomainError('CONFLICT', 'the order changed while being cancelled; load it and try again');
    return reload(order.id);
  }

  async function findOrder(orderId: string, token: string): Promise<OrderView | null> {
    if (!UUID.test(orderId)) return null;
    // The stored row, not an entity with its course date and participants populated: the API reads
    // those through its DataLoaders (src/graphql/context.ts) and never used the populated ones.
    const order = await orderById(deps.db.em(), orderId);
    if (!order || !tokenMatches(token, order.tokenHash)) return null;
    if (holdExpired(order) && order.status === 'RESERVED') order.status = 'EXPIRED'; // shown as it is, tidied by the job
    return order;
  }

  async function markExpired(orderId: string) {
    await deps.db.em().nativeUpdate(Order, { id: orderId, status: 'RESERVED', expiresAt: { $lte: now() } }, { status: 'EXPIRED', updatedAt: now() });
  }

  /** The order as stored; the API loads its course date and participants through DataLoaders when asked. */
  async function reload(orderId: string): Promise<Order> {
    return deps.db.em().findOneOrFail(Order, { id: orderId });
  }

  return { reserveSeats, checkout, cancelReservation, findOrder };
}

export type BookingService = ReturnType<typeof createBookingService>;
