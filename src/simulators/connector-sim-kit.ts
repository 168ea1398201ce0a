// Shared plumbing of the commerce-connector simulators (Jubelio, BaseLinker, Optimakers): a loopback
// HTTP server, body reading, fault injection (errors, hangs, apply-then-fail, latency), a request
// log and a sliding-window rate limit. Each simulator keeps its own wire format and error shapes.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimFaultOptions {
  /** Only requests whose path starts with this prefix. */
  path?: string;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose body contains this text (BaseLinker: `method=setOrderStatus`). */
  bodyIncludes?: string;
}

export interface SimFaults {
  /** Added to every API request. */
  latencyMs: number;
  /**
   * The next n matching requests answer `status` (default 503) without being applied; with `body`,
   * that body instead of the simulator's error page (BaseLinker: an ERROR envelope with HTTP 200).
   */
  failNext(n: number, opts?: SimFaultOptions & { status?: number; body?: unknown }): void;
  /** The next n matching requests are applied, then answered with `status` (default 502), as a proxy timing out would. */
  applyThenFailNext(n: number, opts?: SimFaultOptions & { status?: number }): void;
  /** The next n matching requests never get an answer. */
  hangNext(n: number, opts?: SimFaultOptions): void;
  /** The next n matching requests are applied and then never answered (the caller times out after the effect). */
  applyThenHangNext(n: number, opts?: SimFaultOptions): void;
  /**
   * The next matching request waits, before it is applied, until `release()`: `reached` resolves
   * once it waits. For tests that do something while a call is in flight (deterministically).
   */
  pauseNext(opts?: SimFaultOptions): SimPause;
  clear(): void;
}

export interface SimPause {
  reached: Promise<void>;
  release(): void;
}

export interface SimRequestRecord {
  method: string;
  path: string;
  status: number;
  /** BaseLinker: the `method` form field. */
  call?: string;
}

type FaultKind = 'fail' | 'applyThenFail' | 'hang' | 'applyThenHang';
interface Fault extends SimFaultOptions {
  kind: FaultKind;
  remaining: number;
  status: number;
  body?: unknown;
}

interface Gate extends SimFaultOptions {
  arrive(): void;
  released: Promise<void>;
}

const matches = (x: SimFaultOptions, method: string, path: string, body: string) =>
  (!x.path || path.startsWith(x.path)) && (!x.method || x.method.toUpperCase() === method) && (!x.bodyIncludes || body.includes(x.bodyIncludes));

export function createFaults(): SimFaults & { take(method: string, path: string, body: string): Fault | undefined; gate(method: string, path: string, body: string): Promise<void> | undefined } {
  let list: Fault[] = [];
  let gates: Gate[] = [];
  const add = (kind: FaultKind, n: number, status: number, o: SimFaultOptions & { body?: unknown } = {}) => {
    if (!Number.isInteger(n) || n < 0) throw new Error('simulator: n must be a non-negative integer');
    if (n > 0) list.push({ kind, remaining: n, status, path: o.path, method: o.method?.toUpperCase(), bodyIncludes: o.bodyIncludes, body: o.body });
  };
  return {
    latencyMs: 0,
    failNext: (n, o) => add('fail', n, o?.status ?? 503, o),
    applyThenFailNext: (n, o) => add('applyThenFail', n, o?.status ?? 502, o),
    hangNext: (n, o) => add('hang', n, 0, o),
    applyThenHangNext: (n, o) => add('applyThenHang', n, 0, o),
    pauseNext(o = {}) {
      let arrive!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((r) => (arrive = r));
      const released = new Promise<void>((r) => (release = r));
      gates.push({ ...o, arrive, released });
      return { reached, release };
    },
    clear() {
      list = [];
      gates = [];
      this.latencyMs = 0;
    },
    gate(method, path, body) {
      const g = gates.find((x) => matches(x, method, path, body));
      if (!g) return undefined;
      gates = gates.filter((x) => x !== g);
      g.arrive();
      return g.released;
    },
    take(method, path, body) {
      const f = list.find((x) => x.remaining > 0 && matches(x, method, path, body));
      if (!f) return undefined;
      f.remaining--;
      list = list.filter((x) => x.remaining > 0);
      return f;
    },
  };
}

