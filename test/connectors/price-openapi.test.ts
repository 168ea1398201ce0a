// The API documentation: an OpenAPI 3.1 document generated from the route schemas at /docs/json
// that describes every connector endpoint as it really answers, and a Swagger UI at /docs whose
// every asset is served locally (no CDN, no online validator).
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { startHarness, type Harness } from '../support/harness.js';
import { DEMO_PRODUCTS, DEMO_SHOPS } from '../../src/connectors/product-price/demo.js';
import { DEMO_USER, http, loginDemo } from './connector-helpers.js';

describe('API documentation (OpenAPI + Swagger UI)', () => {
  let h: Harness;
  let spec: any;

  beforeAll(async () => {
    h = await startHarness('sqlite', { worker: true });
    const r = await http(h.url, 'GET', '/docs/json');
    expect(r.status).toBe(200);
    spec = r.json;
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the document is OpenAPI 3.1 and lists every documented endpoint with its method', () => {
    expect(spec.openapi).toBe('3.1.0');
    const expected: [string, string][] = [
      ['/public/auth/login', 'post'],
      ['/public/product/price/list/{id_user}/{id_product}/{offsite}/{limit}', 'get'],
      ['/public/product/price/create/{id_user}/{id_product}', 'post'],
      ['/public/product/price/update/{id_user}/{id_product}/{id_price}', 'post'],
      ['/public/product/price/details/{id_user}/{id_product}/{id_price}', 'post'],
      ['/public/product/price/delete/{id_user}/{id_product}/{id_price}', 'delete'],
      ['/public/product/price/current/{id_user}/{id_product}', 'get'],
      ['/public/shop/list/{id_user}/{offsite}/{limit}', 'get'],
      ['/public/product/list/{id_user}/{offsite}/{limit}', 'get'],
      ['/api/request-out', 'post'],
      ['/api/admin/request-out/routes', 'post'],
      ['/api/admin/http-log', 'get'],
      ['/api/admin/connector-users', 'post'],
    ];
    for (const [path, method] of expected) expect(`${method} ${path}: ${!!spec.paths[path]?.[method]}`).toBe(`${method} ${path}: true`);
    expect(Object.keys(spec.paths).some((p) => p.startsWith('/graphql'))).toBe(false);
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.paths['/api/request-out'].post.security).toEqual([{ bearerAuth: [] }]);
  });

  test('live answers validate against the response schemas published in the document', async () => {
    const ajv = new Ajv({ strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const schemaOf = (path: string, method: string, status: number) => spec.paths[path][method].responses[String(status)].content['application/json'].schema;
    const check = (path: string, method: string, r: { status: number; json: unknown; text: string }) => {
      const validate = ajv.compile(schemaOf(path, method, r.status));
      if (!validate(r.json)) throw new Error(`${method} ${path} ${r.status}: ${JSON.stringify(validate.errors)} for ${r.text}`);
    };
    const login = await http(h.url, 'POST', '/public/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
    check('/public/auth/login', 'post', login);
    const token = await loginDemo(h.url);
    const U = DEMO_USER.id;
    const P = DEMO_PRODUCTS[1].id;
    const created = await http(h.url, 'POST', `/public/product/price/create/${U}/${P}`, { token, body: { price: 25000, shop: DEMO_SHOPS[0].id, startDate: '2022-10-08 00:00:00', endDate: '2022-10-08 23:59:00' } });
    check('/public/product/price/create/{id_user}/{id_product}', 'post', created);
    const id = created.json.data.id;
    check('/public/product/price/list/{id_user}/{id_product}/{offsite}/{limit}', 'get', await http(h.url, 'GET', `/public/product/price/list/${U}/${P}/0/10`, { token }));
    check('/public/product/price/details/{id_user}/{id_product}/{id_price}', 'post', await http(h.url, 'POST', `/public/product/price/details/${U}/${P}/${id}`, { token }));
    check('/public/product/price/update/{id_user}/{id_product}/{id_price}', 'post', await http(h.url, 'POST', `/public/product/price/update/${U}/${P}/${id}`, { token, body: { price: 25500, shop: DEMO_SHOPS[1].id, startDate: '2022-10-08 00:00:00', endDate: '2022-10-08 23:59:00' } }));
    check('/public/product/price/current/{id_user}/{id_product}', 'get', await http(h.url, 'GET', `/public/product/price/current/${U}/${P}?shop=${DEMO_SHOPS[1].id}&at=2022-10-08%2012:00:00`, { token }));
    check('/public/product/price/delete/{id_user}/{id_product}/{id_price}', 'delete', await http(h.url, 'DELETE', `/public/product/price/delete/${U}/${P}/${id}`, { token }));
    check('/public/product/price/details/{id_user}/{id_product}/{id_price}', 'post', await http(h.url, 'POST', `/public/product/price/details/${U}/${P}/${id}`, { token }));
    check('/public/shop/list/{id_user}/{offsite}/{limit}', 'get', await http(h.url, 'GET', `/public/shop/list/${U}/0/10`, { token }));
    check('/public/product/list/{id_user}/{offsite}/{limit}', 'get', await http(h.url, 'GET', `/public/product/list/${U}/0/10`, { token }));
    check('/public/product/list/{id_user}/{offsite}/{limit}', 'get', await http(h.url, 'GET', `/public/product/list/${U}/0/10`));
    const ro = { TicketId: `docs-${Date.now()}`, Subject: 'digitalid', SubjectType: 'enrollment', SubjectIdentifier: 'ektp' };
    check('/api/request-out', 'post', await http(h.url, 'POST', '/api/request-out', { token, body: ro }));
    check('/api/request-out', 'post', await http(h.url, 'POST', '/api/request-out', { token, body: { ...ro, TicketId: '' } }));
    check('/api/request-out', 'post', await http(h.url, 'POST', '/api/request-out', { body: ro }));
    check('/api/admin/http-log', 'get', await http(h.url, 'GET', '/api/admin/http-log?limit=5', { token: 'admin-secret' }));
    check('/api/admin/request-out/routes', 'get', await http(h.url, 'GET', '/api/admin/request-out/routes', { token: 'admin-secret' }));
  });

  test('413, 415, 429 and 500 are documented where they can happen, in the endpoint envelope, and live answers match', async () => {
    const responses = (path: string, method: string) => Object.keys(spec.paths[path][method].responses);
    expect(responses('/public/auth/login', 'post')).toEqual(expect.arrayContaining(['400', '401', '413', '415', '429', '500']));
    expect(responses('/api/request-out', 'post')).toEqual(expect.arrayContaining(['400', '401', '413', '415', '500']));
    expect(responses('/public/product/price/list/{id_user}/{id_product}/{offsite}/{limit}', 'get')).toContain('500');
    expect(responses('/public/product/price/list/{id_user}/{id_product}/{offsite}/{limit}', 'get')).not.toContain('415');
    for (const [path, methods] of Object.entries<any>(spec.paths))
      for (const [method, op] of Object.entries<any>(methods))
        if (op.responses?.['400'] || op.responses?.['401']) expect(`${method} ${path} ${!!op.responses['500']}`).toBe(`${method} ${path} true`);

    const ajv = new Ajv({ strict: false });
    const check = (path: string, method: string, r: { status: number; json: unknown; text: string }, status: number) => {
      expect(r.status).toBe(status);
      const validate = ajv.compile(spec.paths[path][method].responses[String(status)].content['application/json'].schema);
      if (!validate(r.json)) throw new Error(`${method} ${path} ${r.status}: ${JSON.stringify(validate.errors)} for ${r.text}`);
    };
    const token = await loginDemo(h.url);
    check('/api/request-out', 'post', await http(h.url, 'POST', '/api/request-out', { token, body: '<TicketId/>', headers: { 'content-type': 'application/xml' } }), 415);
    check('/api/request-out', 'post', await http(h.url, 'POST', '/api/request-out', { token, body: { TicketId: 'x'.repeat(h.config.bodyLimitBytes) } }), 413);
    check('/public/auth/login', 'post', await http(h.url, 'POST', '/public/auth/login', { body: 'x', headers: { 'content-type': 'application/xml' } }), 415);
    check('/public/product/price/create/{id_user}/{id_product}', 'post', await http(h.url, 'POST', `/public/product/price/create/${DEMO_USER.id}/${DEMO_PRODUCTS[0].id}`, { token, body: 'price=1', headers: { 'content-type': 'text/csv' } }), 415);
  });

  test('Swagger UI at /docs is served entirely from this server', async () => {
    const page = await fetch(`${h.url}/docs/`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/swagger-ui/i);
    // Its own policy (own scripts, styles and the spec from this origin), not the API's 'none'.
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    expect((await fetch(`${h.url}/healthz`)).headers.get('content-security-policy') ?? '').not.toMatch(/script-src 'self'/);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(ref, page.url));
      expect(`${ref} ${asset.status}`).toBe(`${ref} 200`);
      const body = await asset.text();
      if (ref.endsWith('.html') || ref.includes('initializer')) expect(body).not.toMatch(/unpkg|jsdelivr|cdnjs|googleapis/);
    }
    const initializer = await (await fetch(`${h.url}/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toMatch(/"validatorUrl":\s*null/);
    expect(initializer).not.toMatch(/https?:\/\/(?!stackoverflow)/);
  });
});
