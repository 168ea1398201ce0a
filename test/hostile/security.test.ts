// Issue 18, items 2 and 8-11 through the real app: the cost of aliased cheap list fields, the
// per-client limit for anonymous queries (free for catalogue-cache hits), slow-client timeouts
// (raw sockets), a long e-mail that must not reach a backtracking regex, the production switches
// (introspection, IDE, /docs, /metrics, field suggestions) and a catalogue cache that only real
// writes clear. Production's refusal of demo secrets is in test/unit/production-secrets.test.ts,
// the login throttle in test/unit/login-throttle.test.ts and test/connectors/auth-login.test.ts,
// prototype names in allow-lists in rest-hostile.test.ts.
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { post, rowCounts, whileHealthPolled } from './support.js';
import { STILL_RESPONSIVE_MS } from '../support/wait.js';

const EDITOR = { authorization: 'Bearer editor-secret-1' };
const ADMIN = { authorization: 'Bearer admin-secret' };
const aliases = (n: number, field = 'courses(first: 1) { totalCount }') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** A POST /graphql from another loopback address: another client. */
function postFrom(base: string, localAddress: string, body: object): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(`${base}/graphql`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Opens a raw TCP connection and resolves when the server closes it (with what it answered and when). */
function rawConnection(base: string) {
  const { hostname, port } = new URL(base);
  const socket: Socket = connect(Number(port), hostname);
  let received = '';
  const opened = performance.now();
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (received += c));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => socket.on('close', () => resolve({ afterMs: performance.now() - opened, received })));
  return { socket, closed };
}

