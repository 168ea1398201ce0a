// Connector users and their bearer tokens: creation, login, token checks, revocation.
import { createHash, randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db, Em } from '../../db/orm.js';
import { tokenMatches } from '../../booking/tokens.js';
import { ConnectorToken, ConnectorUser } from './entities.js';
import { hasLoneSurrogate, isPlainText } from '../http.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';

/** What a protected route learns about its caller (request.connectorUser). */
export interface ConnectorPrincipal {
  id: string;
  name: string;
  email: string;
}

export class ConnectorUserError extends Error {
  override name = 'ConnectorUserError';
  constructor(
    message: string,
    readonly code: 'BAD_INPUT' | 'CONFLICT' | 'NOT_FOUND',
    readonly field?: string,
  ) {
    super(message);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A password as it can be stored: no NUL (scrypt, like every HMAC-based hash, cannot tell `pw` from
 * `pw\0`) and no lone surrogate (UTF-8 turns it into U+FFFD, so another string would match).
 */
export const isAcceptablePassword = (password: string): boolean => !password.includes('\u0000') && !hasLoneSurrogate(password);

export function validateUserInput(input: { email?: unknown; name?: unknown; password?: unknown }, opts: { partial?: boolean } = {}) {
  const out: { email?: string; name?: string; password?: string } = {};
  if (input.email !== undefined || !opts.partial) {
    // Length first: the pattern backtracks (quadratic) on long input, and a 60 KB value held the
    // process for seconds.
    if (typeof input.email !== 'string' || input.email.length > 320 || !EMAIL.test(input.email.trim()) || !isPlainText(input.email.trim()))
      throw new ConnectorUserError('email must be an e-mail address', 'BAD_INPUT', 'email');
    out.email = input.email.trim().toLowerCase();
  }
  if (input.name !== undefined || !opts.partial) {
    if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200 || !isPlainText(input.name))
      throw new ConnectorUserError('name must be a non-empty string of at most 200 characters, without control characters', 'BAD_INPUT', 'name');
    out.name = input.name.trim();
  }
  if (input.password !== undefined || !opts.partial) {
    if (typeof input.password !== 'string' || input.password.length < 10 || input.password.length > 200)
      throw new ConnectorUserError('password must be 10 to 200 characters long', 'BAD_INPUT', 'password');
    if (!isAcceptablePassword(input.password)) throw new ConnectorUserError('password must not contain a NUL character or invalid Unicode', 'BAD_INPUT', 'password');
    out.password = input.password;
  }
  return out;
}

export async function createConnectorUser(db: Db, input: { email: unknown; name: unknown; password: unknown; id?: string }): Promise<ConnectorUser> {
  const v = validateUserInput(input);
  const passwordHash = await hashPassword(v.password!);
  const em = db.em();
  const user = em.create(ConnectorUser, { ...(input.id ? { id: input.id } : {}), email: v.email!, name: v.name!, passwordHash } as never);
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new ConnectorUserError(`a connector user with this email already exists`, 'CONFLICT', 'email');
    throw err;
  }
  return user;
}

export async function updateConnectorUser(db: Db, id: string, input: { name?: unknown; password?: unknown; active?: unknown }): Promise<ConnectorUser> {
  const v = validateUserInput({ name: input.name, password: input.password }, { partial: true });
  if (input.active !== undefined && typeof input.active !== 'boolean') throw new ConnectorUserError('active must be true or false', 'BAD_INPUT', 'active');
  const passwordHash = v.password ? await hashPassword(v.password) : undefined;
  return db.em().transactional(async (em) => {
    const user = await em.findOne(ConnectorUser, { id });
    if (!user) throw new ConnectorUserError('connector user not found', 'NOT_FOUND', 'id');
    if (v.name) user.name = v.name;
    if (passwordHash) user.passwordHash = passwordHash;
    if (typeof input.active === 'boolean') user.active = input.active;
    // A new password or a deactivation ends every session.
    if (passwordHash || input.active === false) await em.nativeDelete(ConnectorToken, { user: id });
    return user;
  });
}

export async function revokeTokens(db: Db, userId: string): Promise<number> {
  return db.em().nativeDelete(ConnectorToken, { user: userId });
}

export const hashBearer = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Checks e-mail and password; returns a new token, or null (unknown e-mail, wrong password, inactive). */
export async function login(
  db: Db,
  email: string,
  password: string,
  opts: { now: Date; ttlHours: number },
): Promise<{ token: string; expiresAt: Date; user: ConnectorPrincipal } | null> {
  const em = db.em();
  const wanted = email.trim().toLowerCase();
  const found = await em.findOne(ConnectorUser, { email: wanted });
  // Exactly this address: MySQL's collation would also match other spellings (démo@ for demo@),
  // each with a throttle of its own.
  const user = found?.email === wanted ? found : null;
  // Verify against a dummy hash when the user is unknown: the answer takes as long either way.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.active) return null;
  const token = `kct_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(opts.now.getTime() + opts.ttlHours * 3_600_000);
  await em.transactional(async (tx: Em) => {
    await tx.nativeDelete(ConnectorToken, { user: user.id, expiresAt: { $lt: opts.now } });
    tx.create(ConnectorToken, { user: user.id, tokenHash: hashBearer(token), expiresAt } as never);
  });
  return { token, expiresAt, user: { id: user.id, name: user.name, email: user.email } };
}

/** The user a bearer token belongs to, or null (unknown, expired, user inactive). */
export async function authenticateToken(db: Db, token: string, now: Date): Promise<ConnectorPrincipal | null> {
  if (!token.startsWith('kct_') || token.length > 100) return null;
  const hash = hashBearer(token);
  const row = await db.em().findOne(ConnectorToken, { tokenHash: hash }, { populate: ['user'] });
  // The lookup is by hash; the constant-time compare guards against a collation that matches loosely.
  if (!row || !tokenMatches(token, row.tokenHash)) return null;
  if (row.expiresAt.getTime() <= now.getTime()) return null;
  const user = row.user as unknown as ConnectorUser;
  if (!user.active) return null;
  return { id: user.id, name: user.name, email: user.email };
}
