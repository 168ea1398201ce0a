// Validation of booker and participant data. GraphQL scalars already reject malformed e-mails; this
// is the one place that enforces the rest (and the same rules for every caller).
import { badInput } from '../errors.js';

export interface PersonInput {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | null;
  company?: string | null;
}

export interface CleanPerson {
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  company: string | null;
}

// Pragmatic address check (RFC 5322 is broader, but this is what mail servers deliver to).
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PHONE = /^\+?[0-9 ()-]{6,30}$/;
// Control characters (except none) have no place in names; they break mails and CSV exports.
// Bidirectional overrides and isolates (U+202A-202E, U+2066-2069) can make a name display as
// something else in a confirmation mail, so they are refused too.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function text(value: unknown, field: string, max: number, required: true): string;
function text(value: unknown, field: string, max: number, required: false): string | null;
function text(value: unknown, field: string, max: number, required: boolean): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (required) throw badInput(`${field} is required`, field);
    return null;
  }
  if (typeof value !== 'string') throw badInput(`${field} must be text`, field);
  const v = value.normalize('NFC').trim();
  if (v.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  if (CONTROL.test(v)) throw badInput(`${field} contains control characters`, field);
  // A lone UTF-16 surrogate is not text: MySQL's utf8mb4 would refuse it mid-transaction.
  if (!(v as string & { isWellFormed(): boolean }).isWellFormed()) throw badInput(`${field} is not valid Unicode text`, field);
  return v;
}

function person(input: PersonInput, prefix: string): CleanPerson {
  if (!input || typeof input !== 'object') throw badInput(`${prefix} is required`, prefix);
  const email = text(input.email, `${prefix}.email`, 254, true).toLowerCase();
  if (!EMAIL.test(email)) throw badInput(`${prefix}.email is not a valid e-mail address`, `${prefix}.email`);
  const phone = text(input.phone, `${prefix}.phone`, 30, false);
  if (phone && !PHONE.test(phone)) throw badInput(`${prefix}.phone is not a valid phone number`, `${prefix}.phone`);
  return {
    firstName: text(input.firstName, `${prefix}.firstName`, 100, true),
    lastName: text(input.lastName, `${prefix}.lastName`, 100, true),
    email,
    phone,
    company: text(input.company, `${prefix}.company`, 200, false),
  };
}

export function validateBooker(input: PersonInput): CleanPerson {
  return person(input, 'booker');
}

export function validateParticipants(input: PersonInput[], seats: number): CleanPerson[] {
  if (!Array.isArray(input)) throw badInput('participants must be a list', 'participants');
  if (input.length !== seats)
    throw badInput(`participants must list exactly one person per seat: the order has ${seats} seat${seats === 1 ? '' : 's'} and ${input.length} participant${input.length === 1 ? ' was' : 's were'} given`, 'participants');
  const people = input.map((p, i) => person(p, `participants[${i}]`));
  const seen = new Set<string>();
  people.forEach((p, i) => {
    const key = `${p.email}|${p.firstName.toLowerCase()}|${p.lastName.toLowerCase()}`;
    if (seen.has(key)) throw badInput(`participants[${i}] is listed twice; each seat needs its own participant`, `participants[${i}]`);
    seen.add(key);
  });
  return people;
}
