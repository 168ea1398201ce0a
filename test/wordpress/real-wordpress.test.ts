// push-wordpress against a REAL WordPress (Debian's 6.1 on PHP's built-in server, the throwaway
// MariaDB, the companion plugin; test/support/wordpress.ts) and against the simulator, with the same
// scenarios, so the simulator cannot drift from what WordPress answers. Each runs on SQLite and
// MySQL for Kursus's own database. A loopback proxy in front of either counts requests and can drop
// an answer after WordPress applied the request (a lost create answer).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { openDb, type Db } from '../../src/db/orm.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { CourseDate, CourseDay, MainCourse, Trainer } from '../../src/catalog/entities.js';
import { WordPressPost } from '../../src/integrations/wordpress/entities.js';
import { WordPressClient, type WordPressClientOptions } from '../../src/integrations/wordpress/index.js';
import { COURSE_POST_FIELDS, WORDPRESS_PLUGIN_VERSION } from '../../src/integrations/wordpress/fields.js';
import { pushCourseDatesToWordPress, type PushDeps } from '../../src/integrations/wordpress/push.js';
import { checkWordPress } from '../../src/integrations/wordpress/check.js';
import { startWordPressSimulator, type WordPressSimulator } from '../../src/simulators/wordpress.js';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases.js';
import { PLUGIN_SOURCE, startRealWordPress, type RealWordPress } from '../support/wordpress.js';

const isCi = () => !['', '0', 'false'].includes((process.env.CI ?? '').trim().toLowerCase());
const haveMysql = !!process.env.MYSQL_URL?.trim();
if (!haveMysql) {
  if (isCi()) throw new Error('The real-WordPress suite needs MySQL (MYSQL_URL from jest globalSetup); KURSUS_TEST_MYSQL=0 is not allowed under CI.');
  process.stderr.write('\n!!! real WordPress suite SKIPPED: no MySQL (KURSUS_TEST_MYSQL=0); only the simulator is tested.\n\n');
}

interface WpView {
  id: number;
  status: string;
  slug: string;
  title: string;
  content: string;
  meta: Record<string, unknown>;
}

