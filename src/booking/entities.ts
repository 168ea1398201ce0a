// Orders hold seats on one course date until Maconomy knows their participants.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { CourseDate } from '../catalog/entities.js';

export const ORDER_STATUSES = ['RESERVED', 'PLACED', 'SYNCED', 'SYNC_FAILED', 'EXPIRED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Statuses whose seats Maconomy does not know yet, so they are counted locally. */
export const LOCALLY_HELD: readonly OrderStatus[] = ['RESERVED', 'PLACED', 'SYNC_FAILED'];

export const Order = defineEntity({
  name: 'Order',
  tableName: 'booking_order',
  // clientKey first: the per-client seat cap sums one client's open holds on every reservation.
  indexes: [{ properties: ['courseDate', 'status'] }, { properties: ['status', 'expiresAt'] }, { properties: ['clientKey', 'status', 'expiresAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    courseDate: () => p.manyToOne(CourseDate),
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
  },
});
export type Participant = InferEntity<typeof Participant>;

export const bookingEntities = [Order, Participant];
