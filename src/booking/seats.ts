// Seat accounting (ARCHITECTURE section 8).
//
// free seats = Maconomy's free seats - seats held locally by orders Maconomy does not know yet.
// An order is counted locally while RESERVED (and its hold has not expired), PLACED or
// SYNC_FAILED. A SYNCED order is counted by Maconomy, except when the Maconomy answer we use was
// requested before the order was synced: then Maconomy's number may not include it yet, so it is
// still counted locally. Expired holds are ignored here, at query time; the expiry job only tidies.
import type { Em } from '../db/orm.js';

export interface HeldSeatsOptions {
  now: Date;
  /** When the Maconomy free-seat answer being combined with this count was requested. */
  maconomySnapshotAt?: Date;
  /** An order whose own seats are being changed, left out of the count. */
  excludeOrderId?: string;
}

function heldCondition(alias: string, opts: HeldSeatsOptions): { sql: string; params: unknown[] } {
  const parts = [
    `(${alias}.status = 'RESERVED' and ${alias}.expires_at > ?)`,
    `${alias}.status in ('PLACED', 'SYNC_FAILED')`,
  ];
  const params: unknown[] = [opts.now];
  if (opts.maconomySnapshotAt) {
    parts.push(`(${alias}.status = 'SYNCED' and ${alias}.synced_at >= ?)`);
    params.push(opts.maconomySnapshotAt);
  }
  let sql = `(${parts.join(' or ')})`;
  if (opts.excludeOrderId) {
    sql += ` and ${alias}.id <> ?`;
    params.push(opts.excludeOrderId);
  }
  return { sql, params };
}

/** Seats held locally per course date, for many dates in one query. */
export async function heldSeatsByCourseDate(em: Em, courseDateIds: readonly string[], opts: HeldSeatsOptions): Promise<Map<string, number>> {
  const result = new Map<string, number>(courseDateIds.map((id) => [id, 0]));
  if (courseDateIds.length === 0) return result;
  const cond = heldCondition('o', opts);
  const rows = await em
    .getConnection()
    .execute<{ course_date_id: string; held: number | string }[]>(
      `select o.course_date_id, sum(o.seats) as held from booking_order o
       where o.course_date_id in (${courseDateIds.map(() => '?').join(', ')}) and ${cond.sql}
       group by o.course_date_id`,
      [...courseDateIds, ...cond.params],
      'all',
      em.getTransactionContext(),
    );
  for (const row of rows) result.set(row.course_date_id, Number(row.held));
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
  let sql = `select 'date' as k, sum(o.seats) as held from booking_order o where ${date.sql}`;
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
  let sql = `(select coalesce(sum(o.seats), 0) from booking_order o where ${date.sql}) <= ?`;
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

/** SQL expression (for listings) of a course date's seats left, given the alias of course_date. */
export function seatsLeftSql(courseDateAlias: string, now: Date): { sql: string; params: unknown[] } {
  const cond = heldCondition('h', { now });
  return {
    sql: `(${courseDateAlias}.maconomy_free_seats - coalesce((select sum(h.seats) from booking_order h where h.course_date_id = ${courseDateAlias}.id and ${cond.sql}), 0))`,
    params: cond.params,
  };
}

export function seatsLeft(maconomyFreeSeats: number, held: number): number {
  return Math.max(0, maconomyFreeSeats - held);
}
