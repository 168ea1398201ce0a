import { createHash, hash, randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * Random bytes for order tokens, drawn from the CSPRNG 128 tokens at a time (as Node does for
 * randomUUID): a call into OpenSSL per reservation was a visible part of a hold's CPU. Each slice
 * is handed out once; the pool is refilled when it is used up.
 */
const TOKEN_BYTES = 32;
const pool = Buffer.alloc(TOKEN_BYTES * 128);
let pooled = 0;

/** 256 random bits, URL-safe. Only its hash is stored. */
export function newOrderToken(): string {
  if (pooled === 0) {
    randomFillSync(pool);
    pooled = pool.length;
  }
  pooled -= TOKEN_BYTES;
  return pool.toString('base64url', pooled, pooled + TOKEN_BYTES);
}

/** SHA-256 in hex (crypto.hash: one call, no Hash object). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
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
