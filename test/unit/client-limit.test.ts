// The per-client request limit (anonymous GraphQL queries, connector logins) with a fake clock:
// fixed windows opened by a client's first request, refused requests counted too, and the key a
// client is counted under (IPv4 address, IPv6 /64 network).
import { clientKeyOf, createWindowLimiter } from '../../src/security/index.js';

describe('fixed-window client limit', () => {
  it('allows `limit` requests per window, then says when the window ends; other clients are apart', () => {
    let t = 1_000_000;
    const limiter = createWindowLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    expect([1, 2, 3].map(() => limiter.hit('a').allowed)).toEqual([true, true, true]);
    t += 15_500;
    expect(limiter.hit('a')).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
    expect(limiter.hit('b').allowed).toBe(true);
    // Refusals do not move the window: it still ends 60 s after the first request.
    t += 44_000;
    expect(limiter.hit('a')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    t += 500;
    expect(limiter.hit('a').allowed).toBe(true);
  });

  it('forgets the least recently seen client beyond maxKeys', () => {
    const limiter = createWindowLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    limiter.hit('a');
    limiter.hit('b');
    expect(limiter.hit('a').allowed).toBe(false); // a is now the most recent
    limiter.hit('c'); // drops b, the least recently seen
    expect(limiter.hit('a').allowed).toBe(false);
    expect(limiter.hit('b').allowed).toBe(true); // counted afresh (and drops c)
  });
});

describe('client key', () => {
  it('is the IPv4 address itself', () => {
    expect(clientKeyOf('10.0.3.4')).toBe('10.0.3.4');
  });

  it('is the /64 network of an IPv6 address, however it is written', () => {
    const key = clientKeyOf('2001:db8:a:b::1');
    expect(key).toBe('2001:db8:a:b::/64');
    expect(clientKeyOf('2001:0DB8:000a:000b:ffff:1:2:3')).toBe(key);
    expect(clientKeyOf('2001:db8:a:b:0:0:0:0')).toBe(key);
    expect(clientKeyOf('2001:db8:a:c::1')).not.toBe(key);
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(clientKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('is the IPv4 address of an IPv4-mapped IPv6 address', () => {
    expect(clientKeyOf('::ffff:10.0.3.4')).toBe('10.0.3.4');
    expect(clientKeyOf('::ffff:a00:304')).toBe('10.0.3.4');
    expect(clientKeyOf('64:ff9b::10.0.3.4')).toBe('64:ff9b:0:0::/64');
  });
});
