// The catalogue in memory: what the storefront reads of course dates, their days, trainers and
// main courses, held by each process and answered from without SQL.
//
// In the profile of an uncached `courses(first: 20)` the five statements of a listing (count,
// page, days, trainers, seats) and their rows' trip through libsql were about a third of the app's
// CPU. The catalogue changes rarely (an hourly import, editors), the seat counts often: so the
// catalogue is kept here and the seats are still read per request (src/booking/seats.ts, the
// `seatsLeft` loader), and the only other statement of a read is the catalogue's version.
//
// Freshness: every change of catalogue data increments catalog_version (CatalogVersion) in the
// database: entity writes through the subscriber below (import, editors, the back office), and the
// import's bulk unpublish explicitly. Each request reads the version once and answers from the
// copy loaded at that version, loading a new copy when it moved; so an import in another process
// or an editor's change shows in the next read, as it did when every read went to SQL. Changes to
// the seat columns alone (holds, Maconomy answers, syncs) do not move the version: the seats are
// not taken from here. (The counter and its subscriber: src/catalog/catalogue-version.ts.) On
// SQLite even that statement is skipped while nothing was written anywhere (versionAndSeats).
import { changeMark, type Em } from '../db/orm.js';
import { CourseDate, CourseDay, MainCourse, Trainer } from './entities.js';
import { seatsLeftSql } from '../booking/seats.js';
import { rowMapper, selectRows, groupBy, type CourseDateRow, type CourseDayRow, type MainCourseRow, type TrainerRow } from './read-model.js';

export interface DayView {
  date: string;
  startTime: string | null;
  endTime: string | null;
}
export interface PriceView {
  amountMinor: number;
  amount: string;
  currency: string;
}

/** A course day as shown (storefront, mails, participant lists): the editor's times when set, else Maconomy's. */
export const dayView = (d: Pick<CourseDayRow, 'date' | 'startTime' | 'endTime' | 'editorStartTime' | 'editorEndTime'>): DayView => ({ date: d.date, startTime: d.editorStartTime ?? d.startTime ?? null, endTime: d.editorEndTime ?? d.endTime ?? null });
/** A listed date's cursor: its place in the (startDate, id) order (decoded by the listing, src/catalog/service.ts). */
export function encodeCursor(cd: { startDate: string; id: string }): string {
  return Buffer.from(JSON.stringify([cd.startDate, cd.id])).toString('base64url');
}
export const priceView = (amountMinor: number, currency: string): PriceView => ({ amountMinor, amount: (amountMinor / 100).toFixed(2), currency });

export interface CatalogueSnapshot {
  version: number;
  /** Every course date (published or not: course(id) shows unpublished ones), by id and by Maconomy id. */
  byId: Map<string, CourseDateRow>;
  byMaconomyId: Map<string, CourseDateRow>;
  /** Published course dates by (startDate, id), with their lower-cased title and location for filters. */
  listed: CourseDateRow[];
  titleLower: string[];
  locationLower: string[];
  /** Each listed date's cursor (encodeCursor), built once per copy. */
  cursors: string[];
  days: Map<string, CourseDayRow[]>;
  /** Each date's days as the storefront shows them (editor times over Maconomy's), built once per copy. */
  dayViews: Map<string, DayView[]>;
  /** Each date's price as the storefront shows it, built once per copy. */
  prices: Map<string, PriceView>;
  trainers: Map<string, TrainerRow[]>;
  mainCourses: Map<string, MainCourseRow>;
  mainCourseIdsByNumber: Map<string, string>;
}

