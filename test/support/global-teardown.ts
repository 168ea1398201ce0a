// jest globalTeardown: stops the throwaway MariaDB started by global-setup.ts (if any) and
// removes its temp directory. A MYSQL_URL given from outside is left alone.
// No runtime imports on purpose: jest require()s this file without moduleNameMapper (see global-setup.ts);
// the `declare global` for __KURSUS_MARIADB__ lives in mariadb.ts.
import type {} from './mariadb.js';

export default async function globalTeardown(_globalConfig?: unknown, projectConfig?: { rootDir?: string }): Promise<void> {
  if (process.env.KURSUS_TRACE_TIMERS === '1') {
    const { join } = await import('node:path');
    const trace = await import(join(projectConfig?.rootDir ?? process.cwd(), 'test', 'support', 'timer-trace.ts'));
    setTimeout(() => trace.reportLiveTimers((m: string) => process.stderr.write(`[timer trace] ${m}\n`)), 2000).unref();
  }
  const server = globalThis.__KURSUS_MARIADB__;
  if (!server) return;
  globalThis.__KURSUS_MARIADB__ = undefined;
  await server.stop();
  if (process.env.KURSUS_TEST_MYSQL_THROWAWAY === '1') {
    delete process.env.MYSQL_URL;
    delete process.env.KURSUS_TEST_MYSQL_THROWAWAY;
  }
}
