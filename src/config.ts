// Environment -> typed, validated configuration. Every variable has a demo default except where
// production must be explicit: in production a missing external URL is a start-up error that
// names the variable, never a silent fall-back to a simulator.
import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { loadJubelioConfig, type JubelioConfig } from './connectors/jubelio/config.js';
import { loadBridgeConfig, type BridgeConfig } from './connectors/baselinker-optimakers/config.js';

// Every variable below, with its default and meaning, is listed in config-reference.ts (the
// generated docs/configuration.md); a test fails when one is read here but not listed there.
export { CONFIG_VARIABLES, type ConfigVariable } from './config-reference.js';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface Config {
  env: 'development' | 'test' | 'production';
  demo: boolean;
  host: string;
  port: number;
  database: { kind: DatabaseKind; url: string; sqlitePath?: string };
  maconomy: {
    /** null: start the loopback simulator (demo mode only). */
    url: string | null;
    token: string;
    timeoutMs: number;
    retries: number;
    /** How long a course date's free-seat answer is reused. */
    seatCacheMs: number;
    /** Total time a storefront seat look-up (reserve, change, checkout re-check) may take, retries included. */
    storefrontDeadlineMs: number;
    /** Consecutive failed storefront look-ups that open the Maconomy circuit breaker. */
    breakerFailures: number;
    /** How long the open breaker answers at once before it lets one probe through. */
    breakerCooldownMs: number;
  };
  wordpress: {
    /** null: start the loopback simulator (demo mode only). */
    url: string | null;
    user: string;
    appPassword: string;
    postType: string;
    fieldMode: 'meta' | 'acf';
  };
  mail: {
    /** null: write .eml files to `${varDir}/mail` (demo and test only; required in production). */
    smtpUrl: string | null;
    from: string;
    opsEmail: string | null;
    language: 'da' | 'en';
  };
  jobs: {
    /** Agenda's store: MongoDB when set, else the project's own SQL database. */
    mongodbUrl: string | null;
    timezone: string;
    gdprRetentionDays: number;
    participantListDays: number;
    syncAttempts: number;
    /** reconcile-seats: how often, how far ahead, and how many Maconomy questions at once. */
    reconcileMinutes: number;
    reconcileDays: number;
    reconcileConcurrency: number;
    /** Finished one-off jobs are removed from the SQL job store this long after they finished. */
    jobRetentionDays: number;
  };
  holdMinutes: number;
  maxSeatsPerOrder: number;
  /** Abuse limits and browser security (src/security/). */
  security: {
    /** Seats one client (IP) may hold at once across all its unplaced reservations. */
    maxSeatsPerClient: number;
    /** reserveSeats / checkout calls per client per minute; 0 disables. */
    reserveRatePerMinute: number;
    checkoutRatePerMinute: number;
    /** Browser origins allowed by CORS (exact matches); empty: no cross-origin access. */
    corsOrigins: string[];
    /** How long an anonymous catalogue answer is reused; 0 disables the cache. */
    catalogCacheMs: number;
    /** HTTP caching of anonymous catalogue answers by a CDN: Cache-Control s-maxage and stale-while-revalidate, in seconds. */
    httpCacheSMaxAgeSeconds: number;
    httpCacheStaleWhileRevalidateSeconds: number;
    /** Anonymous GraphQL queries per client (IP) per minute that are not answered from the catalogue cache; 0 disables. */
    anonymousQueryRatePerMinute: number;
    /** Client addresses no per-client limit applies to (RATE_LIMIT_EXEMPT_IPS), e.g. a server-side storefront that calls for all its visitors. */
    rateLimitExemptIps: string[];
    /** Time a client has to send a whole request, headers and body (REQUEST_TIMEOUT_MS); then 408 and the connection is closed. */
    requestTimeoutMs: number;
    /** Time a client has to send the request headers (HEADERS_TIMEOUT_MS). */
    headersTimeoutMs: number;
    /** A connection with no traffic in either direction for this long is closed (CONNECTION_TIMEOUT_MS). */
    connectionTimeoutMs: number;
  };
  /** Production switches for what the API port shows besides the API itself (src/security/). */
  exposure: {
    /** GraphQL introspection (GRAPHQL_INTROSPECTION); default on in demo, off in production. */
    graphqlIntrospection: boolean;
    /** The GraphQL IDE at GET /graphql (GRAPHQL_IDE); default on in demo, off in production. */
    graphqlIde: boolean;
    /** "Did you mean ...?" field suggestions in GraphQL errors; off whenever introspection is off. */
    graphqlSuggestions: boolean;
    /** The OpenAPI UI and document at /docs (API_DOCS); default on in demo, off in production. */
    apiDocs: boolean;
    /** Bearer token /metrics requires (METRICS_TOKEN); null: open in demo, refused (401) in production. */
    metricsToken: string | null;
  };
  editorTokens: string[];
  adminTokens: string[];
  /** Back-office staff sessions (src/staff/): cookie lifetime and login throttling. */
  staff: {
    /** A session unused this long ends. */
    sessionIdleMinutes: number;
    /** A session ends this long after login, however active. */
    sessionMaxHours: number;
    /** The cookie is sent over HTTPS only (production). */
    secureCookie: boolean;
    /** Wrong passwords one account may try from one address before it must wait (the wait then doubles per failure). */
    loginFreeFailures: number;
    /** Wrong passwords one address may try per 15 minutes across all accounts; 0 disables. */
    loginAddressFailures: number;
  };
  graphql: { maxDepth: number; maxComplexity: number; maxFields: number; maxTokens: number; maxPageSize: number; defaultPageSize: number };
  bodyLimitBytes: number;
  logLevel: string;
  /** json (machines) or pretty (one coloured line per event, for a terminal). */
  logFormat: LogFormat;
  varDir: string;
  /** Jubelio gateway (src/connectors/jubelio/). */
  jubelio: JubelioConfig;
  /** BaseLinker <-> Optimakers bridge (src/connectors/baselinker-optimakers/). */
  bridge: BridgeConfig;
  /** REST connectors (src/connectors/): machine-client tokens, Product Price API, Request Out. */
  connectors: {
    /** Lifetime of a bearer token issued by POST /public/auth/login. */
    tokenTtlHours: number;
    /** IANA zone of the Product Price API's wall-clock dates (`YYYY-MM-DD HH:mm:ss`). */
    priceTimezone: string;
    /** How long POST /api/request-out waits for a new ticket's upstream call before answering "on process". */
    requestOutWaitMs: number;
    /** POST /public/auth/login calls per client (IP) per minute; 0 disables. */
    loginRatePerMinute: number;
    /** Days after which a finished Request Out ticket's stored Data (personal data) is erased. */
    requestOutRetentionDays: number;
  };
  /** The request/response log of connector traffic (src/connectors/http-log/). */
  httpLog: {
    retentionDays: number;
    /** Bodies are cut to this many bytes after redaction. */
    bodyLimitBytes: number;
    /** Entries waiting to be written; beyond this new entries are dropped and counted. */
    queueMax: number;
    /** The same bound in bytes (bodies are cut to bodyLimitBytes before they are queued). */
    queueMaxBytes: number;
    batchSize: number;
    flushMs: number;
  };
}

