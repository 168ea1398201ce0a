// Agenda wiring: the store (MongoDB when MONGODB_URL is set, else the project's SQL database), the
// job definitions and the recurring schedules. `serve` runs API and worker in one process; `api`
// only enqueues and inspects jobs; `worker` only processes them.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agenda, InMemoryNotificationChannel, type AgendaBackend, type JobId } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { withoutCredentials, type Config } from '../config.js';
import type { Db } from '../db/orm.js';
import { SqlAgendaBackend, SqlJobRepository } from './sql-backend.js';
import { defineJobs, scheduleRecurring } from './registry.js';
import type { JobDeps, JobRunner, JobStore } from './types.js';

export type { JobDeps, JobRunner, JobStore } from './types.js';

export function jobStore(config: Config): JobStore {
  return config.jobs.mongodbUrl ? 'mongodb' : 'sql';
}

/**
 * @agendajs/mongo-backend with a connection error that says which setting is wrong. Agenda
 * connects when it is constructed and does not handle a failure, so the process stops with this
 * error (after serverSelectionTimeoutMS) instead of a bare MongoServerSelectionError.
 */
export class MongoJobStore extends MongoBackend {
  constructor(
    private readonly url: string,
    opts: { serverSelectionTimeoutMS?: number } = {},
  ) {
    super({ address: url, collection: 'agendaJobs', ensureIndex: true, options: { serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000 } });
  }

  override async connect(): Promise<void> {
    try {
      await super.connect();
    } catch (err) {
      throw new Error(`job store: cannot connect to MongoDB at MONGODB_URL (${withoutCredentials(this.url, '***')}): ${(err as Error).message}`, { cause: err });
    }
  }
}

export function createBackend(config: Config, db: Db, opts: { mongoServerSelectionTimeoutMs?: number } = {}): AgendaBackend {
  if (config.jobs.mongodbUrl) return new MongoJobStore(config.jobs.mongodbUrl, { serverSelectionTimeoutMS: opts.mongoServerSelectionTimeoutMs });
  return new SqlAgendaBackend(db);
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
  const backend = createBackend(deps.config, deps.db);
  const agenda = new Agenda({
    backend,
    name: `${hostname()}-${process.pid}`,
    // The SQL store has no push notifications across processes, so workers poll; in one process
    // the in-memory channel wakes the worker at once when the API enqueues through Agenda.
    processEvery: opts.processEveryMs ?? 500,
    notificationChannel: new InMemoryNotificationChannel(),
    defaultLockLifetime: 5 * 60_000,
    defaultConcurrency: 5,
    // Room for sync-order's 20, the order mails' 10 and the import and connector jobs beside them.
    maxConcurrency: 40,
  });
  agenda.on('error', (err) => deps.log.error({ err }, 'job store error'));
  agenda.on('fail', (err, job) => deps.log.warn({ job: job.attrs.name, id: String(job.attrs._id), failCount: job.attrs.failCount, error: String((err as Error)?.message ?? err) }, 'job failed'));
  defineJobs(agenda, deps);
  if (agenda.db instanceof SqlJobRepository) agenda.db.lockBudget = (name) => lockBudgetOf(agenda, name);
  if (opts.lockLifetimeMs)
    for (const definition of Object.values(agenda.definitions)) definition.lockLifetime = Math.min(definition.lockLifetime, opts.lockLifetimeMs);
  let started = false;
  // The MongoDB store's client is its own (the SQL store's pool is the application's): stop()
  // closes it last, after the unlocks, also in a process that never started the worker (Agenda
  // connects in its constructor). Left open, its monitoring kept the process alive after shutdown.
  const closeOwnConnection = async () => {
    if (backend.ownsConnection) await backend.disconnect();
  };
  return {
    agenda,
    store,
    async startWorker() {
      await agenda.start();
      started = true;
      await scheduleRecurring(agenda, deps.config.jobs.timezone, { reconcileMinutes: deps.config.jobs.reconcileMinutes });
      deps.log.info({ store }, 'job worker started');
    },
    async stop() {
      if (!started) return closeOwnConnection();
      started = false;
      // No new jobs; running ones get drainMs to finish, so a mail or a sync half done completes
      // here instead of being retried elsewhere. Agenda 6's drain() leaves the jobs this worker
      // had locked but not started (waiting for a concurrency slot or their run time) locked in
      // the store, for their whole lock lifetime: only stop() unlocks them, and after drain()
      // there is no processor left to stop. So we keep the processor, drain, then stop it
      // ourselves and unlock what it holds without running, and another worker takes those at once.
      const processor = agendaProcessor(agenda);
      const drained = await agenda.drain({ timeout: opts.drainMs ?? 5_000, closeConnection: false });
      let unlocked = await releaseLockedJobs(agenda, processor);
      // After the last queue fill: jobs the SQL store locked in a batch but had not handed to
      // Agenda yet, which Agenda does not know it holds.
      if (agenda.db instanceof SqlJobRepository) unlocked += await agenda.db.releasePrefetched();
      if (unlocked) deps.log.info({ unlocked }, 'shutdown: unlocked jobs this worker had locked but not started');
      // One still running keeps its lock: it may still be sending (a mail, a participant), and a
      // second worker starting it now could do so twice. Its lock expires after the job's lock
      // lifetime (2 minutes for sync-order) and another worker takes it over then.
      if (drained.timedOut) deps.log.warn({ running: drained.running }, 'jobs still running at shutdown: another worker takes them over when their locks expire');
      await closeOwnConnection();
    },
  };
}

