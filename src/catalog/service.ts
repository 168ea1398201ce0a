// Catalogue reads (listing with keyset pagination) and editor enrichment.
import type { Em } from '../db/orm.js';
import { badInput, notFound } from '../errors.js';
import { seatsLeftSql } from '../booking/seats.js';
import { CourseDate, CourseDay, MainCourse, Trainer } from './entities.js';
import { dateTimeFormat } from '../intl.js';
import { courseDateByMaconomyId, courseDatesById, rowMapper, type CourseDateRow } from './read-model.js';
import { encodeCursor, type CatalogueSnapshot } from './catalogue-memory.js';

export const MACONOMY_ID = /^\d{3,10}-\d{1,4}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A course date by our id or by its Maconomy id (the storefront of the source sends the latter). */
export async function findCourseDateByRef(em: Em, ref: string): Promise<CourseDate | null> {
  if (typeof ref !== 'string' || ref.length > 64) throw badInput('courseId is not a valid course id', 'courseId');
  if (UUID.test(ref)) return em.findOne(CourseDate, { id: ref });
  if (MACONOMY_ID.test(ref)) return em.findOne(CourseDate, { maconomyId: ref });
  throw badInput('courseId must be a course id or a Maconomy id such as 25172-04', 'courseId');
}

/** The same look-up for the storefront's reads: a plain row (src/catalog/read-model.ts), not a managed entity. */
export async function readCourseDateByRef(em: Em, ref: string, catalogue?: CatalogueSnapshot | null): Promise<CourseDateRow | null> {
  if (typeof ref !== 'string' || ref.length > 64) throw badInput('courseId is not a valid course id', 'courseId');
  if (UUID.test(ref)) return catalogue ? (catalogue.byId.get(ref) ?? null) : ((await courseDatesById(em, [ref]))[0] ?? null);
  if (MACONOMY_ID.test(ref)) return catalogue ? (catalogue.byMaconomyId.get(ref) ?? null) : courseDateByMaconomyId(em, ref);
  throw badInput('courseId must be a course id or a Maconomy id such as 25172-04', 'courseId');
}

export interface CourseFilter {
  from?: string | null;
  to?: string | null;
  mainCourseId?: string | null;
  mainCourseNumber?: string | null;
  location?: string | null;
  search?: string | null;
  onlyAvailable?: boolean | null;
}

export interface CoursePage {
  nodes: CourseDateRow[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  cursors: string[];
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && LOCAL_DATE.test(v[0]) && UUID.test(v[1])) return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw badInput('after is not a cursor returned by this API', 'after');
}

// '!' as the LIKE escape: a backslash would itself need escaping in MySQL string literals but not in SQLite.
const escapeLike = (s: string) => s.replace(/[!%_]/g, (c) => `!${c}`);

/** The last answer of todayInCopenhagen and the minute it holds for (Copenhagen's midnight falls on a whole minute). */
let today: { minute: number; date: string } = { minute: NaN, date: '' };

export function todayInCopenhagen(now: Date): string {
  // Formatting with a time zone costs ~20 µs and a listing asks twice per request: remembered for the minute.
  const minute = Math.floor(now.getTime() / 60_000);
  if (today.minute !== minute) today = { minute, date: dateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now) };
  return today.date;
}

/** A listing's filter and cursor checked (bad input is refused here, before any read): its start date and cursor. */
function checkedListing(filter: CourseFilter, after: string | null | undefined, now: Date): { from: string; cursor: [string, string] | null } {
  // Control characters are never part of a title, place or number; SQLite refuses a NUL in a parameter.
  for (const field of ['search', 'location', 'mainCourseNumber'] as const) {
    const v = filter[field];
    if (typeof v === 'string' && /[\u0000-\u001f\u007f]/.test(v)) throw badInput(`filter.${field} contains control characters`, `filter.${field}`);
  }
  const from = filter.from ?? todayInCopenhagen(now);
  if (!LOCAL_DATE.test(from)) throw badInput('filter.from must be a date (YYYY-MM-DD)', 'filter.from');
  if (filter.to) {
    if (!LOCAL_DATE.test(filter.to)) throw badInput('filter.to must be a date (YYYY-MM-DD)', 'filter.to');
    if (filter.to < from) throw badInput('filter.to must not be before filter.from', 'filter.to');
  }
  if (filter.mainCourseId && !UUID.test(filter.mainCourseId)) throw badInput('filter.mainCourseId is not a valid id', 'filter.mainCourseId');
  if (filter.location && filter.location.length > 255) throw badInput('filter.location is too long', 'filter.location');
  if (filter.search && filter.search.trim().toLowerCase().length > 100) throw badInput('filter.search must be at most 100 characters', 'filter.search');
  return { from, cursor: after ? decodeCursor(after) : null };
}

