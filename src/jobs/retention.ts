// Finished one-off jobs (a sync-order, a confirmation, a push) stay in the SQL job store so
// operators can see what ran and why it failed; without pruning that is three or more rows per
// checkout, forever. gdpr-cleanup removes those finished longer ago than JOB_RETENTION_DAYS.
// Recurring jobs, waiting or running jobs and locked rows are never touched.
import type { Db } from '../db/orm.js';
import { inBatches } from '../db/batches.js';
import { AgendaJob } from './entities.js';

export async function pruneFinishedJobs(db: Db, opts: { cutoff: Date; batchSize?: number }): Promise<number> {
  return inBatches(db, opts.batchSize ?? 1000, async (em, limit) => {
    const rows = await em.find(
      AgendaJob,
      { nextRunAt: null, repeatInterval: null, lockedAt: null, lastFinishedAt: { $lt: opts.cutoff } },
      { fields: ['id'], limit },
    );
    if (!rows.length) return { found: 0, changed: 0 };
    // Guarded again: a row picked up between the read and the delete stays.
    return { found: rows.length, changed: await em.nativeDelete(AgendaJob, { id: { $in: rows.map((r) => r.id) }, nextRunAt: null, lockedAt: null }) };
  });
}
