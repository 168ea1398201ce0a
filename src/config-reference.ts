// Every environment variable Kursus reads, with its default and one line on what it does: the
// source of docs/configuration.md (`npm run docs:config` writes it). test/unit/config-reference.test.ts
// fails when a variable read anywhere in src/ is missing here, when a documented default is not the
// real one (setting a variable to its documented default must change nothing), or when the
// generated page is stale. Add a variable here in the same change that reads it.

export interface ConfigVariable {
  name: string;
  group: string;
  /** The value used when the variable is unset, outside production; checked by the test. */
  default?: string;
  /** When the default is not one literal (it depends on the mode or on other variables). */
  defaultNote?: string;
  description: string;
}

const v = (group: string, name: string, def: string | { note: string } | null, description: string): ConfigVariable =>
  def === null ? { name, group, defaultNote: 'unset', description } : typeof def === 'string' ? { name, group, default: def, description } : { name, group, defaultNote: def.note, description };

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  // Server
  v('Server', 'NODE_ENV', null, '`production` turns demo mode off: every external URL and credential must then be set, and the published demo credentials are refused.'),
  v('Server', 'PORT', '4000', 'HTTP port.'),
  v('Server', 'HOST', { note: '`127.0.0.1` (demo), `0.0.0.0` (production)' }, 'Listen address.'),
  v('Server', 'VAR_DIR', './var', 'Where the embedded database, the `.eml` mail files and the demo simulators\' state go.'),
  v('Server', 'TRUST_PROXY', null, "Fastify's trustProxy: set it (e.g. `true` or the proxy's address) only behind a proxy you run, or per-client limits key on the proxy."),
  v('Server', 'BODY_LIMIT_BYTES', '262144', 'Maximum request body.'),
  v('Server', 'REQUEST_TIMEOUT_MS', '30000', 'Time a client has to send a whole request, headers and body; then 408 and the connection is closed.'),
  v('Server', 'HEADERS_TIMEOUT_MS', '10000', 'Time a client has to send the request headers (at most REQUEST_TIMEOUT_MS).'),
  v('Server', 'CONNECTION_TIMEOUT_MS', '120000', 'A connection with no traffic in either direction for this long is closed.'),
  v('Server', 'METRICS_TOKEN', null, 'Bearer token `/metrics` requires; unset: open in demo mode, refused (401) in production.'),
  v('Server', 'API_DOCS', { note: '`true` (demo), `false` (production)' }, 'Serve the OpenAPI UI and document at `/docs`.'),
  v('Server', 'CORS_ORIGINS', { note: '`http://localhost:3000,http://127.0.0.1:3000` (demo), none (production)' }, 'Comma-separated browser origins allowed by CORS (bare `scheme://host[:port]`).'),
  v('Server', 'LOG_LEVEL', 'info', 'pino level (`silent` in tests). Tokens, passwords, e-mails and phone numbers are redacted at every level.'),
  v('Server', 'LOG_FORMAT', { note: '`pretty` on a terminal, `json` otherwise' }, '`json` (one JSON object per line) or `pretty` (one coloured line per event).'),
  // Database and jobs
  v('Database and jobs', 'DATABASE_URL', { note: '`sqlite:$VAR_DIR/kursus.db`' }, '`sqlite:<file>` or `mysql://user:pass@host:3306/db` (required in production).'),
  v('Database and jobs', 'MONGODB_URL', null, "Agenda's job store; unset: the project's own SQL database (jobs commit with the order)."),
  v('Database and jobs', 'TZ_SCHEDULE', 'Europe/Copenhagen', 'IANA time zone of the daily jobs.'),
  v('Database and jobs', 'GDPR_RETENTION_DAYS', '730', 'Personal data of orders is anonymised this long after the course ended.'),
  v('Database and jobs', 'JOB_RETENTION_DAYS', '30', 'Finished one-off jobs are removed from the SQL job store this long after they finished.'),
  v('Database and jobs', 'PARTICIPANT_LIST_DAYS', '7', 'Trainers get participant lists for course dates starting within this many days.'),
  v('Database and jobs', 'SYNC_ATTEMPTS', '8', 'Attempts of `sync-order` before an order is `SYNC_FAILED` and operators are told; participants Maconomy still refuses on the last attempt make it `PARTIALLY_SYNCED` (docs/seat-lifecycle.md).'),
  v('Database and jobs', 'RECONCILE_MINUTES', '10', 'How often `reconcile-seats` asks Maconomy about upcoming dates and records seat drift.'),
  v('Database and jobs', 'RECONCILE_DAYS', '90', '`reconcile-seats` checks published course dates starting within this many days.'),
  v('Database and jobs', 'RECONCILE_CONCURRENCY', '4', 'Maconomy questions `reconcile-seats` asks at a time.'),
  // Maconomy
  v('Maconomy', 'MACONOMY_URL', { note: 'the built-in simulator (demo); required in production' }, 'Base URL of the Maconomy custom API.'),
  v('Maconomy', 'MACONOMY_TOKEN', { note: '`demo-maconomy-token` (demo); required in production' }, 'Bearer token for it.'),
  v('Maconomy', 'MACONOMY_TIMEOUT_MS', '5000', 'Per-request timeout.'),
  v('Maconomy', 'MACONOMY_RETRIES', '2', 'Retries of reads with jittered backoff; writes are retried by the job, idempotently.'),
  v('Maconomy', 'MACONOMY_SEAT_CACHE_MS', '2000', "How long a reservation may reuse one course date's free-seat answer, only while no sync was recorded for the date since (any process); concurrent look-ups are coalesced. Checkout always asks afresh."),
  v('Maconomy', 'MACONOMY_STOREFRONT_DEADLINE_MS', '3000', 'Total time a storefront seat look-up may take across retries before `UPSTREAM_UNAVAILABLE`.'),
  v('Maconomy', 'MACONOMY_BREAKER_FAILURES', '5', 'Consecutive failures that open the circuit breaker of storefront look-ups.'),
  v('Maconomy', 'MACONOMY_BREAKER_COOLDOWN_MS', '10000', 'How long the open breaker answers `UPSTREAM_UNAVAILABLE` at once before trying again.'),
  // WordPress
  v('WordPress', 'WORDPRESS_URL', { note: 'the built-in simulator (demo); required in production' }, 'WordPress site whose REST API gets the course posts.'),
  v('WordPress', 'WORDPRESS_USER', { note: '`kursus` (demo); required in production' }, 'WordPress user of the application password.'),
  v('WordPress', 'WORDPRESS_APP_PASSWORD', { note: 'the demo password (demo); required in production' }, 'Application password of that user.'),
  v('WordPress', 'WORDPRESS_POST_TYPE', 'kursus', 'REST base of the course post type.'),
  v('WordPress', 'WORDPRESS_FIELD_MODE', 'meta', '`meta` (register_post_meta) or `acf` (Advanced Custom Fields).'),
  // Mail
  v('Mail', 'SMTP_URL', { note: '`.eml` files under `$VAR_DIR/mail` (demo); required in production' }, '`smtp://` or `smtps://` URL of the mail server.'),
  v('Mail', 'MAIL_FROM', 'Kursus <kursus@example.dk>', 'Sender of all mail.'),
  v('Mail', 'MAIL_LANGUAGE', 'da', '`da` or `en`, for every mail.'),
  v('Mail', 'OPS_EMAIL', null, 'Where operator alerts go (failed syncs, seat drift).'),
  // Booking
  v('Booking', 'HOLD_MINUTES', '20', 'How long a reservation holds its seats.'),
  v('Booking', 'MAX_SEATS_PER_ORDER', '20', 'Seats one order may hold.'),
  v('Booking', 'MAX_SEATS_PER_CLIENT', '40', 'Seats one client (IP) may hold at once across its unplaced reservations.'),
  v('Booking', 'RATE_LIMIT_RESERVE_PER_MINUTE', '30', '`reserveSeats` calls per client per minute; 0 disables.'),
  v('Booking', 'RATE_LIMIT_CHECKOUT_PER_MINUTE', '10', '`checkout` calls per client per minute; 0 disables.'),
  v('Booking', 'CATALOG_CACHE_MS', '5000', 'How long an anonymous catalogue answer is reused; 0 disables the cache.'),
  v('Booking', 'HTTP_CACHE_S_MAXAGE_SECONDS', '5', 'How long a CDN may serve an anonymous catalogue answer (`Cache-Control: s-maxage`; it also gets an ETag, and If-None-Match a 304).'),
  v('Booking', 'HTTP_CACHE_STALE_WHILE_REVALIDATE_SECONDS', '10', 'How long after that a CDN may still serve it while it asks again (`stale-while-revalidate`).'),
  v('Booking', 'RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE', '300', 'Anonymous GraphQL requests per client per minute; 0 disables.'),
  v('Booking', 'RATE_LIMIT_EXEMPT_IPS', null, 'Comma-separated client addresses no per-client limit applies to (e.g. a server-side storefront calling for all its visitors).'),
  // GraphQL and access
  v('GraphQL and access', 'EDITOR_TOKENS', { note: '`demo-editor-token` (demo); none in production' }, 'Comma-separated bearer tokens of editors.'),
  v('GraphQL and access', 'ADMIN_TOKENS', { note: '`demo-admin-token` (demo); none in production' }, 'Comma-separated bearer tokens of admins (admins are editors too).'),
  v('GraphQL and access', 'GRAPHQL_INTROSPECTION', { note: '`true` (demo), `false` (production)' }, 'GraphQL introspection (and "did you mean" suggestions in errors).'),
  v('GraphQL and access', 'GRAPHQL_IDE', { note: '`true` (demo), `false` (production)' }, 'The GraphQL IDE at `GET /graphql` in a browser.'),
  v('GraphQL and access', 'GRAPHQL_MAX_DEPTH', '8', 'Maximum depth of a GraphQL operation.'),
  v('GraphQL and access', 'GRAPHQL_MAX_COMPLEXITY', '5000', 'Maximum cost of a GraphQL operation.'),
  v('GraphQL and access', 'GRAPHQL_MAX_FIELDS', '1000', 'Fields an operation may expand to (aliases and fragment spreads counted).'),
  v('GraphQL and access', 'GRAPHQL_MAX_TOKENS', '10000', 'Lexical tokens per GraphQL document.'),
  v('GraphQL and access', 'STAFF_SESSION_IDLE_MINUTES', '60', 'A back-office session ends after this long without use.'),
  v('GraphQL and access', 'STAFF_SESSION_MAX_HOURS', '12', 'A back-office session ends this long after login regardless.'),
  v('GraphQL and access', 'STAFF_LOGIN_FREE_FAILURES', '5', 'Wrong passwords per account and address before back-office logins are slowed down.'),
  v('GraphQL and access', 'STAFF_LOGIN_ADDRESS_FAILURES', '100', 'Failed back-office logins per address (any account) before that address is refused for a while; 0 disables.'),
  // REST connectors
  v('REST connectors', 'CONNECTOR_TOKEN_TTL_HOURS', '24', 'Lifetime of a bearer token issued by `POST /public/auth/login`.'),
  v('REST connectors', 'RATE_LIMIT_LOGIN_PER_MINUTE', '20', '`POST /public/auth/login` calls per client per minute; 0 disables.'),
  v('REST connectors', 'PRICE_API_TIMEZONE', 'Asia/Bangkok', "IANA zone of the Product Price API's wall-clock dates."),
  v('REST connectors', 'REQUEST_OUT_WAIT_MS', '5000', 'How long `POST /api/request-out` waits for the upstream answer before answering "on process".'),
  v('REST connectors', 'REQUEST_OUT_RETENTION_DAYS', '30', "Days after which a finished Request Out ticket's stored data is erased."),
  v('REST connectors', 'UPSTREAM_TOKEN', null, '`npm run simulator -- upstream` only: the bearer token the Request Out upstream simulator requires.'),
  v('REST connectors', 'HTTP_LOG_RETENTION_DAYS', '30', 'Days the request/response log of connector traffic is kept.'),
  v('REST connectors', 'HTTP_LOG_BODY_LIMIT_BYTES', '8192', 'Logged bodies are cut to this many bytes after redaction.'),
  v('REST connectors', 'HTTP_LOG_QUEUE_MAX', '10000', 'Log entries waiting to be written; beyond this new entries are dropped and counted.'),
  v('REST connectors', 'HTTP_LOG_QUEUE_MAX_BYTES', '67108864', 'The same bound in bytes.'),
  v('REST connectors', 'HTTP_LOG_BATCH_SIZE', '200', 'Log entries written per insert.'),
  v('REST connectors', 'HTTP_LOG_FLUSH_MS', '1000', 'How often queued log entries are written.'),
  // Jubelio
  v('Jubelio gateway', 'JUBELIO_ENABLED', { note: 'on in demo mode, or when `JUBELIO_URL` is set' }, '`true` or `false`: force the gateway on or off.'),
  v('Jubelio gateway', 'JUBELIO_URL', { note: 'the built-in simulator (demo)' }, 'Jubelio API base URL, e.g. `https://api2.jubelio.com`.'),
  v('Jubelio gateway', 'JUBELIO_EMAIL', { note: 'a demo account (demo); required when enabled in production' }, 'Jubelio login e-mail.'),
  v('Jubelio gateway', 'JUBELIO_PASSWORD', { note: 'a demo password (demo); required when enabled in production' }, 'Jubelio login password.'),
  v('Jubelio gateway', 'JUBELIO_WEBHOOK_SIGNATURE', 'hmac-sha256', 'How webhooks are verified: `hmac-sha256`, `sha256`, `path` or `none` (not in production).'),
  v('Jubelio gateway', 'JUBELIO_WEBHOOK_SECRET', { note: 'a demo secret (demo); required when enabled in production' }, 'Webhook secret (at least 16 characters).'),
  v('Jubelio gateway', 'JUBELIO_WEBHOOK_HEADER', 'sign', 'Header carrying the webhook signature (`x-jubelio-signature` is always accepted too).'),
  v('Jubelio gateway', 'JUBELIO_PUSH_MINUTES', '5', 'How often staged products are pushed.'),
  v('Jubelio gateway', 'JUBELIO_PUSH_BATCH', '500', 'Products sent per push run.'),
  v('Jubelio gateway', 'JUBELIO_RATE_LIMIT_PER_MINUTE', '540', 'Calls to Jubelio per minute (90% of its 600).'),
  v('Jubelio gateway', 'JUBELIO_RATE_LIMIT_WAIT_MS', '60000', 'How long a call may wait for the rate limiter.'),
  v('Jubelio gateway', 'JUBELIO_TIMEOUT_MS', '10000', 'Per-request timeout.'),
  v('Jubelio gateway', 'JUBELIO_RETRIES', '3', 'Retries with backoff.'),
  v('Jubelio gateway', 'JUBELIO_DEFAULT_UOM_ID', '1', 'Unit of measure id for products that give none.'),
  v('Jubelio gateway', 'JUBELIO_DEFAULT_CATEGORY_ID', '1', 'Category id for products that give none.'),
  v('Jubelio gateway', 'JUBELIO_DEFAULT_BRAND_ID', null, 'Brand id for products that give none.'),
  // Bridge
  v('BaseLinker <-> Optimakers bridge', 'BRIDGE_ENABLED', { note: 'on in demo mode, or when any bridge variable is set' }, '`true` or `false`: force the bridge on or off.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_URL', { note: 'the built-in simulator (demo), `https://api.baselinker.com/connector.php` (production)' }, 'BaseLinker connector URL.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_API_KEY', { note: 'a demo token (demo)' }, 'BaseLinker API token (`baselinkerApiKey`).'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_ORDER_STATUS_TO_IMPORT', { note: '`1002` (demo)' }, 'BaseLinker status of orders to import (`baselinkerOrderStatusToImport`).'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_ORDER_STATUS_TO_SEND', { note: '`1003` (demo)' }, 'BaseLinker status set once an order is sent (`baselinkerOrderStatusToSend`).'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_IMPORT_MINUTES', '5', 'How often orders are imported.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_IMPORT_FROM', { note: 'now, at the first import' }, 'Unix seconds from which the first import reads orders.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_RATE_LIMIT_PER_MINUTE', '90', 'Calls to BaseLinker per minute.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_RATE_LIMIT_WAIT_MS', '60000', 'How long a call may wait for the rate limiter.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_TIMEOUT_MS', '15000', 'Per-request timeout.'),
  v('BaseLinker <-> Optimakers bridge', 'BASELINKER_RETRIES', '3', 'Retries with backoff.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_URL', { note: 'the built-in simulator (demo); required when enabled in production' }, 'Optimakers instance address.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_API_KEY', { note: 'a demo key (demo)' }, 'Optimakers API key (`optimesApiKey`).'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_API_KEY_HEADER', 'X-Api-Key', 'Header that carries the Optimakers API key.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_WEBHOOKTOKEN', { note: 'a demo token (demo)' }, "The webhook's security token (`optimesApiToken`, at least 16 characters)."),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_API_TOKEN', null, 'Older name of `OPTIMES_WEBHOOKTOKEN`, read when that is unset.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_STATUS', { note: '`12` (demo)' }, 'Optimakers status of created orders.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_ATTRIBUTE_DELIVERY_METHOD', { note: '`201` (demo)' }, 'Order attribute id of the delivery method.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_ATTRIBUTE_DELIVERY_PRICE', { note: '`202` (demo)' }, 'Order attribute id of the delivery price.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_ATTRIBUTE_PAYMENT_METHOD', { note: '`203` (demo)' }, 'Order attribute id of the payment method.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_1', { note: '`204` (demo)' }, 'Order attribute id of additional field 1.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_ATTRIBUTE_ADDITIONAL_FIELD_2', { note: '`205` (demo)' }, 'Order attribute id of additional field 2.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_ORDER_ATTRIBUTE_NOTE', { note: '`206` (demo)' }, 'Order attribute id of the note.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_CUSTOMER_ATTRIBUTE_LOGIN', { note: '`301` (demo)' }, 'Customer attribute id of the login.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_CURRENCY_IDS', { note: '`PLN=1,EUR=2` (demo)' }, 'ISO currency code to Optimakers currency id, `code=id,...`.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_VAT_RATE_IDS', { note: '`23=1,8=2,5=3,0=4,zw=5` (demo)' }, 'BaseLinker VAT rate to Optimakers VAT rate id, `rate=id,...`.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_TIMEOUT_MS', '15000', 'Per-request timeout.'),
  v('BaseLinker <-> Optimakers bridge', 'OPTIMES_RETRIES', '3', 'Retries with backoff.'),
];

/** docs/configuration.md, generated. */
export function configurationMarkdown(variables: readonly ConfigVariable[] = CONFIG_VARIABLES): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config-reference.ts by `npm run docs:config`; do not edit by hand (a test fails when it is stale). -->',
    '',
    'All configuration is environment variables, validated at start-up: a bad value stops the process with a message naming the',
    'variable. Outside production (`NODE_ENV` not `production`) every variable has a demo default. In production a missing external',
    'URL or credential is a start-up error naming every missing variable at once, and the published demo credentials are refused.',
    '',
  ];
  const groups = [...new Set(variables.map((x) => x.group))];
  for (const group of groups) {
    out.push(`## ${group}`, '', '| variable | default | meaning |', '|---|---|---|');
    for (const x of variables.filter((y) => y.group === group)) {
      const def = x.default !== undefined ? (x.default === '' ? '(empty)' : `\`${x.default}\``) : (x.defaultNote ?? '');
      out.push(`| \`${x.name}\` | ${cell(def)} | ${cell(x.description)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
