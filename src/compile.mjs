// What `npm start` (and the other `npm run` commands that run the server) compiles: every .ts file
// of src/ (but the back office, src/admin, which Vite builds) and migrations/ into dist/, one file at
// a time with swc, type annotations stripped and nothing type-checked. Full type checking is
// `npm run typecheck` (part of `npm test`); tsconfig.json's `isolatedModules` makes tsc reject what a
// file-at-a-time compiler could get wrong. Why not `tsc -b`: on a fresh clone it needs 30-45 s of
// silence on two cores before the server can start; swc compiles the same files in about a second.
//
// Incremental: a file is compiled again only when its .ts is newer than its .js, and everything is
// compiled again when swc's version or the options below change (dist/.swc-build.json). Outputs
// whose source was deleted are removed, so a deleted module cannot go on being imported from dist/.
//
// Plain JavaScript: it runs before any TypeScript is compiled. `--out DIR` (relative to the
// repository) writes somewhere other than dist/ (the test of this script uses it).
import { transformFile, version as swcVersion } from '@swc/core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outFlag = process.argv.indexOf('--out');
const outDir = resolve(root, outFlag > 0 ? process.argv[outFlag + 1] : 'dist');
const manifestFile = join(outDir, '.swc-build.json');
/** Source folders, relative to the repository; each lands at the same path under outDir. */
const SOURCE_DIRS = ['src', 'migrations'];
const SKIPPED = new Set([join(root, 'src/admin')]);

/**
 * What tsconfig.json asks of tsc, said to swc: ES2023 ES modules (package.json's "type": "module",
 * imports already end in .js), legacy decorators with their design-time type metadata (type-graphql
 * reads it), define semantics for class fields (tsc's default for ES2022 and later), class names kept
 * (error names and type-graphql's names come from them), source maps beside each file.
 */
const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
  inlineSourcesContent: false,
  swcrc: false,
  configFile: false,
};

function typescriptFiles(dir) {
  if (SKIPPED.has(dir) || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function emittedFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return emittedFiles(path);
    return /\.js(\.map)?$/.test(entry.name) ? [path] : [];
  });
}

/** Test suites compile concurrently in jest workers: no process may import a half-written file. */
function writeAtomically(path, text) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : -1);

const started = Date.now();
const sources = SOURCE_DIRS.flatMap((dir) => typescriptFiles(join(root, dir)));
const outputOf = (source) => join(outDir, relative(root, source)).replace(/\.ts$/, '.js');

const fingerprint = createHash('sha256').update(JSON.stringify({ swcVersion, SWC_OPTIONS })).digest('hex');
const previous = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')).fingerprint : null;
const stale = previous === fingerprint ? sources.filter((s) => mtime(outputOf(s)) < mtime(s)) : sources;

// Outputs of deleted sources, under the folders this script owns (dist/test and dist/admin are not).
const expected = new Set(sources.flatMap((s) => [outputOf(s), `${outputOf(s)}.map`]));
const orphans = SOURCE_DIRS.flatMap((dir) => emittedFiles(join(outDir, dir))).filter((f) => !expected.has(f));
for (const orphan of orphans) rmSync(orphan);

if (stale.length > 0) {
  const everything = stale.length === sources.length;
  if (everything) {
    process.stderr.write(`kursus: compiling ${sources.length} TypeScript files of src/ and migrations/ into ${relative(root, outDir)}/ (swc, no type check: that is npm run typecheck) ... `);
  }
  // swc compiles on its own threads; all files at once keeps both cores busy.
  const failures = [];
  await Promise.all(
    stale.map(async (source) => {
      const output = outputOf(source);
      let code, map;
      try {
        ({ code, map } = await transformFile(source, { ...SWC_OPTIONS, filename: source }));
      } catch (error) {
        failures.push(`${relative(root, source)}: ${error.message ?? error}`);
        return;
      }
      const sourceMap = JSON.parse(map);
      sourceMap.sources = [relative(dirname(output), source)];
      sourceMap.file = output.slice(dirname(output).length + 1);
      mkdirSync(dirname(output), { recursive: true });
      writeAtomically(`${output}.map`, JSON.stringify(sourceMap));
      writeAtomically(output, `${code}\n//# sourceMappingURL=${sourceMap.file}.map\n`);
    }),
  );
  if (failures.length > 0) {
    process.stderr.write(`\nkursus: could not compile ${failures.length} file${failures.length === 1 ? '' : 's'}:\n${failures.join('\n')}\n`);
    process.exit(1);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (everything) process.stderr.write(`done in ${seconds} s\n`);
  else process.stderr.write(`kursus: recompiled ${stale.length} changed file${stale.length === 1 ? '' : 's'} in ${seconds} s\n`);
}
mkdirSync(outDir, { recursive: true });
writeFileSync(manifestFile, JSON.stringify({ fingerprint }) + '\n');
