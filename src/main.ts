// Entry point. Commands: serve (API + worker, the default), api, worker, migrate, simulator,
// print-schema. `npm start` runs `serve` in demo mode on a fresh machine.
import 'reflect-metadata';
import { pino } from 'pino';
import { ConfigError, DEMO_SECRETS, loadConfig, resolveLogFormat, withoutCredentials } from './config.js';
import { buildKursus, prepareDatabase, type Kursus } from './app.js';
import { logRedaction } from './observability/log-redact.js';
import { printKursusSchema } from './graphql/schema.js';
import { startMaconomySimulator } from './simulators/maconomy.js';
import { startWordPressSimulator } from './simulators/wordpress.js';
import { JOBS } from './jobs/registry.js';
import { runWordPressCheck } from './integrations/wordpress/check.js';
import { COMMERCE_SIMULATORS, runConnectorCheck } from './connectors/commerce/cli.js';
import { startUpstreamSimulator } from './simulators/upstream.js';
import { DEMO_STAFF } from './staff/demo.js';
import { runUserCommand } from './staff/cli.js';
import { logDestination } from './observability/log-format.js';
import { configurationMarkdown } from './config-reference.js';
import { simulatorStateDir } from './simulators/state-file.js';
import { existsSync, rmSync } from 'node:fs';

// Before the configuration is read (its errors are logged here): an invalid LOG_FORMAT falls back
// to the terminal guess here and is reported by loadConfig.
const earlyFormat = (() => {
  try {
    return resolveLogFormat(process.env.LOG_FORMAT, process.stdout.isTTY === true);
  } catch {
    return resolveLogFormat(undefined, process.stdout.isTTY === true);
  }
})();
const logOptions = { level: process.env.LOG_LEVEL ?? 'info', ...logRedaction };
// Log lines go through a destination that drops them when stdout breaks (log-format.ts); a stream
// error on stdout/stderr themselves (a library writing there after the reader went away) is
// ignored too, instead of crashing the process as an unhandled 'error' event.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const log = pino(logOptions, logDestination(earlyFormat));

/** Logging while stopping must never stop the stop. */
function tryLog(write: () => void) {
  try {
    write();
  } catch {
    /* the log destination failed: keep stopping */
  }
}

/** The backstop: however the graceful stop goes, the process is gone after this long. */
const SHUTDOWN_BACKSTOP_MS = 20_000;

