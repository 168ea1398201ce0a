// Issue 18 item 5: production (NODE_ENV=production) refuses every published demo value and every
// secret of its own shorter than 32 characters, naming the variable; demo mode keeps its defaults.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, MIN_SECRET_LENGTH, PUBLISHED_DEMO_VALUES } from '../../src/config.js';
import { DEMO_JUBELIO } from '../../src/connectors/jubelio/config.js';
import { DEMO_BRIDGE_ENV } from '../../src/connectors/baselinker-optimakers/config.js';
import { DEMO_UPSTREAM_TOKEN } from '../../src/connectors/request-out/demo.js';
import { DEMO_USER } from '../../src/connectors/auth/demo.js';

const strong = (c: string) => c.repeat(MIN_SECRET_LENGTH + 8);

/** A complete production environment with the Jubelio gateway and the bridge on. */
const PROD: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://k:s@db:3306/kursus',
  MACONOMY_URL: 'https://m.example.dk',
  MACONOMY_TOKEN: 'maconomy-secret-7f3a',
  WORDPRESS_URL: 'https://wp.example.dk',
  WORDPRESS_USER: 'kursus',
  WORDPRESS_APP_PASSWORD: 'q1w2 e3r4 t5y6 u7i8 o9p0 a1s2',
  SMTP_URL: 'smtp://mailer:pw@smtp.example.dk:587',
  EDITOR_TOKENS: strong('e'),
  ADMIN_TOKENS: strong('a'),
  METRICS_TOKEN: strong('m'),
  JUBELIO_URL: 'https://api2.jubelio.com',
  JUBELIO_EMAIL: 'erp@firma.co.id',
  JUBELIO_PASSWORD: 'jubelio-password-81',
  JUBELIO_WEBHOOK_SECRET: strong('j'),
  ...DEMO_BRIDGE_ENV,
  OPTIMES_URL: 'https://optimes.example.pl',
  BASELINKER_API_KEY: '5001-real-baselinker-key',
  OPTIMES_API_KEY: 'optimes-real-key-3391',
  OPTIMES_WEBHOOKTOKEN: strong('o'),
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a start-up refusal');
}

/** Every quoted `demo-...` value in src/ and README.md: what the repository publishes. */
function demoValuesInRepo(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|md)$/.test(name)) for (const m of readFileSync(path, 'utf8').matchAll(/['"`](demo-[A-Za-z0-9_-]+)['"`]/g)) found.add(m[1]!);
    }
  };
  walk('src');
  for (const m of readFileSync('README.md', 'utf8').matchAll(/(demo-[A-Za-z0-9_-]+)/g)) found.add(m[1]!);
  return [...found].sort();
}

