// Paging cursors of the ERP-side lists, opaque to the ERP (base64url) and checked by one function
// (cursorParam in ./params.ts) on every paged route:
// - change feeds (Jubelio sales orders, Optimakers product changes): the last row's change time and
//   id, so a page continues exactly after the row it ended with even when many rows share one time;
// - key-ordered lists (staged Jubelio products, by SKU): the last row's key.
import { isPlainText, UUID_RE } from './http.js';
import { parseInstant } from './params.js';

export interface ChangeCursor {
  changedAt: Date;
  id: string;
}

export const encodeCursor = (row: ChangeCursor): string => Buffer.from(`${row.changedAt.toISOString()}|${row.id}`).toString('base64url');

/** null when the text is not a cursor this server handed out. */
export function parseCursor(cursor: string): ChangeCursor | null {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const d = parseInstant(at ?? '');
  return !rest.length && id && UUID_RE.test(id) && d ? { changedAt: d, id } : null;
}

/** Rows after the cursor, in (changedAt, id) order. */
export const afterCursor = (c: ChangeCursor) => ({ $or: [{ changedAt: { $gt: c.changedAt } }, { changedAt: c.changedAt, id: { $gt: c.id } }] });

const KEY = 'key|';
export const encodeKeyCursor = (key: string): string => Buffer.from(KEY + key).toString('base64url');

/** The key of a key cursor; null when the text is not one this server handed out. */
export function parseKeyCursor(cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(KEY) || encodeKeyCursor(text.slice(KEY.length)) !== cursor) return null;
  const key = text.slice(KEY.length);
  return key && key.length <= 200 && isPlainText(key) ? key : null;
}
