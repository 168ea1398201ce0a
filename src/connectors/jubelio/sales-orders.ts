// Sales orders Jubelio sends by webhook, staged for the ERP: signature check on the raw body,
// storing the delivery, applying `update-salesorder` events (the same order and content twice is
// one record; other content is a new version with history), fetching the full order when names
// arrived masked, and the ERP's pull + acknowledge.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sql, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { canonicalJson } from '../../jobs/sql-backend.js';
import type { DeliveryOutcome } from '../commerce/deliveries.js';
import type { WebhookDelivery } from '../commerce/entities.js';
import type { JubelioClient } from './client.js';
import type { JubelioConfig } from './config.js';
import { JubelioSalesOrder, JubelioSalesOrderEvent } from './entities.js';
import { afterCursor, encodeCursor, type ChangeCursor } from '../change-cursor.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

/** Constant-time equality of two strings of any length (both hashed to 32 bytes first). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * Verifies a Jubelio webhook as configured (EXTERNAL-APIS.md: the scheme is not settled, so it is
 * configurable): `hmac-sha256` = hex HMAC-SHA256 of the raw body keyed with the secret;
 * `sha256` = hex SHA-256 of raw body + secret; `path` = the secret is the URL's last segment.
 */
export function verifyJubelioSignature(cfg: JubelioConfig['webhook'], raw: Buffer, headers: Record<string, string | string[] | undefined>, pathSecret: string | undefined): boolean {
  if (cfg.scheme === 'none') return true;
  if (cfg.scheme === 'path') return pathSecret !== undefined && safeEqual(pathSecret, cfg.secret);
  const header = headers[cfg.header] ?? headers['sign'] ?? headers['x-jubelio-signature'];
  const presented = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase().replace(/^sha256=/, '');
  if (!presented) return false;
  const expected =
    cfg.scheme === 'hmac-sha256'
      ? createHmac('sha256', cfg.secret).update(raw).digest('hex')
      : createHash('sha256').update(Buffer.concat([raw, Buffer.from(cfg.secret, 'utf8')])).digest('hex');
  return safeEqual(presented, expected);
}

/** Marketplaces hide buyer names and contacts with asterisks. */
export function looksMasked(p: Record<string, unknown>): boolean {
  return ['customer_name', 'shipping_full_name', 'customer_phone', 'customer_email'].some((k) => typeof p[k] === 'string' && (p[k] as string).includes('*'));
}

export const deliveryKeyOf = (payload: unknown) => createHash('sha256').update(canonicalJson(payload)).digest('hex');

export interface ApplyResult {
  salesorderId: number;
  outcome: 'created' | 'changed' | 'duplicate';
  needsFetch: boolean;
}

/** Applies one update-salesorder payload. Idempotent: content already seen for this order changes nothing. */
export async function applySalesOrderEvent(db: Db, payload: Record<string, unknown>, now: Date): Promise<ApplyResult> {
  const salesorderId = Number(payload.salesorder_id);
  if (!Number.isSafeInteger(salesorderId) || salesorderId <= 0) throw new TypeError('salesorder_id must be a positive whole number');
  const status = typeof payload.status === 'string' ? payload.status.slice(0, 50) : '';
  const hash = deliveryKeyOf(payload);
  const masked = looksMasked(payload);
  const attempt = () =>
    db.em().transactional(async (em) => {
      const order = await em.findOne(JubelioSalesOrder, { salesorderId });
      if (!order) {
        const created = em.create(JubelioSalesOrder, {
          salesorderId,
          salesorderNo: String(payload.salesorder_no ?? '').slice(0, 100),
          status,
          contentHash: hash,
          version: 1,
          payload,
          needsFetch: masked,
          firstReceivedAt: now,
          changedAt: now,
        });
        em.create(JubelioSalesOrderEvent, { salesOrder: created, version: 1, status, contentHash: hash, payload, receivedAt: now });
        return { salesorderId, outcome: 'created' as const, needsFetch: masked };
      }
      // A replay of any earlier content (not only the latest) must not move the order back.
      if (await em.count(JubelioSalesOrderEvent, { salesOrder: order, contentHash: hash })) return { salesorderId, outcome: 'duplicate' as const, needsFetch: order.needsFetch };
      const version = order.version + 1;
      // Masked names never overwrite names we already fetched: keep them until the new fetch.
      Object.assign(order, { status, contentHash: hash, version, payload: masked && !order.needsFetch ? { ...payload, ...pickNames(order.payload) } : payload, needsFetch: masked, fetchAttempts: 0, fetchError: null, changedAt: now });
      if (payload.salesorder_no) order.salesorderNo = String(payload.salesorder_no).slice(0, 100);
      em.create(JubelioSalesOrderEvent, { salesOrder: order, version, status, contentHash: hash, payload, receivedAt: now });
      return { salesorderId, outcome: 'changed' as const, needsFetch: masked };
    });
  try {
    return await attempt();
  } catch (err) {
    // Two deliveries of one order processed at once: the loser sees the winner's row on retry.
    if (err instanceof UniqueConstraintViolationException) return attempt();
    throw err;
  }
}

