// A real WordPress for the test suite: Debian's `wordpress` package (installed with apt-get when
// missing, like MariaDB in mariadb.ts) served by PHP's built-in server on a loopback port, against
// a fresh database on the throwaway MariaDB of jest's globalSetup (MYSQL_URL).
//
// The site lives in a temp dir: WordPress's top-level PHP files are copied (PHP resolves symlinks in
// __DIR__, so a symlinked wp-load.php would read Debian's /etc/wordpress config), wp-admin and
// wp-includes are symlinks, and wp-content holds a copy of the repository's companion plugin. Its
// wp-config.php sets WP_ENVIRONMENT_TYPE=local, which is what lets application passwords work over
// plain http. install.php's functions run through a PHP CLI script: wp_install(), pretty permalinks,
// the plugin activated, an application password created.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, openSync, readFileSync } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { mysqlConnectionOptions, withMysql } from './mariadb.js';

export const WORDPRESS_ROOT = '/usr/share/wordpress';
export const PLUGIN_SOURCE = resolve(process.cwd(), 'src/integrations/wordpress/plugin/kursus/kursus.php');
const PLUGIN_FILE = 'kursus/kursus.php';
const USER = 'kursus';

export interface RealWordPress {
  /** http://127.0.0.1:PORT (the site root) */
  url: string;
  user: string;
  appPassword: string;
  /** How long install + first answer took, in ms. */
  startupMs: number;
  /** Runs SQL on the site's database. */
  sql<T = any>(query: string, params?: unknown[]): Promise<T[]>;
  /** Switches the companion plugin off or on (the `active_plugins` option). */
  setPluginActive(active: boolean): Promise<void>;
  /** Writes (code) or removes (null) a must-use plugin, e.g. a site's own stricter field schema. */
  muPlugin(name: string, code: string | null): Promise<void>;
  /** Every post of the type, oldest first, with its meta as stored (values unserialised by PHP). */
  posts(postType?: string): Promise<{ id: number; status: string; slug: string; title: string; content: string }[]>;
  /** Runs PHP with WordPress loaded (as the admin user); returns its output. */
  php(code: string): Promise<string>;
  /** Deletes every post of the type and its meta. */
  clearPosts(postType?: string): Promise<void>;
  stop(): Promise<void>;
}

type Log = (m: string) => void;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

async function exists(file: string, mode = fsConstants.R_OK): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${cmd} could not be started: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${(err + out).trim().split('\n').slice(-30).join('\n')}`));
    });
    child.stdin!.end(opts.input ?? '');
  });
}

async function phpReady(): Promise<{ php?: string; missing: string[] }> {
  const missing: string[] = [];
  const php = (await exists('/usr/bin/php', fsConstants.X_OK)) ? '/usr/bin/php' : undefined;
  if (!php) missing.push('php-cli');
  else {
    try {
      await run(php, ['-r', 'exit(extension_loaded("mysqli") ? 0 : 1);'], { timeoutMs: 20_000 });
    } catch {
      missing.push('php-mysql');
    }
  }
  if (!(await exists(join(WORDPRESS_ROOT, 'wp-load.php')))) missing.push('wordpress');
  return { php, missing };
}

/** Path of the php binary, installing Debian's wordpress, php-cli and php-mysql first when missing (root only). */
export async function ensureWordPressInstalled(log: Log = () => {}): Promise<string> {
  let state = await phpReady();
  if (!state.missing.length) return state.php!;
  const packages = state.missing;
  if (!isRoot()) {
    throw new Error(`WordPress tests need Debian's ${packages.join(', ')} (missing) and this process is not root, so it cannot install them: sudo apt-get install ${packages.join(' ')}`);
  }
  const aptGet = (await exists('/usr/bin/apt-get', fsConstants.X_OK)) ? '/usr/bin/apt-get' : null;
  if (!aptGet) throw new Error(`WordPress tests need ${packages.join(', ')} (missing) and apt-get is not available to install them`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`WordPress test site: installing ${packages.join(' ')} with apt-get …`);
  await run(aptGet, ['update'], { env, timeoutMs: 10 * 60_000 });
  await run(aptGet, ['install', '-y', '--no-install-recommends', ...packages.map((p) => (p === 'wordpress' ? 'wordpress' : p))], { env, timeoutMs: 15 * 60_000 });
  state = await phpReady();
  if (state.missing.length) throw new Error(`apt-get install ${packages.join(' ')} succeeded but ${state.missing.join(', ')} still missing`);
  return state.php!;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => (port ? res(port) : rej(new Error('no free port'))));
    });
  });
}

