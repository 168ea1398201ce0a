// A seat hold's SQLite transaction alone, three ways, in one process (docs/benchmarks.md, "The
// eleventh pass"): through the app's Db.batch, as bare libsql calls on the same connection, and
// through Node's own node:sqlite on a copy of the database (another file: two SQLite libraries on
// one file in one process would not see each other's POSIX locks). The statement and its values
// are the ones a reservation runs (captured from the booking service), with a new order id, token
// and customer each time.
//   node dist/test/bench/hold-micro.js [--n=2000] [--rounds=4]
import 'reflect-metadata';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startMicroAppWithSimulator } from './micro-app.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(arg('n') ?? 2000);
const rounds = Number(arg('rounds') ?? 4);

interface LibsqlConnection {
  exec(sql: string): void;
  prepare(sql: string): { run(params: unknown[]): { changes: number | bigint } };
}

const { kursus, db, dir, sqliteFile, close } = await startMicroAppWithSimulator('hold-micro', { LOG_LEVEL: 'warn' });
const em = db.em();
const dates = await em.getConnection().execute<{ id: string; sync_seq: number }[]>("select id, sync_seq from course_date where published = 1 and status = 'OPEN' limit 100");

// Two reservations of one date through the booking service, to take the statement the second sends
// to SQLite: the most common kind, which reuses the first one's Maconomy answer.
let sql: string | undefined;
const batch = db.batch;
db.batch = (statements) => {
  sql = statements.at(-1)!.sql;
  return batch(statements);
};
for (const customer of ['11.0.0.1', '11.0.0.2']) await kursus.booking.reserveSeats({ courseId: dates[0]!.id, seats: 1, clientKey: customer });
db.batch = batch;
if (!sql?.startsWith('insert into booking_order') || !sql.includes('cd.sync_seq = ?')) throw new Error(`not the conditional insert of a hold that reuses an answer: ${sql}`);

// The values in the order the conditional insert binds them (booking/service.ts holdInOneGo, seats.ts):
// the new order's columns, then the date's conditions, its held seats and the customer's cap.
let k = 0;
function holdValues(dateValue: (d: Date) => Date | number, yes: boolean | number): unknown[] {
  const i = k++;
  const at = new Date();
  const date = dates[i % dates.length]!;
  const customer = `12.0.${(i >> 8) & 255}.${i & 255}`;
  return [`hold-micro-${i}`, 'RESERVED', 1, dateValue(new Date(at.getTime() + 20 * 60_000)), `token-${i}`, customer, 0, dateValue(at), dateValue(at), date.id, yes, date.sync_seq, date.id, dateValue(at), date.sync_seq, 1_000_000, customer, dateValue(at), 39];
}
// Dates as the app binds them (Db.batch maps them) and as SQLite stores them (bare calls).
const asDate = (d: Date) => d;
const asMillis = (d: Date) => d.getTime();
if (holdValues(asDate, true).length !== sql.split('?').length - 1) throw new Error('the hold statement binds other values than hold-micro knows: update holdValues');
function mustHold(changes: number | bigint | undefined, way: string) {
  if (Number(changes) !== 1) throw new Error(`${way}: the hold wrote ${changes} rows`);
}

const native = await (em.getConnection() as unknown as { getNativeClient(): Promise<LibsqlConnection> }).getNativeClient();
native.exec('pragma wal_checkpoint(truncate)');
const copy = join(dir, 'node-sqlite.db');
copyFileSync(sqliteFile, copy);
const nodeDb = new DatabaseSync(copy);
nodeDb.exec('pragma journal_mode = wal');
nodeDb.exec('pragma synchronous = normal');
const libsqlInsert = native.prepare(sql);
const nodeInsert = nodeDb.prepare(sql);

// Each way's holds are deleted after its round (not measured), so that every round starts from the
// same table: the held-seats sum reads the holds of the date, and the two libsql ways share a file.
const clearLibsql = () => native.exec("delete from booking_order where id like 'hold-micro-%'");
const clearNode = () => nodeDb.exec("delete from booking_order where id like 'hold-micro-%'");
const ways: [string, () => Promise<void> | void, () => void][] = [
  ['Db.batch', async () => mustHold((await db.batch([{ sql: sql!, params: holdValues(asDate, true) }]))[0]?.affectedRows, 'Db.batch'), clearLibsql],
  ['libsql, bare', () => {
    native.exec('begin immediate');
    mustHold(libsqlInsert.run(holdValues(asMillis, 1)).changes, 'libsql');
    native.exec('commit');
  }, clearLibsql],
  ['node:sqlite', () => {
    nodeDb.exec('begin immediate');
    mustHold(nodeInsert.run(...(holdValues(asMillis, 1) as (string | number)[])).changes, 'node:sqlite');
    nodeDb.exec('commit');
  }, clearNode],
];
for (const [, hold, clear] of ways) {
  for (let i = 0; i < 300; i++) await hold();
  clear();
}
for (let round = 1; round <= rounds; round++) {
  // Each round in another order: this machine's speed drifts within seconds.
  const order = round % 2 ? ways : [...ways].reverse();
  const figures: string[] = [];
  for (const [name, hold, clear] of order) {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await hold();
    const cpu = process.cpuUsage(before);
    clear();
    figures.push(`${name} ${((cpu.user + cpu.system) / n).toFixed(1)} µs`);
  }
  process.stderr.write(`round ${round}, CPU per hold transaction: ${figures.join('; ')}\n`);
}
nodeDb.close();
await close();
process.exit(0);
