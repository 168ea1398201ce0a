// Typed client of the Jubelio API (EXTERNAL-APIS.md). Logs in with `POST /login`, caches the token
// until shortly before its 12 hours are up, sends it raw as `authorization`, logs in again once on a
// 401. Stays under the per-minute limit with a per-process limiter (540, 90% of Jubelio's 600, by
// default); a 429 pauses every caller for the configured wait (Jubelio: "wait a minute"); 5xx,
// timeouts and network errors are retried with jittered backoff. A create (`item_group_id: 0`)
// whose answer was lost is never repeated blindly: the SKU is looked up first. Responses are
// validated; the password and token are never logged.
import { z } from 'zod';
import { CommerceUpstream, UpstreamError, type CommerceConnectionOptions, type CommerceRateLimitOptions, type MinuteRateLimiter, type RawResponse } from '../commerce/http.js';
import { defaultRetry, type RetryVerdict, type UpstreamOutcome } from '../../http/upstream.js';

/** Defaults: 10 s per attempt, backoff from 200 ms, 540 requests a minute (90% of Jubelio's 600). */
export interface JubelioClientOptions extends CommerceConnectionOptions, CommerceRateLimitOptions {
  baseUrl: string;
  email: string;
  password: string;
  /** How long a token is reused. Default 11 h 50 min (Jubelio: 12 h). */
  tokenTtlMs?: number;
}

export interface JubelioSkuInput {
  item_id: number;
  item_code: string;
  sell_price: number;
  buy_price: number;
  barcode: string | null;
  variation_values: unknown[];
}

export interface JubelioCatalogInput {
  item_group_id: number;
  item_group_name: string;
  description: string;
  sell_price: number;
  buy_price: number;
  uom_id: number;
  item_category_id: number;
  brand_id: number | null;
  product_skus: JubelioSkuInput[];
}

const loginSchema = z.looseObject({ token: z.string().min(1) });
const catalogSchema = z.looseObject({ id: z.number().int().positive(), item_ids: z.array(z.number().int()) });
const bySkuSchema = z.looseObject({ item_group_id: z.number().int().positive(), item_id: z.number().int().positive() });
export const jubelioSalesOrderSchema = z.looseObject({
  salesorder_id: z.number().int().positive(),
  salesorder_no: z.string(),
  status: z.string(),
  customer_name: z.string().nullish(),
  items: z.array(z.looseObject({})).optional(),
});
export type JubelioSalesOrderWire = z.infer<typeof jubelioSalesOrderSchema>;
const errorSchema = z.looseObject({ statusCode: z.number().optional(), error: z.string().optional(), message: z.string().optional(), code: z.string().optional() });

const SYSTEM = 'Jubelio';
/** 90% of Jubelio's 600 requests/minute. */
export const JUBELIO_DEFAULT_RATE_LIMIT = 540;

export class JubelioClient {
  private readonly base: string;
  private readonly email: string;
  readonly #password: string;
  #token: { value: string; expiresAt: number } | null = null;
  #loggingIn: Promise<string> | null = null;
  private readonly tokenTtlMs: number;
  private readonly upstream: CommerceUpstream;
  readonly limiter: MinuteRateLimiter;
  /** Logins performed (operators see it in the check; tests count token reuse). */
  logins = 0;

  constructor(opts: JubelioClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.email = opts.email;
    this.#password = opts.password;
    this.tokenTtlMs = opts.tokenTtlMs ?? (12 * 60 - 10) * 60_000;
    this.upstream = new CommerceUpstream(SYSTEM, opts, { timeoutMs: 10_000, backoffBaseMs: 200, rateLimitPerMinute: JUBELIO_DEFAULT_RATE_LIMIT });
    this.limiter = this.upstream.limiter!;
  }

  /** Logs in now (the check command); returns nothing, throws an UpstreamError naming the problem. */
  async verifyLogin(): Promise<void> {
    this.#token = null;
    await this.token();
  }

  /** `POST /inventory/catalog/`: creates (item_group_id 0) or edits a product group. */
  async saveProductGroup(group: JubelioCatalogInput): Promise<{ id: number; itemIds: number[] }> {
    const creating = group.item_group_id === 0;
    const sku = group.product_skus[0]?.item_code;
    const res = await this.request('POST', '/inventory/catalog/', group, {
      // Edits send the whole group, so repeating one is harmless; a create is repeated only after
      // looking up whether the lost attempt created the SKU.
      beforeRetryAfterAmbiguous:
        creating && sku
          ? async () => {
              const found = await this.findItemBySku(sku);
              return found ? { id: found.itemGroupId, itemIds: [found.itemId] } : null;
            }
          : undefined,
    });
    if ('found' in res) return res.found;
    if (res.status !== 200 && res.status !== 201) throw this.httpError('POST /inventory/catalog/', res);
    const body = this.upstream.parse('POST /inventory/catalog/', res, catalogSchema);
    return { id: body.id, itemIds: body.item_ids };
  }

