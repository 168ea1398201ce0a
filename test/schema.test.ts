// Generated artefacts must match the code: the committed SDL, and the migrations of every database.
import { readFileSync } from 'node:fs';
import { printKursusSchema } from '../src/graphql/schema.js';
import { pendingSchemaSql } from '../src/db/migration-tool.js';
import { testDatabaseKinds, createTestDatabase } from './support/databases.js';

test('schema/schema.graphql is up to date (run `npm run schema` after changing resolvers or types)', async () => {
  const committed = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
  expect(committed).toBe(await printKursusSchema());
});

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
