// Loopback simulator of a Request Out upstream: the SaaS product an admin routes a Subject to (in
// the source document, a digital-ID enrolment answering with a NIK). Any POST path takes the Request
// Out body `{TicketId, Subject, SubjectType, SubjectIdentifier}` and answers
// `{Action, ResourceType, Resource, ResourceId, Data}`. Counts calls per TicketId, so tests can
// prove that a ticket reached the upstream exactly once. Optional bearer token. Faults (status
// codes, hangs, malformed bodies, delays) can be injected in-process or over HTTP via /__sim/*.
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

export interface UpstreamCall {
  path: string;
  ticketId: string | null;
  authorization: string | null;
  requestId: string | null;
  body: unknown;
  status: number;
}

export interface UpstreamFaults {
  /** The next n calls answer `status` (default 503). */
  failNext(n: number, status?: number): void;
  /** The next n calls never get an answer (the caller's timeout fires). */
  hangNext(n: number): void;
  /** The next n calls answer 200 with a body that is not the expected JSON. */
  malformedNext(n: number): void;
  /** Every call waits this long before answering. */
  delay(ms: number): void;
  clear(): void;
}

export interface UpstreamSimulator {
  url: string;
  /** Calls per TicketId. */
  callsFor(ticketId: string): number;
  calls: UpstreamCall[];
  faults: UpstreamFaults;
  close(): Promise<void>;
}

const digits = (seed: string, n: number) => {
  const hex = createHash('sha256').update(seed).digest('hex');
  return [...hex].map((c) => String(parseInt(c, 16) % 10)).join('').slice(0, n);
};

/** The answer for a ticket: deterministic, so tests can predict it. */
export function upstreamAnswer(ticketId: string, subjectIdentifier: string) {
  return {
    Action: 'create',
    ResourceType: 'data',
    Resource: 'nik',
    ResourceId: digits(`id:${ticketId}`, 9),
    Data: { Image: 'ok', NIK: digits(`nik:${ticketId}:${subjectIdentifier}`, 16), Status: 'ok' },
  };
}

export async function startUpstreamSimulator(opts: { port?: number; host?: string; token?: string } = {}): Promise<UpstreamSimulator> {
  const calls: UpstreamCall[] = [];
  const counts = new Map<string, number>();
  let fail: { n: number; status: number } = { n: 0, status: 503 };
  let hang = 0;
  let malformed = 0;
  let delayMs = 0;
  const hanging = new Set<http.ServerResponse>();
  const expected = opts.token ? createHash('sha256').update(`Bearer ${opts.token}`).digest() : null;

  const faults: UpstreamFaults = {
    failNext: (n, status = 503) => void (fail = { n, status }),
    hangNext: (n) => void (hang = n),
    malformedNext: (n) => void (malformed = n),
    delay: (ms) => void (delayMs = ms),
    clear: () => {
      fail = { n: 0, status: 503 };
      hang = 0;
      malformed = 0;
      delayMs = 0;
    },
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      if (url.pathname.startsWith('/__sim/')) {
        const n = Number(url.searchParams.get('n') ?? 1);
        if (url.pathname === '/__sim/fail') faults.failNext(n, Number(url.searchParams.get('status') ?? 503));
        else if (url.pathname === '/__sim/hang') faults.hangNext(n);
        else if (url.pathname === '/__sim/malformed') faults.malformedNext(n);
        else if (url.pathname === '/__sim/delay') faults.delay(Number(url.searchParams.get('ms') ?? 0));
        else if (url.pathname === '/__sim/clear') faults.clear();
        else if (url.pathname === '/__sim/calls') return send(res, 200, { calls: calls.map(({ body: _b, authorization: _a, ...c }) => c) });
        else return send(res, 404, { error: 'unknown simulator control' });
        return send(res, 200, { ok: true });
      }
      let body: any = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      } catch {
        /* answered below */
      }
      const ticketId = typeof body?.TicketId === 'string' ? body.TicketId : null;
      const record = (status: number) => {
        calls.push({ path: url.pathname, ticketId, authorization: req.headers.authorization ?? null, requestId: (req.headers['x-request-id'] as string) ?? null, body, status });
        if (ticketId) counts.set(ticketId, (counts.get(ticketId) ?? 0) + 1);
      };
      const answer = () => {
        if (req.method !== 'POST') return record(405), send(res, 405, { error: 'method not allowed' });
        if (expected) {
          const got = createHash('sha256').update(req.headers.authorization ?? '').digest();
          if (!timingSafeEqual(got, expected)) return record(401), send(res, 401, { error: 'unauthorized' });
        }
        if (hang > 0) {
          hang--;
          record(0);
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        if (fail.n > 0) {
          fail.n--;
          return record(fail.status), send(res, fail.status, { error: 'upstream failure (simulated)' });
        }
        if (!ticketId || typeof body?.SubjectIdentifier !== 'string') return record(400), send(res, 400, { error: 'TicketId and SubjectIdentifier are required' });
        if (malformed > 0) {
          malformed--;
          return record(200), send(res, 200, '<html>not json</html>');
        }
        record(200);
        send(res, 200, upstreamAnswer(ticketId, body.SubjectIdentifier));
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${address.port}`,
    callsFor: (ticketId) => counts.get(ticketId) ?? 0,
    calls,
    faults,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
