// Shared by the Jubelio gateway and BaseLinker <-> Optimakers bridge suites: REST calls with the
// project's JSON conventions, the demo connector user's token, admin job runs, waiting for jobs.
import type { Harness } from '../support/harness.js';

export const ADMIN = { authorization: 'Bearer admin-secret' };

export interface Res {
  status: number;
  json: any;
}

export async function call(h: Harness, method: string, path: string, opts: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(h.url + path, { method, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** A bearer token of the demo connector user (demo mode seeds it). */
export async function erpToken(h: Harness): Promise<Record<string, string>> {
  const r = await call(h, 'POST', '/public/auth/login', { body: { email: 'demo@example.com', password: 'demo-password' } });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
  return { authorization: `Bearer ${r.json.token}` };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Runs a job through the admin REST API and waits until a run newer than the request is recorded (or the job failed). */
export async function runJob(h: Harness, name: string): Promise<{ status: string; counts: Record<string, number> | null; error: string | null }> {
  const before = await call(h, 'GET', `/api/admin/jobs/${name}`, { headers: ADMIN });
  const seen = new Set((before.json?.runs ?? []).map((r: { id: string }) => r.id));
  const queued = await call(h, 'POST', `/api/admin/jobs/${name}/run`, { headers: ADMIN });
  if (queued.status !== 202) throw new Error(`run ${name}: ${queued.status} ${JSON.stringify(queued.json)}`);
  return waitFor(`a new run of ${name}`, async () => {
    const r = await call(h, 'GET', `/api/admin/jobs/${name}`, { headers: ADMIN });
    return (r.json.runs as { id: string; status: string; counts: Record<string, number> | null; error: string | null }[]).find((x) => !seen.has(x.id));
  });
}
