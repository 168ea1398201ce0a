// Staging tables of the Jubelio gateway: products the ERP staged for Jubelio, and sales orders
// Jubelio sent by webhook, with their history, waiting for the ERP to acknowledge them.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const PRODUCT_STATUSES = ['pending', 'pushed', 'failed'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** A product as the ERP staged it (normalised), sent to Jubelio as one product group with one SKU. */
export interface StagedProduct {
  sku: string;
  name: string;
  description: string;
  sellPrice: number;
  buyPrice: number;
  barcode: string | null;
  uomId: number | null;
  categoryId: number | null;
  brandId: number | null;
}

export const JubelioProduct = defineEntity({
  name: 'JubelioProduct',
  tableName: 'jubelio_product',
  indexes: [{ properties: ['status', 'updatedAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    sku: p.string().length(100).unique(),
    name: p.string().length(255),
    data: p.json<StagedProduct>(),
    /** sha256 of `data`; equal to pushedHash = Jubelio already has this version. */
    contentHash: p.string().length(64),
    pushedHash: p.string().length(64).nullable(),
    status: p.enum(PRODUCT_STATUSES).default('pending'),
    itemGroupId: p.integer().nullable(),
    itemId: p.integer().nullable(),
    /** Set (and committed) before a create is sent; still set without an itemGroupId = look the SKU up before creating. */
    createStartedAt: p.datetime().nullable(),
    /** Failed attempts since the last successful push. */
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    stagedAt: p.datetime(),
    pushedAt: p.datetime().nullable(),
    updatedAt: p.datetime(),
  },
});
export type JubelioProduct = InferEntity<typeof JubelioProduct>;

export const JubelioSalesOrder = defineEntity({
  name: 'JubelioSalesOrder',
  tableName: 'jubelio_sales_order',
  indexes: [{ properties: ['changedAt'] }, { properties: ['status'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    salesorderId: p.bigint('number').unique(),
    salesorderNo: p.string().length(100),
    status: p.string().length(50),
    /** sha256 of the latest distinct webhook content. */
    contentHash: p.string().length(64),
    /** Goes up by one with every distinct content; the ERP acknowledges a version. */
    version: p.integer().default(1),
    /** The order as handed to the ERP (the full order from GET /sales/orders/{id} when names came masked). */
    payload: p.json<Record<string, unknown>>(),
    /** Names arrived masked and the full order has not been fetched yet: not handed to the ERP meanwhile. */
    needsFetch: p.boolean().default(false),
    fetchAttempts: p.integer().default(0),
    fetchError: p.text().nullable(),
    fetchedAt: p.datetime().nullable(),
    firstReceivedAt: p.datetime(),
    changedAt: p.datetime(),
    ackedVersion: p.integer().default(0),
    ackedAt: p.datetime().nullable(),
  },
});
export type JubelioSalesOrder = InferEntity<typeof JubelioSalesOrder>;

export const JubelioSalesOrderEvent = defineEntity({
  name: 'JubelioSalesOrderEvent',
  tableName: 'jubelio_sales_order_event',
  uniques: [{ properties: ['salesOrder', 'contentHash'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    salesOrder: () => p.manyToOne(JubelioSalesOrder).deleteRule('cascade'),
    version: p.integer(),
    status: p.string().length(50),
    contentHash: p.string().length(64),
    /** The webhook payload as received. */
    payload: p.json<Record<string, unknown>>(),
    receivedAt: p.datetime(),
  },
});
export type JubelioSalesOrderEvent = InferEntity<typeof JubelioSalesOrderEvent>;

export const jubelioEntities = [JubelioProduct, JubelioSalesOrder, JubelioSalesOrderEvent];
