// Limits against abuse, through the real app: per-client rate limits on reserveSeats and checkout
// (429 + Retry-After + RATE_LIMITED), seat caps per order and per client, security headers, CORS
// for configured storefront origins only, and the catalogue cache never showing stale seats to the
// client that just changed them.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { createRateLimiter } from '../../src/security/index.js';
import { post, rowCounts } from './support.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';
const CHECKOUT = 'mutation C($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';
const SEATS = 'query S($id: ID) { course(id: $id) { seatsAvailable trainers { name } } }';

describe.each(testDatabaseKinds())('limits and browser security on %s', (kind) => {
  let h: Harness;
  let courseId: string;
  let url: string;

  beforeAll(async () => {
    h = await startHarness(kind, {
      env: {
        RATE_LIMIT_RESERVE_PER_MINUTE: '4',
        RATE_LIMIT_CHECKOUT_PER_MINUTE: '1',
        MAX_SEATS_PER_CLIENT: '5',
        MAX_SEATS_PER_ORDER: '3',
        CORS_ORIGINS: 'https://kurser.example.dk',
      },
    });
    url = `${h.url}/graphql`;
    const node = (await post(url, { query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges[0].node;
    h.sim.state.setFreeSeats(node.maconomyId, 50);
    courseId = node.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('caps seats per order, per client across orders, rate-limits reservations and checkouts, and shows fresh seats to the client', async () => {
    const seatsNow = async () => (await post(url, { query: SEATS, variables: { id: courseId } })).json.data.course.seatsAvailable as number;
    const free = await seatsNow();
    expect(await seatsNow()).toBe(free); // second answer comes from the cache

    const tooMany = await post(url, { query: RESERVE, variables: { input: { courseId, seats: 4 } } });
    expect(tooMany.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'seats' } });

    const a = (await post(url, { query: RESERVE, variables: { input: { courseId, seats: 3 } } })).json.data.reserveSeats;
    // The listing this client sees next already counts its hold and Maconomy's fresh count (50),
    // not the cached answer from before.
    expect(await seatsNow()).toBe(50 - 3);
    const capped = await post(url, { query: RESERVE, variables: { input: { courseId, seats: 3 } } });
    expect(capped.json.errors[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'seats', heldByClient: 3, maxSeatsPerClient: 5 } });
    expect(capped.json.errors[0].message).toMatch(/at most 5/);
    const b = (await post(url, { query: RESERVE, variables: { input: { courseId, seats: 2 } } })).json.data.reserveSeats;
    expect(b.order.seats).toBe(2);

    // Fifth reservation call within the minute: refused before anything runs.
    const before = await rowCounts(h.db);
    const limited = await post(url, { query: RESERVE, variables: { input: { courseId, seats: 1 } } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: Number(limited.headers.get('retry-after')) });
    expect(limited.json.data).toBeUndefined();
    expect(await rowCounts(h.db)).toEqual(before);
    expect(await seatsNow()).toBe(50 - 5);

    const checkout = (o: { order: { id: string }; orderToken: string }, n: number) =>
      post(url, { query: CHECKOUT, variables: { input: { orderId: o.order.id, orderToken: o.orderToken, booker: person(0, `-l${n}`), participants: Array.from({ length: n }, (_, i) => person(i + 1, `-l${n}`)) } } });
    expect((await checkout(b, 2)).json.data.checkout.order.status).toBe('PLACED');
    const second = await checkout(a, 3);
    expect(second.status).toBe(429);
    expect(second.json.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('sends security headers, a strict CSP on API answers and a CSP that lets the offline IDE run', async () => {
    const api = await fetch(`${h.url}/healthz`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(api.headers.get('referrer-policy')).toBe('no-referrer');
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    const ide = await fetch(url, { headers: { accept: 'text/html' } });
    const html = await ide.text();
    expect(html).toContain('AltairGraphQL.init');
    const csp = ide.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'unsafe-eval' 'sha256-[A-Za-z0-9+/=]{44}'/);
    expect(csp).toContain("connect-src 'self'");
    const bundle = await fetch(`${h.url}/graphql/ide/main.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('allows cross-origin calls from configured storefront origins only', async () => {
    const preflight = (origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const ok = await preflight('https://kurser.example.dk');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://kurser.example.dk');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const evil = await preflight('https://evil.example.com');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${h.url}/healthz`, { headers: { origin: 'https://evil.example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const mine = await fetch(`${h.url}/healthz`, { headers: { origin: 'https://kurser.example.dk' } });
    expect(mine.headers.get('access-control-allow-origin')).toBe('https://kurser.example.dk');
    expect(mine.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('drops cached catalogue answers when an editor changes a course', async () => {
    expect((await post(url, { query: SEATS, variables: { id: courseId } })).json.data.course.trainers).toEqual([]);
    const edit = await post(url, { query: 'mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id } }', variables: { i: { courseId, trainers: [{ key: 'mkj', name: 'Mette Kjær' }] } } }, { authorization: 'Bearer editor-secret-1' });
    expect(edit.json.errors).toBeUndefined();
    expect((await post(url, { query: SEATS, variables: { id: courseId } })).json.data.course.trainers).toEqual([{ name: 'Mette Kjær' }]);
  });

  it('computes a listing once when many requests miss it at the same moment, and never shares an answer across a change', async () => {
    const LIST = 'query L { courses(first: 20) { totalCount edges { node { id title seatsAvailable days { date } trainers { name } } } } }';
    const listing = () => post(url, { query: LIST, operationName: 'L' });
    // Any mutation drops the cached answers (an editor's change here).
    let n = 0;
    const change = () => post(url, { query: 'mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id } }', variables: { i: { courseId, description: `Beskrivelse ${++n}` } } }, { authorization: 'Bearer editor-secret-1' });
    // What one computation costs, alone.
    await change();
    await h.resetQueries();
    const alone = await listing();
    // The catalogue's reads (not the job store's poll, which may run meanwhile).
    const reads = () => h.queries.filter((q) => /select/i.test(q) && !/agenda_job/.test(q)).length;
    const perComputation = reads();
    expect(perComputation).toBeGreaterThanOrEqual(2);

    // 30 at once after the answer was dropped: one computes, the others get its answer. (On MySQL
    // without the join this read 150 times; on SQLite a computation, whose driver calls are
    // synchronous, mostly ends before the next request is read.)
    const expected = alone;
    await change();
    // 30 open keep-alive connections first, so the 30 listings arrive together, not one new
    // connection after another.
    await Promise.all(Array.from({ length: 30 }, () => post(url, { query: '{ __typename }' })));
    await h.resetQueries();
    const answers = await Promise.all(Array.from({ length: 30 }, listing));
    expect(answers.every((a) => a.status === 200 && a.text === expected.text)).toBe(true);
    expect(reads()).toBe(perComputation);
    expect(answers.filter((a) => a.headers.get('x-cache') === 'hit')).toHaveLength(29);

    // A change while the answer is being computed: those who asked after it get a fresh one.
    await change();
    const first = listing();
    await new Promise((r) => setImmediate(r));
    const edit = await post(url, { query: 'mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id } }', variables: { i: { courseId, description: 'Opdateret beskrivelse' } } }, { authorization: 'Bearer editor-secret-1' });
    expect(edit.json.errors).toBeUndefined();
    const after = await post(url, { query: 'query D($id: ID) { course(id: $id) { description } }', variables: { id: courseId } });
    expect(after.json.data.course.description).toBe('Opdateret beskrivelse');
    expect((await first).status).toBe(200);
  });
});

describe('rate limiter', () => {
  it('lets a client burst to the limit, then refills evenly, and keeps clients apart', () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    const refused = limiter.take('a');
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take('b').allowed).toBe(true);
    t += 20_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(createRateLimiter({ limit: 0 }).take('x').allowed).toBe(true);
  });
});
