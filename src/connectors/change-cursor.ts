// The paging cursor of the ERP-side change feeds (Jubelio sales orders, Optimakers product changes):
// the last row's change time and id, so a page continues exactly after the row it ended with even
// when many rows share one change time. Opaque to the ERP (base64url).
import { UUID_RE } from './http.js';

export interface ChangeCursor {
  changedAt: Date;
  id: string;
}

export const encodeCursor = (row: ChangeCursor): string => Buffer.from(`${row.changedAt.toISOString()}|${row.id}`).toString('base64url');

/** null when the text is not a cursor this server handed out. */
export function parseCursor(cursor: string): ChangeCursor | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const d = new Date(at ?? '');
  return id && UUID_RE.test(id) && !Number.isNaN(d.getTime()) ? { changedAt: d, id } : null;
}

/** Rows after the cursor, in (changedAt, id) order. */
export const afterCursor = (c: ChangeCursor) => ({ $or: [{ changedAt: { $gt: c.changedAt } }, { changedAt: c.changedAt, id: { $gt: c.id } }] });
