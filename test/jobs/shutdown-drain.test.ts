// Shutdown lets a running job finish (within the drain period) instead of cutting it off with its
// database closed under it (a mail half sent stayed SENDING, a sync was retried elsewhere), and
// unlocks the jobs it had locked but not started, so another worker need not wait out their locks.
import { Agenda } from 'agenda';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness } from '../support/harness.js';
import { sleep, until } from '../support/wait.js';
import { AgendaJob } from '../../src/jobs/entities.js';
import { SqlAgendaBackend } from '../../src/jobs/sql-backend.js';

describe.each(testDatabaseKinds())('job drain at shutdown on %s', (kind) => {
  it('finishes the job that is running when close() is called, with its database still open', async () => {
    const h = await startHarness(kind, { worker: true, build: { jobDrainMs: 5_000 } });
    const agenda = h.kursus.jobs.agenda;
    const events: string[] = [];
    agenda.define('test-slow-write', async () => {
      events.push('started');
      await new Promise((r) => setTimeout(r, 700));
      // Still able to use the database: close() has not closed it yet.
      await h.db.em().getConnection().execute('select 1');
      events.push('finished');
    }, { lockLifetime: 4_000 }); // not the 5-minute default: its liveness timer (half of it) would keep jest alive
    await agenda.now('test-slow-write');
    await until('the slow job to start', () => events.includes('started'));

    await h.close();
    expect(events).toEqual(['started', 'finished']);
  }, 30_000);
});

describe.each(testDatabaseKinds())('job locks at shutdown on %s', (kind) => {
  it('unlocks the jobs it had locked but not started, so another worker runs them at once; a job still running past the drain keeps its lock', async () => {
    const h = await startHarness(kind, { worker: true, build: { jobDrainMs: 300 } });
    const agenda = h.kursus.jobs.agenda;
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    const ranHere: number[] = [];
    // One at a time: while the first hangs, this worker locks the second and keeps it waiting for the slot.
    agenda.define<{ n: number }>('test-one-at-a-time', async (job) => {
      ranHere.push(job.attrs.data.n);
      await hang;
      // Agenda keeps a liveness timer of half the lock lifetime pending after every run: 20 s
      // outlasts this test (the first job must stay locked) without keeping jest alive for minutes.
    }, { concurrency: 1, lockLifetime: 20_000 });
    const first = await agenda.now('test-one-at-a-time', { n: 1 });
    await until('the first job to run', () => ranHere.includes(1));
    const second = await agenda.now('test-one-at-a-time', { n: 2 });
    const row = (id: unknown) => h.db.em().findOneOrFail(AgendaJob, { id: String(id) });
    await until('the second job locked by this worker', async () => (await row(second.attrs._id)).lockedAt);
    expect(ranHere).toEqual([1]);

    await h.kursus.jobs.stop(); // the drain (300 ms) times out on the first job

    // Unlocked at once, not after its lock lifetime; the running one is still locked.
    expect((await row(second.attrs._id)).lockedAt).toBeNull();
    expect((await row(first.attrs._id)).lockedAt).toBeInstanceOf(Date);

    // Another worker on the same database. The second job's lock would last 20 s, far longer than
    // this wait: the other worker can only run a job nobody holds, so running it proves the unlock.
    const other = new Agenda({ backend: new SqlAgendaBackend(h.db), name: 'other-worker', processEvery: 50, defaultLockLifetime: 20_000 });
    const ranThere: number[] = [];
    other.define<{ n: number }>('test-one-at-a-time', async (job) => {
      ranThere.push(job.attrs.data.n);
    }, { concurrency: 1 });
    await other.start();
    try {
      await until('the other worker ran the second job', () => ranThere.includes(2));
      await sleep(300);
      expect(ranThere).toEqual([2]); // the first is still locked by the worker that runs it
    } finally {
      await other.stop(false);
      release(); // the zombie run ends before the database closes
      await until('the first job finished', async () => (await row(first.attrs._id)).lastFinishedAt);
      await h.close();
    }
    expect(ranHere).toEqual([1]);
  }, 30_000);
});
