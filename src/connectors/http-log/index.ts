// The request/response log (the API gateway of the source documents logs every request and
// response in MySQL). Public API, for anyone writing a connector:
//
// OUTBOUND CALLS. Do every HTTP call to a peer system through a logged fetch; it behaves exactly
// like fetch (same arguments, same Response) and records method, URL, status, duration, headers
// and bodies, redacted and cut to HTTP_LOG_BODY_LIMIT_BYTES:
//
//     const fetchJubelio = deps.httpLog.fetch('jubelio');          // deps: ConnectorDeps or JobDeps
//     const res = await fetchJubelio(`${base}/inventory/catalog/`, { method: 'POST', headers, body });
//
// A client class that takes `fetch?: FetchLike` in its options (as MaconomyClient and
// WordPressClient do) gets `fetch: httpLog.fetch('<system>')` from buildKursus. The current
// correlation id is sent along as `x-request-id` unless the caller sets one.
//
// INBOUND REQUESTS. Nothing to do: every route under /public/ and /api/ is recorded by root-level
// hooks (inbound.ts), with the system taken from the path (`/api/connectors/<name>/...` -> <name>)
// or from the route option `config: { httpLogSystem: 'jubelio' }`; `config: { httpLog: false }`
// leaves a route out. Set `request.httpLogActor` to say who called (the connector guards do).
//
// CORRELATION IDS. Each inbound request runs with its request id (x-request-id honoured) as the
// correlation id (the one log context of src/observability), and every outbound call made while
// handling it carries it. Jobs run with
// `data.correlationId` or `data.requestId` when the enqueuer put one there (checkout does),
// else with `job:<name>:<id>`; `withCorrelationId(id, fn)` sets one by hand.
//
// Custom exchanges (e.g. a webhook answered outside Fastify) can be queued with
// `httpLog.record({...})`. Recording never throws and never waits: entries go to a bounded
// in-memory queue (bounded in entries and bytes; bodies over the limit are cut first) written in
// batches; when the queue is full they are dropped and counted
// (`httpLog.stats().dropped`, also at GET /api/admin/http-log/stats).
//
// REDACTION (redact.ts) is by name. Headers: a default list of credential headers (SECRET_HEADERS:
// authorization, cookie, x-api-key, ocp-apim-subscription-key, x-auth, ...), any name with an
// `auth` word or ending in `key`, and every name a client declared with `markSecretHeader` (a
// Request Out route's auth header, Optimakers' key header). Headers, query parameters and JSON/form keys that look like
// credentials (authorization, cookie, *token*, *secret*, password, api key, signature, sign, key)
// or personal data (name, e-mail, phone, address, post code, city, birth date, national id, ...)
// become "[redacted]"; e-mail addresses, bearer/basic credentials and JWTs inside free text too.
export { createHttpLog, loggedFetch, type HttpLog, type HttpLogRecord, type HttpLogStats, type FetchLike } from './log.js';
export { withCorrelationId, currentCorrelationId } from './context.js';
export { registerHttpLogHooks, shouldLogInbound, inboundSystem } from './inbound.js';
export { redactBody, redactHeaders, redactUrl, redactJson, REDACTED, markSecretHeader, isSecretHeader, SECRET_HEADERS } from './redact.js';
export { HttpLogEntry, httpLogEntities } from './entities.js';
export { pruneHttpLog, registerHttpLogAdmin } from './admin.js';
