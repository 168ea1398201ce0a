// The bench's targets (issue 14) and its results as a Markdown table: used by run.ts after a run,
// and by table.ts to write the table of var/bench/latest.json into docs/benchmarks.md.

/** The targets, checked against one database's results: name -> met (only for the parts that ran). */
export function targets(r: any): Record<string, boolean> {
  const checks: [string, unknown, () => boolean][] = [
    ['catalogue (cached, LOG_LEVEL=info) ratio >= 0.8', r.catalogue, () => r.catalogue.ratio >= 0.8],
    ['uncached catalogue <= 400 µs app CPU per answer', r.catalogueUncached, () => r.catalogueUncached.appCpuUsPerRequest <= 400],
    ['search <= 400 µs app CPU per answer', r.search, () => r.search.appCpuUsPerRequest <= 400],
    ['course detail <= 400 µs app CPU per answer', r.courseDetail, () => r.courseDetail.appCpuUsPerRequest <= 400],
    ['reservation <= 0.7 ms app CPU', r.reserve, () => r.reserve.appCpuMsPerReservation <= 0.7],
    ['reservation p99 < 50 ms at 50 connections (paced)', r.reserve, () => r.reserve.p99 < 50],
    ['contention: exactly 10 of 200 get a seat', r.contention, () => r.contention.successes === 10],
    ['import of 10,000 dates < 10 s', r.import, () => r.import.seconds < 10],
    ['import peak RSS <= 200 MB', r.import, () => r.import.peakRssMb <= 200],
    ['sync lag p99 < 3 s (API and worker processes)', r.syncLag, () => r.syncLag.p99 < 3],
    ['sync lag p99 < 3 s (one process, npm start)', r.syncLagOneProcess, () => r.syncLagOneProcess.p99 < 3],
  ];
  return Object.fromEntries(checks.filter(([, part]) => part !== undefined).map(([name, , met]) => [name, met()]));
}

// ratio: the bare route's CPU per answer over ours (issue 14's definition); rps for the record.
/** The system (kernel) time of a CPU figure, where the run recorded it (since the eleventh pass). */
const ofItSystem = (v: number | undefined) => (v === undefined ? '' : `, of it system ${v}`);
const read = (r: any) => `${r.appCpuUsPerRequest} µs (bare ${r.baselineCpuUsPerRequest} µs, ratio ${r.ratio}), ${r.rps}/s, p99 ${r.p99} ms`;

export function table(results: Record<string, any>): string {
  const kinds = Object.keys(results).filter((k) => k !== 'meta');
  const rows: [string, (r: any) => string][] = [
    ['catalogue from the cache: app CPU per answer (bare route), ratio (target >= 0.8), req/s (bare)', (r) => `${r.catalogue.appCpuUsPerRequest} µs (bare ${r.catalogue.baselineCpuUsPerRequest} µs), **${r.catalogue.ratio}** at LOG_LEVEL=${r.catalogue.logLevel}; ${r.catalogue.rps}/s (bare ${r.catalogue.baselineRps}/s)${r.catalogue.loggedBaselineCpuUsPerRequest ? `; bare with Fastify's default logging at info ${r.catalogue.loggedBaselineCpuUsPerRequest} µs, ratio ${r.catalogue.ratioToLoggedBaseline}` : ''}`],
    ['catalogue uncached (target <= 400 µs)', (r) => read(r.catalogueUncached)],
    ['search: location + text (target <= 400 µs)', (r) => read(r.search)],
    ['page 3 through `after`', (r) => read(r.page3)],
    ['course(id), every field (target <= 400 µs)', (r) => read(r.courseDetail)],
    ['order(id, token) with participants', (r) => read(r.orderDetail)],
    ['reservations/s, 100 dates, 50 conns (closed loop)', (r) => String(r.reserveThroughput)],
    ['reservation p50 / p99 ms, paced at N/s (target p99 < 50)', (r) => `${r.reserve.p50} / ${r.reserve.p99} (N=${r.reserve.offeredRate}; steal ${r.reserve.stealPercent ?? '?'}%, ${r.reserve.attempts.length} run(s))`],
    ['CPU per paced reservation, ms: app (target <= 0.7) / database server', (r) => `${r.reserve.appCpuMsPerReservation}${ofItSystem(r.reserve.appSystemCpuMsPerReservation)} / ${r.reserve.dbCpuMsPerReservation ?? 'in the app'}${r.reserve.closedLoopCpuMsPerReservation !== undefined ? `; app while saturated (closed loop) ${r.reserve.closedLoopCpuMsPerReservation}${ofItSystem(r.reserve.closedLoopSystemCpuMsPerReservation)}; the bare route paced the same way ${r.reserve.pacedBareCpuUsPerAnswer} µs per answer${ofItSystem(r.reserve.pacedBareSystemCpuUsPerAnswer)} (${r.reserve.saturatedBareCpuUsPerAnswer} µs saturated)` : ''}`],
    ['idle app (no requests): CPU ms per second / main-thread wake-ups per second', (r) => `${r.idle.cpuMsPerSecond} / ${r.idle.wakeupsPerSecond ?? '?'}`],
    ['contention: successes / sold out (200 for 10)', (r) => `${r.contention.successes} / ${r.contention.soldOut}`],
    ['sync lag p50 / p99 s, API + worker processes (target p99 < 3)', (r) => `${r.syncLag.p50} / ${r.syncLag.p99} (${r.syncLag.orders} orders)`],
    ['sync lag p50 / p99 s, one process (npm start)', (r) => `${r.syncLagOneProcess.p50} / ${r.syncLagOneProcess.p99}`],
    ['import: s / peak RSS MB (target < 10 / <= 200)', (r) => `${r.import.seconds} / ${r.import.peakRssMb} (${r.import.courseDates} dates; ${r.import.rssBeforeMb} MB before)`],
    ['GDPR cleanup s', (r) => `${r.gdpr.seconds} (${r.gdpr.orders} orders)`],
  ];
  const lines = [`| | ${kinds.join(' | ')} |`, `|---|${kinds.map(() => '---').join('|')}|`];
  const cell = (f: (r: any) => string, r: any) => {
    try {
      const text = f(r);
      return text.includes('undefined') ? '-' : text;
    } catch {
      return '-'; // that part did not run (--only)
    }
  };
  for (const [name, f] of rows) lines.push(`| ${name} | ${kinds.map((k) => cell(f, results[k])).join(' | ')} |`);
  const missed = kinds.flatMap((k) => Object.entries((results[k].targets ?? {}) as Record<string, boolean>).filter(([, met]) => !met).map(([t]) => `${k}: ${t}`));
  lines.push('', missed.length ? `Targets missed: ${missed.join('; ')}.` : 'Targets: all met.');
  return lines.join('\n');
}
