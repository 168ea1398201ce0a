// Seat accounting (ARCHITECTURE section 8).
//
// free seats = Maconomy's free seats - seats held locally by orders Maconomy does not know yet.
// An order is counted locally while RESERVED (and its hold has not expired), PLACED or
// SYNC_FAILED. A SYNCED (or PARTIALLY_SYNCED) order is counted by Maconomy, except when the
// Maconomy answer we combine it with may not contain it yet.
//
// "May not contain it yet" is decided without clocks. Each course date has a sync sequence
// (course_date.sync_seq), bumped in the transaction that records an order as accepted by
// Maconomy, after its participants were sent; the order keeps the value (synced_seq). Whoever asks
// Maconomy reads the date's sequence first and tags the answer with it. An order with synced_seq
// above the answer's tag was accepted after that read, so the answer may or may not contain it:
// it is counted here (at worst twice, for a moment: never once too few). An order at or below the
// tag was sent to Maconomy before the question, so the answer contains it. Clocks of different
// hosts and DATETIME precision (MariaDB drops milliseconds) play no part.
//
// Expired holds are ignored here, at query time; the expiry job only tidies.
import { selectBound, type Em } from '../db/orm.js';

export interface HeldSeatsOptions {
  now: Date;
  /**
   * The sync sequence the Maconomy answer combined with this count was tagged with; orders
   * accepted by Maconomy after it are still counted. Absent: only orders Maconomy does not know.
   */
  answerSeq?: number;
  /** An order whose own seats are being changed, left out of the count. */
  excludeOrderId?: string;
}

/** Seats an order holds in a count (`alias` the order): all of them, or those Maconomy accepted. */
const seatsOf = (alias: string) => `(case when ${alias}.status in ('SYNCED', 'PARTIALLY_SYNCED') then coalesce(${alias}.synced_seats, ${alias}.seats) else ${alias}.seats end)`;

/** Orders accepted by Maconomy after an answer tagged `seqSql` (an SQL expression or `?`). */
const acceptedAfter = (alias: string, seqSql: string) => `(${alias}.status in ('SYNCED', 'PARTIALLY_SYNCED') and ${alias}.synced_seq > ${seqSql})`;

function heldCondition(alias: string, opts: HeldSeatsOptions): { sql: string; params: unknown[] } {
  const parts = [
    `(${alias}.status = 'RESERVED' and ${alias}.expires_at > ?)`,
    `${alias}.status in ('PLACED', 'SYNC_FAILED')`,
  ];
  const params: unknown[] = [opts.now];
  if (opts.answerSeq !== undefined) {
    parts.push(acceptedAfter(alias, '?'));
    params.push(opts.answerSeq);
  }
  let sql = `(${parts.join(' or ')})`;
  if (opts.excludeOrderId) {
    sql += ` and ${alias}.id <> ?`;
    params.push(opts.excludeOrderId);
  }
  return { sql, params };
}

/**
 * Seats left to show per course date, for many dates in one query: the stored Maconomy count
 * minus what is held here and what Maconomy accepted after that count was asked for (the count and
 * its tag read in the same statement).
 */
export async function shownSeatsByCourseDate(em: Em, courseDateIds: readonly string[], now: Date): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (courseDateIds.length === 0) return result;
  const left = seatsLeftSql('cd', now);
  // Parameters bound (selectBound): the statement carries the current time, and inlined it would be
  // parsed and planned again on every read.
  const rows = await selectBound<{ id: string; seats_left: number | string }>(
    em,
    `select cd.id, ${left.sql} as seats_left from course_date cd where cd.id in (${courseDateIds.map(() => '?').join(', ')})`,
    [...left.params, ...courseDateIds],
  );
  for (const row of rows) result.set(row.id, Math.max(0, Number(row.seats_left)));
  return result;
}

/**
 * For one hold, in one statement (one round trip inside the locked transaction): the seats held
 * on the course date, and, when a clientKey is given, the seats that client holds in unexpired
 * reservations across all dates (the per-client cap).
 */
export async function heldSeatsForHold(
  em: Em,
  courseDateId: string,
  opts: HeldSeatsOptions & { clientKey?: string },
): Promise<{ courseDate: number; client: number }> {
  const date = heldOnDateWhere('o', courseDateId, opts);
  let sql = `select 'date' as k, sum(${seatsOf('o')}) as held from booking_order o where ${date.sql}`;
  const params: unknown[] = [...date.params];
  if (opts.clientKey) {
    const client = clientOpenHoldsWhere('c', opts.clientKey, opts);
    sql += ` union all select 'client' as k, sum(c.seats) as held from booking_order c where ${client.sql}`;
    params.push(...client.params);
  }
  const rows = await em.getConnection().execute<{ k: string; held: number | string | null }[]>(sql, params, 'all', em.getTransactionContext());
  const of = (k: string) => Number(rows.find((r) => r.k === k)?.held ?? 0);
  return { courseDate: of('date'), client: of('client') };
}

/** Orders holding seats on one course date (heldCondition), as a WHERE clause. */
function heldOnDateWhere(alias: string, courseDateId: string, opts: HeldSeatsOptions): { sql: string; params: unknown[] } {
  const cond = heldCondition(alias, opts);
  return { sql: `${alias}.course_date_id = ? and ${cond.sql}`, params: [courseDateId, ...cond.params] };
}

