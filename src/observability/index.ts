// Health, readiness, Prometheus metrics and request-id propagation, as one Fastify plugin function
// plus the instrumentation of the job runner, the booking service and Apollo.
//
//   GET /healthz   the process is alive and its event loop answers (no dependencies checked)
//   GET /readyz    the database, the job store and the mail transport answer, and, in processes
//                  that run a job worker, the worker is running; 503 with the failing checks otherwise.
//                  `breakers` shows each upstream circuit breaker's state; an open breaker does NOT
//                  make the instance unready: the catalogue and checkout-free pages still work, and
//                  taking every instance out of rotation would turn a Maconomy outage into a full one.
//   GET /metrics   Prometheus text format
import type { FastifyInstance } from 'fastify';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Agenda, Job } from 'agenda';
import type { Db } from '../db/orm.js';
import type { JobRunner } from '../jobs/runner.js';
import type { MailTransport } from '../mail/transport.js';
import type { BookingService } from '../booking/service.js';
import { DomainError } from '../errors.js';
import type { Metrics } from './metrics.js';
import { runWithLogContext } from './log-context.js';
import type { BreakerRegistry } from '../http/upstream.js';

import { tokenInList } from '../booking/tokens.js';
export { createMetrics, type Metrics } from './metrics.js';
export { currentRequestId, logContextMixin, requestIdFor, runWithLogContext } from './log-context.js';

export interface ObservabilityDeps {
  db: Db;
  jobs: JobRunner;
  mail: MailTransport;
  metrics: Metrics;
  /** Upstream circuit breakers, shown in /readyz (never failing it). */
  breakers?: BreakerRegistry;
  /** True once this process runs a job worker (serve, worker): readiness then requires it alive. */
  workerExpected: () => boolean;
  /** How long one readiness check may take. */
  checkTimeoutMs?: number;
  /** How long a successful mail check is reused: SMTP verification opens a connection. */
  mailCheckCacheMs?: number;
  /**
   * /metrics: `open` (demo), or only with `Authorization: Bearer <token>` (METRICS_TOKEN); with
   * `null` in production it answers 401 to everyone. Job names, queue sizes and error rates are
   * reconnaissance for an attacker.
   */
  metricsAccess?: { open: true } | { open: false; token: string | null };
}

type CheckResult = 'ok' | string;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'TIMEOUT' })), ms);
    }),
  ]);
}

/** A short reason for an operator, without hosts, credentials or stack traces. */
function reason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return `unreachable${typeof code === 'string' && /^[A-Z_0-9]{2,40}$/.test(code) ? ` (${code})` : ''}`;
}

export function createReadiness(deps: ObservabilityDeps) {
  const timeoutMs = deps.checkTimeoutMs ?? 2_000;
  const mailCacheMs = deps.mailCheckCacheMs ?? 30_000;
  let mailOkUntil = 0;

  const checks: Record<string, () => Promise<void>> = {
    async database() {
      await deps.db.em().getConnection().execute('select 1');
    },
    async jobStore() {
      await deps.jobs.agenda.queryJobs({ name: '__readiness-probe__', limit: 1 });
    },
    async mail() {
      if (Date.now() < mailOkUntil) return;
      await deps.mail.verify();
      mailOkUntil = Date.now() + mailCacheMs;
    },
  };

  return async function readiness(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const names = Object.keys(checks);
    const results = await Promise.all(
      names.map((name) =>
        withTimeout(checks[name]!(), timeoutMs).then(
          (): CheckResult => 'ok',
          (err): CheckResult => reason(err),
        ),
      ),
    );
    const out: Record<string, CheckResult> = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
    if (deps.workerExpected()) {
      out.worker = deps.jobs.agenda.isActiveJobProcessor()
        ? await withTimeout(deps.jobs.agenda.getRunningStats(), timeoutMs).then(
            () => 'ok',
            () => 'not running',
          )
        : 'not running';
    }
    return { ready: Object.values(out).every((r) => r === 'ok'), checks: out };
  };
}

