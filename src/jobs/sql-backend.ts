// Agenda 6 backend over the project's own SQL database (SQLite or MySQL, through MikroORM), so the
// job queue needs no MongoDB. Table: agenda_job (entities.ts).
//
// Locking: the "may be locked now" condition (not locked, or lock older than the deadline; due;
// enabled) selects up to LOCK_BATCH candidates and guards the UPDATE that locks them, in one short
// transaction that holds the rows (MySQL: SELECT … FOR UPDATE SKIP LOCKED) or the database (SQLite:
// BEGIN IMMEDIATE), so two workers never lock one row. The batch is handed to Agenda one job per
// call. MySQL servers without SKIP LOCKED use conditional UPDATEs per candidate, where of two
// workers racing for a row exactly one sees an affected-row count of 1.
//
// Every operation uses its own fresh EntityManager (db.em()) and MikroORM's native
// insert/update/delete, which convert dates, booleans and JSON the same way for both drivers.
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlockException, LockMode, LockWaitTimeoutException, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import {
  computeJobState,
  toJobId,
  type AgendaBackend,
  type JobId,
  type JobParameters,
  type JobRepository,
  type JobRepositoryOptions,
  type JobsOverview,
  type JobsQueryOptions,
  type JobsResult,
  type JobsSort,
  type JobState,
  type JobWithState,
  type RemoveJobsOptions,
} from 'agenda';
import { selectBound, type Db, type Em } from '../db/orm.js';
import { AgendaJob } from './entities.js';

type Row = AgendaJob;
type Where = FilterQuery<AgendaJob>;
type Fields = Record<string, unknown>;

/** Candidates fetched per round in getNextJobToRun before trying to lock them one by one. */
const LOCK_CANDIDATES = 10;
/**
 * At most this many jobs of one name locked together in one transaction (SQLite, and MySQL with
 * SKIP LOCKED), then handed to Agenda one per getNextJobToRun call; never more than the worker
 * takes (its lockBudget: lockLimit and free concurrency slots). Agenda locks due jobs one call at a time and only
 * starts running them when its whole queue-filling pass is over, so under a burst of checkouts a
 * pass of per-job locks (3-4 statements each) kept sync-order jobs locked but idle for ~2 s.
 */
const LOCK_BATCH = 10;
/** A prefetched job is handed out only while its lock is this fresh (and well inside its lifetime). */
const PREFETCH_MAX_AGE_MS = 2_000;
/**
 * A buffer read again this recently serves the next hand-outs without another read. Agenda asks
 * for one job per call, back to back, while it fills its queue: re-reading the buffered job
 * before each hand-out made one database round trip per job, and under a burst of checkouts
 * those sequential reads (10-25 ms each on a busy MariaDB) were most of the sync lag. A job
 * changed (cancelled, disabled, rescheduled) after its batch was locked is still never handed
 * out once the buffer is read again: at the first hand-out from it, and at most this long after.
 */
const BUFFER_RECHECK_MS = 20;
/**
 * Pause before the next round when the due jobs a probe saw were all row-locked by other
 * transactions (MySQL's SKIP LOCKED returned none), times the round. Before it, such a poll gave up
 * and left every due job to the next poll, 500 ms later (bench, MySQL, API and worker apart: a
 * whole burst of 200 syncs started ~0.5 s late, p99 2-3 s instead of ~1.4).
 */
const LOCKED_ELSEWHERE_PAUSE_MS = 10;
/** Rounds of (select candidates, try to lock) before giving up until the next scan. */
const LOCK_ROUNDS = 5;
/**
 * How long one "which names have anything lockable" answer serves the per-name calls of a poll.
 * Agenda asks for every defined name at once (Promise.all) each processEvery: the calls of one
 * poll arrive in the same tick, well within this, and the next poll (tests poll every 50 ms) never
 * reuses it.
 */
const DUE_NAMES_REUSE_MS = 10;
/** dueNames: the names of enabled jobs due by a time, or locked at all (the same on both databases). */
const DUE_NAMES_SQL = 'select distinct name from agenda_job where disabled = ? and (next_run_at <= ? or locked_at is not null)';

/** Fields the job processor owns; Job.save() leaves them out, so an update must not clear them. */
const PROCESSOR_FIELDS = ['lockedAt', 'lastRunAt', 'lastFinishedAt', 'failedAt', 'failCount', 'failReason', 'progress'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Dates come back as Date from MikroORM; accept strings/numbers too (defensive, and for input). */
function toDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}
const dbDate = (value: unknown): Date | null => toDate(value) ?? null;

/** JSON with sorted keys (and ISO dates), so equal objects always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** Key of the one row a `single` job (every()) may have. */
export const singleJobKey = (name: string) => sha256(`single\u0000${name}`);
/** Key of the one row a `unique(query)` job may have: name + the query, canonicalised. */
export const uniqueJobKey = (name: string, unique: Record<string, unknown>) => sha256(`unique\u0000${name}\u0000${canonicalJson(unique)}`);

