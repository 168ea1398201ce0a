// Hostile input against the storefront GraphQL API: malformed JSON and GraphQL, wrong types, huge
// strings, unicode edge cases, SQL and NoSQL injection strings in every text argument, other
// orders' tokens. Each case must get a clear 4xx or typed GraphQL error (never a 5xx or an
// internal error) and change nothing: every table's row count is compared before and after, and
// the two reservations prepared up front must be exactly as they were.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { Order } from '../../src/booking/entities.js';
import { expectRefused, post, rowCounts, type HostileCase } from './support.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';
const CHECKOUT = 'mutation C($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';
const CANCEL = 'mutation X($input: CancelReservationInput!) { cancelReservation(input: $input) { order { id status } } }';
const ORDER = 'query O($id: ID!, $token: String!) { order(id: $id, token: $token) { id status seats } }';
const COURSES = 'query L($filter: CourseFilter, $first: Int, $after: String) { courses(filter: $filter, first: $first, after: $after) { totalCount edges { node { id } } } }';
const COURSE = 'query One($id: ID, $maconomyId: String) { course(id: $id, maconomyId: $maconomyId) { id } }';
const ENRICH = 'mutation E($i: EnrichCourseInput!) { enrichCourse(input: $i) { id description note trainers { key name title bio } } }';
const EDITOR = { authorization: 'Bearer editor-secret-1' };
const ADMIN = { authorization: 'Bearer admin-secret' };

export const INJECTIONS = [
  `' OR '1'='1`,
  `'; DROP TABLE booking_order; --`,
  `" OR ""="`,
  `1; SELECT SLEEP(5)`,
  `%' OR 1=1 #`,
  `\\'; DELETE FROM course_date; --`,
  `{"$gt": ""}`,
  `{"$ne": null}`,
  `'; return true; var x='`,
  `$where: function() { return true }`,
  `../../../etc/passwd`,
  `<script>alert(1)</script>`,
];

const noOrder = (j: any) => j?.data?.order === null;
const noCourses = (j: any) => j?.data?.courses?.edges?.length === 0 && j.data.courses.totalCount === 0;
const noCourse = (j: any) => j?.data?.course === null;

