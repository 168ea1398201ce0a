// The MongoDB job store (@agendajs/mongo-backend, MONGODB_URL) end to end through the real
// `mongodb` driver: against the in-process wire-protocol stand-in (test/support/mongo-wire.ts), or
// against a real server when MONGODB_TEST_URL=mongodb://... is set. This proves Kursus's wiring
// and the queries the backend sends; only a real MongoDB proves its locking and timing (see
// docs/jobs.md).
import { Agenda, type Job } from 'agenda';
import { MongoClient, ObjectId } from 'mongodb';
import { MongoJobStore } from '../../src/jobs/runner.js';
import { startMongoWireServer, type MongoWireServer } from '../support/mongo-wire.js';
import { sleep, until } from '../support/wait.js';
import { startSmtp } from '../support/smtp.js';
import { startHarness, person } from '../support/harness.js';
import { CoursesDocument, ReserveSeatsDocument, CheckoutDocument, OrderDocument } from '../generated/graphql.js';

const real = process.env.MONGODB_TEST_URL;

describe(`MongoDB job store (${real ? 'MONGODB_TEST_URL' : 'in-process wire stand-in'})`, () => {
  let wire: MongoWireServer | undefined;
  let url: string;
  let client: MongoClient;
  let agendas: Agenda[] = [];
  let stores: MongoJobStore[] = [];
  const errors: unknown[] = [];

  function worker(name: string, opts: Partial<ConstructorParameters<typeof Agenda>[0]> = {}): Agenda {
    const store = new MongoJobStore(url, { serverSelectionTimeoutMS: 5_000 });
    stores.push(store);
    const agenda = new Agenda({ backend: store, processEvery: 50, defaultLockLifetime: 5_000, name, ...opts });
    // Only while this test's: a job still finishing after the test stopped its Agenda fails to save
    // once the store is closed, and that is not the next test's error.
    agenda.on('error', (err) => agendas.includes(agenda) && errors.push(err));
    agendas.push(agenda);
    return agenda;
  }
  const jobsCollection = () => client.db().collection('agendaJobs');

  beforeAll(async () => {
    if (real) url = real;
    else {
      wire = await startMongoWireServer();
      url = wire.url;
    }
    client = new MongoClient(url);
    await client.connect();
  });
  afterEach(async () => {
    await Promise.all(agendas.map((a) => a.stop(false)));
    // Each store has a client of its own, and Agenda.stop() closes it only for an Agenda that was
    // started; left open, its monitoring keeps jest from ending.
    await Promise.all(stores.map((s) => s.disconnect()));
    agendas = [];
    stores = [];
    errors.length = 0;
    await jobsCollection().deleteMany({});
  });
  afterAll(async () => {
    await client?.close();
    await wire?.close();
  });

  test('now, schedule and every run; the store says what it holds', async () => {
    const agenda = worker('w');
    const ran: string[] = [];
    agenda.define('once', async (job: Job<{ x: number }>) => void ran.push(`once ${job.attrs.data.x}`));
    agenda.define('later', async () => void ran.push('later'));
    agenda.define('repeat', async () => void ran.push('repeat'));
    await agenda.start();
    await agenda.now('once', { x: 1 });
    await agenda.schedule(new Date(Date.now() + 300), 'later');
    await agenda.every('1 second', 'repeat');
    await until('all three ran', () => ran.includes('once 1') && ran.includes('later') && ran.filter((r) => r === 'repeat').length >= 2, 10_000);
    const { jobs, total } = await agenda.queryJobs({ sort: { name: 'asc' } });
    expect(total).toBe(3);
    expect(jobs.map((j) => j.name)).toEqual(['later', 'once', 'repeat']);
    const repeat = jobs.find((j) => j.name === 'repeat')!;
    expect(repeat.repeatInterval).toBe('1 second');
    expect(repeat.nextRunAt!.getTime()).toBeGreaterThan(Date.now() - 2000);
    // The admin job views (jobOverview) read the overview from the store.
    const overview = await agenda.db.getJobsOverview();
    expect(overview.map((o) => o.name).sort()).toEqual(['later', 'once', 'repeat']);
    expect(overview.find((o) => o.name === 'once')).toMatchObject({ total: 1, completed: 1 });
    expect(errors).toEqual([]);
  }, 20_000);

  test('unique jobs: one row per unique key, however often it is saved', async () => {
    const agenda = worker('u');
    agenda.define('per-order', async () => {});
    for (let i = 0; i < 3; i++) await agenda.create('per-order', { orderId: 'A', attempt: i }).unique({ 'data.orderId': 'A' }).schedule('in 1 hour').save();
    await agenda.create('per-order', { orderId: 'B' }).unique({ 'data.orderId': 'B' }).schedule('in 1 hour').save();
    const rows = await jobsCollection().find({ name: 'per-order' }).sort({ 'data.orderId': 1 }).toArray();
    expect(rows.map((r) => r.data.orderId)).toEqual(['A', 'B']);
    expect(rows[0]!.data.attempt).toBe(2);
  });

  test('two workers racing for 100 jobs: each runs exactly once', async () => {
    const runs = new Map<number, string[]>();
    const workers = ['a', 'b'].map((w) => {
      const agenda = worker(w);
      agenda.define('race', async (job: Job<{ n: number }>) => {
        runs.set(job.attrs.data.n, [...(runs.get(job.attrs.data.n) ?? []), w]);
        await sleep(5);
      }, { concurrency: 10 });
      return agenda;
    });
    for (let n = 0; n < 100; n++) await workers[0]!.now('race', { n });
    await Promise.all(workers.map((w) => w.start()));
    await until('100 jobs ran', () => runs.size === 100, 30_000);
    await sleep(500);
    expect([...runs.values()].filter((who) => who.length !== 1)).toEqual([]);
    const by = (w: string) => [...runs.values()].filter((who) => who[0] === w).length;
    expect(by('a') + by('b')).toBe(100);
    expect(errors).toEqual([]);
  }, 40_000);

  test("a dead worker's lock expires and another worker takes the job over", async () => {
    const agenda = worker('survivor');
    const ran: string[] = [];
    agenda.define('orphaned', async () => void ran.push('ran'), { lockLifetime: 1_000 });
    const job = await agenda.now('orphaned');
    // As a worker that locked it and died would leave it: locked a moment ago, never finished.
    const locked = await jobsCollection().updateOne({ _id: new ObjectId(String(job.attrs._id)) }, { $set: { lockedAt: new Date(), lastModifiedBy: 'dead-worker' } });
    expect(locked.modifiedCount).toBe(1);
    await agenda.start();
    await sleep(500);
    expect(ran).toEqual([]); // still locked by the dead worker
    await until('taken over after the lock lifetime', () => ran.length === 1, 10_000);
    expect(errors).toEqual([]);
  }, 20_000);

  test('the unique index on the stand-in answers E11000 like MongoDB', async () => {
    const c = client.db().collection('uniq');
    await c.createIndex({ key: 1 }, { unique: true });
    await c.insertOne({ key: 'k' });
    await expect(c.insertOne({ key: 'k' })).rejects.toMatchObject({ code: 11000 });
    const r = await c.findOneAndUpdate({ key: 'j' }, { $set: { v: 1 }, $setOnInsert: { created: true } }, { upsert: true, returnDocument: 'after' });
    expect(r).toMatchObject({ key: 'j', v: 1, created: true });
    await c.drop();
  });

  test('the app on the Mongo store: checkout -> sync-order -> confirmation mails, and the admin job view', async () => {
    const smtp = await startSmtp();
    const h = await startHarness('sqlite', { worker: true, env: { MONGODB_URL: url, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    try {
      expect(h.kursus.jobs.store).toBe('mongodb');
      const node = (await h.gql(CoursesDocument, { first: 1, filter: { onlyAvailable: true } })).data!.courses.edges[0]!.node;
      h.sim.state.setFreeSeats(node.maconomyId, 10);
      const { order, orderToken } = (await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 2 } })).data!.reserveSeats;
      const tag = `-mongo${order.id.slice(0, 4)}`;
      const r = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: person(0, tag), participants: [person(1, tag), person(2, tag)] } });
      expect(r.errors).toBeUndefined();
      await until('SYNCED through the Mongo store', async () => (await h.gql(OrderDocument, { id: order.id, token: orderToken })).data?.order?.status === 'SYNCED', 30_000);
      await until('booker and participants confirmed', () => smtp.received.filter((m) => JSON.stringify(m.to ?? '').includes(tag)).length >= 3, 30_000);
      const rows = await jobsCollection().find({ name: 'sync-order', 'data.orderId': order.id }).toArray();
      expect(rows).toHaveLength(1);
      const view = () => h.raw({ query: '{ jobOverview { name total } jobs(name: "sync-order") { name state } }' }, { authorization: 'Bearer admin-secret' });
      const overview = await until('the job recorded as completed', async () => {
        const v = await view();
        return v.json.data?.jobs?.[0]?.state === 'completed' ? v : null;
      }, 20_000);
      expect(overview.json.errors).toBeUndefined();
      expect(overview.json.data.jobOverview.find((j: { name: string }) => j.name === 'sync-order')?.total).toBeGreaterThanOrEqual(1);
      expect(overview.json.data.jobs[0]).toMatchObject({ name: 'sync-order', state: 'completed' });
    } finally {
      await h.close();
      await smtp.close();
    }
  }, 90_000);
});
