// New reservations on the fallback path (count held seats, then insert; used where a server
// refuses the one-statement conditional insert): the same guarantees, on every test database.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, errorCodes, type Harness } from '../support/harness.js';
import { CoursesDocument, ReserveSeatsDocument } from '../generated/graphql.js';

describe.each(testDatabaseKinds())('reservations counted first on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { build: { conditionalHoldInsert: false } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gives exactly 10 of 40 concurrent reservations when 10 seats are free, the rest SOLD_OUT, and stores only those', async () => {
    const node = (await h.gql(CoursesDocument, { first: 1, filter: { onlyAvailable: true } })).data!.courses.edges[0]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 10);
    const answers = await Promise.all(Array.from({ length: 40 }, () => h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 1 } })));
    const ok = answers.filter((r) => r.data?.reserveSeats);
    expect(ok).toHaveLength(10);
    expect(answers.filter((r) => errorCodes(r)[0] === 'SOLD_OUT')).toHaveLength(30);
    const rows = await h.db.em().getConnection().execute<{ n: number | string }[]>('select count(*) as n from booking_order where course_date_id = ?', [node.id]);
    expect(Number(rows[0]!.n)).toBe(10);
  });
});
