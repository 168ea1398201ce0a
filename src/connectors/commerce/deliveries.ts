// Inbound webhook deliveries of the commerce connectors: stored before the 2xx answer (one row per
// provider message id or content hash, so a redelivery is recognised), then processed by a job
// that claims each row atomically, so two workers never process one delivery.
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db, Em } from '../../db/orm.js';
import { WebhookDelivery, ConnectorJobRun, type RunStatus } from './entities.js';

export type Provider = 'jubelio' | 'optimakers';
export const MAX_DELIVERY_ATTEMPTS = 8;
/** A claim older than this is considered abandoned (the worker died). */
const CLAIM_TIMEOUT_MS = 5 * 60_000;

/**
 * Stores a delivery inside `em`'s transaction. Returns `duplicate: true` when the same key was
 * stored before (its duplicate counter goes up; nothing else changes).
 */
export async function storeDelivery(db: Db, d: { provider: Provider; key: string; event: string; body: string | null; now: Date }, afterInsert?: (em: Em, id: string) => Promise<void>): Promise<{ id: string; duplicate: boolean }> {
  try {
    return await db.em().transactional(async (em) => {
      const row = em.create(WebhookDelivery, { provider: d.provider, deliveryKey: d.key, event: d.event.slice(0, 100), body: d.body, nextAttemptAt: d.now, receivedAt: d.now });
      await em.flush();
      await afterInsert?.(em, row.id);
      return { id: row.id, duplicate: false };
    });
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    const em = db.em();
    const existing = await em.findOneOrFail(WebhookDelivery, { provider: d.provider, deliveryKey: d.key });
    await em.nativeUpdate(WebhookDelivery, { id: existing.id }, { duplicates: existing.duplicates + 1 });
    return { id: existing.id, duplicate: true };
  }
}

export type DeliveryOutcome = { status: 'DONE' | 'IGNORED'; keepBody?: boolean } | { status: 'FAILED'; error: string; permanent?: boolean };

/**
 * Processes due deliveries of one provider (or just `onlyId`), each claimed with a conditional
 * UPDATE. A failure is retried with backoff up to MAX_DELIVERY_ATTEMPTS.
 */
export async function processDeliveries(
  db: Db,
  provider: Provider,
  handle: (delivery: WebhookDelivery) => Promise<DeliveryOutcome>,
  opts: { now: () => Date; onlyId?: string; limit?: number },
): Promise<{ done: number; ignored: number; failed: number }> {
  const counts = { done: 0, ignored: 0, failed: 0 };
  const now = opts.now();
  const where: Record<string, unknown> = {
    provider,
    status: { $in: ['RECEIVED', 'FAILED'] },
    attempts: { $lt: MAX_DELIVERY_ATTEMPTS },
    nextAttemptAt: { $lte: now },
    $or: [{ claimedAt: null }, { claimedAt: { $lt: new Date(now.getTime() - CLAIM_TIMEOUT_MS) } }],
  };
  if (opts.onlyId) where.id = opts.onlyId;
  const candidates = await db.em().find(WebhookDelivery, where as never, { orderBy: { receivedAt: 'asc', id: 'asc' }, limit: opts.limit ?? 500 });
  for (const c of candidates) {
    const claimedAt = opts.now();
    const claimed = await db.em().nativeUpdate(WebhookDelivery, { id: c.id, attempts: c.attempts, claimedAt: c.claimedAt ?? null }, { claimedAt, attempts: c.attempts + 1 });
    if (claimed !== 1) continue; // another worker has it
    let outcome: DeliveryOutcome;
    try {
      outcome = await handle(c);
    } catch (err) {
      outcome = { status: 'FAILED', error: (err as Error)?.message ?? String(err) };
    }
    const attempts = c.attempts + 1;
    if (outcome.status === 'FAILED') {
      const permanent = outcome.permanent || attempts >= MAX_DELIVERY_ATTEMPTS;
      // 1, 2, 4, ... minutes, at most an hour.
      const delay = Math.min(60, 2 ** (attempts - 1)) * 60_000;
      await db.em().nativeUpdate(WebhookDelivery, { id: c.id }, { status: 'FAILED', lastError: outcome.error.slice(0, 2000), claimedAt: null, nextAttemptAt: new Date(opts.now().getTime() + delay), ...(permanent ? { attempts: MAX_DELIVERY_ATTEMPTS } : {}) });
      counts.failed++;
    } else {
      await db.em().nativeUpdate(WebhookDelivery, { id: c.id }, { status: outcome.status, lastError: null, claimedAt: null, processedAt: opts.now(), ...(outcome.keepBody ? {} : { body: null }) });
      if (outcome.status === 'DONE') counts.done++;
      else counts.ignored++;
    }
  }
  return counts;
}

/** Records one run of a connector job (admins read them at GET /api/admin/jobs/{name}). */
export async function recordRun<T extends object>(db: Db, job: string, now: () => Date, fn: () => Promise<T>, opts: { skipIfIdle?: (r: T) => boolean; partial?: (r: T) => string | null } = {}): Promise<T> {
  const startedAt = now();
  try {
    const result = await fn();
    if (opts.skipIfIdle?.(result)) return result;
    const partial = opts.partial?.(result) ?? null;
    const status: RunStatus = partial ? 'PARTIAL' : 'OK';
    await db.em().insert(ConnectorJobRun, { id: randomUUID(), job, startedAt, finishedAt: now(), status, counts: result as Record<string, number>, error: partial } as never);
    return result;
  } catch (err) {
    await db
      .em()
      .insert(ConnectorJobRun, { id: randomUUID(), job, startedAt, finishedAt: now(), status: 'FAILED', counts: null, error: ((err as Error)?.message ?? String(err)).slice(0, 4000) } as never)
      .catch(() => undefined);
    throw err;
  }
}
