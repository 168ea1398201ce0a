// Loopback simulator of the Optimakers (OptiMES) API and its webhooks. The real order and product
// endpoints are not public (EXTERNAL-APIS.md), so this simulator and the client in
// src/connectors/baselinker-optimakers/optimakers-client.ts define them together, in one place each:
//   header `X-Api-Key: <per-employee key>` (401 without it; the header name is configurable, as
//   OPTIMES_API_KEY_HEADER is for the client),
//   GET  /api/orders?externalId=  -> {items: [order]}       (no uniqueness on externalId: Optimakers
//   POST /api/orders              -> 201 {id}                does not deduplicate, the integrator must)
//   GET  /api/orders/{id}         -> order {id, externalId, statusId, realised, realisedAt, ...}
//   GET  /api/products/{id}       -> product, 404 once deleted
//   GET  /api/currencies, /api/vat-rates, /api/order-statuses, /api/attributes (ids for the check)
// Validation errors answer 400 `{error, message, field}`. Webhooks are thin, as documented:
// `{Id, CreatedAt, Token, EventSource, WebhookRegistrationId, Ids}`; the receiver fetches the entity.
import { loadState, saveState } from './state-file.js';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { applyFaultJson, createFaults, deliverWebhook, SlidingWindow, startSimServer, type SimFaults, type SimReply, type SimRequestRecord } from './connector-sim-kit.js';

export interface OptimakersAttributeValue {
  attributeId: number;
  value: string;
}

export interface OptimakersOrderLine {
  name: string;
  sku: string;
  ean: string;
  quantity: number;
  unitPriceGross: number;
  currencyId: number;
  vatRateId: number;
}

export interface OptimakersOrder {
  id: number;
  externalId: string;
  statusId: number;
  currencyId: number;
  customer: { name: string; email: string; phone: string; attributes: OptimakersAttributeValue[] };
  delivery: { fullName: string; company: string; address: string; postcode: string; city: string; countryCode: string };
  attributes: OptimakersAttributeValue[];
  lines: OptimakersOrderLine[];
  realised: boolean;
  realisedAt: string | null;
  createdAt: string;
}

export interface OptimakersProduct {
  id: number;
  name: string;
  sku: string;
  updatedAt: string;
}

export interface OptimakersWebhookTarget {
  url: string;
  token: string;
  registrationId?: string;
}

export interface OptimakersSimulatorOptions {
  /** Keep the orders and products in this file across restarts (the demo; src/simulators/state-file.ts). */
  statePath?: string;
  port?: number;
  host?: string;
  apiKey?: string;
  /** Header that carries the API key (the client's OPTIMES_API_KEY_HEADER). Default `X-Api-Key`. */
  apiKeyHeader?: string;
  webhook?: OptimakersWebhookTarget;
  /** Requests per minute per key. Default 300 (assumed; not documented). */
  rateLimitPerMinute?: number;
}

export interface OptimakersSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  faults: SimFaults;
  requests: SimRequestRecord[];
  orders: Map<number, OptimakersOrder>;
  products: Map<number, OptimakersProduct>;
  ordersByExternalId(externalId: string): OptimakersOrder[];
  setWebhook(target: OptimakersWebhookTarget | null): void;
  /** Builds a webhook message (not sent). */
  webhookMessage(eventSource: string, ids: number[]): string;
  /** Posts a message body to the receiver; resolves with the HTTP status (0 = unreachable). */
  send(body: string): Promise<number>;
  /** Marks an order realised ("Zrealizowane: Tak") and sends `order.updated`. */
  realiseOrder(id: number): Promise<number>;
  /** Creates or updates a product and sends product.created / product.updated. */
  upsertProduct(p: { id?: number; name: string; sku: string }): Promise<{ id: number; delivered: number }>;
  deleteProduct(id: number): Promise<number>;
  reset(): void;
}

export const DEMO_OPTIMAKERS = {
  currencies: [
    { id: 1, code: 'PLN', name: 'Złoty polski' },
    { id: 2, code: 'EUR', name: 'Euro' },
    { id: 3, code: 'USD', name: 'Dolar amerykański' },
  ],
  vatRates: [
    { id: 1, name: '23%', rate: 23 },
    { id: 2, name: '8%', rate: 8 },
    { id: 3, name: '5%', rate: 5 },
    { id: 4, name: '0%', rate: 0 },
    { id: 5, name: 'zw', rate: null as number | null },
  ],
  orderStatuses: [
    { id: 11, name: 'Nowe', entity: 'order' },
    { id: 12, name: 'W produkcji', entity: 'order' },
    { id: 13, name: 'Zrealizowane', entity: 'order' },
  ],
  attributes: [
    { id: 201, name: 'Metoda dostawy', entity: 'order', type: 'text' },
    { id: 202, name: 'Cena dostawy', entity: 'order', type: 'number' },
    { id: 203, name: 'Metoda płatności', entity: 'order', type: 'text' },
    { id: 204, name: 'Dodatkowe pole 1', entity: 'order', type: 'text' },
    { id: 205, name: 'Dodatkowe pole 2', entity: 'order', type: 'text' },
    { id: 206, name: 'Uwagi', entity: 'order', type: 'text' },
    { id: 301, name: 'Login klienta', entity: 'customer', type: 'text' },
  ],
};

