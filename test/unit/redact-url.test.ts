// The one URL redactor (src/connectors/http-log/redact.ts redactUrl): what it hides and what it keeps.
import { redactUrl } from '../../src/connectors/http-log/redact.js';

describe('redactUrl', () => {
  it.each([
    ['/graphql?query=%7B%20order(id%3A%20%22o-1%22%2C%20token%3A%20%22secret-tok%22)%20%7B%20id%20%7D%20%7D', ['secret-tok'], ['o-1', 'order']],
    [`/graphql?query=${encodeURIComponent('query O($id: ID!, $token: String!) { order(id: $id, token: $token) { id } }')}&variables=${encodeURIComponent('{"id":"o-2","token":"tok-in-variables","input":{"email":"a@b.dk"}}')}`, ['tok-in-variables', 'a@b.dk'], ['o-2', 'order']],
    ['/public/product/price/list/u/p/0/10?q=anne%40example.dk&orderBy=price', ['anne@example.dk', 'anne%40example.dk'], ['orderBy=price']],
    ['/public/product/price/list/u/p/0/10?q=Anne+Holm', ['Anne'], ['/public/product/price/list/u/p/0/10']],
    ['/api/connectors/jubelio/webhooks/very-secret-path-value', ['very-secret-path-value'], ['/api/connectors/jubelio/webhooks/']],
    ['/api/x?token=t1&orderToken=t2&key=t3&secret=t4&password=t5&signature=t6&email=t7&apiKey=t8', ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'], ['/api/x']],
    ['https://user:pass@upstream.example/x?id=7', ['user:pass', 'pass@'], ['https://upstream.example/x?id=7']],
    ['/api/connectors/x/anne@example.dk/orders', ['anne@example.dk'], ['/api/connectors/x/']],
  ])('%s', (url, hidden, kept) => {
    const out = redactUrl(url);
    for (const h of hidden) expect(out).not.toContain(h);
    for (const k of kept) expect(out).toContain(k);
  });

  it('keeps ordinary URLs as they are and bounds what comes out', () => {
    expect(redactUrl('/public/product/price/list/u/p/0/10?orderBy=-price')).toBe('/public/product/price/list/u/p/0/10?orderBy=-price');
    expect(redactUrl(`/x?a=${'b'.repeat(100_000)}`).length).toBeLessThanOrEqual(2000);
    expect(redactUrl(`/graphql?query=${'a'.repeat(50_000)}`).length).toBeLessThanOrEqual(2000);
  });
});
