// Typed client of the WordPress REST API for the course post type (one post per course date).
// Auth: an Application Password over HTTP Basic. Every response is validated with zod; failures
// become WordPressError. Retries with backoff on 5xx, 429 (Retry-After honoured, capped), network
// errors and timeouts; other 4xx are final. Logs and onCall carry method, URL, status and timing:
// never the password.
import { z } from 'zod';
import { NOT_SENT_CODES, errorCode } from '../net-errors.js';

export interface WordPressCall {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  error?: string;
}

export interface WordPressClientOptions {
  /** Site root, e.g. http://127.0.0.1:8080; the API is at `${baseUrl}/wp-json/wp/v2`. */
  baseUrl: string;
  user: string;
  appPassword: string;
  /** rest_base of the course post type. Default 'kursus'. */
  postType?: string;
  /** How custom fields are written: core post meta (`meta`) or Advanced Custom Fields (`acf`). Default 'meta'. */
  fieldMode?: 'meta' | 'acf';
  /** Per HTTP attempt, including reading the body. Default 10000. */
  timeoutMs?: number;
  /** Extra attempts after the first. Default 3. */
  retries?: number;
  /** Upper bound for one wait, including a server's Retry-After. Default 30000. */
  maxRetryDelayMs?: number;
  logger?: { warn(o: object, m?: string): void };
  /** Called once per HTTP attempt. */
  onCall?: (c: WordPressCall) => void;
  /** The fetch to use; buildKursus passes the request/response log's (src/connectors/http-log/). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

export type CourseFieldValue = string | number | boolean | null | Array<Record<string, string | null>>;

export interface CoursePostFields {
  title: string;
  status: 'publish' | 'draft';
  content: string;
  /** Sent as `{meta: ...}` or `{acf: ...}` according to fieldMode. */
  fields: Record<string, CourseFieldValue>;
  /**
   * Sent on create only (editors may change it later). A stable slug lets a create whose answer
   * was lost be found again (findPostsBySlug) instead of being sent twice.
   */
  slug?: string;
}

export interface WordPressPostSummary {
  id: number;
  status: string;
  slug?: string;
}

export class WordPressError extends Error {
  override name = 'WordPressError';
  status?: number;
  /** WordPress's error code, e.g. `rest_post_invalid_id`. */
  code?: string;
  /** Worth trying again later (5xx, 429, timeout, network). */
  retryable: boolean;
  /** The request may have taken effect although it failed (timeout, reset or 5xx after sending). */
  ambiguous: boolean;

