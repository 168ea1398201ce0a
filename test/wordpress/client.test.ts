// The WordPress client against the loopback simulator over real HTTP: auth, create/update/read,
// WordPress error shapes, retries (5xx, 429 + Retry-After, timeouts, network), no retry on 4xx,
// safe retries of creates, validation of answers, and that the password never leaks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WordPressClient, WordPressError, type WordPressCall, type WordPressClientOptions, type CoursePostFields } from '../../src/integrations/wordpress/index.js';
import { startWordPressSimulator, type WordPressSimulator } from '../../src/simulators/wordpress.js';

const USER = 'kursus';
const PASSWORD = 'abcd efgh ijkl mnop qrst uvwx';

let sim: WordPressSimulator;
const calls: WordPressCall[] = [];
const warnings: { obj: object; msg?: string }[] = [];

function client(opts: Partial<WordPressClientOptions> = {}) {
  return new WordPressClient({
    baseUrl: sim.url,
    user: USER,
    appPassword: PASSWORD,
    timeoutMs: 1000,
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    onCall: (c) => calls.push(c),
    ...opts,
  });
}

const post = (over: Partial<CoursePostFields> = {}): CoursePostFields => ({
  title: 'Excel for begyndere',
  status: 'publish',
  content: 'Lær Excel fra bunden.',
  fields: {
    kursus_maconomy_id: 'K1001',
    kursus_price: '4500.00',
    kursus_capacity: 12,
    kursus_days: [{ date: '2026-04-01', start_time: '09:00', end_time: '16:00' }],
    kursus_trainers: [{ name: 'Anne Hansen', title: null }],
  },
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<WordPressError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WordPressError);
    return err as WordPressError;
  }
  throw new Error('expected a WordPressError, but the call succeeded');
}

beforeAll(async () => {
  sim = await startWordPressSimulator({ user: USER, appPassword: PASSWORD });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.reset();
  calls.length = 0;
  warnings.length = 0;
});

