// The request log a person reads: one line per HTTP request (method, path, status, duration,
// request id) in JSON and in the pretty terminal format, and LOG_FORMAT choosing between them.
import Fastify from 'fastify';
import { resolveLogFormat, ConfigError } from '../../src/config.js';
import { logDestination, OneLinePerRequest, requestLineLogger } from '../../src/observability/log-format.js';
import { logSink } from '../support/log-sink.js';

async function appWith(stream: NodeJS.WritableStream) {
  const app = Fastify({ logger: { level: 'info', stream: stream as never }, logController: new OneLinePerRequest(), genReqId: () => 'req-0123456789' });
  app.get('/courses', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('kaput');
  });
  await app.ready();
  return app;
}

describe('request log', () => {
  it('writes one JSON line per request with method, path, status, duration and request id', async () => {
    const { stream, lines } = logSink();
    const app = await appWith(stream);
    await app.inject({ method: 'GET', url: '/courses?first=2' });
    await app.inject({ method: 'GET', url: '/missing' });
    await app.close();
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.reqId);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ level: 30, reqId: 'req-0123456789', method: 'GET', url: '/courses?first=2', statusCode: 200, msg: expect.stringMatching(/^GET \/courses\?first=2 200 [\d.]+ ms$/) });
    expect(typeof requests[0].responseTime).toBe('number');
    expect(requests[1]).toMatchObject({ statusCode: 404, msg: expect.stringMatching(/^GET \/missing 404 /) });
  });

  it('still logs a failing request as an error (with the request line)', async () => {
    const { stream, lines } = logSink();
    const app = await appWith(stream);
    await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    const parsed = lines.map((l) => JSON.parse(l)).filter((l) => l.reqId);
    expect(parsed.some((l) => l.level === 50 && l.err?.message === 'kaput')).toBe(true);
    expect(parsed.filter((l) => /^GET \/boom 500 /.test(l.msg))).toHaveLength(1);
  });

  it('writes the app request line with its own logger (no redaction pass): the same fields, at the level the app logs', async () => {
    for (const level of ['info', 'warn'] as const) {
      const { stream, lines } = logSink();
      const app = Fastify({ logger: { level, stream: stream as never, redact: ['*.secret'] }, logController: new OneLinePerRequest(requestLineLogger(stream as never)), genReqId: () => 'req-0123456789' });
      app.get('/courses', async (request) => {
        request.log.warn({ a: { secret: 's3cr3t' } }, 'inside');
        return { ok: true };
      });
      app.get('/boom', async () => {
        throw new Error('kaput');
      });
      await app.inject({ method: 'GET', url: '/courses?first=2' });
      await app.inject({ method: 'GET', url: '/boom' });
      await app.close();
      const parsed = lines.map((l) => JSON.parse(l));
      const requestLines = parsed.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('GET /'));
      if (level === 'warn') expect(requestLines).toHaveLength(0);
      else
        expect(requestLines).toEqual([
          expect.objectContaining({ level: 30, reqId: 'req-0123456789', method: 'GET', url: '/courses?first=2', statusCode: 200, msg: expect.stringMatching(/^GET \/courses\?first=2 200 [\d.]+ ms$/) }),
          expect.objectContaining({ level: 30, reqId: 'req-0123456789', url: '/boom', statusCode: 500, msg: expect.stringMatching(/^GET \/boom 500 /) }),
        ]);
      // Every other line still goes through the app's logger and its redaction; the error too.
      expect(parsed.find((l) => l.msg === 'inside')?.a.secret).toBe('[Redacted]');
      expect(parsed.filter((l) => l.level === 50 && l.err?.message === 'kaput')).toHaveLength(1);
    }
  });

  it('pretty: one line per request, request id first, no JSON noise', async () => {
    const { stream, lines } = logSink();
    const app = Fastify({ logger: { level: 'info', stream: logDestination('pretty', stream) as never }, logController: new OneLinePerRequest(), genReqId: () => 'req-0123456789' });
    app.get('/courses', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/courses' });
    await app.close();
    const requestLines = lines.filter((l) => l.includes('req-0123456789'));
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: req-0123456789 GET \/courses 200 [\d.]+ ms$/);
  });

  it('LOG_FORMAT overrides the terminal guess; anything else is a configuration error', () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(() => resolveLogFormat('yaml', true)).toThrow(ConfigError);
  });
});
