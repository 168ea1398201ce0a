// Builds the running product from configuration: database, Maconomy client (or its simulator in
// demo mode), services and the Fastify app. main.ts and the tests both start it through here.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { limitJsonDepth } from './http/json-depth.js';
import { createSeatReader } from './booking/maconomy-seats.js';
import { seatDriftDates } from './booking/reconcile.js';
import { openDb, migrate, type Db } from './db/orm.js';
import { MaconomyClient } from './integrations/maconomy/index.js';
import { startMaconomySimulator, WALKTHROUGH_COURSE_NO, type MaconomySimulator } from './simulators/maconomy.js';
import { createBookingService, type BookingHooks, type BookingService } from './booking/service.js';
import { importCourses, type ImportResult } from './catalog/import.js';
import { registerGraphQL } from './graphql/server.js';
import type { Services } from './graphql/context.js';
import { WordPressClient } from './integrations/wordpress/index.js';
import { startWordPressSimulator } from './simulators/wordpress.js';
import { simulatorStatePath } from './simulators/state-file.js';
import { createMailTransport, type MailTransport } from './mail/transport.js';
import { createJobRunner, type JobRunner } from './jobs/runner.js';
import { createHttpLog, redactUrl, registerHttpLogHooks, type HttpLog } from './connectors/http-log/index.js';
import { registerConnectors } from './connectors/index.js';
import { registerApiDocs } from './connectors/docs.js';
import { startCommerceConnectors, type CommerceConnectors } from './connectors/commerce/connectors.js';
import { registerCommerceConnectors } from './connectors/commerce/routes.js';
import { scheduleCommerceRecurring } from './connectors/commerce/jobs.js';
import { enqueueAfterCheckout, JOBS, SYNC_DELAY_MS } from './jobs/registry.js';
import { logRedaction } from './observability/log-redact.js';
import { apolloMetricsPlugin, createMetrics, currentRequestId, instrumentBooking, instrumentJobs, logContextMixin, registerObservability, requestIdFor, seatsHeldByStatus, type Metrics } from './observability/index.js';
import { anonymousQueryLimit, bookingRateLimits, rateLimitPlugin, registerSecurity } from './security/index.js';
import { catalogCacheHooks, createCatalogCache } from './http/catalog-cache.js';
import { createAnswerReplay, serverWithFront } from './http/answer-replay.js';
import { registerStaffRoutes } from './staff/routes.js';
import { registerBackOffice } from './backoffice/static.js';
import { disableDemoStaff, seedDemoStaff } from './staff/demo.js';
import { BreakerRegistry } from './http/upstream.js';
import { nodeHttpTransport } from './http/node-transport.js';
import { logDestination, OneLinePerRequest, requestLineLogger, writeRequestLine } from './observability/log-format.js';
import type { DestinationStream, Logger } from 'pino';

export interface Kursus {
  config: Config;
  app: FastifyInstance;
  db: Db;
  maconomy: MaconomyClient;
  booking: BookingService;
  simulator: MaconomySimulator | null;
  wordpress: WordPressClient;
  mail: MailTransport;
  jobs: JobRunner;
  /** The request/response log of connector traffic (src/connectors/http-log/). */
  httpLog: HttpLog;
  /** Prometheus metrics of this instance (served at /metrics). */
  metrics: Metrics;
  /** Jubelio gateway and BaseLinker <-> Optimakers bridge (clients, demo simulators). */
  commerce: CommerceConnectors;
  /** Every route registered on the app (method and URL template), for tests that must cover them all. */
  routes: { method: string; url: string }[];
  /** Process background jobs in this process (serve, worker). */
  startWorker(): Promise<void>;
  /** Base URL once listening. */
  url: string | null;
  listen(): Promise<string>;
  importCourses(): Promise<ImportResult>;
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Use this database instead of opening config.database (tests share one per suite). */
  db?: Db;
  /** Count SQL statements (tests). */
  onQuery?: (sql: string) => void;
  hooks?: BookingHooks;
  /** false: new reservations count held seats first, then insert (tests of that fallback path). */
  conditionalHoldInsert?: boolean;
  now?: () => Date;
  logger?: boolean | object;
  /** How often an idle worker polls the SQL job store (tests use a short interval). */
  processEveryMs?: number;
  /** Caps job lock lifetimes (tests: short, so no lock-watch timer outlives the suite). */
  jobLockLifetimeMs?: number;
  /** How long close() lets in-flight HTTP answers finish before cutting their connections. Default 10 s. */
  httpCloseGraceMs?: number;
  /** How long close() lets running jobs finish. Default 5 s. Jobs locked but not started are unlocked after it. */
  jobDrainMs?: number;
}

