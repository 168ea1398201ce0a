// The demo simulators keep their state in $VAR_DIR/simulators/<name>.json, so a restarted demo
// finds Maconomy's seats and participants (and WordPress's posts, the commerce systems' orders)
// as it left them, in agreement with the database that also survived. Written after every change
// that came over HTTP, atomically (a temporary file renamed over the old one), so a crash never
// leaves half a file. Only the demo passes a path; tests and `npm run simulator` keep state in memory.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function simulatorStateDir(varDir: string): string {
  return join(varDir, 'simulators');
}

export function simulatorStatePath(varDir: string, name: string): string {
  return join(simulatorStateDir(varDir), `${name}.json`);
}

/** The saved state, or null when there is none (a first start, or after `npm run demo:reset`). */
export function loadState<T>(path: string | undefined): T | null {
  if (!path || !existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`could not read the simulator state ${path} (${(err as Error).message}); run npm run demo:reset to start over`);
  }
}

export function saveState(path: string | undefined, state: unknown): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}
