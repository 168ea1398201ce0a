// Jobs of the REST connectors, registered by one line in defineJobs; names and schedules are in
// the registry's JOBS and SCHEDULES.
import type { Agenda } from 'agenda';
import type { JobDeps } from '../jobs/registry.js';
import { pruneHttpLog } from './http-log/admin.js';

export function defineConnectorJobs(agenda: Agenda, deps: JobDeps): void {
  const now = deps.now ?? (() => new Date());
  agenda.define(
    'http-log-prune',
    async () => {
      const deleted = await pruneHttpLog(deps.db, { retentionDays: deps.config.httpLog.retentionDays, now: now() });
      deps.log.info({ deleted, retentionDays: deps.config.httpLog.retentionDays }, 'http-log-prune: old log entries deleted');
    },
    { concurrency: 1, lockLifetime: 30 * 60_000 },
  );
}
