// Wall-clock date-times of the Product Price API (`YYYY-MM-DD HH:mm:ss` in PRICE_API_TIMEZONE)
// and PHP's DateTime JSON shape (`{date, timezone_type: 3, timezone}`) that the documented
// responses use for created/updated. Stored values are UTC instants.
import { dateTimeFormat } from '../../intl.js';
import { parseInstant } from '../params.js';

function zoneParts(at: Date, timeZone: string) {
  const parts = dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** Offset of `timeZone` from UTC at instant `at`, in ms. */
function offsetMs(at: Date, timeZone: string): number {
  const p = zoneParts(at, timeZone);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant at which the wall clock in `timeZone` shows the given time (the earlier one in a DST overlap). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): Date {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let guess = wall - offsetMs(new Date(wall), timeZone);
  const second = wall - offsetMs(new Date(guess), timeZone);
  if (second !== guess) guess = second;
  return new Date(guess);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatWallTime(at: Date, timeZone: string): string {
  const p = zoneParts(at, timeZone);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** PHP's json_encode(DateTime): `{"date": "2022-10-08 15:00:26.000000", "timezone_type": 3, "timezone": "Asia/Bangkok"}`. */
export function phpDateTime(at: Date, timeZone: string): { date: string; timezone_type: 3; timezone: string } {
  const micros = pad((at.getTime() % 1000 + 1000) % 1000, 3) + '000';
  return { date: `${formatWallTime(at, timeZone)}.${micros}`, timezone_type: 3, timezone: timeZone };
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * `YYYY-MM-DD HH:mm:ss` (seconds optional, `T` accepted) in `timeZone`; `YYYY-MM-DD` alone is the
 * start of that day, or its last second when `endOfDay`; ISO 8601 with `Z` or an offset is taken
 * as that instant. null when it is not one of these or not a real calendar date.
 */
export function parseWallTime(input: unknown, timeZone: string, opts: { endOfDay?: boolean } = {}): Date | null {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (WITH_OFFSET.test(s)) return parseInstant(s);
  const m = WALL.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dateOnly = m[4] === undefined;
  const h = dateOnly ? (opts.endOfDay ? 23 : 0) : Number(m[4]);
  const mi = dateOnly ? (opts.endOfDay ? 59 : 0) : Number(m[5]);
  const sec = dateOnly ? (opts.endOfDay ? 59 : 0) : Number(m[6] ?? 0);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  if (h > 23 || mi > 59 || sec > 59 || y < 1000) return null;
  return zonedToUtc(y, mo, d, h, mi, sec, timeZone);
}
