// The SPA's only way to the server: the session routes and typed GraphQL operations. Every GraphQL
// request carries the session's CSRF token (the server refuses cookie requests without it).
import type { TypedDocumentString } from './generated/graphql';

export interface Me {
  email: string;
  role: 'editor' | 'admin';
  csrfToken: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
/** Called when the server says the session has ended (the app shows the login page). */
let onLoggedOut: () => void = () => {};
export const setLoggedOutHandler = (fn: () => void) => (onLoggedOut = fn);

export async function session(): Promise<Me | null> {
  const res = await fetch('/admin/api/session', { credentials: 'same-origin' });
  if (!res.ok) return null;
  const me = (await res.json()) as Me;
  csrfToken = me.csrfToken;
  return me;
}

export async function login(email: string, password: string): Promise<Me> {
  const res = await fetch('/admin/api/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<Me> & { message?: string };
  if (!res.ok) throw new ApiError(body.message ?? `HTTP ${res.status}`, res.status === 429 ? 'RATE_LIMITED' : 'UNAUTHENTICATED');
  csrfToken = body.csrfToken!;
  return body as Me;
}

export async function logout(): Promise<void> {
  await fetch('/admin/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken } });
  csrfToken = '';
}

export async function gql<R, V>(doc: TypedDocumentString<R, V>, variables?: V): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
  });
  const body = (await res.json().catch(() => null)) as { data?: R; errors?: { message: string; extensions?: { code?: string; field?: string } }[] } | null;
  const err = body?.errors?.[0];
  if (err) {
    const code = err.extensions?.code ?? 'ERROR';
    if (code === 'UNAUTHENTICATED') onLoggedOut();
    throw new ApiError(err.message, code, err.extensions?.field);
  }
  if (!body?.data) throw new ApiError(`HTTP ${res.status}`, 'ERROR');
  return body.data;
}
