// The Product Price API's tables: a connector user's shops and products, and product prices with
// a validity window per shop. Deletes are soft (deleted_at), as in the documented API.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ConnectorUser } from '../auth/entities.js';

export const Shop = defineEntity({
  name: 'Shop',
  tableName: 'connector_shop',
  indexes: [{ properties: ['owner', 'deletedAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    owner: () => p.manyToOne(ConnectorUser).deleteRule('cascade'),
    name: p.string().length(200),
    status: p.string().length(1).default('1'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
});
export type Shop = InferEntity<typeof Shop>;

export const Product = defineEntity({
  name: 'Product',
  tableName: 'connector_product',
  indexes: [{ properties: ['owner', 'deletedAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    owner: () => p.manyToOne(ConnectorUser).deleteRule('cascade'),
    name: p.string().length(200),
    sku: p.string().length(100).nullable(),
    status: p.string().length(1).default('1'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
});
export type Product = InferEntity<typeof Product>;

export const ProductPrice = defineEntity({
  name: 'ProductPrice',
  tableName: 'product_price',
  indexes: [{ properties: ['product', 'shop', 'deletedAt'] }, { properties: ['product', 'deletedAt', 'createdAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    product: () => p.manyToOne(Product).deleteRule('cascade'),
    shop: () => p.manyToOne(Shop).deleteRule('cascade'),
    /** Whole currency units (the documented API has integer prices). */
    price: p.bigint('number'),
    /** Validity window, inclusive at both ends; stored as UTC instants. */
    startDate: p.datetime(),
    endDate: p.datetime(),
    status: p.string().length(1).default('1'),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    createdBy: () => p.manyToOne(ConnectorUser).deleteRule('cascade'),
    /** null until the first update (shown as `updatedBy: ""`, as documented). */
    updatedBy: () => p.manyToOne(ConnectorUser).nullable().deleteRule('set null'),
    deletedAt: p.datetime().nullable(),
  },
});
export type ProductPrice = InferEntity<typeof ProductPrice>;

export const productPriceEntities = [Shop, Product, ProductPrice];
