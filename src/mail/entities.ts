// The mail outbox: every mail is a row with a state, written in the same transaction as the event
// that causes it (idempotency key: never two rows for one mail) and delivered by a job.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const MAIL_STATUSES = ['QUEUED', 'SENDING', 'SENT', 'RETRYING', 'FAILED'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export const MailMessage = defineEntity({
  name: 'MailMessage',
  tableName: 'mail_outbox',
  indexes: [{ properties: ['status', 'nextAttemptAt'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    /** e.g. `order-confirmation:<orderId>:participant:2`; unique, so a retried enqueue is a no-op. */
    key: p.string().length(200).unique(),
    kind: p.string().length(50),
    /** The order this mail is about, so GDPR cleanup can erase its personal data too. */
    orderId: p.string().length(36).nullable().index(),
    recipient: p.string().length(320),
    subject: p.string().length(500),
    html: p.text(),
    text: p.text(),
    /** [{ filename, contentType, content (utf8) }] */
    attachments: p.json<{ filename: string; contentType: string; content: string }[]>().nullable(),
    status: p.enum(MAIL_STATUSES).default('QUEUED'),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    nextAttemptAt: p.datetime(),
    claimedAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
    messageId: p.string().length(255).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type MailMessage = InferEntity<typeof MailMessage>;

export const mailEntities = [MailMessage];
