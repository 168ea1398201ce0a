// Agenda jobs of the Jubelio gateway and the BaseLinker <-> Optimakers bridge. Handlers are thin:
// they call the connector services and record each run (counts, errors) for admins. A job of a
// disabled connector does nothing and says so.
import { backoffStrategies, type Agenda, type Job } from 'agenda';
import type { Config } from '../../config.js';
import type { Db, Em } from '../../db/orm.js';
import { enqueueJob } from '../../jobs/sql-backend.js';
import type { CommerceConnectors } from './connectors.js';
import { processDeliveries, recordRun } from './deliveries.js';
import { pushProducts } from '../jubelio/push.js';
import { fetchMaskedSalesOrders, handleJubelioDelivery } from '../jubelio/sales-orders.js';
import { importBaseLinkerOrders } from '../baselinker-optimakers/import.js';
import { handleOptimakersDelivery, retryRealisedStatuses } from '../baselinker-optimakers/webhooks.js';

export const COMMERCE_JOBS = {
  jubelioPushProducts: 'jubelio-push-products',
  jubelioProcessWebhooks: 'jubelio-process-webhooks',
  jubelioFetchSalesOrders: 'jubelio-fetch-sales-orders',
  baselinkerImportOrders: 'baselinker-import-orders',
  optimakersProcessWebhooks: 'optimakers-process-webhooks',
} as const;
export type CommerceJobName = (typeof COMMERCE_JOBS)[keyof typeof COMMERCE_JOBS];

export interface CommerceJobDeps {
  config: Config;
  db: Db;
  commerce?: CommerceConnectors;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
  now?: () => Date;
}

/** Recurring intervals from configuration (they override the SCHEDULES defaults when the worker starts). */
export function commerceIntervals(config: Pick<Config, 'jubelio' | 'bridge'>): Record<CommerceJobName, string> {
  return {
    'jubelio-push-products': `${config.jubelio.pushMinutes} minute${config.jubelio.pushMinutes === 1 ? '' : 's'}`,
    'jubelio-process-webhooks': '1 minute',
    'jubelio-fetch-sales-orders': '5 minutes',
    'baselinker-import-orders': `${config.bridge.baselinker.importMinutes} minute${config.bridge.baselinker.importMinutes === 1 ? '' : 's'}`,
    'optimakers-process-webhooks': '1 minute',
  };
}

export async function scheduleCommerceRecurring(agenda: Agenda, config: Pick<Config, 'jubelio' | 'bridge'>, timezone: string): Promise<void> {
  for (const [name, interval] of Object.entries(commerceIntervals(config))) await agenda.every(interval, name, undefined, { timezone, skipImmediate: true });
}

/** Queues the processing of a stored delivery in the caller's transaction (SQL job store). */
export async function enqueueDeliveryJob(em: Em, name: CommerceJobName, deliveryId: string, now: Date): Promise<void> {
  await enqueueJob(em, { name, data: { deliveryId }, nextRunAt: now, priority: 5 });
}

const idle = (r: object) => Object.values(r).every((v) => v === 0);

/**
 * Keeps a long run's lock fresh (a third of its lifetime at a time), so a run that is slow but
 * alive (a large push, a rate-limited import) is never taken for dead and started a second time.
 */
