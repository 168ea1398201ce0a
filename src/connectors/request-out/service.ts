// Request Out (001_2899a842be319a2e.txt): a valid request for an enabled route becomes a ticket,
// the upstream is called once by the `request-out-call` job, and the stored result answers every
// repeat of the TicketId. Unknown or disabled routes, and tickets still in flight, get the
// documented "Request on process / not available now" body.
import { EventEmitter } from 'node:events';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { inBatches } from '../../db/batches.js';
import type { Db, Em } from '../../db/orm.js';
import type { JobRunner } from '../../jobs/types.js';
import { enqueueJob } from '../../jobs/sql-backend.js';
import type { FetchLike } from '../http-log/log.js';
import { RequestOutRoute, RequestOutTicket } from './entities.js';
import { NOT_SENT_CODES } from '../../integrations/net-errors.js';
import { Upstream, UpstreamFailure, type UpstreamAttempt } from '../../http/upstream.js';
import { markSecretHeader } from '../http-log/redact.js';
import { isPlainText } from '../http.js';

export const REQUEST_OUT_JOB = 'request-out-call';

export class RequestOutError extends Error {
  override name = 'RequestOutError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 500,
    message: string,
  ) {
    super(message);
  }
}

/** The documented error envelope (HTTP 400 and the other refusals). */
export const errorBody = (status: number, message: string) => ({ Status: 'error', Code: String(status), Message: message, Data: '' });

/** The documented "in process" answer: every field empty, StatusCode 404. */
export const inProcessBody = () => ({
  TicketId: '',
  Subject: '',
  SubjectType: '',
  SubjectIdentifier: '',
  Action: '',
  ResourceType: '',
  Resource: '',
  ResourceId: '',
  Data: null,
  Status: 'success',
  Message: 'Request on process / not available now',
  StatusCode: 404,
});

/** A ticket's answer in the documented field order: the request echoed, then the outcome. */
function ticketBody(
  t: RequestOutTicket,
  outcome: { echoAction: boolean; resourceId: string; data: Record<string, unknown> | null; status: string; message: string; statusCode: number },
) {
  return {
    TicketId: t.ticketId,
    Subject: t.subject,
    SubjectType: t.subjectType,
    SubjectIdentifier: t.subjectIdentifier,
    Action: outcome.echoAction ? (t.action ?? '') : '',
    ResourceType: outcome.echoAction ? (t.resourceType ?? '') : '',
    Resource: outcome.echoAction ? (t.resource ?? '') : '',
    ResourceId: outcome.resourceId,
    Data: outcome.data,
    Status: outcome.status,
    Message: outcome.message,
    StatusCode: outcome.statusCode,
  };
}

export function successBody(t: RequestOutTicket) {
  return ticketBody(t, { echoAction: true, resourceId: t.resourceId ?? '', data: (t.data ?? {}) as Record<string, unknown>, status: 'success', message: 'success', statusCode: 200 });
}

/** Not in the source document: the same shape, Status "failed", the reason, StatusCode 502. */
export function failedBody(t: RequestOutTicket) {
  return ticketBody(t, {
    echoAction: false,
    resourceId: '',
    data: null,
    status: 'failed',
    message: `The upstream could not process the request: ${t.error ?? 'unknown error'}`,
    statusCode: 502,
  });
}

/**
 * Not in the source document: a ticket whose stored result was erased after
 * REQUEST_OUT_RETENTION_DAYS. The same shape, the personal parts (Data, ResourceId) empty,
 * StatusCode 410; the upstream is not called again, since it already processed this TicketId.
 */
export function erasedBody(t: RequestOutTicket) {
  return ticketBody(t, {
    echoAction: true,
    resourceId: '',
    data: null,
    status: 'success',
    message: 'The result of this ticket was erased after the retention period; the TicketId stays used',
    statusCode: 410,
  });
}

