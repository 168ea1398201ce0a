// A throwaway MariaDB server for the test suite: installs Debian's mariadb-server when it is
// missing (only as root), initialises a fresh data directory in a temp dir, starts mariadbd on a
// free loopback port and removes everything again on stop(). Root logs in over TCP with an empty
// password: mysql://root@127.0.0.1:PORT.
//
// Kept free of TS-only runtime syntax (enums, parameter properties, namespaces) so it also runs
// under `node --experimental-strip-types`.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, openSync, closeSync, rmSync } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';

export interface ThrowawayMariaDb {
  /** mysql://root@127.0.0.1:PORT (no database, no password) */
  url: string;
  /** The temp directory holding the data dir, socket, pid file and server log. */
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

declare global {
  // The server started by global-setup.ts, stopped by global-teardown.ts (same process).
  // eslint-disable-next-line no-var
  var __KURSUS_MARIADB__: ThrowawayMariaDb | undefined;
}

type Log = (m: string) => void;

const SERVER_NAMES = ['mariadbd', 'mysqld'];
const INSTALL_DB_NAMES = ['mariadb-install-db', 'mysql_install_db'];
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findBinary(names: string[]): Promise<string | undefined> {
  const dirs = ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

async function findBinaries(): Promise<{ mariadbd?: string; installDb?: string }> {
  return { mariadbd: await findBinary(SERVER_NAMES), installDb: await findBinary(INSTALL_DB_NAMES) };
}

/** Runs a command to completion; rejects with its (tail of) output when it fails. */
function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; log?: Log } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${cmd} could not be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(
            `${cmd} ${args.join(' ')} failed (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${tail(output, 40)}`,
          ),
        );
    });
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Returns the paths of mariadbd and mariadb-install-db, installing Debian's mariadb-server with
 * apt-get first when they are missing and we are root. Not root and not installed: a clear error.
 */
