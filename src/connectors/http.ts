// Shared plumbing of the REST connectors' Fastify plugins.
//
// Route schemas are written for the OpenAPI document (/docs); requests are validated in the
// handlers (zod or by hand) so that a bad request gets the endpoint's own envelope and a message
// naming the field, and responses are sent exactly as built (plain JSON.stringify, no schema-based
// serialiser that could drop or coerce a field of a documented contract). The contract tests
// check every response against these same schemas.
import { jsonDepth, JsonTooDeepError } from '../http/json-depth.js';
import secureJson from 'secure-json-parse';
import { InputError } from './params.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface ScopeOptions {
  /** Body of an error answer in this scope's envelope (`field`: the parameter at fault, where the envelope has room for it). */
  envelope: (status: number, message: string, field?: string) => unknown;
  /** Accept application/x-www-form-urlencoded bodies too (PHP-era clients post forms). */
  forms?: boolean;
}

/** Call first thing inside an encapsulated plugin (`app.register(async (scope) => { connectorScope(scope, ...) })`). */
export function connectorScope(app: FastifyInstance, opts: ScopeOptions): void {
  documentScopeErrors(app);
  app.setValidatorCompiler(() => (data: unknown) => ({ value: data }));
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
  // Only JSON (and forms where accepted) is parsed: Fastify's default text/plain parser would hand
  // a handler a string, answered as a confusing "body must be an object"; 415 says what is wrong.
  app.removeAllContentTypeParsers();
  // An empty JSON body (DELETE or details with Content-Type: application/json) is {} rather than an
  // error: clients written against the PHP original send that header on every request.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    if (jsonDepth(body as string, 64) > 64) return done(new JsonTooDeepError(64), undefined);
    let value: unknown;
    try {
      value = JSON.parse(body as string);
    } catch {
      return done(new InputError(400, 'the request body is not valid JSON', '(body)'), undefined);
    }
    // A key that would reach an object's prototype once merged is refused by name (secure-json-parse
    // reports it; Fastify's own parser called it "not valid JSON", which sent clients hunting for a syntax error).
    try {
      if (value && typeof value === 'object') secureJson.scan(value, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(new InputError(400, 'the request body has a "__proto__" or "constructor.prototype" key, which is refused', '(body)'), undefined);
    }
    done(null, value);
  });
  if (opts.forms) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  }
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'connector request failed');
      return reply.code(500).send(opts.envelope(500, 'Internal server error'));
    }
    if (error instanceof InputError) return reply.code(status).send(opts.envelope(status, error.message, error.field));
    let message = error.message;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = opts.forms ? 'the request body must be application/json or application/x-www-form-urlencoded' : 'the request body must be application/json';
    else if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'the request body is empty; a JSON object is required';
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'the request body is too large';
    else if (error instanceof JsonTooDeepError) message = error.message;
    else if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') message = 'the request body is not valid JSON';
    return reply.code(status).send(opts.envelope(status, message));
  });
}

/** What each status means on the connector routes, for answers whose schema gives no description. */
const STATUS_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: queued',
  400: 'Bad input: the message names the parameter or field at fault',
  401: 'No token, a malformed, unknown or expired one (WWW-Authenticate: Bearer); for webhooks a missing or wrong signature',
  403: 'The token belongs to another user than the path names',
  404: 'Not found (or not yours)',
  409: 'Conflicts with the current state (the message says with what)',
  413: 'The request body is larger than BODY_LIMIT_BYTES (or the route\'s own limit)',
  415: 'A request body of a type that is not parsed (JSON and, where accepted, forms are)',
  429: 'Too many requests: wait for Retry-After seconds',
  500: 'Internal error (logged with its request id; the answer carries no detail)',
  503: 'The connector or job store this route needs is not configured in this process',
};

/**
 * Completes the OpenAPI description of every route of a connector scope as routes are registered:
 * the answers the scope's error handler (below) can give besides the route's own (500, and for
 * routes with a body 413 and 415), in the envelope the route documents for its errors, and a
 * description for every answer (Swagger would label each one "Default Response").
 */
function documentScopeErrors(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: Record<string, Record<string, unknown>> } | undefined;
    const response = schema?.response;
    if (!schema || !response) return;
    const envelope = response[400] ?? response[401] ?? response[403] ?? response[404];
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const withBody = methods.some((m) => m !== 'GET' && m !== 'HEAD');
    const all: Record<string, Record<string, unknown>> = { ...response };
    if (envelope) {
      if (withBody) all[400] ??= envelope; // malformed JSON
      if (withBody) all[413] ??= envelope;
      if (withBody) all[415] ??= envelope;
      all[500] ??= envelope;
    }
    // Every answer named: its own title, or the operation's summary with the status.
    const summary = (route.schema as { summary?: string }).summary ?? `${methods.join('/')} ${route.url}`;
    schema.response = Object.fromEntries(
      Object.entries(all).map(([status, s]) => [status, { ...s, title: (s.title as string | undefined) ?? `${summary} (${status})`, description: (s.description as string | undefined) ?? STATUS_DESCRIPTIONS[status] ?? `HTTP ${status}` }]),
    );
  });
}

/** Body as a plain object: a JSON object, a parsed form, or {} when absent; null when it is something else. */
export function bodyObject(body: unknown): Record<string, unknown> | null {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) return body as Record<string, unknown>;
  return null;
}

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Half of a UTF-16 pair on its own: UTF-8 cannot carry it, so the database would reject or alter the text. */
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/**
 * One-line text that can be stored and compared as sent: no control characters (on SQLite a NUL
 * cuts the statement short, a 500) and no lone surrogates. Check names, subjects and search texts
 * with it before they reach a query.
 */
export const isPlainText = (s: string): boolean => !/[\u0000-\u001f\u007f]/.test(s) && !hasLoneSurrogate(s);

// ---- JSON Schema fragments for the OpenAPI document ---------------------------------------------
export const messageSchema = {
  title: 'Message',
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];