describe('auth', () => {
  it('says the application password was not accepted when WordPress treats the request as anonymous, without retrying', async () => {
    // WordPress answers a wrong application password as it answers no credentials: 401 rest_cannot_create.
    const err = await rejection(client({ appPassword: 'wrong pass word' }).createPost(post()));
    expect(err).toMatchObject({ status: 401, code: 'rest_cannot_create', retryable: false, credentialsRejected: true });
    expect(err.message).toMatch(/^the application password was not accepted: .*"kursus".*WORDPRESS_APP_PASSWORD.*WP_ENVIRONMENT_TYPE=local/);
    expect(sim.requests).toHaveLength(1);
    expect(sim.posts.size).toBe(0);
  });

  it('says the same for an anonymous look-up, which WordPress refuses as 400 rest_invalid_param (status forbidden)', async () => {
    const err = await rejection(client({ appPassword: 'wrong pass word' }).findPost({ kursusId: 'K1001', slug: 'x' }));
    expect(err).toMatchObject({ status: 400, code: 'rest_invalid_param', credentialsRejected: true });
    expect(err.message).toMatch(/^the application password was not accepted/);
  });

  it('answers an anonymous update 401 rest_cannot_edit, as WordPress does', async () => {
    const { id } = await client().createPost(post());
    const res = await fetch(`${sim.url}/wp-json/wp/v2/kursus/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'rest_cannot_edit', message: expect.any(String), data: { status: 401 } });
  });

  it('accepts the application password without its spaces', async () => {
    await expect(client({ appPassword: PASSWORD.replace(/ /g, '') }).createPost(post())).resolves.toMatchObject({ id: 1, status: 'publish' });
  });
});

describe('posts', () => {
  it('creates a post (201) with title, content, status and meta', async () => {
    const { id } = await client().createPost(post({ slug: 'excel-for-begyndere-k1001' }));
    expect(id).toBe(1);
    const stored = sim.posts.get(id)!;
    expect(stored).toMatchObject({ status: 'publish', title: 'Excel for begyndere', content: 'Lær Excel fra bunden.', slug: 'excel-for-begyndere-k1001' });
    expect(stored.meta).toEqual(post().fields);
    // Only registered keys are kept, as WordPress does: the answer carries every registered key.
    const other = await client().createPost(post({ fields: { not_registered: 'x', kursus_location: 'Aarhus' } }));
    expect(sim.posts.get(other.id)!.meta).toEqual({ kursus_location: 'Aarhus' });
    expect(other.fields).toMatchObject({ kursus_location: 'Aarhus', kursus_capacity: 0 });
    expect(other.fields).not.toHaveProperty('not_registered');
    sim.requests.length = 0;
    calls.length = 0;
    await client().updatePost(id, post());
    expect(sim.requests).toEqual([{ method: 'POST', path: `/wp-json/wp/v2/kursus/${id}`, query: '', status: 200 }]);
    expect(calls).toEqual([expect.objectContaining({ method: 'POST', url: `${sim.url}/wp-json/wp/v2/kursus/${id}`, status: 200 })]);
  });

  it('writes the fields as acf in ACF mode', async () => {
    const acfSim = await startWordPressSimulator({ acf: true, postType: 'course' });
    try {
      const c = new WordPressClient({ baseUrl: acfSim.url, user: USER, appPassword: PASSWORD, postType: 'course', fieldMode: 'acf' });
      const { id } = await c.createPost(post());
      expect(acfSim.posts.get(id)!.acf).toEqual(post().fields);
      expect(acfSim.posts.get(id)!.meta).toEqual({});
      const res = await fetch(`${acfSim.url}/wp-json/wp/v2/course/${id}`);
      expect(((await res.json()) as { acf: unknown }).acf).toEqual(post().fields);
    } finally {
      await acfSim.close();
    }
  });

  it('updates a post (200) and does not send the slug again', async () => {
    const c = client();
    const { id } = await c.createPost(post({ slug: 'first-slug' }));
    await expect(c.updatePost(id, post({ title: 'Excel 2', status: 'draft', slug: 'other' }))).resolves.toMatchObject({ id, status: 'draft', title: 'Excel 2' });
    expect(sim.posts.get(id)).toMatchObject({ title: 'Excel 2', status: 'draft', slug: 'first-slug' });
    expect(sim.requests.map((r) => r.status)).toEqual([201, 200]);
  });

  it('reads a post, and null for one WordPress does not know', async () => {
    const c = client();
    const { id } = await c.createPost(post({ status: 'draft' }));
    await expect(c.getPost(id)).resolves.toEqual({ id, status: 'draft' });
    await expect(c.getPost(999)).resolves.toBeNull();
  });

  it('reports updating a missing post as 404 rest_post_invalid_id, not retried', async () => {
    const err = await rejection(client().updatePost(42, post()));
    expect(err).toMatchObject({ status: 404, code: 'rest_post_invalid_id', retryable: false });
    expect(err.message).toContain('Invalid post ID');
    expect(sim.requests).toHaveLength(1);
  });

  it('finds posts by slug in any status', async () => {
    const c = client();
    const a = await c.createPost(post({ status: 'draft', slug: 'kursus-k1' }));
    await c.createPost(post({ slug: 'kursus-k2' }));
    await expect(c.findPostsBySlug('kursus-k1')).resolves.toEqual([{ id: a.id, status: 'draft', slug: 'kursus-k1' }]);
    await expect(c.findPostsBySlug('nope')).resolves.toEqual([]);
  });
});

describe('retries', () => {
  it('retries an update on 503 and succeeds', async () => {
    const c = client();
    const { id } = await c.createPost(post());
    sim.requests.length = 0;
    sim.faults.failNext(2, 503);
    await expect(c.updatePost(id, post({ title: 'After 503' }))).resolves.toMatchObject({ id });
    expect(sim.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(sim.posts.get(id)!.title).toBe('After 503');
    expect(warnings.filter((w) => /retrying/.test(w.msg ?? ''))).toHaveLength(2);
  });

  it('gives up after the configured retries with a retryable error', async () => {
    sim.faults.failNext(5, 500);
    const err = await rejection(client({ retries: 2 }).getPost(1));
    expect(err).toMatchObject({ status: 500, retryable: true });
    expect(sim.requests).toHaveLength(3);
  });

  it('retries a create after a 503 only after checking by slug that it did not land', async () => {
    sim.faults.failNext(1, 503, { method: 'POST' });
    const { id } = await client().createPost(post({ slug: 'excel-k1001' }));
    expect(sim.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 503', 'GET 200', 'POST 201']);
    expect(sim.posts.size).toBe(1);
    expect(sim.posts.get(id)!.slug).toBe('excel-k1001');
  });

  it('does not create twice when a create landed but its answer was a 502', async () => {
    sim.faults.applyThenFailNext(1, 502, { method: 'POST' });
    const { id } = await client().createPost(post({ slug: 'excel-k1001' }));
    expect(sim.posts.size).toBe(1);
    expect(id).toBe([...sim.posts.keys()][0]);
    expect(sim.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 502', 'GET 200']);
  });

  it('does not repeat a create without slug after an ambiguous 503 (marks the error ambiguous)', async () => {
    sim.faults.failNext(1, 503);
    const err = await rejection(client().createPost(post()));
    expect(err).toMatchObject({ status: 503, retryable: true, ambiguous: true });
    expect(sim.requests).toHaveLength(1);
  });

  it('retries a create after 429 (never applied) without a lookup', async () => {
    sim.faults.rateLimitNext(1, 0);
    await client().createPost(post());
    expect(sim.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 429', 'POST 201']);
  });

  it('honours Retry-After on 429', async () => {
    sim.faults.rateLimitNext(1, 1);
    const started = Date.now();
    await client().createPost(post());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 201]);
    expect(warnings.some((w) => (w.obj as { retryInMs?: number }).retryInMs! >= 1000)).toBe(true);
  });

  it('caps a long Retry-After', async () => {
    sim.faults.rateLimitNext(1, 120);
    const started = Date.now();
    await client({ maxRetryDelayMs: 200 }).getPost(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 404]);
  });

  it('does not retry a 400 and passes on WordPress error code and message', async () => {
    const err = await rejection(client().createPost(post({ status: 'bogus' as 'draft' })));
    expect(err).toMatchObject({ status: 400, code: 'rest_invalid_param', retryable: false });
    expect(err.message).toContain('Invalid parameter(s): status');
    expect(sim.requests).toHaveLength(1);
  });

  it('times out a hanging request and retries it', async () => {
    const c = client({ timeoutMs: 200 });
    // A create that timed out may have landed: without a slug to look it up, it is not repeated.
    sim.faults.hangNext(1);
    expect(await rejection(c.createPost(post()))).toMatchObject({ retryable: true, ambiguous: true });
    const { id } = await c.createPost(post({ status: 'draft' }));
    sim.requests.length = 0;
    sim.faults.hangNext(1);
    await expect(c.getPost(id)).resolves.toEqual({ id, status: 'draft' });
    expect(sim.requests).toHaveLength(2);
    expect(calls.some((call) => call.status === null && /timed out after 200 ms/.test(call.error ?? ''))).toBe(true);
  });

  it('retries network errors and reports them as retryable', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await rejection(client({ baseUrl: `http://127.0.0.1:${port}`, retries: 1 }).getPost(1));
    expect(err).toMatchObject({ retryable: true, ambiguous: false });
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(calls.filter((c) => c.status === null)).toHaveLength(2);
  });
});

describe('validation and secrecy', () => {
  let bad: http.Server;
  let badUrl: string;
  let answer: { status: number; body: string };
  beforeAll(async () => {
    bad = http.createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
    badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => bad.close(() => r())));

  it('treats a 201 without a numeric id as an error that says so', async () => {
    answer = { status: 201, body: JSON.stringify({ id: 'seven', status: 'publish' }) };
    const err = await rejection(client({ baseUrl: badUrl }).createPost(post()));
    expect(err.message).toBe('WordPress POST /wp-json/wp/v2/kursus answered 201 without a numeric post id');
    answer = { status: 201, body: '<html>oops</html>' };
    expect((await rejection(client({ baseUrl: badUrl }).createPost(post()))).message).toMatch(/not JSON/);
  });

  it('never puts the password in errors, logs or call reports', async () => {
    answer = { status: 500, body: '{}' };
    const errors: string[] = [];
    for (const c of [client({ baseUrl: badUrl, retries: 1 }), client({ appPassword: 'wrong pass word x' })]) {
      try {
        await c.createPost(post({ slug: 'x' }));
      } catch (err) {
        errors.push(String((err as Error).message), JSON.stringify(err));
      }
    }
    const everything = JSON.stringify([errors, warnings, calls, client(), { ...client() }]) + String(Object.values(client()));
    expect(errors.length).toBe(4);
    for (const secret of [PASSWORD, 'wrong pass word', Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), 'abcdefgh']) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('simulator', () => {
  it('exposes faults and reset over HTTP', async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ failNext: { n: 1, status: 500 } }) });
    const err = await rejection(client({ retries: 0 }).getPost(1));
    expect(err.status).toBe(500);
    await client().createPost(post());
    expect(sim.posts.size).toBe(1);
    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    expect(sim.posts.size).toBe(0);
    expect(sim.requests).toHaveLength(0);
  });

  it('trashes and deletes posts like WordPress', async () => {
    const { id } = await client().createPost(post());
    const auth = { authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64') };
    const trashed = await fetch(`${sim.url}/wp-json/wp/v2/kursus/${id}`, { method: 'DELETE', headers: auth });
    expect(((await trashed.json()) as { status: string }).status).toBe('trash');
    const deleted = await fetch(`${sim.url}/wp-json/wp/v2/kursus/${id}?force=true`, { method: 'DELETE', headers: auth });
    expect(((await deleted.json()) as { deleted: boolean }).deleted).toBe(true);
    await expect(client().getPost(id)).resolves.toBeNull();
  });
});