export async function ensureMariaDbInstalled(log: Log = () => {}): Promise<{ mariadbd: string; installDb: string }> {
  let found = await findBinaries();
  if (found.mariadbd && found.installDb) return { mariadbd: found.mariadbd, installDb: found.installDb };

  const missing = [!found.mariadbd && 'mariadbd', !found.installDb && 'mariadb-install-db'].filter(Boolean).join(' and ');
  if (!isRoot()) {
    throw new Error(
      `MariaDB is not installed (${missing} not found in /usr/sbin, /usr/bin or PATH) and this process is not root, ` +
        `so it cannot be installed automatically. Either set MYSQL_URL=mysql://user:password@host:port to a MySQL/MariaDB ` +
        `server the tests may create databases on, install the server yourself (sudo apt-get install mariadb-server), ` +
        `or set KURSUS_TEST_MYSQL=0 to skip the MySQL suites locally (not allowed when CI is set).`,
    );
  }
  const aptGet = await findBinary(['apt-get']);
  if (!aptGet) {
    throw new Error(
      `MariaDB is not installed (${missing} not found) and apt-get is not available to install it. ` +
        `Install a MariaDB server or set MYSQL_URL=mysql://user:password@host:port.`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('MariaDB not found: running apt-get update …');
  await run(aptGet, ['update'], { env, timeoutMs: 10 * 60_000 });
  log('Installing mariadb-server with apt-get (DEBIAN_FRONTEND=noninteractive) …');
  await run(aptGet, ['install', '-y', '--no-install-recommends', 'mariadb-server'], { env, timeoutMs: 15 * 60_000 });

  found = await findBinaries();
  if (!found.mariadbd || !found.installDb) {
    throw new Error('apt-get install mariadb-server succeeded but mariadbd / mariadb-install-db still cannot be found');
  }
  log(`Installed MariaDB: ${found.mariadbd}`);
  return { mariadbd: found.mariadbd, installDb: found.installDb };
}

/** A port that was free a moment ago (listen on 0, read it, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readTail(file: string, lines = 30): Promise<string> {
  try {
    return tail(await readFile(file, 'utf8'), lines);
  } catch {
    return '(no server log)';
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

const WATCHDOG_SCRIPT = `
trap '' INT HUP TERM
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  # a dead but unreaped (zombie) process still answers kill -0
  if [ -r "/proc/$1/stat" ]; then
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ "$state" != Z ] || return 1
  fi
  return 0
}
while alive "$1"; do
  alive "$2" || exit 0
  sleep 1
done
kill -9 "$2" 2>/dev/null
sleep 1
rm -rf "$3"
`;

function startWatchdog(serverPid: number, dir: string): ChildProcess | undefined {
  try {
    const dog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'kursus-mariadb-watchdog', String(process.pid), String(serverPid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    dog.on('error', () => {});
    dog.unref();
    return dog;
  } catch {
    return undefined;
  }
}

/**
 * Starts a fresh MariaDB server in a temp directory on a free loopback port. Retries once on a
 * port clash (the free-port probe is inherently racy).
 */
export async function startThrowawayMariaDb(opts: { log?: Log } = {}): Promise<ThrowawayMariaDb> {
  const log = opts.log ?? (() => {});
  const bins = await ensureMariaDbInstalled(log);
  let lastError: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await startOnce(bins, log);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortInUseError)) throw err;
      log(`port clash, retrying: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnce(bins: { mariadbd: string; installDb: string }, log: Log): Promise<ThrowawayMariaDb> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'kursus-mariadb-'));
  const dataDir = join(dir, 'data');
  // unix socket paths are limited to ~107 bytes; fall back to a short name in /tmp.
  const socket = join(dir, 'mysqld.sock').length < 100 ? join(dir, 'mysqld.sock') : join('/tmp', `kmdb-${process.pid}-${Date.now()}.sock`);
  const logFile = join(dir, 'server.log');
  const root = isRoot();

  const cleanupDir = () => rm(dir, { recursive: true, force: true, maxRetries: 3 });

  try {
    // 1. Initialise the data directory. --auth-root-authentication-method=normal gives root@localhost,
    //    root@127.0.0.1 and root@::1 with an empty password (instead of unix_socket auth).
    await run(
      bins.installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        ...(root ? ['--user=root'] : []),
      ],
      { timeoutMs: 120_000 },
    );
  } catch (err) {
    await cleanupDir();
    throw new Error(`mariadb-install-db failed: ${(err as Error).message}`);
  }

  // 2. Belt and braces: whatever install-db did, make root@127.0.0.1 with an empty password work
  //    over TCP. The init file runs at startup with full privileges.
  const initFile = join(dir, 'init.sql');
  await writeFile(
    initFile,
    [
      "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';",
      "ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '';",
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
      '',
    ].join('\n'),
  );

  const port = await freePort();
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--socket=${socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--init-file=${initFile}`,
    '--skip-name-resolve',
    '--skip-log-bin',
    '--innodb-buffer-pool-size=128M',
    '--innodb-flush-log-at-trx-commit=2',
    '--innodb-doublewrite=0',
    '--max-connections=500',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--skip-performance-schema',
    ...(root ? ['--user=root'] : []),
  ];

  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bins.mariadbd, args, { detached: false, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  // Do not keep the event loop alive for the server; the exit hook below kills it if stop() is never called.
  child.unref();
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });

  // A crashed or forgotten test run must not leak a server (or its files).
  const killOnExit = () => {
    try {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      watchdog?.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  };
  process.on('exit', killOnExit);
  // 'exit' does not fire when node dies from a signal (Ctrl-C, CI timeout, SIGKILL), and mariadbd
  // ignores SIGINT, so a tiny watchdog in its own process group kills the server and removes the
  // temp dir within a second once this process is gone.
  const watchdog = startWatchdog(child.pid!, dir);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      process.off('exit', killOnExit);
      watchdog?.kill('SIGKILL');
      await cleanupDir();
      if (socket.startsWith('/tmp/kmdb-')) await rm(socket, { force: true });
    })());

  // 3. Wait for TCP + SELECT 1.
  const url = `mysql://root@127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const logTail = await readTail(logFile);
      await stop();
      const why = spawnError ? `could not be spawned: ${spawnError.message}` : `exited early (code ${child.exitCode}, signal ${child.signalCode})`;
      const message = `mariadbd ${why}. Server log:\n${logTail}`;
      if (/Address already in use|Can't start server: Bind on TCP\/IP port/i.test(logTail)) throw new PortInUseError(message);
      throw new Error(message);
    }
    try {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '', connectTimeout: 2_000 });
      try {
        await conn.query('SELECT 1');
      } finally {
        await conn.end().catch(() => {});
      }
      break;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const logTail = await readTail(logFile);
      await stop();
      throw new Error(
        `MariaDB did not accept connections on ${url} within ${START_TIMEOUT_MS / 1000}s ` +
          `(last error: ${(lastError as Error)?.message}). Server log:\n${logTail}`,
      );
    }
    await sleep(100);
  }

  log(`MariaDB ready on ${url} after ${Date.now() - started} ms (pid ${child.pid}, dir ${dir})`);
  return { url, dataDir: dir, pid: child.pid!, stop };
}

/** mysql2 connection options for a mysql:// (or mariadb://) URL. */
export function mysqlConnectionOptions(url: string): {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
  connectTimeout: number;
} {
  let u: URL;
  try {
    u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  } catch {
    throw new Error(`not a valid mysql:// URL: ${redactUrl(url)}`);
  }
  if (u.protocol !== 'mysql:') throw new Error(`expected a mysql:// URL, got ${redactUrl(url)}`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password),
    ...(database ? { database } : {}),
    connectTimeout: 10_000,
  };
}

/** The URL with any password replaced by ***, for logs and status files. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** Opens a connection to the server of a mysql:// URL, runs fn, closes it. */
export async function withMysql<T>(url: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection(mysqlConnectionOptions(url));
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => {});
  }
}
