// Db.batch, the hottest write path's transaction (a new seat hold): its statements run in a
// transaction of their own, all or nothing, on both databases; on SQLite it never runs inside
// another request's open transaction on the one connection (it waits for it), and its values are
// bound, never run as SQL.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { CoursesDocument } from '../generated/graphql.js';
import { sleep } from '../support/wait.js';

describe.each(testDatabaseKinds())('Db.batch on %s', (kind) => {
  let h: Harness;
  let id: string;
  const version = async () => Number((await h.db.em().getConnection().execute<{ v: number }[]>('select hold_version as v from course_date where id = ?', [id]))[0]!.v);
  const bump = () => ({ sql: 'update course_date set hold_version = hold_version + 1 where id = ?', params: [id] });

  beforeAll(async () => {
    h = await startHarness(kind);
    id = (await h.gql(CoursesDocument, { first: 5 })).data!.courses.edges[0]!.node.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs the statements in one transaction and answers what each wrote; a failing one undoes those before it', async () => {
    const before = await version();
    const ok = await h.db.batch([bump(), { sql: 'update course_date set hold_version = hold_version + 1 where id = ?', params: ['no such date'] }, bump()]);
    expect(ok.map((r) => r.affectedRows)).toEqual([1, 0, 1]);
    expect(await version()).toBe(before + 2);
    await expect(h.db.batch([bump(), { sql: 'insert into no_such_table values (?)', params: [1] }, bump()])).rejects.toThrow(/no_such_table/);
    expect(await version()).toBe(before + 2);
    // The connection (each pooled one, on MySQL) works on afterwards, and values are quoted, not run.
    const injection = "'; drop table course_date; --";
    const again = await Promise.all(Array.from({ length: 12 }, () => h.db.batch([{ sql: "update course_date set hold_version = hold_version + 1 where id = ? and ? <> ''", params: [id, injection] }])));
    expect(again.map((r) => r[0]!.affectedRows)).toEqual(Array(12).fill(1));
    expect(await version()).toBe(before + 14);
  });

  it('does not run inside another transaction that is open meanwhile: that one rolling back leaves the batch written', async () => {
    const before = await version();
    let batch: Promise<unknown> | undefined;
    await expect(
      h.db.em().transactional(async (tx) => {
        await tx.getConnection().execute('update course_date set hold_version = hold_version + 100 where id = ?', [id], 'run', tx.getTransactionContext());
        batch = h.db.batch([bump()]);
        await sleep(50); // the transaction stays open while the batch is sent
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await batch;
    expect(await version()).toBe(before + 1);
  });
});
