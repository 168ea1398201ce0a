// Optimakers webhooks: thin messages `{Id, CreatedAt, Token, EventSource, WebhookRegistrationId,
// Ids}` in any property casing. The receiver checks the security token (constant time), stores the
// message once per `Id` and answers; `optimakers-process-webhooks` then fetches each entity. An
// imported order that became realised sets its BaseLinker order to `baselinkerOrderStatusToSend`,
// once. Product created/updated/deleted events are kept for the ERP (list + acknowledge).
import { createHash, timingSafeEqual } from 'node:crypto';
import { sql, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import type { DeliveryOutcome } from '../commerce/deliveries.js';
import type { WebhookDelivery } from '../commerce/entities.js';
import type { BaseLinkerClient } from './baselinker-client.js';
import type { OptimakersClient } from './optimakers-client.js';
import type { BridgeConfig } from './config.js';
import { BridgeOrder, OptimakersProductChange } from './entities.js';
import { isPlainText } from '../http.js';
import { afterCursor, encodeCursor, type ChangeCursor } from '../change-cursor.js';

export interface OptimakersMessage {
  id: string;
  token: string;
  eventSource: string;
  ids: number[];
  createdAt: string | null;
}

/** Reads a message whatever the casing of its properties; null + reason when a required one is missing. */
export function readMessage(body: unknown): { message: OptimakersMessage } | { error: string; field: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { error: 'the body must be a JSON object', field: '(body)' };
  const byLower = new Map(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const id = byLower.get('id');
  const token = byLower.get('token');
  const eventSource = byLower.get('eventsource');
  const ids = byLower.get('ids');
  if (typeof token !== 'string') return { error: 'Token is missing', field: 'Token' };
  if (typeof id !== 'string' || !/^[0-9a-zA-Z-]{1,64}$/.test(id)) return { error: 'Id must be the message GUID', field: 'Id' };
  if (typeof eventSource !== 'string' || !eventSource || eventSource.length > 100 || !isPlainText(eventSource)) return { error: 'EventSource must be a string such as order.updated', field: 'EventSource' };
  const list = Array.isArray(ids) ? ids : ids === undefined || ids === null ? [] : [ids];
  const numbers = list.map((x) => Number(x));
  if (numbers.some((n) => !Number.isSafeInteger(n) || n <= 0) || numbers.length > 1000) return { error: 'Ids must be a list of entity ids', field: 'Ids' };
  const createdAt = byLower.get('createdat');
  return { message: { id: id.toLowerCase(), token, eventSource, ids: numbers, createdAt: typeof createdAt === 'string' ? createdAt : null } };
}

export function tokenMatches(presented: string, configured: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(presented), h(configured));
}

/** `Order.Updated`, `order_updated`, `ORDER-UPDATED` -> `order.updated`. */
export const normaliseEvent = (e: string) => e.trim().toLowerCase().replace(/[\s_-]+/g, '.');

export interface ProcessDeps {
  db: Db;
  baselinker: BaseLinkerClient;
  optimakers: OptimakersClient;
  config: BridgeConfig;
  now: () => Date;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

/** Sets the BaseLinker status of a realised order, once (claimed by a conditional UPDATE). */
export async function sendRealisedStatus(deps: ProcessDeps, row: BridgeOrder): Promise<'sent' | 'already'> {
  const { db } = deps;
  if (row.statusSentAt) return 'already';
  if (!row.realisedAt) {
    const claimed = await db.em().nativeUpdate(BridgeOrder, { id: row.id, realisedAt: null }, { realisedAt: deps.now(), updatedAt: deps.now() });
    if (claimed !== 1) return 'already'; // another worker is on it; its retry path finishes it
  }
  try {
    await deps.baselinker.setOrderStatus(row.baselinkerOrderId, deps.config.baselinker.orderStatusToSend);
  } catch (err) {
    await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { statusError: ((err as Error).message ?? String(err)).slice(0, 2000), updatedAt: deps.now() });
    throw err;
  }
  await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { statusSentAt: deps.now(), statusError: null, updatedAt: deps.now() });
  deps.log?.info({ baselinkerOrderId: row.baselinkerOrderId, optimakersOrderId: row.optimakersOrderId, statusId: deps.config.baselinker.orderStatusToSend }, 'realised in Optimakers: BaseLinker status set');
  return 'sent';
}

/**
 * Records a product's latest state for the ERP. Deliveries may be processed out of order and at the
 * same time, so the event is not the webhook's word but what we know: the first sighting is
 * `created`, later ones `updated`, a product Optimakers no longer has `deleted`; and the version is
 * bumped by a conditional UPDATE, so two concurrent deliveries make two versions, never one.
 */
