// Redaction for the request/response log: secrets (credentials, tokens, signatures, API keys) and
// personal data (names, e-mail addresses, phones, addresses, national ids) never reach the table.
// Structured bodies (JSON, form-urlencoded, JSON inside a form field as BaseLinker sends it) are
// redacted by key; free text by pattern (e-mail addresses, JWTs). Redaction happens before
// truncation, so a cut never exposes half of a value that would have been hidden.

export const REDACTED = '[redacted]';
const REDACTED_EMAIL = '[redacted-email]';

/** Keys/headers/query parameters whose value is a credential. Matched on the lower-cased name. */
const SECRET_NAME = /pass(word|wd|phrase)?$|passwd|secret|token|api[-_]?key|apikey|authori[sz]ation|signature|^sign$|credential|private[-_]?key|session|cookie|^key$|^otp$/;

/** Personal-data keys, matched on the name lower-cased with every non-alphanumeric removed. */
const PERSONAL_EXACT = new Set([
  'name', 'username', 'userlogin', 'login', 'nick', 'nickname', 'email', 'mail', 'phone', 'mobile', 'telephone', 'tel', 'fax',
  'address', 'street', 'postcode', 'zip', 'zipcode', 'postalcode', 'city', 'birthday', 'birthdate', 'dateofbirth', 'dob',
  'nik', 'ktp', 'ssn', 'cpr', 'nationalid', 'passport', 'iban', 'recipient', 'contact', 'contactname', 'customername',
  // A participant's or booker's company: for a sole trader it is their name.
  'company', 'companyname',
  // Request Out's Data (digital-ID enrolment): the ID photo and the created record's id.
  'image', 'photo', 'selfie', 'resourceid',
]);
const PERSONAL_PART = /email|phone|mobile|address|street|postcode|zipcode|postalcode|fullname|firstname|lastname|surname|givenname|familyname|birth|customername|contactname|byname$|^(delivery|invoice|shipping|billing|customer|buyer)(city|name|company|nip)$/;

// The local part is at most 64 characters (RFC 5321): unbounded, the pattern tried from every
// position of a long run of letters backtracked quadratically, and 100 kB of letters in one field of
// a logged body held the event loop for seconds while the log was written.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Above this size a body is not parsed for redaction and not logged at all. */
export const MAX_REDACT_BYTES = 1024 * 1024;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase());
}

export function isPersonalName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return PERSONAL_EXACT.has(n) || PERSONAL_PART.test(n);
}

/**
 * JWTs (`eyJ<5+>.<5+>.<any>` starting at a word boundary) in free text, in one pass over each run of
 * token characters: the equivalent regex, tried from every "eyJ" of a long run (`eyJ-eyJ-...`),
 * backtracked quadratically.
 */
function redactJwts(s: string): string {
  if (!s.includes('eyJ')) return s;
  return s.replace(/[A-Za-z0-9_.-]+/g, (run) => {
    if (!run.includes('eyJ')) return run;
    const seg = run.split('.');
    const out: string[] = [];
    for (let i = 0; i < seg.length; i++) {
      const cur = seg[i]!;
      // The first "eyJ" at a word boundary of the segment leaves the most characters after it.
      const at = cur.startsWith('eyJ') ? 0 : cur.indexOf('-eyJ') >= 0 ? cur.indexOf('-eyJ') + 1 : -1;
      if (at >= 0 && cur.length - at - 3 >= 5 && i + 2 < seg.length && seg[i + 1]!.length >= 5) {
        out.push(cur.slice(0, at) + REDACTED);
        i += 2;
      } else out.push(cur);
    }
    return out.join('.');
  });
}

const EMAIL_AT_START = new RegExp(`^${EMAIL.source}`);
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;

/**
 * EMAIL replaced, found from each "@" rather than tried from every position: the pattern tried
 * everywhere cost ~150 ms on one 256 KiB run of letters (64 steps forward and back at each of its
 * positions), and the log redacts bodies that size. Matches as the global replace would.
 */
function redactEmails(s: string): string {
  let at = s.indexOf('@');
  if (at < 0) return s;
  let out = '';
  let done = 0;
  while (at >= 0) {
    let start = at;
    while (start > done && at - start < 64 && LOCAL_CHAR.test(s[start - 1]!)) start--;
    let end = at + 1;
    while (end < s.length && DOMAIN_CHAR.test(s[end]!)) end++;
    const m = start < at ? EMAIL_AT_START.exec(s.slice(start, end)) : null;
    if (m) {
      out += s.slice(done, start) + REDACTED_EMAIL;
      done = start + m[0].length;
    }
    at = s.indexOf('@', Math.max(at + 1, done));
  }
  return out + s.slice(done);
}

