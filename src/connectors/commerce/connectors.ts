// The commerce connectors at run time: the Jubelio gateway and the BaseLinker <-> Optimakers bridge,
// each with its typed clients, or, in demo mode with no URL configured, with its loopback simulator
// started and seeded so the whole flow can be tried with curl. buildKursus creates this once.
//
// Layout by system: src/connectors/jubelio/ (the Jubelio gateway), src/connectors/baselinker-optimakers/
// (the bridge), and here, src/connectors/commerce/, what both share: the clients' error type and
// rate limiter (http.ts), webhook deliveries and job runs (deliveries.ts, entities.ts), the REST
// surface (routes.ts), the jobs (jobs.ts), the connector check (check.ts) and the CLI (cli.ts).
import { simulatorStatePath } from '../../simulators/state-file.js';
import type { Config } from '../../config.js';
import type { ClientLogger, FetchLike } from './http.js';
import type { UpstreamAttempt } from '../../http/upstream.js';
import { JubelioClient } from '../jubelio/client.js';
import { BaseLinkerClient } from '../baselinker-optimakers/baselinker-client.js';
import { OptimakersClient } from '../baselinker-optimakers/optimakers-client.js';
import { startJubelioSimulator, demoSalesOrder, type JubelioSimulator } from '../../simulators/jubelio.js';
import { startBaseLinkerSimulator, type BaseLinkerSimulator } from '../../simulators/baselinker.js';
import { startOptimakersSimulator, type OptimakersSimulator } from '../../simulators/optimakers.js';

export interface CommerceConnectors {
  config: Pick<Config, 'jubelio' | 'bridge'>;
  /** null when the Jubelio gateway is disabled. */
  jubelio: JubelioClient | null;
  baselinker: BaseLinkerClient | null;
  optimakers: OptimakersClient | null;
  simulators: { jubelio: JubelioSimulator | null; baselinker: BaseLinkerSimulator | null; optimakers: OptimakersSimulator | null };
  /** Test hooks (simulate a crash right after Optimakers accepted an order). */
  hooks: { afterCreate?: (baselinkerOrderId: number) => Promise<void> | void };
  /** Demo mode: point the simulators' webhooks at this app once it listens. */
  setPublicUrl(baseUrl: string): void;
  close(): Promise<void>;
}

export interface CommerceOptions {
  log: ClientLogger & { info(o: object, m?: string): void };
  /** Outbound fetch per system (the request/response log's wrapper). */
  fetchFor?: (system: string) => FetchLike;
  /** Called once per HTTP attempt of any of the three clients (metrics). */
  onCall?: (attempt: UpstreamAttempt) => void;
}