export function answerFor(t: RequestOutTicket) {
  if (t.status === 'SUCCEEDED' && t.dataErasedAt) return erasedBody(t);
  if (t.status === 'SUCCEEDED') return successBody(t);
  if (t.status === 'FAILED') return failedBody(t);
  return inProcessBody();
}

export interface RequestOutInput {
  TicketId: string;
  Subject: string;
  SubjectType: string;
  SubjectIdentifier: string;
}

export const TICKET_RE = /^[A-Za-z0-9._:-]{1,100}$/;

export function validateRequest(body: unknown): RequestOutInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RequestOutError(400, 'the request body must be a JSON object with TicketId, Subject, SubjectType and SubjectIdentifier');
  const b = body as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const field of ['TicketId', 'Subject', 'SubjectType', 'SubjectIdentifier'] as const) {
    const v = b[field];
    if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) throw new RequestOutError(400, `${field} is required`);
    if (typeof v !== 'string') throw new RequestOutError(400, `${field} must be a string`);
    if (v.trim().length > 100) throw new RequestOutError(400, `${field} must be at most 100 characters`);
    if (!isPlainText(v)) throw new RequestOutError(400, `${field} must not contain control characters or invalid Unicode`);
    out[field] = v.trim();
  }
  if (!TICKET_RE.test(out.TicketId!)) throw new RequestOutError(400, 'TicketId may contain only letters, digits, ".", "_", ":" and "-"');
  return out as unknown as RequestOutInput;
}

/** Job completions of this process, so a waiting request answers as soon as its ticket is done. */
const ticketEvents = new EventEmitter();
ticketEvents.setMaxListeners(0);

async function waitForTicket(db: Db, ticketId: string, waitMs: number): Promise<RequestOutTicket | null> {
  const deadline = Date.now() + waitMs;
  const load = () => db.em().findOne(RequestOutTicket, { ticketId });
  let t = await load();
  while (t && t.status === 'PROCESSING' && Date.now() < deadline) {
    // Woken by this process's job, or every 250 ms for a worker in another process.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        ticketEvents.off(ticketId, done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(250, deadline - Date.now())));
      ticketEvents.on(ticketId, done);
    });
    t = await load();
  }
  return t;
}

const sameSubject = (t: RequestOutTicket, i: RequestOutInput) =>
  t.subject === i.Subject && t.subjectType === i.SubjectType && t.subjectIdentifier === i.SubjectIdentifier;

export interface RequestOutDeps {
  db: Db;
  jobs?: JobRunner;
  now: () => Date;
  waitMs: number;
}

function existingAnswer(t: RequestOutTicket, userId: string, input: RequestOutInput) {
  if ((typeof t.user === 'string' ? t.user : t.user.id) !== userId) throw new RequestOutError(409, 'TicketId is already used by another client');
  if (!sameSubject(t, input)) throw new RequestOutError(409, 'TicketId was already used with another Subject, SubjectType or SubjectIdentifier');
  return answerFor(t);
}