/** Applies `/__sim/faults` JSON to a fault control (used by curl and by tests in other processes). */
export function applyFaultJson(faults: SimFaults, b: any): void {
  if (!b || typeof b !== 'object') return;
  if (b.clear) faults.clear();
  if (typeof b.latencyMs === 'number') faults.latencyMs = b.latencyMs;
  if (b.failNext) faults.failNext(Number(b.failNext.n ?? 1), b.failNext);
  if (b.applyThenFailNext) faults.applyThenFailNext(Number(b.applyThenFailNext.n ?? 1), b.applyThenFailNext);
  if (b.hangNext) faults.hangNext(Number(b.hangNext.n ?? 1), b.hangNext);
  if (b.applyThenHangNext) faults.applyThenHangNext(Number(b.applyThenHangNext.n ?? 1), b.applyThenHangNext);
}

/** Requests per key in a sliding window (the real services count per token per minute). */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(
    public limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}
  /** Records a hit; false when the key is already at the limit (the hit is not counted). */
  hit(key: string): boolean {
    const t = this.now();
    const list = (this.hits.get(key) ?? []).filter((x) => x > t - this.windowMs);
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      return false;
    }
    list.push(t);
    this.hits.set(key, list);
    return true;
  }
  reset() {
    this.hits.clear();
  }
}

export interface SimReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface SimServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 5_000_000;

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts a loopback server. `admin` answers /__sim/* (no auth, no faults); `api` answers the rest,
 * after fault injection. `apply` runs the API handler; for apply-then-fail faults the handler runs
 * and its answer is replaced.
 */
export async function startSimServer(opts: {
  host?: string;
  port?: number;
  faults: ReturnType<typeof createFaults>;
  requests: SimRequestRecord[];
  admin: (method: string, path: string, query: URLSearchParams, body: unknown) => Promise<SimReply> | SimReply;
  api: (req: http.IncomingMessage, method: string, path: string, query: URLSearchParams, raw: string) => Promise<SimReply> | SimReply;
  faultReply: (status: number) => SimReply;
  /** Extra info for the request log (BaseLinker's method name). */
  describe?: (raw: string) => string | undefined;
  /** Called after every request that may have changed state (the demo saves it; src/simulators/state-file.ts). */
  afterChange?: () => void;
}): Promise<SimServer> {
  const host = opts.host ?? '127.0.0.1';
  let closed = false;
  const send = (res: http.ServerResponse, r: SimReply) => {
    if (closed || res.writableEnded || res.destroyed) return;
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...r.headers });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://simulator');
      const method = (req.method ?? 'GET').toUpperCase();
      let raw: string;
      try {
        raw = await readBody(req);
      } catch (err) {
        return send(res, { status: (err as { status?: number }).status ?? 400, body: { error: 'bad body' } });
      }
      if (u.pathname.startsWith('/__sim/')) {
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          return send(res, { status: 400, body: { error: 'invalid JSON' } });
        }
        try {
          const r = await opts.admin(method, u.pathname, u.searchParams, body);
          if (method !== 'GET') opts.afterChange?.();
          return send(res, r);
        } catch (err) {
          return send(res, { status: 400, body: { error: (err as Error).message } });
        }
      }
      const record: SimRequestRecord = { method, path: u.pathname, status: 0 };
      const call = opts.describe?.(raw);
      if (call) record.call = call;
      opts.requests.push(record);
      if (opts.faults.latencyMs > 0) await sleep(opts.faults.latencyMs);
      const paused = opts.faults.gate(method, u.pathname, raw);
      if (paused) await paused;
      const fault = opts.faults.take(method, u.pathname, raw);
      if (fault?.kind === 'hang') return; // close() destroys the socket
      if (fault?.kind === 'fail') {
        record.status = fault.status;
        return send(res, fault.body !== undefined ? { status: fault.status, body: fault.body } : opts.faultReply(fault.status));
      }
      let reply: SimReply;
      try {
        reply = await opts.api(req, method, u.pathname, u.searchParams, raw);
        if (method !== 'GET') opts.afterChange?.();
      } catch (err) {
        reply = { status: 500, body: { error: (err as Error).message } };
      }
      if (fault?.kind === 'applyThenHang') return;
      if (fault?.kind === 'applyThenFail') reply = opts.faultReply(fault.status);
      record.status = reply.status;
      send(res, reply);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Sends a webhook from a simulator to the configured receiver; resolves with the HTTP status (0 = unreachable). */
export async function deliverWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs = 5000): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
