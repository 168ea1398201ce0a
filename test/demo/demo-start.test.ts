// `npm start` on a fresh machine: the compiled app's `serve` command as a child process, exactly as
// the npm script runs it (`node dist/src/main.js serve`, no NODE_ENV, nothing configured but the
// port and where ./var is). It must say it runs in demo mode and what it simulates, serve Danish
// demo course dates over HTTP, and stop cleanly on Ctrl-C (SIGINT).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt, freePort } from '../faults/processes.js';
import { until } from '../support/wait.js';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { demoData, startMaconomySimulator, type MaconomySimulator } from '../../src/simulators/maconomy.js';

const MAIN = resolve(process.cwd(), 'dist/src/main.js');
/** The app's own backstop is 20 s (src/main.ts); a clean stop of an idle demo is far quicker. */
const STOP_BOUND_MS = 15_000;

interface DemoProcess {
  child: ChildProcess;
  lines: { level: number; msg: string; [k: string]: unknown }[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  find(re: RegExp): { msg: string; [k: string]: unknown } | undefined;
}

function startDemo(env: Record<string, string>): DemoProcess {
  // Only what a developer's shell would have: no NODE_ENV, no test variables (MYSQL_URL etc.).
  const child = spawn(process.execPath, [MAIN, 'serve'], { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: DemoProcess['lines'] = [];
  let buffered = '';
  const onData = (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p));
      } catch {
        lines.push({ level: 0, msg: p });
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let signalledAt = 0;
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    signalledAt ||= Date.now();
    return kill(signal);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal, afterMs: signalledAt ? Date.now() - signalledAt : -1 })),
  );
  return { child, lines, exited, find: (re) => lines.find((l) => re.test(String(l.msg))) };
}

async function waitServing(p: DemoProcess) {
  // With the error's own message: 'failed to start' alone does not say why.
  const output = () => p.lines.map((l) => (l.err ? `${l.msg}: ${String((l.err as { message?: unknown }).message)}` : l.msg)).join('\n');
  await until('the demo to serve (or exit)', () => p.find(/Kursus is serving/) || p.child.exitCode !== null, 60_000);
  if (p.child.exitCode !== null) throw new Error(`the demo exited with ${p.child.exitCode}:\n${output()}`);
  return p.find(/Kursus is serving/) as unknown as { graphql: string };
}

async function stop(p: DemoProcess) {
  p.child.kill('SIGINT');
  const bound = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_BOUND_MS).unref());
  const result = await Promise.race([p.exited, bound]);
  if (result === 'timeout') p.child.kill('SIGKILL');
  return result;
}

beforeAll(() => ensureBuilt(), 180_000);

describe('npm start (demo mode, nothing configured)', () => {
  let varDir: string;
  let demo: DemoProcess | null = null;

  beforeAll(async () => {
    varDir = await mkdtemp(join(tmpdir(), 'kursus-demo-'));
  });
  afterAll(async () => {
    if (demo && demo.child.exitCode === null) demo.child.kill('SIGKILL');
    await rm(varDir, { recursive: true, force: true });
  });

  it('says it is in demo mode and what it simulates, serves Danish demo course dates, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    demo = startDemo({ PORT: String(port), VAR_DIR: varDir });
    const serving = await waitServing(demo);
    expect(serving.graphql).toBe(`http://127.0.0.1:${port}/graphql`);

    const line = demo.find(/^DEMO MODE/);
    expect(line?.msg).toBe(
      `DEMO MODE (NODE_ENV is not production): embedded SQLite ${varDir}/kursus.db; simulated Maconomy, WordPress, Jubelio, BaseLinker, Optimakers, Request Out upstream; ` +
        `mail written as .eml files to ${varDir}/mail; demo editor/admin tokens; ` +
        `back office at /admin: editor@kursus.demo / demo-editor-password, admin@kursus.demo / demo-admin-password; do not use with real customers`,
    );
    // The embedded database is where the line says, migrated.
    expect(existsSync(join(varDir, 'kursus.db'))).toBe(true);

    const res = await fetch(serving.graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ courses(first: 5) { totalCount edges { node { maconomyId title startDate endDate location status price { currency } days { date startTime endTime } } } } }' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { courses: { totalCount: number; edges: { node: any }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const { totalCount, edges } = body.data.courses;
    // What the simulator's demo data holds: its Danish titles and towns, dozens of dates.
    const sim = demoData(new Date());
    const titles = new Set(sim.mainCourses.map((m) => m.title));
    const towns = new Set(sim.courseDates.map((c) => c.location));
    expect(totalCount).toBeGreaterThanOrEqual(24);
    expect(edges).toHaveLength(5);
    const today = new Date().toISOString().slice(0, 10);
    for (const { node } of edges) {
      expect(node.maconomyId).toMatch(/^\d{5}-\d{2}$/);
      expect(titles.has(node.title)).toBe(true);
      expect(towns.has(node.location)).toBe(true);
      expect(node.startDate > today).toBe(true);
      expect(node.price.currency).toBe('DKK');
      expect(node.days.length).toBeGreaterThan(0);
      expect(node.days[0]).toMatchObject({ date: node.startDate, startTime: '09:00' });
    }
    // Danish, not placeholder text: the demo catalogue is in Danish (æ, ø or å somewhere).
    expect(edges.map((e) => `${e.node.title} ${e.node.location}`).join(' ') + [...titles].join(' ')).toMatch(/[æøå]/i);

    const stopped = await stop(demo);
    const shutdownLog = demo.lines.filter((l) => Number(l.time) >= Date.now() - STOP_BOUND_MS - 1000).map((l) => l.msg);
    expect({ stopped, shutdownLog }).toMatchObject({ stopped: { code: 0, signal: null } });
    expect(demo.find(/stopped cleanly/)).toBeDefined();
    expect(demo.find(/second signal/)).toBeUndefined(); // one Ctrl-C is one signal
    expect(demo.lines.filter((l) => l.level >= 50)).toEqual([]); // no error or fatal line
  });
});

