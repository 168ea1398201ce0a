// Running the product as a real child process (`node dist/src/main.js <command>`) so a test can
// kill it (SIGKILL mid-job) or stop it (SIGTERM under load) like an operator or a crash would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(process.cwd());
const MAIN = join(ROOT, 'dist/src/main.js');

/**
 * Compiles src/ and migrations/ into dist/ as `npm start` does (src/compile.mjs: swc, only what
 * changed since the last compile), so these tests run what a user's `npm start` runs.
 */
export function ensureBuilt(): void {
  const compiled = spawnSync(process.execPath, [join(ROOT, 'src/compile.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (compiled.status !== 0 || !existsSync(MAIN)) throw new Error(`could not build dist/src/main.js:\n${compiled.stderr}`);
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface KursusProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startKursusProcess(command: 'serve' | 'api' | 'worker', env: Record<string, string>): KursusProcess {
  const output: string[] = [];
  const child = spawn(process.execPath, [MAIN, command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  return { child, output, exited };
}
