// One storefront read statement on MySQL, three ways, in one process: the app CPU per statement
// of MikroORM's execute() (values written into the text, mysql2's text protocol), of mysql2's
// prepared-statement execute() on the same pool (binary protocol, prepared form kept per
// connection), and of selectBound as built. For deciding (and re-checking) which way
// selectBound goes on MySQL; the database is one a bench or read-micro --keep left behind.
//   node dist/test/bench/mysql-statement-micro.js --db=mysql://root@127.0.0.1:3306/kursus [--n=500] [--rounds=20] [--statement=seats|dates|order] [--logged]
import 'reflect-metadata';
import { openDb, selectBound, type Em } from '../../src/db/orm.js';
import { seatsLeftSql } from '../../src/booking/seats.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const url = arg('db');
if (!url) throw new Error('--db=mysql://... (a database with the bench catalogue)');
const n = Number(arg('n') ?? 500);
const rounds = Number(arg('rounds') ?? 20);

// --logged: with a query logger, as the tests that count queries open it (selectBound then times and logs each statement).
const db = await openDb({ kind: 'mysql', url } as never, process.argv.includes('--logged') ? { onQuery: () => {} } : {});
const em = db.em();
const ids = (await em.getConnection().execute<{ id: string }[]>('select id from course_date order by id limit 20')).map((r) => r.id);
const left = seatsLeftSql('cd', new Date());
const [order] = await em.getConnection().execute<{ id: string }[]>('select id from booking_order limit 1');
// --statement=seats (default): the catalogue's uncached read (versionAndSeats on MySQL), its
// version and 20 listed dates' shown seats. dates: one date's row (course(id)). order: an order's row.
const statements: Record<string, [string, unknown[]]> = {
  seats: [
    `select cv.version, cd.id, ${left.sql} as seats_left, null as next_expiry from catalog_version cv left join course_date cd on cd.id in (${ids.map(() => '?').join(', ')}) where cv.id = 1`,
    [...left.params, ...ids],
  ],
  dates: ['select * from course_date where id in (?)', [ids[0]]],
  order: ['select * from booking_order where id = ?', [order?.id ?? 'none']],
};
const [sql, params] = statements[arg('statement') ?? 'seats']!;

const conn = em.getConnection();
const pool = (await (conn as unknown as { getNativeClient(): Promise<any> }).getNativeClient()) as {
  execute(sql: string, values: unknown[], cb: (err: Error | null, rows: unknown) => void): void;
  query(sql: string, cb: (err: Error | null, rows: unknown) => void): void;
};
const platform = em.getPlatform();
const ways: Record<string, () => Promise<unknown>> = {
  'orm execute': () => conn.execute(sql, params, 'all'),
  'mysql2 execute': () => new Promise((resolve, reject) => pool.execute(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)))),
  'mysql2 query, orm-formatted': () => new Promise((resolve, reject) => pool.query(platform.formatQuery(sql, params), (err, rows) => (err ? reject(err) : resolve(rows)))),
  selectBound: () => selectBound(em as Em, sql, params),
};
// --only=<way>: that way alone (for a --cpu-prof of it).
const only = arg('only');
if (only) for (const name of Object.keys(ways)) if (name !== only) delete ways[name];
for (const run of Object.values(ways)) for (let i = 0; i < 300; i++) await run();
// Short blocks of each way in turn, many times: the machine's other load falls on all of them alike.
const cpuOf: Record<string, number[]> = {};
const wallOf: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(ways)) {
    const before = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run();
    const cpu = process.cpuUsage(before);
    (cpuOf[name] ??= []).push((cpu.user + cpu.system) / n);
    (wallOf[name] ??= []).push(((performance.now() - t0) * 1000) / n);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = cpuOf['orm execute'];
for (const name of Object.keys(ways)) {
  // Against the ORM's execute() in the same round: each pair ran within a second of each other.
  const saved = base && name !== 'orm execute' ? `, ${median(base.map((b, r) => b - cpuOf[name]![r]!)).toFixed(1)} µs CPU less than orm execute (median of the rounds' differences)` : '';
  process.stdout.write(`${name}: ${median(cpuOf[name]!).toFixed(1)} µs CPU, ${Math.round(median(wallOf[name]!))} µs wall per statement (median of ${rounds} blocks of ${n})${saved}\n`);
}
await db.close();
