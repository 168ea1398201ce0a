// Agenda's job store in the project's own SQL database (see sql-backend.ts). One row per job, with
// the columns of Agenda's JobParameters. Timestamps keep milliseconds (datetime(3) on MySQL) so a
// value read back compares equal to the one written, and lock deadlines are not rounded.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const JOB_TYPES = ['normal', 'single'] as const;

export const AgendaJob = defineEntity({
  name: 'AgendaJob',
  tableName: 'agenda_job',
  indexes: [
    { name: 'agenda_job_name_next_run_at_priority_index', properties: ['name', 'nextRunAt', 'priority'] },
    { name: 'agenda_job_locked_at_index', properties: ['lockedAt'] },
    // The worker's poll asks which names have anything due (sql-backend.ts, dueNames).
    { name: 'agenda_job_next_run_at_index', properties: ['nextRunAt'] },
  ],
  uniques: [{ name: 'agenda_job_unique_key_unique', properties: ['uniqueKey'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    name: p.string().length(255),
    priority: p.integer().default(0),
    /** null: the job will not run again (one-off job that ran, or a repeat that ended). */
    nextRunAt: p.datetime(3).nullable(),
    type: p.enum(JOB_TYPES).default('normal'),
    lockedAt: p.datetime(3).nullable(),
    lastRunAt: p.datetime(3).nullable(),
    lastFinishedAt: p.datetime(3).nullable(),
    failedAt: p.datetime(3).nullable(),
    failCount: p.integer().nullable(),
    failReason: p.text().nullable(),
    repeatInterval: p.string().length(255).nullable(),
    repeatTimezone: p.string().length(64).nullable(),
    repeatAt: p.string().length(255).nullable(),
    disabled: p.boolean().default(false),
    progress: p.double().nullable(),
    data: p.json<unknown>().columnType('text').nullable(),
    /**
     * Set for `single` jobs (hash of the name) and `unique()` jobs (hash of name + unique query):
     * the UNIQUE index makes the upsert atomic across processes.
     */
    uniqueKey: p.string().length(64).nullable(),
    /** The unique() query and its options as given, returned to Agenda unchanged. */
    uniqueQuery: p.json<Record<string, unknown>>().columnType('text').nullable(),
    uniqueOpts: p.json<Record<string, unknown>>().columnType('text').nullable(),
    debounceStartedAt: p.datetime(3).nullable(),
    lastModifiedBy: p.string().length(255).nullable(),
    fork: p.boolean().nullable(),
    startDate: p.datetime(3).nullable(),
    endDate: p.datetime(3).nullable(),
    skipDays: p.json<number[]>().columnType('text').nullable(),
  },
});
export type AgendaJob = InferEntity<typeof AgendaJob>;

export const jobEntities = [AgendaJob];