const tokenList = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set, else pretty on a terminal and JSON everywhere else (files, pipes, collectors). */
export function resolveLogFormat(value: string | undefined, isTerminal: boolean): LogFormat {
  if (value === 'json' || value === 'pretty') return value;
  if (value) throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${value}"`);
  return isTerminal ? 'pretty' : 'json';
}

export { ConfigError };

/**
 * The URL with its user info (user:password@) removed, for logs and error messages; `marker`
 * stands in for it when given. A pattern, not URL parsing: multi-host MongoDB URLs are not URLs.
 */
export function withoutCredentials(url: string, marker = ''): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, marker ? `$1${marker}@` : '$1');
}

/** The published demo credentials: defaults outside production, refused in production. */
export const DEMO_SECRETS = {
  maconomyToken: 'demo-maconomy-token',
  wordpressAppPassword: 'abcd efgh ijkl mnop qrst uvwx',
  editorToken: 'demo-editor-token',
  adminToken: 'demo-admin-token',
  /** The back office's demo editor (editor@kursus.demo) and demo admin (admin@kursus.demo). */
  staffEditorPassword: 'demo-editor-password',
  staffAdminPassword: 'demo-admin-password',
} as const;

/**
 * Every secret the README, the simulators or the demo seed data publish (grep the repo for
 * `demo-`): any of them, and anything starting with `demo-`, is refused in production.
 */