export async function handleRequestOut(deps: RequestOutDeps, userId: string, input: RequestOutInput, requestId: string | null) {
  const found = await deps.db.em().findOne(RequestOutTicket, { ticketId: input.TicketId });
  if (found) return existingAnswer(found, userId, input);

  const wanted = { subject: input.Subject.toLowerCase(), subjectType: input.SubjectType.toLowerCase(), subjectIdentifier: input.SubjectIdentifier.toLowerCase() };
  const candidate = await deps.db.em().findOne(RequestOutRoute, wanted);
  // Case-insensitive (routes are stored lower-cased), nothing looser: MySQL's collation would also
  // match other spellings (accents, full-width letters) that SQLite does not.
  const route = candidate && candidate.subject === wanted.subject && candidate.subjectType === wanted.subjectType && candidate.subjectIdentifier === wanted.subjectIdentifier ? candidate : null;
  // No ticket is kept: once the route exists or is enabled, the same TicketId is processed.
  if (!route || !route.enabled) return inProcessBody();

  const useSqlStore = !deps.jobs || deps.jobs.store === 'sql';
  let jobId: string | null = null;
  try {
    await deps.db.em().transactional(async (tx: Em) => {
      tx.create(RequestOutTicket, {
        ticketId: input.TicketId,
        user: userId,
        route: route.id,
        subject: input.Subject,
        subjectType: input.SubjectType,
        subjectIdentifier: input.SubjectIdentifier,
        status: 'PROCESSING',
        correlationId: requestId,
      } as never);
      await tx.flush();
      // The job commits with the ticket: no ticket without its call, no call without its ticket.
      if (useSqlStore) jobId = await enqueueJob(tx, { name: REQUEST_OUT_JOB, data: { ticketId: input.TicketId, requestId }, priority: 5 });
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      // The same TicketId arrived twice at once: the other request created it.
      const other = await deps.db.em().findOneOrFail(RequestOutTicket, { ticketId: input.TicketId });
      return existingAnswer(other, userId, input);
    }
    throw err;
  }
  if (!useSqlStore) await deps.jobs!.agenda.now(REQUEST_OUT_JOB, { ticketId: input.TicketId, requestId });
  else if (jobId && deps.jobs) {
    // Wake this process's worker now rather than at its next poll.
    deps.jobs.agenda.publishJobNotification({ attrs: { _id: jobId, name: REQUEST_OUT_JOB, nextRunAt: new Date(), priority: 5 } } as never).catch(() => {});
  }
  const t = await waitForTicket(deps.db, input.TicketId, deps.waitMs);
  return t ? answerFor(t) : inProcessBody();
}

// ---- the job ---------------------------------------------------------------------------------

const upstreamAnswerSchema = z.looseObject({
  Action: z.string().max(200).optional(),
  ResourceType: z.string().max(200).optional(),
  Resource: z.string().max(200).optional(),
  ResourceId: z.union([z.string().max(200), z.number()]).optional(),
  Data: z.record(z.string(), z.unknown()).nullable().optional(),
});

export const MAX_ATTEMPTS = 3;

/** Thrown when the call was not sent (refused connection): Agenda retries the job. */
export class RetryableUpstreamError extends Error {
  override name = 'RetryableUpstreamError';
}

function authHeaders(route: RequestOutRoute): Record<string, string> {
  const secret = route.authSecret ?? '';
  // Whatever the route calls its header, its value never reaches a log.
  if (route.authType === 'header') markSecretHeader(route.authHeader);
  if (route.authType === 'bearer') return { authorization: `Bearer ${secret}` };
  if (route.authType === 'basic') return { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
  if (route.authType === 'header' && route.authHeader) return { [route.authHeader]: secret };
  return {};
}

/**
 * Calls the upstream for one ticket, at most once. The ticket is claimed (call_started_at set and
 * committed) before the call; a ticket found claimed but unfinished is never called again (the
 * earlier attempt may have reached the upstream) and is failed for an operator to look at. Only a
 * refused connection, which certainly sent nothing, releases the claim for a retry.
 */
export async function runRequestOutCall(deps: { db: Db; fetch: FetchLike; now: () => Date; onCall?: (attempt: UpstreamAttempt) => void }, ticketId: string): Promise<RequestOutTicket['status'] | 'missing'> {
  const { db } = deps;
  const em = db.em();
  const before = await em.findOne(RequestOutTicket, { ticketId });
  if (!before) return 'missing';
  // The claim is one conditional UPDATE: of two runs racing, only one sees its row change.
  const claimed =
    before.status === 'PROCESSING' && !before.callStartedAt
      ? await em.nativeUpdate(RequestOutTicket, { ticketId, status: 'PROCESSING', callStartedAt: null, attempts: before.attempts }, { callStartedAt: deps.now(), attempts: before.attempts + 1 })
      : 0;
  const ticket = await db.em().findOne(RequestOutTicket, { ticketId }, { populate: ['route'] });
  if (!ticket) return 'missing';
  const finish = async (patch: Partial<Pick<RequestOutTicket, 'status' | 'upstreamStatus' | 'action' | 'resourceType' | 'resource' | 'resourceId' | 'data' | 'error'>>) => {
    await db.em().nativeUpdate(RequestOutTicket, { ticketId, status: 'PROCESSING' }, { ...patch, completedAt: deps.now() } as never);
    ticketEvents.emit(ticketId);
    return patch.status!;
  };
  if (!claimed) {
    if (ticket.status !== 'PROCESSING') return ticket.status;
    return finish({ status: 'FAILED', error: 'an earlier attempt was interrupted during the upstream call; not repeated, since the upstream may have processed it' });
  }
  const route = ticket.route as RequestOutRoute | null;
  if (!route) return finish({ status: 'FAILED', error: 'the route was removed before the upstream was called' });
  if (!route.enabled) return finish({ status: 'FAILED', error: 'the route was disabled before the upstream was called' });

  // One attempt (never repeated: the upstream may have processed it), no redirect followed.
  const upstream = new Upstream({ system: 'request-out', fetch: deps.fetch, timeoutMs: route.timeoutMs, retries: 0, onAttempt: deps.onCall });
  let status: number;
  let text: string;
  try {
    const res = await upstream.call({
      method: 'POST',
      url: route.upstreamUrl,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders(route) },
      body: JSON.stringify({ TicketId: ticket.ticketId, Subject: ticket.subject, SubjectType: ticket.subjectType, SubjectIdentifier: ticket.subjectIdentifier }),
      label: 'POST (route upstream)',
    });
    status = res.status;
    text = res.text;
  } catch (err) {
    if (!(err instanceof UpstreamFailure)) throw err;
    if (err.kind === 'redirect') {
      // The other host gets nothing (not the route's credentials, not the body); operators fix the route's URL.
      return finish({ status: 'FAILED', upstreamStatus: err.status ?? null, error: `upstream answered a redirect (HTTP ${err.status}); redirects are not followed, set the route's final URL` });
    }
    const code = err.code;
    const timedOut = err.kind === 'timeout';
    if (!timedOut && code && NOT_SENT_CODES.has(code) && ticket.attempts < MAX_ATTEMPTS) {
      await db.em().nativeUpdate(RequestOutTicket, { ticketId, status: 'PROCESSING' }, { callStartedAt: null, error: `upstream unreachable (${code}); retrying` });
      throw new RetryableUpstreamError(`upstream unreachable (${code}), attempt ${ticket.attempts} of ${MAX_ATTEMPTS}`);
    }
    const reason = timedOut
      ? `no answer within ${route.timeoutMs} ms; not repeated, since the upstream may have processed it`
      : code && NOT_SENT_CODES.has(code)
        ? `upstream unreachable (${code}) after ${ticket.attempts} attempts`
        : `connection failed (${code ?? 'network error'}); not repeated, since the upstream may have processed it`;
    return finish({ status: 'FAILED', error: reason });
  }
  if (status < 200 || status >= 300) return finish({ status: 'FAILED', upstreamStatus: status, error: `upstream answered HTTP ${status}` });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return finish({ status: 'FAILED', upstreamStatus: status, error: 'upstream answered with a body that is not JSON' });
  }
  const parsed = upstreamAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return finish({ status: 'FAILED', upstreamStatus: status, error: `upstream answer is invalid: ${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}` });
  }
  const a = parsed.data;
  return finish({
    status: 'SUCCEEDED',
    upstreamStatus: status,
    action: a.Action ?? 'create',
    resourceType: a.ResourceType ?? 'data',
    resource: a.Resource ?? '',
    resourceId: a.ResourceId === undefined ? '' : String(a.ResourceId),
    data: a.Data ?? {},
    error: null,
  });
}

