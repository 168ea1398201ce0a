// Import of main courses and course dates from Maconomy. Used by the hourly `import-courses` job and
// by the one-off import at start-up in demo mode (same code path).
//
// It writes Maconomy-owned columns only, and only when their hash changed; editor-owned columns
// (descriptions, day time overrides, trainers) are never touched. Dates that vanished from
// Maconomy are unpublished, never deleted (orders may point at them). Course dates are read from
// Maconomy a page at a time and written a batch at a time in plain SQL, so memory stays flat for
// 10,000 dates.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/orm.js';
import type { CourseDateRecord, MainCourseRecord } from '../integrations/maconomy/index.js';
import { newerAnswerSql } from '../booking/seats.js';
import { CourseDate, MainCourse, type CourseDateStatus } from './entities.js';
import { bumpCatalogVersion } from './catalogue-version.js';

export interface CatalogSource {
  listMainCourses(): Promise<MainCourseRecord[]>;
  iterateCourseDates(pageSize?: number): AsyncGenerator<CourseDateRecord[]>;
}

export interface ImportResult {
  mainCourses: { created: number; updated: number };
  courseDates: { seen: number; created: number; updated: number; unchanged: number; unpublished: number; republished: number };
  /** Ids of course dates whose Maconomy data changed: what WordPress needs to hear about. */
  changedCourseDateIds: string[];
  durationMs: number;
}

export interface ImportLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const STATUS: Record<CourseDateRecord['status'], CourseDateStatus> = { open: 'OPEN', closed: 'CLOSED', cancelled: 'CANCELLED' };

