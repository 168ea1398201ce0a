// The product as a real process: a worker killed with SIGKILL in the middle of sending an order to
// Maconomy (another worker finishes the job, each participant once), and the API stopped with
// SIGTERM under load (every answered reservation is stored, no stored hold lacks its answer, and
// the holds are still there afterwards).
import { testDatabaseKinds } from '../support/databases.js';
import { until } from '../support/wait.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { Order } from '../../src/booking/entities.js';
import { externalRef } from '../../src/booking/sync.js';
import { post } from '../hostile/support.js';
import { expectLedger } from './ledger.js';
import { ensureBuilt, freePort, startKursusProcess } from './processes.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';
const CHECKOUT = 'mutation C($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';

beforeAll(() => ensureBuilt(), 180_000);

describe.each(testDatabaseKinds())('worker crash and SIGTERM on %s', (kind) => {
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    h = await startHarness(kind);
    url = `${h.url}/graphql`;
  });
  afterAll(async () => {
    await h?.close();
  });

  const childEnv = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: h.config.database.url,
    MACONOMY_URL: h.sim.url,
    MACONOMY_TOKEN: 'demo-maconomy-token',
    VAR_DIR: `/tmp/kursus-fault-var-${process.pid}`,
    RATE_LIMIT_RESERVE_PER_MINUTE: '0',
    RATE_LIMIT_CHECKOUT_PER_MINUTE: '0',
    MAX_SEATS_PER_CLIENT: '100000',
    ...extra,
  });

  it('a worker killed mid-sync: another worker takes the job over and Maconomy gets each participant once', async () => {
    const node = (await post(url, { query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges[0].node;
    h.sim.state.setFreeSeats(node.maconomyId, 30);
    const r = (await post(url, { query: RESERVE, variables: { input: { courseId: node.id, seats: 3 } } })).json.data.reserveSeats;
    // A Maconomy that does not refuse a repeated external_ref, so a participant sent twice is
    // stored twice and the ledger sees it. It accepts the first participant and then never
    // answers: the worker is stuck mid-job.
    h.sim.faults.dedupeExternalRef = false;
    h.sim.faults.acceptThenHangNext(1);
    const worker = startKursusProcess('worker', childEnv({ MACONOMY_TIMEOUT_MS: '120000' }));
    try {
      const tag = `-kill${r.order.id.slice(0, 4)}`;
      const c = await post(url, { query: CHECKOUT, variables: { input: { orderId: r.order.id, orderToken: r.orderToken, booker: person(0, tag), participants: [1, 2, 3].map((i) => person(i, tag)) } } });
      expect(c.json.data.checkout.order.status).toBe('PLACED');
      await until('participant 1 created by the child worker', () => h.sim.state.participants(node.maconomyId).some((p) => p.external_ref === externalRef(r.order.id, 1)), 30_000);
      worker.child.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
    } finally {
      worker.child.kill('SIGKILL');
    }
    expect((await h.db.em().findOneOrFail(Order, { id: r.order.id })).status).toBe('PLACED');
    h.sim.faults.clear();
    h.sim.faults.dedupeExternalRef = false; // clear() restored the default
    // A second worker (this process; its lock lifetime is 4 s) finds the dead worker's lock expired.
    await h.kursus.startWorker();
    await until('SYNCED by the second worker', async () => (await h.db.em().findOne(Order, { id: r.order.id }))?.status === 'SYNCED', 40_000);
    await expectLedger(h.db, { confirmed: new Map([[r.order.id, 3]]), maconomyParticipants: h.sim.state.participants(node.maconomyId), synced: [r.order.id] });
    await h.kursus.jobs.stop();
    h.sim.faults.clear();
  });

  it('SIGTERM under load: in-flight reservations finish, nothing is cut mid-write, holds survive', async () => {
    const node = (await post(url, { query: '{ courses(first: 2, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges[1].node;
    h.sim.state.setFreeSeats(node.maconomyId, 100_000);
    h.sim.faults.latencyMs = 30; // requests are in flight when the signal arrives
    const port = await freePort();
    const api = startKursusProcess('api', childEnv({ PORT: String(port) }));
    const apiUrl = `http://127.0.0.1:${port}/graphql`;
    try {
      await until('child API listening', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).then((x) => x.ok, () => false)), 30_000);
      const answered: { id: string; token: string; seats: number }[] = [];
      const refusedCodes: string[] = [];
      let connectionErrors = 0;
      const serverErrors: number[] = [];
      let closingAnswers = 0;
      let stop = false;
      const loops = Array.from({ length: 20 }, async (_, i) => {
        while (!stop) {
          try {
            const res = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: RESERVE, variables: { input: { courseId: node.id, seats: 1 + (i % 2) } } }) });
            const json = (await res.json()) as any;
            // While closing, Fastify answers requests that arrive on open connections with 503
            // (and closes them): a clear "try again", with nothing written.
            if (res.status === 503) closingAnswers++;
            else if (res.status >= 500) serverErrors.push(res.status);
            else if (json.data?.reserveSeats) answered.push({ id: json.data.reserveSeats.order.id, token: json.data.reserveSeats.orderToken, seats: json.data.reserveSeats.order.seats });
            else refusedCodes.push(json.errors?.[0]?.extensions?.code);
          } catch {
            connectionErrors++; // refused or closed before an answer: the server must have written nothing for it
            if (api.child.exitCode !== null) return;
          }
        }
      });
      await until('some reservations answered', () => answered.length >= 20, 30_000);
      api.child.kill('SIGTERM');
      const exit = await api.exited;
      stop = true;
      await Promise.all(loops);
      expect(exit.code).toBe(0);
      expect(api.output.join('')).toContain('stopped cleanly');
      expect(serverErrors).toEqual([]);
      expect(refusedCodes.filter((c) => c !== undefined)).toEqual([]);
      // Every answered hold is stored with its seats; every stored hold on this date was answered.
      const stored = await h.db.em().find(Order, { courseDate: node.id, status: 'RESERVED' });
      expect(stored.map((o) => o.id).sort()).toEqual(answered.map((a) => a.id).sort());
      await expectLedger(h.db, { confirmed: new Map(answered.map((a) => [a.id, a.seats])), maconomyParticipants: h.sim.state.participants(node.maconomyId) });
      // And the holds are usable after the restart (the harness app serves the same database).
      const some = answered[answered.length - 1]!;
      const read = await post(url, { query: 'query($id: ID!, $token: String!) { order(id: $id, token: $token) { status seats } }', variables: { id: some.id, token: some.token } });
      expect(read.json.data.order).toEqual({ status: 'RESERVED', seats: some.seats });
    } finally {
      h.sim.faults.clear();
      api.child.kill('SIGKILL');
    }
  });
});