async function load(em: Em, version: number): Promise<CatalogueSnapshot> {
  const toDate = rowMapper<CourseDateRow>(em, CourseDate);
  const toDay = rowMapper<CourseDayRow>(em, CourseDay);
  const toTrainer = rowMapper<TrainerRow>(em, Trainer);
  const toMainCourse = rowMapper<MainCourseRow>(em, MainCourse);
  const dates = (await selectRows(em, 'select * from course_date', [])).map(toDate);
  const days = groupBy((await selectRows(em, 'select * from course_day order by course_date_id, date', [])).map(toDay), (d) => d.courseDate.id);
  const trainers = new Map<string, TrainerRow[]>();
  for (const row of await selectRows(em, 'select cdt.course_date_id as _cd, t.* from course_date_trainer cdt join trainer t on t.id = cdt.trainer_id order by t.name', [])) {
    const key = String(row._cd);
    const list = trainers.get(key);
    if (list) list.push(toTrainer(row));
    else trainers.set(key, [toTrainer(row)]);
  }
  const mainCourses = new Map((await selectRows(em, 'select * from main_course', [])).map(toMainCourse).map((m) => [m.id, m]));
  const listed = dates.filter((d) => d.published).sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    version,
    byId: new Map(dates.map((d) => [d.id, d])),
    byMaconomyId: new Map(dates.map((d) => [d.maconomyId, d])),
    listed,
    titleLower: listed.map((d) => d.title.toLowerCase()),
    locationLower: listed.map((d) => d.location.toLowerCase()),
    cursors: listed.map(encodeCursor),
    days,
    dayViews: new Map([...days].map(([id, list]) => [id, list.map(dayView)])),
    prices: new Map(dates.map((d) => [d.id, priceView(d.priceMinor, d.currency)])),
    trainers,
    mainCourses,
    mainCourseIdsByNumber: new Map([...mainCourses.values()].map((m) => [m.maconomyNumber, m.id])),
  };
}

/** One process's copy (per ORM instance), and the load in progress. */
interface Holder {
  current?: CatalogueSnapshot;
  loading?: { version: number; snapshot: Promise<CatalogueSnapshot> };
}
const holders = new WeakMap<object, Holder>();

/**
 * What the last reads found (SQLite, per connection): the catalogue's version and the shown seats
 * of the dates they asked for, as of `mark` (changeMark), correct from `since` until `until` (the
 * first expiry of a live hold on one of those dates: only time changes a count without a write).
 */
interface SeatMemo {
  mark: string;
  version: number | null;
  seats: Map<string, number>;
  since: number;
  until: number;
}
const seatMemos = new WeakMap<object, SeatMemo>();

/**
 * The reads of one event-loop turn are answered together (per database), once the turn's requests
 * have all been parsed and have asked (setImmediate: the check phase, right after the poll phase
 * that read their sockets): one change mark, and at most one statement, for all of them. Under
 * load each answers many reads: on MySQL, where every read runs the statement, its app CPU
 * (~60-85 µs: the pool, the packets, the rows) was the largest single part of an uncached listing;
 * on SQLite reading the change mark cost ~19 µs in a request's flow. Every read of a batch arrived
 * before the batch's mark is read and its statement sent, so it sees every write committed before
 * it arrived, as a read of its own would. A read inside a transaction is answered alone (it must
 * see the transaction's writes).
 */
interface Batch {
  em: Em;
  ids: Set<string>;
  now: Date;
  answer: Promise<{ version: number | null; seats: Map<string, number> }>;
}
const batches = new WeakMap<object, Batch>();

/**
 * The catalogue's version and, in the same statement, the shown seats of `ids` (the lead's
 * seatsLeftSql, never below 0, as shownSeatsByCourseDate answers them): one statement per read
 * (per turn: Batch above) instead of two. version null: no version row (a database not migrated this far).
 *
 * On SQLite the statement runs only when something may have changed since the last one: while
 * the database's change mark stays the same and no hold on these dates has expired, the last
 * answer is the database's answer (a read of `data_version` costs a few µs; the statement, in a
 * request's flow, 100-170 µs: the largest single cost of an uncached read). Any write, in this
 * process or another, moves the mark, so a new hold, a sync or an editor's change shows in the
 * next read as before. MySQL runs the statement every time (no such mark).
 */
export function versionAndSeats(em: Em, ids: readonly string[], now: Date): Promise<{ version: number | null; seats: Map<string, number> }> {
  if (em.isInTransaction()) return versionAndSeatsNow(em, ids, now);
  let batch = batches.get(em.config);
  if (!batch) {
    const b: Batch = { em, ids: new Set(), now, answer: undefined as never };
    b.answer = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      batches.delete(em.config);
      return versionAndSeatsNow(b.em, [...b.ids], b.now);
    });
    batches.set(em.config, (batch = b));
  }
  for (const id of ids) batch.ids.add(id);
  // The latest clock of the batch: a hold that expired before the statement is not counted.
  if (now > batch.now) batch.now = now;
  return batch.answer;
}