export function courseDateHash(r: CourseDateRecord): string {
  const canonical = JSON.stringify([
    r.mainCourseNumber, r.title, r.startDate, r.endDate, r.location, r.priceMinor, r.currency, r.capacity, r.status,
    r.days.map((d) => [d.date, d.startTime, d.endTime]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function importCourses(
  deps: { db: Db; source: CatalogSource; log?: ImportLog; batchSize?: number; now?: () => Date },
): Promise<ImportResult> {
  const started = Date.now();
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? 250;
  const result: ImportResult = {
    mainCourses: { created: 0, updated: 0 },
    courseDates: { seen: 0, created: 0, updated: 0, unchanged: 0, unpublished: 0, republished: 0 },
    changedCourseDateIds: [],
    durationMs: 0,
  };

  // Main courses are few: one pass.
  const mainCourseIds = new Map<string, string>();
  {
    const records = await deps.source.listMainCourses();
    const em = deps.db.em();
    const existing = new Map((await em.find(MainCourse, {})).map((m) => [m.maconomyNumber, m]));
    for (const r of records) {
      let mc = existing.get(r.number);
      if (!mc) {
        mc = em.create(MainCourse, { maconomyNumber: r.number, title: r.title, description: r.description, category: r.category });
        result.mainCourses.created++;
      } else if (mc.title !== r.title || mc.description !== r.description || mc.category !== r.category) {
        Object.assign(mc, { title: r.title, description: r.description, category: r.category });
        result.mainCourses.updated++;
      }
    }
    await em.flush();
    for (const mc of await em.find(MainCourse, {})) mainCourseIds.set(mc.maconomyNumber, mc.id);
  }

  // Each date's sync sequence before any page is asked for: the free seats on the pages are tagged
  // with it (booking/seats.ts). Read once up front, so the tags are never newer than the answers.
  const seqBefore = new Map(
    (await deps.db.em().getConnection().execute<{ maconomy_id: string; sync_seq: number | string }[]>('select maconomy_id, sync_seq from course_date')).map(
      (r) => [r.maconomy_id, Number(r.sync_seq)] as const,
    ),
  );
  const seen = new Set<string>();
  let batchNo = 0;
  for await (const page of deps.source.iterateCourseDates(batchSize)) {
    for (let i = 0; i < page.length; i += batchSize) {
      const batch = page.slice(i, i + batchSize);
      batchNo++;
      await importBatch(deps.db, batch, mainCourseIds, result, seen, now(), seqBefore, deps.log);
      deps.log?.info({ batch: batchNo, seen: result.courseDates.seen, created: result.courseDates.created, updated: result.courseDates.updated }, 'import-courses progress');
    }
  }

  // Unpublish what Maconomy no longer lists. Ids are compared in memory (10,000 short strings).
  const em = deps.db.em();
  const published = await em.getConnection().execute<{ id: string; maconomy_id: string }[]>(
    'select id, maconomy_id from course_date where removed_from_maconomy_at is null',
  );
  const vanished = published.filter((r) => !seen.has(r.maconomy_id)).map((r) => r.id);
  for (let i = 0; i < vanished.length; i += batchSize) {
    const ids = vanished.slice(i, i + batchSize);
    const at = now();
    result.courseDates.unpublished += await em.nativeUpdate(CourseDate, { id: { $in: ids } }, { published: false, removedFromMaconomyAt: at, updatedAt: at });
    await bumpCatalogVersion(em); // a bulk update: no flush tells the catalogue in memory (src/catalog/catalogue-memory.ts)
    result.changedCourseDateIds.push(...ids);
  }

  result.durationMs = Date.now() - started;
  deps.log?.info({ ...result.courseDates, mainCourses: result.mainCourses, durationMs: result.durationMs }, 'import-courses finished');
  return result;
}

/** A course date as the import reads it back: what it compares and the tag of its stored count. */
interface StoredDate {
  id: string;
  maconomy_id: string;
  source_hash: string;
  published: number | boolean;
  removed_from_maconomy_at: unknown;
}

const COURSE_DATE_COLUMNS = [
  'id', 'maconomy_id', 'main_course_id', 'title', 'start_date', 'end_date', 'location', 'price_minor', 'currency', 'capacity', 'status',
  'maconomy_free_seats', 'maconomy_checked_at', 'maconomy_free_seq', 'published', 'source_hash', 'imported_at', 'updated_at',
] as const;
const COURSE_DAY_COLUMNS = ['id', 'course_date_id', 'date', 'start_time', 'end_time'] as const;

/**
 * Rows per insert statement on SQLite. A statement of a whole batch's days (about 750 rows) took
 * SQLite megabytes to compile, and the process kept that memory; chunks of this size have one
 * text, so their compiled form is kept and reused. MySQL gets one statement per table and batch
 * (each statement is a round trip there).
 */
const SQLITE_INSERT_CHUNK = 100;

/** Multi-row inserts of `rows` (each in `columns` order), `chunk` rows a statement; `keep`: the statement has the chunk's fixed text. */
function insertRows(table: string, columns: readonly string[], rows: unknown[][], chunk = Infinity): { sql: string; params: unknown[]; keep: boolean }[] {
  const one = `(${columns.map(() => '?').join(', ')})`;
  const out = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    out.push({ sql: `insert into ${table} (${columns.join(', ')}) values ${part.map(() => one).join(', ')}`, params: part.flat(), keep: part.length === chunk });
  }
  return out;
}

/**
 * One batch in one transaction, in plain SQL: the dates' stored hashes are read, new dates and
 * their days inserted a batch at a time, changed dates updated column by column of what Maconomy
 * owns (editor-owned columns and day-time overrides are never named), and every date's free
 * seats stored unless a newer answer is (newerAnswerSql, the rule of every store of the count).
 * No entities: building, tracking and flushing one per date and day was four fifths of what the
 * import allocated, and that garbage, not what the import keeps, set its peak memory.
 */
async function importBatch(
  db: Db,
  batch: CourseDateRecord[],
  mainCourseIds: Map<string, string>,
  result: ImportResult,
  seen: Set<string>,
  at: Date,
  seqBefore: Map<string, number>,
  log?: ImportLog,
) {
  await db.em().transactional(async (tx) => {
    // Statements whose text varies with the batch (a list of ids, a multi-row insert) are not kept prepared.
    const exec = <T>(statement: { sql: string; params: unknown[] }, method: 'all' | 'run', keep = true) =>
      db.bound
        ? db.bound<T>(tx, statement.sql, statement.params, method, { keep })
        : (tx.getConnection().execute(statement.sql, statement.params, method, tx.getTransactionContext()) as Promise<T>);
    const ids = [...new Set(batch.map((r) => r.maconomyId))];
    const stored = new Map(
      (
        await exec<StoredDate[]>(
          { sql: `select id, maconomy_id, source_hash, published, removed_from_maconomy_at from course_date where maconomy_id in (${ids.map(() => '?').join(', ')})`, params: ids },
          'all',
          false,
        )
      ).map((row) => [row.maconomy_id, row]),
    );
    const newDates: unknown[][] = [];
    const newDays: unknown[][] = [];
    const changed: { row: StoredDate; record: CourseDateRecord; mainCourseId: string; hash: string; republish: boolean }[] = [];
    for (const r of batch) {
      if (seen.has(r.maconomyId)) continue; // Maconomy listed it twice; first wins
      seen.add(r.maconomyId);
      result.courseDates.seen++;
      const mainCourseId = mainCourseIds.get(r.mainCourseNumber);
      if (!mainCourseId) {
        log?.warn({ maconomyId: r.maconomyId, mainCourseNumber: r.mainCourseNumber }, 'course date skipped: its main course is not in /api/maincourse');
        continue;
      }
      const hash = courseDateHash(r);
      const row = stored.get(r.maconomyId);
      if (!row) {
        const id = randomUUID();
        newDates.push([
          id, r.maconomyId, mainCourseId, r.title, r.startDate, r.endDate, r.location, r.priceMinor, r.currency, r.capacity, STATUS[r.status],
          r.freeSeats, at, seqBefore.get(r.maconomyId) ?? 0, true, hash, at, at,
        ]);
        for (const d of r.days) newDays.push([randomUUID(), id, d.date, d.startTime, d.endTime]);
        result.courseDates.created++;
        result.changedCourseDateIds.push(id);
        continue;
      }
      // Free seats move with every booking; refresh them without counting the date as changed,
      // unless a newer answer (a hold's, a reconciliation's) is already stored.
      const answer = { fetchedAt: at, seq: seqBefore.get(r.maconomyId) ?? 0 };
      const newer = newerAnswerSql(answer);
      await exec(
        { sql: `update course_date set maconomy_free_seats = ?, maconomy_checked_at = ?, maconomy_free_seq = ? where id = ? and ${newer.sql}`, params: [r.freeSeats, at, answer.seq, row.id, ...newer.params] },
        'run',
      );
      const republish = !row.published && row.removed_from_maconomy_at !== null;
      if (row.source_hash === hash && !republish) {
        result.courseDates.unchanged++;
        continue;
      }
      changed.push({ row, record: r, mainCourseId, hash, republish });
    }
    const chunk = db.bound ? SQLITE_INSERT_CHUNK : Infinity;
    for (const insert of insertRows('course_date', COURSE_DATE_COLUMNS, newDates, chunk)) await exec(insert, 'run', insert.keep);
    for (const insert of insertRows('course_day', COURSE_DAY_COLUMNS, newDays, chunk)) await exec(insert, 'run', insert.keep);
    // Plain SQL: no flush tells the catalogue in memory (src/catalog/catalogue-memory.ts) of new or changed dates.
    if (newDates.length || changed.length) await bumpCatalogVersion(tx);
    if (!changed.length) return;

    const changedIds = changed.map((c) => c.row.id);
    const days = await exec<{ id: string; course_date_id: string; date: string }[]>(
      { sql: `select id, course_date_id, date from course_day where course_date_id in (${changedIds.map(() => '?').join(', ')})`, params: changedIds },
      'all',
      false,
    );
    const daysOf = new Map<string, Map<string, string>>();
    for (const d of days) {
      let of = daysOf.get(d.course_date_id);
      if (!of) daysOf.set(d.course_date_id, (of = new Map()));
      of.set(d.date, d.id);
    }
    for (const { row, record: r, mainCourseId, hash, republish } of changed) {
      if (republish) result.courseDates.republished++;
      await exec(
        {
          sql: `update course_date set main_course_id = ?, title = ?, start_date = ?, end_date = ?, location = ?, price_minor = ?, currency = ?, capacity = ?, status = ?, source_hash = ?, imported_at = ?, updated_at = ?${republish ? ', published = ?, removed_from_maconomy_at = null' : ''} where id = ?`,
          params: [mainCourseId, r.title, r.startDate, r.endDate, r.location, r.priceMinor, r.currency, r.capacity, STATUS[r.status], hash, at, at, ...(republish ? [true] : []), row.id],
        },
        'run',
      );
      const known = daysOf.get(row.id) ?? new Map<string, string>();
      for (const d of r.days) {
        const dayId = known.get(d.date);
        if (dayId) {
          // Maconomy's times change; editor overrides on the same day stay.
          await exec({ sql: 'update course_day set start_time = ?, end_time = ? where id = ?', params: [d.startTime, d.endTime, dayId] }, 'run');
          known.delete(d.date);
        } else {
          const [insert] = insertRows('course_day', COURSE_DAY_COLUMNS, [[randomUUID(), row.id, d.date, d.startTime, d.endTime]]);
          await exec(insert!, 'run');
        }
      }
      for (const gone of known.values()) await exec({ sql: 'delete from course_day where id = ?', params: [gone] }, 'run');
      result.courseDates.updated++;
      result.changedCourseDateIds.push(row.id);
    }
  });
}
