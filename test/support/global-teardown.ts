// jest globalTeardown: stops the throwaway MariaDB started by global-setup.ts (if any) and
// removes its temp directory. A MYSQL_URL given from outside is left alone.
// No runtime imports on purpose: jest require()s this file without moduleNameMapper (see global-setup.ts);
// the `declare global` for __KURSUS_MARIADB__ lives in mariadb.ts.
import type {} from './mariadb.js';

/** How long jest may stay up after the last suite before the guard below ends it. */
const EXIT_GUARD_MS = 30_000;

export default async function globalTeardown(_globalConfig?: unknown, projectConfig?: { rootDir?: string }): Promise<void> {
  // Without forceExit, a handle some suite leaves open keeps jest (and CI) up for ever after the
  // last test. This guard names what is still open and ends the process with jest's own exit code
  // (jest sets it in an 'exit' handler, so a failed run still fails). Unref'd: when nothing is
  // left open, jest ends before it fires and it never shows.
  setTimeout(() => {
    process.stderr.write(`\n!!! jest was still running ${EXIT_GUARD_MS / 1000} s after the last suite: something was left open (${process.getActiveResourcesInfo().join(', ')}). Find it with --runInBand --detectOpenHandles.\n`);
    process.exit();
  }, EXIT_GUARD_MS).unref();
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