describe.each(testDatabaseKinds())('hostile requests against the security limits on %s', (kind) => {
  describe('cost of cheap list fields (item 2)', () => {
    let h: Harness;
    beforeAll(async () => {
      // Field and token caps raised, so only the cost limit stands between these documents and the database.
      h = await startHarness(kind, { env: { GRAPHQL_MAX_FIELDS: '100000', GRAPHQL_MAX_TOKENS: '200000', BODY_LIMIT_BYTES: String(1024 * 1024) } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it.each([
      ['2,400 aliases of courses(first: 1) { totalCount } (150 KB)', aliases(2400)],
      ['450 aliases, under the default field cap of 1,000', aliases(450)],
      ['500 aliases of course(id:) lookups', aliases(500, 'course(id: "1") { id }')],
      ['a negative `first` cannot pay for the rest', `{ neg: courses(first: -100000000) { totalCount } ${aliases(300).slice(1, -1)} }`],
    ])('%s: 400 "too expensive" before any SQL', async (_name, query) => {
      await h.resetQueries();
      const r = await post(`${h.url}/graphql`, { query });
      expect(r.status).toBe(400);
      expect(r.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(r.json.errors[0].message).toMatch(/too expensive/);
      expect(h.queries.filter((q) => !/agenda_job/.test(q))).toHaveLength(0);
    });

    it('an ordinary storefront listing of 100 courses is still allowed', async () => {
      const r = await post(`${h.url}/graphql`, {
        query:
          '{ courses(first: 100) { totalCount edges { cursor node { id maconomyId title startDate location seatsAvailable price { amount currency } days { date startTime endTime } trainers { key name } } } pageInfo { hasNextPage endCursor } } }',
      });
      expect(r.status).toBe(200);
      expect(r.json.errors).toBeUndefined();
    });
  });

  describe('anonymous query rate limit (item 2)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind, { env: { RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE: '5' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('counts what runs resolvers, not catalogue-cache hits; 429 + Retry-After + RATE_LIMITED after the limit', async () => {
      const url = `${h.url}/graphql`;
      const listing = { query: '{ courses(first: 3) { edges { node { id title } } } }' };
      // One miss, then 30 hits: one request of the allowance used.
      for (let i = 0; i < 31; i++) expect((await post(url, listing)).status).toBe(200);
      const ORDER = (i: number) => ({ query: `{ order(id: "no-such-${i}", token: "t") { id } }` });
      for (let i = 0; i < 4; i++) expect((await post(url, ORDER(i))).status).toBe(200);
      const limited = await post(url, ORDER(99));
      expect(limited.status).toBe(429);
      const seconds = Number(limited.headers.get('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(limited.json.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds } });
      expect(limited.json.errors[0].message).toMatch(/try again in \d+ s/);
      // Cached listings are still served to the limited client; editors and other clients are not limited.
      const cached = await post(url, listing);
      expect(cached.status).toBe(200);
      expect(cached.headers.get('x-cache')).toBe('hit');
      expect((await post(url, ORDER(100), EDITOR)).status).toBe(200);
      expect((await postFrom(h.url, '127.0.0.2', ORDER(101))).status).toBe(200);
      // A made-up bearer token is still anonymous.
      expect((await post(url, ORDER(102), { authorization: 'Bearer not-a-token' })).status).toBe(429);
    });
  });

  describe('anonymous query rate limit behind a trusted proxy (TRUST_PROXY)', () => {
    let h: Harness;
    const before = process.env.TRUST_PROXY;
    beforeAll(async () => {
      process.env.TRUST_PROXY = '127.0.0.1';
      h = await startHarness(kind, { env: { RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE: '2', RATE_LIMIT_EXEMPT_IPS: '198.51.100.9' } });
    });
    afterAll(async () => {
      if (before === undefined) delete process.env.TRUST_PROXY;
      else process.env.TRUST_PROXY = before;
      await h?.close();
    });

    it("counts each forwarded client apart, an IPv6 client by its /64, and exempts a listed forwarded address", async () => {
      const url = `${h.url}/graphql`;
      let n = 0;
      const ask = (forwardedFor: string) => post(url, { query: `{ order(id: "no-such-${n++}", token: "t") { id } }` }, { 'x-forwarded-for': forwardedFor });
      const statuses = async (forwardedFor: string, times: number) => {
        const out: number[] = [];
        for (let i = 0; i < times; i++) out.push((await ask(forwardedFor)).status);
        return out;
      };
      expect(await statuses('203.0.113.7', 3)).toEqual([200, 200, 429]);
      // The proxy appends the address it saw: a client cannot pick its own by sending the header.
      expect((await ask('198.51.100.9, 203.0.113.7')).status).toBe(429);
      expect(await statuses('203.0.113.8', 2)).toEqual([200, 200]);
      expect(await statuses('2001:db8:1:2::a', 2)).toEqual([200, 200]);
      expect((await ask('2001:db8:1:2::b')).status).toBe(429);
      expect((await ask('2001:db8:1:3::a')).status).toBe(200);
      expect(await statuses('198.51.100.9', 4)).toEqual([200, 200, 200, 200]);
    });
  });

  describe('slow clients, long values, production switches, cache invalidation (items 9-11)', () => {
    let h: Harness;
    const METRICS_TOKEN = 'metrics-token-0123456789abcdef0123456789';
    beforeAll(async () => {
      h = await startHarness(kind, {
        env: {
          REQUEST_TIMEOUT_MS: '1500',
          HEADERS_TIMEOUT_MS: '1000',
          GRAPHQL_INTROSPECTION: 'false',
          GRAPHQL_IDE: 'false',
          API_DOCS: 'false',
          METRICS_TOKEN,
        },
      });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('cuts off a body sent one byte at a time (408, connection closed) while /healthz keeps answering', async () => {
      const { socket, closed } = rawConnection(h.url);
      socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      // One more byte every 400 ms: far slower than any real client, fast enough to keep the socket busy.
      const drip = setInterval(() => socket.writable && socket.write(' '), 400);
      const { result, slowestHealthMs } = await whileHealthPolled(h.url, () => closed);
      clearInterval(drip);
      expect(result.received).toMatch(/^HTTP\/1\.1 408/);
      expect(result.afterMs).toBeLessThan(1500 + 2500); // REQUEST_TIMEOUT_MS, checked every second
      expect(slowestHealthMs).toBeLessThan(STILL_RESPONSIVE_MS);
    });

    it('cuts off headers sent one byte at a time', async () => {
      const { socket, closed } = rawConnection(h.url);
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
      const drip = setInterval(() => socket.writable && socket.write('a'), 300);
      const result = await closed;
      clearInterval(drip);
      expect(result.received).toMatch(/^HTTP\/1\.1 408/);
      expect(result.afterMs).toBeLessThan(1000 + 2500);
    });

    it('refuses a 60 KB e-mail for a new connector user at once, without the regex holding the process', async () => {
      const before = await rowCounts(h.db);
      const { result, slowestHealthMs } = await whileHealthPolled(h.url, () =>
        fetch(`${h.url}/api/admin/connector-users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...ADMIN },
          body: JSON.stringify({ email: `a@${'.'.repeat(60_000)}@`, name: 'Long', password: 'long-enough-password' }),
        }),
      );
      expect(result.status).toBe(400);
      expect(((await result.json()) as { message: string }).message).toMatch(/email/);
      expect(slowestHealthMs).toBeLessThan(STILL_RESPONSIVE_MS);
      expect(await rowCounts(h.db)).toEqual(before);
    });

    it('with the production switches off: no introspection, no suggestions, no IDE, no /docs, /metrics only with its token', async () => {
      const url = `${h.url}/graphql`;
      const intro = await post(url, { query: '{ __schema { types { name } } }' });
      expect(intro.status).toBe(400);
      expect(intro.json.errors[0].message).toMatch(/introspection/i);
      expect(intro.text).not.toContain('CourseConnection');
      const typo = await post(url, { query: '{ courss { totalCount } }' });
      expect(typo.status).toBe(400);
      expect(typo.json.errors[0].message).not.toMatch(/Did you mean/);
      expect(typo.text).not.toContain('"courses"');
      const ide = await fetch(url, { headers: { accept: 'text/html' } });
      expect(await ide.text()).not.toContain('AltairGraphQL');
      expect((await fetch(`${h.url}/graphql/ide/main.js`)).status).toBe(404);
      expect((await fetch(`${h.url}/docs`)).status).toBe(404);
      expect((await fetch(`${h.url}/docs/json`)).status).toBe(404);
      const open = await fetch(`${h.url}/metrics`);
      expect(open.status).toBe(401);
      expect(await open.text()).not.toContain('kursus_');
      expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef0123456' } })).status).toBe(401);
      const withToken = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(withToken.status).toBe(200);
      expect(await withToken.text()).toContain('# TYPE');
    });

    it("an editor cannot set where a trainer's participant lists go; an admin can, and the change is audited (item 7)", async () => {
      const url = `${h.url}/graphql`;
      const courseId = (await post(url, { query: '{ courses(first: 1) { edges { node { id } } } }' })).json.data.courses.edges[0].node.id;
      const ENRICH = 'mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id trainers { key name } } }';
      const trainer = (email: string) => ({ i: { courseId, trainers: [{ key: 'sec7', name: 'Sikker Træner', email }] } });
      expect((await post(url, { query: ENRICH, variables: trainer('trainer@example.dk') }, ADMIN)).json.errors).toBeUndefined();
      const before = await rowCounts(h.db);
      const forged = await post(url, { query: ENRICH, variables: trainer('attacker@evil.example') }, EDITOR);
      expect(forged.json.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'trainers[0].email' } });
      expect(forged.json.errors[0].message).toMatch(/Only admins may set a trainer's e-mail/);
      expect(await rowCounts(h.db)).toEqual(before);
      const [{ email }] = await h.db.em().getConnection().execute<{ email: string }[]>(`select email from trainer where ${h.db.kind === 'mysql' ? '`key`' : '"key"'} = 'sec7'`);
      expect(email).toBe('trainer@example.dk');
      // The admin's change was recorded: who, which field, old and new address.
      expect((await post(url, { query: ENRICH, variables: trainer('lists@example.dk') }, ADMIN)).json.errors).toBeUndefined();
      const audit = await h.db.em().getConnection().execute<{ actor: string; field: string; old_value: string | null; new_value: string | null }[]>(
        `select actor, field, old_value, new_value from audit_entry where entity_id = ? order by id`,
        [courseId],
      );
      expect(audit.filter((a) => a.field === 'trainers[sec7].email')).toEqual([
        { actor: 'token:admin', field: 'trainers[sec7].email', old_value: null, new_value: 'trainer@example.dk' },
        { actor: 'token:admin', field: 'trainers[sec7].email', old_value: 'trainer@example.dk', new_value: 'lists@example.dk' },
      ]);
    });

    it('only a mutation that did something clears the catalogue cache', async () => {
      const url = `${h.url}/graphql`;
      const listing = { query: '{ courses(first: 2) { edges { node { id seatsAvailable } } } }' };
      await post(url, listing);
      expect((await post(url, listing)).headers.get('x-cache')).toBe('hit');
      const noop = await post(url, { query: 'mutation { __typename }' });
      expect(noop.status).toBe(200);
      expect((await post(url, listing)).headers.get('x-cache')).toBe('hit');
      const refused = await post(url, { query: 'mutation { cancelReservation(input: { orderId: "nope", orderToken: "nope" }) { order { id } } }' });
      expect(refused.json.errors).toBeDefined();
      expect((await post(url, listing)).headers.get('x-cache')).toBe('hit');
      const unauthenticated = await post(url, { query: 'mutation($i: EnrichCourseInput!) { enrichCourse(input: $i) { id } }', variables: { i: { courseId: 'x', description: 'x' } } });
      expect(unauthenticated.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await post(url, listing)).headers.get('x-cache')).toBe('hit');
      // A real write still clears it.
      const courseId = (await post(url, listing)).json.data.courses.edges[0].node.id;
      const reserved = await post(url, { query: 'mutation($i: ReserveSeatsInput!) { reserveSeats(input: $i) { order { id } } }', variables: { i: { courseId, seats: 1 } } });
      expect(reserved.json.errors).toBeUndefined();
      expect((await post(url, listing)).headers.get('x-cache')).toBe('miss');
    });
  });
});
