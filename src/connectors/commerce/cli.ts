// Command-line parts of the commerce connectors, for src/main.ts: `connector-check <target>` and
// the three simulators of `npm run simulator -- <jubelio|baselinker|optimakers> --port N`.
import { ConfigError, loadConfig } from '../../config.js';
import { openDb, type Db } from '../../db/orm.js';
import { createHttpLog, type HttpLog } from '../http-log/log.js';
import { startCommerceConnectors } from './connectors.js';
import { checkConnectors, CHECK_TARGETS, formatReports, type CheckTarget } from './check.js';
import { DEMO_JUBELIO } from '../jubelio/config.js';
import { DEMO_BRIDGE_ENV } from '../baselinker-optimakers/config.js';
import { demoSalesOrder, startJubelioSimulator } from '../../simulators/jubelio.js';
import { startBaseLinkerSimulator } from '../../simulators/baselinker.js';
import { startOptimakersSimulator } from '../../simulators/optimakers.js';

type Log = { info(o: object, m?: string): void; warn(o: object, m?: string): void };

/** Prints one line per fact and returns the exit code (0: everything reachable and every id exists). */
export async function runConnectorCheck(target: string | undefined, log: Log): Promise<number> {
  const t = (target ?? 'all') as CheckTarget;
  if (!CHECK_TARGETS.includes(t)) throw new ConfigError(`connector-check: unknown connector "${target}"; use ${CHECK_TARGETS.join(', ')}`);
  const config = loadConfig();
  // The check's calls go to the request/response log like the server's (system jubelio,
  // baselinker, optimakers); without a reachable database the check still runs, unlogged.
  let db: Db | null = null;
  let httpLog: HttpLog | null = null;
  try {
    db = await openDb(config.database);
    httpLog = createHttpLog({ db, config: config.httpLog, log });
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'connector-check: the database cannot be opened; the calls are not recorded in the request/response log');
  }
  // Quiet clients: the report says what failed; retries would only make the operator wait.
  const commerce = await startCommerceConnectors(
    { ...config, jubelio: { ...config.jubelio, retries: 0 }, bridge: { ...config.bridge, baselinker: { ...config.bridge.baselinker, retries: 0 }, optimes: { ...config.bridge.optimes, retries: 0 } } },
    { log: { info: () => undefined, warn: () => undefined }, fetchFor: httpLog ? (system) => httpLog.fetch(system) : undefined },
  );
  try {
    if (config.demo && (commerce.simulators.jubelio || commerce.simulators.baselinker || commerce.simulators.optimakers)) log.warn({}, 'demo mode: checking against the built-in simulators');
    const reports = await checkConnectors(commerce, t);
    process.stdout.write(formatReports(reports) + '\n');
    return reports.every((r) => r.ok) ? 0 : 1;
  } finally {
    await commerce.close();
    await httpLog?.close();
    await db?.close();
  }
}

export const COMMERCE_SIMULATORS: Record<string, (port: number) => Promise<{ url: string; credentials: string; close(): Promise<void> }>> = {
  async jubelio(port) {
    const sim = await startJubelioSimulator({ port, host: '127.0.0.1', email: process.env.JUBELIO_EMAIL ?? DEMO_JUBELIO.email, password: process.env.JUBELIO_PASSWORD ?? DEMO_JUBELIO.password });
    for (let id = 1; id <= 3; id++) sim.putSalesOrder(demoSalesOrder(id));
    return { url: sim.url, credentials: 'POST /login with JUBELIO_EMAIL / JUBELIO_PASSWORD (demo defaults)', close: () => sim.close() };
  },
  async baselinker(port) {
    const sim = await startBaseLinkerSimulator({ port, host: '127.0.0.1', token: process.env.BASELINKER_API_KEY ?? DEMO_BRIDGE_ENV.BASELINKER_API_KEY });
    sim.addDemoOrders(20, { status_id: Number(DEMO_BRIDGE_ENV.BASELINKER_ORDER_STATUS_TO_IMPORT), firstConfirmed: Math.floor(Date.now() / 1000) - 3600 });
    return { url: sim.endpoint, credentials: 'X-BLToken: BASELINKER_API_KEY (demo default)', close: () => sim.close() };
  },
  async optimakers(port) {
    const header = process.env.OPTIMES_API_KEY_HEADER || 'X-Api-Key';
    const sim = await startOptimakersSimulator({ port, host: '127.0.0.1', apiKey: process.env.OPTIMES_API_KEY ?? DEMO_BRIDGE_ENV.OPTIMES_API_KEY, apiKeyHeader: header });
    return { url: sim.url, credentials: `${header}: OPTIMES_API_KEY (demo default)`, close: () => sim.close() };
  },
};