/** php -S and its workers (one process group). */
function killGroup(child: ChildProcess | null, signal: NodeJS.Signals) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

const phpString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** PHP's serialize() of a list of strings (for the active_plugins option). */
const serializeList = (items: string[]) => `a:${items.length}:{${items.map((s, i) => `i:${i};s:${Buffer.byteLength(s)}:"${s}";`).join('')}}`;

const ROUTER = `<?php
// php -S router: static files as they are, everything else through WordPress's front controller,
// so pretty permalinks (/wp-json/...) work as they do behind Apache's or nginx's rewrite.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = __DIR__ . $path;
if ($path !== '/' && is_file($file) && substr($file, -4) !== '.php') return false;
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
require __DIR__ . '/index.php';
`;

const INSTALL = `<?php
// Runs install.php's work from the command line: tables, admin user, pretty permalinks, the
// companion plugin, an application password. Prints the password as JSON.
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['REQUEST_URI'] = '/';
// No "new site" mail and no loopback probe of permalinks while nothing serves the site yet.
function wp_new_blog_notification() {}
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
add_filter('pre_http_request', function () { return new WP_Error('http_blocked', 'no HTTP during install'); });
$result = wp_install('Kursus test site', '${USER}', 'kursus@example.test', false, '', wp_generate_password(24));
update_option('permalink_structure', '/%postname%/');
echo json_encode(array('user_id' => $result['user_id']));
`;

const SETUP = `<?php
// Second step (WordPress installed): activate the plugin, create an application password.
$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['REQUEST_URI'] = '/';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$activated = activate_plugin('${PLUGIN_FILE}');
if (is_wp_error($activated)) { fwrite(STDERR, $activated->get_error_message()); exit(1); }
flush_rewrite_rules(false);
$user = get_user_by('login', '${USER}');
list($password) = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'kursus-tests'));
echo json_encode(array('app_password' => $password, 'env' => wp_get_environment_type()));
`;

