import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe. Only its hash is stored. */
export function newOrderToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented token against a stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Constant-time membership test for configured bearer tokens (editors, admins). */
export function tokenInList(token: string, list: readonly string[]): boolean {
  const presented = createHash('sha256').update(token).digest();
  let found = false;
  for (const candidate of list) {
    // Hashing both sides gives equal lengths, so timingSafeEqual never throws and the loop always
    // runs over the whole list.
    if (timingSafeEqual(presented, createHash('sha256').update(candidate).digest())) found = true;
  }
  return found;
}
