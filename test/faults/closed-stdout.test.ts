// A log destination that fails must not stop a shutdown, a job or a request: the built process
// (`node dist/src/main.js serve`) logs to a stdout pipe whose reader goes away (a log shipper that
// died, `| head`), keeps answering, and stops on SIGTERM within the documented bounds (in-flight
// requests 10 s, running jobs 5 s, the backstop at 20 s); a second signal ends it at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseKinds, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { until } from '../support/wait.js';
import { DEMO_SECRETS } from '../../src/config.js';
import { ensureBuilt, freePort, startKursusProcess, type KursusProcess } from './processes.js';

beforeAll(() => ensureBuilt(), 180_000);

/** The documented backstop (src/main.ts): the process is gone by then whatever else happens. */
const BACKSTOP_MS = 20_000;

describe.each(testDatabaseKinds())('shutdown with a closed stdout on %s', (kind) => {
  let db: TestDatabase;
  let varDir: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    varDir = mkdtempSync(join(tmpdir(), 'kursus-stdout-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(varDir, { recursive: true, force: true });
  });

  /** `serve` listening, its stdout read until the first lines, then the reading end closed. */
  async function startThenCloseStdout(): Promise<{ proc: KursusProcess; url: string }> {
    const port = await freePort();
    const proc = startKursusProcess('serve', { DATABASE_URL: db.url, VAR_DIR: varDir, PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'json' });
    const url = `http://127.0.0.1:${port}`;
    await until('the API answers', async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true, 60_000);
    proc.child.stdout!.destroy();
    // Requests after the reader is gone: their log lines hit the broken pipe, the answers still come.
    for (let i = 0; i < 20; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ courses(first: 2) { totalCount } }' }) });
    expect(r.status).toBe(200);
    // A job that logs runs to its end too.
    const admin = { authorization: `Bearer ${DEMO_SECRETS.adminToken}` };
    expect((await fetch(`${url}/api/admin/jobs/jubelio-push-products/run`, { method: 'POST', headers: admin })).status).toBe(202);
    await until(
      'the job run finished',
      async () => ((await (await fetch(`${url}/api/admin/jobs/jubelio-push-products`, { headers: admin })).json()) as { counts: { completed: number } }).counts.completed >= 1,
      30_000,
    );
    return { proc, url };
  }

  it('stops on SIGTERM within the documented bounds, and keeps answering until then', async () => {
    const { proc } = await startThenCloseStdout();
    try {
      const started = Date.now();
      proc.child.kill('SIGTERM');
      const exit = await Promise.race([proc.exited, new Promise<null>((res) => setTimeout(() => res(null), BACKSTOP_MS + 5_000))]);
      expect(exit).not.toBeNull();
      expect(exit!.code).toBe(0);
      // Nothing was in flight: the graceful stop, not the backstop, ended it.
      expect(Date.now() - started).toBeLessThan(BACKSTOP_MS);
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 120_000);

  it('a second signal ends it at once', async () => {
    const { proc } = await startThenCloseStdout();
    try {
      proc.child.kill('SIGTERM');
      proc.child.kill('SIGTERM');
      const exit = await Promise.race([proc.exited, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]);
      expect(exit).not.toBeNull();
      expect(exit!.signal).toBeNull();
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 120_000);
});
