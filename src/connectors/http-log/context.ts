// The correlation id of the work in progress: set per inbound request (its Fastify request id,
// which honours an incoming x-request-id) and per job run (the id of the request that queued it,
// or `job:<name>:<id>`), read by every log entry written meanwhile, including outbound calls.
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<{ correlationId: string }>();

export function withCorrelationId<T>(correlationId: string, fn: () => T): T {
  return store.run({ correlationId }, fn);
}

export function currentCorrelationId(): string | null {
  return store.getStore()?.correlationId ?? null;
}

/** For hooks with a `done` callback (Fastify onRequest): runs the rest of the request in the context. */
export function runWithCorrelationId(correlationId: string, done: () => void): void {
  store.run({ correlationId }, done);
}

/**
 * Runs every job of `agenda` in a correlation context: the request id the enqueuer put in the job
 * data (`requestId`, or `correlationId`), else `job:<name>:<id>`. Call once after the jobs are defined.
 */
export function correlateJobs(agenda: { definitions: Record<string, { fn: unknown }> }): void {
  for (const [name, definition] of Object.entries(agenda.definitions)) {
    const original = definition.fn as (job: { attrs: { _id?: unknown; data?: unknown } }) => unknown;
    if (typeof original !== 'function' || original.length > 1) continue; // callback-style handlers are left alone
    definition.fn = (job: { attrs: { _id?: unknown; data?: unknown } }) => {
      const data = (job.attrs.data ?? {}) as { requestId?: unknown; correlationId?: unknown };
      const id = typeof data.correlationId === 'string' ? data.correlationId : typeof data.requestId === 'string' ? data.requestId : `job:${name}:${String(job.attrs._id ?? '')}`;
      return withCorrelationId(id, () => original(job));
    };
  }
}
