// Loopback simulator of the Jubelio API (../../shared/design/EXTERNAL-APIS.md): `POST /login` with a
// 12-hour token sent raw as the `authorization` header, 500 on bad credentials, 401 on a missing or
// expired token, 600 requests/minute per token (429 beyond), `POST /inventory/catalog/` to create
// (`item_group_id: 0`) or edit a product group, `GET /inventory/items/by-sku/{sku}`, and
// `GET /sales/orders/{id}`. It also plays Jubelio's webhook sender: `deliverSalesOrder` posts an
// `update-salesorder` payload (optionally with masked names) signed with the configured scheme.
// Faults and demo actions over HTTP under /__sim/* (no auth).
import { loadState, saveState } from './state-file.js';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { applyFaultJson, createFaults, deliverWebhook, SlidingWindow, startSimServer, type SimFaults, type SimReply, type SimRequestRecord } from './connector-sim-kit.js';

export type JubelioSignatureScheme = 'hmac-sha256' | 'sha256' | 'none';

export interface JubelioSku {
  item_id: number;
  item_code: string;
  sell_price: number;
  buy_price: number;
  barcode: string | null;
  variation_values: unknown[];
}

export interface JubelioProductGroup {
  item_group_id: number;
  item_group_name: string;
  description: string;
  sell_price: number;
  buy_price: number;
  uom_id: number;
  item_category_id: number;
  brand_id: number | null;
  product_skus: JubelioSku[];
  /** How many times the group was written (create = 1). */
  revision: number;
}

export interface JubelioSalesOrderItem {
  salesorder_detail_id: number;
  item_id: number;
  item_code: string;
  item_name: string;
  qty: number;
  price: number;
  amount: number;
  tax_amount: number;
}

export interface JubelioSalesOrder {
  salesorder_id: number;
  salesorder_no: string;
  status: string;
  store: string;
  source: string;
  customer_name: string;
  customer_email: string;
  customer_phone: string;
  transaction_date: string;
  grand_total: number;
  sub_total: number;
  total_tax: number;
  shipping_cost: number;
  is_paid: boolean;
  is_canceled: boolean;
  shipping_full_name: string;
  shipping_address: string;
  shipping_city: string;
  shipping_province: string;
  shipping_post_code: string;
  shipping_country: string;
  items: JubelioSalesOrderItem[];
}

export interface JubelioWebhookTarget {
  url: string;
  secret: string;
  scheme: JubelioSignatureScheme;
  /** Header carrying the signature (Jubelio: `Sign`; older: `x-jubelio-signature`). */
  header?: string;
}

export interface JubelioSimulatorOptions {
  /** Keep products and sales orders in this file across restarts (the demo; src/simulators/state-file.ts). */
  statePath?: string;
  port?: number;
  host?: string;
  email?: string;
  password?: string;
  /** Default 12 hours. */
  tokenTtlMs?: number;
  /** Requests per minute per token. Default 600. */
  rateLimitPerMinute?: number;
  /** The rate limit's window. Default 60000 (tests shorten it to keep a burst quick). */
  rateLimitWindowMs?: number;
  webhook?: JubelioWebhookTarget;
}

export interface JubelioSimulator {
  /** true when the state was loaded from statePath (the demo does not seed it again). */
  restored: boolean;
  url: string;
  port: number;
  close(): Promise<void>;
  faults: SimFaults;
  requests: SimRequestRecord[];
  products: Map<number, JubelioProductGroup>;
  productBySku(sku: string): JubelioProductGroup | undefined;
  salesOrders: Map<number, JubelioSalesOrder>;
  /** Logins answered successfully. */
  logins(): number;
  /** Every issued token stops working (as if 12 hours passed). */
  expireTokens(): void;
  setRateLimit(perMinute: number): void;
  /** The account's password changes (as when someone resets it in Jubelio): logins with the old one fail. */
  setPassword(password: string): void;
  /** Answers that were 429 because of the rate limit (not injected faults). */
  rateLimited(): number;
  setWebhook(target: JubelioWebhookTarget | null): void;
  /** Stores (or replaces) an order as Jubelio's GET /sales/orders/{id} will return it. */
  putSalesOrder(order: JubelioSalesOrder): void;
  /** The webhook payload for an order: `mask` hides customer names, as marketplaces do. */
  webhookBody(id: number, opts?: { mask?: boolean }): string;
  /** Signature of a body under the configured scheme (hex), or undefined for `none`. */
  sign(body: string, target?: JubelioWebhookTarget): string | undefined;
  /** Posts the order's `update-salesorder` webhook to the configured receiver; resolves with the HTTP status. */
  deliverSalesOrder(id: number, opts?: { mask?: boolean }): Promise<number>;
  reset(): void;
}

