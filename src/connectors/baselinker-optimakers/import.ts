// `baselinker-import-orders`: BaseLinker orders in `baselinkerOrderStatusToImport` become
// Optimakers orders, each exactly once. getOrders is paged by `date_confirmed_from` with a cursor
// persisted after every batch. Idempotency: one bridge_order row per BaseLinker order_id; before a
// create the row is marked (committed), and a marked row is looked up in Optimakers by its
// external id before creating again, so a crash or timeout between the call and our commit never
// duplicates. An order that cannot be mapped (currency, VAT rate) fails with a reason and the
// others go on.
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { UpstreamError } from '../commerce/http.js';
import type { BaseLinkerClient, BaseLinkerOrderWire } from './baselinker-client.js';
import type { OptimakersClient, OptimakersOrderInput } from './optimakers-client.js';
import { vatKey, type BridgeConfig } from './config.js';
import { BridgeCursor, BridgeOrder } from './entities.js';

export const CURSOR_NAME = 'baselinker-orders';
export const PAGE_SIZE = 100;
/** Batches per run, so one run never holds the job for hours; the next run continues. */
const MAX_BATCHES_PER_RUN = 50;
/** Earlier orders that are still pending or failed, retried per run. */
const RETRIES_PER_RUN = 20;
export const MAX_IMPORT_ATTEMPTS = 10;

export const externalIdOf = (orderId: number) => `BL-${orderId}`;

export interface ImportDeps {
  db: Db;
  baselinker: BaseLinkerClient;
  optimakers: OptimakersClient;
  config: BridgeConfig;
  now?: () => Date;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /** Tests: runs right after Optimakers accepted a create, before it is recorded here (simulate a crash). */
  afterCreate?: (baselinkerOrderId: number) => Promise<void> | void;
}

export interface ImportResult {
  fetched: number;
  created: number;
  adopted: number;
  alreadyImported: number;
  failed: number;
  retried: number;
  batches: number;
  cursor: number;
}

export class MappingError extends Error {
  override name = 'MappingError';
}

/** BaseLinker order -> Optimakers order, or a MappingError saying which value has no id. */
export function mapOrder(o: BaseLinkerOrderWire, config: BridgeConfig): OptimakersOrderInput {
  const om = config.optimes;
  const currency = o.currency.trim().toUpperCase();
  const currencyId = om.currencyIds[currency];
  if (!currencyId) throw new MappingError(`currency "${currency}" has no Optimakers currency id in OPTIMES_CURRENCY_IDS (mapped: ${Object.keys(om.currencyIds).join(', ')})`);
  const lines = o.products.map((p, i) => {
    const key = vatKey(p.tax_rate);
    const vatRateId = key === null ? undefined : om.vatRateIds[key];
    if (!vatRateId) {
      const shown = Number(p.tax_rate) === -1 ? 'exempt (-1)' : `${p.tax_rate}%`;
      throw new MappingError(`VAT rate ${shown} of product ${i + 1} (${p.sku || p.name}) has no Optimakers VAT rate id in OPTIMES_VAT_RATE_IDS (mapped: ${Object.keys(om.vatRateIds).map((k) => (k === '-1' ? 'zw' : k)).join(', ')})`);
    }
    if (!(p.quantity > 0)) throw new MappingError(`product ${i + 1} (${p.sku || p.name}) has quantity ${p.quantity}`);
    return { name: p.name, sku: p.sku, ean: p.ean, quantity: p.quantity, unitPriceGross: p.price_brutto, currencyId, vatRateId };
  });
  if (!lines.length) throw new MappingError('the order has no products');
  const a = om.attributes;
  return {
    externalId: externalIdOf(o.order_id),
    statusId: om.orderStatus,
    currencyId,
    customer: { name: o.invoice_fullname || o.delivery_fullname, email: o.email, phone: o.phone, attributes: [{ attributeId: a.customerLogin, value: o.user_login }] },
    delivery: { fullName: o.delivery_fullname, company: o.delivery_company, address: o.delivery_address, postcode: o.delivery_postcode, city: o.delivery_city, countryCode: o.delivery_country_code },
    attributes: [
      { attributeId: a.deliveryMethod, value: o.delivery_method },
      { attributeId: a.deliveryPrice, value: Number(o.delivery_price).toFixed(2) },
      { attributeId: a.paymentMethod, value: o.payment_method },
      { attributeId: a.additionalField1, value: o.extra_field_1 },
      { attributeId: a.additionalField2, value: o.extra_field_2 },
      { attributeId: a.note, value: o.user_comments },
    ],
    lines,
  };
}

