// The login throttle with a fake clock: backoff per (account, address), a global per-address
// limit, and no way for one address to lock an account out for another.
import { createLoginThrottle } from '../../src/security/login-throttle.js';

describe('login throttle', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => {
    t = 1_000_000;
  });

  test('free failures first, then a wait that doubles after every further failure, capped', () => {
    const throttle = createLoginThrottle({ freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, addressFailures: 0, now });
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('a@x', '10.0.0.1')).toEqual({ allowed: true });
      throttle.fail('a@x', '10.0.0.1');
    }
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const d = throttle.check('a@x', '10.0.0.1');
      if (d.allowed) {
        throttle.fail('a@x', '10.0.0.1');
        const after = throttle.check('a@x', '10.0.0.1');
        if (after.allowed) throw new Error('a failure past the free ones must cost a wait');
        waits.push(after.retryAfterMs);
        t += after.retryAfterMs;
      }
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  test('an attacker cannot lock the account: the same account from another address is not slowed', () => {
    const throttle = createLoginThrottle({ now });
    for (let i = 0; i < 50; i++) {
      throttle.fail('victim@x', '203.0.113.9');
      t += 1; // as fast as the attacker can
    }
    expect(throttle.check('victim@x', '203.0.113.9')).toMatchObject({ allowed: false, scope: 'account' });
    expect(throttle.check('victim@x', '198.51.100.7')).toEqual({ allowed: true });
  });

  test('a success clears the pair', () => {
    const throttle = createLoginThrottle({ freeFailures: 1, now });
    throttle.fail('a@x', 'ip');
    throttle.fail('a@x', 'ip');
    const d = throttle.check('a@x', 'ip');
    expect(d.allowed).toBe(false);
    t += (d as { retryAfterMs: number }).retryAfterMs;
    throttle.succeed('a@x', 'ip');
    throttle.fail('a@x', 'ip');
    expect(throttle.check('a@x', 'ip')).toEqual({ allowed: true });
  });

  test('one address spraying many accounts meets the per-address limit, others do not', () => {
    const throttle = createLoginThrottle({ addressFailures: 10, addressWindowMs: 60_000, now });
    for (let i = 0; i < 10; i++) throttle.fail(`user${i}@x`, 'spray');
    const d = throttle.check('fresh@x', 'spray');
    expect(d).toMatchObject({ allowed: false, scope: 'address', retryAfterSeconds: 60 });
    expect(throttle.check('fresh@x', 'elsewhere')).toEqual({ allowed: true });
    t += 60_000;
    expect(throttle.check('fresh@x', 'spray')).toEqual({ allowed: true });
  });

  test('state is forgotten after a quiet maximum wait, and memory is bounded', () => {
    const throttle = createLoginThrottle({ freeFailures: 0, baseDelayMs: 1000, maxDelayMs: 4000, maxKeys: 100, addressFailures: 0, now });
    throttle.fail('a@x', 'ip');
    t += 4000 + 1000 + 1;
    throttle.fail('a@x', 'ip');
    // Counted from scratch: the first wait again.
    expect(throttle.check('a@x', 'ip')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    for (let i = 0; i < 1000; i++) throttle.fail(`spoof${i}`, 'ip');
    // The oldest pairs were dropped to stay within maxKeys.
    t += 1000;
    expect(throttle.check('a@x', 'ip')).toEqual({ allowed: true });
  });
});
