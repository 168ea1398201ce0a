// jest globalSetup (runs once, in the parent process, before any worker starts).
//
// Makes a MySQL server available to the integration suites through process.env.MYSQL_URL, which
// jest workers inherit (verified with jest 30: workers are forked after globalSetup and get its
// process.env):
//   - MYSQL_URL already set          -> verify it connects, use it.
//   - KURSUS_TEST_MYSQL=0            -> skip the MySQL suites (refused when CI is set).
//   - otherwise                      -> start a throwaway MariaDB (installing mariadb-server with
//                                       apt-get when missing and running as root).
// Writes var/test/mysql-status.json and truncates var/test/mysql-suites.log for .ci/run.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as MariaDbModule from './mariadb.js';
import type { ThrowawayMariaDb } from './mariadb.js';

// jest loads globalSetup/globalTeardown outside its module system: it transpiles them to CommonJS
// and require()s them with plain Node resolution, so `moduleNameMapper` does not apply and a
// static `import … from './mariadb.js'` fails (there is only mariadb.ts; jestjs/jest#11644).
// Hence the dynamic import of the .ts file by absolute path (transpiled by jest's require hook,
// or loaded natively by Node 24's type stripping, which mariadb.ts is written to support).
const loadMariaDb = (rootDir: string): Promise<typeof MariaDbModule> =>
  import(join(rootDir, 'test', 'support', 'mariadb.ts'));

const isCi = () => {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
};

export default async function globalSetup(_globalConfig?: unknown, projectConfig?: { rootDir?: string }): Promise<void> {
  const rootDir = projectConfig?.rootDir ?? process.cwd();
  if (process.env.KURSUS_TRACE_TIMERS === '1') (await import(join(rootDir, 'test', 'support', 'timer-trace.ts'))).startTimerTrace();
  const varDir = join(rootDir, 'var', 'test');
  await mkdir(varDir, { recursive: true });
  await rm(join(varDir, 'mysql-suites.log'), { force: true });
  process.env.KURSUS_TEST_VAR_DIR = varDir;

  const say = (m: string) => process.stderr.write(`[test setup] ${m}\n`);
  const { redactUrl, startThrowawayMariaDb, withMysql } = await loadMariaDb(rootDir);
  const writeStatus = (mysql: boolean, url: string | null) =>
    writeFile(join(varDir, 'mysql-status.json'), JSON.stringify({ mysql, url: url && redactUrl(url) }) + '\n');

  const given = process.env.MYSQL_URL?.trim();
  if (given) {
    try {
      await withMysql(given, async (conn) => {
        await conn.query('SELECT 1');
      });
    } catch (err) {
      await writeStatus(false, given);
      throw new Error(
        `MYSQL_URL is set (${redactUrl(given)}) but connecting to it failed: ${(err as Error).message}. ` +
          `Fix the URL (mysql://user:password@host:port, the user needs CREATE/DROP DATABASE) or unset MYSQL_URL ` +
          `to let the tests start a throwaway MariaDB.`,
      );
    }
    say(`MySQL suites use MYSQL_URL=${redactUrl(given)}`);
    await writeStatus(true, given);
    return;
  }

  if (process.env.KURSUS_TEST_MYSQL === '0') {
    if (isCi()) {
      await writeStatus(false, null);
      throw new Error('KURSUS_TEST_MYSQL=0 is not allowed when CI is set: CI must run the MySQL suites.');
    }
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n!!! MySQL suites SKIPPED (KURSUS_TEST_MYSQL=0). Only SQLite is tested in this run.\n${bar}\n\n`,
    );
    await writeStatus(false, null);
    return;
  }

  let server: ThrowawayMariaDb;
  try {
    server = await startThrowawayMariaDb({ log: say });
  } catch (err) {
    await writeStatus(false, null);
    throw new Error(
      `Could not start a throwaway MariaDB for the MySQL suites: ${(err as Error).message}\n` +
        `Set MYSQL_URL to an existing server` + (isCi() ? '.' : ', or KURSUS_TEST_MYSQL=0 to skip the MySQL suites locally.'),
    );
  }
  globalThis.__KURSUS_MARIADB__ = server;
  process.env.MYSQL_URL = server.url;
  process.env.KURSUS_TEST_MYSQL_THROWAWAY = '1';
  await writeStatus(true, server.url);
}
