// Staff accounts of the back office through HTTP: login, the session cookie, CSRF, throttling,
// logout and disabling, the bearer tokens beside them, and `npm run user`'s commands.
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { runUserCommand } from '../../src/staff/cli.js';
import { DEMO_STAFF, disableDemoStaff } from '../../src/staff/demo.js';
import { staffLogin } from '../../src/staff/service.js';
import { StaffUser } from '../../src/staff/entities.js';
import { sessionCookie } from '../../src/staff/session.js';

const EDITOR = DEMO_STAFF[0];
const ADMIN = DEMO_STAFF[1];

interface Session {
  cookie: string;
  setCookie: string;
  csrfToken: string;
  role: string;
}

describe.each(testDatabaseKinds())('staff accounts and sessions (%s)', (kind) => {
  let h: Harness;
  let clock: Date;
  beforeAll(async () => {
    clock = new Date();
    h = await startHarness(kind, { build: { now: () => clock } });
  });
  afterAll(() => h?.close());

  const login = async (email: string, password: string, ip?: string) => {
    const res = await fetch(`${h.url}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(ip ? { 'x-forwarded-for': ip } : {}) },
      body: JSON.stringify({ email, password }),
    });
    const json = (await res.json().catch(() => null)) as any;
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { status: res.status, json, setCookie, retryAfter: res.headers.get('retry-after'), cookie: setCookie.split(';')[0]! };
  };
  const loginOk = async (u: { email: string; password: string }): Promise<Session> => {
    const r = await login(u.email, u.password);
    expect(r.status).toBe(200);
    return { cookie: r.cookie, setCookie: r.setCookie, csrfToken: r.json.csrfToken, role: r.json.role };
  };
  const gql = (s: Session | null, query: string, variables: object = {}, opts: { csrf?: string | null } = {}) =>
    h.raw({ query, variables }, {
      ...(s ? { cookie: s.cookie } : {}),
      ...(s && opts.csrf !== null ? { 'x-csrf-token': opts.csrf ?? s.csrfToken } : {}),
    });
  const NOTE = 'mutation($id: ID!, $note: String) { enrichCourse(input: { courseId: $id, note: $note }) { id note } }';
  const firstCourse = async () => (await h.raw({ query: '{ courses(first: 1) { edges { node { id note } } } }' })).json.data.courses.edges[0].node;

  it('logs the demo editor in with a new HttpOnly, SameSite=Lax session cookie and a CSRF token; each login is a new session', async () => {
    const a = await loginOk(EDITOR);
    expect(a.role).toBe('editor');
    expect(a.setCookie).toMatch(/^kursus_staff=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    // Not Secure outside production (plain HTTP on loopback); production sets it (config test below).
    expect(a.setCookie).not.toContain('Secure');
    const b = await loginOk(EDITOR);
    expect(b.cookie).not.toBe(a.cookie);
    expect(b.csrfToken).not.toBe(a.csrfToken);
    const who = await fetch(`${h.url}/admin/api/session`, { headers: { cookie: a.cookie } });
    expect(await who.json()).toEqual({ email: EDITOR.email, role: 'editor', csrfToken: a.csrfToken });
    expect((await fetch(`${h.url}/admin/api/session`)).status).toBe(401);
  });

  it('a session cookie with its CSRF token acts as its role; without the token a write is refused and changes nothing', async () => {
    const editor = await loginOk(EDITOR);
    const course = await firstCourse();
    const refused = await gql(editor, NOTE, { id: course.id, note: 'no token' }, { csrf: null });
    expect(refused.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(refused.json.errors[0].message).toMatch(/X-CSRF-Token/);
    const wrong = await gql(editor, NOTE, { id: course.id, note: 'wrong token' }, { csrf: 'x'.repeat(43) });
    expect(wrong.json.errors[0].extensions.code).toBe('FORBIDDEN');
    // Another session's token does not fit this session.
    const other = await loginOk(EDITOR);
    const crossed = await gql(editor, NOTE, { id: course.id, note: 'crossed token' }, { csrf: other.csrfToken });
    expect(crossed.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await firstCourse()).note).toBe(course.note);

    const ok = await gql(editor, NOTE, { id: course.id, note: 'Parkering bag huset' });
    expect(ok.json.errors).toBeUndefined();
    expect(ok.json.data.enrichCourse.note).toBe('Parkering bag huset');
    // An editor session is not an admin.
    const jobs = await gql(editor, '{ jobOverview { name total } }');
    expect(jobs.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const admin = await loginOk(ADMIN);
    const adminJobs = await gql(admin, '{ jobOverview { name total } }');
    expect(adminJobs.json.errors).toBeUndefined();
    expect(adminJobs.json.data.jobOverview.length).toBeGreaterThan(0);
  });

  it('production cookies are Secure', () => {
    expect(h.config.staff.secureCookie).toBe(false);
    expect(sessionCookie('abc', { secure: true, maxAgeSeconds: 60 })).toBe('kursus_staff=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
  });

  it('Agendash at /admin/jobs: admins only, and its writes only from this origin', async () => {
    const anonymous = await fetch(`${h.url}/admin/jobs/api?limit=1`);
    expect(anonymous.status).toBe(401);
    const editor = await loginOk(EDITOR);
    expect((await fetch(`${h.url}/admin/jobs/api?limit=1`, { headers: { cookie: editor.cookie } })).status).toBe(403);
    const admin = await loginOk(ADMIN);
    const list = await fetch(`${h.url}/admin/jobs/api?limit=5`, { headers: { cookie: admin.cookie } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { overview: unknown[] }).overview.length).toBeGreaterThan(0);
    const create = (origin?: string) =>
      fetch(`${h.url}/admin/jobs/api/jobs/create`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ jobName: 'push-wordpress', jobSchedule: 'in 1 hour', jobData: {} }),
      });
    expect((await create()).status).toBe(403);
    expect((await create('https://evil.example')).status).toBe(403);
    expect((await create(new URL(h.url).origin)).status).toBe(200);

    // What Agendash does with a job works on the SQL job store: find, pause, resume, retry, delete.
    const origin = new URL(h.url).origin;
    const call = async (path: string, body?: object) => {
      const res = await fetch(`${h.url}/admin/jobs/api${path}`, body ? { method: 'POST', headers: { cookie: admin.cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify(body) } : { headers: { cookie: admin.cookie } });
      const json = (await res.json()) as any;
      expect({ path, status: res.status, json: res.status === 200 ? 'ok' : json }).toEqual({ path, status: 200, json: 'ok' });
      return json;
    };
    const scheduled = await call('?job=push-wordpress&state=scheduled');
    expect(scheduled.jobs).toHaveLength(1);
    const jobIds = [scheduled.jobs[0].job._id];
    expect(await call('/jobs/pause', { jobIds })).toEqual({ pausedCount: 1 });
    expect((await call('?job=push-wordpress&state=paused')).jobs.map((j: any) => j.job._id)).toEqual(jobIds);
    expect(await call('/jobs/resume', { jobIds })).toEqual({ resumedCount: 1 });
    expect(await call('/jobs/retry', { jobIds })).toEqual({ retriedCount: 1 });
    expect(await call('/jobs/delete', { jobIds })).toEqual({ deleted: true, deletedCount: 1 });
    expect((await call('?q=push-wordpress')).jobs.map((j: any) => j.job._id)).not.toContain(jobIds[0]);
  });

  it('bearer tokens keep working beside the cookies', async () => {
    const r = await h.raw({ query: '{ jobOverview { name } }' }, { authorization: 'Bearer admin-secret' });
    expect(r.json.errors).toBeUndefined();
    const e = await h.raw({ query: '{ jobOverview { name } }' }, { authorization: 'Bearer editor-secret-1' });
    expect(e.json.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('logout ends the session on the server: the old cookie and token no longer work', async () => {
    const s = await loginOk(ADMIN);
    const noToken = await fetch(`${h.url}/admin/api/logout`, { method: 'POST', headers: { cookie: s.cookie } });
    expect(noToken.status).toBe(403);
    const out = await fetch(`${h.url}/admin/api/logout`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^kursus_staff=; .*Max-Age=0/);
    const after = await gql(s, '{ jobOverview { name } }');
    expect(after.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(after.json.errors[0].message).toMatch(/log in again/);
  });

  it('a session ends after the idle time and after the absolute lifetime, however active', async () => {
    const s = await loginOk(ADMIN);
    const start = clock;
    try {
      clock = new Date(start.getTime() + 59 * 60_000);
      expect((await gql(s, '{ jobOverview { name } }')).json.errors).toBeUndefined();
      // 59 more minutes since the last request: still within the idle hour.
      clock = new Date(start.getTime() + 118 * 60_000);
      expect((await gql(s, '{ jobOverview { name } }')).json.errors).toBeUndefined();
      clock = new Date(start.getTime() + 180 * 60_000);
      expect((await gql(s, '{ jobOverview { name } }')).json.errors[0].extensions.code).toBe('UNAUTHENTICATED');

      const busy = await loginOk(ADMIN);
      const t0 = clock.getTime();
      for (let hour = 1; hour <= 11; hour++) {
        clock = new Date(t0 + hour * 50 * 60_000);
        expect((await gql(busy, '{ jobOverview { name } }')).json.errors).toBeUndefined();
      }
      clock = new Date(t0 + 12 * 3_600_000 + 1000);
      expect((await gql(busy, '{ jobOverview { name } }')).json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      clock = new Date();
    }
  });

  it('throttles wrong passwords per account and address with a clear message; other accounts and addresses are not locked out', async () => {
    // Five failures are free; the sixth makes this account wait (1 s, doubling with each further failure).
    for (let i = 0; i < 6; i++) expect((await login('throttled@kursus.test', 'wrong-password-123')).status).toBe(401);
    const blocked = await login('throttled@kursus.test', 'wrong-password-123');
    expect(blocked.status).toBe(429);
    expect(blocked.json.message).toMatch(/^Too many failed logins for this account from your address: try again in \d+ seconds\.$/);
    expect(Number(blocked.retryAfter)).toBeGreaterThanOrEqual(1);
    // The demo editor from the same address still logs in.
    expect((await login(EDITOR.email, EDITOR.password)).status).toBe(200);
  });

  it('npm run user: add, reset-password (sessions end) and disable (sessions end at once)', async () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as never;
    try {
      expect(await runUserCommand(['add', 'Redaktor@Kursus.test', '--role', 'editor'], h.config, silent)).toBe(0);
      expect(await runUserCommand(['add', 'redaktor@kursus.test', '--role', 'editor'], h.config, silent)).toBe(1);
      expect(await runUserCommand(['add', 'x@kursus.test', '--role', 'boss'], h.config, silent)).toBe(1);
    } finally {
      process.stdout.write = write;
    }
    const password = /password for redaktor@kursus\.test: (\S+)/.exec(out.join(''))![1]!;
    const s = await loginOk({ email: 'redaktor@kursus.test', password });
    expect(s.role).toBe('editor');
    expect((await gql(s, '{ courses(first: 1) { totalCount } }')).json.errors).toBeUndefined();

    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as never;
    try {
      expect(await runUserCommand(['reset-password', 'redaktor@kursus.test'], h.config, silent)).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const newPassword = /new password for redaktor@kursus\.test: (\S+)/.exec(out.join(''))![1]!;
    expect(newPassword).not.toBe(password);
    expect((await gql(s, NOTE, { id: (await firstCourse()).id, note: 'x' })).json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await login('redaktor@kursus.test', password)).status).toBe(401);
    const s2 = await loginOk({ email: 'redaktor@kursus.test', password: newPassword });

    expect(await runUserCommand(['disable', 'redaktor@kursus.test'], h.config, silent)).toBe(0);
    const afterDisable = await gql(s2, NOTE, { id: (await firstCourse()).id, note: 'from a disabled user' });
    expect(afterDisable.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await login('redaktor@kursus.test', newPassword)).status).toBe(401);
    expect(await runUserCommand(['disable', 'nobody@kursus.test'], h.config, silent)).toBe(1);
  });

  it('production refuses the published demo passwords and disables the demo accounts', async () => {
    const refused = await staffLogin(h.db, ADMIN.email, ADMIN.password, { now: new Date(), limits: { idleMinutes: 60, maxHours: 12 }, refusedPasswords: [ADMIN.password] });
    expect(refused).toBeNull();
    const s = await loginOk(ADMIN);
    expect(await disableDemoStaff(h.db)).toBe(2);
    expect((await gql(s, '{ jobOverview { name } }')).json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await login(ADMIN.email, ADMIN.password)).status).toBe(401);
    // Put them back for any later test of this suite.
    await h.db.em().nativeUpdate(StaffUser, { email: { $in: [EDITOR.email, ADMIN.email] } }, { active: true });
  });
});

const silent = { info() {}, error() {} };
