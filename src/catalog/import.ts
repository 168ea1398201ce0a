// Import of main courses and course dates from Maconomy. Used by the hourly `import-courses` job and
// by the one-off import at start-up in demo mode (same code path).
//
// It writes Maconomy-owned columns only, and only when their hash changed; editor-owned columns
// (descriptions, day time overrides, trainers) are never touched. Dates that vanished from
// Maconomy are unpublished, never deleted (orders may point at them). Course dates are read and
// written in batches with a fresh unit of work per batch, so memory stays flat for 10,000 dates.
import { createHash } from 'node:crypto';
import type { Db, Em } from '../db/orm.js';
import type { CourseDateRecord, MainCourseRecord } from '../integrations/maconomy/index.js';
import { CourseDate, CourseDay, MainCourse, type CourseDateStatus } from './entities.js';

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
  const batchSize = deps.batchSize ?? 500;
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
      await importBatch(deps.db.em(), batch, mainCourseIds, result, seen, now(), seqBefore, deps.log);
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
    result.changedCourseDateIds.push(...ids);
  }

  result.durationMs = Date.now() - started;
  deps.log?.info({ ...result.courseDates, mainCourses: result.mainCourses, durationMs: result.durationMs }, 'import-courses finished');
  return result;
}

async function importBatch(
  em: Em,
  batch: CourseDateRecord[],
  mainCourseIds: Map<string, string>,
  result: ImportResult,
  seen: Set<string>,
  at: Date,
  seqBefore: Map<string, number>,
  log?: ImportLog,
) {
  await em.transactional(async (tx) => {
    const existing = new Map(
      (await tx.find(CourseDate, { maconomyId: { $in: batch.map((r) => r.maconomyId) } }, { populate: ['days'] })).map((c) => [c.maconomyId, c]),
    );
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
      const cd = existing.get(r.maconomyId);
      const fields = {
        mainCourse: tx.getReference(MainCourse, mainCourseId),
        title: r.title,
        startDate: r.startDate,
        endDate: r.endDate,
        location: r.location,
        priceMinor: r.priceMinor,
        currency: r.currency,
        capacity: r.capacity,
        status: STATUS[r.status],
        sourceHash: hash,
      };
      if (!cd) {
        const created = tx.create(CourseDate, { ...fields, maconomyId: r.maconomyId, maconomyFreeSeats: r.freeSeats, maconomyCheckedAt: at, published: true, importedAt: at });
        for (const d of r.days) tx.create(CourseDay, { courseDate: created, date: d.date, startTime: d.startTime, endTime: d.endTime });
        result.courseDates.created++;
        result.changedCourseDateIds.push(created.id);
        continue;
      }
      // Free seats move with every booking; refresh them without counting the date as changed,
      // unless a newer answer (a hold's, a reconciliation's) is already stored.
      const seq = seqBefore.get(r.maconomyId) ?? 0;
      if (seq > cd.maconomyFreeSeq || (seq === cd.maconomyFreeSeq && cd.maconomyCheckedAt <= at)) {
        cd.maconomyFreeSeats = r.freeSeats;
        cd.maconomyCheckedAt = at;
        cd.maconomyFreeSeq = seq;
      }
      const republish = !cd.published && cd.removedFromMaconomyAt !== null;
      if (cd.sourceHash === hash && !republish) {
        result.courseDates.unchanged++;
        continue;
      }
      if (republish) {
        cd.published = true;
        cd.removedFromMaconomyAt = null;
        result.courseDates.republished++;
      }
      Object.assign(cd, fields, { importedAt: at });
      const days = new Map(cd.days.getItems().map((d) => [d.date, d]));
      for (const d of r.days) {
        const day = days.get(d.date);
        if (day) {
          // Maconomy's times change; editor overrides on the same day stay.
          day.startTime = d.startTime;
          day.endTime = d.endTime;
          days.delete(d.date);
        } else {
          tx.create(CourseDay, { courseDate: cd, date: d.date, startTime: d.startTime, endTime: d.endTime });
        }
      }
      for (const gone of days.values()) tx.remove(gone);
      result.courseDates.updated++;
      result.changedCourseDateIds.push(cd.id);
    }
  });
}
