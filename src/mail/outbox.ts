// Outbox delivery. A row is claimed by a conditional update (QUEUED/RETRYING -> SENDING), so two
// workers never send one row. Temporary failures (connection refused, timeouts, 4xx SMTP replies)
// are retried with backoff; permanent ones (5xx replies) fail at once. A row found stuck in SENDING
// (its worker died mid-send) is NOT resent automatically, because the SMTP server may already have
// accepted it: it is marked FAILED for an operator to look at and resend on demand.
import { randomUUID } from 'node:crypto';
import type { Db, Em } from '../db/orm.js';
import { MailMessage } from './entities.js';
import type { MailTransport } from './transport.js';

export interface MailDraft {
  key: string;
  kind: string;
  orderId?: string | null;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments?: { filename: string; contentType: string; content: string }[];
}

/** Queues a mail in the caller's transaction; a second call with the same key does nothing. */
export async function enqueueMail(em: Em, draft: MailDraft, now = new Date()): Promise<boolean> {
  return (await enqueueMails(em, [draft], now)) === 1;
}

/**
 * Queues several mails in the caller's transaction with one look-up of their keys and one insert
 * (an order's confirmations: booker and participants); keys already queued are left out. Returns
 * how many were newly queued.
 */
export async function enqueueMails(em: Em, drafts: MailDraft[], now = new Date()): Promise<number> {
  if (drafts.length === 0) return 0;
  const existing = await em.find(MailMessage, { key: { $in: drafts.map((d) => d.key) } }, { fields: ['key'] });
  const taken = new Set(existing.map((m) => m.key));
  let queued = 0;
  for (const draft of drafts) {
    if (taken.has(draft.key)) continue;
    taken.add(draft.key);
    em.create(MailMessage, {
      key: draft.key,
      kind: draft.kind,
      orderId: draft.orderId ?? null,
      recipient: draft.to,
      subject: draft.subject,
      html: draft.html,
      text: draft.text,
      attachments: draft.attachments ?? null,
      status: 'QUEUED',
      nextAttemptAt: now,
      createdAt: now,
    });
    queued++;
  }
  if (queued) await em.flush();
  return queued;
}

export const MAX_MAIL_ATTEMPTS = 8;
/** 30 s, 1 min, 2 min, 4 min ... capped at 1 h. */
export function mailBackoffMs(attempt: number): number {
  return Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

export function isPermanentMailError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface DeliveryResult {
  sent: number;
  retrying: number;
  failed: number;
  stuck: number;
}

export async function deliverMail(deps: {
  db: Db;
  transport: MailTransport;
  from: string;
  now?: () => Date;
  limit?: number;
  /**
   * Only this order's mails (the confirmation job sends what it just queued). Without it, every
   * due mail: the every-minute deliver-mail job, which also sends the retries. Scoped, concurrent
   * confirmation jobs neither read nor fight over each other's rows (a burst of 200 checkouts made
   * 1,449 claim attempts for 400 mails, each job reading up to 50 whole rows with their HTML).
   */
  orderId?: string;
  /** A SENDING row older than this is considered abandoned by a dead worker. */
  stuckAfterMs?: number;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}): Promise<DeliveryResult> {
  const now = deps.now ?? (() => new Date());
  const result: DeliveryResult = { sent: 0, retrying: 0, failed: 0, stuck: 0 };
  const em = deps.db.em();

  // Found with a plain read, then updated by primary key with the condition re-checked: a range
  // UPDATE on status = 'SENDING' would take MySQL gap locks on that index range while concurrent
  // deliverers move rows into it, and the two lock orders deadlock.
  const stuckBefore = new Date(now().getTime() - (deps.stuckAfterMs ?? 10 * 60_000));
  const stuck = deps.orderId ? [] : await em.find(MailMessage, { status: 'SENDING', claimedAt: { $lt: stuckBefore } }, { fields: ['id'], limit: 500 });
  if (stuck.length)
    result.stuck = await em.nativeUpdate(
      MailMessage,
      { id: { $in: stuck.map((m) => m.id) }, status: 'SENDING', claimedAt: { $lt: stuckBefore } },
      { status: 'FAILED', lastError: 'worker stopped while sending: the mail may or may not have been delivered; resend it if needed' },
    );
  if (result.stuck) deps.log?.warn({ count: result.stuck }, 'mail rows stuck in SENDING marked FAILED');

  const due = await em.find(
    MailMessage,
    { status: { $in: ['QUEUED', 'RETRYING'] }, nextAttemptAt: { $lte: now() }, ...(deps.orderId ? { orderId: deps.orderId } : {}) },
    { orderBy: { nextAttemptAt: 'asc' }, limit: deps.limit ?? 50 },
  );
  for (const mail of due) {
    const claimedAt = now();
    const claimed = await deps.db.em().nativeUpdate(
      MailMessage,
      { id: mail.id, status: mail.status, attempts: mail.attempts },
      { status: 'SENDING', claimedAt, attempts: mail.attempts + 1 },
    );
    if (claimed !== 1) continue; // another worker took it
    const attempt = mail.attempts + 1;
    try {
      const info = await deps.transport.send({
        from: deps.from,
        to: mail.recipient,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        attachments: mail.attachments ?? undefined,
        messageId: `<${mail.id}@kursus>`,
      });
      await deps.db.em().nativeUpdate(MailMessage, { id: mail.id }, { status: 'SENT', sentAt: now(), messageId: info.messageId, lastError: null });
      result.sent++;
      deps.log?.info({ mailId: mail.id, kind: mail.kind, attempt }, 'mail sent');
    } catch (err) {
      const message = (err as Error).message?.slice(0, 1000) ?? String(err);
      const permanent = isPermanentMailError(err) || attempt >= MAX_MAIL_ATTEMPTS;
      await deps.db.em().nativeUpdate(
        MailMessage,
        { id: mail.id },
        permanent
          ? { status: 'FAILED', lastError: message }
          : { status: 'RETRYING', lastError: message, nextAttemptAt: new Date(now().getTime() + mailBackoffMs(attempt)) },
      );
      if (permanent) result.failed++;
      else result.retrying++;
      deps.log?.warn({ mailId: mail.id, kind: mail.kind, attempt, permanent, error: message }, permanent ? 'mail failed' : 'mail will be retried');
    }
  }
  return result;
}

/** Operator action: send a FAILED (or SENT) mail again, as a new attempt of the same row. */
export async function resendMail(em: Em, mailId: string, now = new Date()): Promise<boolean> {
  const n = await em.nativeUpdate(MailMessage, { id: mailId, status: { $in: ['FAILED', 'SENT'] } }, { status: 'QUEUED', nextAttemptAt: now, attempts: 0, lastError: null });
  return n === 1;
}

export const newMessageKey = () => randomUUID();
