// Two processes on one SQLite file (an API and a worker, as `npm run api` + `npm run worker` run
// them): each runs read-then-write transactions through the app's own database layer. SQLite's
// deferred BEGIN makes such a transaction fail at once ("database is locked", SQLITE_BUSY or
// SQLITE_BUSY_SNAPSHOT) when the other process wrote in between; db/orm.ts begins them IMMEDIATE,
// so they wait for the lock instead, and no update is lost.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDb, migrate } from '../../src/db/orm.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { ensureBuilt } from '../faults/processes.js';

const ORM = pathToFileURL(resolve('dist/src/db/orm.js')).href;
const CONFIG = pathToFileURL(resolve('dist/src/config.js')).href;

// Each child: N transactions that read the counter, yield to the event loop (as a transaction
// doing more than one statement does), then write the value read + 1.
const CHILD = `
import 'reflect-metadata';
const { openDb } = await import(${JSON.stringify(ORM)});
const { parseDatabaseUrl } = await import(${JSON.stringify(CONFIG)});
const db = await openDb(parseDatabaseUrl(process.env.DATABASE_URL));
const errors = {};
let ok = 0;
for (let i = 0; i < Number(process.env.ROUNDS); i++) {
  try {
    await db.em().transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const [row] = await conn.execute('select n from proc_counter where id = 1', [], 'all', ctx);
      await new Promise((r) => setImmediate(r));
      await conn.execute('update proc_counter set n = ? where id = 1', [Number(row.n) + 1], 'run', ctx);
    });
    ok++;
  } catch (err) {
    const code = err.code ?? err.name;
    errors[code] = (errors[code] ?? 0) + 1;
  }
}
await db.close();
process.stdout.write(JSON.stringify({ ok, errors }));
`;

function runChild(url: string, rounds: number): Promise<{ ok: number; errors: Record<string, number> }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, ROUNDS: String(rounds) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.once('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`child exited ${code}: ${err.slice(0, 2000)}`))));
  });
}

describe('SQLite shared by two processes', () => {
  let dir: string;
  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'kursus-sqlite-procs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs concurrent read-then-write transactions from two processes without "database is locked" or a lost update', async () => {
    const url = `sqlite:${join(dir, 'shared.db')}`;
    const db = await openDb(parseDatabaseUrl(url));
    await migrate(db);
    await db.em().getConnection().execute('create table proc_counter (id integer primary key, n integer not null)');
    await db.em().getConnection().execute('insert into proc_counter (id, n) values (1, 0)');
    await db.close();

    const rounds = 300;
    const [a, b] = await Promise.all([runChild(url, rounds), runChild(url, rounds)]);
    expect(a.errors).toEqual({});
    expect(b.errors).toEqual({});
    expect(a.ok + b.ok).toBe(2 * rounds);

    const check = await openDb(parseDatabaseUrl(url));
    const [row] = await check.em().getConnection().execute<{ n: number }[]>('select n from proc_counter where id = 1');
    await check.close();
    expect(Number(row!.n)).toBe(2 * rounds); // every increment kept: the transactions serialised
  });
});