/** What differs between the real WordPress and the simulator, behind one face. */
interface Target {
  name: string;
  /** The site's URL as WordPress sees it (the proxy forwards here). */
  origin: string;
  user: string;
  password: string;
  setPluginActive(on: boolean): Promise<void>;
  /** The site's own schema makes kursus_location at most 3 characters (WordPress saves the post, then refuses the meta). */
  strictLocation(on: boolean): Promise<void>;
  /** The site does not register kursus_capacity (WordPress drops it silently). */
  dropCapacity(on: boolean): Promise<void>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function simulatorTarget(): Promise<Target> {
  const sim: WordPressSimulator = await startWordPressSimulator({ user: 'kursus', appPassword: 'abcd efgh ijkl mnop qrst uvwx' });
  return {
    name: 'the simulator',
    origin: sim.url,
    user: 'kursus',
    password: 'abcd efgh ijkl mnop qrst uvwx',
    async setPluginActive(on) {
      sim.pluginActive = on;
    },
    async strictLocation(on) {
      sim.metaSchemas.set('kursus_location', on ? { type: 'string', maxLength: 3 } : { type: 'string' });
    },
    async dropCapacity(on) {
      if (on) sim.metaSchemas.delete('kursus_capacity');
      else sim.metaSchemas.set('kursus_capacity', { type: 'integer' });
    },
    async reset() {
      sim.reset();
    },
    close: () => sim.close(),
  };
}

let realStartupMs: number | null = null;
async function realTarget(): Promise<Target> {
  const wp: RealWordPress = await startRealWordPress({ log: (m) => process.stderr.write(`[wordpress] ${m}\n`) });
  realStartupMs = wp.startupMs;
  return {
    name: 'real WordPress',
    origin: wp.url,
    user: wp.user,
    password: wp.appPassword,
    setPluginActive: (on) => wp.setPluginActive(on),
    strictLocation: (on) =>
      wp.muPlugin(
        'strict-location',
        on
          ? `<?php add_action('init', function () { register_post_meta('kursus', 'kursus_location', array('type' => 'string', 'single' => true, 'show_in_rest' => array('schema' => array('type' => 'string', 'maxLength' => 3)))); }, 20);`
          : null,
      ),
    dropCapacity: (on) => wp.muPlugin('drop-capacity', on ? `<?php add_action('init', function () { unregister_post_meta('kursus', 'kursus_capacity'); }, 20);` : null),
    async reset() {
      await wp.clearPosts();
      await wp.setPluginActive(true);
      await wp.muPlugin('strict-location', null);
      await wp.muPlugin('drop-capacity', null);
    },
    close: () => wp.stop(),
  };
}

/** Forwards to the site; counts requests; can drop the answer of the next matching request after it was applied. */
async function startProxy(origin: () => string) {
  const requests: { method: string; path: string; status: number }[] = [];
  let drop: { method: string; path: RegExp; n: number } | null = null;
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', origin());
    const dropThis = !!drop && drop.n > 0 && drop.method === req.method && drop.path.test(target.pathname);
    if (dropThis) drop!.n--;
    const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        requests.push({ method: req.method ?? '', path: target.pathname + target.search, status: upRes.statusCode ?? 0 });
        if (dropThis) return void req.socket.destroy(); // applied by WordPress, answer lost
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    dropNextAnswer(method: string, path: RegExp, n = 1) {
      drop = { method, path, n };
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const targets: ['simulator' | 'real'][] = haveMysql ? [['simulator'], ['real']] : [['simulator']];

describe.each(targets)('push-wordpress against %s WordPress', (which) => {
  let target: Target;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    target = which === 'real' ? await realTarget() : await simulatorTarget();
    proxy = await startProxy(() => target.origin);
  }, 180_000);
  afterAll(async () => {
    await proxy?.close();
    await target?.close();
    if (which === 'real' && realStartupMs !== null) process.stderr.write(`[wordpress] real WordPress start-up (install, plugin, application password, first answer): ${realStartupMs} ms\n`);
  });

  const client = (opts: Partial<WordPressClientOptions> = {}) =>
    new WordPressClient({ baseUrl: proxy.url, user: target.user, appPassword: target.password, timeoutMs: 10_000, retries: 1, maxRetryDelayMs: 200, ...opts });

  /** Every post of the type as WordPress has it, read back over its REST API (any status, trash too). */
  async function sitePosts(): Promise<WpView[]> {
    const auth = 'Basic ' + Buffer.from(`${target.user}:${target.password}`).toString('base64');
    const res = await fetch(`${target.origin}/wp-json/wp/v2/kursus?context=edit&per_page=100&orderby=id&order=asc&status=publish,future,draft,pending,private,trash`, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
    const list = (await res.json()) as { id: number; status: string; slug: string; title: { raw: string }; content: { raw: string }; meta: Record<string, unknown> }[];
    return list.map((p) => ({ id: p.id, status: p.status, slug: p.slug, title: p.title.raw, content: p.content.raw, meta: p.meta }));
  }
  /** Posts per Kursus id: 1 everywhere = no duplicates. */
  const postsPerCourseDate = async () => {
    const counts: Record<string, number> = {};
    for (const p of await sitePosts()) {
      const id = String(p.meta.kursus_maconomy_id ?? p.slug);
      counts[id] = (counts[id] ?? 0) + 1;
    }
    return counts;
  };

  describe.each(testDatabaseKinds())('with Kursus on %s', (kind) => {
    let database: TestDatabase;
    let db: Db;
    const push = (opts: Partial<PushDeps> = {}) => pushCourseDatesToWordPress({ db, wp: client(), concurrency: 2, ...opts });
    const rowOf = (maconomyId: string) => db.em().findOneOrFail(WordPressPost, { courseDate: { maconomyId } });
    const edit = async (maconomyId: string, fn: (cd: CourseDate) => void) => {
      const em = db.em();
      const cd = await em.findOneOrFail(CourseDate, { maconomyId }, { populate: ['days', 'trainers'] });
      fn(cd);
      await em.flush();
    };
    const writes = () => proxy.requests.filter((r) => r.method !== 'GET');

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      db = await openDb(parseDatabaseUrl(database.url));
      await db.orm.schema.create();
    });
    afterAll(async () => {
      await db?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      await target.reset();
      proxy.requests.length = 0;
      await db.orm.schema.clear();
      const em = db.em();
      const mc = em.create(MainCourse, { maconomyNumber: 'EXC', title: 'Excel', description: 'Regneark fra bunden.', category: 'Office' });
      const anne = em.create(Trainer, { key: 'ah', name: 'Anne Hansen', title: null });
      for (const d of [
        { maconomyId: 'K1001', title: 'Excel for begyndere', startDate: '2026-04-01', endDate: '2026-04-02', location: 'København', priceMinor: 450000 },
        { maconomyId: 'K1002', title: 'Excel for øvede', startDate: '2026-05-04', endDate: '2026-05-04', location: 'Aarhus', priceMinor: 399950 },
        { maconomyId: 'K1003', title: 'Excel pivottabeller', startDate: '2026-06-10', endDate: '2026-06-10', location: 'Odense', priceMinor: 125005 },
      ]) {
        const cd = em.create(CourseDate, { ...d, mainCourse: mc, currency: 'DKK', capacity: 12, maconomyFreeSeats: 12, maconomyCheckedAt: new Date(), sourceHash: 'x'.repeat(64) });
        em.create(CourseDay, { courseDate: cd, date: d.startDate, startTime: '09:00', endTime: null });
        if (d.maconomyId === 'K1001') cd.trainers.add(anne);
      }
      await em.flush();
    });

    it('creates one post per published date, every field read back as sent', async () => {
      expect(await push()).toEqual({ created: 3, updated: 0, unpublished: 0, failed: [], skipped: 0 });
      const posts = await sitePosts();
      expect(posts).toHaveLength(3);
      const k1 = posts.find((p) => p.meta.kursus_maconomy_id === 'K1001')!;
      expect((await rowOf('K1001')).postId).toBe(k1.id);
      expect(k1).toMatchObject({ status: 'publish', slug: 'excel-for-begyndere-k1001', title: 'Excel for begyndere', content: 'Regneark fra bunden.' });
      expect(k1.meta).toEqual({
        kursus_maconomy_id: 'K1001',
        kursus_main_course_number: 'EXC',
        kursus_start_date: '2026-04-01',
        kursus_end_date: '2026-04-02',
        kursus_location: 'København',
        kursus_price: '4500.00',
        kursus_currency: 'DKK',
        kursus_capacity: 12,
        kursus_status: 'open',
        kursus_days: [{ date: '2026-04-01', start_time: '09:00', end_time: null }],
        kursus_trainers: [{ name: 'Anne Hansen', title: null }],
      });
      expect(posts.find((p) => p.meta.kursus_maconomy_id === 'K1002')!.slug).toBe('excel-for-oevede-k1002');
    });

    it('sends nothing when nothing changed, and one update per change', async () => {
      await push();
      proxy.requests.length = 0;
      expect(await push()).toEqual({ created: 0, updated: 0, unpublished: 0, failed: [], skipped: 3 });
      expect(proxy.requests).toHaveLength(0);

      await edit('K1002', (cd) => (cd.title = 'Excel for let øvede'));
      expect(await push()).toMatchObject({ updated: 1, failed: [], skipped: 2 });
      expect(writes()).toHaveLength(1);
      const k2 = (await sitePosts()).find((p) => p.meta.kursus_maconomy_id === 'K1002')!;
      expect(k2).toMatchObject({ title: 'Excel for let øvede', slug: 'excel-for-oevede-k1002' });
    });

    it('unpublishes as draft and publishes again', async () => {
      await push();
      await edit('K1001', (cd) => (cd.published = false));
      await edit('K1002', (cd) => (cd.status = 'CANCELLED'));
      expect(await push()).toMatchObject({ unpublished: 2, failed: [] });
      const posts = await sitePosts();
      expect(posts.map((p) => [p.meta.kursus_maconomy_id, p.status, p.meta.kursus_status]).sort()).toEqual([
        ['K1001', 'draft', 'open'],
        ['K1002', 'draft', 'cancelled'],
        ['K1003', 'publish', 'open'],
      ]);
      await edit('K1001', (cd) => (cd.published = true));
      expect(await push()).toMatchObject({ updated: 1 });
      expect((await sitePosts()).find((p) => p.meta.kursus_maconomy_id === 'K1001')!.status).toBe('publish');
    });

    it("brings an editor's enrichment, the description through the allow-list, stored in Kursus as entered", async () => {
      await push();
      const entered = '<p>Hej <strong>verden</strong></p><img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">link</a>';
      await edit('K1001', (cd) => {
        cd.editorDescription = entered;
        cd.days.getItems()[0]!.editorStartTime = '08:30';
      });
      expect(await push()).toMatchObject({ updated: 1, failed: [] });
      const k1 = (await sitePosts()).find((p) => p.meta.kursus_maconomy_id === 'K1001')!;
      expect(k1.content).toBe('<p>Hej <strong>verden</strong></p><a>link</a>');
      expect(k1.content).not.toMatch(/onerror|script|javascript/);
      expect(k1.meta.kursus_days).toEqual([{ date: '2026-04-01', start_time: '08:30', end_time: null }]);
      expect((await db.em().findOneOrFail(CourseDate, { maconomyId: 'K1001' })).editorDescription).toBe(entered);
    });

    it('adopts a post whose create answer was lost: no duplicate', async () => {
      proxy.dropNextAnswer('POST', /\/wp-json\/wp\/v2\/kursus$/);
      const first = await push({ wp: client({ retries: 0 }), concurrency: 1 });
      expect(first.created).toBe(2);
      expect(first.failed).toHaveLength(1);
      expect(await sitePosts()).toHaveLength(3);
      // The next run finds the post by its Kursus id and adopts it (an update, no create).
      expect(await push()).toMatchObject({ created: 0, updated: 1, failed: [] });
      expect(Object.values(await postsPerCourseDate())).toEqual([1, 1, 1]);
    });

    it('with retries, looks a lost create up before sending it again: no duplicate', async () => {
      proxy.dropNextAnswer('POST', /\/wp-json\/wp\/v2\/kursus$/);
      expect(await push({ wp: client({ retries: 2 }), concurrency: 1 })).toMatchObject({ created: 3, failed: [] });
      expect(Object.values(await postsPerCourseDate())).toEqual([1, 1, 1]);
    });

    it('says the application password was not accepted, keeps that first cause, and creates nothing twice later', async () => {
      const wrong = client({ appPassword: 'wrong pass word xxxx yyyy' });
      const first = await push({ wp: wrong });
      expect(first.failed).toHaveLength(3);
      for (const f of first.failed) expect(f.error).toMatch(/^the application password was not accepted: WordPress handled POST \/wp-json\/wp\/v2\/kursus as an anonymous request \(401 rest_cannot_create\)/);
      const again = await push({ wp: wrong });
      for (const f of again.failed) expect(f.error).toMatch(/^the application password was not accepted/);
      expect((await rowOf('K1002')).lastError).toMatch(/^the application password was not accepted/);
      expect(await sitePosts()).toHaveLength(0);
      expect(await push()).toMatchObject({ created: 3, failed: [] });
      expect(Object.values(await postsPerCourseDate())).toEqual([1, 1, 1]);
    });

    it('keeps the post id while the plugin is off (404 rest_no_route) and updates the same post when it is back', async () => {
      await push();
      const before = (await rowOf('K1002')).postId;
      await target.setPluginActive(false);
      await edit('K1002', (cd) => (cd.title = 'Excel for let øvede'));
      const off = await push();
      expect(off.failed).toEqual([{ maconomyId: 'K1002', error: expect.stringMatching(/404 rest_no_route.*is the Kursus plugin active\?/) }]);
      expect((await rowOf('K1002')).postId).toBe(before);
      await target.setPluginActive(true);
      expect(await push()).toMatchObject({ created: 0, updated: 1, failed: [] });
      const posts = await sitePosts();
      expect(posts).toHaveLength(3);
      expect(posts.find((p) => p.id === before)).toMatchObject({ title: 'Excel for let øvede', status: 'publish' });
    });

    it('finds a post that WordPress saved although it refused its meta (400), and never duplicates it', async () => {
      await target.strictLocation(true);
      const refused = await push();
      expect(refused.created).toBe(0);
      expect(refused.failed).toHaveLength(3);
      expect(refused.failed[0]!.error).toMatch(/HTTP 400 \(rest_too_long: meta\.kursus_location must be at most 3 characters long/);
      const posts = await sitePosts();
      expect(posts).toHaveLength(3);
      expect((await rowOf('K1001')).postId).toBe(posts.find((p) => p.meta.kursus_maconomy_id === 'K1001')!.id);
      expect((await push()).failed).toHaveLength(3);
      expect(await sitePosts()).toHaveLength(3);
      await target.strictLocation(false);
      expect(await push()).toMatchObject({ created: 0, updated: 3, failed: [] });
      expect(Object.values(await postsPerCourseDate())).toEqual([1, 1, 1]);
      expect((await rowOf('K1001')).lastError).toBeNull();
    });

    it('reports meta the site does not register (dropped without an error) naming the field', async () => {
      await target.dropCapacity(true);
      const result = await push();
      expect(result.failed).toHaveLength(3);
      expect(result.failed[0]!.error).toMatch(/did not keep kursus_capacity of post \d+ as sent/);
      expect((await rowOf('K1001')).postId).not.toBeNull();
      await target.dropCapacity(false);
      expect(await push()).toMatchObject({ created: 0, updated: 3, failed: [] });
      expect(await sitePosts()).toHaveLength(3);
    });

    it("leaves an editor's trash alone on field changes; Kursus's own unpublish still applies", async () => {
      await push();
      const id = (await rowOf('K1001')).postId!;
      const auth = 'Basic ' + Buffer.from(`${target.user}:${target.password}`).toString('base64');
      expect((await fetch(`${target.origin}/wp-json/wp/v2/kursus/${id}`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(200);
      await edit('K1001', (cd) => (cd.location = 'Online'));
      expect(await push()).toMatchObject({ updated: 1, failed: [] });
      let post = (await sitePosts()).find((p) => p.id === id)!;
      expect(post).toMatchObject({ status: 'trash', meta: expect.objectContaining({ kursus_location: 'Online' }) });
      expect(await rowOf('K1001')).toMatchObject({ wpStatus: 'trash', pushedStatus: 'publish', lastError: null });
      await edit('K1001', (cd) => (cd.published = false));
      expect(await push()).toMatchObject({ unpublished: 1 });
      post = (await sitePosts()).find((p) => p.id === id)!;
      expect(post.status).toBe('draft');
      expect(await sitePosts()).toHaveLength(3);
    });
  });

  it('connector-check tells the site owner what is in place and what is missing', async () => {
    await target.reset();
    const ok = await checkWordPress(client(), target.user);
    expect(ok.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok.checks.map((c) => c.check)).toEqual(['permalinks', 'credentials', 'plugin', 'post type', 'custom-fields', ...Object.keys(COURSE_POST_FIELDS).map((k) => `meta ${k}`)]);

    await target.dropCapacity(true);
    const dropped = await checkWordPress(client(), target.user);
    expect(dropped.checks.filter((c) => !c.ok)).toEqual([{ check: 'meta kursus_capacity', ok: false, detail: expect.stringContaining('not registered') }]);
    await target.dropCapacity(false);

    const wrong = await checkWordPress(client({ appPassword: 'wrong pass word xxxx yyyy' }), target.user);
    expect(wrong.checks.find((c) => c.check === 'credentials')).toMatchObject({ ok: false, detail: expect.stringMatching(/^the application password was not accepted \(GET \/wp-json\/wp\/v2\/users\/me answered 401 rest_not_logged_in\)/) });

    await target.setPluginActive(false);
    const off = await checkWordPress(client(), target.user);
    expect(off.ok).toBe(false);
    expect(off.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['plugin', 'post type']);
    await target.setPluginActive(true);
  });

  it("registers exactly the fields Kursus sends, with their types (the site's REST schema)", async () => {
    const auth = 'Basic ' + Buffer.from(`${target.user}:${target.password}`).toString('base64');
    await target.reset();
    const res = await fetch(`${target.origin}/wp-json/wp/v2/kursus`, { method: 'OPTIONS', headers: { authorization: auth } });
    expect(res.status).toBe(200);
    const schema = (await res.json()) as { schema: { properties: { meta: { properties: Record<string, { type: string }> } } } };
    const registered = Object.fromEntries(Object.entries(schema.schema.properties.meta.properties).map(([k, v]) => [k, v.type]));
    expect(registered).toEqual(COURSE_POST_FIELDS);
    const info = await (await fetch(`${target.origin}/wp-json/kursus/v1/info`)).json();
    expect(info).toMatchObject({ version: WORDPRESS_PLUGIN_VERSION, post_type: 'kursus', fields: Object.keys(COURSE_POST_FIELDS) });
  });
});

describe('the companion plugin on a real WordPress', () => {
  (haveMysql ? it : it.skip)('copies the unprefixed meta of posts pushed before 1.0.0 to the kursus_ keys when it is activated', async () => {
    const wp = await startRealWordPress();
    try {
      // A post as the old Kursus left it: unprefixed keys.
      const out = await wp.php(`
        $id = wp_insert_post(array('post_type' => 'kursus', 'post_status' => 'publish', 'post_title' => 'Excel', 'post_name' => 'excel-k1'));
        foreach (array('maconomy_id' => 'K1', 'location' => 'Aarhus', 'capacity' => 12, 'status' => 'open') as $k => $v) add_post_meta($id, $k, $v);
        add_post_meta($id, 'kursus_status', 'cancelled');
        deactivate_plugins('kursus/kursus.php');
        activate_plugin('kursus/kursus.php');
        echo json_encode(array('id' => $id, 'meta' => array_map(function ($v) { return $v[0]; }, get_post_meta($id))));`);
      const { meta } = JSON.parse(out) as { id: number; meta: Record<string, string> };
      expect(meta).toMatchObject({ kursus_maconomy_id: 'K1', kursus_location: 'Aarhus', kursus_capacity: '12', location: 'Aarhus' });
      // A value already under the new key is not overwritten.
      expect(meta.kursus_status).toBe('cancelled');
    } finally {
      await wp.stop();
    }
  }, 120_000);
});

describe('the companion plugin file', () => {
  it('registers every field Kursus sends with its type, and carries the version Kursus expects', async () => {
    const php = await readFile(PLUGIN_SOURCE, 'utf8');
    const fields: Record<string, string> = {};
    for (const m of php.matchAll(/^\t\t'(kursus_[a-z_]+)'\s*=>\s*array\(\s*'type'\s*=>\s*'(\w+)'/gm)) fields[m[1]!] = m[2]!;
    expect(fields).toEqual(COURSE_POST_FIELDS);
    expect(php).toContain(`define( 'KURSUS_PLUGIN_VERSION', '${WORDPRESS_PLUGIN_VERSION}' );`);
    expect(php).toMatch(/^ \* Version: (\S+)$/m);
    expect(/^ \* Version: (\S+)$/m.exec(php)![1]).toBe(WORDPRESS_PLUGIN_VERSION);
  });
});
