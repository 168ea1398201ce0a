// The Agenda 6 SQL backend (src/jobs/sql-backend.ts) driven by the real Agenda on SQLite and
// MySQL: running, scheduling, retries (sync-order's exponential backoff too), concurrency,
// priority, unique, repeating and repeatAt jobs, disable/enable/remove, queries, instances sharing
// one database (one-off and recurring jobs), recovery of a dead worker's lock, and jobs enqueued
// inside an application transaction.
import { Agenda, constant, type Job } from 'agenda';
import { LockMode } from '@mikro-orm/core';
import { testDatabaseKinds, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { openDb, migrate, type Db } from '../../src/db/orm.js';
import { AgendaJob } from '../../src/jobs/entities.js';
import { SqlAgendaBackend, SqlJobRepository, enqueueJob } from '../../src/jobs/sql-backend.js';
import { sleep, until } from '../support/wait.js';
import { syncOrderBackoff } from '../../src/jobs/registry.js';
import type { Config } from '../../src/config.js';


/** Wall-clock parts of a date in a time zone. */
function inZone(d: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

describe.each(testDatabaseKinds())('SQL Agenda backend on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  let repo: SqlJobRepository;
  const extraDbs: Db[] = [];
  let agendas: Agenda[] = [];

  function newAgenda(opts: Partial<ConstructorParameters<typeof Agenda>[0]> = {}, onDb: Db = db): Agenda {
    // A short lock lifetime: Agenda's per-run liveness timer sleeps lockLifetime/2 and is not
    // cleared when the job ends, so the default (10 min) would keep jest alive for 5 minutes.
    const agenda = new Agenda({ backend: new SqlAgendaBackend(onDb), processEvery: 50, defaultLockLifetime: 2000, name: `test-${agendas.length}`, ...opts });
    agendas.push(agenda);
    return agenda;
  }

  async function row(id: unknown) {
    return db.em().findOneOrFail(AgendaJob, { id: String(id) });
  }

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb(parseDatabaseUrl(tdb.url));
    await migrate(db);
    repo = new SqlJobRepository(db);
  });

  afterEach(async () => {
    await Promise.all(agendas.map((a) => a.stop(false)));
    agendas = [];
    await repo.purgeAllJobs();
  });

  afterAll(async () => {
    await Promise.all(agendas.map((a) => a.stop(false)));
    for (const d of extraDbs) await d.close();
    await db?.close();
    await tdb?.drop();
  });

  test('a job saved with now() runs exactly once and is stored as completed', async () => {
    const agenda = newAgenda();
    const runs: unknown[] = [];
    agenda.define('once', async (job: Job<{ x: number; nested: { s: string } }>) => {
      runs.push(job.attrs.data);
    });
    await agenda.start();
    const job = await agenda.now('once', { x: 1, nested: { s: 'æøå' } });
    await until('run', () => runs.length === 1);
    await sleep(300);
    expect(runs).toEqual([{ x: 1, nested: { s: 'æøå' } }]);
    const done = await until('completion saved', async () => {
      const r = await repo.getJobById(String(job.attrs._id));
      return r?.lastFinishedAt ? r : undefined;
    });
    expect(done.nextRunAt).toBeNull();
    expect(done.lockedAt).toBeUndefined();
    expect(done.lastRunAt).toBeInstanceOf(Date);
    expect(done.lastModifiedBy).toBe('test-0');
    const { jobs } = await repo.queryJobs({ id: String(job.attrs._id) });
    expect(jobs[0]!.state).toBe('completed');
  });

  test('dates keep milliseconds and come back as Date objects', async () => {
    const at = new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678));
    const saved = await repo.saveJob({ name: 'dates', priority: 0, nextRunAt: at, type: 'normal', data: { d: 1 }, startDate: at, skipDays: [0, 6] }, undefined);
    const back = (await repo.getJobById(String(saved._id)))!;
    expect(back.nextRunAt).toBeInstanceOf(Date);
    expect(back.nextRunAt!.getTime()).toBe(at.getTime());
    expect(back.startDate!.getTime()).toBe(at.getTime());
    expect(back.skipDays).toEqual([0, 6]);
    expect(back.disabled).toBe(false);
  });

  test('schedule() runs the job at its time, not before', async () => {
    const agenda = newAgenda();
    const ranAt: number[] = [];
    agenda.define('later', async () => {
      ranAt.push(Date.now());
    });
    await agenda.start();
    const when = new Date(Date.now() + 600);
    await agenda.schedule(when, 'later', { a: 1 });
    await sleep(300);
    expect(ranAt).toHaveLength(0);
    await until('scheduled run', () => ranAt.length === 1);
    expect(ranAt[0]!).toBeGreaterThanOrEqual(when.getTime() - 5);
  });

  test('retries with backoff, then fails for good with failReason', async () => {
    const agenda = newAgenda();
    const attempts: number[] = [];
    agenda.define(
      'flaky',
      async () => {
        attempts.push(Date.now());
        throw new Error(`boom ${attempts.length}`);
      },
      { backoff: constant({ delay: 150, maxRetries: 2 }) },
    );
    const exhausted = new Promise<Job>((resolve) => agenda.on('retry exhausted:flaky', (_err: Error, job: Job) => resolve(job)));
    await agenda.start();
    const job = await agenda.now('flaky');
    await exhausted;
    expect(attempts).toHaveLength(3);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(140);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(140);
    const r = await until('failure saved', async () => {
      const x = await repo.getJobById(String(job.attrs._id));
      return x && x.failCount === 3 && !x.lockedAt ? x : undefined;
    });
    expect(r.failReason).toBe('boom 3');
    expect(r.failedAt).toBeInstanceOf(Date);
    expect(r.nextRunAt).toBeNull();
    await sleep(400);
    expect(attempts).toHaveLength(3);
    expect((await repo.queryJobs({ state: 'failed' })).jobs.map((j) => String(j._id))).toEqual([String(job.attrs._id)]);
  });

  test('the concurrency limit of a definition is respected', async () => {
    const agenda = newAgenda({ maxConcurrency: 20 });
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    agenda.define(
      'limited',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(120);
        running--;
        done++;
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 6; i++) await agenda.now('limited', { i });
    await agenda.start();
    await until('all ran', () => done === 6);
    expect(maxRunning).toBe(2);
  });

  test('jobs due at the same time run in priority order', async () => {
    const agenda = newAgenda();
    const order: number[] = [];
    agenda.define(
      'prio',
      async (job: Job<{ p: number }>) => {
        order.push(job.attrs.data.p);
      },
      { concurrency: 1 },
    );
    const at = new Date(Date.now() - 1000);
    for (const p of [-10, 0, 20, 5, 10]) await agenda.create('prio', { p }).priority(p).schedule(at).save();
    await agenda.start();
    await until('all ran', () => order.length === 5);
    expect(order).toEqual([20, 10, 5, 0, -10]);
  });

  test('unique() jobs are not duplicated, also when saved concurrently', async () => {
    const agenda = newAgenda();
    const save = (orderId: number, v: string) => agenda.create('uniq', { orderId, v }).unique({ 'data.orderId': orderId }).schedule(new Date(Date.now() + 60_000)).save();
    const first = await save(1, 'a');
    await Promise.all([save(1, 'b'), save(1, 'c'), save(1, 'd'), save(1, 'e')]);
    const again = await save(1, 'z');
    expect(String(again.attrs._id)).toBe(String(first.attrs._id));
    await save(2, 'x');
    const { jobs, total } = await repo.queryJobs({ name: 'uniq', sort: { name: 'asc' } });
    expect(total).toBe(2);
    const one = jobs.find((j) => (j.data as { orderId: number }).orderId === 1)!;
    expect((one.data as { v: string }).v).toBe('z'); // upsert updates the data
    expect(one.unique).toEqual({ 'data.orderId': 1 });

    // insertOnly keeps the existing row unchanged
    await agenda.create('uniq', { orderId: 1, v: 'ignored' }).unique({ 'data.orderId': 1 }, { insertOnly: true }).save();
    expect(((await repo.getJobById(String(first.attrs._id)))!.data as { v: string }).v).toBe('z');
    expect((await repo.queryJobs({ name: 'uniq' })).total).toBe(2);
  });

  test('a unique job runs once even when enqueued many times', async () => {
    const agenda = newAgenda();
    let runs = 0;
    agenda.define('uniq-run', async () => {
      runs++;
    });
    for (let i = 0; i < 5; i++) await agenda.create('uniq-run', { k: 'same' }).unique({ 'data.k': 'same' }).schedule(new Date()).save();
    await agenda.start();
    await until('ran', () => runs === 1);
    await sleep(300);
    expect(runs).toBe(1);
  });

  test("every('5 minutes') keeps one row and computes nextRunAt from the last run", async () => {
    const agenda = newAgenda();
    const runs: Date[] = [];
    agenda.define('tick', async (job: Job) => {
      runs.push(job.attrs.lastRunAt!);
    });
    await agenda.every('5 minutes', 'tick');
    await agenda.every('5 minutes', 'tick'); // e.g. a second process starting: still one row
    expect((await repo.queryJobs({ name: 'tick' })).total).toBe(1);
    await agenda.start();
    await until('first run', () => runs.length === 1);
    const r = await until('next run saved', async () => {
      const x = (await repo.queryJobs({ name: 'tick' })).jobs[0]!;
      return x.lastFinishedAt && !x.lockedAt ? x : undefined;
    });
    expect(r.type).toBe('single');
    expect(r.repeatInterval).toBe('5 minutes');
    expect(r.nextRunAt!.getTime()).toBe(r.lastRunAt!.getTime() + 5 * 60_000);
    expect(r.state).toBe('repeating');
    // a restart calling every() again does not reschedule the pending run
    await agenda.every('5 minutes', 'tick');
    expect((await repo.getJobById(String(r._id)))!.nextRunAt!.getTime()).toBe(r.nextRunAt!.getTime());
    await sleep(200);
    expect(runs).toHaveLength(1);

    const skip = await agenda.every('5 minutes', 'tock', undefined, { skipImmediate: true });
    const t = (await repo.getJobById(String(skip.attrs._id)))!;
    expect(Math.abs(t.nextRunAt!.getTime() - (Date.now() + 5 * 60_000))).toBeLessThan(5_000);
  });

  test('a cron schedule with a time zone gets the next 04:00 in Copenhagen', async () => {
    const agenda = newAgenda();
    agenda.define('nightly', async () => {});
    const before = Date.now();
    const job = await agenda.every('0 4 * * *', 'nightly', undefined, { timezone: 'Europe/Copenhagen' });
    const stored = (await repo.getJobById(String(job.attrs._id)))!;
    expect(stored.repeatTimezone).toBe('Europe/Copenhagen');
    expect(stored.repeatInterval).toBe('0 4 * * *');
    const next = stored.nextRunAt!;
    expect(inZone(next, 'Europe/Copenhagen')).toEqual({ hour: 4, minute: 0, second: 0 });
    expect(next.getTime()).toBeGreaterThan(before);
    expect(next.getTime() - before).toBeLessThanOrEqual(25 * 3600_000);
  });

  test('repeatAt() keeps its time of day in the store and runs again at the next one, not before', async () => {
    const agenda = newAgenda();
    const runs: Date[] = [];
    agenda.define('daily-at', async (job: Job) => {
      runs.push(job.attrs.lastRunAt!);
    });
    // Due now (first run), then every day at 03:30 in the process's time zone (Agenda's repeatAt).
    const job = await agenda.create('daily-at', {}).repeatAt('3:30am').save();
    expect((await repo.getJobById(String(job.attrs._id)))!.repeatAt).toBe('3:30am');
    await agenda.start();
    await until('first run', () => runs.length === 1);
    const r = await until('next run saved', async () => {
      const x = (await repo.getJobById(String(job.attrs._id)))!;
      return x.lastFinishedAt && !x.lockedAt ? x : undefined;
    });
    expect(r.repeatAt).toBe('3:30am');
    const next = r.nextRunAt!;
    expect([next.getHours(), next.getMinutes(), next.getSeconds()]).toEqual([3, 30, 0]);
    expect(next.getTime()).toBeGreaterThan(runs[0]!.getTime());
    expect(next.getTime() - runs[0]!.getTime()).toBeLessThanOrEqual(25 * 3600_000);
    expect((await repo.queryJobs({ id: String(job.attrs._id) })).jobs[0]!.state).toBe('scheduled');
    await sleep(300);
    expect(runs).toHaveLength(1);
  });

  test("sync-order's backoff (syncOrderBackoff): each stored retry waits about twice as long as the one before, then it gives up", async () => {
    const agenda = newAgenda();
    const attempts = 4;
    const failures: number[] = [];
    agenda.define(
      'sync-like',
      async () => {
        failures.push(Date.now());
        throw new Error(`Maconomy down (${failures.length})`);
      },
      { backoff: syncOrderBackoff({ jobs: { syncAttempts: attempts } } as Config) },
    );
    const exhausted = new Promise<void>((resolve) => agenda.on('retry exhausted:sync-like', () => resolve()));
    await agenda.start();
    const job = await agenda.now('sync-like');
    const id = String(job.attrs._id);
    const gaps: number[] = [];
    for (let n = 1; n < attempts; n++) {
      // The failure is stored with the retry's time; read the wait from the row, then move the
      // clock on (make the retry due now) instead of waiting 5, 10, 20 s.
      const r = await until(`failure ${n} stored with its retry`, async () => {
        const x = await row(id);
        return x.failCount === n && !x.lockedAt && x.nextRunAt && x.failedAt ? x : undefined;
      });
      gaps.push(r.nextRunAt!.getTime() - r.failedAt!.getTime());
      await db.em().nativeUpdate(AgendaJob, { id }, { nextRunAt: new Date() });
    }
    await exhausted;
    const last = await until('final failure stored', async () => {
      const x = await row(id);
      return x.failCount === attempts && !x.lockedAt ? x : undefined;
    });
    expect(last.nextRunAt).toBeNull();
    expect(last.failReason).toBe(`Maconomy down (${attempts})`);
    expect(failures).toHaveLength(attempts);
    // 5 s, 10 s, 20 s, each with up to 10 % jitter: strictly growing, each near its nominal value.
    gaps.forEach((gap, i) => {
      const nominal = 5_000 * 2 ** i;
      expect(gap).toBeGreaterThanOrEqual(nominal * 0.9 - 50);
      expect(gap).toBeLessThanOrEqual(nominal * 1.1 + 50);
      if (i > 0) expect(gap).toBeGreaterThan(gaps[i - 1]!);
    });
    // Later retries are capped at 30 minutes.
    const strategy = syncOrderBackoff({ jobs: { syncAttempts: 20 } } as Config);
    const late = strategy({ attempt: 15, error: new Error('x'), jobName: 'sync-order', jobData: {} })!;
    expect(late).toBeLessThanOrEqual(30 * 60_000 * 1.1);
    expect(late).toBeGreaterThanOrEqual(30 * 60_000 * 0.9);
    expect(strategy({ attempt: 20, error: new Error('x'), jobName: 'sync-order', jobData: {} })).toBeNull();
  });

  test('a recurring job run by three Agenda instances on one database runs each occurrence once', async () => {
    // Three workers, each with its own connections, polling often, so they compete for each
    // occurrence. (Lock atomicity itself is proven by the racing and 200-jobs tests above.)
    const dbs = [db, await openDb(parseDatabaseUrl(tdb.url)), await openDb(parseDatabaseUrl(tdb.url))];
    extraDbs.push(dbs[1]!, dbs[2]!);
    const instances = ['A', 'B', 'C'].map((name, i) => ({ name, agenda: newAgenda({ name, processEvery: 10 }, dbs[i]) }));
    // Every second, aligned on the second: an occurrence is identified by its scheduled time.
    const occurrences: string[] = [];
    const byInstance: Record<string, number> = {};
    for (const { name, agenda } of instances)
      agenda.define('every-second', async (job: Job) => {
        // Agenda computes the next occurrence when a run starts: two runs of one occurrence compute the same one.
        occurrences.push(job.attrs.nextRunAt!.toISOString());
        byInstance[name] = (byInstance[name] ?? 0) + 1;
        await sleep(20);
      });
    // Every process declares the schedule at start-up, as every worker does.
    await Promise.all(instances.map(({ agenda }) => agenda.every('* * * * * *', 'every-second', undefined, { timezone: 'Europe/Copenhagen' })));
    expect((await repo.queryJobs({ name: 'every-second' })).total).toBe(1);
    const startedAt = Date.now();
    await Promise.all(instances.map(({ agenda }) => agenda.start()));
    await until('six occurrences', () => occurrences.length >= 6, 20_000);
    await Promise.all(instances.map(({ agenda }) => agenda.stop(false)));
    const seconds = (Date.now() - startedAt) / 1000;
    expect(new Set(occurrences).size).toBe(occurrences.length);
    // Once per second at most (one extra for the immediate first run).
    expect(occurrences.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(Object.values(byInstance).reduce((x, y) => x + y, 0)).toBe(occurrences.length);
  }, 30_000);

  test('disable() stops a job from running, enable() lets it run', async () => {
    const agenda = newAgenda();
    let runs = 0;
    agenda.define('pausable', async () => {
      runs++;
    });
    await agenda.now('pausable', { k: 1 });
    expect(await agenda.disable({ name: 'pausable' })).toBe(1);
    expect(await agenda.disable({ name: 'pausable' })).toBe(0);
    await agenda.start();
    await sleep(400);
    expect(runs).toBe(0);
    expect((await repo.queryJobs({ state: 'paused' })).total).toBe(1);
    expect((await repo.queryJobs({ includeDisabled: false })).total).toBe(0);
    expect(await agenda.enable({ data: { k: 1 } })).toBe(1);
    await until('ran after enable', () => runs === 1);
  });

  test('cancel() removes matching jobs only', async () => {
    const agenda = newAgenda();
    const later = new Date(Date.now() + 60_000);
    await agenda.schedule(later, 'rm', { k: 'a', n: { deep: 1 } });
    await agenda.schedule(later, 'rm', { k: 'b', n: { deep: 2 } });
    await agenda.schedule(later, 'rm', { k: 'c', n: { deep: 2 } });
    await agenda.schedule(later, 'keep', { k: 'a' });
    expect(await agenda.cancel({})).toBe(0); // no criteria: nothing removed
    expect(await agenda.cancel({ name: 'rm', data: { n: { deep: 2 } } })).toBe(2);
    expect(await agenda.cancel({ data: { k: 'a' }, notNames: ['keep'] })).toBe(1);
    expect(await repo.getDistinctJobNames()).toEqual(['keep']);
    const keep = (await repo.queryJobs({ name: 'keep' })).jobs[0]!;
    expect(await agenda.cancel({ id: keep._id })).toBe(1);
    expect((await repo.queryJobs()).total).toBe(0);
  });

  test('queryJobs and getJobsOverview count jobs by state', async () => {
    const agenda = newAgenda();
    agenda.define('ok', async () => {});
    agenda.define('bad', async () => {
      throw new Error('nope');
    });
    await agenda.start();
    await agenda.now('ok');
    await agenda.now('bad');
    await until('both finished', async () => (await repo.queryJobs({ names: ['ok', 'bad'] })).jobs.every((j) => j.lastFinishedAt && !j.lockedAt));
    await agenda.stop(false);

    const later = new Date(Date.now() + 60_000);
    const l1 = await agenda.schedule(later, 'later', { tag: 'x' });
    await agenda.schedule(new Date(later.getTime() + 1000), 'later', { tag: 'y' });
    await agenda.schedule(new Date(Date.now() - 1000), 'queued', { tag: 'x' });
    await agenda.disable({ id: l1.attrs._id });
    // A recurring job, and one a worker holds right now.
    await agenda.every('1 hour', 'hourly');
    const held = await agenda.schedule(new Date(Date.now() - 500), 'held', {});
    await db.em().nativeUpdate(AgendaJob, { id: String(held.attrs._id) }, { lockedAt: new Date() });

    const overview = Object.fromEntries((await repo.getJobsOverview()).map((o) => [o.name, o]));
    expect(overview.hourly).toMatchObject({ total: 1, repeating: 1 });
    expect(overview.held).toMatchObject({ total: 1, running: 1, queued: 0 });
    await repo.removeJobs({ name: 'hourly' });
    await repo.removeJobs({ name: 'held' });
    expect(overview.ok).toMatchObject({ total: 1, completed: 1, failed: 0 });
    expect(overview.bad).toMatchObject({ total: 1, failed: 1 });
    expect(overview.later).toMatchObject({ total: 2, scheduled: 2, paused: 1 });
    expect(overview.queued).toMatchObject({ total: 1, queued: 1 });
    expect(await repo.getQueueSize()).toBe(1 + 0); // only 'queued' is due (ok/bad have no nextRunAt)

    expect((await repo.queryJobs({ state: 'scheduled' })).total).toBe(2);
    expect((await repo.queryJobs({ state: 'scheduled', includeDisabled: false })).total).toBe(1);
    expect((await repo.queryJobs({ data: { tag: 'x' } })).jobs.map((j) => j.name).sort()).toEqual(['later', 'queued']);
    expect((await repo.queryJobs({ search: 'ATE' })).jobs.map((j) => j.name)).toEqual(['later', 'later']);
    expect((await repo.queryJobs({ search: 'zzz' })).total).toBe(0);
    const page = await repo.queryJobs({ sort: { name: 'asc' }, skip: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.jobs.map((j) => j.name)).toEqual(['later', 'later']);
    // like the Mongo backend, nextRunAt sorts before name; nulls (finished one-off jobs) first
    const byRun = await repo.queryJobs({ sort: { name: 'asc', nextRunAt: 'asc' } });
    expect(byRun.jobs.map((j) => j.name)).toEqual(['bad', 'ok', 'queued', 'later', 'later']);
    expect((await repo.queryJobs({ state: 'scheduled', limit: 1, skip: 1 })).jobs).toHaveLength(1);
    expect(await repo.getDistinctJobNames()).toEqual(['bad', 'later', 'ok', 'queued']);
  });

  test('saveJobState on a removed job throws; unlockJob leaves a running one-off job locked', async () => {
    const saved = await repo.saveJob({ name: 'x', priority: 0, nextRunAt: new Date(), type: 'normal', data: null }, undefined);
    const locked = (await repo.getNextJobToRun('x', new Date(Date.now() + 100), new Date(Date.now() - 60_000), undefined, { lastModifiedBy: 'w' }))!;
    expect(String(locked._id)).toBe(String(saved._id));
    expect(await repo.getNextJobToRun('x', new Date(Date.now() + 100), new Date(Date.now() - 60_000), undefined, undefined)).toBeUndefined();
    await repo.saveJobState({ ...locked, nextRunAt: null, lastRunAt: new Date() }, undefined);
    await repo.unlockJob(locked);
    expect((await repo.getJobById(String(saved._id)))!.lockedAt).toBeInstanceOf(Date);
    await repo.unlockJobs([locked._id!]);
    expect((await repo.getJobById(String(saved._id)))!.lockedAt).toBeUndefined();
    await repo.removeJobs({ id: saved._id });
    await expect(repo.saveJobState(locked, undefined)).rejects.toThrow(/cannot be updated/);
  });

  test('due jobs are locked ten per transaction and handed out one per call; the rest are released at stop or when stale', async () => {
    // A worker that takes ten and more (its lock budget; job-store-contract.test.ts covers smaller ones).
    repo.lockBudget = () => 10;
    await db.em().transactional(async (em) => {
      for (let i = 0; i < 15; i++) await enqueueJob(em, { name: 'pf', data: { i }, nextRunAt: new Date(Date.now() - 1000 + i) });
    });
    const lockedCount = () => db.em().count(AgendaJob, { name: 'pf', lockedAt: { $ne: null } });
    const next = (now: Date) => repo.getNextJobToRun('pf', new Date(now.getTime() + 100), new Date(now.getTime() - 600_000), now, { lastModifiedBy: 'w' });
    const t0 = new Date();
    const first = (await next(t0))!;
    expect((first.data as { i: number }).i).toBe(0); // run order: earliest nextRunAt first
    expect(await lockedCount()).toBe(10); // one batch
    const second = (await next(t0))!;
    expect((second.data as { i: number }).i).toBe(1);
    expect(second.lockedAt!.getTime()).toBe(t0.getTime());
    expect(await lockedCount()).toBe(10); // from the batch, no new lock

    // Stopping: the eight locked but not handed out are unlocked; the two handed out stay locked.
    expect(await repo.releasePrefetched()).toBe(8);
    expect(await lockedCount()).toBe(2);

    // A batch whose locks grew old while nobody asked is released, not handed out on its old lock.
    const t1 = new Date(t0.getTime() + 10);
    const third = (await next(t1))!;
    expect((third.data as { i: number }).i).toBe(2);
    const t2 = new Date(t1.getTime() + 3_000);
    const fourth = (await next(t2))!;
    expect((fourth.data as { i: number }).i).toBe(3); // the stale 3.. were released and locked afresh
    expect(fourth.lockedAt!.getTime()).toBe(t2.getTime());
    expect((await row(fourth._id)).lockedAt!.getTime()).toBe(t2.getTime());
    await repo.releasePrefetched();
    repo.lockBudget = () => 1;
  });

  test('a poll asks the database once which of its job names have anything due, not once per name, and due jobs still run', async () => {
    // A second connection that records its statements, as a worker process of its own would.
    const statements: string[] = [];
    const counted = await openDb(parseDatabaseUrl(tdb.url), { onQuery: (sql) => statements.push(sql) });
    extraDbs.push(counted);
    const agenda = newAgenda({}, counted);
    const ran: string[] = [];
    const names = Array.from({ length: 20 }, (_, i) => `poll-${i}`);
    for (const name of names) agenda.define(name, async () => void ran.push(name));
    await agenda.start();
    await sleep(200);
    statements.length = 0;
    await sleep(1_000); // about 20 polls at processEvery 50 ms, with nothing due
    const reads = statements.filter((s) => /select/i.test(s) && /agenda_job/.test(s)).length;
    // One per poll; per name it would be 20 per poll (~400).
    expect(reads).toBeGreaterThan(5);
    expect(reads).toBeLessThanOrEqual(25);

    // Jobs of two of the names, saved through another connection (the API process), run once each.
    await db.em().transactional(async (em) => {
      await enqueueJob(em, { name: 'poll-3', data: {} });
      await enqueueJob(em, { name: 'poll-17', data: {} });
    });
    await until('both jobs ran', () => ran.length === 2);
    expect(ran.sort()).toEqual(['poll-17', 'poll-3']);
    // A lock past its deadline is found too: the name has a locked row, so it gets its exact check.
    await db.em().transactional(async (em) => {
      const id = await enqueueJob(em, { name: 'poll-9', data: {} });
      await em.nativeUpdate(AgendaJob, { id }, { lockedAt: new Date(Date.now() - 60_000) }); // a dead worker's
    });
    await until('the job with a stale lock ran', () => ran.includes('poll-9'));
    expect(ran.filter((n) => n === 'poll-9')).toHaveLength(1);
  });

  test('two repositories racing for the same jobs never lock one twice', async () => {
    const other = await openDb(parseDatabaseUrl(tdb.url));
    extraDbs.push(other);
    const repoB = new SqlJobRepository(other);
    // On MySQL, repoC uses the portable conditional-UPDATE path against the SKIP LOCKED path of
    // the others (as with an old server); on SQLite every repository uses it anyway.
    const repoC = new SqlJobRepository(other);
    (repoC as unknown as { skipLocked: boolean }).skipLocked = false;
    await db.em().transactional(async (em) => {
      for (let i = 0; i < 60; i++) await enqueueJob(em, { name: 'race', data: { i } });
    });
    const got: string[] = [];
    const worker = async (r: SqlJobRepository) => {
      for (;;) {
        const j = await r.getNextJobToRun('race', new Date(Date.now() + 50), new Date(Date.now() - 600_000), undefined, undefined);
        if (!j) return;
        got.push(String(j._id));
      }
    };
    await Promise.all([worker(repo), worker(repoB), worker(repoC), worker(new SqlJobRepository(db))]);
    expect(got).toHaveLength(60);
    expect(new Set(got).size).toBe(60);
  });

  (kind === 'mysql' ? test : test.skip)('due jobs row-locked by another transaction for a moment are taken when it ends, not left to the next poll', async () => {
    // Under a burst of checkouts MariaDB's SKIP LOCKED at times returned no row although due jobs
    // were there; the poll gave up and the whole burst started one poll (500 ms) late.
    const other = await openDb(parseDatabaseUrl(tdb.url));
    extraDbs.push(other);
    await db.em().transactional(async (em) => {
      for (let i = 0; i < 3; i++) await enqueueJob(em, { name: 'held', data: { i } });
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let markLocked!: () => void;
    const locked = new Promise<void>((resolve) => (markLocked = resolve));
    const holder = other.em().transactional(async (em) => {
      await em.find(AgendaJob, { name: 'held' }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      markLocked();
      await released;
    });
    await locked;
    let releasedAt = 0;
    setTimeout(() => {
      releasedAt = Date.now();
      release();
    }, 40);
    const job = await repo.getNextJobToRun('held', new Date(Date.now() + 50), new Date(Date.now() - 600_000), undefined, undefined);
    // When the poll returned, the other transaction had already let go: the locks were waited
    // out, not ignored (a job handed out under them would come back with releasedAt still 0).
    const releasedWhenTaken = releasedAt;
    await holder;
    expect(job?.name).toBe('held');
    expect(releasedWhenTaken).toBeGreaterThan(0);
    expect((await row(job!._id)).lockedAt).toBeInstanceOf(Date);
  });

  test('two Agenda instances on the same database run each of 200 jobs exactly once', async () => {
    const other = await openDb(parseDatabaseUrl(tdb.url));
    extraDbs.push(other);
    const runs = new Map<string, number>();
    const byInstance = { a: 0, b: 0 };
    const define = (agenda: Agenda, who: 'a' | 'b') =>
      agenda.define(
        'bulk',
        async (job: Job) => {
          const id = String(job.attrs._id);
          runs.set(id, (runs.get(id) ?? 0) + 1);
          byInstance[who]++;
          await sleep(Math.random() * 5);
        },
        // Without a lock limit Agenda's queue filling is greedy: one instance locks every due job it
        // can (the store hands them out in batches) and the other may get none, which proves
        // nothing about sharing. With one, both instances take part, as sync-order's workers do.
        // lockLifetime: the suite's 2 s lets the other instance take over a job locked but not yet
        // started when a loaded machine stalls this process that long (Agenda's own rule for a
        // dead worker; one such run saw a job run twice); "exactly once" is about live workers.
        { concurrency: 10, lockLimit: 20, lockLifetime: 10_000 },
      );
    const a = newAgenda({ name: 'A', maxConcurrency: 10 });
    const b = newAgenda({ name: 'B', maxConcurrency: 10 }, other);
    define(a, 'a');
    define(b, 'b');
    // Both instances are polling before the jobs appear (a second pool's first connection can be
    // slow on a busy machine, and one instance alone clears 200 short jobs in about half a second).
    await Promise.all([a.start(), b.start()]);
    await sleep(500);
    const ids: string[] = [];
    await db.em().transactional(async (em) => {
      for (let i = 0; i < 200; i++) ids.push(await enqueueJob(em, { name: 'bulk', data: { i } }));
    });
    await until('all 200 ran', () => runs.size === 200, 45_000);
    await sleep(500);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    expect(byInstance.a + byInstance.b).toBe(200);
    expect(byInstance.a).toBeGreaterThan(0);
    expect(byInstance.b).toBeGreaterThan(0);
  }, 60_000);

  test("a dead worker's lock is taken over after the lock lifetime, not before", async () => {
    // Worker "dead" locked the job and started it (one-off: nextRunAt cleared), then vanished.
    const id = await enqueueJob(db.em(), { name: 'orphan', data: { n: 1 } });
    await db.em().nativeUpdate(AgendaJob, { id }, { lockedAt: new Date(), lastRunAt: new Date(), nextRunAt: null, lastModifiedBy: 'dead' });
    const startedAt = Date.now();
    const agenda = newAgenda({ name: 'rescuer', defaultLockLifetime: 1200 });
    const ranAt: number[] = [];
    agenda.define('orphan', async () => {
      ranAt.push(Date.now());
    });
    await agenda.start();
    await sleep(700);
    expect(ranAt).toHaveLength(0);
    await until('taken over', () => ranAt.length === 1, 10_000);
    expect(ranAt[0]! - startedAt).toBeGreaterThanOrEqual(1100);
    const r = await until('finished', async () => {
      const x = await row(id);
      return x.lastFinishedAt && !x.lockedAt ? x : undefined;
    });
    expect(r.lastModifiedBy).toBe('rescuer');
    await sleep(300);
    expect(ranAt).toHaveLength(1);
  });

  test('a job stopped mid-run by a killed Agenda is picked up by another instance', async () => {
    const other = await openDb(parseDatabaseUrl(tdb.url));
    extraDbs.push(other);
    const a = newAgenda({ name: 'A', defaultLockLifetime: 1000 });
    let aStarted = 0;
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    a.define('long', async () => {
      aStarted++;
      await hang; // "hangs" until the process dies
    });
    await a.start();
    const job = await a.now('long');
    await until('A started it', () => aStarted === 1);
    // Simulate A's process dying: its processor stops without unlocking the running job (stop()
    // only unlocks jobs that have not started), and nothing touches the lock any more.
    await a.stop(false);
    agendas = agendas.filter((x) => x !== a);
    expect((await row(job.attrs._id)).lockedAt).toBeInstanceOf(Date);

    const b = newAgenda({ name: 'B', defaultLockLifetime: 1000 }, other);
    let bRuns = 0;
    b.define('long', async () => {
      bRuns++;
    });
    await b.start();
    await until('B ran it', () => bRuns === 1, 10_000);
    await sleep(300);
    expect(bRuns).toBe(1);
    expect(aStarted).toBe(1);
    release(); // let the zombie run end before the database closes
    await sleep(100);
  });

  test('enqueueJob inside a transaction runs after commit and not after rollback', async () => {
    const agenda = newAgenda();
    const ran: { n: number; at: number }[] = [];
    agenda.define('tx', async (job: Job<{ n: number }>) => {
      ran.push({ n: job.attrs.data.n, at: Date.now() });
    });
    await agenda.start();

    let committedAt = 0;
    const id = await db.em().transactional(async (em) => {
      const jobId = await enqueueJob(em, { name: 'tx', data: { n: 1 }, priority: 3 });
      await sleep(300); // several polling rounds while the transaction is still open
      return jobId;
    });
    committedAt = Date.now();
    await until('committed job ran', () => ran.length === 1);
    expect(ran[0]!.n).toBe(1);
    expect(ran[0]!.at).toBeGreaterThanOrEqual(committedAt - 5);
    expect((await row(id)).priority).toBe(3);

    let rolledBackId = '';
    await expect(
      db.em().transactional(async (em) => {
        rolledBackId = await enqueueJob(em, { name: 'tx', data: { n: 2 } });
        await sleep(200);
        throw new Error('checkout failed');
      }),
    ).rejects.toThrow('checkout failed');
    await sleep(500);
    expect(ran.map((r) => r.n)).toEqual([1]);
    expect(await repo.getJobById(rolledBackId)).toBeNull();
  });
});