function cases(url: string): HostileCase[] {
  const gql = (query: string, variables: unknown, headers: Record<string, string> = {}) => post(url, { query, variables }, headers);
  const reserve = (input: (c: Record<string, string>) => unknown) => (c: Record<string, string>) => gql(RESERVE, { input: input(c) });
  const checkout = (input: (c: Record<string, string>) => unknown) => (c: Record<string, string>) => gql(CHECKOUT, { input: input(c) });
  const okPerson = person(7, '-hostile');
  const list: HostileCase[] = [
    // ---- malformed JSON and GraphQL -------------------------------------------------------------
    { name: 'body is not JSON', send: () => post(url, '{"query": "{ courses { totalCount } }"'), status: 400 },
    { name: 'body is a JSON array', send: () => post(url, '[]'), status: 400 },
    { name: 'body is JSON null', send: () => post(url, 'null'), status: 400 },
    { name: 'body is a JSON string', send: () => post(url, '"mutation { reserveSeats }"'), status: 400 },
    { name: 'query is a number', send: () => post(url, { query: 123 }), status: 400 },
    { name: 'variables is a string', send: () => post(url, { query: RESERVE, variables: 'seats=1' }), status: 400 },
    { name: 'GraphQL syntax error', send: () => post(url, { query: 'mutation { reserveSeats(input: {courseId: "x", seats: 1}) { orderToken ' }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'unknown field', send: () => post(url, { query: '{ courses { nope } }' }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'two operations without operationName', send: () => post(url, { query: 'query A { __typename } mutation B { __typename }' }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'text/plain body (cross-site form)', send: () => post(url, JSON.stringify({ query: RESERVE }), { 'content-type': 'text/plain' }), status: 400 },
    {
      name: 'mutation over GET',
      send: async () => {
        const res = await fetch(`${url}?query=${encodeURIComponent('mutation { cancelReservation(input: {orderId: "x", orderToken: "y"}) { order { id } } }')}`, { headers: { 'apollo-require-preflight': '1' } });
        const text = await res.text();
        return { status: res.status, text, json: JSON.parse(text), headers: res.headers };
      },
      status: 405,
    },
    // ---- wrong types ----------------------------------------------------------------------------
    { name: 'seats is a string', send: reserve((c) => ({ courseId: c.courseId, seats: 'two' })), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'seats is a fraction', send: reserve((c) => ({ courseId: c.courseId, seats: 1.5 })), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'seats beyond 32 bits', send: reserve((c) => ({ courseId: c.courseId, seats: 2 ** 40 })), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'seats is zero', send: reserve((c) => ({ courseId: c.courseId, seats: 0 })), code: 'BAD_USER_INPUT' },
    { name: 'seats is negative', send: reserve((c) => ({ courseId: c.courseId, seats: -3 })), code: 'BAD_USER_INPUT' },
    { name: 'seats above the per-order cap', send: reserve((c) => ({ courseId: c.courseId, seats: 21 })), code: 'BAD_USER_INPUT' },
    { name: 'courseId is null', send: reserve(() => ({ courseId: null, seats: 1 })), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'input is a string', send: () => gql(RESERVE, { input: 'courseId=1' }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'courseId is an object (NoSQL operator)', send: reserve(() => ({ courseId: { $gt: '' }, seats: 1 })), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'orderToken is an object (NoSQL operator)', send: (c) => gql(ORDER, { id: c.orderA, token: { $ne: null } }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'first is 1000', send: () => gql(COURSES, { first: 1000 }), code: 'BAD_USER_INPUT' },
    { name: 'first is negative', send: () => gql(COURSES, { first: -5 }), code: 'BAD_USER_INPUT' },
    { name: 'participants missing', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: okPerson })), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'participants count differs from seats', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: okPerson, participants: [okPerson, person(8, '-h')] })), code: 'BAD_USER_INPUT' },
    // ---- huge strings and abusive shapes ---------------------------------------------------------
    { name: 'body over BODY_LIMIT_BYTES', send: (c) => gql(RESERVE, { input: { courseId: c.courseId, seats: 1, pad: 'x'.repeat(300 * 1024) } }), status: 413 },
    { name: '100 kB courseId', send: reserve(() => ({ courseId: '1'.repeat(100_000), seats: 1 })), code: 'BAD_USER_INPUT' },
    { name: '10 kB search', send: () => gql(COURSES, { filter: { search: 'a'.repeat(10_000) } }), code: 'BAD_USER_INPUT' },
    { name: '5000-character first name', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, firstName: 'M'.repeat(5000) }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
    { name: '100 kB order token', send: (c) => gql(CANCEL, { input: { orderId: c.orderA, orderToken: 't'.repeat(100_000) } }), code: 'FORBIDDEN' },
    { name: 'two aliased checkouts in one request', send: (c) => post(url, { query: `mutation { a: cancelReservation(input: {orderId: "${c.orderA}", orderToken: "${c.tokenA}"}) { order { id } } b: cancelReservation(input: {orderId: "${c.orderB}", orderToken: "${c.tokenB}"}) { order { id } } }` }), status: 400, code: 'BAD_USER_INPUT' },
    {
      name: '300 aliased reservations in one request',
      send: (c) => post(url, { query: `mutation { ${Array.from({ length: 300 }, (_, i) => `r${i}: reserveSeats(input: {courseId: "${c.courseId}", seats: 1}) { orderToken }`).join(' ')} }` }),
      code: 'BAD_USER_INPUT',
    },
    // ---- unicode edge cases ----------------------------------------------------------------------
    { name: 'full-width digits in a Maconomy id', send: reserve(() => ({ courseId: '２５１７２-０４', seats: 1 })), code: 'BAD_USER_INPUT' },
    { name: 'zero-width space in a Maconomy id', send: reserve(() => ({ courseId: '25172\u200b-04', seats: 1 })), code: 'BAD_USER_INPUT' },
    { name: 'NUL byte in a name', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, firstName: 'Mette\u0000' }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
    { name: 'lone surrogate in a name', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, lastName: 'Kj\ud800r' }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
    { name: 'right-to-left override in a name', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: okPerson, participants: [{ ...okPerson, firstName: 'Jens\u202egnp.exe' }] })), code: 'BAD_USER_INPUT' },
    { name: 'line separator in a company', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, company: 'Firma\u2028A/S' }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
    { name: 'unicode in an e-mail domain part', send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, email: 'mette@fïrma.dk' }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
    { name: 'emoji order token', send: (c) => gql(CANCEL, { input: { orderId: c.orderA, orderToken: '🔑'.repeat(20) } }), code: 'FORBIDDEN' },
    { name: 'NUL byte in a search', send: () => gql(COURSES, { filter: { search: 'projekt\u0000' } }), allowEmptyResult: noCourses, code: 'BAD_USER_INPUT' },
    // ---- other orders' tokens --------------------------------------------------------------------
    { name: "reading order A with B's token", send: (c) => gql(ORDER, { id: c.orderA, token: c.tokenB }), allowEmptyResult: noOrder, code: 'FORBIDDEN' },
    { name: "changing order A's seats with B's token", send: reserve((c) => ({ courseId: c.courseId, seats: 2, orderId: c.orderA, orderToken: c.tokenB })), code: 'FORBIDDEN' },
    { name: "checking out order A with B's token", send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenB, booker: okPerson, participants: [okPerson] })), code: 'FORBIDDEN' },
    { name: "cancelling order A with B's token", send: (c) => gql(CANCEL, { input: { orderId: c.orderA, orderToken: c.tokenB } }), code: 'FORBIDDEN' },
    { name: "order A's id with a token hash instead of the token", send: (c) => gql(CANCEL, { input: { orderId: c.orderA, orderToken: c.hashA } }), code: 'FORBIDDEN' },
    { name: 'an unknown order id', send: (c) => gql(CANCEL, { input: { orderId: '00000000-0000-4000-8000-000000000000', orderToken: c.tokenA } }), code: 'NOT_FOUND' },
    { name: 'editor mutation without a token', send: (c) => gql('mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id } }', { i: { courseId: c.courseId, note: 'x' } }), code: 'UNAUTHENTICATED' },
    { name: "editor mutation with an order's token as bearer", send: (c) => gql('mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id } }', { i: { courseId: c.courseId, note: 'x' } }, { authorization: `Bearer ${c.tokenA}` }), code: 'UNAUTHENTICATED' },
    { name: 'admin query with an editor token', send: () => gql('{ jobs(limit: 5) { name } }', {}, { authorization: 'Bearer editor-secret-1' }), code: 'FORBIDDEN' },
  ];
  // ---- SQL and NoSQL injection strings in every text argument -----------------------------------
  for (const inj of INJECTIONS) {
    list.push(
      { name: `courseId = ${inj}`, send: reserve(() => ({ courseId: inj, seats: 1 })), code: 'BAD_USER_INPUT' },
      { name: `reserve orderId = ${inj}`, send: reserve((c) => ({ courseId: c.courseId, seats: 1, orderId: inj, orderToken: c.tokenA })), code: 'BAD_USER_INPUT' },
      { name: `reserve orderToken = ${inj}`, send: reserve((c) => ({ courseId: c.courseId, seats: 1, orderId: c.orderA, orderToken: inj })), code: 'FORBIDDEN' },
      { name: `checkout orderId = ${inj}`, send: checkout((c) => ({ orderId: inj, orderToken: c.tokenA, booker: okPerson, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
      { name: `checkout orderToken = ${inj}`, send: checkout((c) => ({ orderId: c.orderA, orderToken: inj, booker: okPerson, participants: [okPerson] })), code: 'FORBIDDEN' },
      { name: `booker.email = ${inj}`, send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, email: inj }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
      { name: `participant email = ${inj}`, send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: okPerson, participants: [{ ...okPerson, email: inj }] })), code: 'BAD_USER_INPUT' },
      { name: `booker.phone = ${inj}`, send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenA, booker: { ...okPerson, phone: inj }, participants: [okPerson] })), code: 'BAD_USER_INPUT' },
      // Names may legitimately hold quotes (O'Brien): with the wrong token they must not get past it.
      { name: `names and company = ${inj} (wrong token)`, send: checkout((c) => ({ orderId: c.orderA, orderToken: c.tokenB, booker: { firstName: inj, lastName: inj, email: okPerson.email, company: inj }, participants: [{ firstName: inj, lastName: inj, email: okPerson.email }] })), code: 'FORBIDDEN' },
      { name: `cancel orderId = ${inj}`, send: (c) => gql(CANCEL, { input: { orderId: inj, orderToken: c.tokenA } }), code: 'BAD_USER_INPUT' },
      { name: `order(id) = ${inj}`, send: (c) => gql(ORDER, { id: inj, token: c.tokenA }), allowEmptyResult: noOrder, code: 'BAD_USER_INPUT' },
      { name: `order(token) = ${inj}`, send: (c) => gql(ORDER, { id: c.orderA, token: inj }), allowEmptyResult: noOrder, code: 'FORBIDDEN' },
      { name: `course(maconomyId) = ${inj}`, send: () => gql(COURSE, { maconomyId: inj }), allowEmptyResult: noCourse, code: 'BAD_USER_INPUT' },
      { name: `course(id) = ${inj}`, send: () => gql(COURSE, { id: inj }), allowEmptyResult: noCourse, code: 'BAD_USER_INPUT' },
      { name: `filter.search = ${inj}`, send: () => gql(COURSES, { filter: { search: inj } }), allowEmptyResult: noCourses, code: 'BAD_USER_INPUT' },
      { name: `filter.location = ${inj}`, send: () => gql(COURSES, { filter: { location: inj } }), allowEmptyResult: noCourses, code: 'BAD_USER_INPUT' },
      { name: `filter.mainCourseNumber = ${inj}`, send: () => gql(COURSES, { filter: { mainCourseNumber: inj } }), allowEmptyResult: noCourses, code: 'BAD_USER_INPUT' },
      { name: `filter.mainCourseId = ${inj}`, send: () => gql(COURSES, { filter: { mainCourseId: inj } }), code: 'BAD_USER_INPUT' },
      { name: `filter.from = ${inj}`, send: () => gql(COURSES, { filter: { from: inj } }), code: 'BAD_USER_INPUT' },
      { name: `after = ${inj}`, send: () => gql(COURSES, { after: inj }), code: 'BAD_USER_INPUT' },
      { name: `enrichCourse trainers[0].key = ${inj}`, send: (c) => gql(ENRICH, { i: { courseId: c.courseId, trainers: [{ key: inj, name: 'Mette' }] } }, EDITOR), code: 'BAD_USER_INPUT' },
      { name: `enrichCourse trainers[0].email = ${inj}`, send: (c) => gql(ENRICH, { i: { courseId: c.courseId, trainers: [{ key: 'mkj', name: 'Mette', email: inj }] } }, EDITOR), status: 400, code: 'BAD_USER_INPUT' },
      { name: `enrichCourse courseId = ${inj}`, send: () => gql(ENRICH, { i: { courseId: inj, note: 'x' } }, EDITOR), code: 'BAD_USER_INPUT' },
      { name: `admin runJob(name) = ${inj}`, send: () => gql('mutation($n: String!) { runJob(name: $n) }', { n: inj }, ADMIN), code: 'BAD_USER_INPUT' },
      { name: `admin jobs(state) = ${inj}`, send: () => gql('query($s: String) { jobs(state: $s) { id } }', { s: inj }, ADMIN), code: 'BAD_USER_INPUT' },
      { name: `admin jobs(name) = ${inj}`, send: () => gql('query($n: String) { jobs(name: $n) { id } }', { n: inj }, ADMIN), allowEmptyResult: (j: any) => Array.isArray(j?.data?.jobs) && j.data.jobs.length === 0, code: 'BAD_USER_INPUT' },
      { name: `admin retryOrderSync(orderId) = ${inj}`, send: () => gql('mutation($o: ID!) { retryOrderSync(orderId: $o) }', { o: inj }, ADMIN), code: 'NOT_FOUND' },
      { name: `admin resendMail(mailId) = ${inj}`, send: () => gql('mutation($m: ID!) { resendMail(mailId: $m) }', { m: inj }, ADMIN), code: 'NOT_FOUND' },
    );
  }
  return list;
}

