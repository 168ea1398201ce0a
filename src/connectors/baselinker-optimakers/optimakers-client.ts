// Typed client of the Optimakers (OptiMES) API. Its order and product endpoints are not public
// (EXTERNAL-APIS.md), so everything that encodes them lives in this one module (paths, header name,
// shapes; the simulator in src/simulators/optimakers.ts implements the same): adapting to the real
// API touches this file. Reads are retried on 5xx/429/timeouts; `createOrder` is never retried here,
// because Optimakers does not deduplicate: the import looks the order up by its external id first.
import { z } from 'zod';
import { CommerceUpstream, UpstreamError, type CommerceConnectionOptions, type RawResponse } from '../commerce/http.js';
import { defaultRetry } from '../../http/upstream.js';
import { markSecretHeader } from '../http-log/redact.js';

/** Defaults: 15 s per attempt, backoff from 300 ms; no request limit of its own. */
export interface OptimakersClientOptions extends CommerceConnectionOptions {
  baseUrl: string;
  apiKey: string;
  /** Header that carries the API key. Default `X-Api-Key`. */
  apiKeyHeader?: string;
}

export interface OptimakersOrderInput {
  externalId: string;
  statusId: number;
  currencyId: number;
  customer: { name: string; email: string; phone: string; attributes: { attributeId: number; value: string }[] };
  delivery: { fullName: string; company: string; address: string; postcode: string; city: string; countryCode: string };
  attributes: { attributeId: number; value: string }[];
  lines: { name: string; sku: string; ean: string; quantity: number; unitPriceGross: number; currencyId: number; vatRateId: number }[];
}

const id = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
export const optimakersOrderSchema = z.looseObject({
  id,
  externalId: z.string().nullish(),
  statusId: id.nullish(),
  realised: z.boolean().nullish(),
  realisedAt: z.string().nullish(),
});
export type OptimakersOrderWire = z.infer<typeof optimakersOrderSchema>;
export const optimakersProductSchema = z.looseObject({ id, name: z.string().nullish(), sku: z.string().nullish() });
export type OptimakersProductWire = z.infer<typeof optimakersProductSchema>;
const listSchema = z.looseObject({ items: z.array(optimakersOrderSchema) });
const createdSchema = z.looseObject({ id });
const idList = z.array(z.looseObject({ id, name: z.string().nullish(), code: z.string().nullish(), rate: z.number().nullish(), entity: z.string().nullish() }));
const errorSchema = z.looseObject({ message: z.string().optional(), field: z.string().optional(), error: z.string().optional() });

const SYSTEM = 'Optimakers';

export class OptimakersClient {
  private readonly base: string;
  readonly #apiKey: string;
  private readonly header: string;
  private readonly upstream: CommerceUpstream;

  constructor(opts: OptimakersClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.#apiKey = opts.apiKey;
    this.header = (opts.apiKeyHeader ?? 'X-Api-Key').toLowerCase();
    markSecretHeader(this.header);
    this.upstream = new CommerceUpstream(SYSTEM, opts, { timeoutMs: 15_000, backoffBaseMs: 300 });
  }

  async findOrdersByExternalId(externalId: string): Promise<OptimakersOrderWire[]> {
    const path = `/api/orders?externalId=${encodeURIComponent(externalId)}`;
    const res = await this.read(path);
    if (res.status !== 200) throw this.httpError(`GET ${path}`, res);
    // Optimakers may match loosely; only exact external ids count.
    return this.upstream.parse(`GET ${path}`, res, listSchema).items.filter((o) => o.externalId === externalId);
  }

  /** One attempt only: a failure may have created the order (see the import's look-up). */
  async createOrder(order: OptimakersOrderInput): Promise<{ id: number }> {
    const res = await this.upstream.call({ method: 'POST', url: this.base + '/api/orders', headers: this.headers(true), body: JSON.stringify(order), label: 'POST /api/orders', retries: 0 }, { write: true });
    if (res.status !== 201 && res.status !== 200) {
      const err = this.httpError('POST /api/orders', res);
      err.ambiguous = res.status >= 500;
      throw err;
    }
    return { id: this.upstream.parse('POST /api/orders', res, createdSchema).id };
  }

  async getOrder(orderId: number): Promise<OptimakersOrderWire | null> {
    const path = `/api/orders/${orderId}`;
    const res = await this.read(path);
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.httpError(`GET ${path}`, res);
    return this.upstream.parse(`GET ${path}`, res, optimakersOrderSchema);
  }

  async getProduct(productId: number): Promise<OptimakersProductWire | null> {
    const path = `/api/products/${productId}`;
    const res = await this.read(path);
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.httpError(`GET ${path}`, res);
    return this.upstream.parse(`GET ${path}`, res, optimakersProductSchema);
  }

  /** Reference lists for the check command. */
  async list(kind: 'currencies' | 'vat-rates' | 'order-statuses' | 'attributes') {
    const path = `/api/${kind}`;
    const res = await this.read(path);
    if (res.status !== 200) throw this.httpError(`GET ${path}`, res);
    return this.upstream.parse(`GET ${path}`, res, idList);
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { [this.header]: this.#apiKey, accept: 'application/json' };
    if (json) h['content-type'] = 'application/json';
    return h;
  }

  /** GET, retried on failures, 5xx and 429 (after its Retry-After, at most a minute, default 1 s). */
  private async read(path: string): Promise<RawResponse> {
    const res = await this.upstream.call({
      method: 'GET',
      url: this.base + path,
      headers: this.headers(false),
      label: `GET ${path}`,
      retry: (o, idempotent) => (o.response?.status === 429 ? { afterMs: Math.min(60_000, o.response.retryAfterMs ?? 1000) } : defaultRetry(o, idempotent)),
    });
    if (res.status === 429 || res.status >= 500) throw this.httpError(`GET ${path}`, res);
    return res;
  }

  private httpError(label: string, res: RawResponse): UpstreamError {
    const e = errorSchema.safeParse(res.json);
    const detail = e.success && e.data.message ? `: ${e.data.message.slice(0, 300)}${e.data.field ? ` (field ${e.data.field})` : ''}` : '';
    const hint = res.status === 401 ? '; check OPTIMES_API_KEY (optimesApiKey)' : '';
    return new UpstreamError(SYSTEM, `Optimakers ${label} answered ${res.status}${detail}${hint}`, { status: res.status, retryable: res.status === 429 || res.status >= 500 });
  }
}
