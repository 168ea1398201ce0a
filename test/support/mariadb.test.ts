// Self-test for the throwaway MariaDB used by the MySQL suites: starts a second, independent
// server, writes and reads through it, stops it and checks that nothing is left behind.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startThrowawayMariaDb, withMysql, type ThrowawayMariaDb } from './mariadb.js';

const hasMariadbd = ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(delimiter)]
  .filter(Boolean)
  .some((dir) => existsSync(join(dir, 'mariadbd')) || existsSync(join(dir, 'mysqld')));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const optedOut = process.env.KURSUS_TEST_MYSQL === '0'; // global-setup.ts refuses this when CI is set
const skipReason = optedOut
  ? 'KURSUS_TEST_MYSQL=0'
  : !hasMariadbd && !isRoot
    ? 'mariadbd is not installed and not running as root (cannot apt-get install it)'
    : undefined;
const canRun = skipReason === undefined;

if (!canRun) {
  // eslint-disable-next-line no-console
  console.warn(`test/support/mariadb.test.ts SKIPPED: ${skipReason}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

(canRun ? describe : describe.skip)(
  canRun ? 'throwaway MariaDB' : `throwaway MariaDB (SKIPPED: ${skipReason})`,
  () => {
    let server: ThrowawayMariaDb | undefined;

    afterAll(async () => {
      await server?.stop();
    });

    test('starts, stores utf8mb4 data, stops and removes its data dir', async () => {
      server = await startThrowawayMariaDb();
      expect(server.url).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+$/);
      expect(server.url).not.toBe(process.env.MYSQL_URL);
      expect(existsSync(server.dataDir)).toBe(true);

      const rows = await withMysql(server.url, async (conn) => {
        await conn.query('CREATE DATABASE selftest CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
        await conn.query('CREATE TABLE selftest.course (id INT PRIMARY KEY AUTO_INCREMENT, title VARCHAR(100) NOT NULL)');
        await conn.query('INSERT INTO selftest.course (title) VALUES (?), (?)', ['Excel for øvede', 'Ærø 🚲 kursus']);
        const [result] = await conn.query('SELECT id, title FROM selftest.course ORDER BY id');
        return result as { id: number; title: string }[];
      });
      expect(rows).toEqual([
        { id: 1, title: 'Excel for øvede' },
        { id: 2, title: 'Ærø 🚲 kursus' },
      ]);

      const { pid, dataDir } = server;
      await server.stop();
      await server.stop(); // idempotent
      server = undefined;
      expect(existsSync(dataDir)).toBe(false);
      expect(alive(pid)).toBe(false);
    });
  },
);
