// Loopback simulator of the BaseLinker API (../../shared/design/EXTERNAL-APIS.md): one endpoint,
// `POST /connector.php`, `X-BLToken` header, form body `method=<name>&parameters=<JSON>`, answers
// `{"status": "SUCCESS", ...}` or `{"status": "ERROR", "error_code", "error_message"}` with HTTP
// 200, 100 requests/minute per token. Methods: getOrders (status_id, date_confirmed_from, order_id,
// id_from; at most 100 orders, oldest confirmation first), setOrderStatus, getOrderStatusList.
// Faults and demo data over HTTP under /__sim/* (no auth).
import { loadState, saveState } from './state-file.js';
import { timingSafeEqual, createHash } from 'node:crypto';
import { applyFaultJson, createFaults, SlidingWindow, startSimServer, type SimFaults, type SimReply, type SimRequestRecord } from './connector-sim-kit.js';

export interface BaseLinkerProduct {
  product_id: string;
  variant_id: number;
  name: string;
  sku: string;
  ean: string;
  price_brutto: number;
  /** Percent; -1 = exempt ("zw"). */
  tax_rate: number;
  quantity: number;
}

export interface BaseLinkerOrder {
  order_id: number;
  shop_order_id: number;
  order_status_id: number;
  date_confirmed: number;
  date_add: number;
  confirmed: boolean;
  user_login: string;
  email: string;
  phone: string;
  currency: string;
  payment_method: string;
  payment_done: number;
  user_comments: string;
  delivery_method: string;
  delivery_price: number;
  delivery_fullname: string;
  delivery_company: string;
  delivery_address: string;
  delivery_postcode: string;
  delivery_city: string;
  delivery_country_code: string;
  invoice_fullname: string;
  invoice_company: string;
  invoice_nip: string;
  invoice_address: string;
  invoice_postcode: string;
  invoice_city: string;
  invoice_country_code: string;
  extra_field_1: string;
  extra_field_2: string;
  products: BaseLinkerProduct[];
}

export interface BaseLinkerStatus {
  id: number;
  name: string;
  name_for_customer: string;
  color: string;
}

export interface BaseLinkerSimulatorOptions {
  /** Keep the orders in this file across restarts (the demo; src/simulators/state-file.ts). */
  statePath?: string;
  port?: number;
  host?: string;
  token?: string;
  /** Requests per minute per token. Default 100. */
  rateLimitPerMinute?: number;
  /** The rate limit's window. Default 60000 (tests shorten it to keep a burst quick). */
  rateLimitWindowMs?: number;
  statuses?: BaseLinkerStatus[];
}

export interface BaseLinkerSimulator {
  /** true when the state was loaded from statePath (the demo does not seed it again). */
  restored: boolean;
  url: string;
  /** The API endpoint: `${url}/connector.php`. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
  faults: SimFaults;
  requests: SimRequestRecord[];
  orders: Map<number, BaseLinkerOrder>;
  statuses: BaseLinkerStatus[];
  /** Every setOrderStatus that changed or confirmed a status: order id, status id. */
  statusChanges: { order_id: number; status_id: number }[];
  addOrder(order: BaseLinkerOrder): void;
  /** n demo orders in `status_id`, confirmed one per second from `firstConfirmed` (unix s). */
  addDemoOrders(n: number, opts?: { status_id?: number; firstConfirmed?: number; firstOrderId?: number; currency?: string }): BaseLinkerOrder[];
  /** Calls of a method, e.g. `setOrderStatus`. */
  calls(method: string): number;
  setRateLimit(perMinute: number): void;
  /** The API token changes (as when it is regenerated in BaseLinker): calls with the old one get ERROR_BAD_TOKEN. */
  setToken(token: string): void;
  /** Answers that were ERROR_QUERY_LIMIT_EXCEEDED because of the rate limit (not injected faults). */
  rateLimited(): number;
  reset(): void;
}

export const DEMO_BASELINKER_STATUSES: BaseLinkerStatus[] = [
  { id: 1001, name: 'Nowe zamówienia', name_for_customer: 'Przyjęte', color: '#3498db' },
  { id: 1002, name: 'Do produkcji (Optimakers)', name_for_customer: 'W realizacji', color: '#f39c12' },
  { id: 1003, name: 'Zrealizowane', name_for_customer: 'Wysłane', color: '#27ae60' },
  { id: 1004, name: 'Anulowane', name_for_customer: 'Anulowane', color: '#c0392b' },
];

const CITIES = ['Warszawa', 'Kraków', 'Gdańsk', 'Poznań', 'Wrocław', 'Łódź'];
const NAMES = ['Anna Kowalska', 'Piotr Nowak', 'Katarzyna Wiśniewska', 'Tomasz Wójcik', 'Magdalena Kamińska', 'Michał Lewandowski'];

