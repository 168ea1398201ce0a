// The bridge's own state: the import cursor, one row per BaseLinker order (the mapping to its
// Optimakers order, which makes creation idempotent), and Optimakers product changes for the ERP.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const BridgeCursor = defineEntity({
  name: 'BridgeCursor',
  tableName: 'bridge_cursor',
  properties: {
    name: p.string().length(50).primary(),
    /** BaseLinker `date_confirmed_from` for the next getOrders (unix seconds). */
    value: p.bigint('number'),
    updatedAt: p.datetime(),
  },
});
export type BridgeCursor = InferEntity<typeof BridgeCursor>;

export const BRIDGE_ORDER_STATUSES = ['PENDING', 'CREATED', 'FAILED'] as const;
export type BridgeOrderStatus = (typeof BRIDGE_ORDER_STATUSES)[number];

export const BridgeOrder = defineEntity({
  name: 'BridgeOrder',
  tableName: 'bridge_order',
  indexes: [{ properties: ['status'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    baselinkerOrderId: p.bigint('number').unique(),
    dateConfirmed: p.bigint('number'),
    /** PENDING: not in Optimakers yet (or a create may be in flight); CREATED; FAILED: see reason. */
    status: p.enum(BRIDGE_ORDER_STATUSES).default('PENDING'),
    optimakersOrderId: p.integer().nullable().unique(),
    /** Why the order could not be created, in words for an operator. */
    reason: p.text().nullable(),
    attempts: p.integer().default(0),
    /** Set (and committed) before the create is sent; look the order up by external id before creating again. */
    createStartedAt: p.datetime().nullable(),
    importedAt: p.datetime().nullable(),
    realisedAt: p.datetime().nullable(),
    /** When BaseLinker got baselinkerOrderStatusToSend for it (set once). */
    statusSentAt: p.datetime().nullable(),
    statusError: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type BridgeOrder = InferEntity<typeof BridgeOrder>;

export const OptimakersProductChange = defineEntity({
  name: 'OptimakersProductChange',
  tableName: 'optimakers_product_change',
  indexes: [{ properties: ['changedAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    productId: p.integer().unique(),
    /** created, updated or deleted: the latest event. */
    event: p.string().length(20),
    version: p.integer().default(1),
    /** The product as fetched from Optimakers; null once deleted. */
    payload: p.json<Record<string, unknown>>().nullable(),
    changedAt: p.datetime(),
    ackedVersion: p.integer().default(0),
    ackedAt: p.datetime().nullable(),
  },
});
export type OptimakersProductChange = InferEntity<typeof OptimakersProductChange>;

export const bridgeEntities = [BridgeCursor, BridgeOrder, OptimakersProductChange];