/** One client's unexpired reservations (the per-client cap), as a WHERE clause. */
function clientOpenHoldsWhere(alias: string, clientKey: string, opts: HeldSeatsOptions): { sql: string; params: unknown[] } {
  return {
    sql: `${alias}.client_key = ? and ${alias}.status = 'RESERVED' and ${alias}.expires_at > ?${opts.excludeOrderId ? ` and ${alias}.id <> ?` : ''}`,
    params: [clientKey, opts.now, ...(opts.excludeOrderId ? [opts.excludeOrderId] : [])],
  };
}

/**
 * SQL condition, for a write that must happen only if `seats` more still fit: on the course date
 * (Maconomy's free seats minus what is held here) and, with `maxForClient`, within the client's
 * cap. The same counts as `heldSeatsForHold`, so a conditional write and a count-then-write
 * cannot disagree.
 */
export function seatsFitSql(
  courseDateId: string,
  seats: number,
  maconomyFreeSeats: number,
  opts: HeldSeatsOptions & { clientKey?: string },
  maxForClient?: number,
): { sql: string; params: unknown[] } {
  const date = heldOnDateWhere('o', courseDateId, opts);
  let sql = `(select coalesce(sum(${seatsOf('o')}), 0) from booking_order o where ${date.sql}) <= ?`;
  const params: unknown[] = [...date.params, maconomyFreeSeats - seats];
  if (opts.clientKey && maxForClient !== undefined) {
    // Every order holds at least one seat, so the client's first maxForClient open orders decide
    // whether the cap is reached: the check reads at most that many rows, however many the client holds.
    const client = clientOpenHoldsWhere('c', opts.clientKey, opts);
    sql += ` and (select coalesce(sum(c.seats), 0) from (select c.seats from booking_order c where ${client.sql} limit ${Math.max(1, Math.floor(maxForClient))}) c) <= ?`;
    params.push(...client.params, maxForClient - seats);
  }
  return { sql, params };
}

/**
 * SQL expression (for listings) of a course date's seats left, given the alias of course_date:
 * the stored Maconomy count minus what is held here and what Maconomy accepted after that count
 * was asked for (tagged maconomy_free_seq). So a sync shows at once, before any refresh, and the
 * refresh that follows it (a new tag) stops counting the order here: no window counts it twice or
 * not at all.
 */
export function seatsLeftSql(courseDateAlias: string, now: Date): { sql: string; params: unknown[] } {
  const live = heldCondition('h', { now });
  return {
    sql: `(${courseDateAlias}.maconomy_free_seats - coalesce((select sum(${seatsOf('h')}) from booking_order h where h.course_date_id = ${courseDateAlias}.id and (${live.sql} or ${acceptedAfter('h', `${courseDateAlias}.maconomy_free_seq`)})), 0))`,
    params: live.params,
  };
}

/**
 * Stores a fresh Maconomy answer about a course date as the shown count, unless a newer one is
 * already stored (a higher tag, or the same tag and a later answer): answers from several
 * processes may arrive out of order.
 */
/**
 * SQL condition (on course_date's columns as they are) that `answer` is not older than the stored
 * count: a higher sync-sequence tag, or the same tag and a later answer. The one rule for every
 * write of the shown count.
 */
export function newerAnswerSql(answer: { fetchedAt: Date; seq: number }): { sql: string; params: unknown[] } {
  return { sql: '(maconomy_free_seq < ? or (maconomy_free_seq = ? and maconomy_checked_at <= ?))', params: [answer.seq, answer.seq, answer.fetchedAt] };
}

/** The statement that stores an answer as the shown count where it is newer (storeMaconomyAnswer). */
export function storeAnswerStatement(courseDateId: string, answer: { freeSeats: number; fetchedAt: Date; seq: number }): { sql: string; params: unknown[] } {
  const newer = newerAnswerSql(answer);
  return {
    sql: `update course_date set maconomy_free_seats = ?, maconomy_checked_at = ?, maconomy_free_seq = ? where id = ? and ${newer.sql}`,
    params: [answer.freeSeats, answer.fetchedAt, answer.seq, courseDateId, ...newer.params],
  };
}

export async function storeMaconomyAnswer(em: Em, courseDateId: string, answer: { freeSeats: number; fetchedAt: Date; seq: number }): Promise<void> {
  const store = storeAnswerStatement(courseDateId, answer);
  await em.getConnection().execute(store.sql, store.params, 'run', em.getTransactionContext());
}

/** The sync sequences of course dates, read before Maconomy is asked about them. */
export async function syncSeqs(em: Em, courseDateIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (courseDateIds.length === 0) return out;
  // Bound, not written into the text: one statement (and on SQLite one prepared form) for every date.
  const rows = await selectBound<{ id: string; sync_seq: number | string }>(
    em,
    `select id, sync_seq from course_date where id in (${courseDateIds.map(() => '?').join(', ')})`,
    courseDateIds,
  );
  for (const r of rows) out.set(r.id, Number(r.sync_seq));
  return out;
}

export function seatsLeft(maconomyFreeSeats: number, held: number): number {
  return Math.max(0, maconomyFreeSeats - held);
}