/** versionAndSeats for one read (or one turn's reads together): the memo, else the statement. */
async function versionAndSeatsNow(em: Em, ids: readonly string[], now: Date): Promise<{ version: number | null; seats: Map<string, number> }> {
  const mark = changeMark(em);
  const at = now.getTime();
  let memo = mark === null ? undefined : seatMemos.get(em.config);
  if (memo && (memo.mark !== mark || at < memo.since || at >= memo.until)) memo = undefined;
  if (memo && ids.every((id) => memo!.seats.has(id))) return { version: memo.version, seats: memo.seats };

  const { version, seats, until } = await readVersionAndSeats(em, ids, now, mark !== null);
  if (mark !== null) {
    // Taken before the statement: a write in between leaves a memo that is newer than its mark,
    // which the next read redoes, never one older than it.
    if (memo && memo.version === version) {
      for (const [id, n] of seats) memo.seats.set(id, n);
      // Never back: answers computed by concurrent reads at a later clock are in the memo too.
      memo.since = Math.max(memo.since, at);
      memo.until = Math.min(memo.until, until);
    } else seatMemos.set(em.config, { mark, version, seats, since: at, until });
  }
  return { version, seats };
}

interface VersionAndSeats {
  version: number | null;
  seats: Map<string, number>;
  /** When the first live hold on one of the dates expires (epoch ms; Infinity: none, or not asked). */
  until: number;
}

async function readVersionAndSeats(em: Em, ids: readonly string[], now: Date, withExpiry: boolean): Promise<VersionAndSeats> {
  const seats = new Map<string, number>();
  let until = Infinity;
  if (!ids.length) {
    return { version: versionOf(await selectRows(em, 'select version from catalog_version where id = 1', [])), seats, until };
  }
  const left = seatsLeftSql('cd', now);
  const rows = await selectRows(
    em,
    `select cv.version, cd.id, ${left.sql} as seats_left, ${withExpiry ? nextExpirySql('cd') : 'null'} as next_expiry from catalog_version cv left join course_date cd on cd.id in (${ids.map(() => '?').join(', ')}) where cv.id = 1`,
    [...left.params, ...(withExpiry ? [now.getTime()] : []), ...ids],
  );
  for (const row of rows) {
    if (row.id == null) continue;
    seats.set(String(row.id), Math.max(0, Number(row.seats_left)));
    if (row.next_expiry != null) until = Math.min(until, Number(row.next_expiry));
  }
  return { version: versionOf(rows), seats, until };
}

/** The catalogue's version from a statement's first row; null: no version row. */
const versionOf = (rows: Record<string, unknown>[]) => (rows[0] ? Number(rows[0].version) : null);

/** SQL: when the first live hold on course date `alias` expires (epoch ms on SQLite), or null. */
const nextExpirySql = (alias: string) =>
  `(select min(h.expires_at) from booking_order h where h.course_date_id = ${alias}.id and h.status = 'RESERVED' and h.expires_at > ?)`;

/** The copy this process holds now, whatever its version (to guess which dates a read will show). */
export function heldCatalogue(em: Em): CatalogueSnapshot | undefined {
  return holders.get(em.config)?.current;
}

/** The catalogue at `version`: the copy in memory when it is at that version, else a new copy (loaded once for all the requests waiting for it). */
export async function catalogueAt(em: Em, version: number): Promise<CatalogueSnapshot> {
  let holder = holders.get(em.config);
  if (!holder) holders.set(em.config, (holder = {}));
  if (holder.current?.version === version) return holder.current;
  if (holder.loading?.version === version) return holder.loading.snapshot;
  const snapshot = load(em, version);
  const loading = { version, snapshot };
  holder.loading = loading;
  try {
    // (A load of an older version finishing last is replaced by the next request, which reads the version again.)
    holder.current = await snapshot;
    return holder.current;
  } finally {
    if (holder.loading === loading) holder.loading = undefined;
  }
}
