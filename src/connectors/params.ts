// The query and path parameters the REST connectors share, read one way everywhere: dates and
// date-times (a strict calendar check: 2026-02-30 is a 400, not 2 March), page sizes, paging
// cursors, choices from a fixed list, and numeric ids.
// A bad value throws InputError; the connector scope's error handler answers it in the route's own
// envelope (src/connectors/http.ts). Throwing rather than sending keeps every handler's early exits
// from replying twice.

/** A request the handler refuses: status (4xx), a message for the client, and the field at fault. */
export class InputError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 date (`2026-11-22`, midnight UTC) or date-time (`2026-11-22T10:00:00Z`, `+07:00`
 * offsets; without an offset it is UTC). null for anything else, including dates that do not exist
 * on the calendar (30 February, month 13, hour 24) and offsets beyond ±18:00.
 */
export function parseInstant(raw: string): Date | null {
  const m = ISO.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(3).replace(':', '') || 0);
    if (oh > 18 || om > 59) return null;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000);
}

/** `raw` as an instant, undefined when absent or empty; InputError naming `field` otherwise. */
export function instantParam(raw: string | undefined, field: string): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const d = parseInstant(raw);
  if (!d) throw new InputError(400, `${field} must be an ISO 8601 date or date-time that exists on the calendar, such as 2026-11-22T10:00:00Z`, field);
  return d;
}

/** A page size: `fallback` when absent, else a whole number from 1 to `max`. */
export function limitParam(raw: string | undefined, opts: { max?: number; fallback?: number; field?: string } = {}): number {
  const { max = 500, fallback = 100, field = 'limit' } = opts;
  if (raw === undefined) return fallback;
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(400, `${field} must be a whole number from 1 to ${max}`, field);
  return n;
}

/**
 * The one check of every paging cursor (`after`): absent or empty is the first page; anything else
 * must be a cursor this server handed out as `nextCursor` (base64url that `parse` accepts).
 */
export function cursorParam<T>(raw: string | undefined, parse: (cursor: string) => T | null, field = 'after'): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  const c = raw.length <= 1000 && /^[A-Za-z0-9_-]+$/.test(raw) ? parse(raw) : null;
  if (c === null) throw new InputError(400, `${field} must be a nextCursor from an earlier answer`, field);
  return c;
}

/** An optional choice from a fixed list: undefined when absent, else one of `values` ("a, b or c"). */
export function oneOfParam<T extends string>(raw: string | undefined, values: readonly T[], field: string): T | undefined {
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw)) throw new InputError(400, `${field} must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}`, field);
  return raw as T;
}

/** A path id: a positive whole number; otherwise InputError "`field` must be `what`". */
export function idParam(raw: string | undefined, what: string, field = 'id'): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new InputError(400, `${field} must be ${what}`, field);
  return id;
}
