// Fresh, isolated databases for integration tests. Every integration suite runs once per kind
// returned by testDatabaseKinds(): SQLite always, MySQL whenever MYSQL_URL is available (the jest
// globalSetup in global-setup.ts provides it, starting a throwaway MariaDB if needed).
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { withMysql } from './mariadb.js';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const mysqlServerUrl = (): string | undefined => process.env.MYSQL_URL?.trim() || undefined;

/** ['sqlite', 'mysql'] when a MySQL server is available (MYSQL_URL), else ['sqlite']. */
export function testDatabaseKinds(): DatabaseKind[] {
  return mysqlServerUrl() ? ['sqlite', 'mysql'] : ['sqlite'];
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') return createSqlite();
  if (kind === 'mysql') return createMysql();
  throw new Error(`unknown database kind: ${String(kind)}`);
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'kursus-sqlite-'));
  return {
    url: `sqlite:${join(dir, 'kursus.db')}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function createMysql(): Promise<TestDatabase> {
  const server = mysqlServerUrl();
  if (!server) {
    throw new Error(
      'createTestDatabase("mysql"): MYSQL_URL is not set. The jest globalSetup (test/support/global-setup.ts) ' +
        'normally provides it; run the tests through `npm test` or set MYSQL_URL.',
    );
  }
  const name = `kursus_t_${randomBytes(6).toString('hex')}`;
  await withMysql(server, async (conn) => {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  });
  await recordMysqlSuite();

  const u = new URL(server.replace(/^mariadb:/, 'mysql:'));
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    url: u.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withMysql(server, async (conn) => {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      });
    },
  };
}

/** Appends the current suite to var/test/mysql-suites.log so CI can assert MySQL suites really ran. */
async function recordMysqlSuite(): Promise<void> {
  let suite = 'unknown';
  try {
    const expectGlobal = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect;
    const testPath = expectGlobal?.getState?.().testPath;
    if (testPath) suite = relative(process.cwd(), testPath);
  } catch {
    /* not running under jest */
  }
  const varDir = process.env.KURSUS_TEST_VAR_DIR || resolve(process.cwd(), 'var', 'test');
  await mkdir(varDir, { recursive: true });
  await appendFile(join(varDir, 'mysql-suites.log'), `${suite}\n`);
}
