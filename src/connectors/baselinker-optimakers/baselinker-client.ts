// Typed client of the BaseLinker API (EXTERNAL-APIS.md): `POST connector.php` with `X-BLToken`,
// form body `method` + `parameters` (JSON). Success and failure are told by the body's `status`,
// not the HTTP code. Stays under 100 requests/minute with a per-process limiter (90 by default); a
// rate-limit answer (HTTP 429 or an error code about the query limit) pauses all calls; 5xx, an
// answer that is not JSON (a proxy's HTML error page), timeouts and network errors are retried with
// backoff. The methods used here are idempotent (reads, and setting a status), so repeats are safe.
import { z } from 'zod';
import { CommerceUpstream, firstIssue, UpstreamError, type CommerceConnectionOptions, type CommerceRateLimitOptions, type MinuteRateLimiter } from '../commerce/http.js';
import { defaultRetry, type RetryVerdict, type UpstreamOutcome } from '../../http/upstream.js';

/** Defaults: 15 s per attempt, backoff from 300 ms, 90 requests a minute (90% of BaseLinker's 100). */
export interface BaseLinkerClientOptions extends CommerceConnectionOptions, CommerceRateLimitOptions {
  /** Full endpoint, e.g. https://api.baselinker.com/connector.php */
  url: string;
  token: string;
}

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const str = z.union([z.string(), z.number().transform(String)]).nullish().transform((v) => v ?? '');

export const baseLinkerOrderSchema = z.looseObject({
  order_id: num,
  shop_order_id: num.nullish(),
  order_status_id: num,
  date_confirmed: num,
  user_login: str,
  email: str,
  phone: str,
  currency: z.string().min(1),
  payment_method: str,
  user_comments: str,
  delivery_method: str,
  delivery_price: num.nullish().transform((v) => v ?? 0),
  delivery_fullname: str,
  delivery_company: str,
  delivery_address: str,
  delivery_postcode: str,
  delivery_city: str,
  delivery_country_code: str,
  invoice_fullname: str,
  extra_field_1: str,
  extra_field_2: str,
  products: z.array(
    z.looseObject({
      product_id: str,
      variant_id: z.union([z.number(), z.string()]).nullish(),
      name: str,
      sku: str,
      ean: str,
      price_brutto: num,
      tax_rate: num,
      quantity: num,
    }),
  ),
});
export type BaseLinkerOrderWire = z.infer<typeof baseLinkerOrderSchema>;

const envelopeSchema = z.looseObject({ status: z.string(), error_code: z.string().optional(), error_message: z.string().optional() });
const ordersSchema = z.looseObject({ orders: z.array(z.unknown()) });
const statusesSchema = z.looseObject({ statuses: z.array(z.looseObject({ id: num, name: z.string() })) });

const SYSTEM = 'BaseLinker';
/** 90% of BaseLinker's 100 requests/minute. */
export const BASELINKER_DEFAULT_RATE_LIMIT = 90;
const isRateLimit = (code: string | undefined, message: string | undefined) => /LIMIT|BLOCK/i.test(code ?? '') || /limit exceeded|blocked/i.test(message ?? '');

export class BaseLinkerClient {
  private readonly url: string;
  readonly #token: string;
  private readonly upstream: CommerceUpstream;
  readonly limiter: MinuteRateLimiter;

  constructor(opts: BaseLinkerClientOptions) {
    this.url = opts.url;
    this.#token = opts.token;
    this.upstream = new CommerceUpstream(SYSTEM, opts, { timeoutMs: 15_000, backoffBaseMs: 300, rateLimitPerMinute: BASELINKER_DEFAULT_RATE_LIMIT });
    this.limiter = this.upstream.limiter!;
  }

