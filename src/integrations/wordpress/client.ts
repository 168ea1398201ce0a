// Typed client of the WordPress REST API for the course post type (one post per course date).
// Auth: an Application Password over HTTP Basic. Every response is validated with zod; failures
// become WordPressError. Retries with backoff on 5xx, 429 (Retry-After honoured, capped), network
// errors and timeouts; other 4xx are final. Logs and onCall carry method, URL, status and timing:
// never the password.
import { z } from 'zod';
import { Upstream, UpstreamFailure, type UpstreamResponse } from '../../http/upstream.js';
import { KURSUS_ID_FIELD } from './fields.js';

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
  /** The course date's Kursus id (its maconomyId, stored as kursus_maconomy_id): how a post is found again. */
  kursusId?: string;
}

export interface WordPressPostSummary {
  id: number;
  status: string;
  slug?: string;
}

/** A post as WordPress answered a create or update (context edit): what Kursus verifies. */
export interface WordPressPost extends WordPressPostSummary {
  title?: string;
  content?: string;
  /** `meta` or `acf`, by field mode; absent when WordPress sent none (no custom-fields support). */
  fields?: Record<string, unknown>;
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
  /**
   * WordPress handled the request as anonymous although credentials were sent: the application
   * password was not accepted (wrong, revoked, not allowed over http, or the header never reached PHP).
   */
  credentialsRejected = false;

  constructor(message: string, opts: { status?: number; code?: string; retryable?: boolean; ambiguous?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
    this.retryable = opts.retryable ?? false;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

const rawText = z.union([z.string(), z.looseObject({ raw: z.string().optional() })]).optional();
const postSchema = z.looseObject({
  id: z.number({ error: 'id must be a number' }).int().positive(),
  status: z.string(),
  slug: z.string().optional(),
  title: rawText,
  content: rawText,
  // WordPress sends [] rather than {} when there is nothing.
  meta: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  acf: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.boolean()]).optional(),
});
const postListSchema = z.array(postSchema);
const errorSchema = z.looseObject({
  code: z.string(),
  message: z.string().optional(),
  data: z
    .looseObject({
      status: z.number().optional(),
      // rest_invalid_param: which parameter failed and why (e.g. status -> rest_forbidden_status).
      details: z.record(z.string(), z.looseObject({ code: z.string().optional() })).optional(),
    })
    .nullish(),
});

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
  private readonly root: string;
  private readonly user: string;
  // A #private field: not enumerable, so a logger serialising the client cannot print it.
  readonly #authorization: string;
  private readonly logger: WordPressClientOptions['logger'];
  private readonly upstream: Upstream;