export async function startRealWordPress(opts: { mysqlUrl?: string; log?: Log } = {}): Promise<RealWordPress> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const mysqlUrl = opts.mysqlUrl ?? process.env.MYSQL_URL?.trim();
  if (!mysqlUrl) throw new Error('a real WordPress needs MySQL: MYSQL_URL is not set (jest globalSetup starts a throwaway MariaDB unless KURSUS_TEST_MYSQL=0)');
  const php = await ensureWordPressInstalled(log);

  const dbName = `kursus_wp_${randomBytes(5).toString('hex')}`;
  await withMysql(mysqlUrl, (c) => c.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  const conn = mysqlConnectionOptions(mysqlUrl);
  const pool = mysql.createPool({ ...conn, database: dbName, connectionLimit: 2 });

  const dir = await mkdtemp(join(tmpdir(), 'kursus-wp-'));
  let server: ChildProcess | null = null;
  const stop = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const s = server;
      await new Promise<void>((r) => {
        s.once('exit', () => r());
        killGroup(s, 'SIGTERM');
        setTimeout(() => (killGroup(s, 'SIGKILL'), r()), 3000).unref();
      });
    }
    await pool.end().catch(() => {});
    await withMysql(mysqlUrl, (c) => c.query(`DROP DATABASE IF EXISTS \`${dbName}\``)).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };

  try {
    for (const entry of await readdir(WORDPRESS_ROOT)) {
      if (entry === 'wp-config.php' || entry === 'wp-content') continue;
      if (entry === 'wp-admin' || entry === 'wp-includes') await symlink(join(WORDPRESS_ROOT, entry), join(dir, entry));
      else if (entry.endsWith('.php')) await copyFile(join(WORDPRESS_ROOT, entry), join(dir, entry));
    }
    await mkdir(join(dir, 'wp-content', 'plugins', 'kursus'), { recursive: true });
    await mkdir(join(dir, 'wp-content', 'mu-plugins'));
    await mkdir(join(dir, 'wp-content', 'uploads'));
    await symlink(join(WORDPRESS_ROOT, 'wp-content', 'themes'), join(dir, 'wp-content', 'themes'));
    await copyFile(PLUGIN_SOURCE, join(dir, 'wp-content', 'plugins', PLUGIN_FILE));

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const salt = () => randomBytes(24).toString('hex');
    await writeFile(
      join(dir, 'wp-config.php'),
      `<?php
define('DB_NAME', ${phpString(dbName)});
define('DB_USER', ${phpString(conn.user)});
define('DB_PASSWORD', ${phpString(conn.password)});
define('DB_HOST', ${phpString(`${conn.host}:${conn.port}`)});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
${['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'].map((k) => `define('${k}', '${salt()}');`).join('\n')}
$table_prefix = 'wp_';
// Application passwords over plain http: WordPress allows them only with HTTPS or a local environment.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HOME', ${phpString(url)});
define('WP_SITEURL', ${phpString(url)});
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
`,
    );
    await writeFile(join(dir, 'router.php'), ROUTER);
    await writeFile(join(dir, 'kursus-install.php'), INSTALL);
    await writeFile(join(dir, 'kursus-setup.php'), SETUP);

    const host = `127.0.0.1:${port}`;
    await run(php, [join(dir, 'kursus-install.php'), host], { timeoutMs: 120_000 });
    const setup = JSON.parse((await run(php, [join(dir, 'kursus-setup.php'), host], { timeoutMs: 60_000 })).trim().split('\n').pop()!) as { app_password: string; env: string };
    if (setup.env !== 'local') throw new Error(`WordPress environment is ${setup.env}, expected local`);

    const logFile = join(dir, 'server.log');
    const logFd = openSync(logFile, 'a');
    try {
      server = spawn(php, ['-S', host, '-t', dir, join(dir, 'router.php')], {
        cwd: dir,
        stdio: ['ignore', logFd, logFd],
        // Its own process group: the workers are killed with it.
        detached: true,
        // Several workers: Kursus pushes with a few requests in flight (PHP >= 7.4, Linux).
        env: { ...process.env, PHP_CLI_SERVER_WORKERS: '3' },
      });
    } finally {
      closeSync(logFd);
    }
    server.unref();
    const onExit = () => killGroup(server, 'SIGKILL');
    process.once('exit', onExit);
    // 'exit' does not fire when node is killed: a small watchdog ends php -S and its workers then.
    const dog = spawn('/bin/sh', ['-c', 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -9 -"$2" 2>/dev/null; kill -0 "$1" 2>/dev/null || rm -rf "$3"', 'kursus-wp-watchdog', String(process.pid), String(server.pid), dir], { detached: true, stdio: 'ignore' });
    dog.on('error', () => {});
    dog.unref();

    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`php -S exited (${server.exitCode}):\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        const res = await fetch(`${url}/wp-json/`);
        if (res.status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`WordPress did not answer on ${url}/wp-json/ within 30 s:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const sql = async <T,>(query: string, params: unknown[] = []) => (await pool.query(query, params))[0] as T[];
    const startupMs = Date.now() - started;
    log(`WordPress ready on ${url} after ${startupMs} ms (database ${dbName}, dir ${dir})`);
    return {
      url,
      user: USER,
      appPassword: setup.app_password,
      startupMs,
      sql,
      async setPluginActive(active) {
        await sql(`UPDATE wp_options SET option_value = ? WHERE option_name = 'active_plugins'`, [serializeList(active ? [PLUGIN_FILE] : [])]);
      },
      async muPlugin(name, code) {
        const file = join(dir, 'wp-content', 'mu-plugins', `${name}.php`);
        if (code === null) await unlink(file).catch(() => {});
        else await writeFile(file, code);
      },
      async posts(postType = 'kursus') {
        const rows = await sql<{ id: number; status: string; slug: string; title: string; content: string }>(
          `SELECT ID AS id, post_status AS status, post_name AS slug, post_title AS title, post_content AS content FROM wp_posts WHERE post_type = ? ORDER BY ID`,
          [postType],
        );
        return rows.map((r) => ({ ...r, id: Number(r.id) }));
      },
      async php(code) {
        const file = join(dir, `kursus-run-${randomBytes(4).toString('hex')}.php`);
        await writeFile(file, `<?php\n$_SERVER['HTTP_HOST'] = ${phpString(host)};\n$_SERVER['REQUEST_URI'] = '/';\nrequire __DIR__ . '/wp-load.php';\nrequire_once ABSPATH . 'wp-admin/includes/plugin.php';\nwp_set_current_user(1);\n${code}\n`);
        try {
          return await run(php, [file], { timeoutMs: 60_000 });
        } finally {
          await unlink(file).catch(() => {});
        }
      },
      async clearPosts(postType = 'kursus') {
        await sql(`DELETE m FROM wp_postmeta m JOIN wp_posts p ON p.ID = m.post_id WHERE p.post_type = ?`, [postType]);
        await sql(`DELETE FROM wp_posts WHERE post_type = ?`, [postType]);
      },
      async stop() {
        process.off('exit', onExit);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
