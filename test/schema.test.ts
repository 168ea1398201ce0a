// Generated artefacts must match the code: the committed SDL, and the migrations of every database.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { printKursusSchema } from '../src/graphql/schema.js';
import { pendingSchemaSql } from '../src/db/migration-tool.js';
import { testDatabaseKinds, createTestDatabase } from './support/databases.js';

test('schema/schema.graphql is up to date (run `npm run schema` after changing resolvers or types)', async () => {
  const committed = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
  expect(committed).toBe(await printKursusSchema());
});

test('test/generated/graphql.ts is what codegen.yml makes of the committed SDL and test/**/*.graphql (run `npm run codegen`)', async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'kursus-codegen-'));
  try {
    // The project's own codegen.yml, with only the output moved to a temp file.
    const config = readFileSync(join(root, 'codegen.yml'), 'utf8').replace('test/generated/graphql.ts:', `${JSON.stringify(join(dir, 'graphql.ts'))}:`);
    writeFileSync(join(dir, 'codegen.yml'), config);
    await promisify(execFile)(process.execPath, [join(root, 'node_modules', '@graphql-codegen', 'cli', 'cjs', 'bin.js'), '--config', join(dir, 'codegen.yml')], { cwd: root });
    expect(readFileSync(join(dir, 'graphql.ts'), 'utf8')).toBe(readFileSync(join(root, 'test', 'generated', 'graphql.ts'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe.each(testDatabaseKinds())('migrations on %s', (kind) => {
  test('applying every migration yields exactly the schema the entities describe', async () => {
    const database = await createTestDatabase(kind);
    try {
      const diff = await pendingSchemaSql(database.url);
      // A non-empty diff means an entity changed without a migration: run src/db/migration-tool.
      expect(diff.trim()).toBe('');
    } finally {
      await database.drop();
    }
  });
});
