// Catalogue listing, pagination, filters, editor enrichment and request limits over HTTP.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, errorCodes, type Harness, type GqlResult } from '../support/harness.js';
import { generatedData } from '../../src/simulators/maconomy.js';
import { openDb } from '../../src/db/orm.js';
import { CourseDate } from '../../src/catalog/entities.js';
import { CoursesDocument, CourseDocument, EnrichCourseDocument, type CoursesQuery } from '../generated/graphql.js';

const EDITOR = { authorization: 'Bearer editor-secret-2' };

describe.each(testDatabaseKinds())('catalogue on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { simData: generatedData(120) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pages through every upcoming course date exactly once, in start-date order, with totalCount', async () => {
    const seen: string[] = [];
    let after: string | null | undefined = undefined;
    let total = -1;
    for (let page = 0; page < 50; page++) {
      const r: GqlResult<CoursesQuery> = await h.gql(CoursesDocument, { first: 17, after });
      expect(r.errors).toBeUndefined();
      total = r.data!.courses.totalCount;
      seen.push(...r.data!.courses.edges.map((e) => e.node.id));
      const dates = r.data!.courses.edges.map((e) => e.node.startDate);
      expect([...dates].sort()).toEqual(dates);
      if (!r.data!.courses.pageInfo.hasNextPage) break;
      after = r.data!.courses.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThan(100);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('filters by location, title search, main course, date range and free seats', async () => {
    const all = (await h.gql(CoursesDocument, { first: 100 })).data!.courses.edges.map((e) => e.node);
    const location = all[0]!.location;
    const byLocation = await h.gql(CoursesDocument, { first: 100, filter: { location: location.toUpperCase() } });
    expect(byLocation.data!.courses.edges.length).toBeGreaterThan(0);
    expect(byLocation.data!.courses.edges.every((e) => e.node.location === location)).toBe(true);

    const word = all[0]!.title.split(' ')[0]!.toLowerCase();
    const bySearch = await h.gql(CoursesDocument, { first: 100, filter: { search: word } });
    expect(bySearch.data!.courses.edges.every((e) => e.node.title.toLowerCase().includes(word))).toBe(true);
    expect(bySearch.data!.courses.totalCount).toBeGreaterThan(0);

    const number = all[0]!.mainCourse.maconomyNumber;
    const byMain = await h.gql(CoursesDocument, { first: 100, filter: { mainCourseNumber: number } });
    expect(byMain.data!.courses.edges.every((e) => e.node.mainCourse.maconomyNumber === number)).toBe(true);

    const from = all[10]!.startDate;
    const to = all[20]!.startDate;
    const range = await h.gql(CoursesDocument, { first: 100, filter: { from, to } });
    expect(range.data!.courses.edges.every((e) => e.node.startDate >= from && e.node.startDate <= to)).toBe(true);

    const available = await h.gql(CoursesDocument, { first: 100, filter: { onlyAvailable: true } });
    expect(available.data!.courses.edges.every((e) => e.node.seatsAvailable > 0)).toBe(true);
    expect(available.data!.courses.totalCount).toBeLessThan(byLocation.data!.courses.totalCount + all.length);

    // SQL wildcards in the search are literal text, not patterns.
    const wildcard = await h.gql(CoursesDocument, { first: 5, filter: { search: '%' } });
    expect(wildcard.data!.courses.totalCount).toBe(0);
  });

  it('lists 50 course dates with days, trainers and main course in a bounded number of SQL queries', async () => {
    const page = (await h.gql(CoursesDocument, { first: 50 })).data!.courses.edges;
    for (const [i, e] of page.slice(0, 10).entries()) {
      const r = await h.gql(EnrichCourseDocument, { input: { courseId: e.node.id, trainers: [{ key: `t${i % 3}`, name: `Træner ${i % 3}` }] } }, EDITOR);
      expect(r.errors).toBeUndefined();
    }
    await h.resetQueries();
    const r = await h.gql(CoursesDocument, { first: 50 });
    expect(r.data!.courses.edges).toHaveLength(50);
    expect(r.data!.courses.edges.filter((e) => e.node.trainers.length > 0).length).toBeGreaterThanOrEqual(10);
    expect(r.data!.courses.edges.every((e) => e.node.days.length > 0)).toBe(true);
    // The catalogue's version with the page's held seats, in one statement (the course dates, days,
    // trainers and main courses come from the catalogue in memory, loaded again by the enrichment's
    // own answer); not one per course date. The counter sees the statements (a broken hook would
    // pass any upper bound).
    expect(h.queries.length).toBeGreaterThanOrEqual(1);
    expect(h.queries.length).toBeLessThanOrEqual(8);
  });

  it('shows a catalogue change made through another database connection (another process: the import, the back office) in the next read', async () => {
    // With a bearer token the catalogue cache (CATALOG_CACHE_MS) is not used: this is the read path itself.
    const read = async () => (await h.gql(CourseDocument, { id: target.id }, EDITOR)).data!.course!;
    const target = (await h.gql(CoursesDocument, { first: 3 })).data!.courses.edges[2]!.node;
    expect((await read()).title).toBe(target.title);
    const other = await openDb(h.config.database);
    try {
      const em = other.em();
      const cd = await em.findOneOrFail(CourseDate, { id: target.id }, { populate: ['days'] });
      cd.title = `${target.title} (ny)`;
      cd.days.getItems()[0]!.editorStartTime = '08:15';
      await em.flush();
      const changed = await read();
      expect(changed.title).toBe(`${target.title} (ny)`);
      expect(changed.days[0]!.startTime).toBe('08:15');
      const listed = (await h.gql(CoursesDocument, { first: 50, filter: { search: '(ny)' } }, EDITOR)).data!.courses;
      expect(listed.edges.map((e) => e.node.id)).toEqual([target.id]);
      // A seat count stored by another process is read per request, not from the copy in memory.
      await other.em().getConnection().execute('update course_date set maconomy_free_seats = 0 where id = ?', [target.id]);
      expect((await read()).seatsAvailable).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('rejects a page size above the maximum and a forged cursor with BAD_USER_INPUT', async () => {
    expect(errorCodes(await h.gql(CoursesDocument, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await h.gql(CoursesDocument, { first: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await h.gql(CoursesDocument, { first: 5, after: 'bm90LWEtY3Vyc29y' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('lets editors set day times, trainers and description; the storefront sees them merged; a re-import keeps them', async () => {
    const node = (await h.gql(CoursesDocument, { first: 1 })).data!.courses.edges[0]!.node;
    const day = node.days[0]!;
    const anonymous = await h.gql(EnrichCourseDocument, { input: { courseId: node.id, description: 'x' } });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const wrong = await h.gql(EnrichCourseDocument, { input: { courseId: node.id, description: 'x' } }, { authorization: 'Bearer nope' });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);

    const input = {
      courseId: node.id,
      description: 'Et praktisk kursus med øvelser.',
      days: [{ date: day.date, startTime: '08:30', endTime: '15:30' }],
      trainers: [{ key: 'mkj', name: 'Mette Kjær', title: 'Chefkonsulent' }],
    };
    // Where participant lists are mailed is an admin's decision (issue 18.7): an editor is refused at the field.
    const withEmail = await h.gql(EnrichCourseDocument, { input: { ...input, trainers: [{ ...input.trainers[0]!, email: 'mkj@example.dk' }] } }, EDITOR);
    expect(withEmail.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'trainers[0].email' });
    const r = await h.gql(EnrichCourseDocument, { input }, EDITOR);
    expect(r.errors).toBeUndefined();
    expect(r.data!.enrichCourse.description).toBe(input.description);
    expect(r.data!.enrichCourse.days[0]).toEqual({ date: day.date, startTime: '08:30', endTime: '15:30' });
    expect(r.data!.enrichCourse.trainers.map((t) => t.name)).toEqual(['Mette Kjær']);

    // Maconomy renames the course date; the import takes the title, not the editor's fields.
    h.sim.state.updateCourseDate(node.maconomyId, { title: `${node.title} (opdateret)` });
    const result = await h.kursus.importCourses();
    expect(result.courseDates.updated).toBeGreaterThanOrEqual(1);
    const after = (await h.gql(CourseDocument, { id: node.id })).data!.course!;
    expect(after.title).toBe(`${node.title} (opdateret)`);
    expect(after.description).toBe(input.description);
    expect(after.days[0]).toEqual({ date: day.date, startTime: '08:30', endTime: '15:30' });
    expect(after.trainers.map((t) => t.key)).toEqual(['mkj']);

    const badDay = await h.gql(EnrichCourseDocument, { input: { courseId: node.id, days: [{ date: '2001-01-01', startTime: '09:00' }] } }, EDITOR);
    expect(errorCodes(badDay)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses queries that are too costly, malformed or invalid with a clear 4xx/BAD_USER_INPUT', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `c${i}: courses(first: 100) { edges { node { id days { date } trainers { name } } } }`).join(' ');
    await h.resetQueries();
    const costly = await h.raw({ query: `{ ${aliases} }` });
    expect(costly.status).toBe(400);
    expect(costly.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(costly.json.errors[0].message).toMatch(/too expensive/);
    expect(h.queries).toHaveLength(0); // refused before any SQL ran
    const malformed = await h.raw({ query: '{ courses { ' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const unknownField = await h.raw({ query: '{ courses { edges { node { id password } } } }' });
    expect(unknownField.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const notJson = await h.raw('{"query": "{ courses');
    expect(notJson.status).toBe(400);

    // The schema has no cycles, so only a query that cannot be valid nests deeper than the
    // limit; it is still refused by depth (not just as unknown fields), and a pathological
    // nesting is a 400, never a crash or a stack overflow.
    const nest = (n: number) => `{ courses { edges { node { mainCourse ${'{ id '.repeat(n)}${'}'.repeat(n)} } } } }`;
    const deep = await h.raw({ query: nest(10) });
    expect(deep.status).toBe(400);
    expect(deep.json.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(/nested 14 levels deep; the maximum is 8/);
    expect(deep.json.errors.every((e: { extensions: { code: string } }) => e.extensions.code === 'BAD_USER_INPUT')).toBe(true);
    const pathological = await h.raw({ query: nest(20_000) });
    expect(pathological.status).toBe(400);
    expect(pathological.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('serves an offline GraphQL IDE at /graphql to browsers', async () => {
    const page = await fetch(`${h.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/altair/i);
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    const script = /src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const asset = await fetch(new URL(script!, `${h.url}/graphql/ide/`));
    expect(asset.status).toBe(200);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});
