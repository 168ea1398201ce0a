// The configuration reference cannot drift: every variable the code reads is listed in
// src/config-reference.ts, every documented default is the real one, and docs/configuration.md
// is what `npm run docs:config` generates from the list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, configurationMarkdown } from '../../src/config-reference.js';
import { loadConfig } from '../../src/config.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'admin' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Names read from the environment: `env.X` / `env['X']` anywhere, and `fn('X', ...)` / `fn(env, 'X', ...)` in config modules. */
function variablesReadBySource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles('src')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) found.set(m[1] ?? m[2]!, file);
    if (/(^|\/)config\.ts$/.test(file))
      for (const m of text.matchAll(/\b[a-zA-Z]+\((?:env,\s*)?['"]([A-Z][A-Z0-9_]*)['"]/g)) found.set(m[1]!, file);
  }
  return found;
}

describe('configuration reference', () => {
  const listed = new Set(CONFIG_VARIABLES.map((x) => x.name));

  it('lists every variable the code reads, once, each with a description', () => {
    const read = variablesReadBySource();
    const missing = [...read].filter(([name]) => !listed.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
    const unused = [...listed].filter((name) => !read.has(name));
    expect(unused).toEqual([]);
    expect(listed.size).toBe(CONFIG_VARIABLES.length);
    for (const x of CONFIG_VARIABLES) expect(x.description.length).toBeGreaterThan(5);
  });

  it('documents the real defaults: setting a variable to its documented default changes nothing', () => {
    const base = {}; // demo mode, nothing set
    const defaults = loadConfig(base);
    const wrong = CONFIG_VARIABLES.filter((x) => x.default !== undefined).filter((x) => JSON.stringify(loadConfig({ ...base, [x.name]: x.default })) !== JSON.stringify(defaults));
    expect(wrong.map((x) => `${x.name}=${x.default}`)).toEqual([]);
  });

  it('docs/configuration.md is generated from it (run `npm run docs:config` after a change)', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(configurationMarkdown());
  });
});