function pickNames(p: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const k of ['customer_name', 'shipping_full_name', 'customer_phone', 'customer_email']) if (k in p) out[k] = p[k];
  return out;
}

/** The processing job's handler for one Jubelio delivery. */
export async function handleJubelioDelivery(db: Db, delivery: WebhookDelivery, now: Date): Promise<DeliveryOutcome & { needsFetch?: boolean }> {
  let payload: unknown;
  try {
    payload = JSON.parse(delivery.body ?? '');
  } catch {
    return { status: 'FAILED', error: 'the stored body is not JSON', permanent: true };
  }
  if (delivery.event !== 'update-salesorder') return { status: 'IGNORED', keepBody: true };
  try {
    const r = await applySalesOrderEvent(db, payload as Record<string, unknown>, now);
    return { status: 'DONE', needsFetch: r.needsFetch };
  } catch (err) {
    if (err instanceof TypeError) return { status: 'FAILED', error: err.message, permanent: true };
    throw err;
  }
}

export const MAX_FETCH_ATTEMPTS = 10;

/** Fetches full orders for those whose names arrived masked (`jubelio-fetch-sales-orders`). */
export async function fetchMaskedSalesOrders(deps: { db: Db; client: JubelioClient; now: () => Date; log?: { warn(o: object, m?: string): void }; limit?: number }): Promise<{ fetched: number; failed: number }> {
  const { db, client } = deps;
  const rows = await db.em().find(JubelioSalesOrder, { needsFetch: true, fetchAttempts: { $lt: MAX_FETCH_ATTEMPTS } }, { orderBy: { changedAt: 'asc' }, limit: deps.limit ?? 200 });
  const counts = { fetched: 0, failed: 0 };
  for (const row of rows) {
    try {
      const full = await client.getSalesOrder(row.salesorderId);
      if (!full) throw new Error(`Jubelio has no sales order ${row.salesorderId}`);
      // Only if no newer event arrived meanwhile (that one needs its own fetch).
      await db.em().nativeUpdate(JubelioSalesOrder, { id: row.id, version: row.version }, { payload: { ...row.payload, ...full }, needsFetch: false, fetchedAt: deps.now(), fetchError: null });
      counts.fetched++;
    } catch (err) {
      counts.failed++;
      const message = (err as Error)?.message ?? String(err);
      await db.em().nativeUpdate(JubelioSalesOrder, { id: row.id, version: row.version }, { fetchAttempts: row.fetchAttempts + 1, fetchError: message.slice(0, 2000) });
      deps.log?.warn({ salesorderId: row.salesorderId, error: message }, 'jubelio-fetch-sales-orders: full order not fetched');
    }
  }
  return counts;
}

// ---- ERP side ------------------------------------------------------------------------------------

export interface SalesOrderListItem {
  salesorderId: number;
  salesorderNo: string;
  status: string;
  version: number;
  acknowledgedVersion: number;
  changedAt: string;
  order: Record<string, unknown>;
}

/**
 * Without `since`: orders whose current version the ERP has not acknowledged (new or changed).
 * With `since`: every order changed at or after it, acknowledged or not (to read again).
 * Orders whose full data is still being fetched are held back until it is there.
 */
export async function listSalesOrders(db: Db, q: { since?: Date; status?: string; limit: number; after?: ChangeCursor }): Promise<{ items: SalesOrderListItem[]; nextCursor: string | null }> {
  const where: Record<string, unknown>[] = [{ needsFetch: false }];
  if (q.since) where.push({ changedAt: { $gte: q.since } });
  else where.push({ ackedVersion: { $lt: sql.ref('version') } });
  if (q.status) where.push({ status: q.status });
  if (q.after) where.push(afterCursor(q.after));
  const rows = await db.em().find(JubelioSalesOrder, { $and: where } as never, { orderBy: { changedAt: 'asc', id: 'asc' }, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      salesorderId: r.salesorderId,
      salesorderNo: r.salesorderNo,
      status: r.status,
      version: r.version,
      acknowledgedVersion: r.ackedVersion,
      changedAt: r.changedAt.toISOString(),
      order: r.payload,
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
  };
}

export type AckResult = { found: false } | { found: true; conflict: true; currentVersion: number } | { found: true; conflict: false; acknowledgedVersion: number; currentVersion: number };

/** The ERP took `version` of the order. Idempotent; acknowledging an older version leaves the newer one pending. */
export async function ackSalesOrder(db: Db, salesorderId: number, version: number, now: Date): Promise<AckResult> {
  const em = db.em();
  const row = await em.findOne(JubelioSalesOrder, { salesorderId });
  if (!row) return { found: false };
  if (version > row.version) return { found: true, conflict: true, currentVersion: row.version };
  await em.nativeUpdate(JubelioSalesOrder, { id: row.id, ackedVersion: { $lt: version } }, { ackedVersion: version, ackedAt: now });
  const fresh = await db.em().findOneOrFail(JubelioSalesOrder, { id: row.id });
  return { found: true, conflict: false, acknowledgedVersion: fresh.ackedVersion, currentVersion: fresh.version };
}
