// The app in this process for the one-process benchmarks (read-micro.ts, reserve-micro.ts):
// configured from the environment as `npm start` is, migrated and imported, and asked through
// Fastify's inject as the bench's clients ask it (one of 5,000 customers per request, behind the
// trusted proxy).
import { writeFile } from 'node:fs/promises';
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