export const PUBLISHED_DEMO_VALUES: readonly string[] = [
  ...Object.values(DEMO_SECRETS),
  'demo-jubelio-password',
  'demo-jubelio-webhook-secret',
  'demo-baselinker-token',
  'demo-optimes-api-key',
  'demo-optimes-webhook-token',
  'demo-upstream-token',
  'demo-password',
];

/** Secrets this service chooses itself must be at least this long in production. */
export const MIN_SECRET_LENGTH = 32;

const isPublishedDemoValue = (value: string): boolean => {
  const v = value.trim();
  return PUBLISHED_DEMO_VALUES.includes(v) || /^demo-/i.test(v);
};

/**
 * Production's refusal of weak secrets, naming the variable: no published demo value anywhere, and
 * at least MIN_SECRET_LENGTH characters for the secrets this service chooses (tokens it accepts,
 * webhook secrets). Credentials issued by another system (Maconomy, WordPress application
 * passwords, Jubelio, BaseLinker, Optimakers API keys) have the length that system gives them, so
 * only the demo values are refused there.
 */
function refuseWeakSecrets(c: Config, env: NodeJS.ProcessEnv): void {
  const chosen: [string, string[]][] = [
    ['ADMIN_TOKENS', c.adminTokens],
    ['EDITOR_TOKENS', c.editorTokens],
    ['METRICS_TOKEN', c.exposure.metricsToken ? [c.exposure.metricsToken] : []],
    ['JUBELIO_WEBHOOK_SECRET', c.jubelio.enabled && c.jubelio.webhook.scheme !== 'none' ? [c.jubelio.webhook.secret] : []],
    [env.OPTIMES_WEBHOOKTOKEN ? 'OPTIMES_WEBHOOKTOKEN' : 'OPTIMES_API_TOKEN', c.bridge.enabled ? [c.bridge.optimes.webhookToken] : []],
  ];
  const issued: [string, string[]][] = [
    ['MACONOMY_TOKEN', [c.maconomy.token]],
    ['WORDPRESS_APP_PASSWORD', [c.wordpress.appPassword]],
    ['JUBELIO_PASSWORD', c.jubelio.enabled ? [c.jubelio.password] : []],
    ['BASELINKER_API_KEY', c.bridge.enabled ? [c.bridge.baselinker.apiKey] : []],
    ['OPTIMES_API_KEY', c.bridge.enabled ? [c.bridge.optimes.apiKey] : []],
  ];
  for (const [name, values] of [...chosen, ...issued])
    if (values.some(isPublishedDemoValue))
      throw new ConfigError(`${name} contains a published demo credential, which is refused in production (NODE_ENV=production); set a random secret`);
  for (const [name, values] of chosen)
    if (values.some((v) => v.length < MIN_SECRET_LENGTH))
      throw new ConfigError(
        `${name} must be at least ${MIN_SECRET_LENGTH} characters in production (NODE_ENV=production); generate one with: openssl rand -hex 32`,
      );
}

