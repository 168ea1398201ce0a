// Finished one-off jobs (a sync-order, a confirmation, a push) stay in the SQL job store so
// operators can see what ran and why it failed; without pruning that is three or more rows per
// checkout, forever. gdpr-cleanup removes those finished longer ago than JOB_RETENTION_DAYS.
// Recurring jobs, waiting or running jobs and locked rows are never touched.
import type { Db } from '../db/orm.js';
import { AgendaJob } from './entities.js';

const BATCH = 1000;

export async function pruneFinishedJobs(db: Db, opts: { cutoff: Date }): Promise<number> {
  let deleted = 0;
  for (;;) {
    const em = db.em();
    // In batches by id, so MySQL never holds one long delete over the whole table.
    const rows = await em.find(
      AgendaJob,
      { nextRunAt: null, repeatInterval: null, lockedAt: null, lastFinishedAt: { $lt: opts.cutoff } },
      { fields: ['id'], limit: BATCH },
    );
    if (rows.length === 0) return deleted;
    deleted += await em.nativeDelete(AgendaJob, { id: { $in: rows.map((r) => r.id) }, nextRunAt: null, lockedAt: null });
    if (rows.length < BATCH) return deleted;
  }
}
