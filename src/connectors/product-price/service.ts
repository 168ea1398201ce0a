// The Product Price API's rules: validation, ownership, overlap of validity windows, soft delete,
// search and ordering, and the documented record shape.
import { raw } from '@mikro-orm/core';
import type { Db, Em } from '../../db/orm.js';
import { ConnectorUser } from '../auth/entities.js';
import { isPlainText, UUID_RE } from '../http.js';
import { Product, ProductPrice, Shop } from './entities.js';
import { formatWallTime, parseWallTime, phpDateTime } from './dates.js';

export class PriceApiError extends Error {
  override name = 'PriceApiError';
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_PRICE = 999_999_999_999;
export const MAX_LIMIT = 1000;

export interface PriceRecord {
  deleted_at: null;
  status: string;
  id: string;
  price: string;
  product: string;
  startDate: string;
  endDate: string;
  shop: string;
  shopName: string | null;
  created: { date: string; timezone_type: 3; timezone: string };
  updated: { date: string; timezone_type: 3; timezone: string };
  createdBy: string;
  updatedBy: string;
  createdByName: string | null;
  updatedByName: string | null;
}

const refId = (r: unknown): string => (typeof r === 'string' ? r : (r as { id: string }).id);
const refName = (r: unknown): string | null => {
  const name = (r as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : null;
};

export function priceRecord(p: ProductPrice, timeZone: string): PriceRecord {
  return {
    deleted_at: null,
    status: p.status,
    id: p.id,
    price: String(p.price),
    product: refId(p.product),
    startDate: formatWallTime(p.startDate, timeZone),
    endDate: formatWallTime(p.endDate, timeZone),
    shop: refId(p.shop),
    shopName: refName(p.shop),
    created: phpDateTime(p.createdAt, timeZone),
    updated: phpDateTime(p.updatedAt, timeZone),
    createdBy: refId(p.createdBy),
    updatedBy: p.updatedBy ? refId(p.updatedBy) : '',
    createdByName: refName(p.createdBy),
    updatedByName: p.updatedBy ? refName(p.updatedBy) : null,
  };
}

export function namedRecord(x: Shop | Product, timeZone: string) {
  const base = { deleted_at: null, status: x.status, id: x.id, name: x.name };
  return {
    ...base,
    ...('sku' in x ? { sku: x.sku ?? null } : {}),
    created: phpDateTime(x.createdAt, timeZone),
    updated: phpDateTime(x.updatedAt, timeZone),
  };
}

// ---- input -----------------------------------------------------------------------------------

export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length !== 36 || !UUID_RE.test(value)) throw new PriceApiError(400, `${field} must be a 36-character id`);
  return value.toLowerCase();
}

