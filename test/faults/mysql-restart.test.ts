// MySQL restarted during traffic, on a dedicated throwaway MariaDB (never the shared one): while
// the server is down requests fail without hanging and /readyz says the database is unreachable;
// once it is back the same app process serves again (no restart), and every reservation that was
// answered is stored with its seats.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testDatabaseKinds } from '../support/databases.js';
import { ensureMariaDbInstalled, startThrowawayMariaDb, withMysql, type ThrowawayMariaDb } from '../support/mariadb.js';
import { until, sleep } from '../support/wait.js';
import { startHarness, type Harness } from '../support/harness.js';
import { Order } from '../../src/booking/entities.js';
import { post } from '../hostile/support.js';
import { expectLedger } from './ledger.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';
const mysqlAvailable = testDatabaseKinds().includes('mysql');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server cleanly and starts mariadbd again on the same data directory and port. */
async function restart(mdb: ThrowawayMariaDb, pid: number, whileDown: () => Promise<void>): Promise<ChildProcess> {
  const { mariadbd } = await ensureMariaDbInstalled();
  process.kill(pid, 'SIGTERM');
  await until('mariadbd stopped', () => !alive(pid), 60_000);
  await whileDown();
  const port = new URL(mdb.url).port;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const child = spawn(
    mariadbd,
    [
      '--no-defaults', `--datadir=${join(mdb.dataDir, 'data')}`, `--socket=${join(mdb.dataDir, 'again.sock')}`, `--port=${port}`,
      '--bind-address=127.0.0.1', `--pid-file=${join(mdb.dataDir, 'again.pid')}`, '--skip-name-resolve', '--skip-log-bin',
      '--innodb-buffer-pool-size=64M', '--max-connections=200', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
      '--skip-performance-schema', ...(root ? ['--user=root'] : []),
    ],
    { stdio: 'ignore' },
  );
  await until('mariadbd accepting connections again', () => withMysql(mdb.url, (c) => c.query('select 1')).then(() => true, () => false), 60_000);
  return child;
}

(mysqlAvailable ? describe : describe.skip)('MySQL restarted during traffic', () => {
  let mdb: ThrowawayMariaDb;
  let h: Harness;
  let again: ChildProcess | undefined;

  beforeAll(async () => {
    mdb = await startThrowawayMariaDb();
    const shared = process.env.MYSQL_URL;
    process.env.MYSQL_URL = mdb.url; // this suite's databases live on the dedicated server
    try {
      h = await startHarness('mysql', { env: { MACONOMY_SEAT_CACHE_MS: '0' } });
    } finally {
      process.env.MYSQL_URL = shared;
    }
  }, 120_000);
  afterAll(async () => {
    await h?.kursus.close().catch(() => {});
    await h?.db.close().catch(() => {});
    await h?.sim.close();
    again?.kill('SIGKILL');
    await mdb?.stop();
  });

  it('fails requests cleanly while the database is down and recovers without restarting the app', async () => {
    const url = `${h.url}/graphql`;
    const node = (await post(url, { query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges[0].node;
    h.sim.state.setFreeSeats(node.maconomyId, 100_000);
    const answered = new Map<string, number>();
    const failures: { status: number; code?: string }[] = [];
    let stop = false;
    const loops = Array.from({ length: 5 }, async () => {
      while (!stop) {
        const r = await post(url, { query: RESERVE, variables: { input: { courseId: node.id, seats: 1 } } }).catch(() => null);
        if (r?.json?.data?.reserveSeats) answered.set(r.json.data.reserveSeats.order.id, r.json.data.reserveSeats.order.seats);
        else failures.push({ status: r?.status ?? 0, code: r?.json?.errors?.[0]?.extensions?.code });
        await sleep(20);
      }
    });
    await until('traffic flowing', () => answered.size >= 10);
    let readyWhileDown: { status: number; body: any } | undefined;
    again = await restart(mdb, mdb.pid, async () => {
      const res = await fetch(`${h.url}/readyz`);
      readyWhileDown = { status: res.status, body: await res.json() };
      await sleep(1_000); // traffic keeps arriving while the server is gone
    });
    const answeredBefore = answered.size;
    await until('reservations succeed again', () => answered.size >= answeredBefore + 10, 60_000);
    stop = true;
    await Promise.all(loops);

    expect(readyWhileDown?.status).toBe(503);
    expect(readyWhileDown?.body.checks.database).toMatch(/^unreachable/);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect(failures.length).toBeGreaterThan(0);
    // Refused, never hung: every failure was an answer (no status 0 = no connection-level failure).
    expect(failures.filter((f) => f.status === 0)).toEqual([]);
    // ...and a typed, retryable one. (Rarely, one request caught at the exact moment the server
    // shuts down still answers INTERNAL_SERVER_ERROR; which driver error that is, is not known yet.)
    const typed = failures.filter((f) => f.code === 'SERVICE_UNAVAILABLE').length;
    expect(typed).toBeGreaterThan(0);
    expect(failures.length - typed).toBeLessThanOrEqual(2);
    await expectLedger(h.db, { confirmed: answered, maconomyParticipants: h.sim.state.participants(node.maconomyId) });
    const stored = await h.db.em().count(Order, { courseDate: node.id, status: 'RESERVED' });
    expect(stored).toBeGreaterThanOrEqual(answered.size);
    // A hold can be stored without its answer only if the connection died between commit and reply.
    expect(stored - answered.size).toBeLessThanOrEqual(failures.length);
  }, 180_000);
});
