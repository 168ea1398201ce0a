// What `npm start` compiles before it runs (src/compile.mjs): every server and migration file, with
// the decorator metadata type-graphql builds the schema from, saying so on a first start, and
// afterwards only what changed. Compiled into a folder of its own under dist/ (so the compiled code
// still finds node_modules), not into the dist/ other suites run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(process.cwd());
const OUT = `dist/compile-test-${process.pid}`;

function compile() {
  const run = spawnSync(process.execPath, [join(ROOT, 'src/compile.mjs'), '--out', OUT], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, said: run.stderr + run.stdout };
}

function typescriptFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path === 'src/admin' ? [] : typescriptFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const sources = [...typescriptFiles('src'), ...typescriptFiles('migrations')];
const outputOf = (source: string) => join(ROOT, OUT, source.replace(/\.ts$/, '.js'));

afterAll(() => rmSync(join(ROOT, OUT), { recursive: true, force: true }));

describe('the compile step of npm start', () => {
  it('compiles every server and migration file on a first start, and says so', () => {
    const { status, said } = compile();
    expect(status).toBe(0);
    expect(said).toContain(`kursus: compiling ${sources.length} TypeScript files of src/ and migrations/ into ${OUT}/`);
    expect(sources.filter((s) => !existsSync(outputOf(s)))).toEqual([]);
    expect(existsSync(join(ROOT, OUT, 'src/admin'))).toBe(false); // Vite builds the back office
    const map = JSON.parse(readFileSync(`${outputOf('src/main.ts')}.map`, 'utf8'));
    expect(resolve(join(ROOT, OUT, 'src'), map.sources[0])).toBe(join(ROOT, 'src/main.ts'));
  });

  it('builds the same GraphQL schema as the committed one (decorators and their type metadata survive)', () => {
    const printed = spawnSync(process.execPath, [join(ROOT, OUT, 'src/main.js'), 'print-schema'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toBe(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'));
  });

  it('compiles nothing again when nothing changed, and only a changed file after an edit', () => {
    const main = outputOf('src/main.ts');
    const before = statSync(main).mtimeMs;
    expect(compile()).toEqual({ status: 0, said: '' });
    expect(statSync(main).mtimeMs).toBe(before);

    // An edit makes the source newer than its output: here the output is made older instead.
    const config = outputOf('src/config.ts');
    utimesSync(config, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const again = compile();
    expect(again.status).toBe(0);
    expect(again.said).toMatch(/^kursus: recompiled 1 changed file in \d+\.\d s\n$/);
    expect(statSync(config).mtimeMs).toBeGreaterThan(new Date(2001, 0, 1).getTime());
    expect(statSync(main).mtimeMs).toBe(before);
  });

  it('removes what a deleted source compiled to, so nothing can go on importing it from dist/', () => {
    mkdirSync(join(ROOT, OUT, 'migrations'), { recursive: true });
    writeFileSync(join(ROOT, OUT, 'migrations/Migration20000101000000_Deleted.js'), 'export class Deleted {}\n');
    writeFileSync(join(ROOT, OUT, 'src/deleted-module.js.map'), '{}');
    expect(compile().status).toBe(0);
    expect(existsSync(join(ROOT, OUT, 'migrations/Migration20000101000000_Deleted.js'))).toBe(false);
    expect(existsSync(join(ROOT, OUT, 'src/deleted-module.js.map'))).toBe(false);
    expect(existsSync(outputOf('migrations/index.ts'))).toBe(true);
  });
});
