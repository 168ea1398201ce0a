// selectBound, the storefront's reads with their values bound: the same rows as MikroORM's own
// execute() (which writes the values into the SQL text), value for value, on both databases. On
// MySQL it goes through mysql2's prepared statements outside a transaction (binary protocol:
// values and rows are encoded differently from the text protocol), so dates, booleans and
// DECIMAL sums are checked as they are bound and read back, also in a process whose time zone is
// not UTC.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jest } from '@jest/globals';
import type { Pool } from 'mysql2';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { openDb, selectBound, type Db } from '../../src/db/orm.js';
import { seatsLeftSql, shownSeatsByCourseDate } from '../../src/booking/seats.js';
import { rowMapper, type OrderRow } from '../../src/catalog/read-model.js';
import { Order } from '../../src/booking/entities.js';
import { CoursesDocument, ReserveSeatsDocument } from '../generated/graphql.js';
import { ensureBuilt } from '../faults/processes.js';

const nativePool = async (db: Db) => (db.orm.em.getConnection() as unknown as { getNativeClient(): Promise<Pool> }).getNativeClient();

describe.each(testDatabaseKinds())('selectBound on %s', (kind) => {
  let h: Harness;
  /** Opened as production opens it: no query logger. */
  let db: Db;
  let ids: string[];
  let orderId: string;

  beforeAll(async () => {
    h = await startHarness(kind);
    db = await openDb(h.config.database);
    ids = (await h.gql(CoursesDocument, { first: 5 })).data!.courses.edges.map((e) => e.node.id);
    orderId = (await h.gql(ReserveSeatsDocument, { input: { courseId: ids[0]!, seats: 2 } })).data!.reserveSeats.order.id;
  });
  afterAll(async () => {
    await db?.close();
    await h?.close();
  });

  it('answers what the ORM answers, value for value (dates, nulls, booleans, DECIMAL sums, BIGINT counts)', async () => {
    const now = new Date();
    const left = seatsLeftSql('cd', now);
    // [statement, values, rows it answers]
    const reads: [string, unknown[], number][] = [
      ['select * from course_date where id in (?, ?, ?)', ids.slice(0, 3), 3],
      ['select * from booking_order where id = ?', [orderId], 1],
      [`select cd.id, ${left.sql} as seats_left from course_date cd where cd.id in (?, ?) order by cd.id`, [...left.params, ids[0], ids[1]], 2],
      ['select count(*) as n, sum(seats) as s, max(expires_at) as e from booking_order where course_date_id = ? and created_at <= ? and expires_at > ?', [ids[0], now, new Date(now.getTime() - 60_000)], 1],
      ['select id, published from course_date where published = ? and id in (?, ?) order by id', [true, ids[0], ids[1]], 2],
      ['select id from course_date where published = ? and id in (?, ?)', [false, ids[0], ids[1]], 0],
      ['select id from booking_order where id = ? and seats = ?', [orderId, 2], 1],
    ];
    const pool = kind === 'mysql' ? await nativePool(db) : undefined;
    const prepared = pool && jest.spyOn(pool, 'execute');
    try {
      for (const [sql, params, answers] of reads) {
        const bound = await selectBound(db.em(), sql, params);
        expect(bound).toHaveLength(answers);
        expect(bound).toEqual(await db.em().getConnection().execute(sql, params, 'all'));
      }
      // The hold counted: the count a BIGINT, the sum a DECIMAL (a string on MySQL).
      const [row] = await selectBound<{ n: unknown; s: unknown }>(db.em(), reads[3]![0], reads[3]![1]);
      expect([Number(row!.n), Number(row!.s)]).toEqual([1, 2]);
      if (prepared) expect(prepared).toHaveBeenCalledTimes(reads.length + 1);
    } finally {
      prepared?.mockRestore();
    }
  });

  it("compares a hold's expiry with the read's clock to the millisecond and reads it back as written, in a process east of UTC", async () => {
    // Dates are bound and read in the pool's time zone (+00:00), never the process's: in a process
    // at +05:30 a date bound or read in local time is hours and minutes off. The time zone is set
    // when a process starts (jest's process.env is its own copy), so this runs in a child.
    ensureBuilt();
    // A whole second: MariaDB's DATETIME drops milliseconds.
    const expiry = new Date(Math.ceil(Date.now() / 1000) * 1000 + 600_000);
    await h.db.em().getConnection().execute('update booking_order set expires_at = ? where id = ?', [expiry, orderId]);
    const free = Number((await h.db.em().getConnection().execute<{ f: number }[]>('select maconomy_free_seats as f from course_date where id = ?', [ids[0]]))[0]!.f);
    const child = await runInKolkata(h.config.database.url, { orderId, dateId: ids[0]!, expiry: expiry.getTime() });
    expect(child).toEqual({ offset: -330, before: Math.max(0, free - 2), at: free, expiresAt: expiry.toISOString() });
  });

  it("inside a transaction reads on the transaction's connection: its own uncommitted write shows", async () => {
    await expect(
      db.em().transactional(async (tx) => {
        await tx.getConnection().execute('update course_date set maconomy_free_seats = ? where id = ?', [4321, ids[1]], 'run', tx.getTransactionContext());
        const [row] = await selectBound<{ f: unknown }>(tx, 'select maconomy_free_seats as f from course_date where id = ?', [ids[1]]);
        expect(Number(row!.f)).toBe(4321);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const [row] = await selectBound<{ f: unknown }>(db.em(), 'select maconomy_free_seats as f from course_date where id = ?', [ids[1]]);
    expect(Number(row!.f)).not.toBe(4321);
  });

  it("fails as the ORM's execute fails (the driver's error, its code and message)", async () => {
    const sql = 'select no_such_column from course_date where id = ?';
    const failure = (e: unknown) => {
      const { constructor, code, errno, sqlState, message } = e as { code?: unknown; errno?: unknown; sqlState?: unknown; message: string };
      return { type: constructor.name, code, errno, sqlState, message: message.includes('no_such_column') };
    };
    const viaOrm = await db.em().getConnection().execute(sql, [ids[0]], 'all').then(() => null, failure);
    expect(viaOrm).toMatchObject({ code: expect.anything(), message: true });
    expect(await selectBound(db.em(), sql, [ids[0]]).then(() => null, failure)).toEqual(viaOrm);
  });

  (kind === 'mysql' ? it : it.skip)('keeps at most 64 prepared statements per connection, the least recently used closed', async () => {
    const one = await openDb(h.config.database, { poolMax: 1 });
    try {
      // 100 texts, one per number of ids listed (as a page of 1 to 100 dates would).
      for (let n = 1; n <= 100; n++) {
        const listed = Array.from({ length: n }, (_, i) => ids[i % ids.length]!);
        const rows = await selectBound(one.em(), `select id from course_date where id in (${listed.map(() => '?').join(', ')})`, listed);
        expect(rows.length).toBe(Math.min(n, ids.length));
      }
      // mysql2's cache of the pool's one connection (its LRU closes what it drops, on the server too).
      const [conn] = (await nativePool(one) as unknown as { _allConnections: { toArray(): { _statements: { size: number } }[] } })._allConnections.toArray();
      expect(conn!._statements.size).toBe(64);
    } finally {
      await one.close();
    }
  });

  (kind === 'mysql' ? it : it.skip)("reads as text when the server's prepared statements are used up", async () => {
    const one = await openDb(h.config.database, { poolMax: 1 });
    const admin = h.db.em().getConnection();
    const [limit] = await admin.execute<{ v: string }[]>('select @@global.max_prepared_stmt_count as v');
    try {
      await admin.execute('set global max_prepared_stmt_count = 0');
      const rows = await selectBound<{ id: string }>(one.em(), 'select id from course_date where id = ?', [ids[2]]);
      expect(rows).toEqual([{ id: ids[2] }]);
    } finally {
      await admin.execute(`set global max_prepared_stmt_count = ${Number(limit!.v)}`);
      await one.close();
    }
  });
});

const module = (path: string) => JSON.stringify(pathToFileURL(resolve(path)).href);
// The child: the date's shown seats a millisecond before the hold expires and at its expiry, and
// the hold's expiry read back through the read model, with TZ=Asia/Kolkata.
// It exits only if close() ends every connection, also when all its statements were prepared reads.
const CHILD = `
import 'reflect-metadata';
const { openDb, selectBound } = await import(${module('dist/src/db/orm.js')});
const { parseDatabaseUrl } = await import(${module('dist/src/config.js')});
const { shownSeatsByCourseDate } = await import(${module('dist/src/booking/seats.js')});
const { rowMapper } = await import(${module('dist/src/catalog/read-model.js')});
const { Order } = await import(${module('dist/src/booking/entities.js')});
const { orderId, dateId, expiry } = JSON.parse(process.env.READ);
const db = await openDb(parseDatabaseUrl(process.env.DATABASE_URL));
const shown = async (at) => (await shownSeatsByCourseDate(db.em(), [dateId], new Date(at))).get(dateId);
const [order] = (await selectBound(db.em(), 'select * from booking_order where id = ?', [orderId])).map(rowMapper(db.em(), Order));
const out = { offset: new Date(expiry).getTimezoneOffset(), before: await shown(expiry - 1), at: await shown(expiry), expiresAt: order.expiresAt.toISOString() };
await db.close();
process.stdout.write(JSON.stringify(out));
`;

function runInKolkata(url: string, read: object): Promise<unknown> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { PATH: process.env.PATH ?? '', TZ: 'Asia/Kolkata', DATABASE_URL: url, READ: JSON.stringify(read) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    // A child that does not exit on its own (connections left open) is stopped and fails the test.
    const stuck = setTimeout(() => child.kill(), 20_000);
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.once('exit', (code, signal) => {
      clearTimeout(stuck);
      if (code === 0) res(JSON.parse(out));
      else rej(new Error(`child exited ${code ?? signal}: ${err.slice(0, 2000)}`));
    });
  });
}
