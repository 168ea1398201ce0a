// The booking service: reserve, change, check out and cancel. Resolvers stay thin and call these.
//
// Every seat hold (new reservation, changed seat count, checkout of an expired hold) goes through
// one function, `holdSeats`, so the rules cannot drift apart. It asks Maconomy first (outside any
// transaction, so no lock is held during HTTP), then in one transaction takes the course date's
// lock, counts what is held locally and writes the hold.
import type { Db, Em } from '../db/orm.js';
import { CourseDate } from '../catalog/entities.js';
import { findCourseDateByRef } from '../catalog/service.js';
import { DomainError, badInput, notFound } from '../errors.js';
import { Order, Participant, type OrderStatus } from './entities.js';
import { heldSeatsForHold } from './seats.js';
import { hashToken, newOrderToken, tokenMatches } from './tokens.js';
import { validateBooker, validateParticipants, type PersonInput } from './validation.js';

/** What the booking service needs from Maconomy: the free seats of one course date. */
export interface SeatSource {
  getSeats(maconomyId: string): Promise<{ freeSeats: number; capacity: number; status: string; fetchedAt: Date } | null>;
}

export interface BookingHooks {
  /** Runs inside the checkout transaction (e.g. enqueue sync-order with the order). */
  onPlaced?(em: Em, order: Order): Promise<void>;
  /** Runs after the checkout transaction committed. */
  afterPlaced?(order: Order): Promise<void>;
  /** Test seam to force interleavings: runs between the Maconomy look-up and the locked count. */
  beforeLock?(courseDateId: string): Promise<void>;
}

export interface BookingDeps {
  db: Db;
  maconomy: SeatSource;
  holdMinutes: number;
  maxSeatsPerOrder: number;
  /** Seats one client (clientKey) may hold in unexpired reservations across its orders; unset: no cap. */
  maxSeatsPerClient?: number;
  now?: () => Date;
  hooks?: BookingHooks;
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

  function holdExpired(order: Order): boolean {
    return order.status === 'EXPIRED' || (order.status === 'RESERVED' && !!order.expiresAt && order.expiresAt <= now());
  }

  async function lookUpSeats(courseDate: CourseDate) {
    const info = await deps.maconomy.getSeats(courseDate.maconomyId);
    if (!info) throw notFound(`course date ${courseDate.maconomyId} is no longer offered`);
    if (info.status !== 'open') throw new DomainError('CONFLICT', `course date ${courseDate.maconomyId} is ${info.status} and cannot be booked`);
    return info;
  }

  /**
   * The one seat-hold path. Inside the transaction: take the course date's lock by bumping its
   * hold_version (a write lock on MySQL's row, the database write lock on SQLite), count held
   * seats (and, for a reservation, this client's held seats, in the same statement), then write
   * via `apply`. Throws SOLD_OUT, or CONFLICT over the per-client cap, changing nothing.
   */
  async function holdSeats<T>(
    courseDate: CourseDate,
    seats: number,
    opts: { excludeOrderId?: string; clientKey?: string | null },
    apply: (em: Em, at: Date) => Promise<T>,
  ): Promise<T> {
    const info = await lookUpSeats(courseDate);
    await deps.hooks?.beforeLock?.(courseDate.id);
    const em = deps.db.em();
    // MySQL sessions run at READ COMMITTED (db/orm.ts), so the count after the lock sees every
    // hold committed before it.
    return em.transactional(async (tx) => {
      const at = now();
      await tx
        .getConnection()
        .execute(
          'update course_date set hold_version = hold_version + 1, maconomy_free_seats = ?, maconomy_checked_at = ? where id = ?',
          [info.freeSeats, info.fetchedAt, courseDate.id],
          'run',
          tx.getTransactionContext(),
        );
      const cap = deps.maxSeatsPerClient && opts.clientKey ? { clientKey: opts.clientKey, max: deps.maxSeatsPerClient } : undefined;
      const held = await heldSeatsForHold(tx, courseDate.id, {
        now: at,
        maconomySnapshotAt: info.fetchedAt,
        excludeOrderId: opts.excludeOrderId,
        clientKey: cap?.clientKey,
      });
      const free = info.freeSeats - held.courseDate;
      if (seats > free) {
        throw new DomainError(
          'SOLD_OUT',
          free <= 0
            ? `course date ${courseDate.maconomyId} is sold out`
            : `only ${free} seat${free === 1 ? '' : 's'} left on course date ${courseDate.maconomyId}`,
          { seatsAvailable: Math.max(0, free) },
        );
      }
      // Locks are per course date, so two simultaneous holds by one client on different dates
      // can both pass the cap; the rate limit on reserveSeats bounds how far that can go.
      if (cap && held.client + seats > cap.max)
        throw new DomainError('CONFLICT', `this client already holds ${held.client} seat${held.client === 1 ? '' : 's'} in open reservations and may hold at most ${cap.max}; check out or cancel a reservation first`, {
          field: 'seats',
          heldByClient: held.client,
          maxSeatsPerClient: cap.max,
        });
      return apply(tx, at);
    });
  }

