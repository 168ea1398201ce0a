// Orders hold seats on one course date until Maconomy knows their participants.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { CourseDate } from '../catalog/entities.js';

export const ORDER_STATUSES = ['RESERVED', 'PLACED', 'SYNCED', 'PARTIALLY_SYNCED', 'SYNC_FAILED', 'EXPIRED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Statuses whose seats Maconomy does not know yet, so they are counted locally. */
export const LOCALLY_HELD: readonly OrderStatus[] = ['RESERVED', 'PLACED', 'SYNC_FAILED'];
/** Statuses whose accepted seats Maconomy counts (PARTIALLY_SYNCED: some participants were refused). */
export const IN_MACONOMY: readonly OrderStatus[] = ['SYNCED', 'PARTIALLY_SYNCED'];

/** Where a participant stands with Maconomy. */
export const PARTICIPANT_STATES = ['PENDING', 'ACCEPTED', 'REFUSED'] as const;
export type ParticipantState = (typeof PARTICIPANT_STATES)[number];

export const Order = defineEntity({
  name: 'Order',
  tableName: 'booking_order',
  // held_seats: every column the held-seats sum of a course date reads (src/booking/seats.ts), so
  // each seat hold and shown count reads the index alone, not each of the date's order rows.
  // clientKey first: the per-client seat cap sums one client's open holds on every reservation.
  indexes: [
    { name: 'booking_order_held_seats_index', properties: ['courseDate', 'status', 'expiresAt', 'seats', 'syncedSeats', 'syncedSeq'] },
    { properties: ['status', 'expiresAt'] },
    { properties: ['clientKey', 'status', 'expiresAt'] },
  ],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    // No index of its own: booking_order_held_seats_index starts with it and serves the foreign key
    // and every look-up by course date; a second index was one more B-tree written by every hold.
    courseDate: () => p.manyToOne(CourseDate).index(false),
    status: p.enum(ORDER_STATUSES).default('RESERVED'),
    seats: p.integer(),
    /** Hold expiry of a RESERVED order; null once placed. */
    expiresAt: p.datetime().nullable(),
    /** sha256 of the order token: the token has 256 random bits, so a fast hash is enough. */
    tokenHash: p.string().length(64),
    /** Who holds the seats (IP or storefront session), for per-client caps; never shown. */
    clientKey: p.string().length(128).nullable(),
    // booker (personal data: anonymised by GDPR cleanup)
    bookerFirstName: p.string().length(100).nullable(),
    bookerLastName: p.string().length(100).nullable(),
    bookerEmail: p.string().length(320).nullable(),
    bookerPhone: p.string().length(40).nullable(),
    bookerCompany: p.string().length(200).nullable(),
    /** Price per seat at the moment of checkout, so later price changes do not alter the order. */
    unitPriceMinor: p.integer().nullable(),
    currency: p.string().length(3).nullable(),
    placedAt: p.datetime().nullable(),
    syncedAt: p.datetime().nullable(),
    /**
     * The course date's sync_seq this order's acceptance by Maconomy was given (see seats.ts): a
     * Maconomy answer tagged with a lower sequence may not contain these seats yet, so they are
     * still counted here. A counter, not a time: no clocks of different hosts are compared.
     */
    syncedSeq: p.integer().nullable(),
    /** Seats Maconomy accepted (participants it did not refuse); set with syncedSeq. */
    syncedSeats: p.integer().nullable(),
    syncAttempts: p.integer().default(0),
    lastSyncError: p.text().nullable(),
    anonymisedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    participants: () => p.oneToMany(Participant).mappedBy('order').orderBy({ position: 'asc' }),
  },
});
export type Order = InferEntity<typeof Order>;

export const Participant = defineEntity({
  name: 'Participant',
  tableName: 'participant',
  uniques: [{ properties: ['order', 'position'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    order: () => p.manyToOne(Order).deleteRule('cascade'),
    /** 1-based seat number; `${order.id}:${position}` is the idempotency key sent to Maconomy. */
    position: p.integer(),
    firstName: p.string().length(100),
    lastName: p.string().length(100),
    email: p.string().length(320),
    phone: p.string().length(40).nullable(),
    company: p.string().length(200).nullable(),
    maconomyParticipantId: p.string().length(64).nullable(),
    syncedAt: p.datetime().nullable(),
    /** PENDING until Maconomy accepts (ACCEPTED) or finally refuses (REFUSED) this participant. */
    maconomyState: p.enum(PARTICIPANT_STATES).default('PENDING'),
    /** Maconomy's reason for a refusal, e.g. `no_free_seats`. */
    refusalReason: p.string().length(200).nullable(),
  },
});
export type Participant = InferEntity<typeof Participant>;

export const DRIFT_KINDS = ['OVERCOMMITTED', 'UNEXPLAINED_CHANGE'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/**
 * A disagreement between Maconomy and Kursus about a course date's seats, found by the
 * reconcile-seats job: OVERCOMMITTED (Maconomy has fewer free seats than are held here) or
 * UNEXPLAINED_CHANGE (Maconomy's count moved by more than our own syncs explain). One open row per
 * date and kind; resolved when a later run no longer sees it.
 */
export const SeatDrift = defineEntity({
  name: 'SeatDrift',
  tableName: 'seat_drift',
  indexes: [{ properties: ['courseDate', 'kind', 'resolvedAt'] }, { properties: ['resolvedAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    courseDate: () => p.manyToOne(CourseDate),
    kind: p.enum(DRIFT_KINDS),
    maconomyFreeSeats: p.integer(),
    heldHere: p.integer(),
    /** What Maconomy's count should have been from the last one and our syncs (UNEXPLAINED_CHANGE). */
    expectedFreeSeats: p.integer().nullable(),
    firstSeenAt: p.datetime(),
    lastSeenAt: p.datetime(),
    resolvedAt: p.datetime().nullable(),
  },
});
export type SeatDrift = InferEntity<typeof SeatDrift>;

export const bookingEntities = [Order, Participant, SeatDrift];
