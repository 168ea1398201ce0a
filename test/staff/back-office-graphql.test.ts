// The back office's GraphQL operations through HTTP with staff session cookies: course dates for
// editors (search, filters, paging, field errors, trainer e-mail for admins only, audit trail,
// storefront and WordPress follow), orders and retry, the mail outbox, the connector log, jobOverview.
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { until } from '../support/wait.js';
import { DEMO_STAFF } from '../../src/staff/demo.js';
import { Order } from '../../src/booking/entities.js';
import { MailMessage } from '../../src/mail/entities.js';
import { WordPressPost } from '../../src/integrations/wordpress/entities.js';

const COURSE_DATE = `query($id: ID!) { backOfficeCourseDate(id: $id) {
  id maconomyId title description note maconomyFreeSeats
  days { date maconomyStartTime startTime endTime } trainers { key name email }
  wordpress { pushedAt lastError siteStatus } audit { actor field oldValue newValue } } }`;
const UPDATE = `mutation($input: UpdateCourseDateInput!) { updateCourseDate(input: $input) { id note description days { date startTime endTime } trainers { key name email } audit { actor field newValue } } }`;

describe.each(testDatabaseKinds())('back-office GraphQL (%s)', (kind) => {
  let h: Harness;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};
  beforeAll(async () => {
    h = await startHarness(kind, { worker: true });
    for (const u of DEMO_STAFF) {
      const res = await fetch(`${h.url}/admin/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: u.email, password: u.password }) });
      const json = (await res.json()) as { csrfToken: string };
      sessions[u.role] = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: json.csrfToken };
    }
  });
  afterAll(() => h?.close());

  const as = (role: 'editor' | 'admin', query: string, variables: object = {}) =>
    h.raw({ query, variables }, { cookie: sessions[role]!.cookie, 'x-csrf-token': sessions[role]!.csrf }).then((r) => r.json);

  it('editors search course dates by text, main course, location and date range, with paging', async () => {
    const all = await as('editor', '{ backOfficeCourseDates(first: 100) { totalCount items { id maconomyId title location startDate mainCourseTitle } } }');
    expect(all.errors).toBeUndefined();
    const items = all.data.backOfficeCourseDates.items;
    expect(all.data.backOfficeCourseDates.totalCount).toBe(items.length);
    expect(items.length).toBeGreaterThan(3);
    const opts = await as('editor', '{ backOfficeFilterOptions { mainCourses { id title } locations } }');
    const loc = opts.data.backOfficeFilterOptions.locations[0];
    const byLoc = await as('editor', 'query($l: String) { backOfficeCourseDates(filter: { location: $l }, first: 100) { items { location } } }', { l: loc });
    expect(byLoc.data.backOfficeCourseDates.items.length).toBe(items.filter((i: any) => i.location === loc).length);
    const mc = opts.data.backOfficeFilterOptions.mainCourses[0];
    const byMc = await as('editor', 'query($m: ID) { backOfficeCourseDates(filter: { mainCourseId: $m }, first: 100) { items { mainCourseTitle } } }', { m: mc.id });
    expect(byMc.data.backOfficeCourseDates.items.length).toBeGreaterThan(0);
    expect(byMc.data.backOfficeCourseDates.items.every((i: any) => i.mainCourseTitle === mc.title)).toBe(true);
    const from = items[1].startDate;
    const to = items[2].startDate;
    const ranged = await as('editor', 'query($f: String, $t: String) { backOfficeCourseDates(filter: { from: $f, to: $t }, first: 100) { items { startDate } } }', { f: from, t: to });
    expect(ranged.data.backOfficeCourseDates.items.every((i: any) => i.startDate >= from && i.startDate <= to)).toBe(true);
    const byText = await as('editor', 'query($s: String) { backOfficeCourseDates(filter: { search: $s }) { items { maconomyId } } }', { s: items[0].maconomyId });
    expect(byText.data.backOfficeCourseDates.items.map((i: any) => i.maconomyId)).toEqual([items[0].maconomyId]);
    const page2 = await as('editor', '{ backOfficeCourseDates(first: 2, offset: 2) { items { id } } }');
    expect(page2.data.backOfficeCourseDates.items.map((i: any) => i.id)).toEqual(items.slice(2, 4).map((i: any) => i.id));
    const bad = await as('editor', '{ backOfficeCourseDates(filter: { from: "1.12.2026" }) { totalCount } }');
    expect(bad.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('an editor saves day times, a trainer, a note with markup; errors name the field; the storefront and WordPress follow; the audit trail says who', async () => {
    const list = await as('editor', '{ backOfficeCourseDates(first: 1) { items { id } } }');
    const id = list.data.backOfficeCourseDates.items[0].id;
    const before = (await as('editor', COURSE_DATE, { id })).data.backOfficeCourseDate;
    const day = before.days[0].date;

    const badTime = await as('editor', UPDATE, { input: { id, days: [{ date: day, startTime: '9.00' }] } });
    expect(badTime.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'days[0].startTime' });
    const backwards = await as('editor', UPDATE, { input: { id, days: [{ date: day, startTime: '15:00', endTime: '09:00' }] } });
    expect(backwards.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'days[0].endTime' });
    const email = await as('editor', UPDATE, { input: { id, trainers: [{ key: 'ah', name: 'Anne Holm', email: 'anne@example.dk' }] } });
    expect(email.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'trainers[0].email' });

    const markup = '<img src=x onerror=alert(1)>';
    const saved = await as('editor', UPDATE, { input: { id, note: markup, days: [{ date: day, startTime: '08:30', endTime: '15:30' }], trainers: [{ key: 'ah', name: 'Anne Holm' }] } });
    expect(saved.errors).toBeUndefined();
    const cd = saved.data.updateCourseDate;
    expect(cd.note).toBe(markup);
    expect(cd.days[0]).toEqual({ date: day, startTime: '08:30', endTime: '15:30' });
    expect(cd.trainers).toEqual([{ key: 'ah', name: 'Anne Holm', email: null }]);
    expect(cd.audit.map((a: any) => a.field).sort()).toEqual([`days[${day}].endTime`, `days[${day}].startTime`, 'note', 'trainers'].sort());
    expect(cd.audit.every((a: any) => a.actor === 'editor@kursus.demo')).toBe(true);

    // Only an admin sets where participant lists go.
    const adminSaved = await as('admin', UPDATE, { input: { id, trainers: [{ key: 'ah', name: 'Anne Holm', email: 'anne@example.dk' }] } });
    expect(adminSaved.errors).toBeUndefined();
    expect(adminSaved.data.updateCourseDate.trainers[0].email).toBe('anne@example.dk');
    expect(adminSaved.data.updateCourseDate.audit[0]).toMatchObject({ actor: 'admin@kursus.demo', field: 'trainers[ah].email', newValue: 'anne@example.dk' });
    // The editor may resend the trainer unchanged (the address stays).
    const again = await as('editor', UPDATE, { input: { id, trainers: [{ key: 'ah', name: 'Anne Holm', email: 'anne@example.dk' }] } });
    expect(again.errors).toBeUndefined();

    const store = await h.raw({ query: 'query($id: ID) { course(id: $id) { note days { date startTime endTime } trainers { name } } }', variables: { id } });
    expect(store.json.data.course.note).toBe(markup);
    expect(store.json.data.course.days[0]).toEqual({ date: day, startTime: '08:30', endTime: '15:30' });
    expect(store.json.data.course.trainers).toEqual([{ name: 'Anne Holm' }]);

    const pushed = await until('WordPress push of the saved date', async () => {
      const wp = await h.db.em().findOne(WordPressPost, { courseDate: id });
      return wp?.pushedAt && wp.pushedAt > new Date(Date.now() - 60_000) ? wp : null;
    });
    expect(pushed.lastError).toBeNull();
    const page = (await as('editor', COURSE_DATE, { id })).data.backOfficeCourseDate;
    expect(page.wordpress.pushedAt).not.toBeNull();
    expect(page.wordpress.siteStatus).toBe('publish');
    expect((await as('editor', 'mutation($id: ID!) { pushCourseDateToWordPress(id: $id) }', { id })).data.pushCourseDateToWordPress).toBe(true);
  });

  it('admins find orders by e-mail, id and course date and retry a SYNC_FAILED order until SYNCED; editors are refused', async () => {
    const course = (await h.raw({ query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges[0].node;
    const r = await h.raw({ query: 'mutation($i: ReserveSeatsInput!) { reserveSeats(input: $i) { order { id } orderToken } }', variables: { i: { courseId: course.id, seats: 1 } } });
    const { order, orderToken } = r.json.data.reserveSeats;
    const person = { firstName: 'Bo', lastName: 'Berg', email: 'bo.berg@example.dk' };
    await h.raw({ query: 'mutation($i: CheckoutInput!) { checkout(input: $i) { order { id } } }', variables: { i: { orderId: order.id, orderToken, booker: person, participants: [person] } } });
    await until('synced', async () => ((await h.db.em().findOne(Order, { id: order.id }))?.status === 'SYNCED' ? true : null));
    // As if every attempt had failed.
    await h.db.em().nativeUpdate(Order, { id: order.id }, { status: 'SYNC_FAILED', syncAttempts: 8, lastSyncError: 'Maconomy answered 503' });

    const ORDERS = 'query($s: String, $c: String, $st: String) { backOfficeOrders(search: $s, courseDate: $c, status: $st) { totalCount items { id status syncAttempts lastSyncError bookerEmail courseDateMaconomyId participants { email maconomyParticipantId } } } }';
    const byMail = await as('admin', ORDERS, { s: 'bo.berg@' });
    expect(byMail.data.backOfficeOrders.items.map((o: any) => o.id)).toEqual([order.id]);
    expect(byMail.data.backOfficeOrders.items[0]).toMatchObject({ status: 'SYNC_FAILED', syncAttempts: 8, lastSyncError: 'Maconomy answered 503' });
    expect((await as('admin', ORDERS, { s: order.id })).data.backOfficeOrders.totalCount).toBe(1);
    expect((await as('admin', ORDERS, { c: course.maconomyId, st: 'SYNC_FAILED' })).data.backOfficeOrders.items.map((o: any) => o.id)).toContain(order.id);
    expect((await as('editor', ORDERS, {})).errors[0].extensions.code).toBe('FORBIDDEN');

    expect((await as('admin', 'mutation($id: ID!) { retryOrderSync(orderId: $id) }', { id: order.id })).data.retryOrderSync).toBe(true);
    await until('SYNCED again', async () => ((await as('admin', ORDERS, { s: order.id })).data.backOfficeOrders.items[0].status === 'SYNCED' ? true : null));
    const synced = (await as('admin', ORDERS, { s: order.id })).data.backOfficeOrders.items[0];
    expect(synced.participants[0].maconomyParticipantId).toBeTruthy();
  });

  it('admins see failed mails and resend them; the connector log filters by system and status; jobOverview shows the recurring jobs', async () => {
    const em = h.db.em();
    const mail = em.create(MailMessage, { key: `test-failed-${kind}`, kind: 'operator-alert', recipient: 'ops@example.dk', subject: 'Test', html: '<p>x</p>', text: 'x', status: 'FAILED', attempts: 5, lastError: 'SMTP 550', nextAttemptAt: new Date() } as never);
    await em.flush();
    const failed = await as('admin', '{ failedMails { id status recipient subject lastError } }');
    expect(failed.data.failedMails).toContainEqual({ id: mail.id, status: 'FAILED', recipient: 'ops@example.dk', subject: 'Test', lastError: 'SMTP 550' });
    expect((await as('admin', 'mutation($id: ID!) { resendMail(mailId: $id) }', { id: mail.id })).data.resendMail).toBe(true);
    await until('mail sent', async () => ((await h.db.em().findOne(MailMessage, { id: mail.id }))?.status === 'SENT' ? true : null));

    await h.kursus.httpLog.flush();
    const systems = (await as('admin', '{ connectorLogSystems }')).data.connectorLogSystems;
    expect(systems).toContain('maconomy');
    const log = await as('admin', '{ connectorLog(system: "maconomy", status: "2xx", first: 5) { system status url responseBody } }');
    expect(log.errors).toBeUndefined();
    expect(log.data.connectorLog.length).toBeGreaterThan(0);
    expect(log.data.connectorLog.every((e: any) => e.system === 'maconomy' && e.status >= 200 && e.status < 300)).toBe(true);
    expect((await as('admin', '{ connectorLog(status: "teapot") { id } }')).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });

    const jobs = await as('admin', '{ jobOverview { name total interval schedule lastResult nextRunAt } }');
    const imp = jobs.data.jobOverview.find((j: any) => j.name === 'import-courses');
    expect(imp).toMatchObject({ interval: '0 * * * *', schedule: 'hourly, on the hour' });
    expect(imp.nextRunAt).not.toBeNull();
    expect(jobs.data.jobOverview.filter((j: any) => j.interval).length).toBeGreaterThanOrEqual(13);
  });
});
