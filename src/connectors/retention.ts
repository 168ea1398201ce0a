// Personal data held by the commerce connectors follows the bookings' retention
// (GDPR_RETENTION_DAYS) and is pruned by the same nightly gdpr-cleanup job:
// - Jubelio sales orders (customer names, addresses, phone numbers in the order and in its event
//   history) that the ERP has acknowledged and that have not changed for the retention period are
//   deleted. An order the ERP has not acknowledged is kept whatever its age: deleting it would lose
//   an order nobody has received.
// - Webhook bodies still stored (deliveries that never processed) are cleared after the period;
//   the delivery rows stay, without personal data, for the record.
// BaseLinker <-> Optimakers bridge rows hold ids and statuses only.
import type { Db } from '../db/orm.js';

export interface ConnectorRetentionResult {
  salesOrdersDeleted: number;
  webhookBodiesCleared: number;
}

export async function pruneConnectorPersonalData(
  db: Db,
  opts: { cutoff: Date; batchSize?: number; log?: { info(o: object, m?: string): void } },
): Promise<ConnectorRetentionResult> {
  const batchSize = opts.batchSize ?? 1000;
  const result: ConnectorRetentionResult = { salesOrdersDeleted: 0, webhookBodiesCleared: 0 };
  for (;;) {
    const rows = await db
      .em()
      .getConnection()
      .execute<{ id: string }[]>('select id from jubelio_sales_order where changed_at < ? and acked_version >= version limit ?', [opts.cutoff, batchSize]);
    if (!rows.length) break;
    const ids = rows.map((r) => r.id);
    const marks = ids.map(() => '?').join(', ');
    await db.em().transactional(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      await conn.execute(`delete from jubelio_sales_order_event where sales_order_id in (${marks})`, ids, 'run', ctx);
      // Conditional again: an order that changed since the select (a new version) is kept.
      const deleted = await conn.execute<{ affectedRows: number }>(
        `delete from jubelio_sales_order where id in (${marks}) and changed_at < ? and acked_version >= version`,
        [...ids, opts.cutoff],
        'run',
        ctx,
      );
      result.salesOrdersDeleted += deleted.affectedRows ?? 0;
    });
    opts.log?.info({ salesOrdersDeleted: result.salesOrdersDeleted }, 'gdpr-cleanup: Jubelio sales orders past retention deleted');
    if (rows.length < batchSize) break;
  }
  const cleared = await db
    .em()
    .getConnection()
    .execute<{ affectedRows: number }>('update commerce_webhook_delivery set body = null where body is not null and received_at < ?', [opts.cutoff], 'run');
  result.webhookBodiesCleared = cleared.affectedRows ?? 0;
  return result;
}