export function demoBaseLinkerOrder(orderId: number, dateConfirmed: number, overrides: Partial<BaseLinkerOrder> = {}): BaseLinkerOrder {
  const name = NAMES[orderId % NAMES.length]!;
  const city = CITIES[orderId % CITIES.length]!;
  const login = name.toLowerCase().replace(/[^a-z]+/g, '.').replace(/\.$/, '') + orderId;
  return {
    order_id: orderId,
    shop_order_id: 5000 + orderId,
    order_status_id: 1002,
    date_confirmed: dateConfirmed,
    date_add: dateConfirmed - 120,
    confirmed: true,
    user_login: login,
    email: `${login}@example.pl`,
    phone: `+48 600 ${String(100_000 + orderId).slice(-6)}`,
    currency: 'PLN',
    payment_method: orderId % 2 ? 'Przelewy24' : 'Przelew bankowy',
    payment_done: 249.99,
    user_comments: orderId % 4 === 0 ? 'Proszę o kontakt przed wysyłką.' : '',
    delivery_method: orderId % 3 ? 'InPost Paczkomaty 24/7' : 'Kurier DPD',
    delivery_price: orderId % 3 ? 13.99 : 19.9,
    delivery_fullname: name,
    delivery_company: '',
    delivery_address: `ul. Długa ${(orderId % 90) + 1}`,
    delivery_postcode: '00-950',
    delivery_city: city,
    delivery_country_code: 'PL',
    invoice_fullname: name,
    invoice_company: '',
    invoice_nip: '',
    invoice_address: `ul. Długa ${(orderId % 90) + 1}`,
    invoice_postcode: '00-950',
    invoice_city: city,
    invoice_country_code: 'PL',
    extra_field_1: `Projekt ${orderId}`,
    extra_field_2: orderId % 5 === 0 ? 'Pilne' : '',
    products: [
      { product_id: '7001', variant_id: 0, name: 'Stół dębowy 160x90', sku: 'STOL-160', ean: '5901234123457', price_brutto: 1899.0, tax_rate: 23, quantity: 1 },
      { product_id: '7002', variant_id: 12, name: 'Krzesło tapicerowane', sku: 'KRZ-TAP-SZ', ean: '5901234123464', price_brutto: 349.5, tax_rate: 23, quantity: (orderId % 4) + 1 },
      ...(orderId % 7 === 0 ? [{ product_id: '7003', variant_id: 0, name: 'Katalog drukowany', sku: 'KAT-2026', ean: '', price_brutto: 19.0, tax_rate: 5, quantity: 1 }] : []),
    ],
    ...overrides,
  };
}

const ok = (extra: Record<string, unknown> = {}): SimReply => ({ status: 200, body: { status: 'SUCCESS', ...extra } });
const fail = (code: string, message: string): SimReply => ({ status: 200, body: { status: 'ERROR', error_code: code, error_message: message } });
const digest = (s: string) => createHash('sha256').update(s).digest();