/**
 * How many more jobs of `name` this worker takes now: what Agenda's own checks allow (the job's
 * lockLimit, the worker's total lockLimit), so a batch never holds a job Agenda would not have
 * locked itself. Not capped by free concurrency slots: Agenda keeps asking up to its lockLimit
 * anyway, and single locks past the slots made its queue filling (during which no job of the poll
 * starts) slow again (bench sync lag p99 8-18 s). Agenda only asks when at least one is allowed.
 * Reads Agenda 6's private JobProcessor state; test/jobs/job-store-contract.test.ts fails if an
 * upgrade changes it.
 */
export function lockBudgetOf(agenda: Agenda, name: string): number {
  const p = (agenda as unknown as { jobProcessor?: { jobStatus?: Record<string, { locked?: number } | undefined>; lockedJobs?: unknown[]; totalLockLimit?: number; maxConcurrency?: number } }).jobProcessor;
  const def = agenda.definitions[name] as { lockLimit?: number; concurrency?: number } | undefined;
  if (!p || !def) return 1;
  const locked = p.jobStatus?.[name]?.locked ?? 0;
  const lockedAll = p.lockedJobs?.length ?? 0;
  const room = Math.min(def.lockLimit ? def.lockLimit - locked : Infinity, p.totalLockLimit ? p.totalLockLimit - lockedAll : Infinity);
  return Math.max(1, Math.min(room, 1_000));
}

/** The parts of Agenda 6's (private) JobProcessor that shutdown needs. */
interface ProcessorInternals {
  /** Stops it and returns the jobs it holds locked without running them (what Agenda.stop() unlocks). */
  stop(): { attrs: { _id?: JobId } }[];
  /** Job names whose queue filling (locking) is in progress. */
  isJobQueueFilling?: Map<string, boolean>;
}

function agendaProcessor(agenda: Agenda): ProcessorInternals | undefined {
  const p = (agenda as unknown as { jobProcessor?: Partial<ProcessorInternals> }).jobProcessor;
  return typeof p?.stop === 'function' ? (p as ProcessorInternals) : undefined;
}

/**
 * After drain(): waits (briefly) for a queue fill still taking locks, then unlocks every job the
 * processor holds but does not run. Returns how many. test/jobs/shutdown-drain.test.ts fails if
 * an Agenda upgrade changes these internals.
 */
async function releaseLockedJobs(agenda: Agenda, processor: ProcessorInternals | undefined): Promise<number> {
  if (!processor) return 0;
  for (let waited = 0; (processor.isJobQueueFilling?.size ?? 0) > 0 && waited < 2_000; waited += 20) await sleep(20);
  const ids = processor.stop().flatMap((job) => (job.attrs._id === undefined ? [] : [job.attrs._id]));
  if (ids.length) await agenda.db.unlockJobs(ids);
  return ids.length;
}
