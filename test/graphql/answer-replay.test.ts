// Repeats of a cached anonymous catalogue answer are replayed in front of Fastify
// (src/http/answer-replay.ts): the same bytes and headers the app sent, each with its own request
// id, request line and metrics; never across a change, a credential, another Origin, or its expiry.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { generatedData } from '../../src/simulators/maconomy.js';
import { logSink } from '../support/log-sink.js';

const LISTING = 'query Listing { courses(first: 5) { totalCount edges { node { id title seatsAvailable } } } }';
// The same length in bytes as LISTING, a different answer: read whole by the replay, then answered by the app.
const LISTING_4 = LISTING.replace('first: 5', 'first: 4');
const RESERVE = 'mutation Reserve($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id } } }';
const SHOP = 'https://shop.example';
const TTL_MS = 1500;

// Headers a replay sets per request (and Node per response); every other header must be the app's.
const PER_REQUEST = new Set(['date', 'x-request-id', 'x-cache', 'keep-alive', 'connection']);
const json = (r: Response): Promise<any> => r.json();
const headersOf = (r: Response) => Object.fromEntries([...r.headers].filter(([name]) => !PER_REQUEST.has(name)));

describe.each(testDatabaseKinds())('cached answers replayed in front of Fastify on %s', (kind) => {
  let h: Harness;
  const log = logSink();
  const post = (body: string, headers: Record<string, string> = {}) => fetch(`${h.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(10_000) });
  const listing = JSON.stringify({ query: LISTING });
  const replayed = async () => (await h.kursus.metrics.answersReplayed.get()).values[0]?.value ?? 0;
  // Fresh answers: the cache entries of earlier tests gone.
  const reset = async () => {
    await new Promise((r) => setTimeout(r, TTL_MS + 100));
  };

  beforeAll(async () => {
    expect(Buffer.byteLength(JSON.stringify({ query: LISTING_4 }))).toBe(Buffer.byteLength(listing));
    h = await startHarness(kind, { simData: generatedData(30), env: { LOG_LEVEL: 'info', CORS_ORIGINS: SHOP, CATALOG_CACHE_MS: String(TTL_MS) }, build: { logger: { stream: log.stream } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a repeat with the bytes and headers the app sent, its own request id, request line and metrics', async () => {
    const first = await post(listing);
    expect(first.headers.get('x-cache')).toBe('miss');
    const text = await first.text();
    const before = await replayed();
    const hitsBefore = (await h.kursus.metrics.catalogCache.get()).values.find((v) => v.labels.result === 'hit')?.value ?? 0;

    const again = await post(listing, { 'x-request-id': 'replayed-0001' });
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(text);
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(again.headers.get('x-request-id')).toBe('replayed-0001');
    expect(headersOf(again)).toEqual(headersOf(first));
    expect(headersOf(again)).toMatchObject({ 'cache-control': expect.stringMatching(/^public, /), etag: first.headers.get('etag'), 'content-security-policy': expect.any(String), 'x-content-type-options': 'nosniff' });
    expect(await replayed()).toBe(before + 1);
    expect((await h.kursus.metrics.catalogCache.get()).values.find((v) => v.labels.result === 'hit')?.value).toBe(hitsBefore + 1);

    // A caller's unsafe id is replaced, as Fastify's genReqId does.
    const unsafe = await post(listing, { 'x-request-id': 'no spaces allowed' });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await replayed()).toBe(before + 2);

    await new Promise((r) => setTimeout(r, 50)); // the log destination writes once per event-loop turn
    const line = log.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.requestId === 'replayed-0001');
    expect(line).toMatchObject({ level: 30, reqId: 'replayed-0001', method: 'POST', url: '/graphql', statusCode: 200, msg: expect.stringMatching(/^POST \/graphql 200 [\d.]+ ms$/) });
    const durations = (await h.kursus.metrics.httpDuration.get()).values.find((v) => v.metricName?.endsWith('_count') && v.labels.route === '/graphql' && v.labels.status_code === '200');
    expect(durations?.value).toBeGreaterThanOrEqual(3);
  });

  it('never replays across a change: the next listing after a hold shows it', async () => {
    await reset();
    const first = await json(await post(listing));
    expect((await json(await post(listing))).data).toEqual(first.data);
    const node = first.data.courses.edges[0].node;
    const held = await post(JSON.stringify({ query: RESERVE, variables: { input: { courseId: node.id, seats: 2 } } }));
    expect((await json(held)).data.reserveSeats.orderToken).toEqual(expect.any(String));
    const before = await replayed();
    const after = await post(listing);
    expect(after.headers.get('x-cache')).toBe('miss');
    expect((await json(after)).data.courses.edges[0].node.seatsAvailable).toBe(node.seatsAvailable - 2);
    expect(await replayed()).toBe(before);
  });

  it('leaves credentials, another Origin and If-None-Match to the app', async () => {
    await reset();
    await post(listing);
    await post(listing);
    const before = await replayed();
    // An editor may see more than the public: answered by the app (not from any cache).
    const editor = await post(listing, { authorization: 'Bearer editor-secret-1' });
    expect(editor.headers.get('x-cache')).toBeNull();
    expect(editor.headers.get('cache-control')).toBe('no-store');
    const session = await post(listing, { cookie: 'kursus_session=x' });
    expect(session.headers.get('cache-control')).toBe('no-store');
    // A browser on the shop's origin gets CORS headers the recorded answer (no Origin) did not have.
    const cors = await post(listing, { origin: SHOP });
    expect(cors.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(cors.headers.get('x-cache')).toBe('hit');
    const plain = await post(listing);
    const notModified = await post(listing, { 'if-none-match': plain.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    // Only the plain repeat was replayed.
    expect(await replayed()).toBe(before + 1);
  });

  it('hands a body it read but has no answer for to the app whole', async () => {
    await reset();
    await post(listing);
    const before = await replayed();
    const four = await post(JSON.stringify({ query: LISTING_4 }));
    expect(four.status).toBe(200);
    expect((await json(four)).data.courses.edges).toHaveLength(4);
    // Not JSON, of the same length: the app's own 400.
    const broken = await post(`${listing.slice(0, -1)}]`);
    expect(broken.status).toBe(400);
    expect(await replayed()).toBe(before);
  });

  it('stops replaying when CATALOG_CACHE_MS has run out', async () => {
    await reset();
    await post(listing);
    const before = await replayed();
    await new Promise((r) => setTimeout(r, TTL_MS + 100));
    const expired = await post(listing);
    expect(expired.headers.get('x-cache')).toBe('miss');
    expect(await replayed()).toBe(before);
  });
});
