// Every route the app registers (collected by an onRoute hook, so a new route is covered the day it
// is added) gets the same hostile requests: no token, a wrong token, the right kind of token with
// garbage in every path parameter and in every query parameter any route reads (limit, after,
// since, from/to, status, ...), impossible calendar dates, malformed JSON, a body of a type no
// route parses, a `__proto__` key. The client must see a 4xx (or a documented 2xx), and what the
// server records must agree: no error-level log line, no 5xx in the request/response log or in
// /metrics. A handler that sends a 400 and then returns nothing from an async function made Fastify
// log ERR_HTTP_HEADERS_SENT and record a 500 while the client saw the 400: that is what this catches.
import { Writable } from 'node:stream';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { HttpLogEntry } from '../../src/connectors/http-log/entities.js';
import { DEMO_PRODUCTS } from '../../src/connectors/product-price/demo.js';
import { DEMO_USER, loginDemo } from '../connectors/connector-helpers.js';

const ADMIN = 'admin-secret';
/** Every query parameter some route reads, each with a value that route must refuse. */
const GARBAGE_QUERY = '?limit=0&after=%40%40not-a-cursor&before=-1&since=2026-02-30&from=2026-02-30T10%3A00%3A00Z&to=2026-13-01&status=%00&event=x&at=2026-02-30&shop=x&q=%ED%A0%80&orderBy=%27';
const DATE_QUERY = '?since=2026-02-30T00%3A00%3A00Z&from=2026-04-31&to=2026-02-29';

/** One request, redirects not followed (a route may answer 30x). */
async function http(base: string, method: string, path: string, opts: { body?: string; token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(base + path, { method, headers, body: opts.body, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/**
 * 503s that say how this process is set up, not a fault: /readyz before the worker runs, the back
 * office's SPA when it was not built (npm run build). Nothing else may answer 5xx.
 */
const unavailableByDesign = (url: string, status: number, text = '') => status === 503 && (url === '/readyz' || (url.startsWith('/admin') && /not built/.test(text)));

interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string; code?: string };
  reqId?: string;
}

describe.each(testDatabaseKinds())('every registered route on %s', (kind) => {
  let h: Harness;
  let demo: string;
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });

  beforeAll(async () => {
    h = await startHarness(kind, { env: { REQUEST_OUT_WAIT_MS: '0' }, build: { logger: { level: 'info', stream } } });
    demo = await loginDemo(h.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The URL of a route with every path parameter replaced. */
  const fill = (url: string, value: (name: string) => string) => url.replace(/:(\w+)/g, (_m, name: string) => value(name)).replace(/\*$/, 'x').replace(/^(?!\/)/, '/');
  const realIds: Record<string, string> = { id_user: DEMO_USER.id, id_product: DEMO_PRODUCTS[0].id, id_price: '56139d43-0000-4000-8000-000000000000', offsite: '0', limit: '10' };
  const tokenFor = (url: string) => (url.startsWith('/api/admin') || url.startsWith('/admin') ? ADMIN : demo);

  it('answers every hostile request with a 4xx (or a documented 2xx), and logs and counts it as such', async () => {
    const routes = [...new Map(h.kursus.routes.filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r])).values()];
    expect(routes.length).toBeGreaterThan(40);
    const answers: string[] = [];
    const problems: string[] = [];
    for (const { method, url } of routes) {
      const garbage = fill(url, () => 'not-an-id');
      const real = fill(url, (n) => realIds[n] ?? 'not-an-id');
      const withBody = method !== 'GET' && method !== 'DELETE';
      const sends: [string, Parameters<typeof http>[3], string][] = [
        ['no token', {}, garbage],
        ['a wrong token', { token: 'kct_wrong' }, garbage],
        ['garbage everywhere', { token: tokenFor(url), ...(withBody ? { body: '{"version": ', headers: { 'content-type': 'application/json' } } : {}) }, garbage + GARBAGE_QUERY],
        ['garbage query, real ids', { token: tokenFor(url) }, real + GARBAGE_QUERY],
        ['impossible dates', { token: tokenFor(url) }, real + DATE_QUERY],
      ];
      if (withBody) {
        sends.push(
          ['a text/plain body', { token: tokenFor(url), body: '{"version": 1}', headers: { 'content-type': 'text/plain' } }, real],
          ['a __proto__ key', { token: tokenFor(url), body: '{"version": 1, "__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' } }, real],
          ['an unknown content type', { token: tokenFor(url), body: 'x', headers: { 'content-type': 'application/x-kursus' } }, real],
        );
      }
      for (const [what, opts, path] of sends) {
        const a = await http(h.url, method, path, opts);
        answers.push(`${method} ${path}: ${a.status}`);
        if (a.status >= 500 && !unavailableByDesign(url, a.status, a.text)) problems.push(`${method} ${url} with ${what}: ${a.status} ${a.text.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);

    // What the server recorded agrees with what the clients saw.
    await h.kursus.httpLog.flush();
    const errors = lines.filter((l) => l.level >= 50).map((l) => `${l.msg}: ${l.err?.code ?? ''} ${l.err?.message ?? ''}`);
    expect(errors).toEqual([]);
    expect(lines.some((l) => /ERR_HTTP_HEADERS_SENT|already sent/i.test(JSON.stringify(l)))).toBe(false);
    const logged500 = await h.db.em().find(HttpLogEntry, { direction: 'in', status: { $gte: 500 } });
    expect(logged500.map((e) => `${e.method} ${e.url}: ${e.status}`)).toEqual([]);
    const metrics = await http(h.url, 'GET', '/metrics');
    const fiveHundreds = metrics.text
      .split('\n')
      .filter((l) => /status_code="5\d\d"/.test(l))
      .filter((l) => !(/status_code="503"/.test(l) && /route="(\/readyz|\/admin[^"]*)"/.test(l)));
    expect(fiveHundreds).toEqual([]);
    expect(answers.length).toBeGreaterThan(200);
  });
});