describe.each(testDatabaseKinds())('hostile GraphQL input on %s', (kind) => {
  let h: Harness;
  const ctx: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness(kind);
    const list = JSON.parse((await h.raw({ query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).text);
    const node = list.data.courses.edges[0].node;
    h.sim.state.setFreeSeats(node.maconomyId, 50);
    ctx.courseId = node.id;
    for (const key of ['A', 'B']) {
      const r = (await h.raw({ query: RESERVE, variables: { input: { courseId: node.id, seats: 1 } } })).json.data.reserveSeats;
      ctx[`order${key}`] = r.order.id;
      ctx[`token${key}`] = r.orderToken;
    }
    ctx.hashA = (await h.db.em().findOneOrFail(Order, { id: ctx.orderA })).tokenHash;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses every hostile case clearly and changes nothing', async () => {
    const all = cases(`${h.url}/graphql`);
    const orderState = async () => (await h.db.em().find(Order, { id: { $in: [ctx.orderA!, ctx.orderB!] } }, { orderBy: { id: 'asc' } })).map((o) => [o.id, o.status, o.seats, o.expiresAt?.toISOString(), o.bookerEmail]);
    const ordersBefore = await orderState();
    const failures: string[] = [];
    for (const c of all) {
      const before = await rowCounts(h.db);
      try {
        expectRefused(c, await c.send(ctx));
      } catch (err) {
        failures.push((err as Error).message);
      }
      const after = await rowCounts(h.db);
      if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${c.name}: row counts changed ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    }
    expect(failures).toEqual([]);
    expect(await orderState()).toEqual(ordersBefore);
    expect(all.length).toBeGreaterThan(250);
  });

  it("stores editors' text that looks like SQL or NoSQL verbatim, and changes nothing but that course date", async () => {
    const id = ctx.courseId!;
    const other = async () => {
      const counts = await rowCounts(h.db);
      // What an enrichment may write: the course date's own overrides, its trainers, the WordPress push it queues.
      for (const t of ['course_date', 'course_day', 'trainer', 'course_date_trainer', 'agenda_job']) delete counts[t];
      return counts;
    };
    const before = await other();
    const coursesBefore = (await h.raw({ query: COURSES, variables: { first: 100 } })).json.data.courses.totalCount;
    for (const [i, inj] of INJECTIONS.entries()) {
      const input = { courseId: id, description: inj, note: inj, trainers: [{ key: `t${i}`, name: inj, title: inj, bio: inj }] };
      const r = await h.raw({ query: ENRICH, variables: { i: input } }, EDITOR);
      expect(r.json.errors).toBeUndefined();
      expect(r.json.data.enrichCourse).toEqual({ id, description: inj, note: inj, trainers: [{ key: `t${i}`, name: inj, title: inj, bio: inj }] });
      const read = (await h.raw({ query: 'query($id: ID) { course(id: $id) { description note trainers { name } } }', variables: { id } })).json.data.course;
      expect(read).toEqual({ description: inj, note: inj, trainers: [{ name: inj }] });
    }
    expect(await other()).toEqual(before);
    expect((await h.raw({ query: COURSES, variables: { first: 100 } })).json.data.courses.totalCount).toBe(coursesBefore);
    // Put the course date back as it was for the other cases.
    const reset = await h.raw({ query: ENRICH, variables: { i: { courseId: id, description: null, note: null, trainers: [] } } }, EDITOR);
    expect(reset.json.errors).toBeUndefined();
  });

  it('stores a name that looks like SQL verbatim, as the name it is, and nothing else changes', async () => {
    const name = `Robert'); DROP TABLE participant; --`;
    const before = await rowCounts(h.db);
    const r = await h.raw({
      query: CHECKOUT,
      variables: { input: { orderId: ctx.orderB, orderToken: ctx.tokenB, booker: { firstName: name, lastName: `O'Brien`, email: 'robert@example.dk' }, participants: [{ firstName: name, lastName: `{"$gt": ""}`, email: 'robert@example.dk' }] } },
    });
    expect(r.json.errors).toBeUndefined();
    expect(r.json.data.checkout.order.status).toBe('PLACED');
    const order = await h.db.em().findOneOrFail(Order, { id: ctx.orderB! }, { populate: ['participants'] });
    expect(order.bookerFirstName).toBe(name);
    expect(order.participants.getItems()[0]!.lastName).toBe(`{"$gt": ""}`);
    const after = await rowCounts(h.db);
    expect(after.participant).toBe(before.participant! + 1);
    expect({ ...after, participant: 0, agenda_job: 0 }).toEqual({ ...before, participant: 0, agenda_job: 0 });
  });
});
