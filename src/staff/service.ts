// Staff accounts and their browser sessions: creation, password reset, disabling, login, the
// session behind a cookie (idle and absolute expiry), logout. Used by `npm run user` (src/main.ts),
// the login routes (routes.ts) and the GraphQL context.
import { createHash, randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../db/orm.js';
import { isPlainText } from '../connectors/http.js';
import { isAcceptablePassword } from '../connectors/auth/service.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../connectors/auth/passwords.js';
import { DomainError, badInput } from '../errors.js';
import { STAFF_ROLES, StaffSession, StaffUser, type StaffRole } from './entities.js';

export interface StaffPrincipal {
  id: string;
  email: string;
  role: StaffRole;
}

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: unknown): string {
  if (typeof email !== 'string' || email.length > 320 || !EMAIL.test(email.trim()) || !isPlainText(email.trim())) throw badInput('email must be an e-mail address', 'email');
  return email.trim().toLowerCase();
}

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 12 || password.length > 200) throw badInput('password must be 12 to 200 characters long', 'password');
  if (!isAcceptablePassword(password)) throw badInput('password must not contain a NUL character or invalid Unicode', 'password');
  return password;
}

export function checkRole(role: unknown): StaffRole {
  if (!STAFF_ROLES.includes(role as StaffRole)) throw badInput(`role must be one of ${STAFF_ROLES.join(', ')}`, 'role');
  return role as StaffRole;
}

/** A password nobody has to type: 24 random characters (144 bits). */
export const generatePassword = () => randomBytes(18).toString('base64url');

export async function addStaffUser(db: Db, input: { email: unknown; role: unknown; password: unknown; passwordHash?: string; id?: string }): Promise<StaffPrincipal> {
  const email = normaliseEmail(input.email);
  const role = checkRole(input.role);
  const passwordHash = input.passwordHash ?? (await hashPassword(checkPassword(input.password)));
  const em = db.em();
  const user = em.create(StaffUser, { ...(input.id ? { id: input.id } : {}), email, role, passwordHash } as never);
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new DomainError('CONFLICT', `a staff user ${email} already exists`, { field: 'email' });
    throw err;
  }
  return { id: user.id, email, role };
}

async function findByEmail(db: Db, email: unknown) {
  const wanted = normaliseEmail(email);
  const user = await db.em().findOne(StaffUser, { email: wanted });
  // Exactly this address: MySQL's collation would also match other spellings.
  if (!user || user.email !== wanted) throw new DomainError('NOT_FOUND', `no staff user ${wanted}`);
  return user;
}

/** A new password; every session of the user ends. */
export async function resetStaffPassword(db: Db, email: unknown, password: unknown): Promise<void> {
  const user = await findByEmail(db, email);
  const passwordHash = await hashPassword(checkPassword(password));
  await db.em().transactional(async (em) => {
    await em.nativeUpdate(StaffUser, { id: user.id }, { passwordHash, updatedAt: new Date() });
    await em.nativeDelete(StaffSession, { user: user.id });
  });
}

/** The user cannot log in any more and every open session ends now (the next request is anonymous). */
export async function disableStaffUser(db: Db, email: unknown): Promise<{ sessionsEnded: number }> {
  const user = await findByEmail(db, email);
  return db.em().transactional(async (em) => {
    await em.nativeUpdate(StaffUser, { id: user.id }, { active: false, updatedAt: new Date() });
    return { sessionsEnded: await em.nativeDelete(StaffSession, { user: user.id }) };
  });
}

export const hashSessionId = (sessionId: string) => createHash('sha256').update(sessionId, 'utf8').digest('hex');

/**
 * The CSRF token of a session: derived from the secret session id, so it is bound to that session,
 * needs no storage, and a page on another site (which cannot read the cookie) cannot compute it.
 */
export const csrfTokenFor = (sessionId: string) => createHash('sha256').update(`csrf\u0000${sessionId}`, 'utf8').digest('base64url');

/**
 * Checks e-mail and password; on success a NEW session (a fresh id every login: a session id
 * planted before login is worthless). Returns null for an unknown e-mail, a wrong password or a
 * disabled user, and takes as long in each case. `refusedHashes`: password hashes never accepted
 * (the published demo passwords, in production).
 */
export async function staffLogin(
  db: Db,
  email: string,
  password: string,
  opts: { now: Date; limits: SessionLimits; refusedPasswords?: readonly string[] },
): Promise<{ sessionId: string; csrfToken: string; user: StaffPrincipal; expiresAt: Date } | null> {
  const wanted = email.trim().toLowerCase();
  const em = db.em();
  const found = wanted.length <= 320 ? await em.findOne(StaffUser, { email: wanted }) : null;
  const user = found?.email === wanted ? found : null;
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.active) return null;
  if (opts.refusedPasswords?.includes(password)) return null;
  const sessionId = randomBytes(32).toString('base64url');
  const expiresAt = new Date(opts.now.getTime() + opts.limits.maxHours * 3_600_000);
  await em.transactional(async (tx) => {
    // Expired sessions of this user go when it logs in again; the rest by the absolute expiry.
    await tx.nativeDelete(StaffSession, { user: user.id, expiresAt: { $lt: opts.now } });
    tx.create(StaffSession, { id: hashSessionId(sessionId), user: user.id, createdAt: opts.now, lastSeenAt: opts.now, expiresAt } as never);
  });
  return { sessionId, csrfToken: csrfTokenFor(sessionId), user: { id: user.id, email: user.email, role: user.role }, expiresAt };
}

/** The user behind a session id, or null (unknown, idle too long, past its absolute expiry, user disabled). */
export async function staffFromSession(db: Db, sessionId: string, now: Date, limits: SessionLimits): Promise<StaffPrincipal | null> {
  if (!sessionId || sessionId.length > 100) return null;
  const em = db.em();
  const id = hashSessionId(sessionId);
  const session = await em.findOne(StaffSession, { id }, { populate: ['user'] });
  if (!session || session.id !== id) return null;
  const user = session.user as unknown as StaffUser;
  const idleFor = now.getTime() - session.lastSeenAt.getTime();
  if (!user.active || session.expiresAt.getTime() <= now.getTime() || idleFor > limits.idleMinutes * 60_000) {
    await em.nativeDelete(StaffSession, { id });
    return null;
  }
  // At most one write a minute per session for the idle clock.
  if (idleFor > 60_000) await em.nativeUpdate(StaffSession, { id }, { lastSeenAt: now });
  return { id: user.id, email: user.email, role: user.role };
}

export async function staffLogout(db: Db, sessionId: string): Promise<void> {
  await db.em().nativeDelete(StaffSession, { id: hashSessionId(sessionId) });
}
