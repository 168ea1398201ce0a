// The shown seats of a storefront read (versionAndSeats): on SQLite the last answer is reused
// while nothing was written and no hold has expired, so an uncached read usually runs no statement;
// every write (this process's or another's) and every expiry is seen by the next read, exactly as
// when each read asked the database. MySQL asks every time. The reads of one event-loop turn share
// one statement; a read that arrives after a write never gets an earlier statement's answer.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { openDb, type Db } from '../../src/db/orm.js';
import { versionAndSeats } from '../../src/catalog/catalogue-memory.js';
import { CoursesDocument, ReserveSeatsDocument } from '../generated/graphql.js';

describe.each(testDatabaseKinds())('shown seats of a read on %s', (kind) => {
  let h: Harness;
  /** A second connection, as a second API process would have, that counts its seat statements. */
  let reader: Db;
  let statements = 0;
  let dates: { id: string; maconomyId: string }[];

  beforeAll(async () => {
    h = await startHarness(kind);
    reader = await openDb(h.config.database, { onQuery: (sql) => void (/seats_left/.test(sql) && statements++) });
    dates = (await h.gql(CoursesDocument, { first: 5 })).data!.courses.edges.map((e) => e.node);
  });
  afterAll(async () => {
    await reader?.close();
    await h?.close();
  });

  /** The seats of `ids` as a read of the reader's at `at` sees them, and how many statements it ran. */
  async function read(ids: string[], at = new Date()) {
    const before = statements;
    const { seats } = await versionAndSeats(reader.em(), ids, at);
    return { seats: ids.map((id) => seats.get(id)), statements: statements - before };
  }
  const setFree = (db: Db, id: string, n: number) => db.em().getConnection().execute('update course_date set maconomy_free_seats = ? where id = ?', [n, id]);

  it('reuses the last answer only while nothing was written and no hold expired', async () => {
    const [date, other] = dates as [{ id: string; maconomyId: string }, { id: string; maconomyId: string }];
    const asked = kind === 'sqlite' ? 0 : 1; // statements a repeated read runs
    await setFree(h.db, date.id, 7);
    expect(await read([date.id])).toEqual({ seats: [7], statements: 1 });
    expect(await read([date.id])).toEqual({ seats: [7], statements: asked });

    // Another connection (another process) holds 2 seats: the next read shows it.
    h.sim.state.setFreeSeats(date.maconomyId, 7);
    const hold = (await h.gql(ReserveSeatsDocument, { input: { courseId: date.id, seats: 2 } })).data!.reserveSeats.order;
    expect(await read([date.id])).toEqual({ seats: [5], statements: 1 });
    expect(await read([date.id])).toEqual({ seats: [5], statements: asked });

    // A date not read before is asked for; the one read before still answers from the same answer.
    const both = await read([date.id, other.id]);
    expect(both.statements).toBe(1);
    expect(both.seats[0]).toBe(5);
    expect(await read([other.id, date.id])).toEqual({ seats: [both.seats[1], 5], statements: asked });

    // Nothing is written when the hold expires: time alone frees its seats in the first read after.
    const expired = new Date(new Date(hold.expiresAt!).getTime() + 1);
    expect(await read([date.id], expired)).toEqual({ seats: [7], statements: 1 });
    expect(await read([date.id], expired)).toEqual({ seats: [7], statements: asked });
    // A clock that goes back to before that answer is not answered from it.
    expect(await read([date.id])).toEqual({ seats: [5], statements: 1 });

    // A write on the reader's own connection (which SQLite's data_version does not count) shows too,
    // also one with RETURNING (as the ORM inserts), which libsql counts as a reader.
    await setFree(reader, date.id, 9);
    expect(await read([date.id])).toEqual({ seats: [7], statements: 1 });
    expect(await read([date.id])).toEqual({ seats: [7], statements: asked });
    if (kind === 'sqlite') {
      // (MariaDB has no UPDATE ... RETURNING.)
      await reader.em().getConnection().execute('update course_date set maconomy_free_seats = ? where id = ? returning id', [10, date.id]);
      expect(await read([date.id])).toEqual({ seats: [8], statements: 1 });
    }
  });

  it('shares one statement among the reads of one turn, and never with a read that arrives after a write', async () => {
    const [date, other] = dates as [{ id: string; maconomyId: string }, { id: string; maconomyId: string }];
    // (The first test's hold of 2 seats on `date` is still live.)
    await setFree(h.db, date.id, 8);
    await setFree(h.db, other.id, 4);
    // Ten reads asked in the same turn (as ten requests parsed in one poll phase): one statement,
    // each read answered for its own dates.
    const before = statements;
    const em = reader.em();
    const turn = await Promise.all(Array.from({ length: 10 }, (_, i) => versionAndSeats(em, i % 2 ? [date.id] : [date.id, other.id], new Date())));
    expect(statements - before).toBe(1);
    for (const { seats } of turn) expect([seats.get(date.id), seats.get(other.id)]).toEqual([6, 4]);

    // A read asked while an earlier turn's statement is on its way (MySQL: a network round trip)
    // gets a statement of its own, not the earlier one's answer: 2 statements. (SQLite answers both
    // from the memo of the reads above: nothing was written since.)
    const counted = statements;
    const first = versionAndSeats(em, [date.id], new Date());
    await new Promise((resolve) => setImmediate(resolve)); // the first read's statement is sent
    await Promise.all([first, versionAndSeats(em, [date.id], new Date())]);
    expect(statements - counted).toBe(kind === 'sqlite' ? 0 : 2);

    // And after a write that committed before it arrived, a read shows the write; the read from
    // before the write shows the count from before it.
    const earlier = versionAndSeats(em, [date.id], new Date());
    await new Promise((resolve) => setImmediate(resolve));
    await setFree(h.db, date.id, 5);
    expect((await read([date.id])).seats).toEqual([3]);
    expect((await earlier).seats.get(date.id)).toBe(6);
  });
});