export function demoSalesOrder(id: number, overrides: Partial<JubelioSalesOrder> = {}): JubelioSalesOrder {
  const qty = (id % 3) + 1;
  const price = 125_000 + (id % 7) * 5_000;
  const amount = qty * price;
  const tax = Math.round(amount * 0.11);
  const shipping = 18_000;
  return {
    salesorder_id: id,
    salesorder_no: `SO-${String(id).padStart(6, '0')}`,
    status: 'PAID',
    store: 'Toko Kursus Official',
    source: 'TOKOPEDIA',
    customer_name: 'Budi Santoso',
    customer_email: 'budi.santoso@example.co.id',
    customer_phone: '+62 812 3456 7890',
    transaction_date: new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + id * 60_000).toISOString(),
    grand_total: amount + tax + shipping,
    sub_total: amount,
    total_tax: tax,
    shipping_cost: shipping,
    is_paid: true,
    is_canceled: false,
    shipping_full_name: 'Budi Santoso',
    shipping_address: 'Jl. Merdeka No. 10',
    shipping_city: 'Jakarta Pusat',
    shipping_province: 'DKI Jakarta',
    shipping_post_code: '10110',
    shipping_country: 'Indonesia',
    items: [{ salesorder_detail_id: id * 10 + 1, item_id: 1000 + (id % 50), item_code: `SKU-${String(id % 50).padStart(4, '0')}`, item_name: 'Kaos Polos Hitam', qty, price, amount, tax_amount: tax }],
    ...overrides,
  };
}

/** How marketplaces hide names: first and last letter of each word kept. */
export function maskName(s: string): string {
  return s
    .split(' ')
    .map((w) => (w.length <= 2 ? w[0] + '*' : w[0] + '*'.repeat(w.length - 2) + w[w.length - 1]))
    .join(' ');
}

const err = (statusCode: number, error: string, message: string, code?: string): SimReply => ({ status: statusCode, body: { statusCode, error, message, ...(code ? { code } : {}) } });

