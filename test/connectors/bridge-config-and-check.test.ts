// Start-up validation of the bridge's and the Jubelio gateway's configuration (errors name the
// variable and the integration guide's parameter), and the connector check against the simulators
// with ids that do not exist there.
import { createServer, type AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEMO_BRIDGE_ENV } from '../../src/connectors/baselinker-optimakers/config.js';
import { startCommerceConnectors } from '../../src/connectors/commerce/connectors.js';
import { startJubelioSimulator } from '../../src/simulators/jubelio.js';
import { checkConnectors, formatReports } from '../../src/connectors/commerce/check.js';

const prod = {
  NODE_ENV: 'production',
  MACONOMY_URL: 'https://maconomy.example.dk',
  MACONOMY_TOKEN: 't',
  WORDPRESS_URL: 'https://wp.example.dk',
  WORDPRESS_USER: 'u',
  WORDPRESS_APP_PASSWORD: 'p',
  EDITOR_TOKENS: 'e'.repeat(32),
  ADMIN_TOKENS: 'a'.repeat(32),
  DATABASE_URL: 'mysql://k:s@db:3306/kursus',
  SMTP_URL: 'smtp://smtp.example.dk:587',
};
// Production refuses the published demo secrets: real-looking ones here.
const bridgeEnv = { ...DEMO_BRIDGE_ENV, OPTIMES_URL: 'https://test.syneo.pl', BASELINKER_API_KEY: '5001-xyz', OPTIMES_API_KEY: 'optimes-key-4821', OPTIMES_WEBHOOKTOKEN: 'w'.repeat(40) };
const quiet = { info: () => undefined, warn: () => undefined };

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('bridge and Jubelio configuration', () => {
  it('is off in production unless configured, and complete when configured', () => {
    const c = loadConfig(prod);
    expect(c.bridge.enabled).toBe(false);
    expect(c.jubelio.enabled).toBe(false);
    const on = loadConfig({ ...prod, ...bridgeEnv });
    expect(on.bridge).toMatchObject({
      enabled: true,
      baselinker: { url: 'https://api.baselinker.com/connector.php', orderStatusToImport: 1002, orderStatusToSend: 1003 },
      optimes: { url: 'https://test.syneo.pl', orderStatus: 12, currencyIds: { PLN: 1, EUR: 2 }, vatRateIds: { '23': 1, '8': 2, '5': 3, '0': 4, '-1': 5 } },
    });
  });

  it('names the missing or wrong parameter', () => {
    const { OPTIMES_ORDER_STATUS: _omit, ...noStatus } = bridgeEnv;
    expect(configError({ ...prod, ...noStatus })).toBe('OPTIMES_ORDER_STATUS (optimesOrderStatus) is required for the BaseLinker-Optimakers bridge in production (NODE_ENV=production)');
    expect(configError({ ...prod, ...bridgeEnv, OPTIMES_ORDER_ATTRIBUTE_NOTE: 'notes' })).toContain('OPTIMES_ORDER_ATTRIBUTE_NOTE (optimesOrderAttributeNote) must be a positive whole number');
    expect(configError({ ...prod, ...bridgeEnv, OPTIMES_CURRENCY_IDS: 'PLN=1,EURO=2' })).toContain('OPTIMES_CURRENCY_IDS');
    expect(configError({ ...prod, ...bridgeEnv, OPTIMES_VAT_RATE_IDS: '23=1,abc=2' })).toContain('invalid entry "abc=2"');
    expect(configError({ ...prod, ...bridgeEnv, BASELINKER_ORDER_STATUS_TO_SEND: '1002' })).toContain('must differ');
    expect(configError({ ...prod, ...bridgeEnv, OPTIMES_WEBHOOKTOKEN: 'short' })).toContain('OPTIMES_WEBHOOKTOKEN (optimesApiToken)');
    const { OPTIMES_URL: _u, ...noUrl } = bridgeEnv;
    expect(configError({ ...prod, ...noUrl })).toContain('OPTIMES_URL is required');
    expect(configError({ ...prod, JUBELIO_URL: 'https://api2.jubelio.com', JUBELIO_EMAIL: 'erp@firma.co.id' })).toContain('JUBELIO_PASSWORD is required');
    expect(configError({ ...prod, JUBELIO_URL: 'https://api2.jubelio.com', JUBELIO_EMAIL: 'e', JUBELIO_PASSWORD: 'p', JUBELIO_WEBHOOK_SECRET: 'x'.repeat(20), JUBELIO_WEBHOOK_SIGNATURE: 'none' })).toContain('JUBELIO_WEBHOOK_SIGNATURE=none is not allowed');
    expect(configError({ JUBELIO_PUSH_MINUTES: '0' })).toContain('JUBELIO_PUSH_MINUTES must be a whole number from 1 to 1440');
  });

  it('the check names the ids that do not exist in BaseLinker and Optimakers', async () => {
    const config = loadConfig({ NODE_ENV: 'test', OPTIMES_ORDER_STATUS: '99', OPTIMES_ORDER_ATTRIBUTE_DELIVERY_METHOD: '301', OPTIMES_CURRENCY_IDS: 'PLN=1,EUR=3', BASELINKER_ORDER_STATUS_TO_SEND: '4242' });
    const commerce = await startCommerceConnectors(config, { log: quiet });
    try {
      const reports = await checkConnectors(commerce, 'all');
      const failed = reports.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`));
      expect(failed).toEqual([
        'baselinkerOrderStatusToSend: status 4242 does not exist in BaseLinker (known: 1001 Nowe zamówienia, 1002 Do produkcji (Optimakers), 1003 Zrealizowane, 1004 Anulowane)',
        'optimesOrderStatus: order status 99 does not exist in Optimakers',
        'optimesOrderAttributeDeliveryMethod: attribute 301 ("Login klienta") belongs to customer, expected order',
        'currency EUR: currency id 3 is USD, not EUR',
      ]);
      expect(reports.find((r) => r.connector === 'jubelio')?.ok).toBe(true);
      expect(formatReports(reports)).toContain('FAIL optimakers');
    } finally {
      await commerce.close();
    }
  });

  it('the Optimakers simulator reads the key from the configured header (OPTIMES_API_KEY_HEADER), as the client sends it', async () => {
    const config = loadConfig({ NODE_ENV: 'test', OPTIMES_API_KEY_HEADER: 'X-Optimes-Key' });
    const commerce = await startCommerceConnectors(config, { log: quiet });
    const status = (url: string, headers: Record<string, string>) => fetch(url, { headers }).then(async (r) => (await r.arrayBuffer(), r.status));
    try {
      const [report] = await checkConnectors(commerce, 'optimakers');
      expect(report).toMatchObject({ connector: 'optimakers', ok: true });
      const url = `${commerce.simulators.optimakers!.url}/api/currencies`;
      expect(await status(url, { 'x-optimes-key': 'demo-optimes-api-key' })).toBe(200);
      expect(await status(url, { 'x-api-key': 'demo-optimes-api-key' })).toBe(401);
    } finally {
      await commerce.close();
    }
  });

  it('the check says when a system cannot be reached or refuses the credentials', async () => {
    // A port that was just free: nothing listens there.
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const jubelio = await startJubelioSimulator({ email: 'erp@firma.co.id', password: 'the-right-password' });
    const config = loadConfig({ NODE_ENV: 'test', BASELINKER_URL: `http://127.0.0.1:${closed}/connector.php`, BASELINKER_RETRIES: '0', JUBELIO_URL: jubelio.url, JUBELIO_EMAIL: 'erp@firma.co.id', JUBELIO_PASSWORD: 'wrong-password', JUBELIO_RETRIES: '0' });
    const commerce = await startCommerceConnectors(config, { log: quiet });
    try {
      const reports = await checkConnectors(commerce, 'all');
      const byConnector = Object.fromEntries(reports.map((r) => [r.connector, r]));
      expect(byConnector.baselinker.checks[0]).toMatchObject({ check: 'reachable', ok: false, detail: expect.stringContaining('ECONNREFUSED') });
      expect(byConnector.jubelio.checks[0]).toMatchObject({ check: 'login', ok: false, detail: expect.stringContaining('check JUBELIO_EMAIL and JUBELIO_PASSWORD') });
      expect(JSON.stringify(reports)).not.toContain('wrong-password');
      expect(byConnector.optimakers.ok).toBe(true);
    } finally {
      await commerce.close();
      await jubelio.close();
    }
  });
});
