// The nightly gdpr-cleanup also prunes the commerce connectors' personal data: Jubelio sales orders
// the ERP acknowledged and that have not changed for GDPR_RETENTION_DAYS go (with their event
// history); unacknowledged ones stay whatever their age, so no order is lost; webhook bodies still
// stored after the period are cleared. Run through the real Agenda job.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { until } from '../support/wait.js';
import { applySalesOrderEvent } from '../../src/connectors/jubelio/sales-orders.js';
import { JubelioSalesOrder, JubelioSalesOrderEvent } from '../../src/connectors/jubelio/entities.js';
import { WebhookDelivery } from '../../src/connectors/commerce/entities.js';
import { JOBS } from '../../src/jobs/registry.js';

const DAY = 86_400_000;

describe.each(testDatabaseKinds())('connector data retention on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { worker: true, env: { GDPR_RETENTION_DAYS: '30' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deletes acknowledged Jubelio orders past retention with their history, keeps the others, clears old webhook bodies', async () => {
    const now = Date.now();
    const order = (id: number, name: string) => ({ salesorder_id: id, salesorder_no: `SO-${id}`, status: 'PAID', customer_name: name, shipping_address: 'Jl. Sudirman 1' });
    // 90 days old and acknowledged: goes. 90 days old, never acknowledged: stays. Acknowledged but recent: stays.
    await applySalesOrderEvent(h.db, order(9001, 'Budi Santoso'), new Date(now - 90 * DAY));
    await applySalesOrderEvent(h.db, { ...order(9001, 'Budi Santoso'), status: 'SHIPPED' }, new Date(now - 89 * DAY));
    await applySalesOrderEvent(h.db, order(9002, 'Siti Rahayu'), new Date(now - 90 * DAY));
    await applySalesOrderEvent(h.db, order(9003, 'Agus Wijaya'), new Date(now - 2 * DAY));
    await h.db.em().nativeUpdate(JubelioSalesOrder, { salesorderId: { $in: [9001, 9003] } }, { ackedVersion: 2 });
    const em = h.db.em();
    em.create(WebhookDelivery, { provider: 'jubelio', deliveryKey: 'old-unprocessed', event: 'update-salesorder', body: '{"customer_name":"Budi Santoso"}', status: 'FAILED', nextAttemptAt: new Date(now), receivedAt: new Date(now - 60 * DAY) });
    em.create(WebhookDelivery, { provider: 'jubelio', deliveryKey: 'recent-unprocessed', event: 'update-salesorder', body: '{"customer_name":"Agus Wijaya"}', status: 'RECEIVED', nextAttemptAt: new Date(now + DAY), receivedAt: new Date(now - DAY) });
    await em.flush();

    await h.kursus.jobs.agenda.now(JOBS.gdprCleanup);
    await until('gdpr-cleanup to prune the acknowledged old order', async () => !(await h.db.em().count(JubelioSalesOrder, { salesorderId: 9001 })));

    const left = (await h.db.em().find(JubelioSalesOrder, {}, { orderBy: { salesorderId: 'asc' } })).map((o) => o.salesorderId);
    expect(left).toEqual([9002, 9003]);
    const events = await h.db.em().find(JubelioSalesOrderEvent, {}, { populate: ['salesOrder'] });
    expect(events.map((e) => e.salesOrder.salesorderId).sort()).toEqual([9002, 9003]);
    await until('the old webhook body to be cleared', async () => (await h.db.em().findOneOrFail(WebhookDelivery, { deliveryKey: 'old-unprocessed' })).body === null);
    expect((await h.db.em().findOneOrFail(WebhookDelivery, { deliveryKey: 'recent-unprocessed' })).body).toContain('Agus Wijaya');
  });
});
