// Agenda wiring: the store (MongoDB when MONGODB_URL is set, else the project's SQL database), the
// job definitions and the recurring schedules. `serve` runs API and worker in one process; `api`
// only enqueues and inspects jobs; `worker` only processes them.
import { hostname } from 'node:os';
import { Agenda, InMemoryNotificationChannel, type AgendaBackend } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Config } from '../config.js';
import type { Db } from '../db/orm.js';
import { SqlAgendaBackend } from './sql-backend.js';
import { defineJobs, scheduleRecurring, type JobDeps } from './registry.js';

export type JobStore = 'sql' | 'mongodb';

export function jobStore(config: Config): JobStore {
  return config.jobs.mongodbUrl ? 'mongodb' : 'sql';
}

export function createBackend(config: Config, db: Db): AgendaBackend {
  if (config.jobs.mongodbUrl) return new MongoBackend({ address: config.jobs.mongodbUrl, collection: 'agendaJobs', ensureIndex: true });
  return new SqlAgendaBackend(db);
}

export interface JobRunner {
  agenda: Agenda;
  store: JobStore;
  /** Starts processing (worker) and makes sure the recurring schedules exist. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface JobRunnerOptions {
  processEveryMs?: number;
  /**
   * Caps every job's lock lifetime. Agenda keeps a lock-watch timer of half the lifetime pending
   * after each run, so short-lived processes (tests) use a short one to exit promptly.
   */
  lockLifetimeMs?: number;
  /** How long stop() lets running jobs finish. Default 5 s. */
  drainMs?: number;
}

export function createJobRunner(deps: JobDeps, opts: JobRunnerOptions = {}): JobRunner {
  const store = jobStore(deps.config);
  const agenda = new Agenda({
    backend: createBackend(deps.config, deps.db),
    name: `${hostname()}-${process.pid}`,
    // The SQL store has no push notifications across processes, so workers poll; in one process
    // the in-memory channel wakes the worker at once when the API enqueues through Agenda.
    processEvery: opts.processEveryMs ?? 500,
    notificationChannel: new InMemoryNotificationChannel(),
    defaultLockLifetime: 5 * 60_000,
    defaultConcurrency: 5,
    maxConcurrency: 20,
  });
  agenda.on('error', (err) => deps.log.error({ err }, 'job store error'));
  agenda.on('fail', (err, job) => deps.log.warn({ job: job.attrs.name, id: String(job.attrs._id), failCount: job.attrs.failCount, error: String((err as Error)?.message ?? err) }, 'job failed'));
  defineJobs(agenda, deps);
  if (opts.lockLifetimeMs)
    for (const definition of Object.values(agenda.definitions)) definition.lockLifetime = Math.min(definition.lockLifetime, opts.lockLifetimeMs);
  let started = false;
  return {
    agenda,
    store,
    async startWorker() {
      await agenda.start();
      started = true;
      await scheduleRecurring(agenda, deps.config.jobs.timezone);
      deps.log.info({ store }, 'job worker started');
    },
    async stop() {
      if (!started) return;
      // No new jobs; running ones get drainMs to finish, so a mail or a sync half done completes
      // here instead of being retried elsewhere. One still running after that keeps its lock and
      // is taken over by another worker when the lock expires (every job is safe to run again).
      const drained = await agenda.drain({ timeout: opts.drainMs ?? 5_000, closeConnection: false });
      if (drained.timedOut) deps.log.warn({ running: drained.running }, 'jobs still running at shutdown: another worker takes them over when their locks expire');
    },
  };
}
