// Production on MySQL 8 uses @mikro-orm/mysql; the machines here have MariaDB, for which the app
// picks @mikro-orm/mariadb. This suite forces the MySQL driver onto the MariaDB server, so its
// code path (connection setup, migrations, transactions, the job store) is exercised too.
import { MySqlDriver } from '@mikro-orm/mysql';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, person, errorCodes, type Harness } from '../support/harness.js';
import { CoursesDocument, ReserveSeatsDocument, CheckoutDocument, OrderDocument } from '../generated/graphql.js';
import { until } from '../support/wait.js';

const hasMysql = testDatabaseKinds().includes('mysql');

(hasMysql ? describe : describe.skip)('the @mikro-orm/mysql driver (MySQL 8 production path) on the test MySQL server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('mysql', { mysqlDriver: 'mysql', worker: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is the driver in use, migrates, lists, holds exactly the free seats, checks out and syncs', async () => {
    expect(h.db.orm.em.getDriver()).toBeInstanceOf(MySqlDriver);
    expect(h.db.orm.em.getDriver().constructor.name).toBe('MySqlDriver'); // not its MariaDB subclass
    const level = await h.db.em().transactional(async (tx) => {
      const read = async (v: string) => (await tx.getConnection().execute<{ v: string }[]>(`select @@session.${v} as v`, [], 'all', tx.getTransactionContext()))[0]!.v;
      return read('transaction_isolation').catch(() => read('tx_isolation'));
    });
    expect(level).toBe('READ-COMMITTED');

    const node = (await h.gql(CoursesDocument, { first: 5, filter: { onlyAvailable: true } })).data!.courses.edges[0]!.node;
    h.sim.state.setFreeSeats(node.maconomyId, 5);
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats: 1 } })));
    const won = answers.filter((a) => a.data?.reserveSeats);
    expect(won).toHaveLength(5);
    expect(answers.filter((a) => errorCodes(a)[0] === 'SOLD_OUT')).toHaveLength(15);

    const { order, orderToken } = won[0]!.data!.reserveSeats;
    const placed = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker: person(1, '-mysqldriver'), participants: [person(1, '-mysqldriver')] } });
    expect(placed.errors).toBeUndefined();
    expect(placed.data!.checkout.order.status).toBe('PLACED');
    const synced = await until('order synced through the SQL job store', async () => {
      const r = await h.gql(OrderDocument, { id: order.id, token: orderToken });
      return r.data?.order?.status === 'SYNCED' ? r.data.order : null;
    }, 20_000);
    expect(synced.status).toBe('SYNCED');
  });
});
