// The catalogue's jobs run by the real Agenda on the SQL store, with the Maconomy and WordPress
// simulators and a real SMTP server: import-courses hands only changed dates to push-wordpress,
// editor enrichment reaches WordPress, and send-participant-list mails each trainer once a day.
import { testDatabaseKinds } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until } from '../support/wait.js';
import { startHarness, type Harness } from '../support/harness.js';
import { EnrichCourseDocument } from '../generated/graphql.js';
import { startWordPressSimulator, type WordPressSimulator } from '../../src/simulators/wordpress.js';
import { JOBS } from '../../src/jobs/registry.js';

const ADMIN = { authorization: 'Bearer admin-secret' };
const EDITOR = { authorization: 'Bearer editor-secret-1' };
const WP_USER = 'kursus-test';
const WP_PASSWORD = 'wxyz abcd efgh ijkl mnop qrst';


const isoDay = (plusDays: number) => new Date(Date.now() + plusDays * 86_400_000).toISOString().slice(0, 10);

describe.each(testDatabaseKinds())('catalogue jobs on %s', (kind) => {
  let h: Harness;
  let wp: WordPressSimulator;
  let smtp: Inbox;

  beforeAll(async () => {
    smtp = await startSmtp();
    wp = await startWordPressSimulator({ user: WP_USER, appPassword: WP_PASSWORD });
    h = await startHarness(kind, {
      worker: true,
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        WORDPRESS_URL: wp.url,
        WORDPRESS_USER: WP_USER,
        WORDPRESS_APP_PASSWORD: WP_PASSWORD,
        PARTICIPANT_LIST_DAYS: '7',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await wp?.close();
    await smtp?.close();
  });

  const runJob = async (name: string) => {
    const r = await h.raw({ query: 'mutation($n: String!) { runJob(name: $n) }', variables: { n: name } }, ADMIN);
    expect(r.json.errors).toBeUndefined();
  };
  const writes = () => wp.requests.filter((r) => r.method === 'POST' || r.method === 'PUT').length;
  const postFor = (maconomyId: string) => [...wp.posts.values()].find((p) => p.slug.includes(maconomyId.toLowerCase()));

  it('push-wordpress creates a post per published date; import-courses then sends only what changed', async () => {
    // Cancelled dates get no post until they have one to set to draft.
    const live = await h.db.em().getConnection().execute<{ n: number | string }[]>("select count(*) as n from course_date where published = ? and status <> 'CANCELLED'", [true]);
    expect(Number(live[0]!.n)).toBeGreaterThan(10);
    await runJob(JOBS.pushWordpress);
    await until('all posts created', () => wp.posts.size === Number(live[0]!.n));
    expect([...wp.posts.values()].every((p) => p.status === 'publish')).toBe(true);

    const target = h.sim.state.courseDates()[0]!;
    const before = writes();
    h.sim.state.updateCourseDate(target.course_no, { title: 'Projektledelse for viderekomne' });
    await runJob(JOBS.importCourses);
    await until('the changed title in WordPress', () => postFor(target.course_no)?.title === 'Projektledelse for viderekomne');
    // Give a stray push time to show itself: exactly one write went out, for the changed date.
    await new Promise((r) => setTimeout(r, 500));
    expect(writes() - before).toBe(1);

    // A run with nothing changed sends nothing at all.
    const quiet = writes();
    await runJob(JOBS.importCourses);
    await runJob(JOBS.pushWordpress);
    const jobsDone = async () => {
      const r = await h.raw({ query: '{ jobs(state: "queued", limit: 50) { name } }' }, ADMIN);
      return !r.json.data.jobs.some((j: { name: string }) => j.name === JOBS.importCourses || j.name === JOBS.pushWordpress);
    };
    await until('import and push to finish', jobsDone);
    await new Promise((r) => setTimeout(r, 500));
    expect(writes()).toBe(quiet);
  });

  it('pushes an editor enrichment of a course date to its post', async () => {
    const target = h.sim.state.courseDates()[1]!;
    await until('the post to exist', () => postFor(target.course_no));
    const r = await h.gql(EnrichCourseDocument, { input: { courseId: target.course_no, description: 'Med frokost og kaffe hele dagen' } }, EDITOR);
    expect(r.errors).toBeUndefined();
    await until('the description in WordPress', () => postFor(target.course_no)?.content.includes('Med frokost og kaffe hele dagen'));
  });

  it('mails each trainer the participant list of their dates in the coming days, with a CSV, once per day', async () => {
    const main = h.sim.state.mainCourses()[0]!;
    h.sim.state.addCourseDate({
      course_no: '28888-01', main_course_no: main.main_course_no, title: 'Førstehjælp på arbejdspladsen', start_date: isoDay(2), end_date: isoDay(2),
      location: 'Odense', price: 2500, currency: 'DKK', capacity: 10, free_seats: 10, status: 'open',
      days: [{ date: isoDay(2), start_time: '09:00', end_time: '15:00' }],
    });
    await h.kursus.importCourses();
    const enrich = await h.gql(
      EnrichCourseDocument,
      { input: { courseId: '28888-01', trainers: [{ key: 'LK', name: 'Lars Kristensen', email: 'lars@example.dk' }, { key: 'NN', name: 'Uden Mail' }] } },
      ADMIN, // only admins set where participant lists are mailed
    );
    expect(enrich.errors).toBeUndefined();
    for (const [first, last] of [['Anna', 'Østergaard'], ['Bo', 'Ærø']] as const) {
      await h.kursus.maconomy.createParticipant({ maconomyId: '28888-01', externalRef: `test-${first}`, firstName: first, lastName: last, email: `${first.toLowerCase()}@example.dk` });
    }

    await runJob(JOBS.sendParticipantList);
    const mail = await until('the participant list mail', () => smtp.received.find((m) => m.to && JSON.stringify(m.to).includes('lars@example.dk')));
    expect(mail.subject).toContain('Førstehjælp på arbejdspladsen');
    expect(mail.text).toContain('Anna Østergaard');
    expect(mail.html || '').toContain('Bo Ærø');
    const csv = mail.attachments.find((a) => a.filename?.endsWith('.csv'));
    expect(csv?.content.toString('utf8')).toMatch(/Anna.*Østergaard/);

    // Again the same day: no second list.
    await runJob(JOBS.sendParticipantList);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.received.filter((m) => JSON.stringify(m.to).includes('lars@example.dk'))).toHaveLength(1);
  });
});