function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      tryLog(() => log.warn({ signal }, 'second signal: exiting now'));
      process.exit(1);
    }
    stopping = true;
    // Armed before anything else (before the first log line, which may fail): in-flight requests get
    // 10 s, then running jobs 5 s (src/app.ts close()); this ends the process whatever happens.
    const force = setTimeout(() => {
      tryLog(() => log.error(`shutdown took longer than ${SHUTDOWN_BACKSTOP_MS / 1000} s: exiting`));
      process.exit(1);
    }, SHUTDOWN_BACKSTOP_MS);
    force.unref();
    tryLog(() => log.info({ signal }, 'shutting down: finishing in-flight requests'));
    let stopped: Promise<void>;
    try {
      stopped = stop();
    } catch (err) {
      stopped = Promise.reject(err);
    }
    stopped.then(
      () => {
        tryLog(() => log.info('stopped cleanly'));
        process.exit(0);
      },
      (err) => {
        tryLog(() => log.error({ err }, 'error during shutdown'));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/** What this demo-mode process really uses: the DEMO MODE line must not claim a simulator that real configuration replaced. */
function demoModeSummary(kursus: Kursus): { parts: string[]; fields: Record<string, unknown> } {
  const { config, commerce } = kursus;
  const simulated = [
    kursus.simulator ? 'Maconomy' : null,
    config.wordpress.url ? null : 'WordPress',
    commerce.simulators.jubelio ? 'Jubelio' : null,
    commerce.simulators.baselinker ? 'BaseLinker' : null,
    commerce.simulators.optimakers ? 'Optimakers' : null,
    'Request Out upstream', // the demo route always goes to the built-in upstream simulator
  ].filter((s): s is string => s !== null);
  const database = config.database.kind === 'sqlite' ? `embedded SQLite ${config.database.sqlitePath}` : `MySQL ${withoutCredentials(config.database.url)}`;
  const mail = config.mail.smtpUrl ? `mail over SMTP ${withoutCredentials(config.mail.smtpUrl)}` : `mail written as .eml files to ${config.varDir}/mail`;
  const demoTokens = config.editorTokens.includes(DEMO_SECRETS.editorToken) || config.adminTokens.includes(DEMO_SECRETS.adminToken);
  const parts = [database, `simulated ${simulated.join(', ')}`, mail];
  if (kursus.simulator === null) parts.push(`Maconomy at ${withoutCredentials(config.maconomy.url ?? '')}`);
  if (demoTokens) parts.push('demo editor/admin tokens');
  // The back office's demo accounts (src/staff/demo.ts), seeded in every demo-mode start.
  parts.push(`back office at /admin: ${DEMO_STAFF.map((u) => `${u.email} / ${u.password}`).join(', ')}`);
  return {
    parts,
    fields: { database: config.database.kind, simulated, mail: config.mail.smtpUrl ? 'smtp' : 'eml-files', demoTokens, demoStaff: DEMO_STAFF.map((u) => u.email) },
  };
}

async function serve(mode: 'serve' | 'api' | 'worker') {
  const config = loadConfig();
  await prepareDatabase(config, log);
  const kursus = await buildKursus(config);
  if (config.demo) {
    const demo = demoModeSummary(kursus);
    kursus.app.log.warn(demo.fields, `DEMO MODE (NODE_ENV is not production): ${demo.parts.join('; ')}; do not use with real customers`);
  }
  if (config.demo && kursus.simulator) {
    const r = await kursus.importCourses();
    kursus.app.log.info({ courseDates: r.courseDates.seen, created: r.courseDates.created }, 'demo mode: imported courses from the Maconomy simulator');
  }
  if (mode !== 'api') await kursus.startWorker();
  if (mode !== 'worker') {
    const url = await kursus.listen();
    kursus.app.log.info({ graphql: `${url}/graphql`, worker: mode === 'serve' }, 'Kursus is serving the storefront API');
  }
  if (config.demo && kursus.simulator) {
    // The same chain as the hourly import: changed dates go to (simulated) WordPress. Queued once
    // the API listens, so the push does not delay the first answer of a fresh start.
    await kursus.jobs.agenda.now(JOBS.pushWordpress, { reason: 'demo start-up import' });
  }
  onShutdown(() => kursus.close());
}

/** `npm run simulator -- <name> --port N`: one simulator on its own, for developing against a fake peer. */
const SIMULATORS: Record<string, (port: number) => Promise<{ url: string; credentials: string; close(): Promise<void> }>> = {
  async maconomy(port) {
    const sim = await startMaconomySimulator({ port, host: '127.0.0.1', token: process.env.MACONOMY_TOKEN ?? DEMO_SECRETS.maconomyToken });
    return { url: sim.url, credentials: 'bearer MACONOMY_TOKEN (default demo-maconomy-token)', close: () => sim.close() };
  },
  async wordpress(port) {
    const sim = await startWordPressSimulator({ port, host: '127.0.0.1', user: process.env.WORDPRESS_USER, appPassword: process.env.WORDPRESS_APP_PASSWORD });
    return { url: sim.url, credentials: 'basic WORDPRESS_USER / WORDPRESS_APP_PASSWORD (defaults as in demo mode)', close: () => sim.close() };
  },
  ...COMMERCE_SIMULATORS,
  async upstream(port) {
    const sim = await startUpstreamSimulator({ port, host: '127.0.0.1', token: process.env.UPSTREAM_TOKEN });
    return { url: sim.url, credentials: process.env.UPSTREAM_TOKEN ? 'bearer UPSTREAM_TOKEN' : 'none (set UPSTREAM_TOKEN to require a bearer token)', close: () => sim.close() };
  },
};

/** `npm run demo:reset`: the next `npm start` begins from fresh demo data (database and simulators). */
async function demoReset() {
  const config = loadConfig();
  if (!config.demo) throw new ConfigError('demo:reset only runs in demo mode (NODE_ENV is production)');
  const removed: string[] = [];
  if (config.database.kind === 'sqlite') {
    const file = config.database.sqlitePath!;
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(f)) (rmSync(f), removed.push(f));
  }
  const simulators = simulatorStateDir(config.varDir);
  if (existsSync(simulators)) (rmSync(simulators, { recursive: true, force: true }), removed.push(`${simulators}/`));
  const kept = config.database.kind === 'mysql' ? `; the MySQL database of DATABASE_URL (${withoutCredentials(config.database.url)}) was left alone: drop it yourself` : '';
  log.info({ removed }, removed.length ? `demo reset: deleted ${removed.join(', ')}${kept}; the next npm start begins from fresh demo data` : `demo reset: nothing to delete under ${config.varDir}${kept}`);
}

async function main() {
  const [command = 'serve', ...args] = process.argv.slice(2);
  switch (command) {
    case 'serve':
    case 'api':
    case 'worker':
      return serve(command);
    case 'migrate': {
      await prepareDatabase(loadConfig(), log);
      return;
    }
    case 'print-schema':
      process.stdout.write(await printKursusSchema());
      return;
    case 'demo-reset':
      return demoReset();
    case 'print-config-reference':
      process.stdout.write(configurationMarkdown());
      return;
    case 'simulator': {
      const [name = '', ...rest] = args;
      const portIdx = rest.indexOf('--port');
      const port = portIdx >= 0 ? Number(rest[portIdx + 1]) : 0;
      const start = Object.hasOwn(SIMULATORS, name) ? SIMULATORS[name] : undefined; // not `simulator constructor`
      if (!start) throw new ConfigError(`simulator: unknown system "${name}"; available: ${Object.keys(SIMULATORS).join(', ')}`);
      const sim = await start(port);
      log.info({ url: sim.url, credentials: sim.credentials }, `${name} simulator listening`);
      onShutdown(() => sim.close());
      return;
    }
    case 'user': {
      const config = loadConfig();
      await prepareDatabase(config, log);
      process.exitCode = await runUserCommand(args, config, log);
      return;
    }
    case 'connector-check':
      process.exitCode = args[0] === 'wordpress' ? await runWordPressCheck(log) : await runConnectorCheck(args[0], log);
      return;
    default:
      throw new ConfigError(`unknown command "${command}"; use serve, api, worker, migrate, user, simulator or print-schema`);
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) log.fatal(`configuration error: ${err.message}`);
  else log.fatal({ err }, 'failed to start');
  process.exit(1);
});