export function pageParams(offsite: unknown, limit: unknown): { offset: number; limit: number } {
  const o = Number(offsite);
  if (typeof offsite !== 'string' || !/^\d+$/.test(offsite) || !Number.isSafeInteger(o)) throw new PriceApiError(400, 'offsite must be a whole number of 0 or more');
  const l = Number(limit);
  if (typeof limit !== 'string' || !/^\d+$/.test(limit) || l < 1 || l > MAX_LIMIT) throw new PriceApiError(400, `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return { offset: o, limit: l };
}

export interface PriceInput {
  price: number;
  shop: string;
  startDate: Date;
  endDate: Date;
  allowOverlap: boolean;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true') return true;
  if (value === 0 || value === '0' || value === 'false') return false;
  throw new PriceApiError(400, `${field} must be true or false`);
}

export function priceInput(body: Record<string, unknown>, timeZone: string, query: Record<string, unknown> = {}): PriceInput {
  const raw = body.price;
  if (raw === undefined || raw === null || raw === '') throw new PriceApiError(400, 'price is required');
  const price = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(price) || price < 0) throw new PriceApiError(400, 'price must be a whole number of 0 or more');
  if (price > MAX_PRICE) throw new PriceApiError(400, `price must be at most ${MAX_PRICE}`);
  if (body.shop === undefined || body.shop === null || body.shop === '') throw new PriceApiError(400, 'shop is required');
  const shop = requireId(body.shop, 'shop');
  const dates: Date[] = [];
  for (const field of ['startDate', 'endDate'] as const) {
    const v = body[field];
    if (v === undefined || v === null || v === '') throw new PriceApiError(400, `${field} is required`);
    const d = parseWallTime(v, timeZone, { endOfDay: field === 'endDate' });
    if (!d) throw new PriceApiError(400, `${field} must be a date-time such as 2022-10-08 00:00:00`);
    dates.push(d);
  }
  const [startDate, endDate] = dates as [Date, Date];
  if (startDate.getTime() > endDate.getTime()) throw new PriceApiError(400, 'startDate must not be after endDate');
  const allowOverlap = flag(body.allowOverlap ?? query.allowOverlap, 'allowOverlap');
  return { price, shop, startDate: seconds(startDate), endDate: seconds(endDate), allowOverlap };
}

// MySQL DATETIME keeps whole seconds (and rounds); store whole seconds on both databases.
const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

// ---- ordering and search ---------------------------------------------------------------------

// Maps, not object literals: a lookup of user input in an object finds inherited names too
// (`orderBy=constructor` found Object's constructor and answered 500).
const ORDER_FIELDS = new Map<string, string>([
  ['price', 'pp.price'],
  ['startdate', 'pp.start_date'],
  ['enddate', 'pp.end_date'],
  ['created', 'pp.created_at'],
  ['createdat', 'pp.created_at'],
  ['updated', 'pp.updated_at'],
  ['updatedat', 'pp.updated_at'],
  ['shopname', 's.name'],
  ['status', 'pp.status'],
  ['id', 'pp.id'],
]);
const OWNED_ORDER_FIELDS = new Map<string, string>([
  ['name', 'name'],
  ['created', 'createdAt'],
  ['createdat', 'createdAt'],
  ['updated', 'updatedAt'],
  ['updatedat', 'updatedAt'],
]);
export const ORDER_FIELD_NAMES = ['price', 'startDate', 'endDate', 'created', 'updated', 'shopName', 'status', 'id'];

/** `-price`, `price desc`, `price:asc`, comma-separated for several keys (at most 3). */
export function orderByClause(orderBy: unknown): string {
  if (orderBy === undefined || orderBy === '') return 'pp.created_at asc, pp.start_date asc, pp.id asc';
  if (typeof orderBy !== 'string') throw new PriceApiError(400, 'orderBy must be a field name such as -price or price desc');
  const terms = orderBy.split(',').map((t) => t.trim()).filter(Boolean);
  if (terms.length > 3) throw new PriceApiError(400, 'orderBy takes at most 3 fields');
  const sql: string[] = [];
  for (const term of terms) {
    const m = /^(-)?([A-Za-z_]+)(?:[\s:]+(asc|desc))?$/i.exec(term);
    const column = m ? ORDER_FIELDS.get(m[2]!.toLowerCase().replace(/_/g, '')) : undefined;
    if (!m || !column) throw new PriceApiError(400, `orderBy: unknown field "${term.slice(0, 40)}"; use one of ${ORDER_FIELD_NAMES.join(', ')}, with a - prefix or asc/desc`);
    const desc = m[1] === '-' || m[3]?.toLowerCase() === 'desc';
    sql.push(`${column} ${desc ? 'desc' : 'asc'}`);
  }
  return `${sql.join(', ')}, pp.id asc`;
}

// '!' as the LIKE escape: a backslash would itself need escaping in MySQL string literals but not in SQLite.
const escapeLike = (s: string) => s.replace(/[!%_]/g, (c) => `!${c}`);

// ---- queries ---------------------------------------------------------------------------------

const POPULATE = ['shop', 'createdBy', 'updatedBy'] as const;

async function ownProduct(em: Em, userId: string, productId: string): Promise<Product> {
  const product = await em.findOne(Product, { id: productId, owner: userId, deletedAt: null });
  if (!product) throw new PriceApiError(404, 'product not found');
  return product;
}

async function ownShop(em: Em, userId: string, shopId: string): Promise<Shop> {
  const shop = await em.findOne(Shop, { id: shopId, owner: userId, deletedAt: null });
  if (!shop) throw new PriceApiError(404, 'shop not found');
  return shop;
}

async function livePrice(em: Em, productId: string, priceId: string): Promise<ProductPrice> {
  const price = await em.findOne(ProductPrice, { id: priceId, product: productId, deletedAt: null }, { populate: POPULATE as never });
  if (!price) throw new PriceApiError(404, 'price not found');
  return price;
}

export async function listPrices(
  db: Db,
  args: { userId: string; productId: string; offset: number; limit: number; q?: unknown; orderBy?: unknown; timeZone: string },
): Promise<{ total: number; items: ProductPrice[] }> {
  const em = db.em();
  await ownProduct(em, args.userId, args.productId);
  const order = orderByClause(args.orderBy);
  const where = ['pp.product_id = ?', 'pp.deleted_at is null'];
  const params: unknown[] = [args.productId];
  if (args.q !== undefined && args.q !== '') {
    if (typeof args.q !== 'string' || args.q.length > 100 || !isPlainText(args.q)) throw new PriceApiError(400, 'q must be a search text of at most 100 characters, without control characters');
    const q = args.q.trim();
    // A term matches the shop's name, the exact price, or (a date) the prices valid on that day.
    const alternatives = [`lower(s.name) like ? escape '!'`];
    params.push(`%${escapeLike(q.toLowerCase())}%`);
    if (/^\d+$/.test(q) && Number(q) <= MAX_PRICE) {
      alternatives.push('pp.price = ?');
      params.push(Number(q));
    }
    const day = /^\d{4}-\d{2}-\d{2}$/.test(q) ? parseWallTime(q, args.timeZone) : null;
    if (day) {
      alternatives.push('(pp.start_date <= ? and pp.end_date >= ?)');
      params.push(parseWallTime(q, args.timeZone, { endOfDay: true }), day);
    }
    where.push(`(${alternatives.join(' or ')})`);
  }
  const from = `from product_price pp join connector_shop s on s.id = pp.shop_id where ${where.join(' and ')}`;
  const conn = em.getConnection();
  const [count] = await conn.execute<{ n: number | string }[]>(`select count(*) as n ${from}`, params);
  const rows = await conn.execute<{ id: string }[]>(`select pp.id as id ${from} order by ${order} limit ? offset ?`, [...params, args.limit, args.offset]);
  const ids = rows.map((r) => r.id);
  const found = ids.length ? await em.find(ProductPrice, { id: { $in: ids } }, { populate: POPULATE as never }) : [];
  const byId = new Map(found.map((p) => [p.id, p]));
  return { total: Number(count?.n ?? 0), items: ids.map((id) => byId.get(id)!).filter(Boolean) };
}

export async function getPrice(db: Db, args: { userId: string; productId: string; priceId: string }): Promise<ProductPrice> {
  const em = db.em();
  await ownProduct(em, args.userId, args.productId);
  return livePrice(em, args.productId, args.priceId);
}

/** Live prices of the product in the shop whose window overlaps [start, end] (both inclusive). */
async function overlapping(em: Em, productId: string, shopId: string, start: Date, end: Date, exceptId?: string): Promise<ProductPrice[]> {
  return em.find(
    ProductPrice,
    { product: productId, shop: shopId, deletedAt: null, startDate: { $lte: end }, endDate: { $gte: start }, ...(exceptId ? { id: { $ne: exceptId } } : {}) },
    { orderBy: { startDate: 'asc' }, limit: 5 },
  );
}

async function writeLocked<T>(db: Db, productId: string, fn: (tx: Em) => Promise<T>): Promise<T> {
  // Serialise writers per product (row lock on MySQL, the write lock on SQLite) so two concurrent
  // requests cannot both pass the overlap check (MySQL sessions run at READ COMMITTED, db/orm.ts).
  return db.em().transactional(async (tx) => {
    await tx.getConnection().execute('update connector_product set updated_at = updated_at where id = ?', [productId], 'run', tx.getTransactionContext());
    return fn(tx);
  });
}

function overlapError(clash: ProductPrice[], timeZone: string): PriceApiError {
  const first = clash[0]!;
  return new PriceApiError(
    409,
    `startDate..endDate overlaps price ${first.id} (${formatWallTime(first.startDate, timeZone)} to ${formatWallTime(first.endDate, timeZone)}) of this product in this shop; send allowOverlap: true to keep both`,
  );
}

export async function createPrice(db: Db, args: { userId: string; productId: string; input: PriceInput; now: Date; timeZone: string }): Promise<ProductPrice> {
  const id = await writeLocked(db, args.productId, async (tx) => {
    await ownProduct(tx, args.userId, args.productId);
    await ownShop(tx, args.userId, args.input.shop);
    if (!args.input.allowOverlap) {
      const clash = await overlapping(tx, args.productId, args.input.shop, args.input.startDate, args.input.endDate);
      if (clash.length) throw overlapError(clash, args.timeZone);
    }
    const at = seconds(args.now);
    const price = tx.create(ProductPrice, {
      product: args.productId,
      shop: args.input.shop,
      price: args.input.price,
      startDate: args.input.startDate,
      endDate: args.input.endDate,
      status: '1',
      createdAt: at,
      updatedAt: at,
      createdBy: args.userId,
      updatedBy: null,
      deletedAt: null,
    } as never);
    await tx.flush();
    return (price as ProductPrice).id;
  });
  return livePrice(db.em(), args.productId, id);
}

export async function updatePrice(
  db: Db,
  args: { userId: string; productId: string; priceId: string; input: PriceInput; now: Date; timeZone: string },
): Promise<ProductPrice> {
  await writeLocked(db, args.productId, async (tx) => {
    await ownProduct(tx, args.userId, args.productId);
    const price = await tx.findOne(ProductPrice, { id: args.priceId, product: args.productId, deletedAt: null });
    if (!price) throw new PriceApiError(404, 'price not found');
    await ownShop(tx, args.userId, args.input.shop);
    if (!args.input.allowOverlap) {
      const clash = await overlapping(tx, args.productId, args.input.shop, args.input.startDate, args.input.endDate, price.id);
      if (clash.length) throw overlapError(clash, args.timeZone);
    }
    price.price = args.input.price;
    price.shop = tx.getReference(Shop, args.input.shop) as never;
    price.startDate = args.input.startDate;
    price.endDate = args.input.endDate;
    price.updatedAt = seconds(args.now);
    price.updatedBy = tx.getReference(ConnectorUser, args.userId) as never;
    await tx.flush();
  });
  return livePrice(db.em(), args.productId, args.priceId);
}

export async function deletePrice(db: Db, args: { userId: string; productId: string; priceId: string; now: Date }): Promise<void> {
  await writeLocked(db, args.productId, async (tx) => {
    await ownProduct(tx, args.userId, args.productId);
    const n = await tx.nativeUpdate(ProductPrice, { id: args.priceId, product: args.productId, deletedAt: null }, { deletedAt: seconds(args.now), updatedBy: args.userId } as never);
    if (!n) throw new PriceApiError(404, 'price not found');
  });
}

/** The price in force at `at` in `shop`: the window containing it; with overlaps, the latest start wins, then the latest created. */
export async function currentPrice(db: Db, args: { userId: string; productId: string; shopId: string; at: Date }): Promise<ProductPrice | null> {
  const em = db.em();
  await ownProduct(em, args.userId, args.productId);
  await ownShop(em, args.userId, args.shopId);
  const [found] = await em.find(
    ProductPrice,
    { product: args.productId, shop: args.shopId, deletedAt: null, startDate: { $lte: args.at }, endDate: { $gte: args.at } },
    { orderBy: { startDate: 'desc', createdAt: 'desc', id: 'desc' }, limit: 1, populate: POPULATE as never },
  );
  return found ?? null;
}

export async function listOwned<T extends typeof Shop | typeof Product>(
  db: Db,
  entity: T,
  args: { userId: string; offset: number; limit: number; q?: unknown; orderBy?: unknown },
): Promise<{ total: number; items: (Shop | Product)[] }> {
  const where: Record<string | symbol, unknown> = { owner: args.userId, deletedAt: null };
  if (args.q !== undefined && args.q !== '') {
    if (typeof args.q !== 'string' || args.q.length > 100 || !isPlainText(args.q)) throw new PriceApiError(400, 'q must be a search text of at most 100 characters, without control characters');
    // The same LIKE escaping as the price list: "100_g" finds "100_g", not "100xg".
    where[raw((alias: string) => `lower(${alias}.name) like ? escape '!'`, [`%${escapeLike(args.q.trim().toLowerCase())}%`])] = [];
  }
  let orderBy: Record<string, 'asc' | 'desc'> = { createdAt: 'asc' };
  if (args.orderBy !== undefined && args.orderBy !== '') {
    const m = typeof args.orderBy === 'string' ? /^(-)?([A-Za-z_]+)(?:[\s:]+(asc|desc))?$/i.exec(args.orderBy.trim()) : null;
    const field = m ? OWNED_ORDER_FIELDS.get(m[2]!.toLowerCase().replace(/_/g, '')) : undefined;
    if (!m || !field) throw new PriceApiError(400, 'orderBy: use one of name, created, updated, with a - prefix or asc/desc');
    orderBy = { [field]: m[1] === '-' || m[3]?.toLowerCase() === 'desc' ? 'desc' : 'asc' };
  }
  const em = db.em();
  const [items, total] = await em.findAndCount(entity as typeof Shop, where as never, { orderBy: { ...orderBy, id: 'asc' } as never, limit: args.limit, offset: args.offset });
  return { total, items };
}
