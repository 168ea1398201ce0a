// The interleaving that oversold, repeated with the product as separate processes on one
// database: two API processes (this one and a child) and two worker processes. Each trial: a date
// with 2 free seats in Maconomy, an order takes both and checks out; while a worker sends it to
// Maconomy (about a second later), both APIs keep asking for one more seat, with Maconomy answers
// reused for up to 2 s. Nothing may be held beyond what Maconomy has, and the order must be
// accepted in full (a seat sold twice would make Maconomy refuse a participant).
import { testDatabaseKinds } from '../support/databases.js';
import { until, sleep } from '../support/wait.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { Order } from '../../src/booking/entities.js';
import { post } from '../hostile/support.js';
import { ensureBuilt, freePort, startKursusProcess, type KursusProcess } from './processes.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';
const CHECKOUT = 'mutation C($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';
const TRIALS = 4;

beforeAll(() => ensureBuilt(), 180_000);

describe.each(testDatabaseKinds())('no overselling with API and worker processes apart, on %s', (kind) => {
  let h: Harness;
  const children: KursusProcess[] = [];
  let apis: string[];

  beforeAll(async () => {
    h = await startHarness(kind, { env: { MACONOMY_SEAT_CACHE_MS: '2000' } });
    const env = {
      DATABASE_URL: h.config.database.url,
      MACONOMY_URL: h.sim.url,
      MACONOMY_TOKEN: 'demo-maconomy-token',
      MACONOMY_SEAT_CACHE_MS: '2000',
      VAR_DIR: `/tmp/kursus-erp-var-${process.pid}`,
      RATE_LIMIT_RESERVE_PER_MINUTE: '0',
      RATE_LIMIT_CHECKOUT_PER_MINUTE: '0',
      RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE: '0',
      MAX_SEATS_PER_CLIENT: '100000',
      LOG_LEVEL: 'warn',
    };
    const port = await freePort();
    children.push(startKursusProcess('api', { ...env, PORT: String(port) }), startKursusProcess('worker', env), startKursusProcess('worker', env));
    apis = [`${h.url}/graphql`, `http://127.0.0.1:${port}/graphql`];
    await until('child API listening', async () => fetch(`http://127.0.0.1:${port}/healthz`).then((x) => x.ok, () => false), 60_000);
    await sleep(1_000); // the workers' first poll
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await h?.close();
  });

  it(`holds nothing beyond Maconomy's seats in ${TRIALS} trials of a sync racing reservations`, async () => {
    const nodes = (await post(apis[0]!, { query: `{ courses(first: ${TRIALS}, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }` })).json.data.courses.edges;
    for (let t = 0; t < TRIALS; t++) {
      const node = nodes[t].node;
      h.sim.state.setFreeSeats(node.maconomyId, 2);
      const a = (await post(apis[t % 2]!, { query: RESERVE, variables: { input: { courseId: node.id, seats: 2 } } })).json.data.reserveSeats;
      const tag = `-p${t}${a.order.id.slice(0, 4)}`;
      const c = await post(apis[(t + 1) % 2]!, { query: CHECKOUT, variables: { input: { orderId: a.order.id, orderToken: a.orderToken, booker: person(0, tag), participants: [person(1, tag), person(2, tag)] } } });
      expect(c.json.data.checkout.order.status).toBe('PLACED');
      const extra: string[] = [];
      const until3s = Date.now() + 3_000;
      await Promise.all(
        apis.flatMap((api) =>
          [0, 1].map(async () => {
            while (Date.now() < until3s) {
              const r = await post(api, { query: RESERVE, variables: { input: { courseId: node.id, seats: 1 } } });
              if (r.json?.data?.reserveSeats) extra.push(r.json.data.reserveSeats.order.id);
              else expect(['SOLD_OUT', 'UPSTREAM_UNAVAILABLE']).toContain(r.json?.errors?.[0]?.extensions?.code);
              await sleep(20);
            }
          }),
        ),
      );
      expect(extra).toEqual([]); // Maconomy had exactly the 2 seats the order took
      await until(`trial ${t}: order accepted`, async () => (await h.db.em().fork().findOne(Order, { id: a.order.id }))?.status !== 'PLACED', 30_000);
      const order = await h.db.em().fork().findOneOrFail(Order, { id: a.order.id });
      expect(order.status).toBe('SYNCED');
      expect(h.sim.state.participants(node.maconomyId).filter((p) => p.external_ref.startsWith(a.order.id))).toHaveLength(2);
    }
  }, 180_000);
});