/** The Fastify instance with its logger, limits and timeouts, and the list of routes it collects. */
function createFastify(config: Config, opts: BuildOptions) {
  const logger =
    opts.logger === false
      ? false
      : {
          level: config.logLevel,
          // Credentials and personal data censored in every line (src/observability/log-redact.ts).
          formatters: logRedaction.formatters,
          // requestId/job of the current request or job on every line (src/observability/log-context.ts)
          mixin: logContextMixin,
          stream: logDestination(config.logFormat),
          // Any line that carries the request (Fastify's error lines) shows its URL redacted.
          serializers: { ...logRedaction.serializers, req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, url: redactUrl(req.url ?? ''), id: req.id }) },
          ...(typeof opts.logger === 'object' ? opts.logger : {}),
        };
  // The request lines go to the same destination (src/observability/log-format.ts says why apart).
  const lineStream = logger && (logger as { stream?: DestinationStream }).stream;
  const lineLogger = lineStream ? requestLineLogger(lineStream) : undefined;
  // The server's requests pass the catalogue's answer replay first, once it exists (buildKursus).
  const front: Parameters<typeof serverWithFront>[0] = {};
  const app = Fastify({
    logger,
    serverFactory: serverWithFront(front),
    bodyLimit: config.bodyLimitBytes,
    // Do not trust X-Forwarded-For unless configured: per-client limits key on the real peer.
    trustProxy: process.env.TRUST_PROXY ?? false,
    // A caller's X-Request-Id is kept when it is safe to log, else a new UUID (echoed back).
    requestIdHeader: false,
    genReqId: requestIdFor,
    // One log line per request, in both formats (src/observability/log-format.ts).
    logController: new OneLinePerRequest(lineLogger),
    // Slow clients must not hold connections (and their parsers) open for minutes: the whole
    // request, headers included, must arrive within REQUEST_TIMEOUT_MS, the headers within
    // HEADERS_TIMEOUT_MS (both answered 408 and closed), and a silent connection is closed after
    // CONNECTION_TIMEOUT_MS. Node checks the first two every second instead of every 30 s.
    requestTimeout: config.security.requestTimeoutMs,
    connectionTimeout: config.security.connectionTimeoutMs,
    http: { requestTimeout: config.security.requestTimeoutMs, headersTimeout: config.security.headersTimeoutMs, connectionsCheckingInterval: 1000 },
  });
  // GraphQL variables and connector bodies never need more than a few levels.
  limitJsonDepth(app, 64);
  const routes: Kursus['routes'] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  return { app, routes, front, lineLogger };
}

/** Demo mode: the loopback Maconomy and WordPress simulators stand in for the ones not configured. */
async function startDemoUpstreams(config: Config, log: { info(o: object, m?: string): void }) {
  let simulator: MaconomySimulator | null = null;
  let maconomyUrl = config.maconomy.url;
  if (!maconomyUrl) {
    simulator = await startMaconomySimulator({ token: config.maconomy.token, statePath: simulatorStatePath(config.varDir, 'maconomy') });
    maconomyUrl = simulator.url;
    log.info({ url: simulator.url }, 'demo mode: MACONOMY_URL is not set, using the built-in Maconomy simulator with Danish demo courses');
  }

  let wordpressUrl = config.wordpress.url;
  let wordpressSimulator: { url: string; close(): Promise<void> } | null = null;
  if (!wordpressUrl) {
    wordpressSimulator = await startWordPressSimulator({ user: config.wordpress.user, appPassword: config.wordpress.appPassword, postType: config.wordpress.postType, acf: config.wordpress.fieldMode === 'acf', statePath: simulatorStatePath(config.varDir, 'wordpress') });
    wordpressUrl = wordpressSimulator.url;
    log.info({ url: wordpressSimulator.url }, 'demo mode: WORDPRESS_URL is not set, using the built-in WordPress simulator');
  }
  return { maconomyUrl, wordpressUrl, simulator, wordpressSimulator };
}

/** What checkout does beside placing the order: enqueue its sync and confirmation jobs (with the order on the SQL store). */
function checkoutHooks(jobs: JobRunner, now: () => Date, extra: BookingHooks | undefined): BookingHooks {
  return {
    ...extra,
    async onPlaced(em, orderId) {
      // SQL store: the jobs commit with the order. MongoDB store: scheduled after commit below.
      if (jobs.store === 'sql') await enqueueAfterCheckout(em, orderId, now(), currentRequestId());
      await extra?.onPlaced?.(em, orderId);
    },
    async afterPlaced(order) {
      if (jobs.store === 'mongodb') {
        const requestId = currentRequestId();
        await jobs.agenda.schedule(new Date(now().getTime() + SYNC_DELAY_MS), JOBS.syncOrder, { orderId: order.id, requestId });
        await jobs.agenda.now(JOBS.sendOrderConfirmation, { orderId: order.id, requestId });
      }
      await extra?.afterPlaced?.(order);
    },
  };
}

