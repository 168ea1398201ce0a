// Many checkouts at once: every confirmation reaches the SMTP server exactly once, and no job fails
// on the way. On MySQL this once failed with InnoDB deadlocks (the outbox's sweep of stuck rows
// was a range UPDATE whose gap locks crossed concurrent deliverers' row claims); Agenda retried
// the jobs, so mail still went out, but late and after failed runs an operator would see.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until } from '../support/wait.js';

const RESERVE = 'mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id } } }';
const CHECKOUT = 'mutation C($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';
const ORDERS = 100;
const CLIENTS = 10;

describe.each(testDatabaseKinds())('confirmation mail under load on %s', (kind) => {
  let h: Harness;
  let smtp: Inbox;
  const failures: string[] = [];
  beforeAll(async () => {
    smtp = await startSmtp();
    // MACONOMY_TIMEOUT_MS at its production default: 100 checkouts put 20 syncs at a time on the
    // in-process simulator, which on two busy cores can take longer than the harness's 1 s.
    h = await startHarness(kind, { worker: true, env: { SMTP_URL: smtp.url, MAX_SEATS_PER_CLIENT: '100000', RATE_LIMIT_RESERVE_PER_MINUTE: '0', RATE_LIMIT_CHECKOUT_PER_MINUTE: '0', MACONOMY_TIMEOUT_MS: '5000' } });
    h.kursus.jobs.agenda.on('fail', (err: Error, job: { attrs: { name: string } }) => failures.push(`${job.attrs.name}: ${err.message}`));
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });

  it(`sends the ${ORDERS * 3} confirmations of ${ORDERS} concurrent checkouts once each, with no failed job`, async () => {
    const dates = (await h.raw({ query: '{ courses(first: 20, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }' })).json.data.courses.edges.map((e: any) => e.node);
    for (const d of dates) h.sim.state.setFreeSeats(d.maconomyId, 1000);
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < ORDERS) {
          const k = next++;
          const r = (await h.raw({ query: RESERVE, variables: { input: { courseId: dates[k % dates.length].id, seats: 2 } } })).json.data.reserveSeats;
          const c = await h.raw({ query: CHECKOUT, variables: { input: { orderId: r.order.id, orderToken: r.orderToken, booker: person(0, `-load${k}`), participants: [person(1, `-load${k}`), person(2, `-load${k}`)] } } });
          expect(c.json.data.checkout.order.status).toBe('PLACED');
        }
      }),
    );
    // Each booker's "booking received" at checkout (left out when Maconomy had already accepted the
    // order by the time it was queued: the confirmation says more), then the confirmations.
    const received = (m: (typeof smtp.received)[number]) => /^(Vi har modtaget|We have received) /.test(m.subject ?? '');
    const ours = () => smtp.received.filter((m) => /-load\d+@/.test(JSON.stringify(m.to)));
    const mine = () => ours().filter((m) => !received(m));
    await until(`${ORDERS * 3} confirmations`, () => mine().length >= ORDERS * 3, 60_000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${mine().length} confirmations, ${ours().length} mails in all; failed jobs: ${failures.slice(0, 3).join("; ")}`);
    });
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive now
    const recipients = mine().map((m) => JSON.stringify(m.to));
    expect(recipients).toHaveLength(ORDERS * 3);
    expect(new Set(recipients).size).toBe(ORDERS * 3);
    const receipts = ours().filter(received).map((m) => JSON.stringify(m.to));
    expect(new Set(receipts).size).toBe(receipts.length); // never twice
    expect(receipts.every((to) => /deltager0-load/.test(to))).toBe(true); // to bookers only
    expect(failures).toEqual([]);
  }, 120_000);
});
