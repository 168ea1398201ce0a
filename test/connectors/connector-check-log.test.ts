// `npm run connector-check` records its calls in the request/response log like the server does:
// runConnectorCheck against the built-in simulators (demo mode), on a migrated database, leaves
// one redacted outbound entry per call.
import { createTestDatabase, testDatabaseKinds } from '../support/databases.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { openDb, migrate } from '../../src/db/orm.js';
import { runConnectorCheck } from '../../src/connectors/commerce/cli.js';
import { HttpLogEntry } from '../../src/connectors/http-log/index.js';
import { DEMO_JUBELIO } from '../../src/connectors/jubelio/config.js';

describe.each(testDatabaseKinds())('connector-check and the request/response log on %s', (kind) => {
  test('the check calls are recorded outbound, credentials redacted', async () => {
    const database = await createTestDatabase(kind);
    const db = await openDb(parseDatabaseUrl(database.url));
    const saved = { ...process.env };
    const write = process.stdout.write;
    let printed = '';
    try {
      await migrate(db);
      Object.assign(process.env, { NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
      process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
      const warnings: string[] = [];
      const code = await runConnectorCheck('jubelio', { info: () => undefined, warn: (_o, m) => void warnings.push(m ?? '') });
      process.stdout.write = write;
      expect(printed).toMatch(/OK\s+jubelio/);
      expect(code).toBe(0);
      expect(warnings.join('\n')).not.toMatch(/not recorded/);
      const rows = await db.em().find(HttpLogEntry, { system: 'jubelio' });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.find((r) => r.url.endsWith('/login'))).toMatchObject({ direction: 'out', method: 'POST', status: 200 });
      const all = JSON.stringify(rows);
      expect(all).not.toContain(DEMO_JUBELIO.password);
    } finally {
      process.stdout.write = write;
      process.env = saved;
      await db.close();
      await database.drop();
    }
  });
});