  constructor(message: string, opts: { status?: number; code?: string; retryable?: boolean; ambiguous?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
    this.retryable = opts.retryable ?? false;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

const postSchema = z.looseObject({
  id: z.number({ error: 'id must be a number' }).int().positive(),
  status: z.string(),
  slug: z.string().optional(),
});
const postListSchema = z.array(postSchema);
const errorSchema = z.looseObject({
  code: z.string(),
  message: z.string().optional(),
  data: z.looseObject({ status: z.number().optional() }).nullish(),
});

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface RawResponse {
  status: number;
  json: unknown;
  jsonOk: boolean;
  retryAfterMs: number | null;
}

type Method = 'GET' | 'POST';

export class WordPressClient {
  readonly postType: string;
  readonly fieldMode: 'meta' | 'acf';
  private readonly apiBase: string;
  private readonly user: string;
  // A #private field: not enumerable, so a logger serialising the client cannot print it.
  readonly #authorization: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxRetryDelayMs: number;
  private readonly logger: WordPressClientOptions['logger'];
  private readonly onCall: WordPressClientOptions['onCall'];
  private readonly fetch: NonNullable<WordPressClientOptions['fetch']>;

  constructor(opts: WordPressClientOptions) {
    const root = opts.baseUrl.replace(/\/+$/, '');
    this.postType = opts.postType ?? 'kursus';
    if (!/^[a-z0-9_-]+$/i.test(this.postType)) throw new TypeError(`WordPress post type (rest_base) is invalid: ${JSON.stringify(this.postType)}`);
    this.fieldMode = opts.fieldMode ?? 'meta';
    this.apiBase = `${root}/wp-json/wp/v2/${this.postType}`;
    this.user = opts.user;
    this.#authorization = 'Basic ' + Buffer.from(`${opts.user}:${opts.appPassword}`, 'utf8').toString('base64');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retries = Math.max(0, opts.retries ?? 3);
    this.maxRetryDelayMs = Math.max(0, opts.maxRetryDelayMs ?? 30_000);
    this.logger = opts.logger;
    this.onCall = opts.onCall;
    this.fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    try {
      const u = new URL(root);
      // WordPress only accepts application passwords over HTTPS unless the site is a local environment.
      if (u.protocol === 'http:' && !isLoopback(u.hostname)) {
        this.logger?.warn({ baseUrl: root }, 'WordPress URL is not HTTPS: application passwords travel in clear text and WordPress may reject them');
      }
    } catch {
      throw new TypeError(`WordPress base URL is invalid: ${JSON.stringify(root)}`);
    }
  }

  /** POST /wp-json/wp/v2/<rest_base> -> 201. */
  async createPost(fields: CoursePostFields): Promise<{ id: number }> {
    const body = this.body(fields, true);
    const res = await this.send('POST', '', body, {
      // A create that may have landed is retried only when its slug lets us find it first.
      beforeRetryAfterAmbiguous: fields.slug
        ? async () => {
            const found = await this.findPostsBySlug(fields.slug!);
            return found[0] ? { id: found[0].id } : null;
          }
        : undefined,
    });
    if ('found' in res) return res.found;
    if (res.status !== 201 && res.status !== 200) throw this.httpError('POST', '', res);
    return { id: this.parse('POST', '', res, postSchema, 'post id').id };
  }

  /** POST /wp-json/wp/v2/<rest_base>/<id> -> 200. A missing post is a WordPressError with status 404. */
  async updatePost(id: number, fields: CoursePostFields): Promise<{ id: number }> {
    const path = `/${postIdPath(id)}`;
    const res = await this.request('POST', path, this.body(fields, false));
    if (res.status !== 200) throw this.httpError('POST', path, res);
    return { id: this.parse('POST', path, res, postSchema, 'post id').id };
  }

  /** GET /wp-json/wp/v2/<rest_base>/<id>; null when WordPress does not know the post (404). */
  async getPost(id: number): Promise<{ id: number; status: string } | null> {
    const path = `/${postIdPath(id)}?context=edit`;
    const res = await this.request('GET', path);
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.httpError('GET', path, res);
    const post = this.parse('GET', path, res, postSchema, 'post id');
    return { id: post.id, status: post.status };
  }

  /** Posts of the type with this slug, any status, lowest id first. */
  async findPostsBySlug(slug: string): Promise<WordPressPostSummary[]> {
    const path = `?slug=${encodeURIComponent(slug)}&status=any&context=edit&orderby=id&order=asc&per_page=10`;
    const res = await this.request('GET', path);
    if (res.status !== 200) throw this.httpError('GET', path, res);
    return this.parse('GET', path, res, postListSchema, 'post list').map((p) => ({ id: p.id, status: p.status, ...(p.slug !== undefined ? { slug: p.slug } : {}) }));
  }

  // ---- internals ----------------------------------------------------------------------------

  private body(fields: CoursePostFields, create: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = { title: fields.title, status: fields.status, content: fields.content };
    if (create && fields.slug) body.slug = fields.slug;
    body[this.fieldMode] = fields.fields;
    return body;
  }

  private async request(method: Method, path: string, body?: unknown): Promise<RawResponse> {
    const res = await this.send(method, path, body);
    if ('found' in res) throw new Error('unreachable: lookup without a lookup function');
    return res;
  }

  /**
   * Sends with retries. Returns the final response (any status) or, when a lookup before a retry
   * found the result of an earlier ambiguous attempt, `{found}`.
   */
  private async send(
    method: Method,
    path: string,
    body?: unknown,
    opts: { beforeRetryAfterAmbiguous?: () => Promise<{ id: number } | null> } = {},
  ): Promise<RawResponse | { found: { id: number } }> {
    const label = `${method} ${this.label(path)}`;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retries;
      let res: RawResponse | null = null;
      let failure: WordPressError | null = null;
      try {
        res = await this.attempt(method, path, body);
      } catch (err) {
        if (!(err instanceof WordPressError)) throw err;
        failure = err;
      }
      if (res && !(res.status === 429 || res.status >= 500)) return res;

      // A POST that timed out, was reset after sending, or got a 5xx may have been applied.
      const ambiguous = method === 'POST' && (failure ? failure.ambiguous : res!.status >= 500);
      // Updates send the whole post, so repeating one is harmless; a create is repeated only when
      // the caller can look up whether the earlier attempt landed.
      const repeatable = method === 'GET' || path !== '' || !!opts.beforeRetryAfterAmbiguous;
      const mayRetry = !last && (!ambiguous || repeatable);
      if (!mayRetry) {
        const error = failure ?? this.httpError(method, path, res!);
        error.ambiguous = ambiguous;
        this.logger?.warn({ method, url: this.label(path), attempts: attempt + 1, status: error.status, code: error.code, ambiguous }, 'WordPress request failed');
        throw error;
      }
      let delay = this.backoff(attempt);
      if (res?.status === 429 && res.retryAfterMs !== null) delay = Math.min(this.maxRetryDelayMs, Math.max(delay, res.retryAfterMs));
      this.logger?.warn({ method, url: this.label(path), attempt: attempt + 1, status: res?.status ?? failure?.status, error: failure?.message, retryInMs: delay }, `WordPress ${label} failed, retrying`);
      await sleep(delay);
      if (ambiguous && opts.beforeRetryAfterAmbiguous) {
        const found = await opts.beforeRetryAfterAmbiguous();
        if (found) return { found };
      }
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(BACKOFF_CAP_MS, this.maxRetryDelayMs, BACKOFF_BASE_MS * 2 ** attempt);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  /** One HTTP exchange with its own timeout covering the body. Throws WordPressError on timeout/network. */
  private async attempt(method: Method, path: string, body?: unknown): Promise<RawResponse> {
    const url = this.apiBase + path;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const started = performance.now();
    let status: number | null = null;
    const headers: Record<string, string> = { authorization: this.#authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    try {
      const res = await this.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal });
      status = res.status;
      const text = await res.text();
      let json: unknown;
      let jsonOk = false;
      if (text.length) {
        try {
          json = JSON.parse(text);
          jsonOk = true;
        } catch {
          /* reported by parse() when a body is required */
        }
      }
      this.report(method, url, status, started);
      return { status, json, jsonOk, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
    } catch (err) {
      const timedOut = controller.signal.aborted;
      const code = errorCode(err);
      const message = timedOut
        ? `WordPress ${method} ${this.label(path)} timed out after ${this.timeoutMs} ms`
        : `WordPress ${method} ${this.label(path)} failed: ${code ?? (err as Error)?.message ?? 'network error'}`;
      this.report(method, url, status, started, message);
      const notSent = !timedOut && !!code && NOT_SENT_CODES.has(code);
      throw new WordPressError(message, { status: status ?? undefined, retryable: true, ambiguous: !notSent, cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  private report(method: string, url: string, status: number | null, started: number, error?: string) {
    if (!this.onCall) return;
    const call: WordPressCall = { method, url, status, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    if (error) call.error = error;
    try {
      this.onCall(call);
    } catch {
      /* a broken hook must not break the call */
    }
  }

  private parse<S extends z.ZodType>(method: Method, path: string, res: RawResponse, schema: S, what: string): z.output<S> {
    const label = `${method} ${this.label(path)}`;
    if (!res.jsonOk) throw new WordPressError(`WordPress ${label} answered ${res.status} with a body that is not JSON`, { status: res.status });
    const parsed = schema.safeParse(res.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : '(body)';
      const detail = field === 'id' ? 'without a numeric post id' : `with an invalid ${what}: ${field}: ${issue?.message ?? 'invalid'}`;
      this.logger?.warn({ method, url: this.label(path), status: res.status, field }, 'WordPress returned an invalid body');
      throw new WordPressError(`WordPress ${label} answered ${res.status} ${detail}`, { status: res.status });
    }
    return parsed.data;
  }

  private httpError(method: Method, path: string, res: RawResponse): WordPressError {
    const label = `${method} ${this.label(path)}`;
    const e = errorSchema.safeParse(res.json);
    // Codes are identifiers; anything else is not echoed (it could carry data).
    const code = e.success && /^[a-z0-9_.-]{1,64}$/i.test(e.data.code) ? e.data.code : undefined;
    const wpMessage = e.success && e.data.message ? `: ${e.data.message.slice(0, 300)}` : '';
    const suffix = code ? ` (${code}${wpMessage})` : '';
    let message: string;
    if (res.status === 401) {
      message = `WordPress rejected the credentials of user "${this.user}" (401${code ? ` ${code}` : ''}) for ${label}; check WORDPRESS_USER and WORDPRESS_APP_PASSWORD (an application password, not the login password)`;
    } else if (res.status === 403) {
      message = `WordPress user "${this.user}" is not allowed to ${label} (403${code ? ` ${code}` : ''})`;
    } else if (res.status === 404 && code === 'rest_no_route') {
      message = `WordPress has no route for ${label} (404 rest_no_route); is the post type "${this.postType}" registered with show_in_rest?`;
    } else {
      message = `WordPress ${label} failed with HTTP ${res.status}${suffix}`;
    }
    return new WordPressError(message, { status: res.status, code, retryable: res.status === 429 || res.status >= 500 });
  }

  private label(path: string): string {
    const i = path.indexOf('?');
    return `/wp-json/wp/v2/${this.postType}${i < 0 ? path : path.slice(0, i)}`;
  }
}

function postIdPath(id: number): string {
  if (!Number.isInteger(id) || id <= 0) throw new RangeError(`WordPress post id must be a positive integer, got ${id}`);
  return String(id);
}

function parseRetryAfter(v: string | null): number | null {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.test');
}
