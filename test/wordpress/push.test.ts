// push-wordpress against a real database and the WordPress simulator over HTTP: creates with the
// right fields (meta and ACF), nothing sent when nothing changed, one update per change (Maconomy
// data and editor enrichment), unpublishing as draft, one failure not stopping the others, posts
// deleted in WordPress recreated, and creates whose answer was lost adopted instead of duplicated.
import { openDb, type Db } from '../../src/db/orm.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { CourseDate, CourseDay, MainCourse, Trainer } from '../../src/catalog/entities.js';
import { WordPressPost } from '../../src/integrations/wordpress/entities.js';
import { WordPressClient, type WordPressClientOptions } from '../../src/integrations/wordpress/index.js';
import { pushCourseDatesToWordPress, postSlug, type PushDeps } from '../../src/integrations/wordpress/push.js';
import { startWordPressSimulator, type WordPressSimulator } from '../../src/simulators/wordpress.js';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases.js';

const USER = 'kursus';
const PASSWORD = 'abcd efgh ijkl mnop qrst uvwx';

describe.each(testDatabaseKinds())('push-wordpress on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let sim: WordPressSimulator;
  let acfSim: WordPressSimulator;
  const logs: { level: string; obj: object; msg?: string }[] = [];
  const log = { info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }), warn: (obj: object, msg?: string) => logs.push({ level: 'warn', obj, msg }) };

  const wp = (opts: Partial<WordPressClientOptions> = {}) =>
    new WordPressClient({ baseUrl: sim.url, user: USER, appPassword: PASSWORD, timeoutMs: 2000, ...opts });
  const push = (opts: Partial<PushDeps> = {}) => pushCourseDatesToWordPress({ db, wp: wp(), log, ...opts });
  const postOf = async (maconomyId: string, s = sim) => {
    const row = await db.em().findOneOrFail(WordPressPost, { courseDate: { maconomyId } });
    return { row, post: row.postId == null ? undefined : s.posts.get(row.postId) };
  };
  const writes = () => sim.requests.filter((r) => r.method === 'POST');
  const edit = async (maconomyId: string, fn: (cd: CourseDate) => void) => {
    const em = db.em();
    const cd = await em.findOneOrFail(CourseDate, { maconomyId }, { populate: ['days', 'trainers'] });
    fn(cd);
    await em.flush();
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await openDb(parseDatabaseUrl(database.url));
    // No migration for wordpress_post yet: the schema comes from the entities.
    await db.orm.schema.create();
    sim = await startWordPressSimulator({ user: USER, appPassword: PASSWORD });
    acfSim = await startWordPressSimulator({ user: USER, appPassword: PASSWORD, acf: true });
  });
  afterAll(async () => {
    await sim?.close();
    await acfSim?.close();
    await db?.close();
    await database?.drop();
  });

  beforeEach(async () => {
    sim.reset();
    acfSim.reset();
    logs.length = 0;
    await db.orm.schema.clear();
    const em = db.em();
    const mc = em.create(MainCourse, { maconomyNumber: 'EXC', title: 'Excel', description: 'Regneark fra bunden.', category: 'Office' });
    const anne = em.create(Trainer, { key: 'ah', name: 'Anne Hansen', title: 'Cand.merc.' });
    const dates = [
      { maconomyId: 'K1001', title: 'Excel for begyndere', startDate: '2026-04-01', endDate: '2026-04-02', location: 'København', priceMinor: 450000 },
      { maconomyId: 'K1002', title: 'Excel for øvede', startDate: '2026-05-04', endDate: '2026-05-04', location: 'Aarhus', priceMinor: 399950 },
      { maconomyId: 'K1003', title: 'Excel pivottabeller', startDate: '2026-06-10', endDate: '2026-06-10', location: 'Odense', priceMinor: 125005 },
    ];
    for (const d of dates) {
      const cd = em.create(CourseDate, {
        ...d,
        mainCourse: mc,
        currency: 'DKK',
        capacity: 12,
        maconomyFreeSeats: 12,
        maconomyCheckedAt: new Date(),
        sourceHash: 'x'.repeat(64),
      });
      em.create(CourseDay, { courseDate: cd, date: d.startDate, startTime: '09:00', endTime: '16:00' });
      if (d.endDate !== d.startDate) em.create(CourseDay, { courseDate: cd, date: d.endDate, startTime: '09:00', endTime: '15:00' });
      if (d.maconomyId === 'K1001') cd.trainers.add(anne);
    }
    await em.flush();
  });

  it('creates one post per published course date with the fields as meta', async () => {
    const result = await push();
    expect(result).toEqual({ created: 3, updated: 0, unpublished: 0, failed: [], skipped: 0 });
    expect(sim.posts.size).toBe(3);
    const { row, post } = await postOf('K1001');
    expect(row).toMatchObject({ pushedHash: expect.stringMatching(/^[0-9a-f]{64}$/), lastError: null, attempts: 0, createStartedAt: null, slug: 'excel-for-begyndere-k1001' });
    expect(row.pushedAt).toBeInstanceOf(Date);
    expect(post).toMatchObject({ title: 'Excel for begyndere', status: 'publish', content: 'Regneark fra bunden.', slug: 'excel-for-begyndere-k1001' });
    expect(post!.meta).toEqual({
      kursus_maconomy_id: 'K1001',
      kursus_main_course_number: 'EXC',
      kursus_start_date: '2026-04-01',
      kursus_end_date: '2026-04-02',
      kursus_location: 'København',
      kursus_price: '4500.00',
      kursus_currency: 'DKK',
      kursus_capacity: 12,
      kursus_status: 'open',
      kursus_days: [
        { date: '2026-04-01', start_time: '09:00', end_time: '16:00' },
        { date: '2026-04-02', start_time: '09:00', end_time: '15:00' },
      ],
      kursus_trainers: [{ name: 'Anne Hansen', title: 'Cand.merc.' }],
    });
    expect((await postOf('K1002')).post!.meta).toMatchObject({ kursus_price: '3999.50', kursus_trainers: [], kursus_days: [{ date: '2026-05-04', start_time: '09:00', end_time: '16:00' }] });
    expect((await postOf('K1002')).post!.slug).toBe('excel-for-oevede-k1002');
    expect((await postOf('K1003')).post!.meta).toMatchObject({ kursus_price: '1250.05' });
  });

  it('writes the fields as acf in ACF mode', async () => {
    const client = new WordPressClient({ baseUrl: acfSim.url, user: USER, appPassword: PASSWORD, fieldMode: 'acf' });
    expect(await pushCourseDatesToWordPress({ db, wp: client })).toMatchObject({ created: 3, failed: [] });
    const { post } = await postOf('K1001', acfSim);
    expect(post!.acf).toMatchObject({ kursus_maconomy_id: 'K1001', kursus_price: '4500.00', kursus_trainers: [{ name: 'Anne Hansen', title: 'Cand.merc.' }] });
    expect(post!.meta).toEqual({});
  });

  it('sends nothing when nothing changed', async () => {
    await push();
    const before = sim.requests.length;
    expect(await push()).toEqual({ created: 0, updated: 0, unpublished: 0, failed: [], skipped: 3 });
    expect(sim.requests.length).toBe(before);
  });

  it('sends exactly one update when a title changes', async () => {
    await push();
    sim.requests.length = 0;
    await edit('K1002', (cd) => (cd.title = 'Excel for let øvede'));
    expect(await push()).toEqual({ created: 0, updated: 1, unpublished: 0, failed: [], skipped: 2 });
    const { row, post } = await postOf('K1002');
    expect(sim.requests).toEqual([{ method: 'POST', path: `/wp-json/wp/v2/kursus/${row.postId}`, query: '', status: 200 }]);
    expect(post).toMatchObject({ title: 'Excel for let øvede', slug: 'excel-for-oevede-k1002' });
  });

  it('pushes editor enrichment of course date, days, trainers and main course', async () => {
    await push();
    sim.requests.length = 0;
    await edit('K1001', (cd) => {
      cd.editorDescription = 'Særlig beskrivelse.';
      cd.days.getItems()[0]!.editorStartTime = '08:30';
    });
    {
      const em = db.em();
      const cd = await em.findOneOrFail(CourseDate, { maconomyId: 'K1003' }, { populate: ['trainers'] });
      cd.trainers.add(em.create(Trainer, { key: 'bj', name: 'Bo Jensen', title: null }));
      await em.flush();
    }
    expect(await push()).toMatchObject({ updated: 2, skipped: 1 });
    expect(writes()).toHaveLength(2);
    const k1 = (await postOf('K1001')).post!;
    expect(k1.content).toBe('Særlig beskrivelse.');
    expect((k1.meta.kursus_days as object[])[0]).toEqual({ date: '2026-04-01', start_time: '08:30', end_time: '16:00' });
    expect((await postOf('K1003')).post!.meta.kursus_trainers).toEqual([{ name: 'Bo Jensen', title: null }]);

    // The main course's editor description reaches every date without its own.
    sim.requests.length = 0;
    await db.em().nativeUpdate(MainCourse, { maconomyNumber: 'EXC' }, { editorDescription: 'Ny fælles tekst.' });
    expect(await push()).toMatchObject({ updated: 2, skipped: 1 });
    expect((await postOf('K1002')).post!.content).toBe('Ny fælles tekst.');
    expect((await postOf('K1001')).post!.content).toBe('Særlig beskrivelse.');
  });

  it('sets unpublished and cancelled dates to draft', async () => {
    await push();
    sim.requests.length = 0;
    await edit('K1001', (cd) => (cd.published = false));
    await edit('K1002', (cd) => (cd.status = 'CANCELLED'));
    expect(await push()).toEqual({ created: 0, updated: 0, unpublished: 2, failed: [], skipped: 1 });
    expect((await postOf('K1001')).post!.status).toBe('draft');
    expect((await postOf('K1002')).post).toMatchObject({ status: 'draft', meta: expect.objectContaining({ kursus_status: 'cancelled' }) });
    expect((await postOf('K1003')).post!.status).toBe('publish');
    // Published again: back to publish.
    await edit('K1001', (cd) => (cd.published = true));
    expect(await push()).toMatchObject({ updated: 1 });
    expect((await postOf('K1001')).post!.status).toBe('publish');
  });

  it('does not create posts for dates that were never published', async () => {
    await edit('K1003', (cd) => (cd.published = false));
    expect(await push()).toMatchObject({ created: 2, skipped: 1 });
    expect(sim.posts.size).toBe(2);
    expect(await push()).toMatchObject({ created: 0, skipped: 3 });
    expect(writes()).toHaveLength(2);
  });

  it('records a failure on one course date and still pushes the others', async () => {
    await push();
    for (const id of ['K1001', 'K1002', 'K1003']) await edit(id, (cd) => (cd.location = 'Online'));
    const k1 = (await postOf('K1001')).row.postId!;
    sim.faults.failNext(10, 503, { path: `/wp-json/wp/v2/kursus/${k1}` });
    const result = await push({ wp: wp({ retries: 1 }) });
    expect(result.updated).toBe(2);
    expect(result.failed).toEqual([{ maconomyId: 'K1001', error: expect.stringContaining('HTTP 503') }]);
    const { row, post } = await postOf('K1001');
    expect(row).toMatchObject({ attempts: 1, lastError: expect.stringContaining('503') });
    expect(post!.meta.kursus_location).toBe('København');
    expect((await postOf('K1002')).post!.meta.kursus_location).toBe('Online');
    expect(logs.some((l) => l.level === 'warn' && (l.obj as { maconomyId?: string }).maconomyId === 'K1001')).toBe(true);

    // Next run: only the failed one is retried; success clears the error.
    sim.faults.clear();
    sim.requests.length = 0;
    expect(await push()).toEqual({ created: 0, updated: 1, unpublished: 0, failed: [], skipped: 2 });
    expect(writes()).toHaveLength(1);
    expect((await postOf('K1001')).row).toMatchObject({ attempts: 0, lastError: null });
    expect((await postOf('K1001')).post!.meta.kursus_location).toBe('Online');
  });

  it('records a failed create and creates it on the next run', async () => {
    sim.faults.failNext(1, 400, { method: 'POST' });
    const result = await push({ concurrency: 1 });
    expect(result.created).toBe(2);
    expect(result.failed).toHaveLength(1);
    const failedId = result.failed[0]!.maconomyId;
    expect((await postOf(failedId)).row).toMatchObject({ postId: null, attempts: 1, lastError: expect.stringContaining('400') });
    expect(await push()).toMatchObject({ created: 1, failed: [], skipped: 2 });
    expect(sim.posts.size).toBe(3);
    expect((await postOf(failedId)).row).toMatchObject({ attempts: 0, lastError: null, createStartedAt: null });
  });

  it('recreates a post that was deleted in WordPress', async () => {
    await push();
    const old = (await postOf('K1002')).row.postId!;
    sim.posts.delete(old);
    await edit('K1002', (cd) => (cd.capacity = 20));
    expect(await push()).toMatchObject({ created: 1, updated: 0, failed: [] });
    const { row, post } = await postOf('K1002');
    expect(row.postId).not.toBe(old);
    expect(post!.meta.kursus_capacity).toBe(20);
    expect(sim.posts.size).toBe(3);
  });

  it('adopts a post whose create landed but whose answer was lost, instead of creating it twice', async () => {
    // The create reaches WordPress, the answer is a 502 and the client has no retries left.
    sim.faults.applyThenFailNext(1, 502, { method: 'POST' });
    const first = await push({ wp: wp({ retries: 0 }), courseDateIds: [await idOf('K1001')] });
    expect(first.failed).toHaveLength(1);
    expect(sim.posts.size).toBe(1);
    expect((await postOf('K1001')).row).toMatchObject({ postId: null, createStartedAt: expect.any(Date), slug: 'excel-for-begyndere-k1001' });

    await edit('K1001', (cd) => (cd.title = 'Excel for nybegyndere'));
    sim.requests.length = 0;
    expect(await push()).toMatchObject({ created: 2, updated: 1, failed: [] });
    expect(sim.posts.size).toBe(3);
    const { row, post } = await postOf('K1001');
    expect(row).toMatchObject({ postId: 1, createStartedAt: null, attempts: 0 });
    expect(post).toMatchObject({ title: 'Excel for nybegyndere', slug: 'excel-for-begyndere-k1001' });
    expect(sim.requests.some((r) => r.method === 'GET' && r.query.includes('kursus_maconomy_id=K1001'))).toBe(true);
  });

  it('keeps the first cause when the look-up that follows a failed create fails too', async () => {
    sim.faults.applyThenFailNext(1, 502, { method: 'POST' });
    const only = { courseDateIds: [await idOf('K1001')] };
    expect((await push({ wp: wp({ retries: 0 }), ...only })).failed[0]!.error).toMatch(/HTTP 502/);
    // The application password is revoked meanwhile: the adoption look-up runs as anonymous.
    for (let run = 0; run < 2; run++) {
      const result = await push({ wp: wp({ appPassword: 'revoked pass word' }), ...only });
      expect(result.failed).toEqual([{ maconomyId: 'K1001', error: expect.stringMatching(/HTTP 502.*; later: the application password was not accepted/) }]);
    }
    const { row } = await postOf('K1001');
    expect(row.lastError!.match(/later:/g)).toHaveLength(1);
    expect(await push(only)).toMatchObject({ updated: 1, failed: [] });
    expect(sim.posts.size).toBe(1);
    expect((await postOf('K1001')).row.lastError).toBeNull();
  });

  it('does not count the title WordPress trimmed as a difference', async () => {
    await edit('K1003', (cd) => (cd.title = 'Excel pivottabeller  '));
    expect(await push()).toMatchObject({ created: 3, failed: [] });
    expect((await postOf('K1003')).post!.title).toBe('Excel pivottabeller');
  });

  it('keeps the post id on a 404 that does not say the post is gone (rest_no_route)', async () => {
    await push();
    const before = (await postOf('K1003')).row.postId;
    sim.pluginActive = false;
    await edit('K1003', (cd) => (cd.title = 'Pivottabeller'));
    expect((await push()).failed).toEqual([{ maconomyId: 'K1003', error: expect.stringContaining('rest_no_route') }]);
    sim.pluginActive = true;
    expect(await push()).toMatchObject({ created: 0, updated: 1 });
    expect((await postOf('K1003')).row.postId).toBe(before);
    expect(sim.posts.size).toBe(3);
  });

  it('pushes only the given course dates, in small batches', async () => {
    expect(await push({ courseDateIds: [await idOf('K1002')] })).toMatchObject({ created: 1, skipped: 0 });
    expect(sim.posts.size).toBe(1);
    expect(await push({ batchSize: 1 })).toMatchObject({ created: 2, skipped: 1 });
    expect(await push({ courseDateIds: [] })).toEqual({ created: 0, updated: 0, unpublished: 0, failed: [], skipped: 0 });
  });

  it('re-pushes everything when the field mode changes, and reports fields the site did not keep', async () => {
    await push();
    // This site has no ACF: WordPress ignores the `acf` parameter and answers 200 without it.
    const result = await push({ wp: wp({ fieldMode: 'acf' }) });
    expect(result).toMatchObject({ updated: 0, skipped: 0 });
    expect(result.failed).toHaveLength(3);
    expect(result.failed[0]!.error).toMatch(/did not keep kursus_maconomy_id, kursus_main_course_number, .*kursus_trainers of post \d+ as sent/);
    const { row } = await postOf('K1001');
    expect(row).toMatchObject({ postId: expect.any(Number), pushedHash: null, lastError: expect.stringContaining('kursus_price') });
  });

  async function idOf(maconomyId: string) {
    return (await db.em().findOneOrFail(CourseDate, { maconomyId })).id;
  }

  it('keeps the slug ASCII and unique per course date', () => {
    expect(postSlug('Kursus i æbleskiver & Ålborg-kage', 'K 77/1')).toBe('kursus-i-aebleskiver-aalborg-kage-k-77-1');
    expect(postSlug('!!!', 'K1')).toBe('kursus-k1');
  });
});
