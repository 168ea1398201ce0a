// `jubelio-push-products`: sends staged products whose content Jubelio does not have yet to
// `POST /inventory/catalog/`, creating a product group (one SKU) the first time and editing it by
// its `item_group_id` afterwards. Each row ends pushed or failed with the reason. A create is
// recorded before it is sent, so one whose answer was lost (crash, timeout) is found by SKU next
// time instead of being created twice.
import type { Db } from '../../db/orm.js';
import { UpstreamError } from '../commerce/http.js';
import type { JubelioClient, JubelioCatalogInput } from './client.js';
import type { JubelioConfig } from './config.js';
import { JubelioProduct } from './entities.js';

/** A product that failed this often for a temporary reason waits until the ERP stages a change. */
export const MAX_PUSH_ATTEMPTS = 5;
const CONCURRENCY = 4;

export interface PushDeps {
  db: Db;
  client: JubelioClient;
  config: JubelioConfig;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  now?: () => Date;
}

export interface PushResult {
  pushed: number;
  created: number;
  updated: number;
  failed: number;
  /** Due products left for the next run (batch size). */
  remaining: number;
}

function catalogBody(row: JubelioProduct, config: JubelioConfig): JubelioCatalogInput {
  const d = row.data;
  return {
    item_group_id: row.itemGroupId ?? 0,
    item_group_name: d.name,
    description: d.description,
    sell_price: d.sellPrice,
    buy_price: d.buyPrice,
    uom_id: d.uomId ?? config.defaults.uomId,
    item_category_id: d.categoryId ?? config.defaults.categoryId,
    brand_id: d.brandId ?? config.defaults.brandId,
    product_skus: [{ item_id: row.itemId ?? 0, item_code: d.sku, sell_price: d.sellPrice, buy_price: d.buyPrice, barcode: d.barcode, variation_values: [] }],
  };
}

/**
 * Records a finished push of the version `hash`. The row is `pushed` only while the staged version
 * is still the one sent; if the ERP staged another one meanwhile (even the version Jubelio had
 * before, which staging marks pushed), Jubelio now holds `hash`, so the row goes back to pending.
 * Both updates are conditional, so a staging that commits between them is seen by the next try.
 */
async function recordPushed(db: Db, id: string, hash: string, ids: Partial<JubelioProduct>): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await db.em().nativeUpdate(JubelioProduct, { id, contentHash: hash }, { ...ids, status: 'pushed' })) return;
    if (await db.em().nativeUpdate(JubelioProduct, { id, contentHash: { $ne: hash } }, { ...ids, status: 'pending' })) return;
  }
}

export async function pushProducts(deps: PushDeps): Promise<PushResult> {
  const now = deps.now ?? (() => new Date());
  const { db, client, config, log } = deps;
  const due = { status: { $in: ['pending', 'failed'] as ('pending' | 'failed')[] }, attempts: { $lt: MAX_PUSH_ATTEMPTS } };
  const rows = await db.em().find(JubelioProduct, due, { orderBy: { updatedAt: 'asc', id: 'asc' }, limit: config.pushBatch });
  const result: PushResult = { pushed: 0, created: 0, updated: 0, failed: 0, remaining: 0 };

  const pushOne = async (row: JubelioProduct) => {
    const hash = row.contentHash;
    try {
      if (row.itemGroupId == null && row.createStartedAt) {
        // An earlier create may have landed without us recording it.
        const found = await client.findItemBySku(row.sku);
        if (found) Object.assign(row, { itemGroupId: found.itemGroupId, itemId: found.itemId });
      }
      const creating = row.itemGroupId == null;
      if (creating) await db.em().nativeUpdate(JubelioProduct, { id: row.id }, { createStartedAt: now() });
      let saved: { id: number; itemIds: number[] };
      try {
        saved = await client.saveProductGroup(catalogBody(row, config));
      } catch (err) {
        // The SKU exists in Jubelio already (created by hand, or by a create whose answer was lost).
        if (!(creating && err instanceof UpstreamError && err.status === 400 && /exist/i.test(err.message))) throw err;
        const found = await client.findItemBySku(row.sku);
        if (!found) throw err;
        Object.assign(row, { itemGroupId: found.itemGroupId, itemId: found.itemId });
        saved = await client.saveProductGroup(catalogBody(row, config));
      }
      const ids = { itemGroupId: saved.id, itemId: saved.itemIds[0] ?? row.itemId ?? null, createStartedAt: null, pushedHash: hash, pushedAt: now(), attempts: 0, lastError: null };
      await recordPushed(db, row.id, hash, ids);
      result.pushed++;
      if (creating) result.created++;
      else result.updated++;
    } catch (err) {
      const e = err as UpstreamError;
      if (e instanceof UpstreamError && /rejected the login/.test(e.message)) {
        // Every other product would fail the same way: stop the run and say why.
        loginRejected = e;
        queue.length = 0;
        return;
      }
      const permanent = e instanceof UpstreamError && !e.retryable && !e.ambiguous && e.status !== undefined && e.status < 500;
      const patch: Partial<JubelioProduct> = {
        status: 'failed',
        lastError: (e.message ?? String(err)).slice(0, 2000),
        // A rejection (4xx) will not change by itself: wait for the ERP to stage a fix.
        attempts: permanent ? MAX_PUSH_ATTEMPTS : row.attempts + 1,
      };
      if (e instanceof UpstreamError && e.status === 404 && row.itemGroupId != null) {
        // The group was deleted in Jubelio: create it again on the next run.
        Object.assign(patch, { itemGroupId: null, itemId: null, createStartedAt: null, attempts: row.attempts + 1, lastError: `Jubelio no longer has item group ${row.itemGroupId}; it will be created again` });
      }
      if (!(e instanceof UpstreamError && e.ambiguous)) patch.createStartedAt = null;
      const n = await db.em().nativeUpdate(JubelioProduct, { id: row.id, contentHash: hash }, patch);
      if (n === 0 && e instanceof UpstreamError && e.ambiguous) {
        // The ERP staged another version while this one was in flight, and this one may have
        // landed: what Jubelio holds is unknown, so the staged version is sent again.
        await db.em().nativeUpdate(JubelioProduct, { id: row.id, contentHash: { $ne: hash } }, { pushedHash: null, status: 'pending' });
      }
      result.failed++;
      log?.warn({ sku: row.sku, error: patch.lastError }, 'jubelio-push-products: product not pushed');
    }
  };

  let loginRejected: Error | null = null;
  const queue = [...rows];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await pushOne(row);
    }),
  );
  if (loginRejected) {
    // The ERP reads the push status, not our job runs: say on every waiting row why it waits.
    // Failed rows keep the reason Jubelio gave for them.
    const reason = `not pushed yet: ${(loginRejected as Error).message}`.slice(0, 2000);
    await db.em().nativeUpdate(JubelioProduct, { ...due, status: 'pending' }, { lastError: reason });
    throw loginRejected;
  }
  result.remaining = await db.em().count(JubelioProduct, due);
  if (rows.length) log?.info({ ...result }, 'jubelio-push-products: run finished');
  return result;
}