// Long by design (~160 lines): the composition root (its self-contained parts are the functions above):
// every part is built here in dependency order and handed to the next, so the wiring of the whole
// product reads top to bottom in one place.
export async function buildKursus(config: Config, opts: BuildOptions = {}): Promise<Kursus> {
  const { app, routes, front, lineLogger } = createFastify(config, opts);
  const { maconomyUrl, wordpressUrl, simulator, wordpressSimulator } = await startDemoUpstreams(config, app.log);

  const db = opts.db ?? (await openDb(config.database, { onQuery: opts.onQuery }));
  const ownsDb = !opts.db;
  const httpLog = createHttpLog({ db, config: config.httpLog, log: app.log });
  // Circuit breakers of upstream calls, one per (system, base URL): shown in /readyz and /metrics.
  const breakers = new BreakerRegistry();
  const metrics = createMetrics({ seatsHeld: () => seatsHeldByStatus(db, new Date()), seatDriftDates: () => seatDriftDates(db), processMetrics: config.env !== 'test', breakers });
  // Kept connections to Maconomy (closed at shutdown).
  const maconomyConnections = nodeHttpTransport();
  const maconomy = new MaconomyClient({
    baseUrl: maconomyUrl,
    token: config.maconomy.token,
    timeoutMs: config.maconomy.timeoutMs,
    retries: config.maconomy.retries,
    storefrontDeadlineMs: config.maconomy.storefrontDeadlineMs,
    breaker: { failures: config.maconomy.breakerFailures, cooldownMs: config.maconomy.breakerCooldownMs, registry: breakers },
    logger: app.log,
    transport: httpLog.transport('maconomy', maconomyConnections.send),
    onCall: (call) => {
      metrics.observeMaconomyCall(call);
      metrics.observeUpstreamAttempt({ system: 'maconomy', ...call });
    },
  });
  const now = opts.now ?? (() => new Date());
  // One per process, shared by reservations, checkouts, syncs and reconciliation (maconomy-seats.ts).
  const seats = createSeatReader({ maconomy, cacheMs: config.maconomy.seatCacheMs, log: app.log });
  const catalogCache = createCatalogCache({ ttlMs: config.security.catalogCacheMs, maxTokens: config.graphql.maxTokens });
  // Repeats of cached anonymous catalogue answers, answered before Fastify (src/http/answer-replay.ts).
  const replayedDuration = metrics.httpDuration.labels({ method: 'POST', route: '/graphql', status_code: '200' });
  const replayedHit = metrics.catalogCache.labels({ result: 'hit' });
  const replay = createAnswerReplay({
    generation: catalogCache.generation,
    ttlMs: config.security.catalogCacheMs,
    onReplayed: (requestId, ms) => {
      replayedDuration.observe(ms / 1000);
      replayedHit.inc();
      metrics.answersReplayed.inc();
      // The app logger decides, as for Fastify's own request lines (LOG_LEVEL, changed at run time).
      if (lineLogger && (app.log as Partial<Pick<Logger, 'isLevelEnabled'>>).isLevelEnabled?.('info')) writeRequestLine(lineLogger, requestId, 'POST', '/graphql', 200, ms);
    },
  });
  front.front = replay.front;
  app.addHook('preClose', (done) => {
    replay.close();
    done();
  });
  const wordpress = new WordPressClient({
    baseUrl: wordpressUrl,
    user: config.wordpress.user,
    appPassword: config.wordpress.appPassword,
    postType: config.wordpress.postType,
    fieldMode: config.wordpress.fieldMode,
    logger: app.log,
    fetch: httpLog.fetch('wordpress'),
    onCall: (call) => metrics.observeUpstreamAttempt({ system: 'wordpress', ...call }),
  });
  const mail = createMailTransport({ smtpUrl: config.mail.smtpUrl, mailDir: `${config.varDir}/mail` });
  const commerce = await startCommerceConnectors(config, { log: app.log, fetchFor: (system) => httpLog.fetch(system), onCall: (a) => metrics.observeUpstreamAttempt(a) });
  const jobs = createJobRunner({ config, db, maconomy, seats, wordpress, mail, log: app.log, now, httpLog, commerce, onUpstreamCall: (a) => metrics.observeUpstreamAttempt(a), onCatalogChanged: () => catalogCache.invalidate() }, { processEveryMs: opts.processEveryMs, lockLifetimeMs: opts.jobLockLifetimeMs, drainMs: opts.jobDrainMs });
  instrumentJobs(jobs.agenda, metrics, app.log);
  let workerExpected = false;
  const hooks = checkoutHooks(jobs, now, opts.hooks);
  const booking = instrumentBooking(
    createBookingService({
      db,
      seats,
      holdMinutes: config.holdMinutes,
      maxSeatsPerOrder: config.maxSeatsPerOrder,
      maxSeatsPerClient: config.security.maxSeatsPerClient,
      now,
      hooks,
      conditionalInsert: opts.conditionalHoldInsert,
    }),
    metrics,
  );
  const services: Services = {
    config,
    db,
    booking,
    now,
    jobs,
    // Editor enrichment changes what the WordPress post shows: push just that course date.
    onCatalogChanged: (courseDateIds) => {
      catalogCache.invalidate();
      jobs.agenda.now(JOBS.pushWordpress, { courseDateIds, reason: 'editor' }).catch((err) => app.log.error({ err }, 'could not queue push-wordpress'));
    },
  };

  // First: the OpenAPI document collects every route added after it.
  await registerApiDocs(app, { ui: config.exposure.apiDocs });
  await registerObservability(app, {
    db,
    jobs,
    mail,
    metrics,
    breakers,
    workerExpected: () => workerExpected,
    metricsAccess: config.exposure.metricsToken || !config.demo ? { open: false, token: config.exposure.metricsToken } : { open: true },
  });
  await registerSecurity(app, config);
  const cacheHooks = catalogCacheHooks(catalogCache, (result) => metrics.catalogCache.inc({ result }), {
    sMaxAgeSeconds: config.security.httpCacheSMaxAgeSeconds,
    staleWhileRevalidateSeconds: config.security.httpCacheStaleWhileRevalidateSeconds,
  }, replay);
  // After the cache's: its hits never reach the limit.
  const queryLimit = anonymousQueryLimit(config);
  registerHttpLogHooks(app, httpLog);
  await registerGraphQL(app, services, {
    routeHooks: { ...cacheHooks, preHandler: [...cacheHooks.preHandler, ...(queryLimit ? [queryLimit] : [])] },
    // Demo: the walk-through's course date of the simulated Maconomy (the README books it).
    ideCourseId: simulator ? WALKTHROUGH_COURSE_NO : undefined,
    plugins: [apolloMetricsPlugin(metrics), rateLimitPlugin(bookingRateLimits(config), (ctx) => ctx.clientKey)],
  });

  // Back-office staff: the demo editor and admin in demo mode; production disables them.
  if (config.demo) await seedDemoStaff(db);
  else {
    const disabled = await disableDemoStaff(db);
    if (disabled) app.log.warn({ disabled }, 'production: this database ran in demo mode; the demo back-office accounts (editor@kursus.demo, admin@kursus.demo) are disabled');
  }
  await registerStaffRoutes(app, { db, config, now });
  await registerBackOffice(app, { db, config, now, agenda: jobs.agenda });

  await registerConnectors(app, { config, db, now, httpLog, log: app.log, jobs });
  await registerCommerceConnectors(app, { config, db, now, jobs, commerce });

  const kursus: Kursus = {
    config,
    app,
    db,
    maconomy,
    booking,
    simulator,
    wordpress,
    mail,
    jobs,
    httpLog,
    metrics,
    commerce,
    routes,
    startWorker: () => {
      workerExpected = true;
      return jobs.startWorker().then(() => scheduleCommerceRecurring(jobs.agenda, config, config.jobs.timezone));
    },
    url: null,
    async listen() {
      const address = await app.listen({ port: config.port, host: config.host });
      kursus.url = address.replace('[::1]', 'localhost');
      return kursus.url;
    },
    importCourses: async () => {
      const result = await importCourses({ db, source: maconomy, log: app.log });
      catalogCache.invalidate();
      return result;
    },
    async close() {
      // Stop taking requests first (in-flight ones finish), then let running jobs finish (up to
      // jobDrainMs) and unlock the jobs this worker locked but had not started (src/jobs/runner.ts).
      // A client that stops reading its answer (a stalled download of the IDE bundle, say) must not
      // hold the shutdown hostage: after the grace period its connection is cut, so the jobs are
      // still unlocked and the database closed before the process supervisor's kill.
      const cut = setTimeout(() => app.server.closeAllConnections(), opts.httpCloseGraceMs ?? 10_000);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      await jobs.stop();
      await httpLog.close();
      maconomyConnections.close();
      mail.close();
      if (ownsDb) await db.close();
      await simulator?.close();
      await wordpressSimulator?.close();
      await commerce.close();
    },
  };
  return kursus;
}

export async function prepareDatabase(config: Config, log: { info(o: object, m?: string): void }): Promise<void> {
  const db = await openDb(config.database);
  try {
    const applied = await migrate(db);
    log.info({ database: config.database.kind, applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
  } finally {
    await db.close();
  }
}
