import { pino } from 'pino';
import { LOG_CENSOR, logRedaction, redactLogFields } from '../../src/observability/log-redact.js';

/** A logger configured as the app's (logRedaction), its lines parsed. */
function appLikeLogger() {
  const lines: Record<string, any>[] = [];
  const log = pino({ level: 'debug', ...logRedaction }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('log lines never show credentials or personal data (logRedaction)', () => {
  it('censors secret fields at the top level and in nested objects and arrays, and keeps everything else', () => {
    const { log, lines } = appLikeLogger();
    log.info(
      {
        orderId: 'o-1',
        seats: 2,
        email: 'anna@example.dk',
        booker: { email: 'anna@example.dk', phone: '+45 12 34 56 78', company: 'ACME' },
        participants: [{ email: 'bo@example.dk', seat: 1 }, 'plain', null],
        req: { headers: { authorization: 'Bearer abc', 'x-api-key': 'k-1', accept: 'application/json' } },
        input: { orderToken: 'tok-1', password: 'hunter2', token: 't-2', deeper: { still: { email: 'c@example.dk' } } },
      },
      'checked out',
    );
    const line = lines[0]!;
    expect(line).toMatchObject({
      msg: 'checked out',
      orderId: 'o-1',
      seats: 2,
      email: LOG_CENSOR,
      booker: { email: LOG_CENSOR, phone: LOG_CENSOR, company: 'ACME' },
      participants: [{ email: LOG_CENSOR, seat: 1 }, 'plain', null],
      req: { headers: { authorization: LOG_CENSOR, 'x-api-key': LOG_CENSOR, accept: 'application/json' } },
      input: { orderToken: LOG_CENSOR, password: LOG_CENSOR, token: LOG_CENSOR, deeper: { still: { email: LOG_CENSOR } } },
    });
    const text = JSON.stringify(line);
    for (const secret of ['anna@example.dk', 'bo@example.dk', 'c@example.dk', '12 34', 'Bearer abc', 'k-1', 'tok-1', 'hunter2', 't-2']) expect(text).not.toContain(secret);
  });

  it('censors the own properties of a logged error, nested ones included', () => {
    const { log, lines } = appLikeLogger();
    const err = Object.assign(new Error('upstream refused', { cause: Object.assign(new Error('inner'), { token: 'inner-token' }) }), {
      password: 'p4ss',
      request: { headers: { cookie: 'session=abc' } },
    });
    log.error({ err }, 'sync failed');
    const text = JSON.stringify(lines[0]);
    expect(lines[0]!.err).toMatchObject({ message: 'upstream refused: inner', password: LOG_CENSOR, request: { headers: { cookie: LOG_CENSOR } } });
    for (const secret of ['p4ss', 'session=abc', 'inner-token']) expect(text).not.toContain(secret);
  });

  it('changes nothing the caller passed, and copies nothing when there is nothing to censor', () => {
    const clean = { orderId: 'o-1', seats: 1, nested: { a: [1, { b: 2 }] } };
    expect(redactLogFields(clean)).toBe(clean);
    const withSecret = { orderId: 'o-1', booker: { email: 'anna@example.dk' } };
    const shown = redactLogFields(withSecret);
    expect(shown).not.toBe(withSecret);
    expect(shown.booker.email).toBe(LOG_CENSOR);
    expect(withSecret.booker.email).toBe('anna@example.dk');
  });

  it('leaves class instances to their serializers and stops at a cycle', () => {
    class Holder {
      email = 'kept-by-serializer@example.dk';
    }
    const holder = new Holder();
    expect(redactLogFields({ holder }).holder).toBe(holder);
    const cyclic: Record<string, unknown> = { seats: 1 };
    cyclic.self = cyclic;
    expect(() => redactLogFields(cyclic)).not.toThrow();
  });
});
