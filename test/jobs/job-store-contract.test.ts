// The SQL job store against Agenda 6.2.6's backend contract (its shared backend test suite,
// packages/agenda/test/shared in the agenda repository, read as the specification), on SQLite
// and MySQL: paging with skip (with and without limit), cancel and purge, lockLimit of any size
// across two workers, jobs the store locked in a batch that are disabled, removed or rescheduled
// before they start, and drain.
import { Agenda, type Job } from 'agenda';
import { testDatabaseKinds, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { openDb, migrate, type Db } from '../../src/db/orm.js';
import { AgendaJob } from '../../src/jobs/entities.js';
import { SqlAgendaBackend, SqlJobRepository } from '../../src/jobs/sql-backend.js';
import { lockBudgetOf } from '../../src/jobs/runner.js';
import { sleep, until } from '../support/wait.js';

describe.each(testDatabaseKinds())('job store contract (Agenda 6.2.6) on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  let repo: SqlJobRepository;
  let agendas: Agenda[] = [];
  const errors: unknown[] = [];

  /** A worker wired as src/jobs/runner.ts wires it (its lock budget tells the store how many jobs it takes). */
  function worker(name: string, opts: Partial<ConstructorParameters<typeof Agenda>[0]> = {}): Agenda {
    const agenda = new Agenda({ backend: new SqlAgendaBackend(db), processEvery: 50, defaultLockLifetime: 5000, name, ...opts });
    (agenda.db as SqlJobRepository).lockBudget = (n) => lockBudgetOf(agenda, n);
    agenda.on('error', (err) => errors.push(err));
    agendas.push(agenda);
    return agenda;
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
    errors.length = 0;
    await repo.purgeAllJobs();
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  test('queryJobs: skip without limit (was "offset ?" without LIMIT, a syntax error), with limit, and with a state', async () => {
    const agenda = worker('q');
    agenda.define('page', async () => {});
    for (let i = 0; i < 5; i++) await agenda.schedule(new Date(Date.now() + 60_000 + i * 1000), 'page', { i });
    const skipped = await agenda.queryJobs({ name: 'page', skip: 2 });
    expect(skipped.jobs).toHaveLength(3);
    expect(skipped.total).toBe(5);
    expect((await agenda.queryJobs({ name: 'page', skip: 2, limit: 2 })).jobs).toHaveLength(2);
    expect((await agenda.queryJobs({ name: 'page', skip: 5 })).jobs).toHaveLength(0);
    const byState = await agenda.queryJobs({ name: 'page', state: 'scheduled', skip: 4 });
    expect([byState.jobs.length, byState.total]).toEqual([1, 5]);
    const sorted = await agenda.queryJobs({ name: 'page', skip: 1, sort: { nextRunAt: 'asc' } });
    expect(sorted.jobs.map((j) => (j.data as { i: number }).i)).toEqual([1, 2, 3, 4]);
  });

  test('cancel removes the matching jobs and says how many; purge removes only jobs without a definition', async () => {
    const agenda = worker('c');
    for (const name of ['cancel-me', 'keep', 'orphan-1', 'orphan-2']) agenda.define(name, async () => {});
    await agenda.schedule('in 1 hour', 'cancel-me');
    await agenda.schedule('in 1 hour', 'cancel-me');
    await agenda.schedule('in 1 hour', 'keep');
    expect(await agenda.cancel({ name: 'cancel-me' })).toBe(2);
    expect((await agenda.queryJobs({})).jobs.map((j) => j.name)).toEqual(['keep']);
    await agenda.schedule('in 1 hour', 'orphan-1');
    await agenda.schedule('in 1 hour', 'orphan-2');
    delete agenda.definitions['orphan-1'];
    delete agenda.definitions['orphan-2'];
    expect(await agenda.purge()).toBe(2);
    expect((await agenda.queryJobs({})).jobs.map((j) => j.name)).toEqual(['keep']);
  });

  /** Runs `jobs` slow jobs on two workers with the given limits; returns who ran what and the most locks one worker held at once. */
  async function race(opts: { jobs: number; runMs: number; lockLimit?: number; agendaLockLimit?: number; concurrency?: number }) {
    const ran: Record<string, string[]> = { a: [], b: [] };
    let maxHeld = 0;
    const workers = (['a', 'b'] as const).map((w) => {
      const agenda = worker(w, opts.agendaLockLimit ? { lockLimit: opts.agendaLockLimit } : {});
      agenda.define(
        'slow',
        async (job: Job<{ n: number }>) => {
          ran[w]!.push(String(job.attrs.data.n));
          await sleep(opts.runMs);
        },
        { ...(opts.lockLimit ? { lockLimit: opts.lockLimit } : {}), concurrency: opts.concurrency ?? 5 },
      );
      return agenda;
    });
    await workers[0]!.start();
    for (let n = 0; n < opts.jobs; n++) await workers[0]!.now('slow', { n });
    await workers[1]!.start();
    const sampling = (async () => {
      while (ran.a!.length + ran.b!.length < opts.jobs || maxHeld === 0) {
        const rows = await db.em().find(AgendaJob, { name: 'slow', lockedAt: { $ne: null } }, { fields: ['lastModifiedBy'] });
        for (const w of ['a', 'b']) maxHeld = Math.max(maxHeld, rows.filter((r) => r.lastModifiedBy === w).length);
        await sleep(15);
      }
    })();
    await until('every job ran', () => ran.a!.length + ran.b!.length === opts.jobs, 30_000);
    await sampling;
    return { ran, maxHeld };
  }

  test('lockLimit 1 on the definition: each worker holds one lock at a time, and both run jobs', async () => {
    const { ran, maxHeld } = await race({ jobs: 3, runMs: 1500, lockLimit: 1 });
    expect(maxHeld).toBe(1);
    expect(ran.a!.length).toBeGreaterThanOrEqual(1);
    expect(ran.b!.length).toBeGreaterThanOrEqual(1);
    expect([...ran.a!, ...ran.b!].sort()).toEqual(['0', '1', '2']);
    expect(errors).toEqual([]);
  }, 40_000);

  test('lockLimit 3 on the definition and 2 on the worker: never more locks than the smaller limit, every job once', async () => {
    const def = await race({ jobs: 8, runMs: 400, lockLimit: 3 });
    expect(def.maxHeld).toBeLessThanOrEqual(3);
    expect([...def.ran.a!, ...def.ran.b!].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    await Promise.all(agendas.map((a) => a.stop(false)));
    agendas = [];
    await repo.purgeAllJobs();
    const total = await race({ jobs: 6, runMs: 400, agendaLockLimit: 2 });
    expect(total.maxHeld).toBeLessThanOrEqual(2);
    expect(total.ran.a!.length + total.ran.b!.length).toBe(6);
    expect(errors).toEqual([]);
  }, 60_000);

  test('jobs locked in a batch, then disabled, removed or rescheduled before they start: not handed out, no error', async () => {
    const agenda = worker('setup');
    agenda.define('batch', async () => {});
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(String((await agenda.schedule(new Date(Date.now() - 1000 + i), 'batch', { i })).attrs._id));
    // The store locks as many as the worker takes (4), hands out the first, keeps three.
    repo.lockBudget = () => 4;
    const scan = () => [new Date(Date.now() + 500), new Date(Date.now() - 60_000), undefined, { lastModifiedBy: 'w' }] as const;
    const first = await repo.getNextJobToRun('batch', ...scan());
    expect(first?.data).toEqual({ i: 0 });
    expect(await db.em().count(AgendaJob, { name: 'batch', lockedAt: { $ne: null } })).toBe(4);
    // Meanwhile: one disabled, one cancelled, one moved to tomorrow.
    await agenda.disable({ id: ids[1] });
    await agenda.cancel({ id: ids[2] });
    await db.em().nativeUpdate(AgendaJob, { id: ids[3] }, { nextRunAt: new Date(Date.now() + 86_400_000) });
    expect(await repo.getNextJobToRun('batch', ...scan())).toBeUndefined();
    // Nothing left locked but the job handed out; the disabled and rescheduled ones wait as they should.
    const rows = await db.em().find(AgendaJob, { name: 'batch' }, { orderBy: { id: 'asc' } });
    expect(rows.filter((r) => r.lockedAt).map((r) => r.id)).toEqual([ids[0]]);
    expect(rows.map((r) => r.id).sort()).toEqual([ids[0], ids[1], ids[3]].sort());
  });

  test('a job disabled while a worker is busy is not run; a cancelled one raises no error', async () => {
    const agenda = worker('busy');
    const ran: number[] = [];
    agenda.define('one-at-a-time', async (job: Job<{ n: number }>) => {
      ran.push(job.attrs.data.n);
      await sleep(800);
    }, { concurrency: 1, lockLimit: 1 });
    const jobs: Job<{ n: number }>[] = [];
    for (let n = 0; n < 3; n++) jobs.push(await agenda.now('one-at-a-time', { n }));
    await agenda.start();
    await until('the first job started', () => ran.length === 1);
    const [waiting1, waiting2] = jobs.filter((j) => j.attrs.data.n !== ran[0]);
    await agenda.disable({ id: waiting1!.attrs._id });
    await agenda.cancel({ id: waiting2!.attrs._id });
    await sleep(2000);
    expect(ran).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 20_000);

  test('drain waits for running jobs and leaves none running', async () => {
    const agenda = worker('drain');
    const done: number[] = [];
    const started: number[] = [];
    agenda.define('drain-me', async (job: Job<{ n: number }>) => {
      started.push(job.attrs.data.n);
      await sleep(300);
      done.push(job.attrs.data.n);
    });
    await agenda.start();
    await Promise.all([0, 1, 2].map((n) => agenda.now('drain-me', { n })));
    // Running, not just locked: a job locked but not yet handed to its handler is unlocked by the
    // drain and never runs, which is what drain promises for queued work.
    await until('a job running', () => started.length > 0);
    const result = await agenda.drain({ closeConnection: false });
    expect(result.running).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(done.length).toBe(result.completed);
    expect(done.length).toBeGreaterThanOrEqual(1);
  });
});