async function keepLocked<T>(job: Job, fn: () => Promise<T>): Promise<T> {
  const lifetime = job.agenda.definitions[job.attrs.name]?.lockLifetime ?? 10 * 60_000;
  const timer = setInterval(() => void job.touch().catch(() => undefined), Math.max(250, Math.floor(lifetime / 3)));
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

export function defineCommerceJobs(agenda: Agenda, deps: CommerceJobDeps, opts: { lockLifetimeMs?: number } = {}): void {
  const now = deps.now ?? (() => new Date());
  const { db, log } = deps;
  const lock = (ms: number) => Math.min(ms, opts.lockLifetimeMs ?? ms);
  const disabled = (name: string, what: string) => {
    log.info({ job: name }, `${name}: the ${what} is not configured (disabled); nothing to do`);
  };

  agenda.define(
    COMMERCE_JOBS.jubelioPushProducts,
    async (job) => {
      const client = deps.commerce?.jubelio;
      if (!client) return disabled(COMMERCE_JOBS.jubelioPushProducts, 'Jubelio gateway');
      await keepLocked(job, () =>
        recordRun(db, COMMERCE_JOBS.jubelioPushProducts, now, async () => {
          const r = await pushProducts({ db, client, config: deps.config.jubelio, log, now });
          return { pushed: r.pushed, created: r.created, updated: r.updated, failed: r.failed, remaining: r.remaining };
        }, { skipIfIdle: (r) => r.pushed === 0 && r.failed === 0, partial: (r) => (r.failed ? `${r.failed} products not pushed; see GET /api/connectors/jubelio/products?status=failed` : null) }),
      );
    },
    { concurrency: 1, lockLifetime: lock(30 * 60_000) },
  );

  agenda.define<{ deliveryId?: string }>(
    COMMERCE_JOBS.jubelioProcessWebhooks,
    async (job) => {
      let needsFetch = false;
      await recordRun(db, COMMERCE_JOBS.jubelioProcessWebhooks, now, async () => {
        const r = await processDeliveries(
          db,
          'jubelio',
          async (d) => {
            const outcome = await handleJubelioDelivery(db, d, now());
            if ('needsFetch' in outcome && outcome.needsFetch) needsFetch = true;
            return outcome;
          },
          { now, onlyId: job.attrs.data?.deliveryId },
        );
        return r;
      }, { skipIfIdle: idle, partial: (r) => (r.failed ? `${r.failed} deliveries failed` : null) });
      // Masked names: fetch the full order right away rather than at the next scheduled run.
      if (needsFetch && deps.commerce?.jubelio) await agenda.now(COMMERCE_JOBS.jubelioFetchSalesOrders, {});
    },
    { concurrency: 5, lockLifetime: lock(10 * 60_000) },
  );

  agenda.define(
    COMMERCE_JOBS.jubelioFetchSalesOrders,
    async () => {
      const client = deps.commerce?.jubelio;
      if (!client) return disabled(COMMERCE_JOBS.jubelioFetchSalesOrders, 'Jubelio gateway');
      await recordRun(db, COMMERCE_JOBS.jubelioFetchSalesOrders, now, () => fetchMaskedSalesOrders({ db, client, now, log }), {
        skipIfIdle: idle,
        partial: (r) => (r.failed ? `${r.failed} full orders could not be fetched from Jubelio` : null),
      });
    },
    { concurrency: 1, lockLifetime: lock(10 * 60_000), backoff: backoffStrategies.exponential({ delay: 30_000, maxRetries: 3 }) },
  );

  agenda.define(
    COMMERCE_JOBS.baselinkerImportOrders,
    async (job) => {
      const c = deps.commerce;
      if (!c?.baselinker || !c.optimakers) return disabled(COMMERCE_JOBS.baselinkerImportOrders, 'BaseLinker-Optimakers bridge');
      await keepLocked(job, () => recordRun(
        db,
        COMMERCE_JOBS.baselinkerImportOrders,
        now,
        async () => {
          const r = await importBaseLinkerOrders({ db, baselinker: c.baselinker!, optimakers: c.optimakers!, config: deps.config.bridge, log, now, afterCreate: c.hooks.afterCreate });
          log.info({ ...r }, 'baselinker-import-orders: run finished');
          return r;
        },
        { partial: (r) => (r.failed ? `${r.failed} orders not imported; see GET /api/admin/connectors/bridge/orders?status=FAILED` : null) },
      ));
    },
    { concurrency: 1, lockLifetime: lock(30 * 60_000) },
  );

  agenda.define<{ deliveryId?: string }>(
    COMMERCE_JOBS.optimakersProcessWebhooks,
    async (job) => {
      const c = deps.commerce;
      if (!c?.baselinker || !c.optimakers) return disabled(COMMERCE_JOBS.optimakersProcessWebhooks, 'BaseLinker-Optimakers bridge');
      const pdeps = { db, baselinker: c.baselinker, optimakers: c.optimakers, config: deps.config.bridge, now, log };
      await recordRun(
        db,
        COMMERCE_JOBS.optimakersProcessWebhooks,
        now,
        async () => {
          const r = await processDeliveries(db, 'optimakers', (d) => handleOptimakersDelivery(pdeps, d), { now, onlyId: job.attrs.data?.deliveryId });
          // A sweep (no delivery id) also finishes realised orders whose status could not be set.
          const statusesRetried = job.attrs.data?.deliveryId ? 0 : await retryRealisedStatuses(pdeps);
          return { ...r, statusesRetried };
        },
        { skipIfIdle: idle, partial: (r) => (r.failed ? `${r.failed} deliveries failed` : null) },
      );
    },
    { concurrency: 5, lockLifetime: lock(10 * 60_000) },
  );
}