function repeatIntervalFromDb(value: string | null | undefined): string | number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  // Agenda accepts a number of milliseconds; keep it a number when it was one.
  return /^\d+$/.test(value) ? Number(value) : value;
}

function toJob(row: Row): JobParameters & { _id: JobId } {
  const job: JobParameters & { _id: JobId } = {
    _id: toJobId(row.id),
    name: row.name,
    priority: row.priority ?? 0,
    nextRunAt: toDate(row.nextRunAt) ?? null,
    type: row.type,
    data: row.data ?? null,
    lockedAt: toDate(row.lockedAt),
    lastFinishedAt: toDate(row.lastFinishedAt),
    failedAt: toDate(row.failedAt),
    failCount: row.failCount ?? undefined,
    failReason: row.failReason ?? undefined,
    repeatTimezone: row.repeatTimezone ?? undefined,
    lastRunAt: toDate(row.lastRunAt),
    repeatInterval: repeatIntervalFromDb(row.repeatInterval),
    repeatAt: row.repeatAt ?? undefined,
    disabled: row.disabled ?? undefined,
    progress: row.progress === null || row.progress === undefined ? undefined : Number(row.progress),
    unique: (row.uniqueQuery as Record<string, unknown> | null) ?? undefined,
    uniqueOpts: (row.uniqueOpts as JobParameters['uniqueOpts'] | null) ?? undefined,
    debounceStartedAt: toDate(row.debounceStartedAt),
    lastModifiedBy: row.lastModifiedBy ?? undefined,
    fork: row.fork ?? undefined,
    startDate: toDate(row.startDate),
    endDate: toDate(row.endDate),
    skipDays: (row.skipDays as number[] | null) ?? undefined,
  };
  return job;
}

/**
 * Column values for a save. On insert every column gets a value; on update the processor-owned
 * fields and `disabled` are only written when the caller passed them (Job.save() omits the
 * processor fields, and `every()` on start-up must not re-enable a job an operator disabled).
 */
function columnsFor(props: Partial<JobParameters>, options: JobRepositoryOptions | undefined, mode: 'insert' | 'update'): Fields {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(props, key);
  const cols: Fields = {
    name: props.name,
    priority: typeof props.priority === 'number' && Number.isFinite(props.priority) ? Math.round(props.priority) : 0,
    nextRunAt: dbDate(props.nextRunAt),
    type: props.type === 'single' ? 'single' : 'normal',
    repeatInterval: props.repeatInterval === undefined || props.repeatInterval === null || props.repeatInterval === '' ? null : String(props.repeatInterval),
    repeatTimezone: props.repeatTimezone ?? null,
    repeatAt: props.repeatAt ?? null,
    data: props.data === undefined ? null : props.data,
    debounceStartedAt: dbDate(props.debounceStartedAt),
    fork: props.fork ?? null,
    startDate: dbDate(props.startDate),
    endDate: dbDate(props.endDate),
    skipDays: props.skipDays ?? null,
    lastModifiedBy: options?.lastModifiedBy ?? null,
  };
  if (mode === 'insert' || has('disabled')) cols.disabled = props.disabled === true;
  for (const key of PROCESSOR_FIELDS) {
    if (mode === 'update' && !has(key)) continue;
    const value = (props as Record<string, unknown>)[key];
    if (key === 'lockedAt' || key === 'lastRunAt' || key === 'lastFinishedAt' || key === 'failedAt') cols[key] = dbDate(value);
    else cols[key] = value ?? null;
  }
  return cols;
}

export interface JobFilter {
  id?: string;
  ids?: string[];
  name?: string;
  names?: string[];
  notNames?: string[];
  search?: string;
  data?: unknown;
  includeDisabled?: boolean;
}

