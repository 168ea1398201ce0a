// Which Agenda store the runner uses. No MongoDB server can run on these machines, so the MongoDB
// side is tested as far as it goes without one: MONGODB_URL selects @agendajs/mongo-backend, and a
// MongoDB that cannot be reached fails the connection with an error naming MONGODB_URL (without
// the password) instead of hanging.
import { createServer } from 'node:net';
import { MongoBackend } from '@agendajs/mongo-backend';
import { loadConfig, parseDatabaseUrl } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/orm.js';
import { createBackend, jobStore, MongoJobStore } from '../../src/jobs/runner.js';
import { withoutCredentials } from '../../src/config.js';
import { SqlAgendaBackend } from '../../src/jobs/sql-backend.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/** A loopback port nothing listens on (connections are refused at once). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('job store selection', () => {
  let tdb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    tdb = await createTestDatabase('sqlite');
    db = await openDb(parseDatabaseUrl(tdb.url));
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('uses the SQL store in the project database when MONGODB_URL is not set', () => {
    const config = loadConfig({ DATABASE_URL: tdb.url });
    expect(jobStore(config)).toBe('sql');
    const backend = createBackend(config, db);
    expect(backend).toBeInstanceOf(SqlAgendaBackend);
    expect(backend).not.toBeInstanceOf(MongoBackend);
  });

  it('uses @agendajs/mongo-backend when MONGODB_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: tdb.url, MONGODB_URL: 'mongodb://jobs.example.internal:27017/kursus' });
    expect(jobStore(config)).toBe('mongodb');
    const backend = createBackend(config, db);
    expect(backend).toBeInstanceOf(MongoBackend);
    expect(backend).toBeInstanceOf(MongoJobStore);
    expect(backend.name).toBe('MongoDB');
    // It owns its client, so agenda.stop() closes it.
    expect(backend.ownsConnection).toBe(true);
  });

  it('fails to connect to an unreachable MongoDB with an error that names MONGODB_URL and hides the password', async () => {
    const port = await closedPort();
    const url = `mongodb://kursus:s3cret-pw@127.0.0.1:${port}/kursus`;
    const config = loadConfig({ DATABASE_URL: tdb.url, MONGODB_URL: url });
    const backend = createBackend(config, db, { mongoServerSelectionTimeoutMs: 300 });
    const error = await backend.connect().then(
      () => null,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain('MONGODB_URL');
    expect(error!.message).toContain(`mongodb://***@127.0.0.1:${port}/kursus`);
    expect(error!.message).not.toContain('s3cret-pw');
    await backend.disconnect().catch(() => undefined);
  });

  it('rejects a MONGODB_URL that is not a MongoDB URL at start-up', () => {
    expect(() => loadConfig({ DATABASE_URL: tdb.url, MONGODB_URL: 'mysql://localhost/jobs' })).toThrow(/MONGODB_URL must start with mongodb:\/\//);
  });

  it('keeps credentials out of the URL it reports', () => {
    expect(withoutCredentials('mongodb+srv://u:p@cluster0.example.net/jobs?retryWrites=true', '***')).toBe('mongodb+srv://***@cluster0.example.net/jobs?retryWrites=true');
    expect(withoutCredentials('mongodb://db1:27017,db2:27017/jobs', '***')).toBe('mongodb://db1:27017,db2:27017/jobs');
  });
});
