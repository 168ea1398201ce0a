// reconcile-seats: every RECONCILE_MINUTES, ask Maconomy afresh about the published course dates
// starting within RECONCILE_DAYS (a few at a time), store the answers as the shown counts, and
// record drift: Maconomy has fewer free seats than are held here (OVERCOMMITTED: some order in
// progress will be refused), or its count moved by more than our own syncs explain
// (UNEXPLAINED_CHANGE: seats sold or freed elsewhere). Operators see drift in `seatDrift`, in
// /metrics and in the log; an over-commitment is mailed to OPS_EMAIL once per date and day.
import type { Db, Em } from '../db/orm.js';
import { SeatDrift, type DriftKind } from './entities.js';
import { heldSeatsForHold } from './seats.js';
import type { SeatReader } from './maconomy-seats.js';

export interface ReconcileDeps {
  db: Db;
  seats: SeatReader;
  now: () => Date;
  days: number;
  concurrency: number;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /** Inside the transaction that opens or sees an over-commitment (queue the ops mail, keyed by date and day). */
  onOvercommitted?: (em: Em, drift: { courseDateId: string; maconomyId: string; maconomyFreeSeats: number; heldHere: number }) => Promise<void>;
}

export interface ReconcileResult {
  checked: number;
  overcommitted: number;
  unexplained: number;
  failed: number;
}

interface DateRow {
  id: string;
  maconomy_id: string;
  sync_seq: number | string;
  maconomy_free_seats: number | string;
  maconomy_free_seq: number | string;
}

export async function reconcileSeats(deps: ReconcileDeps): Promise<ReconcileResult> {
  const now = deps.now();
  const today = now.toISOString().slice(0, 10);
  const until = new Date(now.getTime() + deps.days * 86_400_000).toISOString().slice(0, 10);
  const rows = await deps.db
    .em()
    .getConnection()
    .execute<DateRow[]>(
      `select id, maconomy_id, sync_seq, maconomy_free_seats, maconomy_free_seq from course_date
       where published = ? and start_date >= ? and start_date <= ? order by start_date, id`,
      [true, today, until],
    );
  const result: ReconcileResult = { checked: 0, overcommitted: 0, unexplained: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        const found = await reconcileOne(deps, row, now);
        if (found === null) continue;
        result.checked++;
        if (found.has('OVERCOMMITTED')) result.overcommitted++;
        if (found.has('UNEXPLAINED_CHANGE')) result.unexplained++;
      } catch (err) {
        result.failed++;
        deps.log.warn({ maconomyId: row.maconomy_id, err: (err as Error).message }, 'reconcile-seats: could not check a course date');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency, rows.length)) }, worker));
  return result;
}

/** Checks one date; the kinds of drift seen, or null when Maconomy does not know the date. */
async function reconcileOne(deps: ReconcileDeps, row: DateRow, now: Date): Promise<Set<DriftKind> | null> {
  const em = deps.db.em();
  const before = { free: Number(row.maconomy_free_seats), seq: Number(row.maconomy_free_seq) };
  // Tagged with the sequence read with the row, before the question (see seats.ts).
  const answer = await deps.seats.readTagged(em, { id: row.id, maconomyId: row.maconomy_id }, Number(row.sync_seq), { fresh: true, purpose: 'background' });
  if (!answer) return null;
  const held = (await heldSeatsForHold(em, row.id, { now, answerSeq: answer.seq })).courseDate;
  const seen = new Map<DriftKind, number | null>();
  if (answer.freeSeats < held) seen.set('OVERCOMMITTED', null);
  if (before.seq <= answer.seq) {
    // Seats Maconomy accepted from us between the stored answer and this one explain a drop.
    const [acc] = await em
      .getConnection()
      .execute<{ n: number | string | null }[]>(
        `select sum(coalesce(synced_seats, seats)) as n from booking_order
         where course_date_id = ? and status in ('SYNCED', 'PARTIALLY_SYNCED') and synced_seq > ? and synced_seq <= ?`,
        [row.id, before.seq, answer.seq],
      );
    const expected = before.free - Number(acc?.n ?? 0);
    if (answer.freeSeats !== expected) seen.set('UNEXPLAINED_CHANGE', expected);
  }

  await em.transactional(async (tx) => {
    const open = await tx.find(SeatDrift, { courseDate: row.id, resolvedAt: null });
    for (const drift of open) if (!seen.has(drift.kind)) drift.resolvedAt = now;
    for (const [kind, expected] of seen) {
      const existing = open.find((d) => d.kind === kind);
      if (existing) {
        Object.assign(existing, { maconomyFreeSeats: answer.freeSeats, heldHere: held, expectedFreeSeats: expected, lastSeenAt: now });
      } else {
        tx.create(SeatDrift, { courseDate: row.id, kind, maconomyFreeSeats: answer.freeSeats, heldHere: held, expectedFreeSeats: expected, firstSeenAt: now, lastSeenAt: now, resolvedAt: null });
      }
      deps.log.warn(
        { maconomyId: row.maconomy_id, kind, maconomyFreeSeats: answer.freeSeats, heldHere: held, expectedFreeSeats: expected },
        kind === 'OVERCOMMITTED' ? 'seat drift: Maconomy has fewer free seats than are held here' : 'seat drift: Maconomy changed by more than our syncs explain',
      );
    }
    await tx.flush();
    if (seen.has('OVERCOMMITTED')) await deps.onOvercommitted?.(tx, { courseDateId: row.id, maconomyId: row.maconomy_id, maconomyFreeSeats: answer.freeSeats, heldHere: held });
  });
  return new Set(seen.keys());
}

/** Course dates with unresolved drift now (the kursus_seat_drift_dates gauge). */
export async function seatDriftDates(db: Db): Promise<number> {
  const [row] = await db.em().getConnection().execute<{ n: number | string }[]>('select count(distinct course_date_id) as n from seat_drift where resolved_at is null');
  return Number(row?.n ?? 0);
}
