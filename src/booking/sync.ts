// sync-order: creates an order's participants in Maconomy, exactly once each.
//
// Each participant carries an idempotency key `${orderId}:${position}` (Maconomy's external
// reference). Every created participant is recorded at once, in its own write, so a crash loses at
// most the knowledge of one participant. Whenever an earlier attempt may have reached Maconomy
// (any attempt after the first: a timeout, a reset, or a worker killed mid-sync), the job first
// reads /api/participant/{id} and adopts participants that already carry our key, before it
// sends anything again.
// When Maconomy finally refuses participants (409 no free seats and the like, on the last attempt:
// seats may free up between attempts), the order is recorded as PARTIALLY_SYNCED with each
// participant's state, and the mails say who is booked. Acceptance is recorded in one transaction
// with the course date's sync sequence (seats.ts), then the date's shown count is refreshed.
import type { Db, Em } from '../db/orm.js';
import type { MaconomyClient } from '../integrations/maconomy/index.js';
import { MaconomyError } from '../integrations/maconomy/index.js';
import { Order, Participant } from './entities.js';
import type { SeatReader } from './maconomy-seats.js';

export type SyncOutcome =
  | { status: 'synced'; created: number; adopted: number }
  | { status: 'partially-synced'; created: number; adopted: number; refused: number }
  | { status: 'already-synced' }
  | { status: 'not-placed'; orderStatus: string };

export interface SyncDeps {
  db: Db;
  maconomy: Pick<MaconomyClient, 'createParticipant' | 'listParticipants'>;
  /** Refreshes the course date's shown count after acceptance (optional: tests of the sync alone). */
  seats?: SeatReader;
  /** Attempts in all (SYNC_ATTEMPTS): on the last one, refusals are final. Default 1. */
  maxAttempts?: number;
  /** Runs inside the transaction that records the outcome (queue the confirmations with it). */
  onAccepted?: (em: Em, orderId: string) => Promise<void>;
  now?: () => Date;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

export const externalRef = (orderId: string, position: number) => `${orderId}:${position}`;

/** Maconomy said no to this participant for good (no free seats, closed date, invalid data), as opposed to a failure worth retrying. */
export function isRefusal(err: unknown): err is MaconomyError {
  if (!(err instanceof MaconomyError)) return false;
  if (err.kind === 'no_seats') return true;
  return err.kind === 'http' && err.status !== undefined && err.status >= 400 && err.status < 500 && ![401, 403, 404, 408, 429].includes(err.status);
}

export async function syncOrder(deps: SyncDeps, orderId: string): Promise<SyncOutcome> {
  const now = deps.now ?? (() => new Date());
  const em = deps.db.em();
  const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
  if (!order) return { status: 'not-placed', orderStatus: 'MISSING' };
  if (order.status === 'SYNCED' || order.status === 'PARTIALLY_SYNCED') return { status: 'already-synced' };
  if (order.status !== 'PLACED' && order.status !== 'SYNC_FAILED') return { status: 'not-placed', orderStatus: order.status };

  const previousAttempts = order.syncAttempts;
  const finalAttempt = previousAttempts + 1 >= (deps.maxAttempts ?? 1);
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

  const refused: { participant: Participant; reason: string }[] = [];
  for (const p of pending.filter((x) => !x.maconomyParticipantId)) {
    try {
      const { participant } = await deps.maconomy.createParticipant({
        maconomyId,
        externalRef: externalRef(order.id, p.position),
        firstName: p.firstName,
        lastName: p.lastName,
        email: p.email,
        phone: p.phone ?? null,
        // Stored at checkout (a participant without one has the booker's): what the API shows.
        company: p.company ?? null,
      });
      await recordParticipant(deps.db, p, participant.participantId, now());
      p.maconomyParticipantId = participant.participantId;
      created++;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      refused.push({ participant: p, reason: err.upstreamCode ?? `HTTP ${err.status}` });
    }
  }
  if (refused.length && !finalAttempt)
    throw new Error(`Maconomy refused ${refused.length} participant(s) (${refused[0]!.reason}); trying again, the last attempt makes it final`);

  const accepted = order.participants.getItems().filter((p) => !!p.maconomyParticipantId).length;
  const status = refused.length ? 'PARTIALLY_SYNCED' : 'SYNCED';
  const at = now();
  const recorded = await deps.db.em().transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    // The sequence first: any process that reads it from now on asks Maconomy after these
    // participants were sent, so its answer contains them.
    await conn.execute('update course_date set sync_seq = sync_seq + 1 where id = ?', [order.courseDate.id], 'run', ctx);
    const changed = await conn.execute<{ affectedRows?: number }>(
      `update booking_order set status = ?, synced_at = ?, synced_seats = ?, synced_seq = (select sync_seq from course_date where id = ?),
       last_sync_error = ?, updated_at = ? where id = ? and status in ('PLACED', 'SYNC_FAILED')`,
      [status, at, accepted, order.courseDate.id, refused.length ? `Maconomy refused ${refused.length} participant(s): ${refused[0]!.reason}` : null, at, order.id],
      'run',
      ctx,
    );
    if (Number(changed.affectedRows ?? 0) !== 1) return false;
    for (const r of refused) await tx.nativeUpdate(Participant, { id: r.participant.id }, { maconomyState: 'REFUSED', refusalReason: r.reason.slice(0, 200) });
    await deps.onAccepted?.(tx, order.id);
    return true;
  });
  if (!recorded) return { status: 'already-synced' };

  // The shown count is already right (the order is counted until an answer tagged after it); a
  // fresh answer, asked in the background (one at a time per date), replaces the stored count and
  // catches what else changed in Maconomy. The sync does not wait for it.
  deps.seats?.refreshSoon(deps.db.em(), order.courseDate);
  if (refused.length) {
    deps.log?.warn({ orderId: order.id, maconomyId, accepted, refused: refused.length, reason: refused[0]!.reason }, 'order partially synced: Maconomy refused participants');
    return { status: 'partially-synced', created, adopted, refused: refused.length };
  }
  deps.log?.info({ orderId: order.id, maconomyId, created, adopted, attempt: previousAttempts + 1 }, 'order synced to Maconomy');
  return { status: 'synced', created, adopted };
}

async function recordParticipant(db: Db, p: Participant, maconomyParticipantId: string, at: Date) {
  await db.em().nativeUpdate(Participant, { id: p.id }, { maconomyParticipantId, syncedAt: at, maconomyState: 'ACCEPTED' });
}

/** After the last attempt: the order keeps its seats (Maconomy may still get them) and waits for an operator. */
export async function markSyncFailed(db: Db, orderId: string, error: string, now = new Date()): Promise<boolean> {
  const n = await db.em().nativeUpdate(Order, { id: orderId, status: 'PLACED' }, { status: 'SYNC_FAILED', lastSyncError: error.slice(0, 2000), updatedAt: now });
  return n === 1;
}

export async function recordSyncError(db: Db, orderId: string, error: string, now = new Date()): Promise<void> {
  await db.em().nativeUpdate(Order, { id: orderId }, { lastSyncError: error.slice(0, 2000), updatedAt: now });
}
