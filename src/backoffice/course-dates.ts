// Editors' work on course dates in the back office: search, one date with what Maconomy owns and
// what editors own, saving editor fields with an audit entry per changed field, and the date's
// WordPress state. Markup is stored as entered: escaping is the job of whatever renders it.
import type { Em } from '../db/orm.js';
import { DomainError, badInput, notFound } from '../errors.js';
import { isPlainText } from '../connectors/http.js';
import { CourseDate, CourseDay, MainCourse, Trainer } from '../catalog/entities.js';
import { enrichCourse } from '../catalog/service.js';
import { WordPressPost } from '../integrations/wordpress/entities.js';
import { AuditEntry } from '../staff/entities.js';
import type { Role } from '../graphql/context.js';

export interface CourseDateSearch {
  search?: string | null;
  mainCourseId?: string | null;
  location?: string | null;
  from?: string | null;
  to?: string | null;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** All course dates (past, closed and unpublished too), by start date, with an offset page. */
export async function searchCourseDates(em: Em, filter: CourseDateSearch, page: { first: number; offset: number }) {
  const where: Record<string, unknown> = {};
  if (filter.from) {
    if (!LOCAL_DATE.test(filter.from)) throw badInput('from must be a date YYYY-MM-DD', 'from');
    where.startDate = { $gte: filter.from };
  }
  if (filter.to) {
    if (!LOCAL_DATE.test(filter.to)) throw badInput('to must be a date YYYY-MM-DD', 'to');
    where.startDate = { ...(where.startDate as object), $lte: filter.to };
  }
  if (filter.mainCourseId) where.mainCourse = filter.mainCourseId;
  if (filter.location) where.location = filter.location;
  if (filter.search) {
    const s = filter.search.trim();
    if (s.length > 100 || !isPlainText(s)) throw badInput('search must be at most 100 characters of plain text', 'search');
    const like = `%${s}%`; // % and _ act as wildcards (LIKE escapes differ between SQLite and MySQL)
    where.$or = [{ title: { $like: like } }, { maconomyId: { $like: like } }, { location: { $like: like } }];
  }
  const [items, totalCount] = await em.findAndCount(CourseDate, where as never, {
    orderBy: { startDate: 'asc', id: 'asc' },
    limit: page.first,
    offset: page.offset,
    populate: ['mainCourse'],
  });
  return { items, totalCount };
}

export async function filterOptions(em: Em) {
  const mainCourses = await em.find(MainCourse, {}, { orderBy: { title: 'asc' }, fields: ['id', 'title', 'maconomyNumber'] });
  const rows = await em.getConnection().execute<{ location: string }[]>('select distinct location from course_date order by location');
  return { mainCourses, locations: rows.map((r) => r.location) };
}

export async function courseDateForEditor(em: Em, id: string) {
  const cd = await em.findOne(CourseDate, { id }, { populate: ['mainCourse', 'days', 'trainers'] });
  if (!cd) return null;
  const wordpress = await em.findOne(WordPressPost, { courseDate: id });
  const audit = await em.find(AuditEntry, { entityType: 'course-date', entityId: id }, { orderBy: { at: 'desc', id: 'desc' }, limit: 200 });
  return { cd, wordpress, audit };
}

export interface CourseDateEdit {
  id: string;
  description?: string | null;
  note?: string | null;
  days?: { date: string; startTime?: string | null; endTime?: string | null }[] | null;
  trainers?: { key: string; name: string; title?: string | null; email?: string | null }[] | null;
}

/** Field-level checks the storefront mutation leaves to its scalars: here every error names its field. */
function validate(input: CourseDateEdit) {
  if (input.description && input.description.length > 20_000) throw badInput('At most 20000 characters.', 'description');
  if (input.note && input.note.length > 2_000) throw badInput('At most 2000 characters.', 'note');
  input.days?.forEach((d, i) => {
    for (const f of ['startTime', 'endTime'] as const) {
      const v = d[f];
      if (v && !LOCAL_TIME.test(v)) throw badInput('Write the time as HH:MM, e.g. 09:00.', `days[${i}].${f}`);
    }
    if (d.startTime && d.endTime && d.startTime >= d.endTime) throw badInput('The end must be after the start.', `days[${i}].endTime`);
  });
  input.trainers?.forEach((t, i) => {
    if (!t.name?.trim()) throw badInput('A trainer needs a name.', `trainers[${i}].name`);
    if (t.email && (t.email.length > 320 || !EMAIL.test(t.email))) throw badInput('Not an e-mail address.', `trainers[${i}].email`);
  });
}

/** Editors may not change where a trainer's participant lists are mailed (issue 18.7): only admins. */
export async function refuseTrainerEmailChange(em: Em, trainers: readonly { key: string; email?: string | null }[]): Promise<void> {
  const keys = trainers.map((t) => t.key);
  const known = new Map((await em.find(Trainer, { key: { $in: keys } })).map((t) => [t.key, t.email ?? null]));
  trainers.forEach((t, i) => {
    if (t.email !== undefined && (t.email || null) !== (known.get(t.key) ?? null))
      throw new DomainError('FORBIDDEN', "Only admins may set a trainer's e-mail (participant lists are sent there).", { field: `trainers[${i}].email` });
  });
}

/**
 * enrichCourse's side of the audit trail for the one field that decides where personal data goes:
 * call before the change, then `record` after it; an entry per trainer whose e-mail changed, on
 * the course date (field `trainers[<key>].email`, as the back office writes it).
 */
export async function auditTrainerEmails(em: Em, trainers: readonly { key: string }[]) {
  const emails = async () => new Map((await em.find(Trainer, { key: { $in: trainers.map((t) => t.key) } })).map((t) => [t.key, t.email ?? null]));
  const before = await emails();
  return {
    async record(courseDateId: string, who: { actor: string; now: Date }) {
      em.clear();
      const after = await emails();
      for (const { key } of trainers) {
        if ((before.get(key) ?? null) === (after.get(key) ?? null)) continue;
        em.create(AuditEntry, { at: who.now, actor: who.actor, entityType: 'course-date', entityId: courseDateId, field: `trainers[${key}].email`, oldValue: before.get(key) ?? null, newValue: after.get(key) ?? null } as never);
      }
      await em.flush();
    },
  };
}

type Snapshot = Map<string, string | null>;

function snapshot(cd: CourseDate): Snapshot {
  const s: Snapshot = new Map();
  s.set('description', cd.editorDescription ?? null);
  s.set('note', cd.editorNote ?? null);
  for (const d of cd.days.getItems()) {
    s.set(`days[${d.date}].startTime`, d.editorStartTime ?? null);
    s.set(`days[${d.date}].endTime`, d.editorEndTime ?? null);
  }
  const trainers = cd.trainers.getItems().sort((a, b) => a.key.localeCompare(b.key));
  s.set('trainers', trainers.map((t) => `${t.key}: ${t.name}${t.title ? ` (${t.title})` : ''}`).join('; ') || null);
  for (const t of trainers) s.set(`trainers[${t.key}].email`, t.email ?? null);
  return s;
}

/**
 * Saves the editor-owned fields of a course date and writes one audit entry per changed field.
 * Only admins may set a trainer's e-mail (participant lists are mailed there): an editor who sends
 * a different address is refused at that field.
 */
export async function updateCourseDate(em: Em, input: CourseDateEdit, who: { role: Role; actor: string; now: Date }) {
  validate(input);
  const before = await em.findOne(CourseDate, { id: input.id }, { populate: ['days', 'trainers'] });
  if (!before) throw notFound(`course date ${input.id} does not exist`);
  const old = snapshot(before);
  if (input.trainers && who.role !== 'admin') {
    await refuseTrainerEmailChange(em, input.trainers);
    // Editors cannot see or change the address: keep what is stored.
    input = { ...input, trainers: input.trainers.map(({ email: _e, ...t }) => t) };
  }
  await enrichCourse(em, {
    courseId: input.id,
    ...(input.description !== undefined ? { description: input.description || null } : {}),
    ...(input.note !== undefined ? { note: input.note || null } : {}),
    ...(input.days ? { days: input.days.map((d) => ({ date: d.date, startTime: d.startTime || null, endTime: d.endTime || null })) } : {}),
    ...(input.trainers ? { trainers: input.trainers.map((t) => ({ key: t.key, name: t.name, title: t.title || null, ...(t.email !== undefined ? { email: t.email || null } : {}) })) } : {}),
  });
  em.clear();
  const after = (await em.findOne(CourseDate, { id: input.id }, { populate: ['days', 'trainers'] }))!;
  const now = snapshot(after);
  const changed = [...new Set([...old.keys(), ...now.keys()])].filter((k) => (old.get(k) ?? null) !== (now.get(k) ?? null));
  for (const field of changed)
    em.create(AuditEntry, { at: who.now, actor: who.actor, entityType: 'course-date', entityId: input.id, field, oldValue: old.get(field) ?? null, newValue: now.get(field) ?? null } as never);
  await em.flush();
  return changed;
}

export { CourseDay };
