// gdpr-cleanup keeps the SQL job store from growing without end: finished one-off jobs older than
// JOB_RETENTION_DAYS go, everything that may still run (or is running, or repeats) stays.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { until } from '../support/wait.js';
import { AgendaJob } from '../../src/jobs/entities.js';
import { JOBS } from '../../src/jobs/registry.js';

describe.each(testDatabaseKinds())('job store retention on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { worker: true, env: { JOB_RETENTION_DAYS: '30' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gdpr-cleanup removes finished one-off jobs past JOB_RETENTION_DAYS and nothing that can still run', async () => {
    const day = 86_400_000;
    const ago = (days: number) => new Date(Date.now() - days * day);
    const em = h.db.em();
    const rows = {
      oldFinished: em.create(AgendaJob, { name: 'sync-order', data: { orderId: 'x' }, nextRunAt: null, lastRunAt: ago(41), lastFinishedAt: ago(40) }),
      oldFailed: em.create(AgendaJob, { name: 'send-order-confirmation', data: null, nextRunAt: null, lastFinishedAt: ago(35), failedAt: ago(35), failCount: 8, failReason: 'smtp down' }),
      recentFinished: em.create(AgendaJob, { name: 'sync-order', data: null, nextRunAt: null, lastFinishedAt: ago(5) }),
      oldButWaiting: em.create(AgendaJob, { name: 'push-wordpress', data: null, nextRunAt: new Date(Date.now() + day), lastFinishedAt: ago(40), disabled: true }),
      oldButLocked: em.create(AgendaJob, { name: 'push-wordpress', data: null, nextRunAt: null, lockedAt: new Date(), lastFinishedAt: ago(40), disabled: true }),
      oldRepeating: em.create(AgendaJob, { name: 'test-repeating', data: null, nextRunAt: null, repeatInterval: '1 day', lastFinishedAt: ago(40) }),
    };
    await em.flush();
    const idsBefore = (await h.db.em().find(AgendaJob, {}, { fields: ['id'] })).map((r) => r.id);

    const run = await h.kursus.jobs.agenda.now(JOBS.gdprCleanup, {});
    await until('gdpr-cleanup finished', async () => (await h.db.em().findOne(AgendaJob, { id: String(run.attrs._id) }))?.lastFinishedAt, 30_000);

    const left = new Set((await h.db.em().find(AgendaJob, {}, { fields: ['id'] })).map((r) => r.id));
    expect(left.has(rows.oldFinished.id)).toBe(false);
    expect(left.has(rows.oldFailed.id)).toBe(false);
    for (const kept of [rows.recentFinished, rows.oldButWaiting, rows.oldButLocked, rows.oldRepeating]) expect(left.has(kept.id)).toBe(true);
    // The two old finished rows are all that went.
    expect(idsBefore.filter((id) => !left.has(id)).sort()).toEqual([rows.oldFinished.id, rows.oldFailed.id].sort());
  });
});
