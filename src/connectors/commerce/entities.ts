// Tables shared by the Jubelio gateway and the BaseLinker <-> Optimakers bridge: inbound webhook
// deliveries (stored before answering, deduplicated, processed by a job) and the record of each
// connector job run (counts and errors that admins read).
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const DELIVERY_STATUSES = ['RECEIVED', 'DONE', 'FAILED', 'IGNORED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'commerce_webhook_delivery',
  uniques: [{ properties: ['provider', 'deliveryKey'] }],
  indexes: [{ properties: ['provider', 'status', 'nextAttemptAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    /** `jubelio` or `optimakers`. */
    provider: p.string().length(20),
    /** The provider's message id (Optimakers `Id`) or, when it has none (Jubelio), sha256 of the raw body. */
    deliveryKey: p.string().length(128),
    /** Jubelio `action`, Optimakers `EventSource`. */
    event: p.string().length(100),
    /** The raw body, kept until processed (then cleared: it holds personal data). */
    body: p.text().nullable(),
    status: p.enum(DELIVERY_STATUSES).default('RECEIVED'),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    /** When the processing job may take it (again). */
    nextAttemptAt: p.datetime(),
    /** Set while a worker processes it; an old claim counts as abandoned. */
    claimedAt: p.datetime().nullable(),
    /** Times the same delivery arrived again (provider retries, replays). */
    duplicates: p.integer().default(0),
    receivedAt: p.datetime().onCreate(() => new Date()),
    processedAt: p.datetime().nullable(),
  },
});
export type WebhookDelivery = InferEntity<typeof WebhookDelivery>;

export const RUN_STATUSES = ['RUNNING', 'OK', 'PARTIAL', 'FAILED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const ConnectorJobRun = defineEntity({
  name: 'ConnectorJobRun',
  tableName: 'commerce_job_run',
  indexes: [{ properties: ['job', 'startedAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    job: p.string().length(100),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    /** OK: everything done; PARTIAL: some items failed (see counts and error); FAILED: the run stopped. */
    status: p.enum(RUN_STATUSES).default('RUNNING'),
    counts: p.json<Record<string, number>>().nullable(),
    error: p.text().nullable(),
  },
});
export type ConnectorJobRun = InferEntity<typeof ConnectorJobRun>;

export const commerceSharedEntities = [WebhookDelivery, ConnectorJobRun];