export function redactText(s: string): string {
  return redactEmails(redactJwts(s.replace(BEARER, '$1 ' + REDACTED)));
}

function redactValue(key: string | null, value: unknown, depth: number): unknown {
  if (key !== null && (isSecretName(key) || isPersonalName(key))) return value === null || value === '' ? value : REDACTED;
  if (typeof value === 'string') {
    const t = value.trim();
    // JSON carried inside a string (BaseLinker's `parameters`, webhook envelopes).
    if (depth < 20 && t.length > 1 && ((t[0] === '{' && t.endsWith('}')) || (t[0] === '[' && t.endsWith(']')))) {
      try {
        return JSON.stringify(redactValue(null, JSON.parse(t), depth + 1));
      } catch {
        /* not JSON */
      }
    }
    return redactText(value);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 20) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((v) => redactValue(null, v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(k, v, depth + 1);
  return out;
}

/** Deep copy of a parsed JSON value with secret and personal fields replaced. */
export function redactJson(value: unknown): unknown {
  return redactValue(null, value, 0);
}

function redactForm(text: string): string {
  const params = new URLSearchParams(text);
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, String(redactValue(k, v, 0)));
  return out.toString();
}

type HeaderInput = Headers | Record<string, string | string[] | number | undefined> | [string, string][] | undefined | null;

function headerEntries(h: HeaderInput): [string, string][] {
  if (!h) return [];
  if (typeof Headers !== 'undefined' && h instanceof Headers) return [...h.entries()];
  if (Array.isArray(h)) return h.map(([k, v]) => [k, String(v)]);
  return Object.entries(h)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]);
}

/**
 * Header names that carry credentials in the APIs we talk to or are called by, whatever the name
 * patterns say (Azure API Management's subscription key, the Jubelio/BaseLinker tokens, ...).
 */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey',
  'ocp-apim-subscription-key', 'x-auth', 'x-auth-token', 'x-access-token', 'x-webhook-secret', 'x-bltoken',
  'x-functions-key', 'x-goog-api-key', 'x-amz-security-token', 'x-csrf-token', 'x-xsrf-token', 'x-client-secret',
]);
/** Any `auth` word, or a name ending in `key` (x-client-key, ocp-apim-subscription-key). */
const SECRET_HEADER_PATTERN = /(^|-)auth($|-)|key$/;

/** Header names configured at run time as credentials (a Request Out route's auth header, Optimakers' key header). */
const configuredSecretHeaders = new Set<string>();

/**
 * Makes a configured auth header name always redacted, in the request/response log and anywhere
 * else headers go through `redactHeaders`. Clients call it before they send the header.
 */
export function markSecretHeader(name: string | null | undefined): void {
  if (!name) return;
  // Bounded: names come from configuration and the route table, not from requests.
  if (configuredSecretHeaders.size < 10_000) configuredSecretHeaders.add(name.trim().toLowerCase());
}

export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_HEADERS.has(n) || configuredSecretHeaders.has(n) || SECRET_HEADER_PATTERN.test(n) || isSecretName(n);
}

/** Lower-cased header names; credentials replaced, e-mail addresses in values removed. */
export function redactHeaders(h: HeaderInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headerEntries(h)) {
    const name = k.toLowerCase();
    out[name] = isSecretHeader(name) ? REDACTED : redactText(v).slice(0, 500);
  }
  return out;
}

/**
 * Query parameters whose value is personal or secret whatever the name patterns say: `q` is a
 * free-text search (people search for names and e-mail addresses).
 */
const SENSITIVE_QUERY_PARAMS: ReadonlySet<string> = new Set(['q', 'search', 'term', 'filter']);

/**
 * Paths whose next segment is a secret: the Jubelio webhook's `path` signature scheme puts the
 * webhook secret in the URL (`/api/connectors/jubelio/webhooks/<secret>`).
 */
const SECRET_PATH_PREFIXES: readonly string[] = ['/api/connectors/jubelio/webhooks/'];

/**
 * A GraphQL document in a GET query (`?query=...`): string arguments with a secret or personal
 * name (`order(id: "..", token: "...")`, `email: "..."`) replaced, e-mail addresses removed.
 */
function redactGraphQLDocument(doc: string): string {
  // The name starts at a word boundary (lookbehind), so a long run of letters is tried once, not
  // from each of its positions.
  const literals = doc.replace(/(?<![_0-9A-Za-z])([_A-Za-z][_0-9A-Za-z]{0,100})(\s*:\s*)"((?:[^"\\\n]|\\.){0,10000})"/g, (m, name: string, colon: string) =>
    isSecretName(name) || isPersonalName(name) ? `${name}${colon}"${REDACTED}"` : m,
  );
  return redactText(literals);
}

