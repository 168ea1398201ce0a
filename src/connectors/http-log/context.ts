// The correlation id of the work in progress is the request id of the one log context
// (src/observability/log-context.ts): set per inbound request (its Fastify request id, which
// honours a safe incoming X-Request-Id) and per job run (the id of the request that queued it),
// and read by every log entry written meanwhile, outbound calls included. A job not caused by a
// request is correlated as `job:<name>:<id>`.
import { currentLogContext, runWithLogContext } from '../../observability/log-context.js';

export function withCorrelationId<T>(correlationId: string, fn: () => T): T {
  return runWithLogContext({ ...currentLogContext(), requestId: correlationId }, fn);
}

export function currentCorrelationId(): string | null {
  const ctx = currentLogContext();
  if (ctx?.requestId) return ctx.requestId;
  return ctx?.job ? `job:${ctx.job}:${ctx.jobId ?? ''}` : null;
}
