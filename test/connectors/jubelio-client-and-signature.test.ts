// The Jubelio webhook signature schemes on the raw body, and the per-minute limiter the clients use.
import { createHash, createHmac } from 'node:crypto';
import { verifyJubelioSignature } from '../../src/connectors/jubelio/sales-orders.js';
import { MinuteRateLimiter } from '../../src/connectors/commerce/http.js';

const secret = 'a-webhook-secret-of-some-length';
const raw = Buffer.from('{"action":"update-salesorder","salesorder_id":7,"status":"PAID"}');
const hmac = createHmac('sha256', secret).update(raw).digest('hex');
const plain = createHash('sha256').update(Buffer.concat([raw, Buffer.from(secret)])).digest('hex');

describe('Jubelio webhook signature', () => {
  it('hmac-sha256: the Sign header or the older x-jubelio-signature, over the exact bytes', () => {
    const cfg = { scheme: 'hmac-sha256' as const, secret, header: 'sign' };
    expect(verifyJubelioSignature(cfg, raw, { sign: hmac }, undefined)).toBe(true);
    expect(verifyJubelioSignature(cfg, raw, { sign: hmac.toUpperCase() }, undefined)).toBe(true);
    expect(verifyJubelioSignature(cfg, raw, { 'x-jubelio-signature': hmac }, undefined)).toBe(true);
    expect(verifyJubelioSignature(cfg, Buffer.concat([raw, Buffer.from(' ')]), { sign: hmac }, undefined)).toBe(false);
    expect(verifyJubelioSignature(cfg, raw, { sign: plain }, undefined)).toBe(false);
    expect(verifyJubelioSignature(cfg, raw, {}, undefined)).toBe(false);
    expect(verifyJubelioSignature(cfg, raw, { sign: 'short' }, undefined)).toBe(false);
  });
  it('sha256 of raw body + secret, and the secret-path fallback', () => {
    expect(verifyJubelioSignature({ scheme: 'sha256', secret, header: 'sign' }, raw, { sign: plain }, undefined)).toBe(true);
    expect(verifyJubelioSignature({ scheme: 'sha256', secret, header: 'sign' }, raw, { sign: hmac }, undefined)).toBe(false);
    expect(verifyJubelioSignature({ scheme: 'path', secret, header: 'sign' }, raw, {}, secret)).toBe(true);
    expect(verifyJubelioSignature({ scheme: 'path', secret, header: 'sign' }, raw, {}, secret.slice(1))).toBe(false);
    expect(verifyJubelioSignature({ scheme: 'path', secret, header: 'sign' }, raw, { sign: hmac }, undefined)).toBe(false);
  });
});

describe('MinuteRateLimiter', () => {
  it('never lets more than the limit through in any window, also for concurrent callers', async () => {
    const limiter = new MinuteRateLimiter(5, 150);
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 17 }, () =>
        limiter.acquire().then((done) => {
          stamps.push(Date.now());
          done();
        }),
      ),
    );
    stamps.sort((a, b) => a - b);
    expect(stamps).toHaveLength(17);
    for (let i = 5; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 5]!).toBeGreaterThanOrEqual(150);
  });

  it('counts a request until its answer is in: a slot frees one window after the answer, not after the send', async () => {
    const limiter = new MinuteRateLimiter(2, 100);
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    let third = false;
    const next = limiter.acquire().then((done) => {
      third = true;
      return done;
    });
    // Both requests are still in flight after three windows: the third waits however long that is.
    await new Promise((r) => setTimeout(r, 300));
    expect(third).toBe(false);
    const answeredAt = Date.now();
    first();
    (await next)();
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(100);
    second();
  });
});
