// sync-order: creates an order's participants in Maconomy, exactly once each.
//
// Each participant carries an idempotency key `${orderId}:${position}` (Maconomy's external
// reference). Every created participant is recorded at once, in its own write, so a crash loses at
// most the knowledge of one participant. Whenever an earlier attempt may have reached Maconomy
// (any attempt after the first: a timeout, a reset, or a worker killed mid-sync), the job first
// reads /api/participant/{id} and adopts participants that already carry our key, before it
// sends anything again.
import type { Db } from '../db/orm.js';
import type { MaconomyClient } from '../integrations/maconomy/index.js';
import { Order, Participant } from './entities.js';

export type SyncOutcome =
  | { status: 'synced'; created: number; adopted: number }
  | { status: 'already-synced' }
  | { status: 'not-placed'; orderStatus: string };

export interface SyncDeps {
  db: Db;
  maconomy: Pick<MaconomyClient, 'createParticipant' | 'listParticipants' | 'invalidateSeats'>;
  now?: () => Date;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

export const externalRef = (orderId: string, position: number) => `${orderId}:${position}`;

export async function syncOrder(deps: SyncDeps, orderId: string): Promise<SyncOutcome> {
  const now = deps.now ?? (() => new Date());
  const em = deps.db.em();
  const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
  if (!order) return { status: 'not-placed', orderStatus: 'MISSING' };
  if (order.status === 'SYNCED') return { status: 'already-synced' };
  if (order.status !== 'PLACED' && order.status !== 'SYNC_FAILED') return { status: 'not-placed', orderStatus: order.status };

  const previousAttempts = order.syncAttempts;
  // Counted before any call, so a worker that dies mid-sync leaves a trace for the next attempt.
  await deps.db.em().nativeUpdate(Order, { id: order.id }, { syncAttempts: previousAttempts + 1, updatedAt: now() });

  const maconomyId = order.courseDate.maconomyId;
  const pending = order.participants.getItems().filter((p) => !p.maconomyParticipantId);
  let adopted = 0;
  let created = 0;

  if (pending.length && previousAttempts > 0) {
    const known = new Map((await deps.maconomy.listParticipants(maconomyId)).map((p) => [p.externalRef, p.participantId]));
    for (const p of pending) {
      const id = known.get(externalRef(order.id, p.position));
      if (id) {
        await recordParticipant(deps.db, p, id, now());
        p.maconomyParticipantId = id;
        adopted++;
      }
    }
  }

  for (const p of pending.filter((x) => !x.maconomyParticipantId)) {
    const { participant } = await deps.maconomy.createParticipant({
      maconomyId,
      externalRef: externalRef(order.id, p.position),
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      phone: p.phone ?? null,
      company: p.company ?? order.bookerCompany ?? null,
    });
    await recordParticipant(deps.db, p, participant.participantId, now());
    created++;
  }

  const at = now();
  await deps.db.em().nativeUpdate(
    Order,
    { id: order.id, status: { $in: ['PLACED', 'SYNC_FAILED'] } },
    { status: 'SYNCED', syncedAt: at, lastSyncError: null, updatedAt: at },
  );
  deps.maconomy.invalidateSeats(maconomyId);
  deps.log?.info({ orderId: order.id, maconomyId, created, adopted, attempt: previousAttempts + 1 }, 'order synced to Maconomy');
  return { status: 'synced', created, adopted };
}

async function recordParticipant(db: Db, p: Participant, maconomyParticipantId: string, at: Date) {
  await db.em().nativeUpdate(Participant, { id: p.id }, { maconomyParticipantId, syncedAt: at });
}

/** After the last attempt: the order keeps its seats (Maconomy may still get them) and waits for an operator. */
export async function markSyncFailed(db: Db, orderId: string, error: string, now = new Date()): Promise<boolean> {
  const n = await db.em().nativeUpdate(Order, { id: orderId, status: 'PLACED' }, { status: 'SYNC_FAILED', lastSyncError: error.slice(0, 2000), updatedAt: now });
  return n === 1;
}

export async function recordSyncError(db: Db, orderId: string, error: string, now = new Date()): Promise<void> {
  await db.em().nativeUpdate(Order, { id: orderId }, { lastSyncError: error.slice(0, 2000), updatedAt: now });
}