/**
 * Published course dates ordered by (startDate, id). Keyset pagination keeps pages stable while
 * dates are added or removed, and costs the same on page 1 and page 100.
 */
export async function listCourseDates(
  em: Em,
  filter: CourseFilter,
  first: number,
  after: string | null | undefined,
  now: Date,
  /** The catalogue in memory (src/catalog/catalogue-memory.ts): listings without a seat filter are answered from it. */
  catalogue?: CatalogueSnapshot | null,
): Promise<CoursePage> {
  const { from, cursor } = checkedListing(filter, after, now);
  if (catalogue && !filter.onlyAvailable) {
    return listFromMemory(catalogue, memoryFilter(catalogue, filter, from), first, cursor);
  }
  const where: string[] = ['cd.published = ?', 'cd.start_date >= ?'];
  const params: unknown[] = [true, from];
  if (filter.to) {
    where.push('cd.start_date <= ?');
    params.push(filter.to);
  }
  if (filter.mainCourseId) {
    where.push('cd.main_course_id = ?');
    params.push(filter.mainCourseId);
  }
  if (filter.mainCourseNumber) {
    where.push('cd.main_course_id in (select mc.id from main_course mc where mc.maconomy_number = ?)');
    params.push(filter.mainCourseNumber);
  }
  if (filter.location) {
    where.push('lower(cd.location) = ?');
    params.push(filter.location.trim().toLowerCase());
  }
  if (filter.search) {
    const term = filter.search.trim().toLowerCase();
    if (term) {
      where.push(`lower(cd.title) like ? escape '!'`);
      params.push(`%${escapeLike(term)}%`);
    }
  }
  if (filter.onlyAvailable) {
    const left = seatsLeftSql('cd', now);
    where.push(`cd.status = 'OPEN' and ${left.sql} > 0`);
    params.push(...left.params);
  }

  const conn = em.getConnection();
  const pageWhere = [...where];
  const pageParams = [...params];
  if (cursor) {
    const [startDate, id] = cursor;
    pageWhere.push('(cd.start_date > ? or (cd.start_date = ? and cd.id > ?))');
    pageParams.push(startDate, startDate, id);
  }
  // (A window count, `count(*) over ()`, would save the count statement but makes SQLite
  // materialise every matching row before the limit: 0.9 ms instead of 0.2 at 400 dates.)
  const totalCount = Number((await conn.execute<{ n: number | string }[]>(`select count(*) as n from course_date cd where ${where.join(' and ')}`, params))[0]?.n ?? 0);
  const rows = await conn.execute<Record<string, unknown>[]>(
    `select cd.* from course_date cd where ${pageWhere.join(' and ')} order by cd.start_date asc, cd.id asc limit ?`,
    [...pageParams, first + 1],
  );
  const hasNextPage = rows.length > first;
  const toRow = rowMapper<CourseDateRow>(em, CourseDate);
  const nodes = rows.slice(0, first).map(toRow);
  return { nodes, totalCount, hasNextPage, hasPreviousPage: !!after, cursors: nodes.map(encodeCursor) };
}

interface MemoryFilter {
  from: string;
  to: string | null;
  mainCourseId: string | null;
  /** The main course id of filter.mainCourseNumber ('' when there is none: nothing matches). */
  mainCourseByNumber: string | null;
  location: string | null;
  term: string | null;
}

function memoryFilter(cat: CatalogueSnapshot, filter: CourseFilter, from: string): MemoryFilter {
  return {
    from,
    to: filter.to || null,
    mainCourseId: filter.mainCourseId || null,
    mainCourseByNumber: filter.mainCourseNumber ? (cat.mainCourseIdsByNumber.get(filter.mainCourseNumber) ?? '') : null,
    location: filter.location ? filter.location.trim().toLowerCase() : null,
    term: filter.search?.trim().toLowerCase() || null,
  };
}

/**
 * The page a listing shows from this copy of the catalogue (the same as listCourseDates answers
 * from it; the resolver reads its dates' seats together with the catalogue's version, and uses it
 * when the copy is current); null for a listing by free seats, which is SQL. Throws on bad input
 * as listCourseDates does.
 */
export function listFromCatalogue(cat: CatalogueSnapshot, filter: CourseFilter, first: number, after: string | null | undefined, now: Date): CoursePage | null {
  if (filter.onlyAvailable) return null;
  const { from, cursor } = checkedListing(filter, after, now);
  return listFromMemory(cat, memoryFilter(cat, filter, from), first, cursor);
}