type OneOutcome = 'created' | 'adopted' | 'already' | 'failed';

async function loadRow(db: Db, o: { order_id: number; date_confirmed: number }, now: Date): Promise<BridgeOrder> {
  const em = db.em();
  const existing = await em.findOne(BridgeOrder, { baselinkerOrderId: o.order_id });
  if (existing) return existing;
  try {
    await em.insert(BridgeOrder, { id: randomUUID(), baselinkerOrderId: o.order_id, dateConfirmed: o.date_confirmed, status: 'PENDING', attempts: 0, createdAt: now, updatedAt: now } as never);
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
  return db.em().findOneOrFail(BridgeOrder, { baselinkerOrderId: o.order_id });
}

async function importOne(deps: ImportDeps, o: BaseLinkerOrderWire): Promise<OneOutcome> {
  const { db, optimakers, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const row = await loadRow(db, o, now());
  if (row.status === 'CREATED') return 'already';
  const fail = async (reason: string, patch: Partial<BridgeOrder> = {}) => {
    await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { status: 'FAILED', reason: reason.slice(0, 2000), updatedAt: now(), ...patch });
    log?.warn({ baselinkerOrderId: o.order_id, reason }, 'baselinker-import-orders: order not imported');
    return 'failed' as const;
  };
  const adopt = async (optimakersOrderId: number) => {
    await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { status: 'CREATED', optimakersOrderId, reason: null, createStartedAt: null, importedAt: now(), updatedAt: now() });
  };

  let input: OptimakersOrderInput;
  try {
    input = mapOrder(o, config);
  } catch (err) {
    if (err instanceof MappingError) return fail(err.message, { attempts: row.attempts + 1 });
    throw err;
  }

  const lookUp = async () => (await optimakers.findOrdersByExternalId(input.externalId))[0] ?? null;
  try {
    if (row.createStartedAt) {
      const found = await lookUp();
      if (found) {
        await adopt(found.id);
        return 'adopted';
      }
    }
    // Committed before the call: if we die after Optimakers accepted it, the next run looks first.
    await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { createStartedAt: now(), attempts: row.attempts + 1, updatedAt: now() });
    let created: { id: number };
    try {
      created = await optimakers.createOrder(input);
    } catch (err) {
      if (err instanceof UpstreamError && err.ambiguous) {
        // It may have been created: look before anything else happens.
        const found = await lookUp().catch(() => null);
        if (found) {
          await adopt(found.id);
          return 'adopted';
        }
        return fail(`Optimakers did not confirm the create (${err.message}); it is looked up by ${input.externalId} before the next try`, { status: 'PENDING' });
      }
      throw err;
    }
    await deps.afterCreate?.(o.order_id);
    await adopt(created.id);
    return 'created';
  } catch (err) {
    if (err instanceof UpstreamError) {
      // A definite rejection (4xx): nothing was created, so no look-up is needed next time.
      const definite = !err.ambiguous && err.status !== undefined && err.status < 500;
      return fail(err.message, definite ? { createStartedAt: null } : {});
    }
    throw err;
  }
}

async function loadCursor(db: Db, initial: number): Promise<number> {
  const row = await db.em().findOne(BridgeCursor, { name: CURSOR_NAME });
  return row ? row.value : initial;
}

