// How a GraphQL request reaches Apollo (src/graphql/server.ts, toHTTPGraphQLRequest): a POST's
// operation is its JSON body, whatever its URL's query string says; a GET's is its query string
// (query, operationName, variables), and a GET may only read.
import { testDatabaseKinds } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { generatedData } from '../../src/simulators/maconomy.js';

const TWO_OPERATIONS = 'query Count { courses(first: 1) { totalCount } } query Titles($first: Int!) { courses(first: $first) { edges { node { title } } } }';

describe.each(testDatabaseKinds())('GraphQL over HTTP on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { simData: generatedData(5) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers a POST from its body, not from its URL's query string", async () => {
    const search = new URLSearchParams({ query: '{ nonsense }', operationName: 'Nope' });
    const res = await fetch(`${h.url}/graphql?${search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: TWO_OPERATIONS, operationName: 'Count' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { courses: { totalCount: 5 } } });
  });

  it('answers a GET from its query string: the operation by name, with its variables', async () => {
    const search = new URLSearchParams({ query: TWO_OPERATIONS, operationName: 'Titles', variables: JSON.stringify({ first: 2 }) });
    const res = await fetch(`${h.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { courses: { edges: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.courses.edges).toHaveLength(2);
  });

  it('refuses a mutation sent by GET (405, Allow: POST)', async () => {
    const search = new URLSearchParams({ query: 'mutation { cancelReservation(input: { orderId: "x", orderToken: "y" }) { order { id } } }' });
    const res = await fetch(`${h.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