async function recordProduct(db: Db, productId: number, payload: Record<string, unknown> | null, now: Date) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const em = db.em();
    const row = await em.findOne(OptimakersProductChange, { productId });
    if (!row) {
      try {
        em.create(OptimakersProductChange, { productId, event: payload ? 'created' : 'deleted', version: 1, payload, changedAt: now });
        await em.flush();
        return;
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) continue; // recorded meanwhile: update it
        throw err;
      }
    }
    const changed = await em.nativeUpdate(
      OptimakersProductChange,
      { id: row.id, version: row.version },
      { event: payload ? 'updated' : 'deleted', version: row.version + 1, payload, changedAt: now },
    );
    if (changed === 1) return;
  }
  throw new Error(`product ${productId} changed concurrently too often; the delivery is retried`);
}

export async function handleOptimakersDelivery(deps: ProcessDeps, delivery: WebhookDelivery): Promise<DeliveryOutcome> {
  let body: unknown;
  try {
    body = JSON.parse(delivery.body ?? '');
  } catch {
    return { status: 'FAILED', error: 'the stored body is not JSON', permanent: true };
  }
  const read = readMessage({ Token: '', ...(body as object) });
  if ('error' in read) return { status: 'FAILED', error: read.error, permanent: true };
  const { ids } = read.message;
  const event = normaliseEvent(read.message.eventSource);
  const kind = /^order\.(updated|update|realised|realized)$/.test(event) ? 'order' : /^product\.(created|updated|deleted|create|update|delete)$/.test(event) ? 'product' : null;
  if (!kind) return { status: 'IGNORED', keepBody: true };
  if (kind === 'order') {
    let ours = 0;
    for (const id of ids) {
      const row = await deps.db.em().findOne(BridgeOrder, { optimakersOrderId: id });
      if (!row) continue; // not an order this bridge imported
      ours++;
      if (row.statusSentAt) continue;
      const order = await deps.optimakers.getOrder(id);
      if (order?.realised) await sendRealisedStatus(deps, row);
    }
    return ours ? { status: 'DONE' } : { status: 'IGNORED', keepBody: true };
  }
  const action = event.split('.')[1]!;
  for (const id of ids) {
    const product = action.startsWith('delet') ? null : await deps.optimakers.getProduct(id);
    await recordProduct(deps.db, id, product ? (product as Record<string, unknown>) : null, deps.now());
  }
  return { status: 'DONE' };
}

/** Realised orders whose BaseLinker status could not be set yet (error, or a worker died). */
export async function retryRealisedStatuses(deps: ProcessDeps): Promise<number> {
  const stale = new Date(deps.now().getTime() - 60_000);
  const rows = await deps.db.em().find(BridgeOrder, { realisedAt: { $ne: null, $lt: stale }, statusSentAt: null }, { limit: 50 });
  let sent = 0;
  for (const row of rows) {
    try {
      if ((await sendRealisedStatus(deps, row)) === 'sent') sent++;
    } catch (err) {
      deps.log?.warn({ baselinkerOrderId: row.baselinkerOrderId, error: (err as Error).message }, 'BaseLinker status still not set');
    }
  }
  return sent;
}

// ---- ERP side: product changes ------------------------------------------------------------------

/**
 * Like the Jubelio sales orders: without `since`, the products whose latest change the ERP has not
 * acknowledged; with `since`, every product changed at or after it. Paged by `after` = nextCursor.
 */
export async function listProductChanges(db: Db, q: { since?: Date; event?: string; limit: number; after?: ChangeCursor }) {
  const where: Record<string, unknown>[] = [];
  if (q.since) where.push({ changedAt: { $gte: q.since } });
  else where.push({ ackedVersion: { $lt: sql.ref('version') } });
  if (q.event) where.push({ event: q.event });
  if (q.after) where.push(afterCursor(q.after));
  const rows = await db.em().find(OptimakersProductChange, { $and: where } as never, { orderBy: { changedAt: 'asc', id: 'asc' }, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ productId: r.productId, event: r.event, version: r.version, acknowledgedVersion: r.ackedVersion, changedAt: r.changedAt.toISOString(), product: r.payload ?? null })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
  };
}

export async function ackProductChange(db: Db, productId: number, version: number, now: Date) {
  const row = await db.em().findOne(OptimakersProductChange, { productId });
  if (!row) return { found: false as const };
  if (version > row.version) return { found: true as const, conflict: true as const, currentVersion: row.version };
  await db.em().nativeUpdate(OptimakersProductChange, { id: row.id, ackedVersion: { $lt: version } }, { ackedVersion: version, ackedAt: now });
  const fresh = await db.em().findOneOrFail(OptimakersProductChange, { id: row.id });
  return { found: true as const, conflict: false as const, acknowledgedVersion: fresh.ackedVersion, currentVersion: fresh.version };
}