// Long by design: one closure holds the simulator's state, faults and its route table (one branch
// per documented Jubelio endpoint), which tests drive through the returned object.
export async function startJubelioSimulator(opts: JubelioSimulatorOptions = {}): Promise<JubelioSimulator> {
  const email = opts.email ?? 'erp@example.co.id';
  let password = opts.password ?? 'demo-jubelio-password';
  const tokenTtlMs = opts.tokenTtlMs ?? 12 * 3600_000;
  const faults = createFaults();
  const requests: SimRequestRecord[] = [];
  const products = new Map<number, JubelioProductGroup>();
  const skuIndex = new Map<string, number>();
  const salesOrders = new Map<number, JubelioSalesOrder>();
  const tokens = new Map<string, number>();
  const limiter = new SlidingWindow(opts.rateLimitPerMinute ?? 600, opts.rateLimitWindowMs ?? 60_000);
  let rateLimited = 0;
  const tooMany = () => {
    rateLimited++;
    return err(429, 'Too Many Requests', 'Rate limit exceeded, please wait a minute');
  };
  let webhook: JubelioWebhookTarget | null = opts.webhook ?? null;
  let nextGroupId = 1;
  let nextItemId = 1;
  let loginCount = 0;

  const sign = (body: string, target: JubelioWebhookTarget | null = webhook): string | undefined => {
    if (!target || target.scheme === 'none') return undefined;
    if (target.scheme === 'hmac-sha256') return createHmac('sha256', target.secret).update(body).digest('hex');
    return createHash('sha256').update(body + target.secret).digest('hex');
  };

  const webhookBody = (id: number, o: { mask?: boolean } = {}) => {
    const order = salesOrders.get(id);
    if (!order) throw new Error(`simulator: no sales order ${id}`);
    const payload = { action: 'update-salesorder', ...structuredClone(order) };
    if (o.mask) {
      payload.customer_name = maskName(order.customer_name);
      payload.shipping_full_name = maskName(order.shipping_full_name);
      payload.customer_phone = '*'.repeat(Math.max(0, order.customer_phone.length - 4)) + order.customer_phone.slice(-4);
      payload.customer_email = '';
    }
    return JSON.stringify(payload);
  };

  function num(v: unknown, field: string, required = true): number | null {
    if (v === undefined || v === null) {
      if (required) throw new Error(`"${field}" is required`);
      return null;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`"${field}" must be a number`);
    return v;
  }

  function saveCatalog(body: any): SimReply {
    if (!body || typeof body !== 'object') return err(400, 'Bad Request', 'Invalid request payload JSON format');
    try {
      const groupId = num(body.item_group_id, 'item_group_id')!;
      if (typeof body.item_group_name !== 'string' || !body.item_group_name.trim()) throw new Error('"item_group_name" is not allowed to be empty');
      if (!Array.isArray(body.product_skus) || body.product_skus.length === 0) throw new Error('"product_skus" must contain at least 1 items');
      num(body.sell_price, 'sell_price');
      num(body.uom_id, 'uom_id');
      num(body.item_category_id, 'item_category_id');
      for (const [i, s] of body.product_skus.entries()) {
        if (typeof s?.item_code !== 'string' || !s.item_code) throw new Error(`"product_skus[${i}].item_code" is not allowed to be empty`);
        num(s.sell_price, `product_skus[${i}].sell_price`);
      }
      let group: JubelioProductGroup;
      if (groupId === 0) {
        for (const s of body.product_skus) if (skuIndex.has(s.item_code)) return err(400, 'Bad Request', `Item code ${s.item_code} already exists`, 'DUPLICATE_ITEM_CODE');
        group = { item_group_id: nextGroupId++, revision: 0 } as JubelioProductGroup;
      } else {
        const existing = products.get(groupId);
        if (!existing) return err(404, 'Not Found', `Item group ${groupId} not found`);
        group = existing;
      }
      const skus: JubelioSku[] = body.product_skus.map((s: any) => {
        const existingId = skuIndex.get(s.item_code) === group.item_group_id ? group.product_skus?.find((x) => x.item_code === s.item_code)?.item_id : undefined;
        return {
          item_id: s.item_id && s.item_id !== 0 ? s.item_id : (existingId ?? nextItemId++),
          item_code: s.item_code,
          sell_price: s.sell_price,
          buy_price: s.buy_price ?? 0,
          barcode: s.barcode ?? null,
          variation_values: s.variation_values ?? [],
        };
      });
      Object.assign(group, {
        item_group_name: body.item_group_name,
        description: body.description ?? '',
        sell_price: body.sell_price,
        buy_price: body.buy_price ?? 0,
        uom_id: body.uom_id,
        item_category_id: body.item_category_id,
        brand_id: body.brand_id ?? null,
        product_skus: skus,
        revision: group.revision + 1,
      });
      products.set(group.item_group_id, group);
      for (const s of skus) skuIndex.set(s.item_code, group.item_group_id);
      return { status: 200, body: { status: 'ok', id: group.item_group_id, item_ids: skus.map((s) => s.item_id) } };
    } catch (e) {
      return err(400, 'Bad Request', (e as Error).message);
    }
  }

  const saved = loadState<{ products: [number, JubelioProductGroup][]; skuIndex: [string, number][]; salesOrders: [number, JubelioSalesOrder][]; nextGroupId: number; nextItemId: number }>(opts.statePath);
  if (saved) {
    for (const [k, v] of saved.products) products.set(k, v);
    for (const [k, v] of saved.skuIndex) skuIndex.set(k, v);
    for (const [k, v] of saved.salesOrders) salesOrders.set(k, v);
    nextGroupId = saved.nextGroupId;
    nextItemId = saved.nextItemId;
  }
  const persist = () => saveState(opts.statePath, { products: [...products], skuIndex: [...skuIndex], salesOrders: [...salesOrders], nextGroupId, nextItemId });
  if (!saved) persist();

  const reset = () => {
    products.clear();
    skuIndex.clear();
    salesOrders.clear();
    tokens.clear();
    limiter.reset();
    faults.clear();
    requests.length = 0;
    rateLimited = 0;
    nextGroupId = 1;
    nextItemId = 1;
    loginCount = 0;
  };

  const deliverSalesOrder = async (id: number, o: { mask?: boolean } = {}) => {
    if (!webhook) throw new Error('simulator: no webhook receiver configured');
    const body = webhookBody(id, o);
    const signature = sign(body);
    const headers: Record<string, string> = {};
    if (signature) headers[(webhook.header ?? 'Sign').toLowerCase()] = signature;
    // Jubelio retries a non-200 answer up to 3 times.
    let status = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      status = await deliverWebhook(webhook.url, body, headers);
      if (status === 200) break;
    }
    return status;
  };

  const server = await startSimServer({
    host: opts.host,
    port: opts.port,
    faults,
    requests,
    afterChange: persist,
    faultReply: (status) => err(status, status === 429 ? 'Too Many Requests' : 'Service Unavailable', 'Simulated failure'),
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
        webhook = body?.url ? { url: body.url, secret: body.secret ?? '', scheme: body.scheme ?? 'hmac-sha256', header: body.header } : null;
        return { status: 200, body: { ok: true } };
      }
      if (method === 'POST' && path === '/__sim/salesorders') {
        // Creates or changes an order and delivers its webhook: the demo's way to "sell something".
        const id = Number(body?.salesorder_id ?? Math.max(0, ...salesOrders.keys()) + 1);
        const current = salesOrders.get(id) ?? demoSalesOrder(id);
        const { mask, ...patch } = body ?? {};
        salesOrders.set(id, { ...current, ...patch, salesorder_id: id });
        const delivered = webhook ? await deliverSalesOrder(id, { mask: !!mask }) : null;
        return { status: 200, body: { salesorder_id: id, delivered } };
      }
      if (method === 'POST' && path === '/__sim/expire-tokens') {
        tokens.clear();
        return { status: 200, body: { ok: true } };
      }
      if (method === 'GET' && path === '/__sim/products') return { status: 200, body: [...products.values()] };
      if (method === 'GET' && path === '/__sim/salesorders') return { status: 200, body: [...salesOrders.values()] };
      if (method === 'GET' && path === '/__sim/requests') return { status: 200, body: requests };
      return { status: 404, body: { error: 'no such simulator route' } };
    },
    async api(req, method, path, _query, raw) {
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return err(400, 'Bad Request', 'Invalid request payload JSON format');
      }
      if (method === 'POST' && path === '/login') {
        if (!limiter.hit('login')) return tooMany();
        if (body?.email !== email || body?.password !== password) return err(500, 'Internal Server Error', 'Invalid email or password', 'INVALID_CREDENTIALS');
        loginCount++;
        const token = randomBytes(24).toString('hex');
        tokens.set(token, Date.now() + tokenTtlMs);
        return { status: 200, body: { token, is_pos_user: false, company_name: 'PT Kursus Demo', user: { email } } };
      }
      const token = String(req.headers.authorization ?? '');
      const expires = tokens.get(token);
      if (!token || !expires || expires < Date.now()) return err(401, 'Unauthorized', token ? 'Token expired or invalid' : 'Missing authentication');
      if (!limiter.hit(token)) return tooMany();
      if (method === 'POST' && (path === '/inventory/catalog/' || path === '/inventory/catalog')) return saveCatalog(body);
      let m = /^\/inventory\/items\/by-sku\/(.+)$/.exec(path);
      if (m && method === 'GET') {
        const sku = decodeURIComponent(m[1]!);
        const group = products.get(skuIndex.get(sku) ?? -1);
        const item = group?.product_skus.find((s) => s.item_code === sku);
        if (!group || !item) return err(404, 'Not Found', `Item ${sku} not found`);
        return { status: 200, body: { item_group_id: group.item_group_id, item_id: item.item_id, item_code: sku, item_name: group.item_group_name, sell_price: item.sell_price } };
      }
      m = /^\/sales\/orders\/(\d+)$/.exec(path);
      if (m && method === 'GET') {
        const order = salesOrders.get(Number(m[1]));
        if (!order) return err(404, 'Not Found', `Sales order ${m[1]} not found`);
        return { status: 200, body: order };
      }
      return err(404, 'Not Found', 'Not Found');
    },
  });

  return {
    restored: saved !== null,
    url: server.url,
    port: server.port,
    close: () => server.close(),
    faults,
    requests,
    products,
    productBySku: (sku) => products.get(skuIndex.get(sku) ?? -1),
    salesOrders,
    logins: () => loginCount,
    expireTokens: () => tokens.clear(),
    setRateLimit: (n) => {
      limiter.limit = n;
    },
    setPassword: (p) => {
      password = p;
    },
    rateLimited: () => rateLimited,
    setWebhook: (t) => {
      webhook = t;
    },
    putSalesOrder: (o) => {
      salesOrders.set(o.salesorder_id, structuredClone(o));
      persist();
    },
    webhookBody,
    sign: (body, target) => sign(body, target ?? webhook),
    deliverSalesOrder,
    reset,
  };
}
