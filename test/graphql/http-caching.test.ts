// HTTP caching for a CDN in front: anonymous catalogue answers are public with an ETag (304 when
// it still matches), and nothing personal, written or authenticated is ever marked cacheable.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, person, type Harness } from '../support/harness.js';
import { generatedData } from '../../src/simulators/maconomy.js';

const LISTING = 'query Listing { courses(first: 5) { totalCount edges { node { id title seatsAvailable } } } }';
const RESERVE = 'mutation Reserve($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id } } }';
const CHECKOUT = 'mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }';
const ORDER = 'query Order($id: ID!, $token: String!) { order(id: $id, token: $token) { id booker { email } participants { email } } }';

const json = (r: Response): Promise<any> => r.json();
const CREDENTIALS: Record<string, string>[] = [{ authorization: 'Bearer editor-secret-1' }, { cookie: 'kursus_session=x' }];

describe.each(testDatabaseKinds())('HTTP caching on %s', (kind) => {
  let h: Harness;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    h = await startHarness(kind, { simData: generatedData(30) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('marks an anonymous listing public with an ETag, answers 304 while it matches, and a new ETag once a hold changed the seats', async () => {
    const first = await post({ query: LISTING });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=10');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const listing = await json(first);

    // The same answer from the catalogue cache has the same ETag; If-None-Match gets 304 and no body.
    const again = await post({ query: LISTING });
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(again.headers.get('etag')).toBe(etag);
    const notModified = await post({ query: LISTING }, { 'if-none-match': etag! });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');

    // A hold changes seatsAvailable: the next read is a new answer with a new ETag.
    const courseId = listing.data.courses.edges[0].node.id;
    const held = await post({ query: RESERVE, variables: { input: { courseId, seats: 2 } } });
    expect(held.headers.get('cache-control')).toBe('no-store');
    expect(held.headers.get('etag')).toBeNull();
    const after = await post({ query: LISTING }, { 'if-none-match': etag! });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const seats = (await json(after)).data.courses.edges[0].node.seatsAvailable;
    expect(seats).toBe(listing.data.courses.edges[0].node.seatsAvailable - 2);
  });

  it('serves a listing over GET with the same headers (what a CDN caches)', async () => {
    const res = await fetch(`${h.url}/graphql?query=${encodeURIComponent(LISTING)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^public, /);
    const etag = res.headers.get('etag')!;
    const again = await fetch(`${h.url}/graphql?query=${encodeURIComponent(LISTING)}`, { headers: { 'apollo-require-preflight': 'true', 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // Without Apollo's CSRF header a GET is still refused, cached answer or not.
    const refused = await fetch(`${h.url}/graphql?query=${encodeURIComponent(LISTING)}`);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('etag')).toBeNull();
  });

  it('never marks orders, authenticated reads or errors cacheable', async () => {
    const courseId = (await json(await post({ query: LISTING }))).data.courses.edges[1].node.id;
    const held = await json(await post({ query: RESERVE, variables: { input: { courseId, seats: 1 } } }));
    const { orderToken, order } = held.data.reserveSeats;
    const placed = await post({ query: CHECKOUT, variables: { input: { orderId: order.id, orderToken, booker: person(0), participants: [person(1)] } } });
    expect(placed.headers.get('cache-control')).toBe('no-store');

    // The order with its booker's and participants' e-mail addresses: personal data.
    const read = await post({ query: ORDER, variables: { id: order.id, token: orderToken } });
    expect((await json(read)).data.order.participants).toHaveLength(1);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.headers.get('etag')).toBeNull();

    // An editor's listing, and a listing sent with a cookie (a back-office session), are theirs only.
    for (const headers of CREDENTIALS) {
      const res = await post({ query: LISTING }, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('etag')).toBeNull();
    }

    // An error answer.
    const bad = await post({ query: 'query Bad { courses(first: 5, after: "not-a-cursor") { totalCount } }' });
    expect((await json(bad)).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.headers.get('cache-control')).toBe('no-store');
    expect(bad.headers.get('etag')).toBeNull();
  });
});
