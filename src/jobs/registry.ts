// The job registry: every background job of ARCHITECTURE section 6, its schedule and its handler.
// Handlers are thin: they call the domain functions (booking/sync.ts, catalog/import.ts, ...).
import { Agenda, backoffStrategies, type Job } from 'agenda';
import type { Config } from '../config.js';
import type { JobDeps } from './types.js';

export type { JobDeps } from './types.js';
import type { Db, Em } from '../db/orm.js';
import { pushCourseDatesToWordPress } from '../integrations/wordpress/push.js';
import { importCourses } from '../catalog/import.js';
import { sendParticipantLists } from '../catalog/participant-list.js';
import { markSyncFailed, recordSyncError, syncOrder } from '../booking/sync.js';
import { clearReservations, gdprCleanup } from '../booking/housekeeping.js';
import { orderMails } from '../booking/confirmation.js';
import { Order } from '../booking/entities.js';
import { reconcileSeats } from '../booking/reconcile.js';
import { deliverMail, enqueueMail, enqueueMails } from '../mail/outbox.js';
import { orderSyncFailedAlert, partialSyncAlert, seatDriftAlert } from '../mail/templates.js';
import { enqueueJobs } from './sql-backend.js';
import { pruneFinishedJobs } from './retention.js';
import { defineConnectorJobs } from '../connectors/jobs.js';
import { pruneConnectorPersonalData } from '../connectors/retention.js';
import { COMMERCE_JOBS, defineCommerceJobs } from '../connectors/commerce/jobs.js';