async function saveCursor(db: Db, value: number, now: Date): Promise<void> {
  const em = db.em();
  const n = await em.nativeUpdate(BridgeCursor, { name: CURSOR_NAME }, { value, updatedAt: now });
  if (n === 0) {
    try {
      await em.insert(BridgeCursor, { name: CURSOR_NAME, value, updatedAt: now });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      await db.em().nativeUpdate(BridgeCursor, { name: CURSOR_NAME }, { value, updatedAt: now });
    }
  }
}

export async function importBaseLinkerOrders(deps: ImportDeps): Promise<ImportResult> {
  const { db, baselinker, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const statusId = config.baselinker.orderStatusToImport;
  const result: ImportResult = { fetched: 0, created: 0, adopted: 0, alreadyImported: 0, failed: 0, retried: 0, batches: 0, cursor: 0 };
  const count = (o: OneOutcome) => {
    if (o === 'created') result.created++;
    else if (o === 'adopted') result.adopted++;
    else if (o === 'already') result.alreadyImported++;
    else result.failed++;
  };

  // Earlier orders still pending (a create may be in flight) or failed: fetched one by one.
  const retry = await db.em().find(BridgeOrder, { status: { $in: ['PENDING', 'FAILED'] }, attempts: { $lt: MAX_IMPORT_ATTEMPTS } }, { orderBy: { updatedAt: 'asc' }, limit: RETRIES_PER_RUN });
  for (const r of retry) {
    const { orders } = await baselinker.getOrders({ order_id: r.baselinkerOrderId });
    const o = orders[0];
    result.retried++;
    if (!o || o.order_status_id !== statusId) {
      // Left the import status (cancelled, handled by hand): not imported now, unless an earlier
      // create landed, which is then recorded.
      const found = r.createStartedAt ? (await deps.optimakers.findOrdersByExternalId(externalIdOf(r.baselinkerOrderId)))[0] : undefined;
      if (found) {
        await db.em().nativeUpdate(BridgeOrder, { id: r.id }, { status: 'CREATED', optimakersOrderId: found.id, reason: null, createStartedAt: null, importedAt: now(), updatedAt: now() });
        result.adopted++;
      } else {
        await db.em().nativeUpdate(BridgeOrder, { id: r.id }, { status: 'FAILED', attempts: MAX_IMPORT_ATTEMPTS, createStartedAt: null, reason: `no longer in BaseLinker status ${statusId}; not imported`, updatedAt: now() });
        result.failed++;
      }
      continue;
    }
    count(await importOne(deps, o));
  }

  let cursor = await loadCursor(db, config.baselinker.importFrom);
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const page = await baselinker.getOrders({ status_id: statusId, date_confirmed_from: cursor });
    result.batches++;
    result.fetched += page.received;
    for (const bad of page.invalid) {
      log?.warn({ baselinkerOrderId: bad.orderId, reason: bad.reason }, 'baselinker-import-orders: malformed order skipped');
      const id = Number(bad.orderId);
      if (Number.isSafeInteger(id) && id > 0) {
        const row = await loadRow(db, { order_id: id, date_confirmed: cursor }, now());
        if (row.status !== 'CREATED') await db.em().nativeUpdate(BridgeOrder, { id: row.id }, { status: 'FAILED', reason: bad.reason, attempts: row.attempts + 1, updatedAt: now() });
      }
      result.failed++;
    }
    for (const o of page.orders) count(await importOne(deps, o));
    if (page.received === 0 || page.lastDateConfirmed === null) break;
    const first = page.orders[0]?.date_confirmed ?? page.lastDateConfirmed;
    // A full page may end in the middle of a second: continue from that second (the orders seen
    // again are already imported); only a page that is one single second must step past it.
    const full = page.received >= PAGE_SIZE;
    const next = full && first !== page.lastDateConfirmed ? page.lastDateConfirmed : page.lastDateConfirmed + 1;
    if (full && first === page.lastDateConfirmed) log?.warn({ second: first }, 'baselinker-import-orders: 100 orders share one confirmation second; later ones in that second may be missed');
    cursor = Math.max(cursor, next);
    await saveCursor(db, cursor, now());
    if (!full) break;
  }
  result.cursor = cursor;
  return result;
}
