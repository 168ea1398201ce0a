// Prometheus metrics of one Kursus instance (its own registry, so tests can build many apps in one
// process). Names follow Prometheus conventions: base units (seconds), `_total` for counters.
// Labels never carry ids, personal data or free text: cardinality stays bounded.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MaconomyCall } from '../integrations/maconomy/index.js';
import type { BreakerRegistry, UpstreamAttempt } from '../http/upstream.js';

/**
 * How often the event-loop delay (kursus_nodejs_eventloop_lag_*) is sampled: prom-client's default
 * is 10 ms, and each sample wakes an idle process. At 10 ms that cost an idle server about 6 ms of
 * CPU a second, and 30 µs of every reservation at 200 a second (docs/benchmarks.md). A stall is
 * still recorded in full; what is lost is a stall before the first sample after each scrape (the
 * histogram's reset forgets the previous sample), up to 50 ms in every scrape interval.
 */
export const EVENT_LOOP_SAMPLE_MS = 50;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsOptions {
  /** Seats held locally right now, by order status; read at scrape time. */
  seatsHeld?: () => Promise<Record<string, number>>;
  /** Course dates with unresolved seat drift (reconcile-seats); read at scrape time. */
  seatDriftDates?: () => Promise<number>;
  /** Process-level metrics (CPU, memory, event loop lag). Off in tests that build many apps. */
  processMetrics?: boolean;
  /** Upstream circuit breakers; their state is read at scrape time. */
  breakers?: BreakerRegistry;
}

// Long by design: a flat list of metric definitions, one registry per app; splitting it would only
// scatter the names a dashboard author looks for.
export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'kursus_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });

  const httpDuration = new Histogram({
    name: 'kursus_http_request_duration_seconds',
    help: 'HTTP request latency by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: 'kursus_graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok or the error code)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'kursus_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const catalogCache = new Counter({
    name: 'kursus_catalog_cache_requests_total',
    help: 'Anonymous catalogue queries answered from the response cache (hit) or executed (miss)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const answersReplayed = new Counter({
    name: 'kursus_catalog_answers_replayed_total',
    help: 'Cache hits answered in front of the framework (repeats of a cached anonymous POST; also counted as hits)',
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'kursus_job_runs_total',
    help: 'Background job runs by job name and outcome (success, failure)',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'kursus_job_duration_seconds',
    help: 'Background job run time by job name',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [registry],
  });
  const seatHolds = new Counter({
    name: 'kursus_seat_hold_requests_total',
    help: 'reserveSeats calls by outcome: held (new reservation), changed (seat count changed) or the error code',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const seatsHeldSeats = new Counter({
    name: 'kursus_seats_reserved_total',
    help: 'Seats put on hold by successful reserveSeats calls (new reservations and changes, new seat count)',
    registers: [registry],
  });
  const seatsHeldFn = opts.seatsHeld;
  new Gauge({
    name: 'kursus_seats_held',
    help: 'Seats held locally now (not yet counted by Maconomy), by order status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      if (!seatsHeldFn) return;
      this.reset();
      try {
        for (const [status, seats] of Object.entries(await seatsHeldFn())) this.set({ status }, seats);
      } catch {
        /* database unreachable: /readyz says so; the scrape still answers */
      }
    },
  });
  const driftFn = opts.seatDriftDates;
  new Gauge({
    name: 'kursus_seat_drift_dates',
    help: 'Course dates where reconcile-seats found Maconomy disagreeing with Kursus and it is not resolved yet',
    registers: [registry],
    async collect() {
      if (!driftFn) return;
      try {
        this.set(await driftFn());
      } catch {
        /* database unreachable: /readyz says so */
      }
    },
  });
  const maconomyDuration = new Histogram({
    name: 'kursus_maconomy_request_duration_seconds',
    help: 'Maconomy HTTP call latency per attempt, by method, endpoint template and outcome (status code or error kind)',
    labelNames: ['method', 'endpoint', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  const upstreamDuration = new Histogram({
    name: 'kursus_upstream_request_duration_seconds',
    help: 'Outbound HTTP attempts of every upstream client (maconomy, wordpress, jubelio, baselinker, optimakers) by method and outcome (status code or error kind)',
    labelNames: ['upstream', 'method', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const breakers = opts.breakers;
  new Gauge({
    name: 'kursus_upstream_breaker_open',
    help: 'Whether an upstream circuit breaker is open (1) or closed (0); half-open (a probe under way) counts as open',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const b of breakers?.list() ?? []) this.set({ upstream: b.system.toLowerCase() }, b.state === 'closed' ? 0 : 1);
    },
  });
  new Gauge({
    name: 'kursus_upstream_breaker_state',
    help: 'Upstream circuit breaker state: 0 closed, 1 open, 2 half-open (one probe under way)',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const b of breakers?.list() ?? []) this.set({ upstream: b.system.toLowerCase() }, b.state === 'closed' ? 0 : b.state === 'open' ? 1 : 2);
    },
  });
  new Gauge({
    name: 'kursus_upstream_breaker_opened',
    help: 'Times an upstream circuit breaker opened since the process started',
    labelNames: ['upstream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const b of breakers?.list() ?? []) this.set({ upstream: b.system.toLowerCase() }, b.opened);
    },
  });

  return {
    registry,
    httpDuration,
    graphqlOperations,
    graphqlDuration,
    catalogCache,
    answersReplayed,
    jobRuns,
    jobDuration,
    seatHolds,
    seatsHeldSeats,
    maconomyDuration,
    upstreamDuration,
    /** The upstream kit's per-attempt hook (src/http/upstream.ts), for any client. */
    observeUpstreamAttempt(a: Pick<UpstreamAttempt, 'system' | 'method' | 'status' | 'durationMs' | 'error'>) {
      const outcome = a.error ? a.error.split(':')[0]! : String(a.status ?? 'none');
      upstreamDuration.observe({ upstream: a.system.toLowerCase(), method: a.method, outcome }, a.durationMs / 1000);
    },
    /** MaconomyClient `onCall` hook. */
    observeMaconomyCall(call: MaconomyCall) {
      const outcome = call.error ? call.error.split(':')[0]! : String(call.status ?? 'none');
      maconomyDuration.observe({ method: call.method, endpoint: maconomyEndpoint(call.url), outcome }, call.durationMs / 1000);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `/api/course/25172-04?x=1` -> `/api/course/:id`: ids never become label values. */
export function maconomyEndpoint(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0]!;
  }
  const parts = path.split('/').filter(Boolean);
  const api = parts.indexOf('api');
  const tail = api >= 0 ? parts.slice(api) : parts;
  return '/' + tail.map((p, i) => (i >= 2 ? ':id' : p)).join('/');
}
