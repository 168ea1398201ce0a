// Shutdown lets a running job finish (within the drain period) instead of cutting it off with its
// database closed under it (a mail half sent stayed SENDING, a sync was retried elsewhere).
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness } from '../support/harness.js';
import { until } from '../support/wait.js';

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
    });
    await agenda.now('test-slow-write');
    await until('the slow job to start', () => events.includes('started'));

    await h.close();
    expect(events).toEqual(['started', 'finished']);
  }, 30_000);
});
