// Loopback simulator of the WordPress REST API for the course post type, for demo mode and tests.
// Mimics what the client relies on, corrected against Debian's WordPress 6.1 with the companion
// plugin (src/integrations/wordpress/plugin/kursus/kursus.php; test/wordpress/real-wordpress.test.ts
// runs the same scenarios against both):
//   - Application Password auth over HTTP Basic (spaces ignored). A wrong password or user makes
//     the request anonymous, as in WordPress: a create answers 401 rest_cannot_create and a
//     `status=any` look-up 400 rest_invalid_param (rest_forbidden_status), never incorrect_password.
//   - create/update/read/list/delete under /wp-json/wp/v2/<rest_base>; 404 rest_post_invalid_id for
//     an unknown id; 404 rest_no_route for everything of the type while the plugin is "off".
//   - `meta`: only the plugin's registered keys are kept (others dropped without an error), all of
//     them answered with defaults; values checked against their schema after the post is saved, so
//     a rejected value answers 400 although the post exists; `?kursus_maconomy_id=` filters.
//   - an update without `status` leaves the status (e.g. trash) as it is.
//   - `acf` when ACF is on; /wp-json/, OPTIONS of the collection (schema), /kursus/v1/info,
//     /wp/v2/users/me and /wp/v2/types/<type> for the connector check.
// Faults (5xx, 429 with Retry-After, hangs, apply-then-fail) can be injected in-process or over
// HTTP via /__sim/* (no auth).
import { loadState, saveState } from './state-file.js';
import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { COURSE_POST_FIELDS, KURSUS_ID_FIELD, WORDPRESS_PLUGIN_VERSION } from '../integrations/wordpress/fields.js';

export interface SimPost {
  id: number;
  type: string;
  status: string;
  slug: string;
  title: string;
  content: string;
  meta: Record<string, unknown>;
  acf: Record<string, unknown>;
  date: string;
  modified: string;
}

export interface SimRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface WordPressFaultOptions {
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path starts with this prefix. */
  path?: string;
}

export interface WordPressFaults {
  /** The next n matching API requests answer `status` (default 503) without being applied. */
  failNext(n: number, status?: number, opts?: WordPressFaultOptions): void;
  /** The next n matching API requests answer 429 with `Retry-After: retryAfterSeconds` (default 1). */
  rateLimitNext(n: number, retryAfterSeconds?: number, opts?: WordPressFaultOptions): void;
  /** The next n matching API requests are applied, then answered with `status` (default 502), as a proxy timing out would. */
  applyThenFailNext(n: number, status?: number, opts?: WordPressFaultOptions): void;
  /** The next n matching API requests never get an answer. */
  hangNext(n: number, opts?: WordPressFaultOptions): void;
  clear(): void;
}

export interface WordPressSimulatorOptions {
  port?: number;
  host?: string;
  user?: string;
  appPassword?: string;
  /** rest_base of the course post type. */
  postType?: string;
  /** Advanced Custom Fields installed: posts carry and accept `acf`. */
  acf?: boolean;
  /** Keep the posts in this file across restarts (the demo; src/simulators/state-file.ts). */
  statePath?: string;
}

/** A registered meta field's schema, as far as the simulator checks it. */
export interface SimMetaSchema {
  type: 'string' | 'integer' | 'array';
  maxLength?: number;
}

export interface WordPressSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  posts: Map<number, SimPost>;
  requests: SimRequest[];
  faults: WordPressFaults;
  /** The companion plugin is active (post type and meta registered). Default true. */
  pluginActive: boolean;
  /** The post type supports custom-fields (else all meta is ignored). Default true. */
  customFields: boolean;
  /** Registered meta keys and their schema (the plugin's by default); change to model a site's own. */
  metaSchemas: Map<string, SimMetaSchema>;
  /** Clears posts, requests, faults and schema changes; ids start again at 1. */
  reset(): void;
}

interface Fault extends WordPressFaultOptions {
  kind: 'fail' | 'rateLimit' | 'applyThenFail' | 'hang';
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
}

class WpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  get body() {
    return { code: this.code, message: this.message, data: { status: this.status, ...this.extra } };
  }
}

const STATUSES = ['publish', 'future', 'draft', 'pending', 'private'];
const MAX_BODY_BYTES = 2_000_000;

// Long by design: one closure holds the simulated site's posts, users, faults and HTTP handler,
// which tests drive through the returned object; the parts are the small functions inside it.
export async function startWordPressSimulator(opts: WordPressSimulatorOptions = {}): Promise<WordPressSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const user = opts.user ?? 'kursus';
  const appPassword = opts.appPassword ?? 'abcd efgh ijkl mnop qrst uvwx';
  const postType = opts.postType ?? 'kursus';
  const acfOn = opts.acf ?? false;
  const base = `/wp-json/wp/v2/${postType}`;

  const posts = new Map<number, SimPost>();
  const requests: SimRequest[] = [];
  let faultList: Fault[] = [];
  let nextId = 1;
  let url = '';

  const addFault = (kind: Fault['kind'], n: number, status: number, o: WordPressFaultOptions = {}, retryAfterSeconds?: number) => {
    if (!Number.isInteger(n) || n < 0) throw new Error('simulator: n must be a non-negative integer');
    if (n > 0) faultList.push({ kind, remaining: n, status, retryAfterSeconds, method: o.method?.toUpperCase(), path: o.path });
  };
  const faults: WordPressFaults = {
    failNext: (n, status = 503, o) => addFault('fail', n, status, o),
    rateLimitNext: (n, retryAfterSeconds = 1, o) => addFault('rateLimit', n, 429, o, retryAfterSeconds),
    applyThenFailNext: (n, status = 502, o) => addFault('applyThenFail', n, status, o),
    hangNext: (n, o) => addFault('hang', n, 0, o),
    clear: () => {
      faultList = [];
    },
  };
  const takeFault = (method: string, path: string): Fault | undefined => {
    const f = faultList.find((x) => x.remaining > 0 && (!x.method || x.method === method) && (!x.path || path.startsWith(x.path)));
    if (!f) return undefined;
    f.remaining--;
    faultList = faultList.filter((x) => x.remaining > 0);
    return f;
  };
  const pluginSchemas = () => new Map<string, SimMetaSchema>(Object.entries(COURSE_POST_FIELDS).map(([k, type]) => [k, { type }]));
  const state = { pluginActive: true, customFields: true, metaSchemas: pluginSchemas() };
  const reset = () => {
    posts.clear();
    requests.length = 0;
    faults.clear();
    nextId = 1;
    state.pluginActive = true;
    state.customFields = true;
    state.metaSchemas = pluginSchemas();
  };

  const saved = loadState<{ posts: SimPost[]; nextId: number }>(opts.statePath);
  if (saved) {
    for (const p of saved.posts) posts.set(p.id, p);
    nextId = saved.nextId;
  }
  const persist = () => saveState(opts.statePath, { posts: [...posts.values()], nextId });
  if (!saved) persist();

  // ---- auth -----------------------------------------------------------------------------------
  const normalise = (pw: string) => pw.replace(/[^a-z\d]/gi, '');
  const digest = (s: string) => createHash('sha256').update(s).digest();
  /** true: authenticated. Missing or wrong credentials: anonymous (false), as in WordPress. */
  function authenticate(header: string | undefined): boolean {
    if (!header) return false;
    const m = /^Basic\s+(.+)$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const u = i < 0 ? decoded : decoded.slice(0, i);
    const pw = i < 0 ? '' : decoded.slice(i + 1);
    return u === user && timingSafeEqual(digest(normalise(pw)), digest(normalise(appPassword)));
  }
  const requireAuth = (authed: boolean, code = 'rest_cannot_edit', message = 'Sorry, you are not allowed to edit this post.') => {
    if (!authed) throw new WpError(401, code, message);
  };

  // ---- meta, as register_post_meta + WP_REST_Meta_Fields handle it ----------------------------
  const metaDefault = (s: SimMetaSchema) => (s.type === 'integer' ? 0 : s.type === 'array' ? [] : '');
  const metaOut = (stored: Record<string, unknown>) => {
    if (!state.pluginActive || !state.customFields) return [];
    const out: Record<string, unknown> = {};
    for (const [k, s] of state.metaSchemas) out[k] = k in stored ? structuredClone(stored[k]) : metaDefault(s);
    return out;
  };
  /** Applies registered keys in registration order; the first invalid value stops it with a 400 (the post is already saved). */
  function applyMeta(target: Record<string, unknown>, meta: Record<string, unknown> | undefined) {
    if (!meta || !state.customFields) return;
    for (const [k, s] of state.metaSchemas) {
      if (!(k in meta)) continue;
      const v = meta[k];
      const ok = s.type === 'integer' ? Number.isInteger(v) : s.type === 'array' ? Array.isArray(v) : typeof v === 'string' || typeof v === 'number';
      if (!ok) throw new WpError(400, 'rest_invalid_type', `meta.${k} is not of type ${s.type}.`, {});
      if (s.maxLength !== undefined && String(v).length > s.maxLength) throw new WpError(400, 'rest_too_long', `meta.${k} must be at most ${s.maxLength} characters long.`);
      target[k] = s.type === 'string' ? String(v) : structuredClone(v);
    }
  }

  // ---- posts ----------------------------------------------------------------------------------
  const wpDate = (d: Date) => d.toISOString().slice(0, 19);
  const escapeHtml = (s: string) => s.replace(/&/g, '&#038;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#8221;');
  const sanitizeSlug = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/æ/gi, 'ae')
      .replace(/ø/gi, 'o')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_\s-]/g, '')
      .trim()
      .replace(/[\s_]+/g, '-')
      .replace(/-+/g, '-')
      .slice(0, 200);
  const uniqueSlug = (slug: string, id: number, status: string) => {
    // Like wp_unique_post_slug: drafts keep theirs, published posts get -2, -3, ... on a clash.
    if (!slug || ['draft', 'pending'].includes(status)) return slug;
    const taken = (s: string) => [...posts.values()].some((p) => p.id !== id && p.slug === s && p.status !== 'trash');
    if (!taken(slug)) return slug;
    for (let n = 2; ; n++) if (!taken(`${slug}-${n}`)) return `${slug}-${n}`;
  };

  const render = (p: SimPost, context: 'view' | 'edit') => {
    const out: Record<string, unknown> = {
      id: p.id,
      date: p.date,
      date_gmt: p.date,
      modified: p.modified,
      modified_gmt: p.modified,
      slug: p.slug,
      status: p.status,
      type: p.type,
      link: p.slug && p.status === 'publish' ? `${url}/${postType}/${p.slug}/` : `${url}/?post_type=${postType}&p=${p.id}`,
      title: context === 'edit' ? { raw: p.title, rendered: escapeHtml(p.title) } : { rendered: escapeHtml(p.title) },
      content:
        context === 'edit'
          ? { raw: p.content, rendered: p.content ? `<p>${p.content}</p>\n` : '', protected: false }
          : { rendered: p.content ? `<p>${p.content}</p>\n` : '', protected: false },
      meta: metaOut(p.meta),
    };
    if (acfOn) out.acf = structuredClone(p.acf);
    return out;
  };

  const invalidParam = (param: string, message: string) =>
    new WpError(400, 'rest_invalid_param', `Invalid parameter(s): ${param}`, { params: { [param]: message } });
  const textOf = (v: unknown, param: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof (v as { raw?: unknown }).raw === 'string') return (v as { raw: string }).raw;
    throw invalidParam(param, `${param} is not of type string,object.`);
  };
  const objectOf = (v: unknown, param: string): Record<string, unknown> | undefined => {
    if (v === undefined) return undefined;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidParam(param, `${param} is not of type object.`);
    return v as Record<string, unknown>;
  };

  /** Validates a create/update body; WordPress rejects the whole request on one bad parameter. */
  function readPostBody(body: unknown) {
    if (body === undefined) return {};
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new WpError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    const b = body as Record<string, unknown>;
    if (b.status !== undefined && (typeof b.status !== 'string' || !STATUSES.includes(b.status))) {
      throw invalidParam('status', `status is not one of ${STATUSES.join(', ')}.`);
    }
    if (b.slug !== undefined && typeof b.slug !== 'string') throw invalidParam('slug', 'slug is not of type string.');
    return {
      status: b.status as string | undefined,
      // WordPress trims titles when saving (title_save_pre).
      title: textOf(b.title, 'title')?.trim(),
      content: textOf(b.content, 'content'),
      slug: b.slug as string | undefined,
      meta: objectOf(b.meta, 'meta'),
      // Without ACF the parameter is unknown and ignored, as WordPress ignores unknown parameters.
      acf: acfOn ? objectOf(b.acf, 'acf') : undefined,
    };
  }

  const mustGet = (id: number) => {
    const p = posts.get(id);
    if (!p || p.type !== postType) throw new WpError(404, 'rest_post_invalid_id', 'Invalid post ID.');
    return p;
  };

  const forbiddenContext = () => new WpError(401, 'rest_forbidden_context', 'Sorry, you are not allowed to edit posts in this post type.');

  // Long by design: the table of the REST routes Kursus uses, one branch each in the order of
  // WordPress's own handlers, so each can be checked against WordPress's behaviour side by side.
  function route(method: string, path: string, query: URLSearchParams, body: unknown, authed: boolean): { status: number; body: unknown; headers?: Record<string, string> } {
    const context = query.get('context') === 'edit' ? 'edit' : 'view';
    const rel = path.replace(/\/+$/, '');
    const noRoute = () => new WpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    if (rel === '/wp-json' && method === 'GET') {
      return { status: 200, body: { name: 'Kursus WordPress simulator', namespaces: ['oembed/1.0', ...(state.pluginActive ? ['kursus/v1'] : []), 'wp/v2'] } };
    }
    if (rel === '/wp-json/wp/v2/users/me' && method === 'GET') {
      if (!authed) throw new WpError(401, 'rest_not_logged_in', 'You are not currently logged in.');
      return { status: 200, body: { id: 1, name: user, slug: user } };
    }
    if (rel === '/wp-json/kursus/v1/info' && method === 'GET') {
      if (!state.pluginActive) throw noRoute();
      return { status: 200, body: { version: WORDPRESS_PLUGIN_VERSION, post_type: postType, fields: [...state.metaSchemas.keys()], acf: acfOn } };
    }
    if (rel === `/wp-json/wp/v2/types/${postType}` && method === 'GET') {
      if (!state.pluginActive) throw new WpError(404, 'rest_type_invalid', 'Invalid post type.');
      return { status: 200, body: { slug: postType, rest_base: postType, name: 'Kurser' } };
    }
    if ((rel === base || rel.startsWith(base + '/')) && !state.pluginActive) {
      // WordPress answers OPTIONS of an unknown route 200 with an empty body (rest_handle_options_request).
      if (method === 'OPTIONS') return { status: 200, body: [] };
      throw noRoute();
    }
    if (rel === base && method === 'OPTIONS') {
      const metaProps = Object.fromEntries([...state.metaSchemas].map(([k, s]) => [k, { type: s.type, context: ['view', 'edit'] }]));
      const properties: Record<string, unknown> = { id: { type: 'integer' }, title: { type: 'object' }, content: { type: 'object' }, status: { type: 'string' } };
      if (state.customFields) properties.meta = { type: 'object', context: ['view', 'edit'], properties: metaProps };
      return { status: 200, body: { namespace: 'wp/v2', methods: ['GET', 'POST'], schema: { title: postType, type: 'object', properties } } };
    }
    if (rel === base) {
      if (method === 'POST') {
        if (!authed) throw new WpError(401, 'rest_cannot_create', 'Sorry, you are not allowed to create posts as this user.');
        const b = readPostBody(body);
        const now = wpDate(new Date());
        const id = nextId++;
        const status = b.status ?? 'draft';
        const slugBase = b.slug ? sanitizeSlug(b.slug) : status === 'publish' ? sanitizeSlug(b.title ?? '') : '';
        const post: SimPost = {
          id,
          type: postType,
          status,
          slug: uniqueSlug(slugBase, id, status),
          title: b.title ?? '',
          content: b.content ?? '',
          meta: {},
          acf: structuredClone(b.acf ?? {}),
          date: now,
          modified: now,
        };
        posts.set(id, post);
        // WordPress saves the post first and then the meta, which may still be refused.
        applyMeta(post.meta, b.meta);
        return { status: 201, body: render(post, 'edit'), headers: { location: `${url}${base}/${id}` } };
      }
      if (method === 'GET') {
        const requested = (query.get('status') ?? 'publish').split(',').filter(Boolean);
        for (const s of requested) {
          if (s !== 'any' && s !== 'trash' && !STATUSES.includes(s)) throw invalidParam('status', `status[0] is not one of ${STATUSES.join(', ')}, trash, any.`);
          if (s !== 'publish' && !authed) {
            // Checked while the parameters are sanitised, before the context: a 400, not a 401.
            throw new WpError(400, 'rest_invalid_param', 'Invalid parameter(s): status', {
              params: { status: 'Status is forbidden.' },
              details: { status: { code: 'rest_forbidden_status', message: 'Status is forbidden.', data: { status: 401 } } },
            });
          }
        }
        if (context === 'edit' && !authed) throw forbiddenContext();
        const byKursusId = query.get(KURSUS_ID_FIELD);
        const slugs = query.get('slug')?.split(',').filter(Boolean);
        const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 10) || 10));
        const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
        const desc = (query.get('order') ?? 'desc') === 'desc';
        let list = [...posts.values()].filter(
          (p) =>
            p.type === postType &&
            (requested.includes('any') ? p.status !== 'trash' : requested.includes(p.status)) &&
            (!slugs || slugs.includes(p.slug)) &&
            (!byKursusId || p.meta[KURSUS_ID_FIELD] === byKursusId),
        );
        list.sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
        const total = list.length;
        list = list.slice((page - 1) * perPage, page * perPage);
        return {
          status: 200,
          body: list.map((p) => render(p, context)),
          headers: { 'x-wp-total': String(total), 'x-wp-totalpages': String(Math.ceil(total / perPage)) },
        };
      }
    }
    const m = rel.startsWith(base + '/') ? /^(\d+)$/.exec(rel.slice(base.length + 1)) : null;
    if (m) {
      const id = Number(m[1]);
      if (method === 'GET') {
        if (context === 'edit' && !authed) throw forbiddenContext();
        const p = mustGet(id);
        if (p.status !== 'publish' && !authed) throw new WpError(401, 'rest_forbidden', 'Sorry, you are not allowed to do that.');
        return { status: 200, body: render(p, context) };
      }
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
        const p = mustGet(id);
        requireAuth(authed);
        const b = readPostBody(body);
        if (b.status !== undefined) p.status = b.status;
        if (b.title !== undefined) p.title = b.title;
        if (b.content !== undefined) p.content = b.content;
        if (b.slug !== undefined) p.slug = uniqueSlug(sanitizeSlug(b.slug), p.id, p.status);
        else if (!p.slug && p.status === 'publish') p.slug = uniqueSlug(sanitizeSlug(p.title), p.id, p.status);
        if (b.acf) Object.assign(p.acf, structuredClone(b.acf));
        p.modified = wpDate(new Date());
        applyMeta(p.meta, b.meta);
        return { status: 200, body: render(p, 'edit') };
      }
      if (method === 'DELETE') {
        const p = mustGet(id);
        requireAuth(authed, 'rest_cannot_delete', 'Sorry, you are not allowed to delete this post.');
        const force = ['1', 'true'].includes(query.get('force') ?? '');
        if (force) {
          posts.delete(id);
          return { status: 200, body: { deleted: true, previous: render(p, 'edit') } };
        }
        if (p.status === 'trash') throw new WpError(410, 'rest_already_trashed', 'The post has already been deleted.');
        p.status = 'trash';
        return { status: 200, body: render(p, 'edit') };
      }
    }
    throw noRoute();
  }

  // ---- /__sim admin ---------------------------------------------------------------------------
  function admin(method: string, path: string, body: any): { status: number; body: unknown } {
    if (method === 'POST' && path === '/__sim/reset') {
      reset();
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === '/__sim/faults') {
      const b = body ?? {};
      const o = (x: any): WordPressFaultOptions => ({ method: x?.method, path: x?.path });
      if (b.clear) faults.clear();
      if (b.failNext) faults.failNext(Number(b.failNext.n ?? 1), b.failNext.status === undefined ? undefined : Number(b.failNext.status), o(b.failNext));
      if (b.rateLimitNext)
        faults.rateLimitNext(Number(b.rateLimitNext.n ?? 1), b.rateLimitNext.retryAfterSeconds === undefined ? undefined : Number(b.rateLimitNext.retryAfterSeconds), o(b.rateLimitNext));
      if (b.applyThenFailNext)
        faults.applyThenFailNext(Number(b.applyThenFailNext.n ?? 1), b.applyThenFailNext.status === undefined ? undefined : Number(b.applyThenFailNext.status), o(b.applyThenFailNext));
      if (b.hangNext) faults.hangNext(Number(b.hangNext.n ?? 1), o(b.hangNext));
      return { status: 200, body: { ok: true, pending: faultList.map((f) => ({ ...f })) } };
    }
    if (method === 'GET' && path === '/__sim/posts') return { status: 200, body: [...posts.values()] };
    if (method === 'GET' && path === '/__sim/requests') return { status: 200, body: requests };
    const m = /^\/__sim\/posts\/(\d+)$/.exec(path);
    if (m && method === 'DELETE') return { status: 200, body: { deleted: posts.delete(Number(m[1])) } };
    return { status: 404, body: { code: 'rest_no_route', message: 'No such simulator route.', data: { status: 404 } } };
  }

  // ---- server ---------------------------------------------------------------------------------
  let closed = false;
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (closed || res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (err instanceof WpError) send(res, err.status, err.body);
      else send(res, 500, { code: 'internal_server_error', message: (err as Error).message, data: { status: 500 } });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://simulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = u.pathname;
    const raw = await readBody(req);
    let body: unknown;
    let badJson = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    if (path.startsWith('/__sim/')) {
      const r = admin(method, path, body);
      return send(res, r.status, r.body);
    }

    const log: SimRequest = { method, path, query: u.search, status: 0 };
    requests.push(log);
    const reply = (status: number, b: unknown, headers?: Record<string, string>) => {
      log.status = status;
      send(res, status, b, headers);
    };
    const fault = path.startsWith('/wp-json/') ? takeFault(method, path) : undefined;
    if (fault?.kind === 'hang') return; // never answered; close() destroys the socket
    if (fault?.kind === 'fail') return reply(fault.status, { code: 'simulated_failure', message: 'Simulated failure.', data: { status: fault.status } });
    if (fault?.kind === 'rateLimit') {
      return reply(429, { code: 'rest_too_many_requests', message: 'Too many requests.', data: { status: 429 } }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    }
    try {
      if (badJson) throw new WpError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
      const authed = authenticate(req.headers.authorization);
      const r = route(method, path, u.searchParams, body, authed);
      if (method !== 'GET') persist();
      if (fault?.kind === 'applyThenFail') return reply(fault.status, { code: 'simulated_failure', message: 'Simulated failure after applying the request.', data: { status: fault.status } });
      reply(r.status, r.body, r.headers);
    } catch (err) {
      if (!(err instanceof WpError)) throw err;
      reply(err.status, err.body);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    posts,
    requests,
    faults,
    reset,
    get pluginActive() {
      return state.pluginActive;
    },
    set pluginActive(v: boolean) {
      state.pluginActive = v;
    },
    get customFields() {
      return state.customFields;
    },
    set customFields(v: boolean) {
      state.customFields = v;
    },
    get metaSchemas() {
      return state.metaSchemas;
    },
    set metaSchemas(v: Map<string, SimMetaSchema>) {
      state.metaSchemas = v;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung requests and keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new WpError(413, 'rest_request_too_large', 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
