// Helpers for the REST connector suites (auth-, price-, request-out-, http-log-*.test.ts).
import { DEMO_USER } from '../../src/connectors/auth/demo.js';

export { DEMO_USER };

export interface HttpResult {
  status: number;
  json: any;
  text: string;
  headers: Headers;
}

export async function http(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string | null; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers };
}

export async function loginAs(base: string, email: string, password: string): Promise<string> {
  const r = await http(base, 'POST', '/public/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status} ${r.text}`);
  return r.json.token as string;
}

export const loginDemo = (base: string) => loginAs(base, DEMO_USER.email, DEMO_USER.password);

/** Creates a connector user through the admin API and logs it in. */
export async function newUser(base: string, adminToken: string, name = 'Second Client'): Promise<{ id: string; email: string; password: string; token: string }> {
  const email = `client-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const password = 'another-password-1';
  const r = await http(base, 'POST', '/api/admin/connector-users', { token: adminToken, body: { email, name, password } });
  if (r.status !== 201) throw new Error(`creating a user failed: ${r.status} ${r.text}`);
  return { id: r.json.id, email, password, token: await loginAs(base, email, password) };
}

export { sleep, until } from '../support/wait.js';
