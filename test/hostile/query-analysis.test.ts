// Small documents that expand to huge work: a chain of fragments each spreading the next one twice
// (2^60 fields from 2.5 KB), long fragment chains, aliases by the thousand, deeply nested variables.
// Each must be refused with a 400 and a message in milliseconds, and the process must keep serving
// /healthz while such a request is in flight.
import { parse } from 'graphql';
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { shapeOfDocument } from '../../src/graphql/limits.js';
import { post, rowCounts } from './support.js';
import { STILL_RESPONSIVE_MS, until } from '../support/wait.js';
import { ensureBuilt, freePort, startKursusProcess, type KursusProcess } from '../faults/processes.js';

/** `{ ...F0 } fragment F0 { ...F1 ...F1 } ... fragment F<levels> { __typename }` */
export function fragmentFanOut(levels: number, operation: 'query' | 'mutation' = 'query', leaf = '__typename'): string {
  const type = operation === 'query' ? 'Query' : 'Mutation';
  const parts = [`${operation} { ...F0 }`];
  for (let i = 0; i < levels; i++) parts.push(`fragment F${i} on ${type} { ...F${i + 1} ...F${i + 1} }`);
  parts.push(`fragment F${levels} on ${type} { ${leaf} }`);
  return parts.join('\n');
}

describe('query shape analysis', () => {
  it('measures a 60-level fragment fan-out without expanding it, saturating the field count', () => {
    const shapes = shapeOfDocument(parse(fragmentFanOut(60)));
    const shape = [...shapes.values()][0]!;
    expect(shape.depth).toBe(0); // __typename is exempt from depth
    expect(shape.fields).toBe(1_000_000_000); // 2^60 saturates
  });

  it('counts aliases, spreads and nesting exactly on small documents', () => {
    const doc = parse(`
      fragment C on Course { id title days { date } }
      query Q { a: courses(first: 1) { totalCount } b: courses(first: 1) { edges { node { ...C ...C } } } }`);
    // a(1) + totalCount(1) + b(1) + edges(1) + node(1) + 2 x (id, title, days, date = 4)
    expect(shapeOfDocument(doc).get("Q")).toEqual({ depth: 5, fields: 13 });
  });
});

// The API runs as its own process, as in production: /healthz is then timed against the server's
// event loop alone, not against this test process's own garbage collection and string building.
describe.each(testDatabaseKinds())('hostile query shapes on %s', (kind) => {
  let h: Harness;
  let api: KursusProcess;
  let apiUrl: string;
  let url: string;
  beforeAll(async () => {
    ensureBuilt();
    h = await startHarness(kind);
    const port = await freePort();
    api = startKursusProcess('api', {
      DATABASE_URL: h.config.database.url,
      MACONOMY_URL: h.sim.url,
      MACONOMY_TOKEN: 'demo-maconomy-token',
      VAR_DIR: `/tmp/kursus-hostile-var-${process.pid}`,
      RATE_LIMIT_ANONYMOUS_QUERIES_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      PORT: String(port),
    });
    apiUrl = `http://127.0.0.1:${port}`;
    url = `${apiUrl}/graphql`;
    await until('API process listening', async () => fetch(`${apiUrl}/healthz`).then((x) => x.ok, () => false), 60_000);
  }, 180_000);
  afterAll(async () => {
    api?.child.kill('SIGTERM');
    // A process stuck in a hostile document does not answer SIGTERM.
    setTimeout(() => api?.child.kill('SIGKILL'), 5_000).unref();
    await api?.exited;
    await h?.close();
  });

  /** Sends `body`, and meanwhile polls /healthz; returns the answer and the slowest health answer. */
  async function whileHealthPolled(body: string | object) {
    let slowest = 0;
    let done = false;
    const poll = (async () => {
      while (!done) {
        const t0 = performance.now();
        const res = await fetch(`${apiUrl}/healthz`);
        await res.arrayBuffer();
        slowest = Math.max(slowest, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      return { answer: await post(url, body), slowest: () => slowest };
    } finally {
      done = true;
      await poll;
    }
  }

  const cases: { name: string; body: () => string | object; message: RegExp }[] = [
    { name: '60-level fragment fan-out (query)', body: () => ({ query: fragmentFanOut(60) }), message: /fields once aliases and fragments are expanded/ },
    { name: '60-level fragment fan-out of a cheap field', body: () => ({ query: fragmentFanOut(60, 'query', 'courses(first: 1) { totalCount }') }), message: /fields once aliases and fragments are expanded/ },
    {
      name: '60-level fragment fan-out (mutation)',
      body: () => ({ query: fragmentFanOut(60, 'mutation', 'cancelReservation(input: {orderId: "x", orderToken: "y"}) { order { id } }') }),
      message: /fields once aliases and fragments are expanded/,
    },
    { name: '2,400 aliases of a cheap field', body: () => ({ query: `{ ${Array.from({ length: 2400 }, (_, i) => `a${i}: courses(first: 1) { totalCount }`).join(' ')} }` }), message: /tokens|fields/ },
    {
      name: 'a chain of 3,000 fragments',
      body: () => ({ query: ['{ ...F0 }', ...Array.from({ length: 3000 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`), 'fragment F3000 on Query { __typename }'].join('\n') }),
      message: /token/,
    },
    // Valid GraphQL (identical fields merge), but past graphql-js's budget for checking that they do.
    { name: '900 selections of one field', body: () => ({ query: `{ ${Array.from({ length: 900 }, () => '__typename').join(' ')} }` }), message: /too complex to check: it selects the same field/ },
    { name: 'variables nested 5,000 levels deep', body: () => `{"query":"query($f: CourseFilter) { courses(filter: $f) { totalCount } }","variables":{"f":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`, message: /./ },
  ];

  it.each(cases)('$name: 400 with a message, nothing written, /healthz stays fast', async ({ body, message }) => {
    const before = await rowCounts(h.db);
    const { answer, slowest } = await whileHealthPolled(body());
    expect(answer.status).toBe(400);
    const text = answer.json?.errors?.[0]?.message ?? answer.json?.message ?? answer.text;
    expect(text).toMatch(message);
    expect(slowest()).toBeLessThan(STILL_RESPONSIVE_MS);
    expect(await rowCounts(h.db)).toEqual(before);
  });

  it('still answers ordinary documents with fragments', async () => {
    const answer = await post(url, { query: 'fragment C on Course { id title } { courses(first: 2) { edges { node { ...C ...C } } } }' });
    expect(answer.status).toBe(200);
    expect(answer.json.data.courses.edges).toHaveLength(2);
  });
});
