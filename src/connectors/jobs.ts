// Jobs of the REST connectors, registered by one line in defineJobs; names and schedules are in
// the registry's JOBS and SCHEDULES.
import type { Agenda } from 'agenda';
import type { JobDeps } from '../jobs/types.js';
import { backoffStrategies } from 'agenda';
import { pruneHttpLog } from './http-log/admin.js';
import { eraseRequestOutData, reapStuckTickets, REQUEST_OUT_JOB, runRequestOutCall } from './request-out/service.js';

export const REQUEST_OUT_REAP_JOB = 'request-out-reap';

export function defineConnectorJobs(agenda: Agenda, deps: JobDeps): void {
  const now = deps.now ?? (() => new Date());
  agenda.define(
    'http-log-prune',
    async () => {
      const deleted = await pruneHttpLog(deps.db, { retentionDays: deps.config.httpLog.retentionDays, now: now() });
      deps.log.info({ deleted, retentionDays: deps.config.httpLog.retentionDays }, 'http-log-prune: old log entries deleted');
      // The connectors' other daily retention: Request Out results (personal data) of old tickets.
      const retentionDays = deps.config.connectors.requestOutRetentionDays;
      const erased = await eraseRequestOutData(deps.db, { retentionDays, now: now() });
      deps.log.info({ erased, retentionDays }, 'http-log-prune: stored Data of old Request Out tickets erased');
    },
    { concurrency: 1, lockLifetime: 30 * 60_000 },
  );

  // One upstream call per Request Out ticket (see runRequestOutCall for the once-only rule).
  const fetchUpstream = deps.httpLog ? deps.httpLog.fetch('request-out') : (input: string | URL | Request, init?: RequestInit) => fetch(input, init);
  agenda.define<{ ticketId: string }>(
    REQUEST_OUT_JOB,
    async (job) => {
      await runRequestOutCall({ db: deps.db, fetch: fetchUpstream, now, onCall: deps.onUpstreamCall }, job.attrs.data.ticketId);
    },
    { concurrency: 10, priority: 'high', lockLifetime: 3 * 60_000, backoff: backoffStrategies.exponential({ delay: 1_000, maxRetries: 2, factor: 3 }) },
  );

  // Safety net for tickets whose job was lost (see reapStuckTickets).
  agenda.define(
    REQUEST_OUT_REAP_JOB,
    async () => {
      const result = await reapStuckTickets({
        db: deps.db,
        now,
        jobAlive: async (ticketId) => (await agenda.queryJobs({ name: REQUEST_OUT_JOB, data: { ticketId } })).jobs.some((j) => j.lockedAt || (j.nextRunAt && !j.disabled)),
        requeue: async (ticketId, requestId) => void (await agenda.now(REQUEST_OUT_JOB, requestId ? { ticketId, requestId } : { ticketId })),
      });
      if (result.requeued || result.failed) deps.log.warn(result, 'request-out-reap: stuck Request Out tickets queued again or failed');
    },
    { concurrency: 1 },
  );
}
