// Who is this log line about? An AsyncLocalStorage carries the request id from an HTTP request
// into everything it awaits, and a job's request id (stored in its data at checkout) into the
// job's handler, so `grep <request id>` finds the mutation and the sync/mail jobs it caused.
// pino's `mixin` adds the fields to every line written inside such a scope, by any logger.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface LogContext {
  requestId?: string;
  job?: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** pino `mixin`: the current scope's ids on every log line. */
export function logContextMixin(): Record<string, string> {
  const ctx = storage.getStore();
  if (!ctx) return {};
  const out: Record<string, string> = {};
  if (ctx.requestId) out.requestId = ctx.requestId;
  if (ctx.job) out.job = ctx.job;
  if (ctx.jobId) out.jobId = ctx.jobId;
  return out;
}

// A caller-supplied id is kept only when it is short and plain: it ends up in logs and job data.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Fastify `genReqId`: the caller's X-Request-Id when it is safe to log, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