export const JOBS = {
  syncOrder: 'sync-order',
  sendOrderConfirmation: 'send-order-confirmation',
  importCourses: 'import-courses',
  pushWordpress: 'push-wordpress',
  clearReservations: 'clear-reservations',
  gdprCleanup: 'gdpr-cleanup',
  sendParticipantList: 'send-participant-list',
  syncPendingOrders: 'sync-pending-orders',
  reconcileSeats: 'reconcile-seats',
  deliverMail: 'deliver-mail',
  httpLogPrune: 'http-log-prune',
  requestOutCall: 'request-out-call',
  requestOutReap: 'request-out-reap',
  ...COMMERCE_JOBS,
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Recurring schedules (contract). Cron expressions run in TZ_SCHEDULE. */
export const SCHEDULES: { name: JobName; interval: string; description: string }[] = [
  { name: JOBS.importCourses, interval: '0 * * * *', description: 'hourly, on the hour' },
  { name: JOBS.clearReservations, interval: '*/5 * * * *', description: 'every 5 minutes' },
  { name: JOBS.gdprCleanup, interval: '0 4 * * *', description: 'daily 04:00' },
  { name: JOBS.sendParticipantList, interval: '0 7 * * *', description: 'daily 07:00' },
  { name: JOBS.syncPendingOrders, interval: '* * * * *', description: 'every minute' },
  // RECONCILE_MINUTES replaces this default when the worker starts (scheduleRecurring).
  { name: JOBS.reconcileSeats, interval: '10 minutes', description: 'every RECONCILE_MINUTES (default 10)' },
  { name: JOBS.deliverMail, interval: '* * * * *', description: 'every minute (mail retries)' },
  { name: JOBS.httpLogPrune, interval: '30 3 * * *', description: 'daily 03:30' },
  { name: JOBS.requestOutReap, interval: '* * * * *', description: 'every minute (Request Out tickets whose job was lost)' },
  // Commerce connectors: the configured intervals (JUBELIO_PUSH_MINUTES, BASELINKER_IMPORT_MINUTES) replace these defaults when the worker starts.
  { name: JOBS.jubelioPushProducts, interval: '5 minutes', description: 'every JUBELIO_PUSH_MINUTES (default 5)' },
  { name: JOBS.jubelioProcessWebhooks, interval: '1 minute', description: 'on each webhook, and every minute as a safety net' },
  { name: JOBS.jubelioFetchSalesOrders, interval: '5 minutes', description: 'after masked orders arrive, and every 5 minutes' },
  { name: JOBS.baselinkerImportOrders, interval: '5 minutes', description: 'every BASELINKER_IMPORT_MINUTES (default 5)' },
  { name: JOBS.optimakersProcessWebhooks, interval: '1 minute', description: 'on each webhook, and every minute as a safety net' },
];


/** How sync-order retries: exponential from 5 s, SYNC_ATTEMPTS attempts in all. */
export function syncOrderBackoff(config: Config) {
  return backoffStrategies.exponential({ delay: 5_000, maxRetries: config.jobs.syncAttempts - 1, factor: 2, maxDelay: 30 * 60_000, jitter: 0.1 });
}

export const SYNC_DELAY_MS = 1_000;

/**
 * Enqueue inside the caller's transaction (SQL store): the job exists exactly when the row that
 * caused it was committed. With the MongoDB store this is impossible, so `afterCommit` schedules
 * through Agenda and `sync-pending-orders` covers a crash between commit and schedule.
 */
export async function enqueueAfterCheckout(em: Em, orderId: string, now: Date, requestId?: string): Promise<void> {
  // The checkout's request id travels in the job data, so the jobs' log lines carry it too.
  const data = requestId ? { orderId, requestId } : { orderId };
  await enqueueJobs(em, [
    { name: JOBS.syncOrder, data, nextRunAt: new Date(now.getTime() + SYNC_DELAY_MS), priority: 10 },
    { name: JOBS.sendOrderConfirmation, data, nextRunAt: now, priority: 5 },
  ]);
}

// Long by design: one definition per job (handler, concurrency, lock, backoff), listed together so
// the whole schedule of work can be read in one place.
export function defineJobs(agenda: Agenda, deps: JobDeps): void {
  const now = deps.now ?? (() => new Date());
  const { config, db, log } = deps;
  const mailFrom = config.mail.from;
  const deliver = (scope: { orderId?: string } = {}) => deliverMail({ db, transport: deps.mail, from: mailFrom, now, log, ...scope });

  agenda.define<{ orderId: string }>(
    JOBS.syncOrder,
    async (job: Job<{ orderId: string }>) => {
      const { orderId } = job.attrs.data;
      try {
        const outcome = await syncOrder(
          {
            db,
            maconomy: deps.maconomy,
            seats: deps.seats,
            maxAttempts: config.jobs.syncAttempts,
            now,
            log,
            // With the outcome, in one transaction: the job that queues and sends the mails it calls
            // for (outbox keys: once each). A MongoDB store gets the job after commit, below. Only
            // a job row here: the transaction holds the database's write lock (SQLite), so the
            // mails are rendered and queued by that job, not while syncs wait.
            onAccepted: async (em, id) => {
              if (!config.jobs.mongodbUrl) await enqueueJobs(em, [{ name: JOBS.sendOrderConfirmation, data: { orderId: id }, nextRunAt: now(), priority: 5 }]);
            },
          },
          orderId,
        );
        if (outcome.status === 'synced' || outcome.status === 'partially-synced') {
          deps.onCatalogChanged?.([]);
          if (config.jobs.mongodbUrl) await agenda.now(JOBS.sendOrderConfirmation, { orderId });
        }
      } catch (err) {
        await recordSyncError(db, orderId, (err as Error).message, now());
        throw err; // Agenda retries with backoff
      }
    },
    // Mostly waiting on Maconomy (no transaction is held over its calls): 20 at a time keep a burst
    // of checkouts flowing (bench: sync lag p99 4.1 s -> 2.4 s for 200 orders at 5 at a time).
    // lockLimit: a worker locks at most 80 due syncs at a time (the store hands them out in
    // batches, so one worker's queue filling could otherwise take a whole burst while the others
    // idle). Agenda locks more only at its next poll (processEvery), however soon the runs end, so
    // the lock limit caps a worker at lockLimit syncs per poll: 40 was 80 a second, and a burst of
    // 200 checkouts in one second waited up to 4 s for their turn (bench, MySQL, API and worker
    // apart: p99 1.3-4.2 s over 8 runs; with 80: 1.4-2.3 s over 4 runs).
    { concurrency: 20, lockLimit: 80, priority: 'high', backoff: syncOrderBackoff(config), lockLifetime: 2 * 60_000 },
  );

  // After the last attempt: the order waits for an operator, who is told by mail. Also called by
  // sync-pending-orders for an order whose last attempt failed in a worker that died before this
  // handler ran. markSyncFailed changes PLACED orders only, so the mail goes out once.
  const giveUpSync = async (orderId: string, error: Error) => {
    try {
      const changed = await markSyncFailed(db, orderId, error.message, now());
      if (changed) log.error({ orderId, error: error.message }, 'sync-order gave up: order is SYNC_FAILED');
      if (changed && config.mail.opsEmail) {
        const order = await db.em().findOne(Order, { id: orderId }, { populate: ['courseDate'] });
        const alert = orderSyncFailedAlert({
          lang: config.mail.language,
          orderId,
          courseDate: order?.courseDate.maconomyId ?? null,
          seats: order?.seats ?? null,
          attempts: order?.syncAttempts ?? null,
          error: error.message,
        });
        await enqueueMail(db.em(), { key: `ops:sync-failed:${orderId}:${order?.syncAttempts ?? 0}`, kind: 'operator-alert', to: config.mail.opsEmail, ...alert });
        await deliver();
      }
    } catch (err) {
      log.error({ orderId, err }, 'could not record a failed sync');
    }
  };
  agenda.on(`retry exhausted:${JOBS.syncOrder}`, (error: Error, job: Job) => giveUpSync((job.attrs.data as { orderId: string }).orderId, error));

  // After checkout (the booker's "booking received") and after Maconomy's answer (the
  // confirmations, or who is and is not booked, and the operators' alert): what the order's state
  // calls for, each mail once (outbox keys), then delivered.
  agenda.define<{ orderId: string }>(
    JOBS.sendOrderConfirmation,
    async (job) => {
      const { orderId } = job.attrs.data;
      const queued = await db.em().transactional(async (em) => {
        // One read of the order, one look-up of the mails' keys and one insert for all of them.
        const { order, drafts } = await orderMails(em, orderId, { lang: config.mail.language, sender: mailFrom });
        if (order?.status === 'PARTIALLY_SYNCED' && config.mail.opsEmail) {
          const refused = order.participants.getItems().filter((p) => p.maconomyState === 'REFUSED');
          const alert = partialSyncAlert({
            lang: config.mail.language,
            orderId,
            courseDate: order.courseDate.maconomyId,
            booked: order.syncedSeats ?? 0,
            refused: refused.length,
            reason: refused[0]?.refusalReason ?? 'refused',
          });
          drafts.push({ key: `ops:partial-sync:${orderId}`, kind: 'operator-alert', orderId, to: config.mail.opsEmail, ...alert });
        }
        return enqueueMails(em, drafts);
      });
      log.info({ orderId, queued }, 'order mails queued');
      await deliver({ orderId });
    },
    // lockLimit: without one, a poll locked every due mail job (200-360 after a burst of 200
    // checkouts, bench trace), one call at a time, and the syncs locked in the same poll waited
    // for that queue filling to end: sync lag p99 3.5-5 s on MariaDB.
    { concurrency: 10, lockLimit: 20, backoff: backoffStrategies.exponential({ delay: 10_000, maxRetries: 5 }) },
  );

  agenda.define(JOBS.deliverMail, async () => {
    await deliver();
  }, { concurrency: 1 });

  agenda.define(
    JOBS.importCourses,
    async () => {
      const result = await importCourses({ db, source: deps.maconomy, log });
      if (result.changedCourseDateIds.length) {
        deps.onCatalogChanged?.(result.changedCourseDateIds);
        await agenda.now(JOBS.pushWordpress, { reason: 'import' });
      }
    },
    { concurrency: 1, lockLifetime: 30 * 60_000, backoff: backoffStrategies.exponential({ delay: 60_000, maxRetries: 3 }) },
  );

  agenda.define<{ courseDateIds?: string[]; reason?: string }>(
    JOBS.pushWordpress,
    async (job) => {
      // Without ids: every course date whose post is out of date (hash differs from the last push).
      const courseDateIds = job.attrs.data?.courseDateIds?.length ? job.attrs.data.courseDateIds : undefined;
      const result = await pushCourseDatesToWordPress({ db, wp: deps.wordpress, log, courseDateIds });
      if (result.failed.length) throw new Error(`${result.failed.length} course dates could not be pushed to WordPress; first: ${result.failed[0]!.maconomyId}: ${result.failed[0]!.error}`);
    },
    { concurrency: 1, lockLifetime: 30 * 60_000, backoff: backoffStrategies.exponential({ delay: 30_000, maxRetries: 5 }) },
  );

  agenda.define(JOBS.clearReservations, async () => {
    const r = await clearReservations(db, now());
    if (r.expired) log.info(r, 'clear-reservations: holds expired');
  }, { concurrency: 1 });

  agenda.define(
    JOBS.gdprCleanup,
    async () => {
      const at = now();
      await gdprCleanup(db, { retentionDays: config.jobs.gdprRetentionDays, now: at, log });
      const connectors = await pruneConnectorPersonalData(db, { cutoff: new Date(at.getTime() - config.jobs.gdprRetentionDays * 86_400_000), log });
      log.info(connectors, 'gdpr-cleanup: connector data past retention pruned');
      // The SQL job store's finished one-off jobs. A MongoDB store keeps them: prune its
      // collection there (a TTL index on lastFinishedAt would also drop recurring jobs).
      if (!config.jobs.mongodbUrl) {
        const jobs = await pruneFinishedJobs(db, { cutoff: new Date(at.getTime() - config.jobs.jobRetentionDays * 86_400_000) });
        log.info({ deleted: jobs, retentionDays: config.jobs.jobRetentionDays }, 'gdpr-cleanup: finished jobs past retention removed from the job store');
      }
    },
    { concurrency: 1, lockLifetime: 60 * 60_000 },
  );

  agenda.define(
    JOBS.sendParticipantList,
    async () => {
      await sendParticipantLists({ db, maconomy: deps.maconomy, days: config.jobs.participantListDays, timeZone: config.jobs.timezone, lang: config.mail.language, sender: mailFrom, now: now(), log });
      await deliver();
    },
    { concurrency: 1, lockLifetime: 30 * 60_000 },
  );

  agenda.define(
    JOBS.reconcileSeats,
    async () => {
      const r = await reconcileSeats({
        db,
        seats: deps.seats,
        now,
        days: config.jobs.reconcileDays,
        concurrency: config.jobs.reconcileConcurrency,
        log,
        onOvercommitted: async (em, drift) => {
          if (!config.mail.opsEmail) return;
          // Once per course date and day (the outbox key), however often the job sees it.
          const day = now().toISOString().slice(0, 10);
          const alert = seatDriftAlert({ lang: config.mail.language, courseDate: drift.maconomyId, maconomyFreeSeats: drift.maconomyFreeSeats, heldHere: drift.heldHere });
          await enqueueMail(em, { key: `ops:seat-drift:${drift.courseDateId}:${day}`, kind: 'operator-alert', to: config.mail.opsEmail, ...alert });
          await em.flush();
        },
      });
      log.info(r, 'reconcile-seats finished');
      if (r.overcommitted) await deliver();
      deps.onCatalogChanged?.([]);
    },
    { concurrency: 1, lockLifetime: 30 * 60_000 },
  );

  agenda.define(JOBS.syncPendingOrders, async () => {
    const r = await rescheduleMissingSyncs(agenda, db, now(), { maxAttempts: config.jobs.syncAttempts, giveUp: giveUpSync });
    if (r.rescheduled || r.gaveUp) log.warn(r, 'sync-pending-orders: orders without a live sync-order job');
  }, { concurrency: 1 });

  defineConnectorJobs(agenda, deps);
  defineCommerceJobs(agenda, deps);
}

/**
 * Safety net: a PLACED order with no queued or running sync-order job (lost with a MongoDB store
 * between commit and schedule, or removed by hand) gets one again. Orders placed in the last
 * minute are left alone; their job is on its way.
 *
 * An order that has already had its attempts (the order row counts every attempt, whichever job
 * made it) is not given a new round: its last attempt failed and the worker died before the
 * retry-exhausted handler ran, so it is given up here instead (SYNC_FAILED, operator mail).
 * Without this it would be rescheduled after every lost give-up and never reach SYNC_FAILED.
 */
export async function rescheduleMissingSyncs(
  agenda: Agenda,
  db: Db,
  now: Date,
  opts: { maxAttempts: number; giveUp(orderId: string, error: Error): Promise<void> },
): Promise<{ rescheduled: number; gaveUp: number }> {
  const placed = await db.em().find(Order, { status: 'PLACED', placedAt: { $lt: new Date(now.getTime() - 60_000) } }, { fields: ['id', 'syncAttempts', 'lastSyncError'], limit: 500 });
  let rescheduled = 0;
  let gaveUp = 0;
  for (const { id, syncAttempts, lastSyncError } of placed) {
    const existing = await agenda.queryJobs({ name: JOBS.syncOrder, data: { orderId: id } });
    // Waiting to run, running, or waiting for a retry: leave it be.
    const alive = existing.jobs.some((j) => j.lockedAt || (j.nextRunAt && !j.disabled));
    if (alive) continue;
    if (syncAttempts >= opts.maxAttempts) {
      await opts.giveUp(id, new Error(lastSyncError ?? `no success after ${syncAttempts} attempts`));
      gaveUp++;
    } else {
      await agenda.now(JOBS.syncOrder, { orderId: id });
      rescheduled++;
    }
  }
  return { rescheduled, gaveUp };
}

export async function scheduleRecurring(agenda: Agenda, timezone: string, opts: { reconcileMinutes?: number } = {}): Promise<void> {
  for (const s of SCHEDULES) {
    const interval = s.name === JOBS.reconcileSeats && opts.reconcileMinutes ? `${opts.reconcileMinutes} minutes` : s.interval;
    await agenda.every(interval, s.name, undefined, { timezone, skipImmediate: true });
  }
}