const realKind = testDatabaseKinds().includes('mysql') ? 'mysql' : 'sqlite';

describe(`demo mode with a real Maconomy URL, SMTP and ${realKind === 'mysql' ? 'MySQL' : 'a SQLite file'} configured`, () => {
  let sim: MaconomySimulator;
  let smtp: Inbox;
  let database: TestDatabase;
  let varDir: string;
  let demo: DemoProcess | null = null;

  beforeAll(async () => {
    sim = await startMaconomySimulator({ token: 'own-maconomy-token' });
    smtp = await startSmtp();
    database = await createTestDatabase(realKind);
    varDir = await mkdtemp(join(tmpdir(), 'kursus-demo-'));
  });
  afterAll(async () => {
    if (demo && demo.child.exitCode === null) demo.child.kill('SIGKILL');
    await sim?.close();
    await smtp?.close();
    await database?.drop();
    await rm(varDir, { recursive: true, force: true });
  });

  it('does not claim to simulate what is configured', async () => {
    demo = startDemo({
      // Any free port, taken at listen: a port picked beforehand can be taken meanwhile (the
      // demo's own simulators and connections bind ports before it listens).
      PORT: '0',
      VAR_DIR: varDir,
      DATABASE_URL: database.url,
      MACONOMY_URL: sim.url,
      MACONOMY_TOKEN: 'own-maconomy-token',
      SMTP_URL: smtp.url,
      EDITOR_TOKENS: 'editor-secret-1',
      ADMIN_TOKENS: 'admin-secret-1',
    });
    await waitServing(demo);
    const msg = String(demo.find(/^DEMO MODE/)?.msg);
    expect(msg).toContain('simulated WordPress, Jubelio, BaseLinker, Optimakers, Request Out upstream;');
    expect(msg).not.toMatch(/simulated[^;]*Maconomy/);
    expect(msg).toContain(`Maconomy at ${sim.url}`);
    expect(msg).toContain(`mail over SMTP ${smtp.url}`);
    expect(msg).not.toContain('.eml');
    expect(msg).not.toContain('demo editor/admin tokens');
    if (realKind === 'mysql') {
      expect(msg).toMatch(/^DEMO MODE \(NODE_ENV is not production\): MySQL mysql:\/\/[^@;]+\//);
      expect(msg).not.toContain('SQLite');
      // The database password never reaches the log.
      const password = new URL(database.url).password;
      if (password) expect(demo.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(password);
    } else {
      expect(msg).toContain(`embedded SQLite ${database.url.slice('sqlite:'.length)}`);
    }
    expect(await readdir(varDir)).not.toContain('kursus.db');
    const stopped = await stop(demo);
    expect(stopped).toMatchObject({ code: 0, signal: null });
  });
});