describe('production refuses published demo values and short secrets', () => {
  it('accepts a complete production environment with strong secrets', () => {
    const c = loadConfig(PROD);
    expect(c.jubelio.enabled).toBe(true);
    expect(c.bridge.enabled).toBe(true);
  });

  const SECRET_VARS = ['ADMIN_TOKENS', 'EDITOR_TOKENS', 'METRICS_TOKEN', 'JUBELIO_WEBHOOK_SECRET', 'OPTIMES_WEBHOOKTOKEN', 'MACONOMY_TOKEN', 'WORDPRESS_APP_PASSWORD', 'JUBELIO_PASSWORD', 'BASELINKER_API_KEY', 'OPTIMES_API_KEY'];
  const published = [...new Set([...PUBLISHED_DEMO_VALUES, DEMO_JUBELIO.password, DEMO_JUBELIO.webhookSecret, DEMO_BRIDGE_ENV.BASELINKER_API_KEY, DEMO_BRIDGE_ENV.OPTIMES_API_KEY, DEMO_BRIDGE_ENV.OPTIMES_WEBHOOKTOKEN, DEMO_UPSTREAM_TOKEN, DEMO_USER.password, ...demoValuesInRepo()])];

  it('knows every demo value the repository publishes', () => {
    expect(published).toEqual(expect.arrayContaining(['demo-jubelio-webhook-secret', 'demo-optimes-webhook-token', 'demo-admin-token', 'demo-password']));
  });

  it.each(SECRET_VARS)('refuses every published demo value in %s, naming it', (name) => {
    for (const value of published) {
      // (The webhook settings' own minimum of 16 characters may speak first for a short value.)
      const message = refusal({ ...PROD, [name]: value });
      expect(`${value}: ${message}`).toMatch(new RegExp(`^${value}: ${name}( \\(\\w+\\))? (contains a published demo credential|must be at least 16 characters)`));
    }
    // Hidden in a list of tokens too.
    if (name.endsWith('TOKENS')) expect(refusal({ ...PROD, [name]: `${strong('z')},demo-admin-token` })).toContain(name);
  });

  it('refuses the README webhook secrets that were accepted before (demo-jubelio-webhook-secret, demo-optimes-webhook-token) and ADMIN_TOKENS=a', () => {
    expect(refusal({ ...PROD, JUBELIO_WEBHOOK_SECRET: 'demo-jubelio-webhook-secret' })).toMatch(/^JUBELIO_WEBHOOK_SECRET contains a published demo credential/);
    expect(refusal({ ...PROD, OPTIMES_WEBHOOKTOKEN: 'demo-optimes-webhook-token' })).toMatch(/^OPTIMES_WEBHOOKTOKEN contains a published demo credential/);
    expect(refusal({ ...PROD, ADMIN_TOKENS: 'a' })).toMatch(/^ADMIN_TOKENS must be at least 32 characters/);
  });

  it.each(['ADMIN_TOKENS', 'EDITOR_TOKENS', 'METRICS_TOKEN', 'JUBELIO_WEBHOOK_SECRET', 'OPTIMES_WEBHOOKTOKEN'])('refuses %s shorter than 32 characters, naming it', (name) => {
    expect(refusal({ ...PROD, [name]: 'x'.repeat(MIN_SECRET_LENGTH - 1) })).toBe(
      `${name} must be at least ${MIN_SECRET_LENGTH} characters in production (NODE_ENV=production); generate one with: openssl rand -hex 32`,
    );
    expect(() => loadConfig({ ...PROD, [name]: 'x'.repeat(MIN_SECRET_LENGTH) })).not.toThrow();
  });

  it('says OPTIMES_API_TOKEN when the webhook token comes from that older name', () => {
    const { OPTIMES_WEBHOOKTOKEN: _omit, ...rest } = PROD;
    expect(refusal({ ...rest, OPTIMES_API_TOKEN: 'y'.repeat(20) })).toMatch(/^OPTIMES_API_TOKEN must be at least 32 characters/);
  });

  it('keeps the demo defaults outside production', () => {
    const c = loadConfig({});
    expect(c.adminTokens).toEqual(['demo-admin-token']);
    expect(c.jubelio.webhook.secret).toBe('demo-jubelio-webhook-secret');
    expect(c.bridge.optimes.webhookToken).toBe('demo-optimes-webhook-token');
  });

  it('production defaults: no introspection, IDE, /docs or open /metrics; timeouts set', () => {
    const c = loadConfig(PROD);
    expect(c.exposure).toEqual({ graphqlIntrospection: false, graphqlIde: false, graphqlSuggestions: false, apiDocs: false, metricsToken: PROD.METRICS_TOKEN });
    expect(loadConfig({}).exposure).toMatchObject({ graphqlIntrospection: true, graphqlIde: true, graphqlSuggestions: true, apiDocs: true, metricsToken: null });
    expect(loadConfig({ ...PROD, GRAPHQL_INTROSPECTION: 'true', API_DOCS: '1' }).exposure).toMatchObject({ graphqlIntrospection: true, graphqlSuggestions: true, apiDocs: true });
    expect(() => loadConfig({ GRAPHQL_IDE: 'yes' })).toThrow(/GRAPHQL_IDE must be true or false/);
    expect(c.security).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, connectionTimeoutMs: 120_000 });
  });
});