  constructor(opts: WordPressClientOptions) {
    const root = opts.baseUrl.replace(/\/+$/, '');
    this.postType = opts.postType ?? 'kursus';
    if (!/^[a-z0-9_-]+$/i.test(this.postType)) throw new TypeError(`WordPress post type (rest_base) is invalid: ${JSON.stringify(this.postType)}`);
    this.fieldMode = opts.fieldMode ?? 'meta';
    this.apiBase = `${root}/wp-json/wp/v2/${this.postType}`;
    this.root = root;
    this.user = opts.user;
    this.#authorization = 'Basic ' + Buffer.from(`${opts.user}:${opts.appPassword}`, 'utf8').toString('base64');
    const maxRetryDelayMs = Math.max(0, opts.maxRetryDelayMs ?? 30_000);
    const onCall = opts.onCall;
    this.upstream = new Upstream({
      system: 'WordPress',
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs ?? 10_000,
      retries: opts.retries ?? 3,
      backoffBaseMs: 100,
      backoffCapMs: Math.min(5000, maxRetryDelayMs),
      maxRetryAfterMs: maxRetryDelayMs,
      logger: opts.logger,
      onAttempt: onCall ? (a) => onCall({ method: a.method, url: a.url, status: a.status, durationMs: a.durationMs, ...(a.error ? { error: a.error } : {}) }) : undefined,
    });
    this.logger = opts.logger;
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

  /**
   * POST /wp-json/wp/v2/<rest_base> -> 201. An adopted post (an earlier attempt of this create
   * landed, found by Kursus id or slug before a retry) comes back without fields: `adopted` true.
   */
  async createPost(fields: CoursePostFields): Promise<WordPressPost & { adopted?: boolean }> {
    const body = this.body(fields, { create: true, status: true });
    const res = await this.send('POST', '', body, {
      // A create that may have landed is retried only when we can find it first.
      beforeRetryAfterAmbiguous:
        fields.slug || fields.kursusId
          ? async () => {
              const found = await this.findPost({ kursusId: fields.kursusId, slug: fields.slug });
              return found[0] ? { id: found[0].id } : null;
            }
          : undefined,
    });
    if ('found' in res) return { id: res.found.id, status: fields.status, adopted: true };
    if (res.status !== 201 && res.status !== 200) throw this.httpError('POST', '', res);
    return this.toPost(this.parse('POST', '', res, postSchema, 'post id'));
  }

  /**
   * POST /wp-json/wp/v2/<rest_base>/<id> -> 200. A missing post is a WordPressError with status
   * 404 and code `rest_post_invalid_id` (see isPostGone). `sendStatus` false leaves the post's
   * status as the site has it (e.g. an editor's trash).
   */
  async updatePost(id: number, fields: CoursePostFields, opts: { sendStatus?: boolean } = {}): Promise<WordPressPost> {
    const path = `/${postIdPath(id)}`;
    const res = await this.request('POST', path, this.body(fields, { create: false, status: opts.sendStatus ?? true }));
    if (res.status !== 200) throw this.httpError('POST', path, res);
    return this.toPost(this.parse('POST', path, res, postSchema, 'post id'));
  }

  /**
   * Posts of one course date, lowest id first: by its Kursus id (kursus_maconomy_id, a query the
   * companion plugin adds), else by slug. Only posts whose stored Kursus id matches (or, by slug,
   * whose slug matches) are returned, so a site that ignores the query parameter cannot hand us
   * somebody else's post.
   */
  async findPost(key: { kursusId?: string; slug?: string }): Promise<WordPressPostSummary[]> {
    if (key.kursusId) {
      const path = `?${KURSUS_ID_FIELD}=${encodeURIComponent(key.kursusId)}&status=any&context=edit&orderby=id&order=asc&per_page=20`;
      const res = await this.request('GET', path);
      if (res.status !== 200) throw this.httpError('GET', path, res);
      const hits = this.parse('GET', path, res, postListSchema, 'post list').filter((p) => {
        const f = fieldsOf(p, this.fieldMode) ?? fieldsOf(p, 'meta');
        return f?.[KURSUS_ID_FIELD] === key.kursusId;
      });
      if (hits.length) return hits.map((p) => ({ id: p.id, status: p.status, ...(p.slug !== undefined ? { slug: p.slug } : {}) }));
    }
    return key.slug ? (await this.findPostsBySlug(key.slug)).filter((p) => p.slug === undefined || p.slug === key.slug) : [];
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

  /**
   * One authenticated request to `${baseUrl}/wp-json${restPath}` without retries, for the
   * connector check: the status and the JSON body (null when there is none or it is not JSON).
   */
  async probe(method: 'GET' | 'OPTIONS', restPath: string): Promise<{ status: number; json: unknown }> {
    try {
      const res = await this.upstream.call({ method, url: `${this.root}/wp-json${restPath}`, headers: { authorization: this.#authorization, accept: 'application/json' }, label: `${method} /wp-json${restPath}`, retries: 0 });
      // null when there is none or it is not JSON: e.g. the theme's 404 page when pretty permalinks are off.
      return { status: res.status, json: res.jsonOk ? res.json : null };
    } catch (err) {
      if (err instanceof UpstreamFailure) throw this.fromFailure(method === 'GET' ? 'GET' : 'POST', err);
      throw err;
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private body(fields: CoursePostFields, opts: { create: boolean; status: boolean }): Record<string, unknown> {
    const body: Record<string, unknown> = { title: fields.title, content: fields.content };
    if (opts.status) body.status = fields.status;
    if (opts.create && fields.slug) body.slug = fields.slug;
    body[this.fieldMode] = fields.fields;
    return body;
  }

  private toPost(p: z.output<typeof postSchema>): WordPressPost {
    const out: WordPressPost = { id: p.id, status: p.status };
    if (p.slug !== undefined) out.slug = p.slug;
    const title = rawOf(p.title);
    const content = rawOf(p.content);
    if (title !== undefined) out.title = title;
    if (content !== undefined) out.content = content;
    const fields = fieldsOf(p, this.fieldMode);
    if (fields) out.fields = fields;
    return out;
  }

  private async request(method: Method, path: string, body?: unknown): Promise<RawResponse> {
    const res = await this.send(method, path, body);
    if ('found' in res) throw new Error('unreachable: lookup without a lookup function');
    return res;
  }

  /**
   * Sends through the upstream kit (src/http/upstream.ts) with retries. Returns the final response
   * (any status) or, when a lookup before a retry found the result of an earlier ambiguous
   * attempt, `{found}`.
   */
  private async send(
    method: Method,
    path: string,
    body?: unknown,
    opts: { beforeRetryAfterAmbiguous?: () => Promise<{ id: number } | null> } = {},
  ): Promise<RawResponse | { found: { id: number } }> {
    const headers: Record<string, string> = { authorization: this.#authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    const lookup = opts.beforeRetryAfterAmbiguous;
    let res: UpstreamResponse | { found: { id: number } };
    try {
      res = await this.upstream.callOrFind({
        method,
        url: this.apiBase + path,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        label: `${method} ${this.label(path)}`,
        // Updates send the whole post, so repeating one is harmless; a create is repeated only when
        // the caller can look up whether the earlier attempt landed.
        idempotent: method === 'GET' || path !== '' || !!lookup,
        beforeRetryAfterAmbiguous: lookup
          ? async (outcome) => {
              try {
                return await lookup();
              } catch (lookupError) {
                // The first cause stays the error; the failed look-up is only added to it.
                const error = outcome.failure ? this.fromFailure(method, outcome.failure) : this.httpError(method, path, outcome.response);
                error.ambiguous = true;
                error.message += `; looking the post up before a retry failed too: ${(lookupError as Error)?.message ?? lookupError}`;
                throw error;
              }
            }
          : undefined,
      });
    } catch (err) {
      if (err instanceof UpstreamFailure) throw this.fromFailure(method, err);
      throw err;
    }
    if ('found' in res || !(res.status === 429 || res.status >= 500)) return res;
    // A POST that got a 5xx may have been applied.
    const error = this.httpError(method, path, res);
    error.ambiguous = method === 'POST' && res.status >= 500;
    throw error;
  }

  /** The kit's failure as a WordPressError: timeouts and network errors are retryable, a redirect is not. */
  private fromFailure(method: Method, f: UpstreamFailure): WordPressError {
    const redirect = f.kind === 'redirect';
    return new WordPressError(f.message, { status: f.status, retryable: !redirect, ambiguous: method === 'POST' && f.ambiguous && !redirect, cause: f.cause ?? f });
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
    // WordPress answers 401 only to requests it handles as anonymous (a logged-in user without the
    // right gets 403), and an anonymous `status=any` look-up fails as 400 rest_invalid_param with
    // rest_forbidden_status. Either way the application password was not accepted.
    const anonymousStatus = res.status === 400 && code === 'rest_invalid_param' && e.success && e.data.data?.details?.status?.code === 'rest_forbidden_status';
    if (res.status === 401 || anonymousStatus) {
      message =
        `the application password was not accepted: WordPress handled ${label} as an anonymous request (${res.status}${code ? ` ${code}` : ''}) for user "${this.user}". ` +
        `Check WORDPRESS_USER and WORDPRESS_APP_PASSWORD (an application password from the user's profile, not the login password), ` +
        `that the site uses HTTPS or sets WP_ENVIRONMENT_TYPE=local, and that the web server passes the Authorization header to PHP`;
      const err = new WordPressError(message, { status: res.status, code, retryable: false });
      err.credentialsRejected = true;
      return err;
    } else if (res.status === 403) {
      message = `WordPress user "${this.user}" is not allowed to ${label} (403${code ? ` ${code}` : ''})`;
    } else if (res.status === 404 && code === 'rest_no_route') {
      message = `WordPress has no route for ${label} (404 rest_no_route): the post type "${this.postType}" is not registered with show_in_rest; is the Kursus plugin active?`;
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

/** The post no longer exists in WordPress (deleted permanently): the only 404 that means "gone". */
export function isPostGone(err: unknown): boolean {
  return err instanceof WordPressError && err.status === 404 && err.code === 'rest_post_invalid_id';
}

function rawOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { raw?: unknown }).raw === 'string') return (v as { raw: string }).raw;
  return undefined;
}

function fieldsOf(p: { meta?: unknown; acf?: unknown }, mode: 'meta' | 'acf'): Record<string, unknown> | undefined {
  const v = mode === 'acf' ? p.acf : p.meta;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function postIdPath(id: number): string {
  if (!Number.isInteger(id) || id <= 0) throw new RangeError(`WordPress post id must be a positive integer, got ${id}`);
  return String(id);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.test');
}
