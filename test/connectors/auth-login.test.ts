// Connector users and bearer tokens through the public surface: POST /public/auth/login, the
// admin API for connector users, and the requireConnectorUser guard that other connectors reuse.
import Fastify from 'fastify';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startHarness, type Harness } from '../support/harness.js';
import { createTestDatabase, testDatabaseKinds } from '../support/databases.js';
import { openDb, migrate } from '../../src/db/orm.js';
import { registerConnectors } from '../../src/connectors/index.js';
import { requireConnectorUser, ConnectorUser, ConnectorToken, createConnectorUser } from '../../src/connectors/auth/index.js';
import { RequestOutRoute } from '../../src/connectors/request-out/entities.js';
import { DEMO_ROUTE_ID } from '../../src/connectors/request-out/demo.js';
import { createHttpLog } from '../../src/connectors/http-log/index.js';
import { DEMO_USER, http, loginDemo, newUser } from './connector-helpers.js';

/** A login sent from another loopback address (127.0.0.2): another client. */
const loginFrom = (base: string, localAddress: string, body: unknown) =>
  new Promise<{ status: number; json: any }>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(`${base}/public/auth/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });

describe.each(testDatabaseKinds())('connector auth on %s', (kind) => {
  let h: Harness;
  const ADMIN = 'admin-secret';

  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the demo user logs in and gets the documented answer', async () => {
    const before = Date.now();
    const r = await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['expiresAt', 'message', 'token', 'user']);
    expect(r.json.message).toBe('Login successful');
    expect(typeof r.json.token).toBe('string');
    expect(r.json.token.length).toBeGreaterThanOrEqual(40);
    expect(r.json.user).toEqual({ id: DEMO_USER.id, name: DEMO_USER.name });
    const expires = Date.parse(r.json.expiresAt);
    expect(r.json.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(expires - before).toBeGreaterThan(23 * 3_600_000);
    expect(expires - before).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
  });

  test('e-mail is case-insensitive and form-encoded logins work too', async () => {
    const r = await http(h.url, 'POST', '/public/auth/login', { form: { email: 'Demo@Example.COM', password: DEMO_USER.password } });
    expect(r.status).toBe(200);
    expect(r.json.user.id).toBe(DEMO_USER.id);
  });

  test('wrong password and unknown e-mail get the same 401', async () => {
    const wrong = await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: 'not-the-password' } });
    const unknown = await http(h.url, 'POST', '/public/auth/login', { body: { email: 'nobody@example.com', password: 'whatever-pass' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual({ message: 'Invalid email or password' });
    expect(unknown.json).toEqual(wrong.json);
  });

  test('bad input is a 400 naming the field', async () => {
    const noEmail = await http(h.url, 'POST', '/public/auth/login', { body: { password: 'x' } });
    expect(noEmail.status).toBe(400);
    expect(noEmail.json.message).toMatch(/email/);
    const noPassword = await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email } });
    expect(noPassword.status).toBe(400);
    expect(noPassword.json.message).toMatch(/password/);
    const notJson = await http(h.url, 'POST', '/public/auth/login', { body: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(Object.keys(notJson.json)).toEqual(['message']);
    const array = await http(h.url, 'POST', '/public/auth/login', { body: [1, 2] });
    expect(array.status).toBe(400);
  });

  test('passwords are stored as scrypt hashes and tokens as SHA-256 hashes', async () => {
    const token = await loginDemo(h.url);
    const em = h.db.em();
    const user = await em.findOneOrFail(ConnectorUser, { id: DEMO_USER.id });
    expect(user.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(user.passwordHash).not.toContain(DEMO_USER.password);
    const hash = createHash('sha256').update(token).digest('hex');
    const row = await em.findOne(ConnectorToken, { tokenHash: hash });
    expect(row).not.toBeNull();
    expect(await em.count(ConnectorToken, { tokenHash: token })).toBe(0);
  });

  test('failed logins slow only the client that failed: the right password from another client still works', async () => {
    const u = await newUser(h.url, ADMIN, 'Throttled Client');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await http(h.url, 'POST', '/public/auth/login', { body: { email: u.email, password: `wrong-${i}-password` } })).status);
    // Five free failures, then the failing client must wait before each further try.
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toContain(429);
    const slowed = await http(h.url, 'POST', '/public/auth/login', { body: { email: u.email, password: u.password } });
    expect(slowed.status).toBe(429);
    expect(slowed.json.message).toMatch(/Too many failed logins for this email from this client; try again in \d+ s/);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    // The attacker cannot lock the user out: the user, from another address, logs in at once.
    const fresh = await loginFrom(h.url, '127.0.0.2', { email: u.email, password: u.password });
    expect(fresh.status).toBe(200);
    // Another account from the failing client is not affected either.
    expect((await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } })).status).toBe(200);
  });

  describe('per-client login rate limit (RATE_LIMIT_LOGIN_PER_MINUTE)', () => {
    let limited: Harness;
    beforeAll(async () => {
      limited = await startHarness(kind, { env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
    });
    afterAll(async () => {
      await limited?.close();
    });

    test('one client cannot try passwords across many addresses: 429 in the login envelope with Retry-After', async () => {
      // Three different addresses, so the per-address throttle (10 failures) never applies.
      for (let i = 0; i < 3; i++) {
        const r = await http(limited.url, 'POST', '/public/auth/login', { body: { email: `victim-${i}@example.com`, password: 'guess-password' } });
        expect(r.status).toBe(401);
      }
      const refused = await http(limited.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
      expect(refused.status).toBe(429);
      expect(Object.keys(refused.json)).toEqual(['message']);
      expect(refused.json.message).toMatch(/Too many login attempts from this client; try again in \d+ s/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Refused before anything ran: no token was issued for the right password.
      expect(await limited.db.em().count(ConnectorToken, {})).toBe(0);
      // Another client is not affected.
      const other = await loginFrom(limited.url, '127.0.0.2', { email: DEMO_USER.email, password: DEMO_USER.password });
      expect(other.status).toBe(200);
      expect(other.json.user.id).toBe(DEMO_USER.id);
    });
  });

  describe('admin API for connector users', () => {
    test('needs an admin token', async () => {
      expect((await http(h.url, 'GET', '/api/admin/connector-users')).status).toBe(401);
      expect((await http(h.url, 'GET', '/api/admin/connector-users', { token: 'editor-secret-1' })).status).toBe(401);
      const demoToken = await loginDemo(h.url);
      expect((await http(h.url, 'GET', '/api/admin/connector-users', { token: demoToken })).status).toBe(401);
      const ok = await http(h.url, 'GET', '/api/admin/connector-users', { token: ADMIN });
      expect(ok.status).toBe(200);
      expect(ok.json.items.some((u: any) => u.id === DEMO_USER.id && u.email === DEMO_USER.email && !('passwordHash' in u))).toBe(true);
    });

    test('creates users, refuses duplicates and bad input', async () => {
      const email = `new-${Date.now()}@example.com`;
      const created = await http(h.url, 'POST', '/api/admin/connector-users', { token: ADMIN, body: { email, name: 'ERP Client', password: 'long-enough-pw' } });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ email, name: 'ERP Client', active: true });
      expect(created.json.id).toHaveLength(36);
      const dup = await http(h.url, 'POST', '/api/admin/connector-users', { token: ADMIN, body: { email: email.toUpperCase(), name: 'Again', password: 'long-enough-pw' } });
      expect(dup.status).toBe(409);
      const short = await http(h.url, 'POST', '/api/admin/connector-users', { token: ADMIN, body: { email: 'x@example.com', name: 'X', password: 'short' } });
      expect(short.status).toBe(400);
      expect(short.json.message).toMatch(/password/);
      const badEmail = await http(h.url, 'POST', '/api/admin/connector-users', { token: ADMIN, body: { email: 'not-an-email', name: 'X', password: 'long-enough-pw' } });
      expect(badEmail.status).toBe(400);
      expect(badEmail.json.message).toMatch(/email/);
    });

    test('deactivating a user ends its tokens and its logins; revoke-tokens ends sessions', async () => {
      const u = await newUser(h.url, ADMIN);
      const app = Fastify();
      app.get('/me', { preHandler: requireConnectorUser({ db: h.db, now: () => new Date() }, { envelope: (_s, message) => ({ message }) }) }, async (req: import('fastify').FastifyRequest) => req.connectorUser);
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        expect((await http(base, 'GET', '/me', { token: u.token })).status).toBe(200);
        const revoked = await http(h.url, 'POST', `/api/admin/connector-users/${u.id}/revoke-tokens`, { token: ADMIN });
        expect(revoked.json).toEqual({ revoked: 1 });
        expect((await http(base, 'GET', '/me', { token: u.token })).status).toBe(401);

        const again = (await http(h.url, 'POST', '/public/auth/login', { body: { email: u.email, password: u.password } })).json.token;
        expect((await http(base, 'GET', '/me', { token: again })).status).toBe(200);
        const off = await http(h.url, 'PATCH', `/api/admin/connector-users/${u.id}`, { token: ADMIN, body: { active: false } });
        expect(off.status).toBe(200);
        expect(off.json.active).toBe(false);
        expect((await http(base, 'GET', '/me', { token: again })).status).toBe(401);
        expect((await http(h.url, 'POST', '/public/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(401);
        expect((await http(h.url, 'PATCH', `/api/admin/connector-users/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { token: ADMIN, body: { active: true } })).status).toBe(404);
      } finally {
        await app.close();
      }
    });
  });

  describe('requireConnectorUser, the guard other connectors reuse', () => {
    let base: string;
    let app: ReturnType<typeof Fastify>;
    let clock = Date.now();
    beforeAll(async () => {
      app = Fastify();
      const guard = requireConnectorUser({ db: h.db, now: () => new Date(clock) }, { envelope: (status, message) => ({ Status: 'error', Code: String(status), Message: message }), userIdParam: 'id_user' });
      app.get('/things/:id_user', { preHandler: guard }, async (req: import('fastify').FastifyRequest) => ({ user: req.connectorUser, actor: req.httpLogActor }));
      base = await app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(() => app.close());

    test('401 in the endpoint envelope without a token, with a malformed header or an unknown token', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer kct_unknown-token-value' }, { authorization: 'Bearer' }] as Record<string, string>[]) {
        const r = await http(base, 'GET', `/things/${DEMO_USER.id}`, { headers });
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
        expect(Object.keys(r.json).sort()).toEqual(['Code', 'Message', 'Status']);
        expect(r.json.Code).toBe('401');
      }
    });

    test("the owner passes, another user's token gets 403", async () => {
      const token = await loginDemo(h.url);
      const ok = await http(base, 'GET', `/things/${DEMO_USER.id}`, { token });
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({ user: { id: DEMO_USER.id, name: DEMO_USER.name, email: DEMO_USER.email }, actor: DEMO_USER.id });
      const other = await newUser(h.url, ADMIN);
      const forbidden = await http(base, 'GET', `/things/${DEMO_USER.id}`, { token: other.token });
      expect(forbidden.status).toBe(403);
      expect(forbidden.json.Code).toBe('403');
    });

    test('an expired token gets 401', async () => {
      const token = await loginDemo(h.url);
      expect((await http(base, 'GET', `/things/${DEMO_USER.id}`, { token })).status).toBe(200);
      clock = Date.now() + 25 * 3_600_000;
      try {
        const r = await http(base, 'GET', `/things/${DEMO_USER.id}`, { token });
        expect(r.status).toBe(401);
        expect(r.json.Message).toMatch(/expired/);
      } finally {
        clock = Date.now();
      }
    });
  });

  test('outside demo mode (NODE_ENV=production) no demo user is created', async () => {
    const database = await createTestDatabase(kind);
    const db = await openDb({ ...h.config.database, ...(await import('../../src/config.js')).parseDatabaseUrl(database.url) });
    try {
      await migrate(db);
      const app = Fastify();
      const httpLog = createHttpLog({ db, config: h.config.httpLog });
      await registerConnectors(app, { config: { ...h.config, demo: false, env: 'production' }, db, now: () => new Date(), httpLog, log: app.log });
      await app.ready();
      expect(await db.em().count(ConnectorUser, {})).toBe(0);
      const r = await app.inject({ method: 'POST', url: '/public/auth/login', payload: { email: DEMO_USER.email, password: DEMO_USER.password } });
      expect(r.statusCode).toBe(401);
      await app.close();
      await httpLog.close();
    } finally {
      await db.close();
      await database.drop();
    }
  });

  test('a production start on a database that ran in demo mode disables the demo user, its tokens and the demo route', async () => {
    const database = await createTestDatabase(kind);
    const db = await openDb({ ...h.config.database, ...(await import('../../src/config.js')).parseDatabaseUrl(database.url) });
    const httpLog = createHttpLog({ db, config: h.config.httpLog });
    const login = (app: ReturnType<typeof Fastify>, email: string, password: string) => app.inject({ method: 'POST', url: '/public/auth/login', payload: { email, password } });
    try {
      await migrate(db);
      // Once in demo mode: demo user, shops, products and route seeded; a client logged in.
      const demoApp = Fastify();
      await registerConnectors(demoApp, { config: h.config, db, now: () => new Date(), httpLog, log: demoApp.log });
      await demoApp.ready();
      const demoToken = (await login(demoApp, DEMO_USER.email, DEMO_USER.password)).json().token as string;
      expect((await demoApp.inject({ method: 'GET', url: `/public/shop/list/${DEMO_USER.id}/0/10`, headers: { authorization: `Bearer ${demoToken}` } })).statusCode).toBe(200);
      expect((await db.em().findOneOrFail(RequestOutRoute, { id: DEMO_ROUTE_ID })).enabled).toBe(true);
      await createConnectorUser(db, { email: 'erp@example.com', name: 'ERP', password: 'a-real-password' });
      await demoApp.close();

      // Then production on the same database.
      const warnings: string[] = [];
      const prodApp = Fastify();
      const log = Object.assign(Object.create(prodApp.log), { warn: (_o: object, m: string) => warnings.push(m) });
      await registerConnectors(prodApp, { config: { ...h.config, demo: false, env: 'production' }, db, now: () => new Date(), httpLog, log });
      await prodApp.ready();
      expect((await login(prodApp, DEMO_USER.email, DEMO_USER.password)).statusCode).toBe(401);
      const shops = await prodApp.inject({ method: 'GET', url: `/public/shop/list/${DEMO_USER.id}/0/10`, headers: { authorization: `Bearer ${demoToken}` } });
      expect(shops.statusCode).toBe(401);
      expect(await db.em().count(ConnectorToken, { user: DEMO_USER.id })).toBe(0);
      expect((await db.em().findOneOrFail(ConnectorUser, { id: DEMO_USER.id })).active).toBe(false);
      expect((await db.em().findOneOrFail(RequestOutRoute, { id: DEMO_ROUTE_ID })).enabled).toBe(false);
      expect(warnings).toEqual([expect.stringMatching(/ran in demo mode.*disabled/)]);
      // Real users are untouched.
      expect((await login(prodApp, 'erp@example.com', 'a-real-password')).statusCode).toBe(200);
      await prodApp.close();

      // Every production start does it again, quietly when there is nothing to do.
      const again = Fastify();
      warnings.length = 0;
      await registerConnectors(again, { config: { ...h.config, demo: false, env: 'production' }, db, now: () => new Date(), httpLog, log: Object.assign(Object.create(again.log), { warn: (_o: object, m: string) => warnings.push(m) }) });
      await again.ready();
      expect(warnings).toEqual([]);
      await again.close();
    } finally {
      await httpLog.close();
      await db.close();
      await database.drop();
    }
  });
});