/** CORS_ORIGINS: comma-separated origins such as https://kurser.example.dk (scheme, host, port; no path). */
function parseOrigins(raw: string): string[] {
  return tokenList(raw).map((origin) => {
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin such as https://kurser.example.dk`);
    }
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.origin !== origin.replace(/\/$/, ''))
      throw new ConfigError(`CORS_ORIGINS: "${origin}" must be a bare origin (scheme://host[:port]) without path`);
    return u.origin;
  });
}

const intVar = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

const boolVar = (name: string) =>
  z.enum(['true', 'false', '1', '0'], { error: `${name} must be true or false` }).transform((v) => v === 'true' || v === '1');

export function parseDatabaseUrl(url: string): Config['database'] {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./var/kursus.db');
    return { kind: 'sqlite', url, sqlitePath: path };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid mysql:// URL');
    }
    return { kind: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or mysql://');
}

// Long by design: a flat list of settings in the order of Config, each read and validated in one
// line; the reference (src/config-reference.ts) is checked against it.
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const demo = nodeEnv !== 'production';
  const varDir = env.VAR_DIR || './var';

  const read = <T>(name: string, schema: z.ZodType<T>, fallback: string): T => {
    const raw = env[name] === undefined || env[name] === '' ? fallback : env[name];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(parsed.error.issues[0]?.message ?? `${name} is invalid`);
    return parsed.data;
  };

  // Production: every external URL and credential must be set. All missing names are collected and
  // reported together, so an operator fixes the environment in one go.
  const missing: string[] = [];
  const required = (name: string): string | null => {
    const v = env[name];
    if (v) return v;
    if (!demo) missing.push(name);
    return null;
  };
  const url = (name: string, value: string | null, protocols: string[], example: string): void => {
    if (!value) return;
    let u: URL | null = null;
    try {
      u = new URL(value);
    } catch {
      /* reported below */
    }
    if (!u || !protocols.includes(u.protocol)) throw new ConfigError(`${name} is not a valid ${protocols.map((p) => `${p}//`).join(' or ')} URL, e.g. ${example}`);
  };

  const maconomyUrl = required('MACONOMY_URL');
  url('MACONOMY_URL', maconomyUrl, ['https:', 'http:'], 'https://maconomy-api.example.dk');
  const maconomyToken = env.MACONOMY_TOKEN || (demo ? DEMO_SECRETS.maconomyToken : (missing.push('MACONOMY_TOKEN'), ''));
  const wordpressUrl = required('WORDPRESS_URL');
  url('WORDPRESS_URL', wordpressUrl, ['https:', 'http:'], 'https://kurser.example.dk');
  if (!demo) {
    required('WORDPRESS_USER');
    required('WORDPRESS_APP_PASSWORD');
    // The database has an embedded default, not a simulator; production must still say which one.
    required('DATABASE_URL');
  }
  // Without it mail would go to .eml files on the server's disk and no customer would get any.
  const smtpUrl = required('SMTP_URL');
  url('SMTP_URL', smtpUrl, ['smtp:', 'smtps:'], 'smtp://user:pass@smtp.example.dk:587');
  if (missing.length) throw new ConfigError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required in production (NODE_ENV=production)`);
  if (env.MONGODB_URL && !/^mongodb(\+srv)?:\/\//.test(env.MONGODB_URL)) throw new ConfigError('MONGODB_URL must start with mongodb:// or mongodb+srv://');
  const editorTokens = tokenList(env.EDITOR_TOKENS ?? (demo ? DEMO_SECRETS.editorToken : ''));
  const adminTokens = tokenList(env.ADMIN_TOKENS ?? (demo ? DEMO_SECRETS.adminToken : ''));
  const config: Config = {
    env: nodeEnv,
    demo,
    host: env.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    port: read('PORT', intVar('PORT', 0, 65535), '4000'),
    database: parseDatabaseUrl(env.DATABASE_URL || `sqlite:${varDir}/kursus.db`),
    maconomy: {
      url: maconomyUrl,
      token: maconomyToken,
      timeoutMs: read('MACONOMY_TIMEOUT_MS', intVar('MACONOMY_TIMEOUT_MS', 50, 120_000), '5000'),
      retries: read('MACONOMY_RETRIES', intVar('MACONOMY_RETRIES', 0, 10), '2'),
      seatCacheMs: read('MACONOMY_SEAT_CACHE_MS', intVar('MACONOMY_SEAT_CACHE_MS', 0, 600_000), '2000'),
      // A customer waits for these: one short deadline across retries, and a breaker that answers
      // UPSTREAM_UNAVAILABLE at once while Maconomy is down (docs/upstream-http.md).
      storefrontDeadlineMs: read('MACONOMY_STOREFRONT_DEADLINE_MS', intVar('MACONOMY_STOREFRONT_DEADLINE_MS', 100, 60_000), '3000'),
      breakerFailures: read('MACONOMY_BREAKER_FAILURES', intVar('MACONOMY_BREAKER_FAILURES', 1, 1000), '5'),
      breakerCooldownMs: read('MACONOMY_BREAKER_COOLDOWN_MS', intVar('MACONOMY_BREAKER_COOLDOWN_MS', 100, 3_600_000), '10000'),
    },
    wordpress: {
      url: wordpressUrl,
      user: env.WORDPRESS_USER ?? (demo ? 'kursus' : ''),
      appPassword: env.WORDPRESS_APP_PASSWORD ?? (demo ? DEMO_SECRETS.wordpressAppPassword : ''),
      postType: env.WORDPRESS_POST_TYPE || 'kursus',
      fieldMode: read('WORDPRESS_FIELD_MODE', z.enum(['meta', 'acf'], { error: 'WORDPRESS_FIELD_MODE must be meta or acf' }), 'meta'),
    },
    mail: {
      smtpUrl,
      from: env.MAIL_FROM || 'Kursus <kursus@example.dk>',
      opsEmail: env.OPS_EMAIL || null,
      language: read('MAIL_LANGUAGE', z.enum(['da', 'en'], { error: 'MAIL_LANGUAGE must be da or en' }), 'da'),
    },
    jobs: {
      mongodbUrl: env.MONGODB_URL || null,
      timezone: read('TZ_SCHEDULE', z.string().refine(validTimeZone, 'TZ_SCHEDULE must be an IANA time zone such as Europe/Copenhagen'), 'Europe/Copenhagen'),
      gdprRetentionDays: read('GDPR_RETENTION_DAYS', intVar('GDPR_RETENTION_DAYS', 1, 36500), '730'),
      participantListDays: read('PARTICIPANT_LIST_DAYS', intVar('PARTICIPANT_LIST_DAYS', 1, 365), '7'),
      syncAttempts: read('SYNC_ATTEMPTS', intVar('SYNC_ATTEMPTS', 1, 50), '8'),
      // reconcile-seats: every RECONCILE_MINUTES, published dates starting within RECONCILE_DAYS,
      // RECONCILE_CONCURRENCY questions to Maconomy at a time.
      reconcileMinutes: read('RECONCILE_MINUTES', intVar('RECONCILE_MINUTES', 1, 1440), '10'),
      reconcileDays: read('RECONCILE_DAYS', intVar('RECONCILE_DAYS', 1, 3650), '90'),
      reconcileConcurrency: read('RECONCILE_CONCURRENCY', intVar('RECONCILE_CONCURRENCY', 1, 32), '4'),
      jobRetentionDays: read('JOB_RETENTION_DAYS', intVar('JOB_RETENTION_DAYS', 1, 36500), '30'),
    },
    holdMinutes: read('HOLD_MINUTES', intVar('HOLD_MINUTES', 1, 24 * 60), '20'),
    maxSeatsPerOrder: read('MAX_SEATS_PER_ORDER', intVar('MAX_SEATS_PER_ORDER', 1, 1000), '20'),
    security: {
      maxSeatsPerClient: read('MAX_SEATS_PER_CLIENT', intVar('MAX_SEATS_PER_CLIENT', 1, 100_000), '40'),
      reserveRatePerMinute: read('RATE_LIMIT_RESERVE_PER_MINUTE', intVar('RATE_LIMIT_RESERVE_PER_MINUTE', 0, 1_000_000), '30'),
      checkoutRatePerMinute: read('RATE_LIMIT_CHECKOUT_PER_MINUTE', intVar('RATE_LIMIT_CHECKOUT_PER_MINUTE', 0, 1_000_000), '10'),
      corsOrigins: parseOrigins(env.CORS_ORIGINS ?? (demo ? 'http://localhost:3000,http://127.0.0.1:3000' : '')),
      catalogCacheMs: read('CATALOG_CACHE_MS', intVar('CATALOG_CACHE_MS', 0, 3_600_000), '5000'),
      httpCacheSMaxAgeSeconds: read('HTTP_CACHE_S_MAXAGE_SECONDS', intVar('HTTP_CACHE_S_MAXAGE_SECONDS', 0, 86_400), '5'),
      httpCacheStaleWhileRevalidateSeconds: read('HTTP_CACHE_STALE_WHILE_REVALIDATE_SECONDS', intVar('HTTP_CACHE_STALE_WHILE_REVALIDATE_SECONDS', 0, 86_400), '10'),
      anonymousQueryRatePerMinute: read('RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE', intVar('RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE', 0, 1_000_000), '300'),
      rateLimitExemptIps: tokenList(env.RATE_LIMIT_EXEMPT_IPS).map((ip) => {
        if (!isIP(ip)) throw new ConfigError(`RATE_LIMIT_EXEMPT_IPS: "${ip}" is not an IP address`);
        return ip;
      }),
      requestTimeoutMs: read('REQUEST_TIMEOUT_MS', intVar('REQUEST_TIMEOUT_MS', 1000, 600_000), '30000'),
      headersTimeoutMs: read('HEADERS_TIMEOUT_MS', intVar('HEADERS_TIMEOUT_MS', 1000, 600_000), '10000'),
      connectionTimeoutMs: read('CONNECTION_TIMEOUT_MS', intVar('CONNECTION_TIMEOUT_MS', 1000, 3_600_000), '120000'),
    },
    exposure: {
      graphqlIntrospection: read('GRAPHQL_INTROSPECTION', boolVar('GRAPHQL_INTROSPECTION'), demo ? 'true' : 'false'),
      graphqlIde: read('GRAPHQL_IDE', boolVar('GRAPHQL_IDE'), demo ? 'true' : 'false'),
      graphqlSuggestions: false, // set below: follows introspection
      apiDocs: read('API_DOCS', boolVar('API_DOCS'), demo ? 'true' : 'false'),
      metricsToken: env.METRICS_TOKEN || null,
    },
    editorTokens,
    adminTokens,
    staff: {
      sessionIdleMinutes: read('STAFF_SESSION_IDLE_MINUTES', intVar('STAFF_SESSION_IDLE_MINUTES', 1, 24 * 60), '60'),
      sessionMaxHours: read('STAFF_SESSION_MAX_HOURS', intVar('STAFF_SESSION_MAX_HOURS', 1, 24 * 30), '12'),
      secureCookie: !demo,
      loginFreeFailures: read('STAFF_LOGIN_FREE_FAILURES', intVar('STAFF_LOGIN_FREE_FAILURES', 1, 1000), '5'),
      loginAddressFailures: read('STAFF_LOGIN_ADDRESS_FAILURES', intVar('STAFF_LOGIN_ADDRESS_FAILURES', 0, 1_000_000), '100'),
    },
    graphql: {
      maxDepth: read('GRAPHQL_MAX_DEPTH', intVar('GRAPHQL_MAX_DEPTH', 2, 50), '8'),
      maxComplexity: read('GRAPHQL_MAX_COMPLEXITY', intVar('GRAPHQL_MAX_COMPLEXITY', 10, 1_000_000), '5000'),
      // Fields an operation expands to (aliases and fragment spreads included) and lexical tokens
      // a document may have: both bound the work of a request before any cost walk or SQL.
      maxFields: read('GRAPHQL_MAX_FIELDS', intVar('GRAPHQL_MAX_FIELDS', 10, 100_000), '1000'),
      maxTokens: read('GRAPHQL_MAX_TOKENS', intVar('GRAPHQL_MAX_TOKENS', 100, 1_000_000), '10000'),
      maxPageSize: 100,
      defaultPageSize: 20,
    },
    bodyLimitBytes: read('BODY_LIMIT_BYTES', intVar('BODY_LIMIT_BYTES', 1024, 50 * 1024 * 1024), String(256 * 1024)),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    logFormat: resolveLogFormat(env.LOG_FORMAT, process.stdout.isTTY === true),
    varDir,
    jubelio: loadJubelioConfig(env, demo),
    bridge: loadBridgeConfig(env, demo),
    connectors: {
      tokenTtlHours: read('CONNECTOR_TOKEN_TTL_HOURS', intVar('CONNECTOR_TOKEN_TTL_HOURS', 1, 24 * 365), '24'),
      priceTimezone: read('PRICE_API_TIMEZONE', z.string().refine(validTimeZone, 'PRICE_API_TIMEZONE must be an IANA time zone such as Asia/Bangkok'), 'Asia/Bangkok'),
      requestOutWaitMs: read('REQUEST_OUT_WAIT_MS', intVar('REQUEST_OUT_WAIT_MS', 0, 60_000), '5000'),
      loginRatePerMinute: read('RATE_LIMIT_LOGIN_PER_MINUTE', intVar('RATE_LIMIT_LOGIN_PER_MINUTE', 0, 1_000_000), '20'),
      requestOutRetentionDays: read('REQUEST_OUT_RETENTION_DAYS', intVar('REQUEST_OUT_RETENTION_DAYS', 1, 36500), '30'),
    },
    httpLog: {
      retentionDays: read('HTTP_LOG_RETENTION_DAYS', intVar('HTTP_LOG_RETENTION_DAYS', 1, 3650), '30'),
      bodyLimitBytes: read('HTTP_LOG_BODY_LIMIT_BYTES', intVar('HTTP_LOG_BODY_LIMIT_BYTES', 0, 60_000), '8192'),
      queueMax: read('HTTP_LOG_QUEUE_MAX', intVar('HTTP_LOG_QUEUE_MAX', 1, 1_000_000), '10000'),
      queueMaxBytes: read('HTTP_LOG_QUEUE_MAX_BYTES', intVar('HTTP_LOG_QUEUE_MAX_BYTES', 4096, 2 ** 31), String(64 * 1024 * 1024)),
      batchSize: read('HTTP_LOG_BATCH_SIZE', intVar('HTTP_LOG_BATCH_SIZE', 1, 5000), '200'),
      flushMs: read('HTTP_LOG_FLUSH_MS', intVar('HTTP_LOG_FLUSH_MS', 10, 60_000), '1000'),
    },
  };
  // Suggestions name fields that exist: they are introspection by another route.
  config.exposure.graphqlSuggestions = config.exposure.graphqlIntrospection;
  if (config.security.headersTimeoutMs > config.security.requestTimeoutMs)
    throw new ConfigError('HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS (the whole request includes its headers)');
  // The demo credentials are in the README: anyone could use them against a production instance.
  if (!demo) refuseWeakSecrets(config, env);
  return config;
}
