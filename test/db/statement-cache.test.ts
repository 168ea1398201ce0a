// SQLite keeps the prepared form of its reads per SQL text, at most 256 (src/db/orm.ts). MikroORM
// writes a read's values into its text (an order by its id), so a stream of one-off reads goes
// through that cache too: the storefront's hot statements, read all the while, must stay in it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import Database from 'libsql';
import { openDb, selectBound, type Db } from '../../src/db/orm.js';

describe('the SQLite statement cache', () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kursus-statements-'));
    db = await openDb({ kind: 'sqlite', url: `sqlite:${dir}/s.db`, sqlitePath: join(dir, 's.db') });
    const conn = db.em().getConnection();
    await conn.execute('create table thing (id integer primary key, name text)');
    await conn.execute("insert into thing (id, name) values (1, 'one'), (2, 'two')");
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a statement read all the while through a thousand one-off reads, and drops the one-off ones first', async () => {
    const prepare = jest.spyOn((Database as unknown as { prototype: { prepare(sql: string): unknown } }).prototype, 'prepare');
    try {
      const HOT = 'select id, name from thing where id = ?';
      const hot = () => selectBound<{ name: string }>(db.em(), HOT, [2]);
      expect((await hot())[0]!.name).toBe('two');
      for (let i = 0; i < 1_000; i++) {
        // Each its own text: MikroORM inlines the value.
        const rows = await db.em().getConnection().execute<{ id: number }[]>('select id from thing where id = ? or id = ?', [1, 1_000 + i], 'all');
        expect(rows).toHaveLength(1);
        if (i % 50 === 0) expect((await hot())[0]!.name).toBe('two');
      }
      const prepared = prepare.mock.calls.map(([sql]) => sql);
      expect(prepared.filter((sql) => sql === HOT)).toHaveLength(1);
      // Every one-off read was prepared (once each), so the cache did turn over.
      expect(prepared.filter((sql) => sql.startsWith('select id from thing where')).length).toBeGreaterThanOrEqual(1_000);
    } finally {
      prepare.mockRestore();
    }
  });
});