// Long by design: one closure holds the simulator's state, faults and its table of BaseLinker
// methods (one branch per method the bridge calls).
export async function startBaseLinkerSimulator(opts: BaseLinkerSimulatorOptions = {}): Promise<BaseLinkerSimulator> {
  let token = opts.token ?? 'demo-baselinker-token';
  const faults = createFaults();
  const requests: SimRequestRecord[] = [];
  const orders = new Map<number, BaseLinkerOrder>();
  const statuses = structuredClone(opts.statuses ?? DEMO_BASELINKER_STATUSES);
  const statusChanges: { order_id: number; status_id: number }[] = [];
  const limiter = new SlidingWindow(opts.rateLimitPerMinute ?? 100, opts.rateLimitWindowMs ?? 60_000);
  let rateLimited = 0;

  const parseParams = (raw: string): { method: string; params: Record<string, unknown> } | SimReply => {
    const form = new URLSearchParams(raw);
    const method = form.get('method') ?? '';
    let params: Record<string, unknown> = {};
    const p = form.get('parameters');
    if (p) {
      try {
        params = JSON.parse(p);
      } catch {
        return fail('ERROR_PARAMETERS', 'Invalid JSON in parameters');
      }
      if (!params || typeof params !== 'object' || Array.isArray(params)) return fail('ERROR_PARAMETERS', 'parameters must be a JSON object');
    }
    return { method, params };
  };

  function getOrders(params: Record<string, unknown>): SimReply {
    const statusId = params.status_id === undefined ? undefined : Number(params.status_id);
    const from = params.date_confirmed_from === undefined ? undefined : Number(params.date_confirmed_from);
    const orderId = params.order_id === undefined ? undefined : Number(params.order_id);
    const idFrom = params.id_from === undefined ? undefined : Number(params.id_from);
    const unconfirmed = params.get_unconfirmed_orders === true;
    if ([statusId, from, orderId, idFrom].some((v) => v !== undefined && !Number.isFinite(v))) return fail('ERROR_PARAMETERS', 'Invalid parameter value');
    const list = [...orders.values()]
      .filter(
        (o) =>
          (unconfirmed || o.confirmed) &&
          (orderId === undefined || o.order_id === orderId) &&
          (statusId === undefined || o.order_status_id === statusId) &&
          (from === undefined || o.date_confirmed >= from) &&
          (idFrom === undefined || o.order_id >= idFrom),
      )
      .sort((a, b) => a.date_confirmed - b.date_confirmed || a.order_id - b.order_id)
      .slice(0, 100);
    return ok({ orders: structuredClone(list) });
  }

  const reset = () => {
    orders.clear();
    statusChanges.length = 0;
    requests.length = 0;
    rateLimited = 0;
    limiter.reset();
    faults.clear();
  };

  const saved = loadState<{ orders: BaseLinkerOrder[]; statusChanges: { order_id: number; status_id: number }[] }>(opts.statePath);
  if (saved) {
    for (const o of saved.orders) orders.set(o.order_id, o);
    statusChanges.push(...saved.statusChanges);
  }
  const persist = () => saveState(opts.statePath, { orders: [...orders.values()], statusChanges });
  if (!saved) persist();

  const addDemoOrders: BaseLinkerSimulator['addDemoOrders'] = (n, o = {}) => {
    const first = o.firstOrderId ?? Math.max(100_000, ...[...orders.keys()].map((k) => k + 1));
    const firstConfirmed = o.firstConfirmed ?? Math.floor(Date.UTC(2026, 10, 1) / 1000);
    const added: BaseLinkerOrder[] = [];
    for (let i = 0; i < n; i++) {
      const order = demoBaseLinkerOrder(first + i, firstConfirmed + i, { order_status_id: o.status_id ?? 1002, ...(o.currency ? { currency: o.currency } : {}) });
      orders.set(order.order_id, order);
      added.push(order);
    }
    persist();
    return added;
  };

  const server = await startSimServer({
    host: opts.host,
    port: opts.port,
    faults,
    requests,
    describe: (raw) => new URLSearchParams(raw).get('method') ?? undefined,
    afterChange: persist,
    faultReply: (status) => ({ status, body: `<html><body><h1>${status} Service Temporarily Unavailable</h1></body></html>` }),
    admin(method, path, _q, body: any) {
      if (method === 'POST' && path === '/__sim/reset') {
        reset();
        return { status: 200, body: { ok: true } };
      }
      if (method === 'POST' && path === '/__sim/faults') {
        applyFaultJson(faults, body);
        return { status: 200, body: { ok: true } };
      }
      if (method === 'POST' && path === '/__sim/orders') {
        const added = addDemoOrders(Number(body?.count ?? 1), { status_id: body?.status_id, firstConfirmed: body?.firstConfirmed, currency: body?.currency });
        return { status: 200, body: { added: added.map((o) => o.order_id) } };
      }
      if (method === 'GET' && path === '/__sim/orders') return { status: 200, body: [...orders.values()] };
      if (method === 'GET' && path === '/__sim/status-changes') return { status: 200, body: statusChanges };
      if (method === 'GET' && path === '/__sim/requests') return { status: 200, body: requests };
      return { status: 404, body: { error: 'no such simulator route' } };
    },
    api(req, method, path, _q, raw) {
      if (path !== '/connector.php') return { status: 404, body: '<html><body>404 Not Found</body></html>' };
      if (method !== 'POST') return fail('ERROR_METHOD', 'Use POST');
      const presented = String(req.headers['x-bltoken'] ?? '');
      if (!presented || !timingSafeEqual(digest(presented), digest(token))) return fail('ERROR_BAD_TOKEN', 'Invalid user token');
      if (!limiter.hit(presented)) {
        rateLimited++;
        return fail('ERROR_QUERY_LIMIT_EXCEEDED', 'Query limit exceeded, API blocked for 60 seconds');
      }
      const parsed = parseParams(raw);
      if ('status' in parsed) return parsed;
      const { method: name, params } = parsed;
      switch (name) {
        case 'getOrders':
          return getOrders(params);
        case 'getOrderStatusList':
          return ok({ statuses: structuredClone(statuses) });
        case 'setOrderStatus': {
          const orderId = Number(params.order_id);
          const statusId = Number(params.status_id);
          const order = orders.get(orderId);
          if (!order) return fail('ERROR_ORDER_NOT_FOUND', `Order ${params.order_id} not found`);
          if (!statuses.some((s) => s.id === statusId)) return fail('ERROR_STATUS_NOT_FOUND', `Status ${params.status_id} not found`);
          order.order_status_id = statusId;
          statusChanges.push({ order_id: orderId, status_id: statusId });
          return ok();
        }
        case '':
          return fail('ERROR_METHOD', 'No method given');
        default:
          return fail('ERROR_UNKNOWN_METHOD', `Unknown method: ${name}`);
      }
    },
  });

  return {
    restored: saved !== null,
    url: server.url,
    endpoint: `${server.url}/connector.php`,
    port: server.port,
    close: () => server.close(),
    faults,
    requests,
    orders,
    statuses,
    statusChanges,
    addOrder: (o) => {
      orders.set(o.order_id, structuredClone(o));
    },
    addDemoOrders,
    calls: (m) => requests.filter((r) => r.call === m).length,
    setRateLimit: (n) => {
      limiter.limit = n;
    },
    setToken: (t) => {
      token = t;
    },
    rateLimited: () => rateLimited,
    reset,
  };
}
