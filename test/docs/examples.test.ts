// Doc-tests: every fenced `graphql`, `sh`, `bash` and `shell` block of README.md and docs/*.md is
// run against the demo app (the app as `npm start` builds it, in demo mode, on a free port with a
// temporary VAR_DIR), in the order the blocks appear, file by file. An example that fails fails
// `npm test`. The conventions the examples follow are in docs/README.md ("Examples in these docs"):
//
// - GraphQL blocks are real operations. Values that differ per run are GraphQL variables named in
//   capitals ($COURSE_ID, $ORDER_ID, $ORDER_TOKEN), filled in from the demo data and from earlier
//   answers: an answer's `orderToken` becomes ORDER_TOKEN and its `order { id }` ORDER_ID. A
//   comment line `# Authorization: Bearer demo-editor-token` sends that header (as the IDE's
//   Headers pane would); `# Expect: CODE` expects that error code instead of success. A block
//   with type definitions only (SDL) is checked against the real schema instead: each type and
//   field it names must exist.
// - Shell blocks run with bash (-e, pipefail) in the repository, with KURSUS (the app's base URL),
//   COURSE_ID, ORDER_ID, ORDER_TOKEN, EDITOR_TOKEN, ADMIN_TOKEN and VAR_DIR set. Only commands in
//   SHELL_COMMANDS below may appear (curl against the app, text tools, and the npm scripts in
//   SAFE_NPM_SCRIPTS that neither start servers nor touch ./var); anything else fails the test
//   with a message. The one block not run is the one that holds only the two commands themselves
//   (`npm install && npm start` and `npm test`): test/demo/demo-start.test.ts runs what `npm
//   start` runs, and `npm test` is this very run.
// - Anything else (output, configuration files, production recipes) goes in a `text`, `json`,
//   `ini` or other block, which is not run.
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSchema, Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../../src/config.js';
import { buildKursus, type Kursus } from '../../src/app.js';
import { openDb, migrate, type Db } from '../../src/db/orm.js';
import { DEMO_SECRETS } from '../../src/config.js';
import { WALKTHROUGH_COURSE_NO } from '../../src/simulators/maconomy.js';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases.js';

export interface DocBlock {
  file: string;
  line: number;
  lang: string;
  text: string;
}

const RUN_LANGS = new Set(['graphql', 'gql', 'sh', 'bash', 'shell']);

/** The fenced blocks of one markdown file that are run. */
export function runnableBlocks(file: string, markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const lang = open[3]!.toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) body.push(lines[j++]!);
    if (RUN_LANGS.has(lang)) blocks.push({ file, line: i + 1, lang, text: body.join('\n') });
    i = j;
  }
  return blocks;
}

export function docFiles(): string[] {
  const docs = existsSync('docs') ? readdirSync('docs').filter((f) => f.endsWith('.md')).sort().map((f) => join('docs', f)) : [];
  return ['README.md', ...docs];
}

/** The two commands of the README's "Two commands" block: covered by the demo test and by this run. */
const NOT_RUN = new Set(['npm install && npm start', 'npm test']);

export function isTheTwoCommands(block: DocBlock): boolean {
  const commands = block.text.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l && !l.startsWith('#'));
  return commands.length > 0 && commands.every((c) => NOT_RUN.has(c));
}

/**
 * What a shell example may run: bash builtins (echo, printf, export, test, ...) and these
 * programs, found through a PATH that holds nothing else; `npm` only as `npm run <SAFE_NPM_SCRIPTS>`.
 * Anything else is "command not found" and fails the example.
 */
export const SHELL_COMMANDS = ['curl', 'openssl', 'grep', 'sed', 'head', 'tail', 'cat', 'jq', 'sleep', 'node', 'tr', 'wc', 'sort'];
export const SAFE_NPM_SCRIPTS = ['schema', 'docs:config', 'typecheck', 'connector-check'];