  function expiry(at: Date) {
    return new Date(at.getTime() + deps.holdMinutes * 60_000);
  }

  async function reserveSeats(input: ReserveInput): Promise<{ order: Order; orderToken: string }> {
    validateSeats(input.seats);
    const em = deps.db.em();
    const courseDate = await findCourseDateByRef(em, input.courseId);
    if (!courseDate || !courseDate.published) throw notFound(`course ${input.courseId} does not exist`);
    if (courseDate.status !== 'OPEN') throw new DomainError('CONFLICT', `course date ${courseDate.maconomyId} is ${courseDate.status.toLowerCase()} and cannot be booked`);

    if (input.orderId || input.orderToken) {
      if (!input.orderId || !input.orderToken) throw badInput('orderId and orderToken must be given together to change a reservation', input.orderId ? 'orderToken' : 'orderId');
      const order = await authorisedOrder(em, input.orderId, input.orderToken);
      if (order.courseDate.id !== courseDate.id)
        throw badInput('courseId differs from the course date of this reservation; cancel it and reserve the other date', 'courseId');
      if (holdExpired(order)) {
        await markExpired(order.id);
        throw new DomainError('RESERVATION_EXPIRED', 'this reservation has expired; reserve seats again');
      }
      if (order.status !== 'RESERVED') throw new DomainError('CONFLICT', `order is ${order.status.toLowerCase()} and its seats can no longer be changed`);
      const token = input.orderToken;
      const updated = await holdSeats(courseDate, input.seats, { excludeOrderId: order.id, clientKey: input.clientKey }, async (tx, at) => {
        // Conditional on the order still being an unexpired reservation: a concurrent checkout,
        // cancel or expiry wins and this change fails instead of resurrecting the order.
        const changed = await tx.nativeUpdate(
          Order,
          { id: order.id, status: 'RESERVED', expiresAt: { $gt: at } },
          { seats: input.seats, expiresAt: expiry(at), updatedAt: at },
        );
        if (changed !== 1) throw new DomainError('CONFLICT', 'the reservation changed while seats were being updated; load the order and try again');
        return tx.findOneOrFail(Order, { id: order.id }, { populate: ['courseDate'], refresh: true });
      });
      return { order: updated, orderToken: token };
    }

    const token = newOrderToken();
    const order = await holdSeats(courseDate, input.seats, { clientKey: input.clientKey }, async (tx, at) => {
      const created = tx.create(Order, {
        courseDate: tx.getReference(CourseDate, courseDate.id),
        status: 'RESERVED',
        seats: input.seats,
        expiresAt: expiry(at),
        tokenHash: hashToken(token),
        clientKey: input.clientKey ?? null,
        createdAt: at,
        updatedAt: at,
      });
      await tx.flush();
      return created;
    });
    // The order as written (no reload): the API resolves its course date and participants through
    // DataLoaders, and a new reservation has no participants yet.
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
          company: p.company,
        }),
      );
      await tx.flush();
      const placed = await tx.findOneOrFail(Order, { id: order.id }, { refresh: true });
      await deps.hooks?.onPlaced?.(tx, placed);
    };

    if (holdExpired(order)) {
      // The hold lapsed: the seats were released, so check them again through the one hold path.
      // If they are still free the customer keeps them; otherwise the reservation has expired.
      try {
        await holdSeats(order.courseDate, order.seats, { excludeOrderId: order.id }, place);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'SOLD_OUT') {
          await markExpired(order.id);
          throw new DomainError('RESERVATION_EXPIRED', 'this reservation expired and its seats have been taken; reserve again');
        }
        throw err;
      }
    } else {
      await em.transactional(async (tx) => {
        const at = now();
        // Same lock as holdSeats, so a checkout and a seat change of one order serialise.
        await tx
          .getConnection()
          .execute('update course_date set hold_version = hold_version + 1 where id = ?', [order.courseDate.id], 'run', tx.getTransactionContext());
        await place(tx, at);
      });
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

  async function findOrder(orderId: string, token: string): Promise<Order | null> {
    if (!UUID.test(orderId)) return null;
    const em = deps.db.em();
    const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
    if (!order || !tokenMatches(token, order.tokenHash)) return null;
    if (holdExpired(order) && order.status === 'RESERVED') order.status = 'EXPIRED'; // shown as it is, tidied by the job
    return order;
  }

  async function markExpired(orderId: string) {
    await deps.db.em().nativeUpdate(Order, { id: orderId, status: 'RESERVED', expiresAt: { $lte: now() } }, { status: 'EXPIRED', updatedAt: now() });
  }

  async function reload(orderId: string): Promise<Order> {
    return deps.db.em().findOneOrFail(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
  }

  return { reserveSeats, checkout, cancelReservation, findOrder };
}

export type BookingService = ReturnType<typeof createBookingService>;