/** Routes and hooks; call before the GraphQL and REST routes are registered. */
export async function registerObservability(app: FastifyInstance, deps: ObservabilityDeps): Promise<void> {
  const readiness = createReadiness(deps);
  const { metrics } = deps;

  // Hooks of every request are plain callbacks: an async hook costs a promise and a microtask each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // After body parsing (which runs on stream events outside any async scope): everything the
  // handler awaits, and every log line it writes, carries the request id.
  app.addHook('preHandler', (request, _reply, done) => {
    runWithLogContext({ requestId: request.id }, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const result = await readiness();
    const breakers = Object.fromEntries((deps.breakers?.list() ?? []).map((b) => [b.system.toLowerCase(), breakerDetail(b.describe())]));
    return reply.code(result.ready ? 200 : 503).send({ status: result.ready ? 'ready' : 'not ready', checks: result.checks, breakers });
  });
  const access = deps.metricsAccess ?? { open: true };
  app.get('/metrics', async (request, reply) => {
    if (!access.open) {
      const m = /^Bearer (\S{1,200})$/.exec(request.headers.authorization ?? '');
      if (!access.token || !m || !tokenInList(m[1]!, [access.token]))
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'UNAUTHENTICATED', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' } });
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

/** A breaker for a public endpoint: its state, never the upstream's URL. */
function breakerDetail(d: ReturnType<import('../http/upstream.js').UpstreamBreaker['describe']>) {
  const { system: _system, target: _target, ...rest } = d;
  return rest;
}

function operationOf(document: { definitions: readonly { kind: string }[] } | undefined, name: string | null | undefined): OperationDefinitionNode | undefined {
  const ops = (document?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name ? ops.find((o) => o.name?.value === name) : ops[0];
}

/** Counts GraphQL operations by name, type and outcome (ok, or the first error's code). */
export function apolloMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(ctx) {
          const op = operationOf(ctx.document, ctx.request.operationName);
          const operation = op?.name?.value ?? (op ? 'anonymous' : 'invalid');
          const type = op?.operation ?? 'unknown';
          const body = ctx.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          const outcome = errors?.length ? String(errors[0]!.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'ok';
          metrics.graphqlOperations.inc({ operation, type, outcome });
          metrics.graphqlDuration.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/**
 * Wraps every job definition: runs the handler inside a log scope carrying the job name and, when
 * the job was caused by a request (checkout stores it in the job data), that request's id; counts
 * runs and failures and times them.
 */
export function instrumentJobs(agenda: Agenda, metrics: Metrics, log: { info(o: object, m?: string): void; debug(o: object, m?: string): void }): void {
  for (const [name, definition] of Object.entries(agenda.definitions)) {
    const original = definition.fn as (job: Job) => Promise<void> | void;
    if (original.length > 1) continue; // callback-style handlers are left as they are
    definition.fn = (async (job: Job) => {
      const data = (job.attrs.data ?? {}) as { requestId?: unknown; correlationId?: unknown; orderId?: unknown };
      const requestId = typeof data.correlationId === 'string' ? data.correlationId : typeof data.requestId === 'string' ? data.requestId : undefined;
      const about = typeof data.orderId === 'string' ? { orderId: data.orderId } : {};
      return runWithLogContext({ requestId, job: name, jobId: String(job.attrs._id ?? '') }, async () => {
        const started = performance.now();
        const level = requestId || about.orderId ? 'info' : 'debug';
        try {
          await original(job);
          metrics.jobRuns.inc({ job: name, outcome: 'success' });
          log[level]({ ...about, durationMs: Math.round(performance.now() - started) }, 'job finished');
        } catch (err) {
          metrics.jobRuns.inc({ job: name, outcome: 'failure' });
          throw err;
        } finally {
          metrics.jobDuration.observe({ job: name }, (performance.now() - started) / 1000);
        }
      });
    }) as typeof definition.fn;
  }
}

/** Counts seat-hold outcomes of the booking service. */
export function instrumentBooking(booking: BookingService, metrics: Metrics): BookingService {
  return {
    ...booking,
    async reserveSeats(input) {
      try {
        const result = await booking.reserveSeats(input);
        metrics.seatHolds.inc({ outcome: input.orderId ? 'changed' : 'held' });
        metrics.seatsHeldSeats.inc(result.order.seats);
        return result;
      } catch (err) {
        metrics.seatHolds.inc({ outcome: err instanceof DomainError ? err.code : ((err as { code?: string })?.code === 'UPSTREAM_UNAVAILABLE' ? 'UPSTREAM_UNAVAILABLE' : 'error') });
        throw err;
      }
    },
  };
}

/** Seats held locally now, by status (for the kursus_seats_held gauge). */
export async function seatsHeldByStatus(db: Db, now: Date): Promise<Record<string, number>> {
  const rows = await db
    .em()
    .getConnection()
    .execute<{ status: string; seats: number | string | null }[]>(
      `select status, sum(seats) as seats from booking_order
       where (status = 'RESERVED' and expires_at > ?) or status in ('PLACED', 'SYNC_FAILED') group by status`,
      [now],
    );
  const out: Record<string, number> = { RESERVED: 0, PLACED: 0, SYNC_FAILED: 0 };
  for (const r of rows) out[r.status] = Number(r.seats ?? 0);
  return out;
}

