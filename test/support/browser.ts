// A real browser for the back-office tests: Debian's Chromium driven by playwright-core. When
// /usr/bin/chromium is missing the setup installs Debian's `chromium` with apt-get (as it does for
// MariaDB) and fails with a clear message if it cannot. Each browser gets a fresh profile and
// records every request its pages make.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.KURSUS_CHROMIUM ?? '/usr/bin/chromium';

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const say = (m: string) => process.stderr.write(`[browser setup] ${m}\n`);
  say(`${CHROMIUM} is missing: installing Debian's chromium with apt-get`);
  const asRoot = process.getuid?.() === 0;
  const apt = (args: string[]) => spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], { stdio: 'inherit', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update']);
  const r = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM))
    throw new Error(
      `The back-office browser tests need Chromium at ${CHROMIUM}, and apt-get could not install it (exit ${r.status ?? r.error?.message}). ` +
        'Install it with `apt-get install chromium` (Debian) or set KURSUS_CHROMIUM to a Chromium binary.',
    );
  return CHROMIUM;
}

/** Builds the SPA (skipped when unchanged), as `npm run build` does. */
export function buildBackOffice(): void {
  const r = spawnSync(process.execPath, ['src/admin/build.mjs', '--quiet'], { stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) throw new Error('building the back office (src/admin/build.mjs) failed');
}

export interface Browser {
  context: BrowserContext;
  /** Every URL any page of this browser requested. */
  requests: string[];
  close(): Promise<void>;
}

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function startBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const executablePath = ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), 'kursus-chromium-'));
  // A persistent context is how playwright takes a --user-data-dir: a fresh one per browser.
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport, locale: 'da-DK' });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  return {
    context,
    requests,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