const digest = (s: string) => createHash('sha256').update(s).digest();
const invalid = (field: string, message: string): SimReply => ({ status: 400, body: { error: 'ValidationError', message, field } });

// Long by design: one closure holds the simulator's state, faults and its route table (one branch
// per endpoint of src/connectors/baselinker-optimakers/optimakers-client.ts).
export async function startOptimakersSimulator(opts: OptimakersSimulatorOptions = {}): Promise<OptimakersSimulator> {
  const apiKey = opts.apiKey ?? 'demo-optimes-api-key';
  const apiKeyHeader = (opts.apiKeyHeader ?? 'X-Api-Key').toLowerCase();
  const faults = createFaults();
  const requests: SimRequestRecord[] = [];
  const orders = new Map<number, OptimakersOrder>();
  const products = new Map<number, OptimakersProduct>();
  const limiter = new SlidingWindow(opts.rateLimitPerMinute ?? 300, 60_000);
  let webhook: OptimakersWebhookTarget | null = opts.webhook ?? null;
  let nextOrderId = 1;
  let nextProductId = 1;
  const data = DEMO_OPTIMAKERS;

  const webhookMessage = (eventSource: string, ids: number[]) =>
    JSON.stringify({
      Id: randomUUID(),
      CreatedAt: new Date().toISOString(),
      Token: webhook?.token ?? '',
      EventSource: eventSource,
      WebhookRegistrationId: webhook?.registrationId ?? 'b2f1c7a0-5d4e-4c1a-9f6b-0d1e2f3a4b5c',
      Ids: ids,
    });
  const send = async (body: string) => {
    if (!webhook) throw new Error('simulator: no webhook receiver configured');
    return deliverWebhook(webhook.url, body, {});
  };

  function validateOrder(b: any): SimReply | null {
    if (!b || typeof b !== 'object') return invalid('(body)', 'Body must be a JSON object');
    if (typeof b.externalId !== 'string' || !b.externalId) return invalid('externalId', 'externalId is required');
    if (!data.orderStatuses.some((s) => s.id === b.statusId)) return invalid('statusId', `Unknown order status ${b.statusId}`);
    if (!data.currencies.some((c) => c.id === b.currencyId)) return invalid('currencyId', `Unknown currency ${b.currencyId}`);
    const attrOk = (list: any, entity: string, field: string) => {
      if (!Array.isArray(list)) return invalid(field, `${field} must be an array`);
      for (const [i, a] of list.entries()) {
        const def = data.attributes.find((x) => x.id === a?.attributeId);
        if (!def || def.entity !== entity) return invalid(`${field}[${i}].attributeId`, `Unknown ${entity} attribute ${a?.attributeId}`);
      }
      return null;
    };
    const e1 = attrOk(b.attributes, 'order', 'attributes') ?? attrOk(b.customer?.attributes ?? [], 'customer', 'customer.attributes');
    if (e1) return e1;
    if (!Array.isArray(b.lines) || b.lines.length === 0) return invalid('lines', 'An order needs at least one line');
    for (const [i, l] of b.lines.entries()) {
      if (!data.vatRates.some((v) => v.id === l?.vatRateId)) return invalid(`lines[${i}].vatRateId`, `Unknown VAT rate ${l?.vatRateId}`);
      if (!data.currencies.some((c) => c.id === l?.currencyId)) return invalid(`lines[${i}].currencyId`, `Unknown currency ${l?.currencyId}`);
      if (typeof l.quantity !== 'number' || l.quantity <= 0) return invalid(`lines[${i}].quantity`, 'quantity must be positive');
    }
    return null;
  }

  const saved = loadState<{ orders: OptimakersOrder[]; products: OptimakersProduct[]; nextOrderId: number; nextProductId: number }>(opts.statePath);
  if (saved) {
    for (const o of saved.orders) orders.set(o.id, o);
    for (const p of saved.products) products.set(p.id, p);
    nextOrderId = saved.nextOrderId;
    nextProductId = saved.nextProductId;
  }
  const persist = () => saveState(opts.statePath, { orders: [...orders.values()], products: [...products.values()], nextOrderId, nextProductId });
  if (!saved) persist();

  const reset = () => {
    orders.clear();
    products.clear();
    requests.length = 0;
    limiter.reset();
    faults.clear();
    nextOrderId = 1;
    nextProductId = 1;
  };

  const realiseOrder = async (id: number) => {
    const o = orders.get(id);
    if (!o) throw new Error(`simulator: no order ${id}`);
    o.realised = true;
    o.realisedAt = new Date().toISOString();
    return send(webhookMessage('order.updated', [id]));
  };
  const upsertProduct = async (p: { id?: number; name: string; sku: string }) => {
    const exists = p.id !== undefined && products.has(p.id);
    const id = p.id ?? nextProductId++;
    if (id >= nextProductId) nextProductId = id + 1;
    products.set(id, { id, name: p.name, sku: p.sku, updatedAt: new Date().toISOString() });
    const delivered = webhook ? await send(webhookMessage(exists ? 'product.updated' : 'product.created', [id])) : 0;
    return { id, delivered };
  };
  const deleteProduct = async (id: number) => {
    products.delete(id);
    return webhook ? send(webhookMessage('product.deleted', [id])) : 0;
  };

  const server = await startSimServer({
    host: opts.host,
    port: opts.port,
    faults,
    requests,
    afterChange: persist,
    faultReply: (status) => ({ status, body: { error: 'ServiceUnavailable', message: 'Simulated failure' } }),
    async admin(method, path, _q, body: any) {
      if (method === 'POST' && path === '/__sim/reset') {
        reset();
        return { status: 200, body: { ok: true } };
      }
      if (method === 'POST' && path === '/__sim/faults') {
        applyFaultJson(faults, body);
        return { status: 200, body: { ok: true } };
      }
      if (method === 'POST' && path === '/__sim/webhook') {
        webhook = body?.url ? { url: body.url, token: body.token ?? '', registrationId: body.registrationId } : null;
        return { status: 200, body: { ok: true } };
      }
      let m = /^\/__sim\/orders\/(\d+)\/realise$/.exec(path);
      if (m && method === 'POST') return { status: 200, body: { delivered: await realiseOrder(Number(m[1])) } };
      if (method === 'POST' && path === '/__sim/products') return { status: 200, body: await upsertProduct(body ?? {}) };
      m = /^\/__sim\/products\/(\d+)$/.exec(path);
      if (m && method === 'DELETE') return { status: 200, body: { delivered: await deleteProduct(Number(m[1])) } };
      if (method === 'GET' && path === '/__sim/orders') return { status: 200, body: [...orders.values()] };
      if (method === 'GET' && path === '/__sim/requests') return { status: 200, body: requests };
      return { status: 404, body: { error: 'no such simulator route' } };
    },
    api(req, method, path, query, raw) {
      const presented = String(req.headers[apiKeyHeader] ?? '');
      if (!presented || !timingSafeEqual(digest(presented), digest(apiKey))) return { status: 401, body: { error: 'Unauthorized', message: 'Missing or invalid API key' } };
      if (!limiter.hit(presented)) return { status: 429, body: { error: 'TooManyRequests', message: 'Too many requests' }, headers: { 'retry-after': '60' } };
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return invalid('(body)', 'Body is not valid JSON');
      }
      if (path === '/api/orders' && method === 'GET') {
        const ext = query.get('externalId');
        const items = [...orders.values()].filter((o) => ext === null || o.externalId === ext);
        return { status: 200, body: { items: structuredClone(items) } };
      }
      if (path === '/api/orders' && method === 'POST') {
        const bad = validateOrder(body);
        if (bad) return bad;
        const id = nextOrderId++;
        orders.set(id, {
          id,
          externalId: body.externalId,
          statusId: body.statusId,
          currencyId: body.currencyId,
          customer: { name: body.customer?.name ?? '', email: body.customer?.email ?? '', phone: body.customer?.phone ?? '', attributes: body.customer?.attributes ?? [] },
          delivery: body.delivery ?? {},
          attributes: body.attributes,
          lines: body.lines,
          realised: false,
          realisedAt: null,
          createdAt: new Date().toISOString(),
        });
        return { status: 201, body: { id } };
      }
      let m = /^\/api\/orders\/(\d+)$/.exec(path);
      if (m && method === 'GET') {
        const o = orders.get(Number(m[1]));
        return o ? { status: 200, body: structuredClone(o) } : { status: 404, body: { error: 'NotFound', message: `Order ${m[1]} not found` } };
      }
      m = /^\/api\/products\/(\d+)$/.exec(path);
      if (m && method === 'GET') {
        const p = products.get(Number(m[1]));
        return p ? { status: 200, body: structuredClone(p) } : { status: 404, body: { error: 'NotFound', message: `Product ${m[1]} not found` } };
      }
      if (method === 'GET' && path === '/api/currencies') return { status: 200, body: data.currencies };
      if (method === 'GET' && path === '/api/vat-rates') return { status: 200, body: data.vatRates };
      if (method === 'GET' && path === '/api/order-statuses') return { status: 200, body: data.orderStatuses };
      if (method === 'GET' && path === '/api/attributes') return { status: 200, body: data.attributes };
      return { status: 404, body: { error: 'NotFound', message: 'No such endpoint' } };
    },
  });

  return {
    url: server.url,
    port: server.port,
    close: () => server.close(),
    faults,
    requests,
    orders,
    products,
    ordersByExternalId: (ext) => [...orders.values()].filter((o) => o.externalId === ext),
    setWebhook: (t) => {
      webhook = t;
    },
    webhookMessage,
    send,
    realiseOrder,
    upsertProduct,
    deleteProduct,
    reset,
  };
}
