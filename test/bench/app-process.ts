// Benchmark helper process: the product under load, or one batch job under measurement.
//   serve   the app (API + worker) built exactly as `npm start` builds it, plus a bare Fastify
//           route serving a given JSON string from memory (the baseline); IPC commands below
//   worker  the worker alone (`npm run worker`), for the sync lag with API and worker apart
//   api     the API alone (`npm run api`: no worker, no import) on an already imported database,
//           plus the bare route: the storefront reads measured with the catalogue cache off
//   import  migrate a fresh database, import from the simulator; report seconds and peak RSS
//   gdpr    seed N anonymisable orders, run gdpr-cleanup; report seconds
// Configuration comes from the environment (DATABASE_URL, MACONOMY_URL, ...), as in production.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { openDb, migrate } from '../../src/db/orm.js';
import { MaconomyClient } from '../../src/integrations/maconomy/index.js';
import { importCourses } from '../../src/catalog/import.js';
import { gdprCleanup } from '../../src/booking/housekeeping.js';
import { Order, Participant } from '../../src/booking/entities.js';
import { CourseDate } from '../../src/catalog/entities.js';
// The HTTP stack (Fastify, Apollo, type-graphql, Agenda) is loaded only by `serve`, so the import
// process's peak RSS is the import's (database layer, Maconomy client, the import itself).

type Msg = { id: number; cmd: string; [k: string]: unknown };
const reply = (id: number, body: unknown) => process.send?.({ id, ...((body as object) ?? {}) });
const mode = process.argv[2];

/** Wall-clock ms with sub-ms precision, comparable across the bench's processes. */
const wallNow = () => performance.timeOrigin + performance.now();

/**
 * `serve`: the app as `npm start` runs it (API + worker in one process), plus the bare baseline
 * route. `worker`: the worker alone, as `npm run worker` runs it in production, against the same
 * database; it serves no HTTP. Both record the sync-lag events they see (checkout placed; sync
 * job started; sync job succeeded) in wall-clock ms, and run.ts joins them by order id, so the
 * lag can be measured across two processes.
 */
async function serve(role: 'serve' | 'worker' | 'api') {
  const { default: Fastify } = await import('fastify');
  const { buildKursus } = await import('../../src/app.js');
  const { JOBS } = await import('../../src/jobs/registry.js');
  const config = loadConfig();
  const db = await openDb(config.database);
  await migrate(db);
  const placed = new Map<string, number>();
  const started = new Map<string, number>();
  const synced = new Map<string, number>();
  const kursus = await buildKursus(config, {
    db,
    hooks: {
      async afterPlaced(order) {
        placed.set(order.id, wallNow());
      },
    },
  });
  const orderOf = (job: { attrs: { data: unknown } }) => (job.attrs.data as { orderId?: string })?.orderId;
  kursus.jobs.agenda.on(`start:${JOBS.syncOrder}`, (job: { attrs: { data: unknown } }) => {
    const id = orderOf(job);
    if (id && !started.has(id)) started.set(id, wallNow());
  });
  kursus.jobs.agenda.on(`success:${JOBS.syncOrder}`, (job: { attrs: { data: unknown } }) => {
    const id = orderOf(job);
    if (id && !synced.has(id)) synced.set(id, wallNow());
  });
  let url: string | undefined;
  let bare: import('fastify').FastifyInstance | undefined;
  // The same bare route with Fastify's own request logging at info (its default pino set-up: two
  // lines per request to standard output), for the cached catalogue's second comparison.
  let bareLogged: import('fastify').FastifyInstance | undefined;
  let baselineBody = '{}';
  if (role !== 'worker') {
    if (role === 'serve') await kursus.importCourses();
    url = await kursus.listen();
    bare = Fastify({ logger: false, bodyLimit: config.bodyLimitBytes });
    bare.post('/graphql', async (_req, rep) => rep.header('content-type', 'application/json; charset=utf-8').send(baselineBody));
    if (role === 'serve') {
      bareLogged = Fastify({ logger: { level: 'info' }, bodyLimit: config.bodyLimitBytes });
      bareLogged.post('/graphql', async (_req, rep) => rep.header('content-type', 'application/json; charset=utf-8').send(baselineBody));
    }
  }
  if (role !== 'api') await kursus.startWorker();
  let workerRunning = role !== 'api';
  const bareUrl = bare ? await bare.listen({ port: 0, host: '127.0.0.1' }) : undefined;
  const bareLoggedUrl = bareLogged ? await bareLogged.listen({ port: 0, host: '127.0.0.1' }) : undefined;

  // KURSUS_BENCH_TRACE: event-loop stalls over 15 ms, with the wall-clock time each began.
  const stalls: [number, number, number][] = [];
  if (process.env.KURSUS_BENCH_TRACE) {
    let last = wallNow();
    setInterval(() => {
      const now = wallNow();
      // The third field is CLOCK_MONOTONIC in µs, the clock of a --cpu-prof profile's timestamps.
      if (now - last > 15) stalls.push([last, now - last, Number(process.hrtime.bigint() / 1000n) - (now - last) * 1000]);
      last = now;
    }, 2).unref();
  }
  let profiler: import('node:inspector/promises').Session | undefined;
  process.on('message', async (m: Msg) => {
    try {
      if (m.cmd === 'profileStart') {
        // KURSUS_BENCH_READ_PROF: a CPU profile of one read's own rounds (not the bare route's).
        profiler ??= new (await import('node:inspector/promises')).Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
        await profiler.post('Profiler.start');
        reply(m.id, { ok: true });
      } else if (m.cmd === 'profileStop') {
        const { profile } = await profiler!.post('Profiler.stop');
        profiler!.disconnect();
        await (await import('node:fs/promises')).writeFile(String(m.path), JSON.stringify(profile));
        reply(m.id, { ok: true });
      } else if (m.cmd === 'stalls') {
        reply(m.id, { stalls: stalls.splice(0) });
      } else if (m.cmd === 'baseline') {
        baselineBody = String(m.body);
        reply(m.id, { ok: true });
      } else if (m.cmd === 'resetLag') {
        placed.clear();
        started.clear();
        synced.clear();
        reply(m.id, { ok: true });
      } else if (m.cmd === 'lagEvents') {
        reply(m.id, { placed: [...placed], started: [...started], synced: [...synced] });
      } else if (m.cmd === 'cpu') {
        const u = process.cpuUsage();
        reply(m.id, { ms: (u.user + u.system) / 1000, systemMs: u.system / 1000 });
      } else if (m.cmd === 'stopWorker') {
        // From here on this process is what `npm run api` runs: the API without a worker.
        if (workerRunning) await kursus.jobs.stop();
        workerRunning = false;
        reply(m.id, { ok: true });
      } else if (m.cmd === 'held') {
        const em = db.em();
        const cd = await em.findOneOrFail(CourseDate, { maconomyId: String(m.maconomyId) });
        const held = await em.count(Order, { courseDate: cd.id, status: 'RESERVED' });
        reply(m.id, { reservedOrders: held });
      } else if (m.cmd === 'stop') {
        await kursus.close();
        await bare?.close();
        await bareLogged?.close();
        await db.close();
        reply(m.id, { ok: true });
        process.exit(0);
      }
    } catch (err) {
      reply(m.id, { error: String((err as Error)?.stack ?? err) });
    }
  });
  process.send?.({ ready: true, url, bareUrl, bareLoggedUrl });
}

