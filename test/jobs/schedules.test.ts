// The daily jobs follow TZ_SCHEDULE, not the server's zone nor the Copenhagen default, also across
// daylight-saving changes. Checked by the next-run times Agenda computes from the schedules the
// worker stored, never by waiting for 04:00.
import type { Job } from 'agenda';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { JOBS } from '../../src/jobs/registry.js';

const ADMIN = { authorization: 'Bearer admin-secret' };
const ZONE = 'America/New_York';

/** Wall-clock date and time of an instant in a time zone, e.g. '2026-03-08 04:00'. */
const local = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);

describe.each(testDatabaseKinds())('schedules in TZ_SCHEDULE on %s', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(kind, { worker: true, env: { TZ_SCHEDULE: ZONE } });
  });
  afterAll(async () => {
    await h?.close();
  });

  /**
   * The occurrences after `from` of a stored recurring job, each computed by Agenda from the one
   * before (its interval and zone as the worker stored them; the computation Agenda runs after
   * each run), without saving anything.
   */
  async function nextRuns(name: string, from: Date, n: number): Promise<Date[]> {
    const stored = (await h.kursus.jobs.agenda.queryJobs({ name })).jobs.find((j) => j.repeatInterval);
    expect(stored).toBeDefined();
    const runs: Date[] = [];
    let after = from;
    for (let i = 0; i < n; i++) {
      const job: Job = h.kursus.jobs.agenda.create(name, {});
      job.attrs.nextRunAt = after;
      job.repeatEvery(stored!.repeatInterval!, { timezone: stored!.repeatTimezone, skipImmediate: true });
      after = job.attrs.nextRunAt!;
      runs.push(after);
    }
    return runs;
  }

  it('stores the daily jobs with their next run at 04:00 and 07:00 New York time', async () => {
    const r = await h.raw({ query: '{ jobs(state: "repeating", limit: 50) { name nextRunAt repeatInterval } }' }, ADMIN);
    expect(r.json.errors).toBeUndefined();
    const byName = new Map<string, { nextRunAt: string; repeatInterval: string }>(r.json.data.jobs.map((j: any) => [j.name, j]));
    const hhmm = (name: string) => local(new Date(byName.get(name)!.nextRunAt), ZONE).slice(11);
    expect(hhmm(JOBS.gdprCleanup)).toBe('04:00');
    expect(hhmm(JOBS.sendParticipantList)).toBe('07:00');
    // Not Copenhagen's 04:00 (6 hours apart from New York all year but a few weeks).
    expect(local(new Date(byName.get(JOBS.gdprCleanup)!.nextRunAt), 'Europe/Copenhagen').slice(11)).not.toBe('04:00');
    for (const name of [JOBS.gdprCleanup, JOBS.sendParticipantList]) {
      const stored = (await h.kursus.jobs.agenda.queryJobs({ name })).jobs.find((j) => j.repeatInterval)!;
      expect(stored.repeatTimezone).toBe(ZONE);
      const next = new Date(byName.get(name)!.nextRunAt).getTime();
      expect(next).toBeGreaterThan(Date.now());
      expect(next - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
    }
  });

  it('keeps 04:00 and 07:00 local when New York springs forward (8 March 2026) and falls back (1 November 2026)', async () => {
    // Spring: the night of 7 -> 8 March loses an hour, so 04:00 comes 23 hours after the one before.
    const spring = await nextRuns(JOBS.gdprCleanup, new Date('2026-03-06T12:00:00Z'), 3);
    expect(spring.map((d) => local(d, ZONE))).toEqual(['2026-03-07 04:00', '2026-03-08 04:00', '2026-03-09 04:00']);
    expect(spring.map((d) => d.toISOString())).toEqual(['2026-03-07T09:00:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-09T08:00:00.000Z']);

    const springList = await nextRuns(JOBS.sendParticipantList, new Date('2026-03-06T12:00:00Z'), 3);
    expect(springList.map((d) => local(d, ZONE))).toEqual(['2026-03-07 07:00', '2026-03-08 07:00', '2026-03-09 07:00']);
    expect(springList[1]!.getTime() - springList[0]!.getTime()).toBe(23 * 3600_000);

    // Autumn: the night of 31 October -> 1 November gains an hour: 25 hours between the two 04:00s.
    const autumn = await nextRuns(JOBS.gdprCleanup, new Date('2026-10-30T12:00:00Z'), 3);
    expect(autumn.map((d) => local(d, ZONE))).toEqual(['2026-10-31 04:00', '2026-11-01 04:00', '2026-11-02 04:00']);
    expect(autumn.map((d) => d.toISOString())).toEqual(['2026-10-31T08:00:00.000Z', '2026-11-01T09:00:00.000Z', '2026-11-02T09:00:00.000Z']);

    const autumnList = await nextRuns(JOBS.sendParticipantList, new Date('2026-10-30T12:00:00Z'), 3);
    expect(autumnList.map((d) => local(d, ZONE))).toEqual(['2026-10-31 07:00', '2026-11-01 07:00', '2026-11-02 07:00']);
    expect(autumnList[1]!.getTime() - autumnList[0]!.getTime()).toBe(25 * 3600_000);

    // Europe changes on other dates (29 March, 25 October 2026): in the weeks between, New York's
    // 04:00 is 09:00 in Copenhagen instead of 10:00, which only a zone-aware schedule gets right.
    const between = await nextRuns(JOBS.gdprCleanup, new Date('2026-03-15T12:00:00Z'), 1);
    expect(local(between[0]!, 'Europe/Copenhagen')).toBe('2026-03-16 09:00');
  });
});
