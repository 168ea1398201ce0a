// How log lines look: JSON for machines (stdout is a file, a pipe or a log collector), one
// coloured line per event for a person at a terminal. LOG_FORMAT=json|pretty overrides the guess.
//
// The request log is ONE line per HTTP request in both formats (OneLinePerRequest below): method,
// path, status, duration and request id, written when the answer has been sent.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { PinoPretty } from 'pino-pretty';
import type { DestinationStream } from 'pino';
import type { LogFormat } from '../config.js';
import { redactUrl } from '../connectors/http-log/redact.js';


// Fields the pretty line shows in its own way (or that only matter to machines).
const PRETTY_IGNORE = 'pid,hostname,reqId,requestId,method,url,statusCode,responseTime';

/**
 * Where pino writes: undefined means pino's own JSON to stdout; pretty is pino-pretty in this
 * process, writing synchronously so the last lines before an exit are not lost.
 */
export function logDestination(format: LogFormat, to?: NodeJS.WritableStream): DestinationStream | undefined {
  if (format === 'json') return undefined;
  return PinoPretty({
    ...(to ? { destination: to } : {}),
    colorize: !to && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: PRETTY_IGNORE,
    // The request id first (Fastify's reqId binding, or the log context's requestId in code a
    // request awaits), so one request's lines line up; other fields follow on the same line.
    messageFormat: (log, messageKey) => {
      const id = log.reqId ?? log.requestId;
      return id ? `${String(id)} ${String(log[messageKey])}` : String(log[messageKey]);
    },
    singleLine: true,
    sync: true,
  });
}

/** The path as logged: through the one URL redactor (order tokens in GraphQL GETs, e-mails in ?q=, webhook secrets in paths). */
function loggedUrl(request: FastifyRequest): string {
  return redactUrl(request.url);
}

/**
 * Fastify's request logging with one line per request instead of two: no "incoming request" line,
 * and the completion line says what a person needs (method, path, status, duration; the request
 * id is the reqId binding of request.log). Errors (5xx, stream errors) are still logged as
 * Fastify logs them. A LogController rather than disableRequestLogging plus an onResponse hook:
 * disableRequestLogging would also silence the error lines, and a hook costs a closure per request.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  // The completion line says 404 already.
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const responseTime = Math.round(reply.elapsedTime * 10) / 10;
    const url = loggedUrl(request);
    const fields = { method: request.method, url, statusCode: reply.statusCode, responseTime };
    const line = `${request.method} ${url} ${reply.statusCode} ${responseTime} ms`;
    if (error) reply.log.error({ ...fields, err: error }, `${line} (errored)`);
    else reply.log.info(fields, line);
  }
}