/** Flattens `{ a: { b: 1 } }` into the nested JSON-property filter MikroORM understands. */
function dataWhere(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) ? dataWhere(value) : value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Does `data` contain `filter` (Mongo's dot-path partial match)? Used where SQL cannot say it. */
function dataMatches(data: unknown, filter: unknown): boolean {
  if (!isPlainObject(filter)) return sameJson(data, filter);
  if (!isPlainObject(data)) return Object.keys(filter).length === 0;
  return Object.entries(filter).every(([k, v]) => (v === undefined ? true : isPlainObject(v) ? dataMatches(data[k], v) : sameJson(data[k], v)));
}

export class SqlJobRepository implements JobRepository {
  constructor(private readonly db: Db) {}

  async connect(): Promise<void> {
    // Fail fast (with the migration hint) when the table is missing.
    try {
      await this.db.em().getConnection().execute('select 1 from agenda_job where 1 = 0', [], 'all');
    } catch (err) {
      throw new Error(`agenda_job table is not available; run the migrations first (${(err as Error).message})`);
    }
  }

  // ---------------------------------------------------------------------------------- filters

  private async distinctNames(): Promise<string[]> {
    const rows = await this.db.em().getConnection().execute<{ name: string }[]>('select distinct name from agenda_job order by name', [], 'all');
    return rows.map((r) => String(r.name));
  }

  /**
   * Translates Agenda's filter options to a MikroORM where clause (Mongo precedence: id over ids,
   * search over name over names over notNames). Returns null when nothing can match, and
   * `undefined` when `requireCriteria` is set and no criterion was given.
   */
  private async buildWhere(filter: JobFilter, requireCriteria = false): Promise<Where | null | undefined> {
    const where: Record<string, unknown> = {};
    let criteria = false;

    if (filter.id !== undefined && filter.id !== null && String(filter.id) !== '') {
      where.id = String(filter.id);
      criteria = true;
    } else if (Array.isArray(filter.ids) && filter.ids.length > 0) {
      const ids = filter.ids.filter((i) => i !== null && i !== undefined).map(String);
      if (ids.length === 0) return null;
      where.id = { $in: ids };
      criteria = true;
    }

    if (typeof filter.search === 'string' && filter.search.length > 0) {
      // Case-insensitive substring on the (few) distinct names, exact on both databases and free of
      // LIKE-escaping differences.
      const needle = filter.search.toLowerCase();
      const names = (await this.distinctNames()).filter((n) => n.toLowerCase().includes(needle));
      if (names.length === 0) return null;
      where.name = { $in: names };
      criteria = true;
    } else if (typeof filter.name === 'string' && filter.name) {
      where.name = filter.name;
      criteria = true;
    } else if (Array.isArray(filter.names) && filter.names.length > 0) {
      const names = filter.names.filter((n): n is string => typeof n === 'string');
      if (names.length > 0) {
        where.name = { $in: names };
        criteria = true;
      }
    } else if (Array.isArray(filter.notNames) && filter.notNames.length > 0) {
      const names = filter.notNames.filter((n): n is string => typeof n === 'string');
      if (names.length > 0) {
        where.name = { $nin: names };
        criteria = true;
      }
    }

    if (filter.includeDisabled === false) where.disabled = false;

    if (filter.data !== undefined) {
      criteria = true;
      if (filter.data === null) {
        where.data = null;
      } else if (isPlainObject(filter.data) && isSqlFilterable(filter.data)) {
        const w = dataWhere(filter.data);
        if (Object.keys(w).length > 0) where.data = w;
      } else {
        // Arrays, scalars and objects holding arrays: compare in JS, then filter by id.
        const rows = await this.db.em().find(AgendaJob, where as Where, { fields: ['id', 'data'] });
        const ids = rows.filter((r) => dataMatches(r.data, filter.data)).map((r) => r.id);
        if (ids.length === 0) return null;
        where.id = { $in: ids };
      }
    }

    if (requireCriteria && !criteria) return undefined;
    return where as Where;
  }

  // ---------------------------------------------------------------------------------- queries

  async queryJobs(options: JobsQueryOptions = {}): Promise<JobsResult> {
    const { state, sort, skip = 0, limit = 0 } = options;
    const now = new Date();
    const where = await this.buildWhere({ ...options, includeDisabled: options.includeDisabled ?? true });
    if (where === null || where === undefined) return { jobs: [], total: 0 };
    const orderBy = toOrderBy(sort);
    const withState = (row: Row): JobWithState => {
      const job = toJob(row);
      return { ...job, state: computeJobState(job, now) };
    };

    if (!state) {
      const em = this.db.em();
      const [rows, total] = await Promise.all([
        // SQL has no OFFSET without LIMIT: a skip alone pages with an unbounded limit.
        em.find(AgendaJob, where, { orderBy, ...(skip > 0 ? { offset: skip } : {}), ...(limit > 0 ? { limit } : skip > 0 ? { limit: Number.MAX_SAFE_INTEGER } : {}) }),
        this.db.em().count(AgendaJob, where),
      ]);
      return { jobs: rows.map(withState), total };
    }

    // The state is computed from several timestamps: filter in application code, then paginate.
    const rows = await this.db.em().find(AgendaJob, where, { orderBy });
    let jobs = rows.map(withState).filter((job) => (state === 'paused' ? job.disabled === true : job.state === state));
    const total = jobs.length;
    jobs = limit > 0 ? jobs.slice(skip, skip + limit) : skip > 0 ? jobs.slice(skip) : jobs;
    return { jobs, total };
  }

  /**
   * Counts per name and state in the database (one grouped query): the store keeps finished jobs
   * for JOB_RETENTION_DAYS, tens of thousands of rows a busy month, which the admin overview must
   * not read one by one. The CASE is Agenda's computeJobState, in its order.
   */
  async getJobsOverview(): Promise<JobsOverview[]> {
    const em = this.db.em();
    const now = em.getPlatform().processDateProperty(new Date());
    const rows = await em.getConnection().execute<{ name: string; state: JobState; n: number | string; paused: number | string | null }[]>(
      `select name,
         case
           when locked_at is not null then 'running'
           when failed_at is not null and (last_finished_at is null or failed_at >= last_finished_at) then 'failed'
           when repeat_interval is not null and repeat_interval <> '' and repeat_interval <> '0' then 'repeating'
           when next_run_at > ? then 'scheduled'
           when next_run_at is not null then 'queued'
           else 'completed'
         end as state,
         count(*) as n,
         sum(case when disabled then 1 else 0 end) as paused
       from agenda_job group by 1, 2 order by 1`,
      [now],
      'all',
    );
    const byName = new Map<string, JobsOverview>();
    for (const row of rows) {
      let o = byName.get(row.name);
      if (!o) {
        o = { name: row.name, total: 0, running: 0, scheduled: 0, queued: 0, completed: 0, failed: 0, repeating: 0, paused: 0 };
        byName.set(row.name, o);
      }
      o.total += Number(row.n);
      o[row.state] += Number(row.n);
      o.paused += Number(row.paused ?? 0);
    }
    return [...byName.values()];
  }

  async getDistinctJobNames(): Promise<string[]> {
    return this.distinctNames();
  }

  async getJobById(id: string): Promise<JobParameters | null> {
    if (!id) return null;
    const row = await this.db.em().findOne(AgendaJob, { id: String(id) });
    return row ? toJob(row) : null;
  }

  async getQueueSize(): Promise<number> {
    return this.db.em().count(AgendaJob, { nextRunAt: { $lt: new Date() } });
  }

  // ---------------------------------------------------------------------------------- bulk ops

  async removeJobs(options: RemoveJobsOptions): Promise<number> {
    const where = await this.buildWhere(options as JobFilter, true);
    if (!where) return 0;
    return this.db.em().nativeDelete(AgendaJob, where);
  }

  async disableJobs(options: RemoveJobsOptions): Promise<number> {
    const where = await this.buildWhere(options as JobFilter, true);
    if (!where) return 0;
    // Count only rows that change, like Mongo's modifiedCount.
    return this.db.em().nativeUpdate(AgendaJob, { $and: [where, { disabled: false }] } as Where, { disabled: true });
  }

  async enableJobs(options: RemoveJobsOptions): Promise<number> {
    const where = await this.buildWhere(options as JobFilter, true);
    if (!where) return 0;
    return this.db.em().nativeUpdate(AgendaJob, { $and: [where, { disabled: true }] } as Where, { disabled: false });
  }

  async purgeAllJobs(): Promise<number> {
    return this.db.em().nativeDelete(AgendaJob, {});
  }

  // ---------------------------------------------------------------------------------- saving

  private async findById(id: string): Promise<Row | null> {
    return this.db.em().findOne(AgendaJob, { id });
  }

  private async findByKey(key: string): Promise<Row | null> {
    return this.db.em().findOne(AgendaJob, { uniqueKey: key });
  }

  private async insert(cols: Fields): Promise<string> {
    const id = randomUUID();
    await this.db.em().insert(AgendaJob, { ...cols, id } as never);
    return id;
  }

  /**
   * Atomic upsert on the unique key: update the row holding `key`; when there is none, insert;
   * when a concurrent insert wins, update that row instead. `update === null`: insert only.
   */
  private async upsertByKey(key: string, insertCols: Fields, update: Fields | null): Promise<Row> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (update) {
        const n = await this.db.em().nativeUpdate(AgendaJob, { uniqueKey: key }, update);
        if (n > 0) {
          const row = await this.findByKey(key);
          if (row) return row;
          continue; // removed in between: try again
        }
      } else {
        const existing = await this.findByKey(key);
        if (existing) return existing;
      }
      try {
        const id = await this.insert({ ...insertCols, uniqueKey: key });
        const row = await this.findById(id);
        if (row) return row;
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
        // Another process inserted the same key first: loop and update (or return) its row.
      }
    }
    throw new Error(`could not save job with unique key ${key}: too much contention`);
  }

  async saveJob<DATA = unknown>(job: JobParameters<DATA>, options: JobRepositoryOptions | undefined): Promise<JobParameters<DATA>> {
    const { _id, unique, uniqueOpts, ...props } = job;
    const now = new Date();
    // A job saved here may be due at once: this poll's answer no longer covers it.
    this.duePoll = undefined;

    if (_id) {
      const cols = columnsFor(props as Partial<JobParameters>, options, 'update');
      const n = await this.db.em().nativeUpdate(AgendaJob, { id: String(_id), name: props.name }, cols);
      if (n === 0) return job; // removed meanwhile: Mongo returns the input unchanged
      const row = await this.findById(String(_id));
      return (row ? toJob(row) : job) as JobParameters<DATA>;
    }

    const insertCols = columnsFor(props as Partial<JobParameters>, options, 'insert');

    if (props.type === 'single') {
      // One row per name. A nextRunAt that is already due is only set on insert, so restarting a
      // process does not reschedule an existing repeating job.
      const update = columnsFor(props as Partial<JobParameters>, options, 'update');
      if (props.nextRunAt && props.nextRunAt <= now) delete update.nextRunAt;
      const row = await this.upsertByKey(singleJobKey(props.name), { ...insertCols, type: 'single' }, update);
      return toJob(row) as JobParameters<DATA>;
    }

    if (unique) {
      if (!isPlainObject(unique)) throw new Error('unique() needs a plain object query');
      const key = uniqueJobKey(props.name, unique);
      const extra = { uniqueQuery: unique, uniqueOpts: uniqueOpts ?? null };
      let update: Fields | null = { ...columnsFor(props as Partial<JobParameters>, options, 'update'), ...extra };
      const insert: Fields = { ...insertCols, ...extra };
      const debounce = uniqueOpts?.debounce;
      if (uniqueOpts?.insertOnly && !debounce) update = null;

      if (debounce) {
        const existing = await this.findByKey(key);
        if (existing) {
          const startedAt = toDate(existing.debounceStartedAt) ?? now;
          if (debounce.strategy === 'leading') {
            // Leading: keep the original run time, take the new data.
            update!.nextRunAt = dbDate(existing.nextRunAt);
            update!.debounceStartedAt = startedAt;
          } else if (debounce.maxWait && now.getTime() - startedAt.getTime() >= debounce.maxWait) {
            update!.nextRunAt = now;
            update!.debounceStartedAt = null;
          } else {
            update!.nextRunAt = new Date(now.getTime() + debounce.delay);
            update!.debounceStartedAt = startedAt;
          }
          const n = await this.db.em().nativeUpdate(AgendaJob, { uniqueKey: key }, update!);
          if (n > 0) {
            const row = await this.findByKey(key);
            if (row) return toJob(row) as JobParameters<DATA>;
          }
          // Removed in between: fall through and create it as new.
        }
        if (debounce.strategy === 'leading') {
          insert.debounceStartedAt = now;
          if (update) update.debounceStartedAt = now;
        } else {
          const next = new Date(now.getTime() + debounce.delay);
          insert.nextRunAt = next;
          insert.debounceStartedAt = now;
          if (update) {
            update.nextRunAt = next;
            update.debounceStartedAt = now;
          }
        }
      }
      const row = await this.upsertByKey(key, insert, update);
      return toJob(row) as JobParameters<DATA>;
    }

    const id = await this.insert(insertCols);
    const row = await this.findById(id);
    return (row ? toJob(row) : { ...job, _id: toJobId(id) }) as JobParameters<DATA>;
  }

  async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    if (!job._id) throw new Error('Cannot save job state without job ID');
    const n = await this.db.em().nativeUpdate(
      AgendaJob,
      { id: String(job._id), name: job.name },
      {
        lockedAt: dbDate(job.lockedAt),
        nextRunAt: dbDate(job.nextRunAt),
        lastRunAt: dbDate(job.lastRunAt),
        progress: job.progress ?? null,
        failReason: job.failReason ?? null,
        failCount: job.failCount ?? null,
        failedAt: dbDate(job.failedAt),
        lastFinishedAt: dbDate(job.lastFinishedAt),
        lastModifiedBy: options?.lastModifiedBy ?? null,
      },
    );
    if (n !== 1) throw new Error(`job ${job._id} (name: ${job.name}) cannot be updated in the database, maybe it does not exist anymore?`);
  }

  // ---------------------------------------------------------------------------------- locking

  async lockJob(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<JobParameters | undefined> {
    if (!job._id) return undefined;
    const id = String(job._id);
    const n = await this.db.em().nativeUpdate(
      AgendaJob,
      { id, name: job.name, lockedAt: null, nextRunAt: dbDate(job.nextRunAt), disabled: false },
      { lockedAt: new Date(), lastModifiedBy: options?.lastModifiedBy ?? null },
    );
    if (n !== 1) return undefined;
    const row = await this.findById(id);
    return row ? toJob(row) : undefined;
  }

  async unlockJob(job: JobParameters): Promise<void> {
    if (!job._id) return;
    // Only jobs that are not being processed (a running one-off job has nextRunAt = null).
    await this.db.em().nativeUpdate(AgendaJob, { id: String(job._id), nextRunAt: { $ne: null } }, { lockedAt: null });
  }

  async unlockJobs(jobIds: (JobId | string)[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.db.em().nativeUpdate(AgendaJob, { id: { $in: jobIds.map(String) } }, { lockedAt: null });
  }

  /**
   * Calls for the same job name from this process run one after another: Agenda starts a new
   * queue-filling pass every processEvery even while the previous one is still locking, and
   * letting those passes race each other only multiplies failed lock attempts.
   */
  private readonly lockQueues = new Map<string, Promise<unknown>>();
  /**
   * How many more jobs of a name the worker would take right now (its lock limits and free
   * concurrency slots; see lockBudgetOf in runner.ts). A batch never locks more: a job locked in a
   * batch but not wanted would sit locked, unavailable to other workers, until this worker got
   * round to it (with lockLimit 1, one worker held three due jobs and ran them one after another
   * while another worker ran none). Without it (a repository not driven by a worker): one per call.
   */
  lockBudget: (jobName: string) => number = () => 1;
  /** MySQL/MariaDB: use SELECT … FOR UPDATE SKIP LOCKED until the server says it cannot. */
  private skipLocked = true;
  /** Per job name: jobs this repository locked in a batch and has not handed to Agenda yet, in run order. */
  private readonly prefetched = new Map<string, Row[]>();
  /** Per job name: when its buffer was last read again (see BUFFER_RECHECK_MS). */
  private readonly prefetchCheckedAt = new Map<string, number>();
  /** The current poll's names that may have a lockable job (see dueNames). */
  private duePoll?: { askedAt: number; scanUntil: number; names: Promise<Set<string>> };

  /**
   * The job names that may have a lockable job: due by `nextScanAt`, or locked at all (a lock may
   * have passed its deadline). One query answers the whole poll: Agenda asks for each of ~20 names
   * at once every processEvery, and 20 queries fired together every 500 ms were a burst the API's
   * requests queued behind (in `npm start` the event loop stalled 16-26 ms at each poll, and the
   * slowest reservations were the ones caught in it). A superset is
   * safe: a name in it still gets its exact per-name check below; a name not in it had no lockable
   * job when the query ran. A job that became due since then waits for the next poll, as it would
   * had it arrived just after the per-name query.
   */
  private dueNames(nextScanAt: Date): Promise<Set<string>> {
    const now = Date.now();
    const poll = this.duePoll;
    if (poll && now - poll.askedAt <= DUE_NAMES_REUSE_MS && nextScanAt.getTime() <= poll.scanUntil) return poll.names;
    // Later calls of the same poll compute a slightly later nextScanAt: the answer covers them.
    const scanUntil = nextScanAt.getTime() + DUE_NAMES_REUSE_MS;
    // A bound statement, not the query builder: the same text every poll, prepared once (SQLite's
    // statement cache, mysql2's execute), and none of the builder's work twice a second for ever.
    const names = selectBound<{ name: string }>(this.db.em(), DUE_NAMES_SQL, [false, new Date(scanUntil)]).then((rows) => new Set(rows.map((r) => r.name)));
    this.duePoll = { askedAt: now, scanUntil, names };
    // A failed query is not reused: the next call asks again.
    names.catch(() => {
      if (this.duePoll?.names === names) this.duePoll = undefined;
    });
    return names;
  }

  /**
   * Unlocks the prefetched jobs not handed out (a worker stopping). Conditional on the lock still
   * being ours, so a lock another worker took over after expiry is left alone. Returns how many.
   */
  async releasePrefetched(): Promise<number> {
    const rows = [...this.prefetched.values()].flat();
    this.prefetched.clear();
    this.prefetchCheckedAt.clear();
    return this.releaseRows(rows);
  }

  private async releaseRows(rows: Row[]): Promise<number> {
    let n = 0;
    for (const row of rows) n += await this.db.em().nativeUpdate(AgendaJob, { id: row.id, lockedAt: row.lockedAt }, { lockedAt: null });
    return n;
  }

  async getNextJobToRun(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    const previous = this.lockQueues.get(jobName) ?? Promise.resolve();
    const run = previous.then(
      () => this.lockNext(jobName, nextScanAt, lockDeadline, now ?? new Date(), options?.lastModifiedBy ?? null),
      () => this.lockNext(jobName, nextScanAt, lockDeadline, now ?? new Date(), options?.lastModifiedBy ?? null),
    );
    const tail = run.catch(() => undefined);
    this.lockQueues.set(jobName, tail);
    void tail.then(() => {
      if (this.lockQueues.get(jobName) === tail) this.lockQueues.delete(jobName);
    });
    return run;
  }

  private async lockNext(jobName: string, nextScanAt: Date, lockDeadline: Date, lockTime: Date, lastModifiedBy: string | null): Promise<JobParameters | undefined> {
    // The same condition selects the candidates and guards the UPDATE that takes the lock.
    const lockable: Where = {
      name: jobName,
      disabled: false,
      $or: [{ lockedAt: null, nextRunAt: { $lte: nextScanAt } }, { lockedAt: { $lte: lockDeadline } }],
    };
    const orderBy = { nextRunAt: 'asc', priority: 'desc', id: 'asc' } as const;
    const set = { lockedAt: lockTime, lastModifiedBy };
    const tryLock = (em: Em, id: string) => em.nativeUpdate(AgendaJob, { $and: [{ id }, lockable] } as Where, set);

    // A job from the last batch, if its lock is still fresh; stale ones (Agenda stopped asking
    // half-way, e.g. at a lock limit) are released rather than run late on an old lock.
    const buffered = this.prefetched.get(jobName);
    if (buffered?.length) {
      const maxAge = Math.min(PREFETCH_MAX_AGE_MS, (lockTime.getTime() - lockDeadline.getTime()) / 4);
      const isFresh = (row: Row) => lockTime.getTime() - toDate(row.lockedAt)!.getTime() <= maxAge;
      const stale = buffered.filter((row) => !isFresh(row));
      let rows = buffered.filter(isFresh);
      if (stale.length) await this.releaseRows(stale);
      if (rows.length && Date.now() - (this.prefetchCheckedAt.get(jobName) ?? 0) > BUFFER_RECHECK_MS) {
        // Read again, the whole buffer in one query: since the batch was locked a job may have been
        // removed (cancel), disabled or rescheduled; such a job is not handed out (and not run).
        // Still ours: the lock we took is the one it holds (a row whose lock changed is dropped).
        const idsByLock = new Map<number, string[]>();
        for (const row of rows) {
          const at = toDate(row.lockedAt)!.getTime();
          const ids = idsByLock.get(at);
          if (ids) ids.push(row.id);
          else idsByLock.set(at, [row.id]);
        }
        const current = await this.db.em().find(AgendaJob, { $or: [...idsByLock].map(([at, ids]) => ({ id: { $in: ids }, lockedAt: new Date(at) })) } as Where);
        const byId = new Map(current.map((r) => [r.id, r]));
        const disabled = current.filter((r) => r.disabled || !r.nextRunAt);
        rows = rows.map((r) => byId.get(r.id)).filter((r): r is Row => !!r && !r.disabled && !!r.nextRunAt);
        if (disabled.length) await this.releaseRows(disabled);
        this.prefetchCheckedAt.set(jobName, Date.now());
      }
      // A job rescheduled beyond this scan is unlocked, so it runs at its new time.
      const isLater = (r: Row) => toDate(r.nextRunAt)!.getTime() > nextScanAt.getTime();
      const later = rows.filter(isLater);
      if (later.length) await this.releaseRows(later);
      const [next, ...rest] = rows.filter((r) => !isLater(r));
      if (rest.length) this.prefetched.set(jobName, rest);
      else this.prefetched.delete(jobName);
      if (next) return toJob(next);
    }

    if (!(await this.dueNames(nextScanAt)).has(jobName)) return undefined;
    for (let round = 0; round < LOCK_ROUNDS; round++) {
      if (this.db.kind === 'sqlite' || this.skipLocked) {
        // Most names have nothing due on most polls: a plain read says so without a write
        // transaction (on SQLite, without waiting for the write lock another process holds).
        // Agenda runs no job of a poll until every name's queue filling is done, so these add up.
        if ((await this.db.em().find(AgendaJob, lockable, { fields: ['id'], limit: 1 })).length === 0) return undefined;
        // One transaction locks up to LOCK_BATCH jobs: on MySQL the rows are read under their row
        // locks, skipping rows another worker is locking right now instead of fighting over
        // them; on SQLite the transaction holds the database write lock from BEGIN (IMMEDIATE,
        // db/orm.ts). Either way nobody can change the rows before the UPDATE commits, so every
        // candidate is taken and none needs a second read: four statements per batch.
        let batch: Row[];
        try {
          batch = await this.db.em().transactional(async (em) => {
            const rows = await em.find(AgendaJob, lockable, {
              orderBy,
              limit: Math.max(1, Math.min(LOCK_BATCH, Math.floor(this.lockBudget(jobName)) || 1)),
              ...(this.db.kind === 'mysql' ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {}),
            });
            // The probe above saw a lockable job, yet none could be taken: on MySQL every one is
            // row-locked by another transaction right now (try again shortly rather than leave them
            // to the next poll); on SQLite another worker took them (the next probe says so).
            if (rows.length === 0) throw new LockedElsewhere();
            const ids = rows.map((r) => r.id);
            const n = await em.nativeUpdate(AgendaJob, { $and: [{ id: { $in: ids } }, lockable] } as Where, set);
            // Cannot happen under the locks; thrown so the transaction rolls back and nothing is taken.
            if (n !== ids.length) throw new LockRace();
            return rows.map((r) => ({ ...r, ...set }));
          });
        } catch (err) {
          if (err instanceof LockedElsewhere) {
            if (this.db.kind === 'mysql' && round + 1 < LOCK_ROUNDS) await sleep(LOCKED_ELSEWHERE_PAUSE_MS * (round + 1));
            continue;
          }
          if (err instanceof LockRace || err instanceof DeadlockException || err instanceof LockWaitTimeoutException) continue;
          if (this.db.kind === 'mysql' && isSkipLockedUnsupported(err)) {
            this.skipLocked = false;
            continue;
          }
          throw err;
        }
        const [first, ...rest] = batch;
        if (!first) return undefined;
        if (rest.length) {
          this.prefetched.set(jobName, [...(this.prefetched.get(jobName) ?? []), ...rest]);
          // The rest is read again at its first hand-out: the caller may change jobs in between.
          this.prefetchCheckedAt.delete(jobName);
        }
        return toJob(first);
      }

      // Portable path (MySQL without SKIP LOCKED): read candidates, then take the first one whose
      // conditional UPDATE reports one affected row.
      const candidates = await this.db.em().find(AgendaJob, lockable, { fields: ['id'], orderBy, limit: LOCK_CANDIDATES });
      if (candidates.length === 0) return undefined;
      for (const candidate of candidates) {
        if ((await tryLock(this.db.em(), candidate.id)) === 1) {
          const row = await this.findById(candidate.id);
          if (row) return toJob(row);
        }
        // Lost the race for this row (another worker locked it first): try the next one.
      }
    }
    return undefined;
  }
}

class LockRace extends Error {}
class LockedElsewhere extends Error {}

function isSkipLockedUnsupported(err: unknown): boolean {
  // MySQL < 8.0 / MariaDB < 10.6: syntax error near 'skip locked'.
  const e = err as { code?: string; message?: string };
  return /skip locked/i.test(e?.message ?? '') && /syntax|ER_PARSE_ERROR/i.test(`${e?.code ?? ''} ${e?.message ?? ''}`);
}

/** Data filters SQL can express: nested objects of scalars (arrays are compared in JS). */
function isSqlFilterable(data: Record<string, unknown>): boolean {
  return Object.values(data).every((v) => v === undefined || v === null || typeof v !== 'object' || v instanceof Date || (isPlainObject(v) && isSqlFilterable(v)));
}

function toOrderBy(sort: JobsSort | undefined): Record<string, 'asc' | 'desc'> {
  const order: Record<string, 'asc' | 'desc'> = {};
  if (sort) {
    for (const key of ['nextRunAt', 'lastRunAt', 'lastFinishedAt', 'priority', 'name', 'data'] as const) {
      const dir = sort[key];
      if (dir === 'asc' || dir === 'desc') order[key] = dir;
    }
  }
  if (Object.keys(order).length === 0) {
    order.nextRunAt = 'desc';
    order.lastRunAt = 'desc';
  }
  order.id = 'asc'; // stable pages
  return order;
}

export class SqlAgendaBackend implements AgendaBackend {
  readonly name: string;
  readonly repository: SqlJobRepository;
  readonly notificationChannel = undefined;
  /** The Db belongs to the application, which closes it; agenda.stop() must not. */
  readonly ownsConnection = false;

  constructor(db: Db, opts: { name?: string } = {}) {
    this.name = opts.name ?? (db.kind === 'mysql' ? 'SQL (MySQL)' : 'SQL (SQLite)');
    this.repository = new SqlJobRepository(db);
  }

  async connect(): Promise<void> {
    await this.repository.connect();
  }

  async disconnect(): Promise<void> {
    // Nothing to do: the connection pool is the application's (see ownsConnection).
  }
}

type NewJob = { name: string; data: unknown; nextRunAt?: Date; priority?: number };

/**
 * Insert a job row inside the caller's transaction (e.g. checkout writes the order and its
 * sync-order job atomically). Agenda picks it up like any other job.
 */
export async function enqueueJob(em: Em, job: NewJob): Promise<string> {
  return (await enqueueJobs(em, [job]))[0]!;
}

/** Several jobs in one insert statement (in the caller's transaction, like enqueueJob). */
export async function enqueueJobs(em: Em, jobs: readonly NewJob[]): Promise<string[]> {
  const rows = jobs.map((job) => ({
    id: randomUUID(),
    name: job.name,
    priority: job.priority ?? 0,
    nextRunAt: job.nextRunAt ?? new Date(),
    type: 'normal',
    disabled: false,
    data: job.data === undefined ? null : job.data,
  }));
  if (rows.length) await em.insertMany(AgendaJob, rows as never[]);
  return rows.map((r) => r.id);
}
