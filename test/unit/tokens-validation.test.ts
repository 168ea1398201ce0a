import { hashToken, newOrderToken, tokenInList, tokenMatches } from '../../src/booking/tokens.js';
import { validateParticipants, validateBooker } from '../../src/booking/validation.js';
import { participantCsv } from '../../src/mail/templates.js';

describe('order tokens', () => {
  it('have 256 random bits and match only their own hash', () => {
    const a = newOrderToken();
    const b = newOrderToken();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(tokenMatches(a, hashToken(a))).toBe(true);
    expect(tokenMatches(b, hashToken(a))).toBe(false);
    expect(tokenMatches(a, 'not-hex')).toBe(false);
  });

  it('are never handed out twice, across many refills of their random pool, and hash as SHA-256 hex', () => {
    const tokens = Array.from({ length: 1000 }, () => newOrderToken());
    expect(new Set(tokens).size).toBe(1000);
    expect(tokens.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toBe(true);
    // The stored hash is what it always was (tokens issued before keep matching).
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('are looked up in configured lists regardless of length', () => {
    expect(tokenInList('secret', ['other', 'secret'])).toBe(true);
    expect(tokenInList('secre', ['secret'])).toBe(false);
    expect(tokenInList('x', [])).toBe(false);
  });
});

describe('participant validation', () => {
  const p = (n: number) => ({ firstName: `A${n}`, lastName: 'B', email: `a${n}@example.dk` });
  it('requires exactly one participant per seat, and says so', () => {
    expect(() => validateParticipants([p(1)], 2)).toThrow('participants must list exactly one person per seat: the order has 2 seats and 1 participant was given');
    expect(validateParticipants([p(1), p(2)], 2)).toHaveLength(2);
  });
  it('rejects duplicates, bad e-mails, control characters and overlong names, naming the field', () => {
    expect(() => validateParticipants([p(1), p(1)], 2)).toThrow(/participants\[1\] is listed twice/);
    expect(() => validateParticipants([{ ...p(1), email: 'x@' }], 1)).toThrow('participants[0].email is not a valid e-mail address');
    expect(() => validateParticipants([{ ...p(1), firstName: 'A\u0000' }], 1)).toThrow('participants[0].firstName contains control characters');
    expect(() => validateBooker({ ...p(1), lastName: 'x'.repeat(101) })).toThrow('booker.lastName must be at most 100 characters');
    expect(() => validateBooker({ ...p(1), phone: 'call me' })).toThrow('booker.phone is not a valid phone number');
  });
  it('normalises e-mail case and unicode', () => {
    const [c] = validateParticipants([{ firstName: 'Søren', lastName: 'Ærø', email: 'Soren@Example.DK' }], 1);
    expect(c!.email).toBe('soren@example.dk');
    expect(c!.firstName).toBe('Søren');
  });
});

describe('participant CSV', () => {
  it('quotes separators and defuses spreadsheet formulas', () => {
    const csv = participantCsv([{ firstName: '=HYPERLINK("x")', lastName: 'Olsen, Jr.', email: 'j@example.dk', phone: null, company: 'A "B"' }]);
    expect(csv.split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")","Olsen, Jr.",j@example.dk,,"A ""B"""`);
  });
});
