// Jubelio gateway configuration from the environment, validated at start-up; an error names the
// variable. In demo mode the connector runs against the built-in Jubelio simulator with demo
// credentials; in production it is off unless JUBELIO_URL is set, and then every credential is
// required and the webhook must be verified (no `none` scheme).
import { ConfigError } from '../../config-error.js';

export const SIGNATURE_SCHEMES = ['hmac-sha256', 'sha256', 'path', 'none'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export interface JubelioConfig {
  enabled: boolean;
  /** null: use the loopback simulator (demo mode only). */
  url: string | null;
  email: string;
  password: string;
  webhook: {
    /** hmac-sha256: HMAC keyed with the secret; sha256: sha256(rawBody + secret); path: the secret is the last URL segment. */
    scheme: SignatureScheme;
    secret: string;
    /** Header with the hex signature; `x-jubelio-signature` is always accepted as well. */
    header: string;
  };
  pushMinutes: number;
  /** Products sent per push run (the rest wait for the next run). */
  pushBatch: number;
  rateLimitPerMinute: number;
  rateLimitWaitMs: number;
  timeoutMs: number;
  retries: number;
  /** Jubelio ids used when a staged product does not give its own. */
  defaults: { uomId: number; categoryId: number; brandId: number | null };
}

export const DEMO_JUBELIO = { email: 'erp@example.co.id', password: 'demo-jubelio-password', webhookSecret: 'demo-jubelio-webhook-secret' };

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function loadJubelioConfig(env: NodeJS.ProcessEnv, demo: boolean): JubelioConfig {
  const url = env.JUBELIO_URL || null;
  const explicit = env.JUBELIO_ENABLED;
  if (explicit !== undefined && explicit !== '' && !['true', 'false', '1', '0'].includes(explicit)) throw new ConfigError(`JUBELIO_ENABLED must be true or false, got "${explicit}"`);
  const enabled = explicit === 'false' || explicit === '0' ? false : explicit === 'true' || explicit === '1' ? true : demo || !!url;
  if (url) {
    try {
      const u = new URL(url);
      if (!/^https?:$/.test(u.protocol)) throw new Error();
    } catch {
      throw new ConfigError(`JUBELIO_URL is not a valid http(s) URL: "${url}"`);
    }
  }
  const scheme = (env.JUBELIO_WEBHOOK_SIGNATURE || 'hmac-sha256') as SignatureScheme;
  if (!SIGNATURE_SCHEMES.includes(scheme)) throw new ConfigError(`JUBELIO_WEBHOOK_SIGNATURE must be one of ${SIGNATURE_SCHEMES.join(', ')}, got "${scheme}"`);
  const need = (name: string, demoValue: string): string => {
    const v = env[name];
    if (v) return v;
    if (enabled && !demo) throw new ConfigError(`${name} is required when the Jubelio gateway is enabled in production (NODE_ENV=production)`);
    return demo ? demoValue : '';
  };
  if (enabled && !demo && !url) throw new ConfigError('JUBELIO_URL is required when the Jubelio gateway is enabled in production (NODE_ENV=production), e.g. https://api2.jubelio.com');
  const email = need('JUBELIO_EMAIL', DEMO_JUBELIO.email);
  const password = need('JUBELIO_PASSWORD', DEMO_JUBELIO.password);
  const secret = scheme === 'none' ? (env.JUBELIO_WEBHOOK_SECRET ?? '') : need('JUBELIO_WEBHOOK_SECRET', DEMO_JUBELIO.webhookSecret);
  if (enabled && !demo && scheme === 'none') throw new ConfigError('JUBELIO_WEBHOOK_SIGNATURE=none is not allowed in production: use hmac-sha256, sha256 or path');
  if (enabled && scheme !== 'none' && secret.length < 16) throw new ConfigError('JUBELIO_WEBHOOK_SECRET must be at least 16 characters');
  const header = (env.JUBELIO_WEBHOOK_HEADER || 'sign').toLowerCase();
  if (!/^[a-z0-9-]{1,64}$/.test(header)) throw new ConfigError(`JUBELIO_WEBHOOK_HEADER is not a valid header name: "${header}"`);
  const brand = env.JUBELIO_DEFAULT_BRAND_ID;
  return {
    enabled,
    url,
    email,
    password,
    webhook: { scheme, secret, header },
    pushMinutes: int(env, 'JUBELIO_PUSH_MINUTES', 5, 1, 1440),
    pushBatch: int(env, 'JUBELIO_PUSH_BATCH', 500, 1, 10_000),
    // 90% of Jubelio's 600/minute: the limiter is per process, and clocks and transit times differ.
    rateLimitPerMinute: int(env, 'JUBELIO_RATE_LIMIT_PER_MINUTE', 540, 1, 10_000),
    rateLimitWaitMs: int(env, 'JUBELIO_RATE_LIMIT_WAIT_MS', 60_000, 0, 600_000),
    timeoutMs: int(env, 'JUBELIO_TIMEOUT_MS', 10_000, 50, 120_000),
    retries: int(env, 'JUBELIO_RETRIES', 3, 0, 10),
    defaults: {
      uomId: int(env, 'JUBELIO_DEFAULT_UOM_ID', 1, 1, 2 ** 31 - 1),
      categoryId: int(env, 'JUBELIO_DEFAULT_CATEGORY_ID', 1, 1, 2 ** 31 - 1),
      brandId: brand ? int(env, 'JUBELIO_DEFAULT_BRAND_ID', 0, 1, 2 ** 31 - 1) : null,
    },
  };
}
