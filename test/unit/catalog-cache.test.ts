// The catalogue response cache's single flight (src/http/catalog-cache.ts), with a fake clock:
// concurrent misses of one key share the first one's answer, never across an invalidation, and a
// first request that never finishes stops holding the others up after joinWaitMs.
import { cacheKey, createCatalogCache, mutationDidSomething } from '../../src/http/catalog-cache.js';

const k = cacheKey('query Catalogue { courses(first: 20) { totalCount } }', 'Catalogue', '{}');
const other = cacheKey('query Catalogue { courses(first: 20) { totalCount } }', 'Catalogue', '{"first":40}');

describe('catalogue cache: one computation per listing at a time', () => {
  let t = 0;
  const cache = () => createCatalogCache({ ttlMs: 5_000, joinWaitMs: 2_000, now: () => t });
  beforeEach(() => {
    t = 0;
  });

  it('hands the first request the computation and the others its answer', async () => {
    const c = cache();
    const since = c.generation();
    expect(c.join(k)).toBeUndefined(); // the first one computes
    const waiting = [c.join(k), c.join(k)];
    expect(waiting.every((w) => w instanceof Promise)).toBe(true);
    expect(c.join(other)).toBeUndefined(); // other keys are independent
    c.set(k, Buffer.from('{"data":1}'), since);
    c.settle(k, since, Buffer.from('{"data":1}'));
    for (const body of await Promise.all(waiting)) expect(body?.toString()).toBe('{"data":1}');
    expect(c.get(k)?.toString()).toBe('{"data":1}');
    expect(c.join(k)).toBeUndefined(); // finished: the next miss computes again
  });

  it('tells the others to compute their own when the first one fails', async () => {
    const c = cache();
    const since = c.generation();
    c.join(k);
    const waiting = c.join(k)!;
    c.settle(k, since, undefined);
    expect(await waiting).toBeUndefined();
  });

  it('shares nothing across an invalidation', async () => {
    const c = cache();
    const since = c.generation();
    c.join(k);
    const before = c.join(k)!;
    c.invalidate(); // a change while the answer was computed
    expect(await before).toBeUndefined();
    expect(c.join(k)).toBeUndefined(); // a request after the change computes afresh
    const after = c.join(k)!;
    c.settle(k, since, Buffer.from('{"data":"old"}')); // the old computation ends: it is not handed out
    c.set(k, Buffer.from('{"data":"old"}'), since);
    expect(c.get(k)).toBeUndefined();
    c.settle(k, c.generation(), Buffer.from('{"data":"new"}'));
    expect((await after)?.toString()).toBe('{"data":"new"}');
  });

  it('stops waiting on a first request that never finished, after joinWaitMs', async () => {
    const c = cache();
    c.join(k); // its client went away; nothing ever settles it
    const stuck = c.join(k)!;
    t += 2_000;
    expect(c.join(k)).toBeUndefined(); // this one computes instead
    expect(await stuck).toBeUndefined(); // and the old waiters are released
  });

  it('does nothing with the cache off', () => {
    const c = createCatalogCache({ ttlMs: 0 });
    expect(c.join(k)).toBeUndefined();
    expect(c.join(k)).toBeUndefined();
  });

  it('keeps answers apart by operation name and variables under one query text, and stays bounded', () => {
    const c = createCatalogCache({ ttlMs: 5_000, maxEntries: 2, now: () => t });
    const query = 'query Catalogue($after: String) { courses(first: 20, after: $after) { totalCount } }';
    const page = (after: string) => cacheKey(query, 'Catalogue', JSON.stringify({ after }));
    c.set(page('a'), Buffer.from('{"data":"a"}'), c.generation());
    c.set(page('b'), Buffer.from('{"data":"b"}'), c.generation());
    expect(c.get(page('a'))?.toString()).toBe('{"data":"a"}');
    expect(c.get(page('b'))?.toString()).toBe('{"data":"b"}');
    expect(c.get(cacheKey(query, 'Other', JSON.stringify({ after: 'a' })))).toBeUndefined();
    expect(c.size()).toBe(2);
    c.set(cacheKey('query Other { courses(first: 1) { totalCount } }', undefined, 'null'), Buffer.from('{"data":"x"}'), c.generation());
    expect(c.size()).toBeLessThanOrEqual(2);
    t += 5_000; // expired answers are not handed out
    expect(c.get(cacheKey('query Other { courses(first: 1) { totalCount } }', undefined, 'null'))).toBeUndefined();
  });
});

describe('catalogue cache: which mutation answers empty it', () => {
  it('empties it after a mutation that answered data, and not after one refused or empty', () => {
    const did = (payload: string, status = 200) => mutationDidSomething(status, payload);
    expect(did('{"data":{"reserveSeats":{"orderToken":"t","order":{"id":"o"}}}}')).toBe(true);
    expect(did('{"data":{"held":[{"id":"o"}]}}')).toBe(true);
    expect(did('{"data":{"cancelReservation":true}}')).toBe(true);
    expect(did('{"data":{"__typename":"Mutation","checkout":{"id":"o"}}}')).toBe(true);
    expect(did('{"data":{"__typename":"Mutation"}}')).toBe(false);
    expect(did('{"data":{"reserveSeats":null},"errors":[{"message":"sold out"}]}')).toBe(false);
    expect(did('{"data":null,"errors":[{"message":"no"}]}')).toBe(false);
    expect(did('{"errors":[{"message":"bad input"}]}', 400)).toBe(false);
    expect(did('{"data":{"reserveSeats":{"orderToken":"t"}}}', 429)).toBe(false);
  });
});
