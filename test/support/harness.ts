// Starts the real product for a test: a fresh database of the given kind, the Maconomy simulator
// on loopback, migrations, the import, and the Fastify app listening on a random port. Tests talk
// to it over real HTTP with the typed operations generated from test/**/*.graphql.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { loadConfig, type Config } from '../../src/config.js';
import { openDb, migrate, type Db } from '../../src/db/orm.js';
import { buildKursus, type Kursus, type BuildOptions } from '../../src/app.js';
import { startMaconomySimulator, demoData, type MaconomySimulator, type SimulatorData } from '../../src/simulators/maconomy.js';
import { createTestDatabase, type DatabaseKind } from './databases.js';

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: (string | number)[] }[];
  status: number;
}

export interface Harness {
  kind: DatabaseKind;
  kursus: Kursus;
  db: Db;
  sim: MaconomySimulator;
  config: Config;
  url: string;
  queries: string[];
  /** Empties `queries` once the request log has written what earlier steps queued, so a count sees only what follows. */
  resetQueries(): Promise<void>;
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, headers?: Record<string, string>): Promise<GqlResult<R>>;
  raw(body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

export const FIXED_NOW = new Date('2026-11-22T10:00:00Z');

export async function startHarness(
  kind: DatabaseKind,
  opts: { env?: Record<string, string>; build?: BuildOptions; now?: Date; simData?: SimulatorData; worker?: boolean; mysqlDriver?: 'auto' | 'mysql' } = {},
): Promise<Harness> {
  const database = await createTestDatabase(kind);
  const sim = await startMaconomySimulator({ data: opts.simData ?? demoData(opts.now ?? new Date(), 7) });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    MACONOMY_URL: sim.url,
    MACONOMY_TOKEN: 'demo-maconomy-token',
    MACONOMY_TIMEOUT_MS: '1000',
    MACONOMY_RETRIES: '1',
    MACONOMY_SEAT_CACHE_MS: '0',
    EDITOR_TOKENS: 'editor-secret-1,editor-secret-2',
    ADMIN_TOKENS: 'admin-secret',
    VAR_DIR: database.url.startsWith('sqlite:') ? database.url.slice(7).replace(/\/[^/]+$/, '') : `/tmp/kursus-test-var-${process.pid}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    // Every test client is 127.0.0.1: per-client limits are off unless a suite turns them on.
    RATE_LIMIT_RESERVE_PER_MINUTE: '0',
    RATE_LIMIT_CHECKOUT_PER_MINUTE: '0',
    RATE_LIMIT_LOGIN_PER_MINUTE: '0',
    RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE: '0',
    MAX_SEATS_PER_CLIENT: '100000',
    ...opts.env,
  });
  const queries: string[] = [];
  const db = await openDb(config.database, { onQuery: (sql) => queries.push(sql), mysqlDriver: opts.mysqlDriver });
  await migrate(db);
  const kursus = await buildKursus(config, { db, logger: false, processEveryMs: 100, jobLockLifetimeMs: 4_000, httpCloseGraceMs: 2_000, jobDrainMs: 2_000, ...opts.build });
  await kursus.importCourses();
  if (opts.worker) await kursus.startWorker();
  const url = await kursus.listen();

  const raw = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  };

  return {
    kind,
    kursus,
    db,
    sim,
    config,
    url,
    queries,
    async resetQueries() {
      await kursus.httpLog.flush();
      queries.length = 0;
    },
    async gql(doc, variables, headers) {
      const r = await raw({ query: print(doc), variables }, headers);
      return { ...(r.json ?? {}), status: r.status };
    },
    raw,
    async close() {
      await kursus.close();
      await db.close();
      await sim.close();
      await database.drop();
    },
  };
}

export const person = (n: number, suffix = '') => ({
  firstName: `Deltager${n}${suffix}`,
  lastName: 'Hansen',
  email: `deltager${n}${suffix}@example.dk`,
});

export const errorCodes = (r: GqlResult<unknown>) => (r.errors ?? []).map((e) => e.extensions?.code);
