// Housekeeping over large tables runs in batches, each in a fresh unit of work, so no statement
// holds a table for long and memory stays flat.
import type { Db, Em } from './orm.js';

/**
 * Runs `batch` with a fresh EntityManager until it finds fewer than `size` rows; each call returns
 * how many rows it found and how many it changed. Returns the total changed.
 */
export async function inBatches(db: Db, size: number, batch: (em: Em, limit: number) => Promise<{ found: number; changed: number }>): Promise<number> {
  let changed = 0;
  for (;;) {
    const r = await batch(db.em(), size);
    changed += r.changed;
    if (r.found < size) return changed;
  }
}