/** A directory of links to the allowed programs and an npm that runs only the safe scripts. */
export async function restrictedBin(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const which = (cmd: string) => execFileSync('bash', ['-c', `command -v ${cmd}`], { env: { PATH: `${resolve('node_modules/.bin')}:${process.env.PATH ?? ''}` } }).toString().trim();
  for (const cmd of SHELL_COMMANDS) {
    // node: the binary itself (node_modules/.bin/node is a shell script that needs bash on PATH).
    const target = cmd === 'node' ? process.execPath : which(cmd);
    if (target) await symlink(target, join(dir, cmd));
  }
  const npm = which('npm');
  await writeFile(
    join(dir, 'npm'),
    `#!/bin/bash\ncase "$1 $2" in\n${SAFE_NPM_SCRIPTS.map((s) => `  "run ${s}") ;;`).join('\n')}\n  *) echo "doc examples may only run npm run ${SAFE_NPM_SCRIPTS.join('|')}, not: npm $*" >&2; exit 97 ;;\nesac\nexport PATH=${resolve('node_modules/.bin')}:$ORIGINAL_PATH\nexec ${npm} "$@"\n`,
  );
  await chmod(join(dir, 'npm'), 0o755);
  return dir;
}

type Context = Record<string, string>;

function operations(doc: DocumentNode): OperationDefinitionNode[] {
  return doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/** Answers' values later examples use: orderToken -> ORDER_TOKEN, order { id } -> ORDER_ID. */
function capture(value: unknown, ctx: Context, key = ''): void {
  if (Array.isArray(value)) return value.forEach((v) => capture(v, ctx));
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (key === 'order' && typeof obj.id === 'string') ctx.ORDER_ID = obj.id;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'orderToken' && typeof v === 'string') ctx.ORDER_TOKEN = v;
    else capture(v, ctx, k);
  }
}

