// Redaction of the request/response log: no credential and no personal data survives, whatever
// shape the body has, and truncation never reveals what redaction hid.
import { markSecretHeader, redactBody, redactHeaders, redactUrl } from '../../src/connectors/http-log/redact.js';

const SECRETS = ['hunter2-password', 'kct_abcdefghijklmnop', 'sk_live_123456', 'sig-abcdef', 'bl-token-999', 'Ola Nordmann', 'ola@example.no', '+45 12 34 56 78', 'Strandvejen 12', '2900', '3201234567890001'];

const expectClean = (s: string | null) => {
  expect(s).not.toBeNull();
  for (const secret of SECRETS) expect(s).not.toContain(secret);
};

describe('request/response log redaction', () => {
  test('JSON bodies: credentials and personal fields at any depth', () => {
    const body = {
      email: 'ola@example.no',
      password: 'hunter2-password',
      token: 'kct_abcdefghijklmnop',
      nested: { apiKey: 'sk_live_123456', customer: { name: 'Ola Nordmann', phone: '+45 12 34 56 78', address: 'Strandvejen 12', postcode: '2900' } },
      items: [{ delivery_fullname: 'Ola Nordmann', customer_email: 'ola@example.no', sku: 'SKU-1', qty: 2 }],
      Data: { NIK: '3201234567890001', Status: 'ok' },
      note: 'call ola@example.no tomorrow',
      createdByName: 'Ola Nordmann',
      price: '25000',
    };
    const out = redactBody(body, 'application/json', 10_000);
    expectClean(out);
    const parsed = JSON.parse(out!);
    expect(parsed.items[0]).toMatchObject({ sku: 'SKU-1', qty: 2, delivery_fullname: '[redacted]' });
    expect(parsed.price).toBe('25000');
    expect(parsed.Data.Status).toBe('ok');
    expect(parsed.note).toBe('call [redacted-email] tomorrow');
    // Same result from the raw text.
    expect(redactBody(JSON.stringify(body), 'application/json; charset=utf-8', 10_000)).toBe(out);
  });

  test('form bodies, including JSON inside a field (BaseLinker style)', () => {
    const form = new URLSearchParams({ token: 'bl-token-999', method: 'getOrders', parameters: JSON.stringify({ email: 'ola@example.no', status_id: 5, delivery_address: 'Strandvejen 12' }) });
    const out = redactBody(form.toString(), 'application/x-www-form-urlencoded', 10_000);
    expectClean(out);
    const back = new URLSearchParams(out!);
    expect(back.get('method')).toBe('getOrders');
    expect(JSON.parse(back.get('parameters')!)).toMatchObject({ status_id: 5, email: '[redacted]' });
  });

  test('e-mail addresses are found beside long runs of letters, several @ and cut local parts', () => {
    const run = 'x'.repeat(100_000);
    expect(redactBody(`${run} ola@example.no ${run}`, 'text/plain', 1_000_000)).toBe(`${run} [redacted-email] ${run}`);
    expect(redactBody(`${run}@example.no`, 'text/plain', 1_000_000)).toBe(`${'x'.repeat(100_000 - 64)}[redacted-email]`);
    expect(redactBody('a@b.cc.d@e.ff @@ x@y @z.com mail:ola@example.no.', 'text/plain', 1000)).toBe('[redacted-email][redacted-email] @@ x@y @z.com mail:[redacted-email].');
    expect(redactBody(JSON.stringify({ Image: 'data:image/jpeg;base64,AAAA', ResourceId: '321231990', photo: 'p' }), 'application/json', 1000)).toBe('{"Image":"[redacted]","ResourceId":"[redacted]","photo":"[redacted]"}');
  });

  test('free text: e-mails, bearer credentials and JWTs', () => {
    const out = redactBody('error for ola@example.no with Bearer kct_abcdefghijklmnop and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'text/plain', 10_000);
    expectClean(out);
    expect(out).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });

  test('truncation comes after redaction and says how much was cut', () => {
    const big = { password: 'hunter2-password', rows: Array.from({ length: 500 }, (_, i) => ({ i, email: 'ola@example.no' })) };
    const out = redactBody(big, 'application/json', 300)!;
    expectClean(out);
    expect(Buffer.byteLength(out.split('…')[0]!)).toBeLessThanOrEqual(300);
    expect(out).toMatch(/…\[truncated, \d+ bytes\]$/);
    // A password cut in half is not possible: the key was redacted before the cut.
    const cut = redactBody({ pad: 'x'.repeat(290), password: 'hunter2-password' }, 'application/json', 305)!;
    expect(cut).not.toContain('hunter2');
  });

  test('binary and unreadable bodies are described, not stored', () => {
    expect(redactBody(Buffer.from([0, 1, 2, 3]), 'application/octet-stream', 1000)).toBe('[binary body, 4 bytes]');
    expect(redactBody(null, 'application/json', 1000)).toBeNull();
  });

  test('headers: authorization, cookies, API keys and signatures', () => {
    const out = redactHeaders({
      Authorization: 'Bearer kct_abcdefghijklmnop',
      cookie: 'sid=1',
      'X-BLToken': 'bl-token-999',
      'x-api-key': 'sk_live_123456',
      Sign: 'sig-abcdef',
      'x-jubelio-signature': 'sig-abcdef',
      'webhook-signature': 'v1,sig-abcdef',
      'content-type': 'application/json',
      'x-request-id': 'abc-123-def',
    });
    expectClean(JSON.stringify(out));
    expect(out['content-type']).toBe('application/json');
    expect(out['x-request-id']).toBe('abc-123-def');
    expect(out.authorization).toBe('[redacted]');
  });

  test('headers: every name of the default list, and auth header names configured at run time', () => {
    const defaults = ['Authorization', 'Cookie', 'X-Api-Key', 'Ocp-Apim-Subscription-Key', 'X-Auth', 'X-Auth-Token', 'X-Access-Token', 'Api-Key', 'ApiKey', 'X-Webhook-Secret'];
    const out = redactHeaders(Object.fromEntries(defaults.map((name, i) => [name, `secret-value-${i}`])));
    for (const name of defaults) expect(out[name.toLowerCase()]).toBe('[redacted]');
    // A name nothing would guess: redacted once a client declares it (a Request Out route's auth header).
    expect(redactHeaders({ 'X-Tenant-Pass-Phrase2': 'tenant-secret-1' })['x-tenant-pass-phrase2']).toBe('tenant-secret-1');
    markSecretHeader('X-Tenant-Pass-Phrase2');
    expect(redactHeaders({ 'x-tenant-pass-phrase2': 'tenant-secret-1' })['x-tenant-pass-phrase2']).toBe('[redacted]');
    expect(redactHeaders({ accept: 'application/json', 'x-request-id': 'r-1' })).toEqual({ accept: 'application/json', 'x-request-id': 'r-1' });
  });

  test('URLs: secret and personal query parameters, user info and e-mails in paths', () => {
    const out = redactUrl('https://user:hunter2-password@api.example.com/customers/ola@example.no?api_key=sk_live_123456&email=ola@example.no&page=2');
    expectClean(out);
    expect(out).toContain('page=2');
    expect(out).toContain('api.example.com');
    // q is free text people search with (names, e-mail addresses): never kept (issue 18.4).
    expect(redactUrl('/public/product/price/list/abc?q=25000&token=kct_abcdefghijklmnop')).toBe('/public/product/price/list/abc?q=%5Bredacted%5D&token=%5Bredacted%5D');
  });
});