/** The listing of listCourseDates from the catalogue in memory: the same filters, order, count and cursors as the SQL. */
function listFromMemory(cat: CatalogueSnapshot, f: MemoryFilter, first: number, cursor: [string, string] | null): CoursePage {
  const list = cat.listed;
  // The first date on or after `from` (the list is ordered by start date).
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.startDate < f.from) lo = mid + 1;
    else hi = mid;
  }
  const nodes: CourseDateRow[] = [];
  const cursors: string[] = [];
  let totalCount = 0;
  let more = false;
  for (let i = lo; i < list.length; i++) {
    const cd = list[i]!;
    if (f.to && cd.startDate > f.to) break;
    if (f.mainCourseId && cd.mainCourse.id !== f.mainCourseId) continue;
    if (f.mainCourseByNumber !== null && cd.mainCourse.id !== f.mainCourseByNumber) continue;
    if (f.location !== null && cat.locationLower[i] !== f.location) continue;
    if (f.term && !cat.titleLower[i]!.includes(f.term)) continue;
    totalCount++;
    if (cursor && (cd.startDate < cursor[0] || (cd.startDate === cursor[0] && cd.id <= cursor[1]))) continue;
    if (nodes.length < first) {
      nodes.push(cd);
      cursors.push(cat.cursors[i]!);
    } else more = true;
  }
  return { nodes, totalCount, hasNextPage: more, hasPreviousPage: !!cursor, cursors };
}

export interface EnrichInput {
  courseId: string;
  description?: string | null;
  note?: string | null;
  days?: { date: string; startTime?: string | null; endTime?: string | null }[] | null;
  trainers?: { key: string; name: string; title?: string | null; bio?: string | null; email?: string | null }[] | null;
}

/** Writes editor-owned fields only. Omitted fields are left as they are; null clears. */
export async function enrichCourse(em: Em, input: EnrichInput): Promise<CourseDate> {
  return em.transactional(async (tx) => {
    const courseDate = await findCourseDateByRef(tx, input.courseId);
    if (!courseDate) throw notFound(`course ${input.courseId} does not exist`);
    await tx.populate(courseDate, ['days', 'trainers']);
    if (input.description !== undefined) {
      if (input.description && input.description.length > 20_000) throw badInput('description must be at most 20000 characters', 'description');
      courseDate.editorDescription = input.description ?? null;
    }
    if (input.note !== undefined) {
      if (input.note && input.note.length > 2_000) throw badInput('note must be at most 2000 characters', 'note');
      courseDate.editorNote = input.note ?? null;
    }
    if (input.days) {
      const byDate = new Map(courseDate.days.getItems().map((d) => [d.date, d]));
      input.days.forEach((d, i) => {
        const day = byDate.get(d.date);
        if (!day) throw badInput(`days[${i}].date ${d.date} is not a day of course date ${courseDate.maconomyId}`, `days[${i}].date`);
        for (const [field, value] of [['startTime', d.startTime], ['endTime', d.endTime]] as const)
          if (value && !LOCAL_TIME.test(value)) throw badInput(`days[${i}].${field} must be a time HH:MM`, `days[${i}].${field}`);
        if (d.startTime && d.endTime && d.startTime >= d.endTime) throw badInput(`days[${i}].endTime must be after startTime`, `days[${i}].endTime`);
        if (d.startTime !== undefined) day.editorStartTime = d.startTime ?? null;
        if (d.endTime !== undefined) day.editorEndTime = d.endTime ?? null;
      });
    }
    if (input.trainers) {
      const keys = new Set<string>();
      const trainers: Trainer[] = [];
      for (const [i, t] of input.trainers.entries()) {
        if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(t.key)) throw badInput(`trainers[${i}].key must be 1-64 letters, digits, - or _`, `trainers[${i}].key`);
        if (!t.name?.trim() || t.name.length > 255) throw badInput(`trainers[${i}].name is required (at most 255 characters)`, `trainers[${i}].name`);
        if (keys.has(t.key)) throw badInput(`trainers[${i}].key ${t.key} is listed twice`, `trainers[${i}].key`);
        keys.add(t.key);
        let trainer = await tx.findOne(Trainer, { key: t.key });
        if (!trainer) trainer = tx.create(Trainer, { key: t.key, name: t.name.trim() });
        trainer.name = t.name.trim();
        if (t.title !== undefined) trainer.title = t.title ?? null;
        if (t.bio !== undefined) trainer.bio = t.bio ?? null;
        if (t.email !== undefined) trainer.email = t.email ?? null;
        trainers.push(trainer);
      }
      courseDate.trainers.set(trainers);
    }
    await tx.flush();
    return courseDate;
  });
}

export { CourseDate, CourseDay, MainCourse, Trainer };