// ---- retention and the reaper ------------------------------------------------------------------

/**
 * Erases the stored result (the upstream's Data, personal data such as a NIK and an ID photo, and
 * ResourceId) of tickets finished more than `retentionDays` ago. The row stays, so a repeat of the
 * TicketId still never calls the upstream again; it is answered with erasedBody. Run daily by
 * `http-log-prune`.
 */
export async function eraseRequestOutData(db: Db, opts: { retentionDays: number; now: Date; batchSize?: number }): Promise<number> {
  const cutoff = new Date(opts.now.getTime() - opts.retentionDays * 86_400_000);
  return inBatches(db, opts.batchSize ?? 1000, async (em, limit) => {
    // created_at too: completed_at is never earlier, and (status, created_at) is indexed.
    const rows = await em.find(RequestOutTicket, { status: 'SUCCEEDED', createdAt: { $lt: cutoff }, completedAt: { $lt: cutoff }, dataErasedAt: null }, { fields: ['ticketId'], limit });
    if (!rows.length) return { found: 0, changed: 0 };
    const changed = await em.nativeUpdate(RequestOutTicket, { ticketId: { $in: rows.map((r) => r.ticketId) }, dataErasedAt: null }, { data: null, resourceId: null, dataErasedAt: opts.now } as never);
    return { found: rows.length, changed };
  });
}

