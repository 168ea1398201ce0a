// Catalogue entities. Fields are split by owner: `maconomy*`/plain fields are written only by the
// import from Maconomy; `editor*` fields (and trainers) only by editors. The import never touches
// editor-owned columns, so an hourly import cannot undo an editor's work.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const COURSE_DATE_STATUSES = ['OPEN', 'CLOSED', 'CANCELLED'] as const;
export type CourseDateStatus = (typeof COURSE_DATE_STATUSES)[number];

export const MainCourse = defineEntity({
  name: 'MainCourse',
  tableName: 'main_course',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    maconomyNumber: p.string().length(32).unique(),
    title: p.string().length(255),
    description: p.text().nullable(),
    category: p.string().length(255).nullable(),
    // editor-owned
    editorDescription: p.text().nullable(),
    importedAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    courseDates: () => p.oneToMany(CourseDate).mappedBy('mainCourse'),
  },
});
export type MainCourse = InferEntity<typeof MainCourse>;

export const Trainer = defineEntity({
  name: 'Trainer',
  tableName: 'trainer',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    // Stable key chosen by editors (e.g. initials or a WordPress slug) so enrichment is idempotent.
    key: p.string().length(64).unique(),
    name: p.string().length(255),
    email: p.string().length(320).nullable(),
    title: p.string().length(255).nullable(),
    bio: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Trainer = InferEntity<typeof Trainer>;

export const CourseDate = defineEntity({
  name: 'CourseDate',
  tableName: 'course_date',
  indexes: [{ properties: ['startDate', 'id'] }, { properties: ['location'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    maconomyId: p.string().length(32).unique(),
    mainCourse: () => p.manyToOne(MainCourse),
    // maconomy-owned
    title: p.string().length(255),
    startDate: p.string().length(10), // YYYY-MM-DD, a calendar date in Danish time, not an instant
    endDate: p.string().length(10),
    location: p.string().length(255),
    priceMinor: p.integer(), // øre; money is never a float
    currency: p.string().length(3),
    capacity: p.integer(),
    status: p.enum(COURSE_DATE_STATUSES).default('OPEN'),
    // Last free-seat count Maconomy reported (every fresh answer: import, hold, SOLD_OUT, checkout
    // re-check, reconciliation, refresh after a sync); used for listings only, reservations always
    // ask Maconomy. maconomyFreeSeq is the syncSeq read before that answer was asked for.
    maconomyFreeSeats: p.integer(),
    maconomyCheckedAt: p.datetime(),
    maconomyFreeSeq: p.integer().default(0),
    // Bumped in the transaction that records Maconomy's acceptance of an order on this date (after
    // its participants were sent): the channel by which every process learns of a sync.
    syncSeq: p.integer().default(0),
    // A date that vanished from Maconomy is unpublished, never deleted while it has orders.
    published: p.boolean().default(true),
    removedFromMaconomyAt: p.datetime().nullable(),
    // Hash of the Maconomy-owned fields: the import writes (and marks WordPress dirty) only on change.
    sourceHash: p.string().length(64),
    // editor-owned
    editorDescription: p.text().nullable(),
    editorNote: p.text().nullable(),
    // Serialises seat holds on this date: every hold bumps it inside its transaction, which takes
    // the row's write lock (MySQL) or the database write lock (SQLite) before seats are counted.
    holdVersion: p.integer().default(0),
    importedAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    days: () => p.oneToMany(CourseDay).mappedBy('courseDate').orderBy({ date: 'asc' }),
    trainers: () => p.manyToMany(Trainer).pivotTable('course_date_trainer').owner(),
  },
});
export type CourseDate = InferEntity<typeof CourseDate>;

export const CourseDay = defineEntity({
  name: 'CourseDay',
  tableName: 'course_day',
  uniques: [{ properties: ['courseDate', 'date'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    courseDate: () => p.manyToOne(CourseDate).deleteRule('cascade'),
    date: p.string().length(10),
    // maconomy-owned
    startTime: p.string().length(5).nullable(),
    endTime: p.string().length(5).nullable(),
    // editor-owned overrides; null = use Maconomy's
    editorStartTime: p.string().length(5).nullable(),
    editorEndTime: p.string().length(5).nullable(),
  },
});
export type CourseDay = InferEntity<typeof CourseDay>;

/**
 * One row (id 1): a number every change of what the storefront reads of the catalogue increments
 * (course dates' texts, dates, prices, status, publication, days, trainers, main courses; not the
 * seat counts). Each process keeps the catalogue in memory under the number it read it at
 * (src/catalog/catalogue-memory.ts) and reads the number again per request, so another process's
 * import or an editor's change shows in the next read.
 */
export const CatalogVersion = defineEntity({
  name: 'CatalogVersion',
  tableName: 'catalog_version',
  properties: {
    id: p.integer().primary().autoincrement(false),
    version: p.integer().default(0),
  },
});
export type CatalogVersion = InferEntity<typeof CatalogVersion>;

export const catalogEntities = [MainCourse, Trainer, CourseDate, CourseDay, CatalogVersion];