/** `varDir`: where the demo simulators keep their state (absent: in memory only, e.g. connector-check). */
export async function startCommerceConnectors(config: Pick<Config, 'jubelio' | 'bridge' | 'demo'> & { varDir?: string }, opts: CommerceOptions): Promise<CommerceConnectors> {
  const { log } = opts;
  const j = config.jubelio;
  const b = config.bridge;
  const simulators: CommerceConnectors['simulators'] = { jubelio: null, baselinker: null, optimakers: null };
  const fetchFor = (system: string) => opts.fetchFor?.(system);
  const statePath = (name: string) => (config.varDir ? simulatorStatePath(config.varDir, name) : undefined);

  let jubelio: JubelioClient | null = null;
  if (j.enabled) {
    let url = j.url;
    if (!url) {
      // Only reachable in demo mode: config refuses a missing JUBELIO_URL in production.
      simulators.jubelio = await startJubelioSimulator({ email: j.email, password: j.password, statePath: statePath('jubelio') });
      // A restored demo keeps what it had; only a fresh one is seeded.
      if (!simulators.jubelio.restored) for (let id = 1; id <= 3; id++) simulators.jubelio.putSalesOrder(demoSalesOrder(id));
      url = simulators.jubelio.url;
      log.info({ url }, 'demo mode: JUBELIO_URL is not set, the Jubelio gateway uses the built-in Jubelio simulator');
    }
    jubelio = new JubelioClient({
      baseUrl: url,
      email: j.email,
      password: j.password,
      timeoutMs: j.timeoutMs,
      retries: j.retries,
      rateLimitPerMinute: j.rateLimitPerMinute,
      rateLimitWaitMs: j.rateLimitWaitMs,
      fetch: fetchFor('jubelio'),
      onCall: opts.onCall,
      logger: log,
    });
  }

  let baselinker: BaseLinkerClient | null = null;
  let optimakers: OptimakersClient | null = null;
  if (b.enabled) {
    let blUrl = b.baselinker.url;
    if (!blUrl) {
      simulators.baselinker = await startBaseLinkerSimulator({ token: b.baselinker.apiKey, statePath: statePath('baselinker') });
      // Demo orders: most to import, one in a currency the demo mapping lacks, one in another status.
      const first = Math.floor(Date.now() / 1000) - 3600;
      if (!simulators.baselinker.restored) {
        simulators.baselinker.addDemoOrders(10, { status_id: b.baselinker.orderStatusToImport, firstConfirmed: first });
        simulators.baselinker.addDemoOrders(1, { status_id: b.baselinker.orderStatusToImport, firstConfirmed: first + 10, currency: 'GBP' });
        simulators.baselinker.addDemoOrders(1, { status_id: 1001, firstConfirmed: first + 11 });
      }
      blUrl = simulators.baselinker.endpoint;
      log.info({ url: blUrl }, 'demo mode: BASELINKER_URL is not set, the bridge uses the built-in BaseLinker simulator');
    }
    let omUrl = b.optimes.url;
    if (!omUrl) {
      simulators.optimakers = await startOptimakersSimulator({ apiKey: b.optimes.apiKey, apiKeyHeader: b.optimes.apiKeyHeader, statePath: statePath('optimakers') });
      omUrl = simulators.optimakers.url;
      log.info({ url: omUrl }, 'demo mode: OPTIMES_URL is not set, the bridge uses the built-in Optimakers simulator');
    }
    baselinker = new BaseLinkerClient({
      url: blUrl,
      token: b.baselinker.apiKey,
      timeoutMs: b.baselinker.timeoutMs,
      retries: b.baselinker.retries,
      rateLimitPerMinute: b.baselinker.rateLimitPerMinute,
      rateLimitWaitMs: b.baselinker.rateLimitWaitMs,
      fetch: fetchFor('baselinker'),
      onCall: opts.onCall,
      logger: log,
    });
    optimakers = new OptimakersClient({ baseUrl: omUrl, apiKey: b.optimes.apiKey, apiKeyHeader: b.optimes.apiKeyHeader, timeoutMs: b.optimes.timeoutMs, retries: b.optimes.retries, fetch: fetchFor('optimakers'), onCall: opts.onCall, logger: log });
  }

  return {
    config: { jubelio: j, bridge: b },
    jubelio,
    baselinker,
    optimakers,
    simulators,
    hooks: {},
    setPublicUrl(baseUrl) {
      const base = baseUrl.replace(/\/+$/, '');
      if (simulators.jubelio) {
        const path = j.webhook.scheme === 'path' ? `/api/connectors/jubelio/webhooks/${encodeURIComponent(j.webhook.secret)}` : '/api/connectors/jubelio/webhooks';
        simulators.jubelio.setWebhook({ url: base + path, secret: j.webhook.secret, scheme: j.webhook.scheme === 'path' ? 'none' : j.webhook.scheme, header: j.webhook.header });
      }
      simulators.optimakers?.setWebhook({ url: `${base}/api/connectors/optimakers/webhooks`, token: b.optimes.webhookToken });
    },
    async close() {
      await Promise.all([simulators.jubelio?.close(), simulators.baselinker?.close(), simulators.optimakers?.close()]);
    },
  };
}
