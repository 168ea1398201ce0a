// import-courses against the Maconomy simulator, on every test database: Maconomy-owned fields are
// updated, editor-owned ones never; vanished dates are unpublished (never deleted, orders keep
// them); only what changed is reported for WordPress; large catalogues go in batches with progress.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { CoursesDocument, CourseDocument, EnrichCourseDocument, ReserveSeatsDocument, OrderDocument } from '../generated/graphql.js';
import { importCourses } from '../../src/catalog/import.js';
import { MaconomyClient } from '../../src/integrations/maconomy/index.js';
import { startMaconomySimulator, generatedData } from '../../src/simulators/maconomy.js';
import { openDb, migrate } from '../../src/db/orm.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { createTestDatabase } from '../support/databases.js';

// Only admins set a trainer's e-mail (participant lists are mailed there), so the enrichment here is an admin's.
const ADMIN = { authorization: 'Bearer admin-secret' };

describe.each(testDatabaseKinds())('import-courses on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const listed = async () => {
    const r = await h.gql(CoursesDocument, { first: 50 });
    return r.data!.courses.edges.map((e) => e.node);
  };

  it('updates what Maconomy changed, keeps what editors own, and reports only the changed dates', async () => {
    const [a, b] = await listed();
    const day = a!.days[0]!;
    const enriched = await h.gql(
      EnrichCourseDocument,
      {
        input: {
          courseId: a!.id,
          description: 'Redaktørens beskrivelse',
          note: 'Parkering bag huset',
          days: [{ date: day.date, startTime: '08:30', endTime: '15:30' }],
          trainers: [{ key: 'MJ', name: 'Mette Jensen', title: 'Underviser', email: 'mette@example.dk' }],
        },
      },
      ADMIN,
    );
    expect(enriched.errors).toBeUndefined();

    h.sim.state.updateCourseDate(a!.maconomyId, {
      title: `${a!.title} (opdateret)`,
      location: 'Esbjerg',
      days: h.sim.state.courseDate(a!.maconomyId)!.days.map((d) => ({ ...d, start_time: '10:00', end_time: '17:00' })),
    });
    h.sim.state.updateCourseDate(b!.maconomyId, { price: 12345 });

    const result = await h.kursus.importCourses();
    expect(result.courseDates.updated).toBe(2);
    expect(result.courseDates.created).toBe(0);
    expect(result.courseDates.unchanged).toBe(result.courseDates.seen - 2);
    expect(new Set(result.changedCourseDateIds)).toEqual(new Set([a!.id, b!.id]));

    const after = (await h.gql(CourseDocument, { id: a!.id })).data!.course!;
    expect(after.title).toBe(`${a!.title} (opdateret)`);
    expect(after.location).toBe('Esbjerg');
    expect(after.description).toBe('Redaktørens beskrivelse');
    expect(after.note).toBe('Parkering bag huset');
    expect(after.trainers.map((t) => t.name)).toEqual(['Mette Jensen']);
    // The editor's times win on the day they set; Maconomy's new times show on the others.
    expect(after.days.find((d) => d.date === day.date)).toMatchObject({ startTime: '08:30', endTime: '15:30' });
    for (const d of after.days.filter((x) => x.date !== day.date)) expect(d).toMatchObject({ startTime: '10:00', endTime: '17:00' });
    expect((await h.gql(CourseDocument, { id: b!.id })).data!.course!.price.amountMinor).toBe(1234500);

    // Nothing changed since: nothing to report.
    const again = await h.kursus.importCourses();
    expect(again.courseDates.updated).toBe(0);
    expect(again.changedCourseDateIds).toEqual([]);
  });

  it('unpublishes a date that vanished from Maconomy without deleting it or its orders, and republishes it when it returns', async () => {
    const all = await listed();
    const gone = all.find((c) => c.seatsAvailable > 0 && c.status === 'OPEN')!;
    const saved = h.sim.state.courseDate(gone.maconomyId)!;
    const held = (await h.gql(ReserveSeatsDocument, { input: { courseId: gone.id, seats: 1 } })).data!.reserveSeats;

    expect(h.sim.state.removeCourseDate(gone.maconomyId)).toBe(true);
    const result = await h.kursus.importCourses();
    expect(result.courseDates.unpublished).toBe(1);
    expect(result.changedCourseDateIds).toEqual([gone.id]);

    expect((await listed()).map((c) => c.id)).not.toContain(gone.id);
    const rows = await h.db.em().getConnection().execute<{ published: number | boolean }[]>('select published from course_date where id = ?', [gone.id]);
    expect(rows).toHaveLength(1);
    expect(Boolean(rows[0]!.published)).toBe(false);
    const order = await h.gql(OrderDocument, { id: held.order.id, token: held.orderToken });
    expect(order.data!.order!.seats).toBe(1);

    const { free_seats: _free, ...back } = saved;
    h.sim.state.addCourseDate({ ...back, free_seats: saved.free_seats });
    const returned = await h.kursus.importCourses();
    expect(returned.courseDates.republished).toBe(1);
    expect((await listed()).map((c) => c.id)).toContain(gone.id);
  });

  it('adds new main courses and course dates', async () => {
    const before = await listed();
    h.sim.state.addMainCourse({ main_course_no: '29999', title: 'Ny kursusserie', description: null, category: null });
    h.sim.state.addCourseDate({
      course_no: '29999-01', main_course_no: '29999', title: 'Ny kursusserie', start_date: before[0]!.startDate, end_date: before[0]!.startDate,
      location: 'Roskilde', price: 4500, currency: 'DKK', capacity: 12, free_seats: 12, status: 'open',
      days: [{ date: before[0]!.startDate, start_time: '09:00', end_time: '15:00' }],
    } as never);
    const result = await h.kursus.importCourses();
    expect(result.mainCourses.created).toBe(1);
    expect(result.courseDates.created).toBe(1);
    const fresh = (await listed()).find((c) => c.maconomyId === '29999-01');
    expect(fresh).toMatchObject({ title: 'Ny kursusserie', location: 'Roskilde', seatsAvailable: 12, mainCourse: { maconomyNumber: '29999' } });
  });

  it('imports a large catalogue in batches, logging progress, and a second run changes nothing', async () => {
    const sim = await startMaconomySimulator({ data: generatedData(2_000) });
    const database = await createTestDatabase(kind);
    const db = await openDb(parseDatabaseUrl(database.url));
    try {
      await migrate(db);
      const progress: object[] = [];
      const log = { info: (o: object, m?: string) => m === 'import-courses progress' && progress.push(o), warn: () => undefined };
      const source = new MaconomyClient({ baseUrl: sim.url, token: 'demo-maconomy-token', timeoutMs: 10_000, retries: 1 });
      const first = await importCourses({ db, source, log, batchSize: 250 });
      expect(first.courseDates).toMatchObject({ seen: 2_000, created: 2_000 });
      expect(progress.length).toBeGreaterThanOrEqual(8);
      expect(progress.at(-1)).toMatchObject({ seen: 2_000 });
      const rows = await db.em().getConnection().execute<{ n: number | string }[]>('select count(*) as n from course_date');
      expect(Number(rows[0]!.n)).toBe(2_000);

      const second = await importCourses({ db, source, batchSize: 250 });
      expect(second.courseDates).toMatchObject({ seen: 2_000, created: 0, updated: 0, unchanged: 2_000 });
    } finally {
      await db.close();
      await database.drop();
      await sim.close();
    }
  });
});