  /** `GET /inventory/items/by-sku/{sku}`; null when Jubelio has no such SKU. */
  async findItemBySku(sku: string): Promise<{ itemGroupId: number; itemId: number } | null> {
    const path = `/inventory/items/by-sku/${encodeURIComponent(sku)}`;
    const res = await this.request('GET', path);
    if ('found' in res) throw new Error('unreachable');
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.httpError(`GET ${path}`, res);
    const b = this.upstream.parse(`GET ${path}`, res, bySkuSchema);
    return { itemGroupId: b.item_group_id, itemId: b.item_id };
  }

  /** `GET /sales/orders/{id}`: the full order (names unmasked); null when unknown. */
  async getSalesOrder(id: number): Promise<JubelioSalesOrderWire | null> {
    const path = `/sales/orders/${id}`;
    const res = await this.request('GET', path);
    if ('found' in res) throw new Error('unreachable');
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.httpError(`GET ${path}`, res);
    return this.upstream.parse(`GET ${path}`, res, jubelioSalesOrderSchema);
  }

  // ---- internals -----------------------------------------------------------------------------

  private async token(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now()) return this.#token.value;
    // Concurrent callers share one login.
    this.#loggingIn ??= this.login().finally(() => {
      this.#loggingIn = null;
    });
    return this.#loggingIn;
  }

  private async login(): Promise<string> {
    const res = await this.upstream.call({
      method: 'POST',
      url: this.base + '/login',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: this.email, password: this.#password }),
      label: 'POST /login',
      // A login changes nothing: repeated after any failure.
      idempotent: true,
      retry: (o, idempotent) => (o.response && this.credentialsRejected(o.response) ? false : this.retryVerdict(o, idempotent)),
    });
    if (res.status === 200) {
      const body = this.upstream.parse('POST /login', res, loginSchema);
      this.logins++;
      this.#token = { value: body.token, expiresAt: Date.now() + this.tokenTtlMs };
      return body.token;
    }
    if (this.credentialsRejected(res)) {
      const e = errorSchema.safeParse(res.json);
      throw new UpstreamError(SYSTEM, `Jubelio rejected the login of ${this.email} (${res.status}); check JUBELIO_EMAIL and JUBELIO_PASSWORD`, { status: res.status, code: e.success ? e.data.code : undefined });
    }
    throw this.httpError('POST /login', res);
  }

  /** Jubelio answers bad credentials with a 500 too; that is not worth retrying. */
  private credentialsRejected(res: RawResponse): boolean {
    if (res.status === 200) return false;
    const e = errorSchema.safeParse(res.json);
    const text = `${e.success ? (e.data.message ?? '') : ''} ${e.success ? (e.data.code ?? '') : ''}`;
    return res.status === 401 || res.status === 403 || /invalid|password|credential|not found/i.test(text);
  }

  /** The kit's default, except that a 429 pauses every caller for the configured wait (Jubelio: "wait a minute"). */
  private retryVerdict(o: UpstreamOutcome, idempotent: boolean): RetryVerdict {
    if (o.response?.status === 429) return this.upstream.pauseForRateLimit(o.response);
    return defaultRetry(o, idempotent);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    opts: { beforeRetryAfterAmbiguous?: () => Promise<{ id: number; itemIds: number[] } | null> } = {},
  ): Promise<RawResponse | { found: { id: number; itemIds: number[] } }> {
    const label = `${method} ${path}`;
    // An edit carries the whole group, so repeating it is harmless; a create only with a look-up first.
    const isCreate = method === 'POST' && (body as { item_group_id?: number } | undefined)?.item_group_id === 0;
    for (let relogged = false; ; relogged = true) {
      const token = await this.token();
      const headers: Record<string, string> = { authorization: token, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await this.upstream.callOrFind(
        {
          method,
          url: this.base + path,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          label,
          idempotent: method === 'GET' || !isCreate || !!opts.beforeRetryAfterAmbiguous,
          // A 401 is answered below (log in again once), not retried with the same token.
          retry: (o, idempotent) => (o.response?.status === 401 ? false : this.retryVerdict(o, idempotent)),
          beforeRetryAfterAmbiguous: opts.beforeRetryAfterAmbiguous,
        },
        { write: method === 'POST' },
      );
      if ('found' in res) return res;
      if (res.status === 401 && !relogged) {
        // The token expired early or was revoked: log in again once, not counted as a retry.
        if (this.#token?.value === token) this.#token = null;
        continue;
      }
      if (!(res.status === 429 || res.status >= 500)) return res;
      const error = this.httpError(label, res);
      error.ambiguous = method === 'POST' && res.status >= 500;
      throw error;
    }
  }

  private httpError(label: string, res: RawResponse): UpstreamError {
    const e = errorSchema.safeParse(res.json);
    const detail = e.success && e.data.message ? `: ${e.data.message.slice(0, 300)}` : '';
    return new UpstreamError(SYSTEM, `Jubelio ${label} answered ${res.status}${detail}`, {
      status: res.status,
      code: e.success ? e.data.code : undefined,
      retryable: res.status === 429 || res.status >= 500,
    });
  }
}