/** One query parameter's value as it may be logged or stored. */
function redactQueryValue(name: string, value: string): string {
  const n = name.toLowerCase();
  if (isSecretName(n) || isPersonalName(n) || SENSITIVE_QUERY_PARAMS.has(n)) return value === '' ? value : REDACTED;
  if (n === 'query') return redactGraphQLDocument(value);
  // GraphQL variables (and other JSON in a parameter): redacted by key like a JSON body.
  const t = value.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return JSON.stringify(redactJson(JSON.parse(t)));
    } catch {
      /* not JSON */
    }
  }
  return redactText(value);
}

function redactPath(path: string): string {
  let out = path;
  for (const prefix of SECRET_PATH_PREFIXES) {
    if (!out.startsWith(prefix) || out.length === prefix.length) continue;
    const rest = out.slice(prefix.length);
    const slash = rest.indexOf('/');
    out = prefix + REDACTED + (slash >= 0 ? rest.slice(slash) : '');
  }
  return redactText(out);
}

/**
 * THE URL redactor: every URL that is logged or stored goes through it (the request log line,
 * Fastify's request serializer, `http_log.url` for inbound and outbound calls). Query values of
 * secret or personal names (token, orderToken, key, secret, password, signature, email, q, ...)
 * are replaced, a GraphQL GET's document and variables are redacted by argument and key name,
 * secret path segments are replaced, user info is dropped and e-mail addresses are removed
 * anywhere else. Bounded: at most 2,000 characters come out.
 */
export function redactUrl(url: string): string {
  let out: string;
  try {
    // Long query strings are cut before parsing: what is logged is cut anyway.
    const u = new URL(url.length > 20_000 ? url.slice(0, 20_000) : url, 'http://relative.invalid');
    const params = new URLSearchParams();
    for (const [k, v] of u.searchParams) params.append(k, redactQueryValue(k, v));
    const query = params.toString();
    u.username = u.username ? REDACTED : '';
    u.password = u.password ? REDACTED : '';
    const path = redactPath(decodeURIComponentSafe(u.pathname));
    out = (url.startsWith('/') ? '' : `${u.protocol}//${u.host}`) + path + (query ? `?${query}` : '');
  } catch {
    out = redactText(url.slice(0, 20_000));
  }
  return out.length > 2000 ? out.slice(0, 1990) + '…' : out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function truncate(s: string, limit: number): string {
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes <= limit) return s;
  // Cut by characters, then make sure the UTF-8 length fits.
  let cut = s.slice(0, limit);
  while (Buffer.byteLength(cut, 'utf8') > limit) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return `${cut}…[truncated, ${bytes} bytes]`;
}

const textual = (contentType: string) => !contentType || /json|text|xml|x-www-form-urlencoded|javascript|graphql/.test(contentType);

/**
 * A body as it will be stored: redacted, then cut to `limit` bytes. Accepts what fetch and Fastify
 * carry: a parsed object, a string, a Buffer/Uint8Array, URLSearchParams. Streams, forms with
 * files and blobs are not read (that would consume them) and are described instead.
 */
export function redactBody(body: unknown, contentType: string | null | undefined, limit: number): string | null {
  if (body === undefined || body === null || body === '') return null;
  const type = (contentType ?? '').toLowerCase();
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof URLSearchParams) text = body.toString();
  else if (body instanceof Uint8Array) {
    if (!textual(type)) return `[binary body, ${body.byteLength} bytes]`;
    if (body.byteLength > MAX_REDACT_BYTES) return `[body of ${body.byteLength} bytes, too large to redact: not logged]`;
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  } else if (body instanceof ArrayBuffer) return `[binary body, ${body.byteLength} bytes]`;
  else if (typeof body === 'object') {
    const ctor = (body as object).constructor?.name;
    if (ctor && ctor !== 'Object' && ctor !== 'Array') return `[${ctor} body not logged]`;
    let json: string;
    try {
      json = JSON.stringify(redactJson(body));
    } catch {
      return '[unserialisable body]';
    }
    return limit <= 0 ? '' : truncate(json, limit);
  } else text = String(body);

  if (text.length > MAX_REDACT_BYTES) return `[body of ${Buffer.byteLength(text)} bytes, too large to redact: not logged]`;
  if (limit <= 0) return '';
  let redacted: string;
  const t = text.trimStart();
  if (type.includes('json') || t.startsWith('{') || t.startsWith('[')) {
    try {
      redacted = JSON.stringify(redactJson(JSON.parse(text)));
    } catch {
      redacted = redactText(text);
    }
  } else if (type.includes('x-www-form-urlencoded')) redacted = redactForm(text);
  else redacted = redactText(text);
  return truncate(redacted, limit);
}
