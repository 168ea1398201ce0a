// The storefront's reads without the unit of work: rows as plain objects.
//
// A listing read through em.map/em.find builds a managed entity per row (hydration, identity map,
// change-set snapshots, reference wrappers): in the profile of an uncached `courses(first: 20)`
// that was about a third of the app's CPU. The GraphQL resolvers only read these rows, so they get
// plain objects with the entity's property names instead, mapped by a function built once per
// entity from MikroORM's own metadata (so a column added to an entity shows up here without a
// change). A many-to-one column becomes `{ id }`, as a reference would; relations that are
// collections (days, trainers) are not on the row: the request's DataLoaders read them.
// Writes (editor enrichment, seat holds) keep using entities.
import { ReferenceKind, type EntityName } from '@mikro-orm/core';
import { selectBound, type Em } from '../db/orm.js';
import { CourseDate, CourseDay, MainCourse, Trainer } from './entities.js';
import { Order, Participant } from '../booking/entities.js';

/** A row as the resolvers read it: the entity's scalar properties, many-to-one as `{ id }`. */
export type Row<T> = {
  [K in keyof T]: T[K] extends { id: string } ? { id: string } : T[K] extends { getItems(): unknown } ? never : T[K];
};
export type CourseDateRow = Omit<Row<CourseDate>, 'days' | 'trainers' | 'mainCourse'> & { mainCourse: { id: string } };
export type CourseDayRow = Omit<Row<CourseDay>, 'courseDate'> & { courseDate: { id: string } };
export type MainCourseRow = Omit<Row<MainCourse>, 'courseDates'>;
export type TrainerRow = Row<Trainer>;
export type ParticipantRow = Omit<Row<Participant>, 'order'> & { order: { id: string } };
export type OrderRow = Omit<Row<Order>, 'participants' | 'courseDate'> & { courseDate: { id: string } };

type RawRow = Record<string, unknown>;
type Mapper<T> = (row: RawRow) => T;

const mappers = new WeakMap<object, Mapper<unknown>>();

/** The plain-object mapper of one entity: column name -> property name, with the value conversions hydration would do. */
export function rowMapper<T>(em: Em, entity: EntityName<any>): Mapper<T> {
  const meta = em.getMetadata().get(entity);
  const cached = mappers.get(meta);
  if (cached) return cached as Mapper<T>;
  const platform = em.getPlatform();
  // MySQL's DATETIME comes as text without a zone, written in the ORM's time zone (+00:00): read
  // with that zone, not as local time (a process at Europe/Copenhagen read every date an hour
  // off), by the rule MikroORM's own hydrator applies (ObjectHydrator: text that already names a
  // zone is left as it is). SQLite's dates are epoch milliseconds.
  const tz = platform.getTimezone();
  const zoned = !tz || tz === 'local' ? (v: string) => v : (v: string) => (v.includes('+') || v.lastIndexOf('-') > 10 || v.endsWith('Z') ? v : v + tz);
  const fields: [column: string, prop: string, convert: (v: unknown) => unknown][] = [];
  for (const prop of meta.props) {
    if (prop.persist === false || !prop.fieldNames?.length) continue;
    const column = prop.fieldNames[0]!;
    if (prop.kind === ReferenceKind.SCALAR) {
      if (prop.runtimeType === 'boolean') fields.push([column, prop.name, (v) => (v == null ? v : v === true || v === 1 || v === '1')]);
      else if (prop.runtimeType === 'Date') fields.push([column, prop.name, (v) => (v == null || v instanceof Date ? v : platform.parseDate(typeof v === 'string' ? zoned(v) : (v as number)))]);
      else if (prop.runtimeType === 'number') fields.push([column, prop.name, (v) => (v == null || typeof v === 'number' ? v : Number(v))]);
      else fields.push([column, prop.name, (v) => v]);
    } else if (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) {
      fields.push([column, prop.name, (v) => (v == null ? null : { id: v })]);
    }
  }
  const mapper: Mapper<T> = (row) => {
    const out: RawRow = {};
    for (const [column, prop, convert] of fields) if (column in row) out[prop] = convert(row[column]);
    return out as T;
  };
  mappers.set(meta, mapper as Mapper<unknown>);
  return mapper;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Plain rows of one statement, in the request's transaction if it has one. */
export async function selectRows(em: Em, sql: string, params: unknown[]): Promise<RawRow[]> {
  return selectBound<RawRow>(em, sql, params);
}

/** Course dates by id (any order; absent ids are left out). */
export async function courseDatesById(em: Em, ids: readonly string[]): Promise<CourseDateRow[]> {
  if (!ids.length) return [];
  const map = rowMapper<CourseDateRow>(em, CourseDate);
  return (await selectRows(em, `select * from course_date where id in (${placeholders(ids.length)})`, [...ids])).map(map);
}

export async function courseDateByMaconomyId(em: Em, maconomyId: string): Promise<CourseDateRow | null> {
  const rows = await selectRows(em, 'select * from course_date where maconomy_id = ?', [maconomyId]);
  return rows[0] ? rowMapper<CourseDateRow>(em, CourseDate)(rows[0]) : null;
}

/** Each course date's days, by date. */
export async function daysByCourseDate(em: Em, ids: readonly string[]): Promise<Map<string, CourseDayRow[]>> {
  const map = rowMapper<CourseDayRow>(em, CourseDay);
  const rows = await selectRows(em, `select * from course_day where course_date_id in (${placeholders(ids.length)}) order by course_date_id, date`, [...ids]);
  return groupBy(rows.map(map), (d) => d.courseDate.id);
}

/** Each course date's trainers, by name. */
export async function trainersByCourseDate(em: Em, ids: readonly string[]): Promise<Map<string, TrainerRow[]>> {
  const map = rowMapper<TrainerRow>(em, Trainer);
  const rows = await selectRows(
    em,
    `select cdt.course_date_id as _cd, t.* from course_date_trainer cdt join trainer t on t.id = cdt.trainer_id
     where cdt.course_date_id in (${placeholders(ids.length)}) order by t.name`,
    [...ids],
  );
  const out = new Map<string, TrainerRow[]>();
  for (const row of rows) {
    const key = String(row._cd);
    const list = out.get(key);
    if (list) list.push(map(row));
    else out.set(key, [map(row)]);
  }
  return out;
}

export async function mainCoursesById(em: Em, ids: readonly string[]): Promise<MainCourseRow[]> {
  const map = rowMapper<MainCourseRow>(em, MainCourse);
  return (await selectRows(em, `select * from main_course where id in (${placeholders(ids.length)})`, [...ids])).map(map);
}

/** One order as stored (the storefront's order(id, token) read: its course date and participants come from the DataLoaders). */
export async function orderById(em: Em, id: string): Promise<OrderRow | null> {
  const rows = await selectRows(em, 'select * from booking_order where id = ?', [id]);
  return rows[0] ? rowMapper<OrderRow>(em, Order)(rows[0]) : null;
}

/** Each order's participants, by position. */
export async function participantsByOrder(em: Em, ids: readonly string[]): Promise<Map<string, ParticipantRow[]>> {
  const map = rowMapper<ParticipantRow>(em, Participant);
  const rows = await selectRows(em, `select * from participant where order_id in (${placeholders(ids.length)}) order by order_id, position`, [...ids]);
  return groupBy(rows.map(map), (p) => p.order.id);
}

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