  /**
   * getOrders: at most 100 orders, oldest confirmation first. Each order is validated on its own:
   * a malformed one comes back as `{invalid}` with the reason, so it cannot block the others.
   */
  async getOrders(params: { status_id?: number; date_confirmed_from?: number; order_id?: number; id_from?: number }): Promise<{ orders: BaseLinkerOrderWire[]; invalid: { orderId: string; reason: string }[]; received: number; lastDateConfirmed: number | null }> {
    const body = await this.call('getOrders', params);
    const parsed = ordersSchema.safeParse(body);
    if (!parsed.success) throw new UpstreamError(SYSTEM, `BaseLinker getOrders answered without an orders list: ${firstIssue(parsed.error)}`);
    const orders: BaseLinkerOrderWire[] = [];
    const invalid: { orderId: string; reason: string }[] = [];
    let lastDateConfirmed: number | null = null;
    for (const raw of parsed.data.orders) {
      const dc = Number((raw as { date_confirmed?: unknown })?.date_confirmed);
      if (Number.isFinite(dc)) lastDateConfirmed = Math.max(lastDateConfirmed ?? dc, dc);
      const o = baseLinkerOrderSchema.safeParse(raw);
      if (o.success) orders.push(o.data);
      else invalid.push({ orderId: String((raw as { order_id?: unknown })?.order_id ?? '?'), reason: `BaseLinker order is malformed: ${firstIssue(o.error)}` });
    }
    return { orders, invalid, received: parsed.data.orders.length, lastDateConfirmed };
  }

  async setOrderStatus(orderId: number, statusId: number): Promise<void> {
    await this.call('setOrderStatus', { order_id: orderId, status_id: statusId });
  }

  async getOrderStatusList(): Promise<{ id: number; name: string }[]> {
    const parsed = statusesSchema.safeParse(await this.call('getOrderStatusList', {}));
    if (!parsed.success) throw new UpstreamError(SYSTEM, `BaseLinker getOrderStatusList answered an unexpected body: ${firstIssue(parsed.error)}`);
    return parsed.data.statuses.map((s) => ({ id: s.id, name: s.name }));
  }

  /** One API method; returns the SUCCESS body or throws UpstreamError with BaseLinker's error code. */
  async call(method: string, parameters: Record<string, unknown>): Promise<Record<string, unknown>> {
    const form = new URLSearchParams({ method, parameters: JSON.stringify(parameters) }).toString();
    const res = await this.upstream.call({
      method: 'POST',
      url: this.url,
      headers: { 'x-bltoken': this.#token, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      label: method,
      // The methods used here are reads and setting a status: repeating one is harmless.
      idempotent: true,
      retry: (o) => this.retryVerdict(o, method),
    });
    // An HTML page with 200 comes from something in front of BaseLinker (maintenance, a captive
    // proxy), not from the API: retried like a 5xx.
    if (res.status === 200 && !res.jsonOk) throw new UpstreamError(SYSTEM, `BaseLinker ${method} answered ${res.status} with a body that is not JSON`, { status: res.status, retryable: true });
    if (res.status === 200) {
      const env = envelopeSchema.safeParse(res.json);
      if (!env.success) throw new UpstreamError(SYSTEM, `BaseLinker ${method} answered without a status`, { status: res.status });
      if (env.data.status === 'SUCCESS') return res.json as Record<string, unknown>;
      const code = env.data.error_code;
      if (isRateLimit(code, env.data.error_message)) throw new UpstreamError(SYSTEM, `BaseLinker ${method}: query limit exceeded`, { status: 200, code, retryable: true });
      const hint = code === 'ERROR_BAD_TOKEN' ? '; check BASELINKER_API_KEY (baselinkerApiKey)' : '';
      throw new UpstreamError(SYSTEM, `BaseLinker ${method} failed: ${code ?? 'ERROR'}: ${(env.data.error_message ?? '').slice(0, 300)}${hint}`, { status: 200, code });
    }
    if (res.status === 429) throw new UpstreamError(SYSTEM, `BaseLinker ${method}: query limit exceeded`, { status: 429, retryable: true });
    throw new UpstreamError(SYSTEM, `BaseLinker ${method} answered HTTP ${res.status}`, { status: res.status, retryable: res.status >= 500 });
  }

  /** Failures, 5xx and non-JSON pages are retried with backoff; a rate-limit answer (429 or its error code) pauses every caller. */
  private retryVerdict(o: UpstreamOutcome, method: string): RetryVerdict {
    if (o.failure) return defaultRetry(o, true);
    const res = o.response;
    let rateLimited = res.status === 429;
    if (res.status === 200) {
      if (!res.jsonOk) return true;
      const env = envelopeSchema.safeParse(res.json);
      rateLimited = env.success && env.data.status !== 'SUCCESS' && isRateLimit(env.data.error_code, env.data.error_message);
    }
    if (rateLimited) return this.upstream.pauseForRateLimit(res, { method });
    return res.status >= 500;
  }
}