/** How long past its route's timeout a ticket may stay PROCESSING without a live job before the reaper acts. */
export const REAP_MARGIN_MS = 60_000;
/** Times the reaper queues a lost call again before it fails the ticket. */
export const MAX_REQUEUES = 3;

export interface ReapDeps {
  db: Db;
  now: () => Date;
  /** Is a request-out-call job for this ticket waiting, retrying or running? */
  jobAlive(ticketId: string): Promise<boolean>;
  /** Queue the call again. */
  requeue(ticketId: string, requestId: string | null): Promise<void>;
}

/**
 * Tickets stuck in PROCESSING with no live job (the MongoDB store lost the job between commit and
 * schedule; Agenda gave up after an unexpected error): older than their route's timeout plus
 * REAP_MARGIN_MS, they are queued again when the upstream was certainly not called (no claim), up
 * to MAX_REQUEUES times, and otherwise failed (a claimed call may have reached the upstream, so it
 * is never repeated). A repeat of the TicketId then gets a real answer.
 */
export async function reapStuckTickets(deps: ReapDeps, opts: { limit?: number } = {}): Promise<{ requeued: number; failed: number }> {
  const now = deps.now();
  const em = deps.db.em();
  const stuck = await em.find(RequestOutTicket, { status: 'PROCESSING', createdAt: { $lt: new Date(now.getTime() - REAP_MARGIN_MS) } }, { populate: ['route'], orderBy: { createdAt: 'asc' }, limit: opts.limit ?? 200 });
  const result = { requeued: 0, failed: 0 };
  for (const t of stuck) {
    const route = t.route as RequestOutRoute | null;
    const since = t.callStartedAt ?? t.createdAt;
    if (since.getTime() > now.getTime() - (route?.timeoutMs ?? 10_000) - REAP_MARGIN_MS) continue;
    if (await deps.jobAlive(t.ticketId)) continue;
    const fail = async (error: string) => {
      const n = await deps.db.em().nativeUpdate(RequestOutTicket, { ticketId: t.ticketId, status: 'PROCESSING', callStartedAt: t.callStartedAt ?? null, requeues: t.requeues }, { status: 'FAILED', error, completedAt: deps.now() });
      if (n) {
        result.failed++;
        ticketEvents.emit(t.ticketId);
      }
    };
    if (t.callStartedAt) {
      await fail('the upstream call was interrupted and its job is gone; not repeated, since the upstream may have processed it');
    } else if (t.requeues >= MAX_REQUEUES) {
      await fail(`the upstream call could not be run: its job was lost ${t.requeues + 1} times`);
    } else {
      // Conditional: of two reapers (two workers) only one queues the call again.
      const n = await deps.db.em().nativeUpdate(RequestOutTicket, { ticketId: t.ticketId, status: 'PROCESSING', callStartedAt: null, requeues: t.requeues }, { requeues: t.requeues + 1 });
      if (n) {
        await deps.requeue(t.ticketId, t.correlationId ?? null);
        result.requeued++;
      }
    }
  }
  return result;
}