async function importOnce() {
  const config = loadConfig();
  const db = await openDb(config.database);
  await migrate(db);
  const maconomy = new MaconomyClient({ baseUrl: config.maconomy.url!, token: config.maconomy.token, timeoutMs: 60_000 });
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const result = await importCourses({ db, source: maconomy });
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  await db.close();
  process.send?.({ seconds, peakRssMb, rssBeforeMb: rssBefore / 1024 / 1024, courseDates: result.courseDates.seen });
}

async function gdpr() {
  const count = Number(process.argv[3] ?? 100_000);
  const config = loadConfig();
  const db = await openDb(config.database);
  await migrate(db);
  const maconomy = new MaconomyClient({ baseUrl: config.maconomy.url!, token: config.maconomy.token, timeoutMs: 60_000 });
  await importCourses({ db, source: maconomy });
  // The courses ended three years ago: every order on them is past retention.
  await db.em().nativeUpdate(CourseDate, {}, { startDate: '2022-01-10', endDate: '2022-01-11' });
  const dates = (await db.em().find(CourseDate, {}, { fields: ['id'] })).map((c) => c.id);
  const long = new Date(Date.now() - 3 * 365 * 86_400_000);
  const seedStarted = performance.now();
  for (let done = 0; done < count; ) {
    const n = Math.min(500, count - done);
    const orders = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      courseDate: dates[(done + i) % dates.length]!,
      status: 'SYNCED' as const,
      seats: 1,
      expiresAt: null,
      tokenHash: 'f'.repeat(64),
      clientKey: '127.0.0.1',
      bookerFirstName: 'Mette',
      bookerLastName: 'Kjær',
      bookerEmail: `booker${done + i}@example.dk`,
      bookerPhone: '+45 12 34 56 78',
      bookerCompany: 'Firma A/S',
      unitPriceMinor: 1_490_000,
      currency: 'DKK',
      placedAt: long,
      syncedAt: long,
      syncAttempts: 1,
      createdAt: long,
      updatedAt: long,
    }));
    await db.em().insertMany(Order, orders);
    await db.em().insertMany(
      Participant,
      orders.map((o, i) => ({ id: randomUUID(), order: o.id, position: 1, firstName: 'Jens', lastName: 'Olsen', email: `p${done + i}@example.dk` })),
    );
    done += n;
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const started = performance.now();
  const result = await gdprCleanup(db, { retentionDays: config.jobs.gdprRetentionDays });
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  process.send?.({ seconds, seedSeconds, anonymisedOrders: result.anonymisedOrders });
}

const run = mode === 'serve' || mode === 'worker' || mode === 'api' ? () => serve(mode) : mode === 'import' ? importOnce : mode === 'gdpr' ? gdpr : null;
if (!run) {
  console.error('usage: app-process.js serve|worker|api|import|gdpr [orders]');
  process.exit(2);
}
run().catch((err) => {
  console.error(err);
  process.exit(1);
});
