// How log lines look: JSON for machines (stdout is a file, a pipe or a log collector), one
// coloured line per event for a person at a terminal. LOG_FORMAT=json|pretty overrides the guess.
//
// The request log is ONE line per HTTP request in both formats (OneLinePerRequest below): method,
// path, status, duration and request id, written when the answer has been sent.
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { PinoPretty } from 'pino-pretty';
import { pino, type DestinationStream, type Logger } from 'pino';
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { LogFormat } from '../config.js';
import { redactUrl } from '../connectors/http-log/redact.js';


// Fields the pretty line shows in its own way (or that only matter to machines).
const PRETTY_IGNORE = 'pid,hostname,reqId,requestId,method,url,statusCode,responseTime';

const pause = new Int32Array(new SharedArrayBuffer(4));
/** How long one line may wait for a slow reader of a full pipe (EAGAIN) before it is dropped. */
const SLOW_READER_MS = 1_000;

/**
 * Standard output for log lines, written synchronously (the last lines before an exit are not
 * lost), that never fails the code that logged: when the destination breaks (EPIPE: the reader of
 * the pipe went away, a log shipper that died or `| head`; EBADF; ENOSPC: a full disk) the line is
 * dropped, and so is every later one once the pipe is gone. pino's own stdout destination instead
 * flushes at exit in a loop that retries EPIPE for ever: a process with a closed stdout could not
 * be stopped by SIGTERM (issue 15).
 *
 * The lines of one turn of the event loop go out in one write (at setImmediate, or at exit): under
 * load, one write(2) per request line was ~8% of a cached catalogue answer's CPU (issue 14).
 */
/** An exit (process.exit, the end of main, an uncaught error) writes what the last turn logged. */
const flushAtExit = new Set<() => void>();
process.once('exit', () => {
  for (const flush of flushAtExit) flush();
});

export function safeStdout(fd = 1): NodeJS.WritableStream & DestinationStream {
  let gone = false;
  let pending: Buffer[] = [];
  let scheduled = false;
  const write = (chunk: Buffer) => {
    if (gone) return;
    let buf = chunk;
    let waited = 0;
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && waited < SLOW_READER_MS) {
          Atomics.wait(pause, 0, 0, 10);
          waited += 10;
          continue;
        }
        if (code === 'EPIPE' || code === 'EBADF' || code === 'ECONNRESET') gone = true;
        return;
      }
    }
  };
  const flush = () => {
    scheduled = false;
    if (!pending.length) return;
    const lines = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    write(lines);
  };
  flushAtExit.add(flush);
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (!gone) {
        pending.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }
      done();
    },
    final(done) {
      flush();
      flushAtExit.delete(flush);
      done();
    },
  }) as NodeJS.WritableStream & DestinationStream;
}

/**
 * Where pino writes: JSON lines to a safe standard output (above); pretty is pino-pretty in this
 * process, writing synchronously to it. `to`: another stream (tests).
 */
export function logDestination(format: LogFormat, to?: NodeJS.WritableStream): DestinationStream {
  if (format === 'json') return (to as DestinationStream | undefined) ?? safeStdout();
  return PinoPretty({
    destination: to ?? safeStdout(),
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

/** Paths without a query string that the redactor leaves as they are (`/graphql`, `/healthz`), remembered. */
const plainPaths = new Set<string>();

/**
 * The path as logged: through the one URL redactor (order tokens in GraphQL GETs, e-mails in ?q=,
 * webhook secrets in paths). A path the redactor left unchanged is remembered, so the storefront's
 * `POST /graphql` is not parsed as a URL on every request (12% of a cached answer's CPU); only
 * such paths are kept, so nothing that needed redacting stays in memory.
 */
function loggedUrl(request: FastifyRequest): string {
  const url = request.url;
  if (plainPaths.has(url)) return url;
  const logged = redactUrl(url);
  if (logged === url && url.length <= 200 && !url.includes('?')) {
    if (plainPaths.size >= 1000) plainPaths.clear();
    plainPaths.add(url);
  }
  return logged;
}

/**
 * Fastify's request logging with one line per request instead of two: no "incoming request" line,
 * and the completion line says what a person needs (method, path, status, duration; the request
 * id is the reqId binding of request.log). Errors (5xx, stream errors) are still logged as
 * Fastify logs them. A LogController rather than disableRequestLogging plus an onResponse hook:
 * disableRequestLogging would also silence the error lines, and a hook costs a closure per request.
 *
 * `lineLogger`: a logger on the same destination without the app logger's redaction and mixin,
 * for the request line alone. Its fields are fixed and none can hold a secret or personal data
 * (the path is redacted by loggedUrl first), so the redaction and the mixin buy nothing there
 * (with pino's redact paths, ~4 µs a line, a third of its cost); every other line, the errored
 * request line included, keeps them.
 * The request's own logger still decides whether info is on (LOG_LEVEL, a level changed at run time).
 */
export class OneLinePerRequest extends LogController {
  constructor(private readonly lineLogger?: Pick<Logger, 'info'>) {
    super();
  }

  override incomingRequest(): void {}

  // The completion line says 404 already.
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const url = loggedUrl(request);
    const log = reply.log as FastifyBaseLogger & Partial<Pick<Logger, 'isLevelEnabled'>>;
    if (!error && this.lineLogger && log.isLevelEnabled) {
      if (log.isLevelEnabled('info')) writeRequestLine(this.lineLogger, request.id, request.method, url, reply.statusCode, reply.elapsedTime);
      return;
    }
    const responseTime = tenthsOfMs(reply.elapsedTime);
    const fields = { method: request.method, url, statusCode: reply.statusCode, responseTime };
    const text = requestLineText(request.method, url, reply.statusCode, responseTime);
    if (error) reply.log.error({ ...fields, err: error }, `${text} (errored)`);
    else log.info(fields, text);
  }
}

const tenthsOfMs = (ms: number) => Math.round(ms * 10) / 10;
const requestLineText = (method: string, url: string, statusCode: number, responseTime: number) => `${method} ${url} ${statusCode} ${responseTime} ms`;

/** A request line on `lineLogger` (requestLineLogger): Fastify's requests and answers replayed in front of it alike. */
export function writeRequestLine(lineLogger: Pick<Logger, 'info'>, id: string, method: string, url: string, statusCode: number, ms: number): void {
  const responseTime = tenthsOfMs(ms);
  lineLogger.info({ reqId: id, requestId: id, method, url, statusCode, responseTime }, requestLineText(method, url, statusCode, responseTime));
}

/** The logger of request lines (OneLinePerRequest): JSON lines on `stream`, info and above, nothing else. */
export function requestLineLogger(stream: DestinationStream): Logger {
  return pino({ level: 'info' }, stream);
}