async function runGraphQL(block: DocBlock, url: string, ctx: Context, sdl: ReturnType<typeof buildSchema>): Promise<void> {
  const doc = parse(block.text);
  const ops = operations(doc);
  if (ops.length === 0) return checkSdl(doc, sdl);
  const auth = /^\s*#\s*Authorization:\s*(.+?)\s*$/m.exec(block.text)?.[1];
  const expected = /^\s*#\s*Expect:\s*([A-Z_]+)/m.exec(block.text)?.[1];
  for (const op of ops) {
    const variables: Record<string, string> = {};
    for (const def of op.variableDefinitions ?? []) {
      const name = def.variable.name.value;
      if (ctx[name] !== undefined) variables[name] = ctx[name]!;
      else if (def.type.kind === Kind.NON_NULL_TYPE) throw new Error(`$${name} is not a known placeholder (known: ${Object.keys(ctx).join(', ')})`);
    }
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify({ query: block.text, operationName: op.name?.value, variables }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
    const what = `operation ${op.name?.value ?? '(anonymous)'} with ${JSON.stringify(variables)}`;
    if (expected) {
      const codes = (body.errors ?? []).map((e) => e.extensions?.code);
      if (!codes.includes(expected)) throw new Error(`${what}: expected error ${expected}, got ${JSON.stringify(body)}`);
    } else if (res.status !== 200 || body.errors) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(body.errors ?? body)}`);
    capture(body.data, ctx);
  }
}

function checkSdl(doc: DocumentNode, schema: ReturnType<typeof buildSchema>): void {
  for (const def of doc.definitions) {
    if (!('name' in def) || !def.name || !('fields' in def)) continue;
    const type = schema.getType(def.name.value);
    if (!type || !('getFields' in type)) throw new Error(`type ${def.name.value} is not in the schema`);
    const fields = type.getFields();
    for (const f of def.fields ?? []) if (!fields[f.name.value]) throw new Error(`${def.name.value}.${f.name.value} is not in the schema`);
  }
}

export function runShell(script: string, bin: string, env: Context): Promise<string> {
  const bash = execFileSync('bash', ['-c', 'command -v bash']).toString().trim();
  return new Promise((res, rej) => {
    execFile(bash, ['-eo', 'pipefail', '-c', script], { cwd: resolve('.'), env: { ...env, PATH: bin, ORIGINAL_PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? rej(new Error(`exit ${err.code ?? err.signal}: ${stderr || stdout}`)) : res(stdout),
    );
  });
}

describe('doc examples: the conventions', () => {
  it('finds blocks, skips only the two commands, and refuses commands outside the allowlist', () => {
    const md = ['```sh', 'npm install && npm start     # demo', 'npm test', '```', '```graphql', '{ courses { totalCount } }', '```', '```text', 'rm -rf /', '```'].join('\n');
    const blocks = runnableBlocks('x.md', md);
    expect(blocks.map((b) => b.lang)).toEqual(['sh', 'graphql']);
    expect(isTheTwoCommands(blocks[0]!)).toBe(true);
    expect(isTheTwoCommands({ ...blocks[0]!, text: 'npm install && npm start\nrm -rf var' })).toBe(false);
  });

  it('runs shell examples with the allowed programs only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kursus-docs-bin-'));
    try {
      const bin = await restrictedBin(join(dir, 'bin'));
      await mkdir(join(dir, 'keep'));
      expect(await runShell('echo "$X" | grep -o b | tr b c', bin, { X: 'abc' })).toBe('c\n');
      await expect(runShell(`rm -rf ${join(dir, 'keep')}`, bin, {})).rejects.toThrow(/rm: command not found/);
      await expect(runShell('npm run demo:reset', bin, {})).rejects.toThrow(/may only run npm run/);
      await expect(runShell('npm install left-pad', bin, {})).rejects.toThrow(/may only run npm run/);
      expect(existsSync(join(dir, 'keep'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(testDatabaseKinds())('doc examples run against the demo app (%s)', (kind) => {
  let database: TestDatabase;
  let varDir: string;
  let db: Db;
  let kursus: Kursus;
  let bin: string;
  const ctx: Context = {};
  const schema = buildSchema(readFileSync('schema/schema.graphql', 'utf8'));

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    varDir = await mkdtemp(join(tmpdir(), 'kursus-docs-'));
    // Demo mode as `npm start` runs it (no NODE_ENV): simulators, demo tokens, .eml mail.
    const config = loadConfig({ DATABASE_URL: database.url, VAR_DIR: varDir, PORT: '0', LOG_LEVEL: 'silent' });
    db = await openDb(config.database);
    await migrate(db);
    kursus = await buildKursus(config, { db, logger: false, processEveryMs: 200, jobLockLifetimeMs: 4_000, httpCloseGraceMs: 2_000, jobDrainMs: 2_000 });
    await kursus.importCourses();
    await kursus.startWorker();
    const url = await kursus.listen();
    bin = await restrictedBin(join(varDir, 'doc-bin'));
    Object.assign(ctx, { KURSUS: url, COURSE_ID: WALKTHROUGH_COURSE_NO, EDITOR_TOKEN: DEMO_SECRETS.editorToken, ADMIN_TOKEN: DEMO_SECRETS.adminToken, VAR_DIR: varDir });
  }, 120_000);

  afterAll(async () => {
    await kursus?.close();
    await db?.close();
    await database?.drop();
    await rm(varDir, { recursive: true, force: true });
  });

  const blocks = docFiles().flatMap((f) => runnableBlocks(f, readFileSync(f, 'utf8')));

  it('has examples to run', () => {
    expect(blocks.filter((b) => b.lang === 'graphql').length).toBeGreaterThan(3);
  });

  // One test per block, in document order (later blocks use what earlier ones answered).
  it.each(blocks.map((b) => [`${b.file}:${b.line} (${b.lang})`, b] as const))('%s', async (_name, block) => {
    if (isTheTwoCommands(block)) return; // see the header: covered by the demo test and this run
    if (block.lang === 'graphql' || block.lang === 'gql') await runGraphQL(block, ctx.KURSUS!, ctx, schema);
    else await runShell(block.text, bin, ctx);
  });
});

describe('doc links', () => {
  it('every relative link of README.md and docs/*.md points at a file that exists (and a heading, for #anchors)', () => {
    const broken: string[] = [];
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
    for (const file of docFiles()) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#');
        const resolved = path ? join(file, '..', path) : file;
        if (!existsSync(resolved)) {
          broken.push(`${file}: ${target}`);
          continue;
        }
        if (anchor && resolved.endsWith('.md')) {
          const headings = readFileSync(resolved, 'utf8').split('\n').filter((l) => /^#+ /.test(l)).map((l) => slug(l.replace(/^#+ /, '')));
          if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
