// Who is calling, for the GraphQL API and the back office's routes: a bearer token (machine
// clients: EDITOR_TOKENS, ADMIN_TOKENS) or a staff session cookie. A cookie-authenticated request
// must also carry the session's CSRF token in the X-CSRF-Token header: a page on another site can
// make the browser send the cookie, but cannot read the token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/orm.js';
import { csrfTokenFor, staffFromSession, type StaffPrincipal } from './service.js';

export const SESSION_COOKIE = 'kursus_staff';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of one cookie in a Cookie header (first occurrence), or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value.length > 0 && value.length <= 100 ? value : null;
    }
  }
  return null;
}

export function sessionCookie(value: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${opts.maxAgeSeconds}`, ...(opts.secure ? ['Secure'] : [])].join('; ');
}

export const clearedSessionCookie = (secure: boolean) => sessionCookie('', { secure, maxAgeSeconds: 0 });

const sameToken = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export type CookieAuth =
  | { kind: 'none' }
  /** A cookie that names no live session (expired, logged out, user disabled). */
  | { kind: 'expired' }
  /** A live session, but the request lacks its CSRF token (or sends a wrong one). */
  | { kind: 'csrf'; staff: StaffPrincipal }
  | { kind: 'ok'; staff: StaffPrincipal; sessionId: string };

/** The staff session behind the request's cookie, with the CSRF check done when `requireCsrf`. */
export async function authenticateCookie(request: FastifyRequest, deps: { db: Db; config: Config; now: () => Date }, requireCsrf = true): Promise<CookieAuth> {
  const sessionId = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!sessionId) return { kind: 'none' };
  const staff = await staffFromSession(deps.db, sessionId, deps.now(), { idleMinutes: deps.config.staff.sessionIdleMinutes, maxHours: deps.config.staff.sessionMaxHours });
  if (!staff) return { kind: 'expired' };
  if (requireCsrf) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameToken(sent, csrfTokenFor(sessionId))) return { kind: 'csrf', staff };
  }
  return { kind: 'ok', staff, sessionId };
}
