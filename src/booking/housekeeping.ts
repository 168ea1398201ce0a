// clear-reservations and gdpr-cleanup. Both are safe to run twice or concurrently: every write is
// a conditional update that re-checks the condition it acts on.
import type { Db } from '../db/orm.js';
import { Order, Participant } from './entities.js';
import { MailMessage } from '../mail/entities.js';

/** Expires RESERVED orders past their hold. Counting already ignores them; this makes it visible. */
export async function clearReservations(db: Db, now = new Date()): Promise<{ expired: number }> {
  const expired = await db.em().nativeUpdate(Order, { status: 'RESERVED', expiresAt: { $lte: now } }, { status: 'EXPIRED', updatedAt: now });
  return { expired };
}

export interface GdprResult {
  anonymisedOrders: number;
  anonymisedParticipants: number;
  deletedOrders: number;
  erasedMails: number;
  batches: number;
}

function isoDateDaysAgo(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Anonymises booker and participant data of orders whose course ended more than `retentionDays`
 * ago, and deletes expired and cancelled orders older than that. Works in batches so 100,000
 * orders never sit in one transaction or in memory at once.
 */
export async function gdprCleanup(
  db: Db,
  opts: { retentionDays: number; now?: Date; batchSize?: number; log?: { info(o: object, m?: string): void } },
): Promise<GdprResult> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 1000;
  const cutoffDate = isoDateDaysAgo(now, opts.retentionDays);
  const cutoff = new Date(now.getTime() - opts.retentionDays * 86_400_000);
  const result: GdprResult = { anonymisedOrders: 0, anonymisedParticipants: 0, deletedOrders: 0, erasedMails: 0, batches: 0 };
  const conn = () => db.em().getConnection();

  for (;;) {
    const rows = await conn().execute<{ id: string }[]>(
      `select o.id from booking_order o join course_date c on c.id = o.course_date_id
       where o.anonymised_at is null and o.status in ('PLACED', 'SYNCED', 'SYNC_FAILED') and c.end_date < ? limit ?`,
      [cutoffDate, batchSize],
    );
    if (!rows.length) break;
    const ids = rows.map((r) => r.id);
    await db.em().transactional(async (em) => {
      result.anonymisedOrders += await em.nativeUpdate(
        Order,
        { id: { $in: ids }, anonymisedAt: null },
        { bookerFirstName: null, bookerLastName: null, bookerEmail: null, bookerPhone: null, bookerCompany: null, clientKey: null, lastSyncError: null, anonymisedAt: now, updatedAt: now },
      );
      result.anonymisedParticipants += await em.nativeUpdate(
        Participant,
        { order: { $in: ids } },
        { firstName: 'Anonymiseret', lastName: 'Deltager', email: 'anonymised@invalid', phone: null, company: null },
      );
      result.erasedMails += await em.nativeDelete(MailMessage, { orderId: { $in: ids } });
    });
    result.batches++;
    opts.log?.info({ batch: result.batches, anonymisedOrders: result.anonymisedOrders }, 'gdpr-cleanup progress');
  }

  for (;;) {
    const rows = await conn().execute<{ id: string }[]>(
      `select id from booking_order where status in ('EXPIRED', 'CANCELLED') and updated_at < ? limit ?`,
      [cutoff, batchSize],
    );
    if (!rows.length) break;
    const ids = rows.map((r) => r.id);
    await db.em().transactional(async (em) => {
      await em.nativeDelete(MailMessage, { orderId: { $in: ids } });
      await em.nativeDelete(Participant, { order: { $in: ids } });
      result.deletedOrders += await em.nativeDelete(Order, { id: { $in: ids }, status: { $in: ['EXPIRED', 'CANCELLED'] } });
    });
    result.batches++;
  }
  // Mails hold personal data too (participant lists have no order): drop finished ones past retention.
  result.erasedMails += await db.em().nativeDelete(MailMessage, { status: { $in: ['SENT', 'FAILED'] }, createdAt: { $lt: cutoff } });
  opts.log?.info({ ...result }, 'gdpr-cleanup finished');
  return result;
}
