// Shared by the hostile-input suites (GraphQL here; the REST connectors add their own files):
// a snapshot of every table's row count, and a table-driven runner where each case says what it
// sends and which clear refusal it expects. Adding a case is adding one object to a list.
import type { Db } from '../../src/db/orm.js';

/** Row count of every table of the schema (so a case that writes anywhere is caught). */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const conn = db.em().getConnection();
  const tables =
    db.kind === 'sqlite'
      ? (await conn.execute<{ name: string }[]>(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`)).map((r) => r.name)
      : (await conn.execute<{ name: string }[]>(`select table_name as name from information_schema.tables where table_schema = database() order by table_name`)).map((r) => r.name);
  const out: Record<string, number> = {};
  for (const t of tables) {
    // Bookkeeping, not state: the migration list, and the connectors' request/response log, which
    // records (and flushes on a timer) every exchange, refused ones included.
    if (t === 'mikro_orm_migrations' || t === 'http_log') continue;
    const [row] = await conn.execute<{ n: number | string }[]>(`select count(*) as n from ${db.kind === 'mysql' ? `\`${t}\`` : `"${t}"`}`);
    out[t] = Number(row!.n);
  }
  return out;
}

export interface HttpAnswer {
  status: number;
  json: any;
  text: string;
  headers: Headers;
}

export interface HostileCase {
  name: string;
  /** Sends the hostile request; `ctx` holds ids and tokens the suite prepared. */
  send(ctx: Record<string, string>): Promise<HttpAnswer>;
  /** HTTP status expected (any 4xx when omitted and no code is given). */
  status?: number;
  /** extensions.code of the first GraphQL error; the answer must carry no data for the mutation. */
  code?: string;
  /** A query may answer an empty result instead of an error (e.g. a search for an injection string). */
  allowEmptyResult?: (json: any) => boolean;
}

export async function post(url: string, body: string | object, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Checks one answer against its case: a clear refusal, never a 5xx, never an internal error. */
export function expectRefused(c: HostileCase, a: HttpAnswer): void {
  if (a.status >= 500) throw new Error(`${c.name}: answered ${a.status}: ${a.text.slice(0, 300)}`);
  const codes: string[] = (a.json?.errors ?? []).map((e: any) => e?.extensions?.code);
  if (codes.includes('INTERNAL_SERVER_ERROR')) throw new Error(`${c.name}: internal error: ${a.text.slice(0, 300)}`);
  if (c.allowEmptyResult && !a.json?.errors && c.allowEmptyResult(a.json)) return;
  if (c.status !== undefined && a.status !== c.status) throw new Error(`${c.name}: expected HTTP ${c.status}, got ${a.status}: ${a.text.slice(0, 300)}`);
  if (c.code !== undefined) {
    if (codes[0] !== c.code) throw new Error(`${c.name}: expected ${c.code}, got ${JSON.stringify(codes)}: ${a.text.slice(0, 300)}`);
    const message: unknown = a.json.errors[0].message;
    if (typeof message !== 'string' || message.length < 5) throw new Error(`${c.name}: error without a useful message`);
  } else if (c.status === undefined && !(a.status >= 400 && a.status < 500)) {
    throw new Error(`${c.name}: expected a 4xx, got ${a.status}: ${a.text.slice(0, 300)}`);
  }
}

/** SQL and NoSQL injection strings, sent in every text field (the GraphQL suite has the same list). */
export const INJECTIONS = [
  `' OR '1'='1`,
  `'; DROP TABLE booking_order; --`,
  `" OR ""="`,
  `1; SELECT SLEEP(5)`,
  `%' OR 1=1 #`,
  `\\'; DELETE FROM course_date; --`,
  `{"$gt": ""}`,
  `{"$ne": null}`,
  `'; return true; var x='`,
  `$where: function() { return true }`,
  `../../../etc/passwd`,
  `<script>alert(1)</script>`,
];

/** What an answer must never show a caller: a stack trace, source paths, driver error text. */
export function leaksInternals(text: string): string | null {
  const m = /\n\s+at \S+ \(|node_modules|\/src\/\S+\.[jt]s|\b(SqliteError|DriverException|ER_[A-Z_]+|sqlMessage|SQLITE_[A-Z]+|UniqueConstraintViolation)/.exec(text);
  return m ? m[0] : null;
}

/**
 * Runs `work` while polling `${baseUrl}/healthz` every few ms; returns its result and the longest
 * wait for a health answer meanwhile: the time from the previous answer (or the start) to the next
 * one. Measured between answers, not per request: the test shares the server's process, so a
 * blocked event loop also holds the poller's own timers, and a per-request clock started after the
 * block would never see it.
 */
export async function whileHealthPolled<T>(baseUrl: string, work: () => Promise<T>): Promise<{ result: T; slowestHealthMs: number }> {
  let slowest = 0;
  let done = false;
  let last = performance.now();
  const poll = (async () => {
    while (!done) {
      const res = await fetch(`${baseUrl}/healthz`);
      await res.arrayBuffer();
      const now = performance.now();
      slowest = Math.max(slowest, now - last);
      last = now;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    const result = await work();
    return { result, slowestHealthMs: slowest };
  } finally {
    done = true;
    await poll;
  }
}
