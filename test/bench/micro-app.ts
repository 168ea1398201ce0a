// The app in this process for the one-process benchmarks (read-micro.ts, reserve-micro.ts, hold-micro.ts):
// configured from the environment as `npm start` is, migrated and imported, and asked through
// Fastify's inject as the bench's clients ask it (one of 5,000 customers per request, behind the
// trusted proxy).
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { openDb, migrate } from '../../src/db/orm.js';
import { buildKursus } from '../../src/app.js';

export async function startMicroApp(env: Record<string, string>) {
  Object.assign(process.env, { NODE_ENV: 'development', MACONOMY_TOKEN: 'bench-maconomy-token', TRUST_PROXY: '127.0.0.1', ...env });
  const config = loadConfig();
  const db = await openDb(config.database);
  await migrate(db);
  const kursus = await buildKursus(config, { db });
  await kursus.importCourses();
  let ip = 0;
  /** One GraphQL request; anything but a whole answer throws. */
  async function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}, operationName?: string) {
    const i = ip++ % 5000;
    const res = await kursus.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.${(i >> 8) & 255}.${i & 255}`, ...headers },
      payload: JSON.stringify({ query, variables, operationName }),
    });
    if (res.statusCode !== 200 || res.body.includes('"errors"')) throw new Error(`${res.statusCode} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body);
  }
  return { kursus, gql, db };
}

/**
 * The Maconomy simulator in a process of its own (sim-process.ts: its work off the app's event
 * loop, as in `npm run bench`) and the app on a new temporary directory, with SQLite there unless
 * `env` names another DATABASE_URL. close() stops both and removes the directory.
 */
export async function startMicroAppWithSimulator(name: string, env: Record<string, string> = {}) {
  const simProcess = fork(join(dirname(fileURLToPath(import.meta.url)), 'sim-process.js'), ['400'], { stdio: 'inherit' });
  const simUrl = await new Promise<string>((resolve) => simProcess.once('message', (m: { url: string }) => resolve(m.url)));
  const dir = await mkdtemp(join(tmpdir(), `kursus-${name}-`));
  const sqliteFile = join(dir, 'micro.db');
  const app = await startMicroApp({ DATABASE_URL: `sqlite:${sqliteFile}`, MACONOMY_URL: simUrl, VAR_DIR: dir, ...env });
  async function close() {
    await app.kursus.close();
    simProcess.kill();
    await rm(dir, { recursive: true, force: true });
  }
  return { ...app, simUrl, dir, sqliteFile, close };
}

/** A CPU profile of what runs until the returned stop() (sampled every 200 µs), written to `path`; none without a path. */
export async function profileTo(path: string | undefined): Promise<() => Promise<void>> {
  if (!path) return async () => {};
  const { Session } = await import('node:inspector/promises');
  const profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
  return async () => {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    await writeFile(path, JSON.stringify(profile));
  };
}
