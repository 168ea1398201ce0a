/*
 * Wire format of the Maconomy REST API (custom endpoints, bearer token), and its mapping to the
 * domain records the rest of Kursus uses. The real JSON shapes are not known yet: this file is the
 * ONE place to change when they are (the client and the simulator both import from here).
 *
 * Conventions: snake_case keys, dates "YYYY-MM-DD", times "HH:MM", prices as decimal numbers in
 * the currency's major unit (12500.00 DKK). Errors are JSON `{ "error": "<code>", "message"?: "..." }`.
 *
 *   GET  /api/maincourse
 *        200 [ { main_course_no: "25172", title, description: string|null, category: string|null } ]
 *   GET  /api/course                     (unpaged: 200 [ CourseDate ])
 *   GET  /api/course?page=1&pageSize=500 (paged, page is 1-based)
 *        200 { items: [ CourseDate ], total: 10000, page: 1, page_size: 500 }
 *        CourseDate = { course_no: "25172-04", main_course_no: "25172", title,
 *                       start_date, end_date, location, price: 12500.00, currency: "DKK",
 *                       capacity: 20, free_seats: 3, status: "open"|"cancelled"|"closed",
 *                       days: [ { date, start_time: "09:00", end_time: "16:00" } ] }
 *   GET  /api/course/{course_no}
 *        200 { course_no, capacity, free_seats, status }      404 unknown course date
 *   POST /api/webparticipant
 *        body { course_no, external_ref, first_name, last_name, email, phone?: string|null, company?: string|null }
 *        201 Participant                                        (participant_id assigned by Maconomy)
 *        409 { error: "duplicate_external_ref", participant_id } external_ref already on that date
 *        409 { error: "no_free_seats" | "course_not_open" }    cannot take the participant
 *        404 unknown course date, 400 malformed body
 *   GET  /api/participant/{course_no}
 *        200 [ Participant ]                                    404 unknown course date
 *        Participant = { participant_id, course_no, external_ref, first_name, last_name, email,
 *                        phone: string|null, company: string|null }
 */
import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const COURSE_NO = /^\d{5}-\d{2}$/;

export const courseStatusSchema = z.enum(['open', 'cancelled', 'closed']);
export type CourseStatus = z.infer<typeof courseStatusSchema>;

// ---- wire schemas ---------------------------------------------------------------------------

export const wireMainCourseSchema = z.object({
  main_course_no: z.string().min(1),
  title: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
});
export const wireMainCourseListSchema = z.array(wireMainCourseSchema);

export const wireCourseDaySchema = z.object({
  date: z.string().regex(DATE, 'expected a date YYYY-MM-DD'),
  start_time: z.string().regex(TIME, 'expected a time HH:MM'),
  end_time: z.string().regex(TIME, 'expected a time HH:MM'),
});

export const wireCourseDateSchema = z.object({
  course_no: z.string().regex(COURSE_NO, 'expected a course date id like 25172-04'),
  main_course_no: z.string().min(1),
  title: z.string(),
  start_date: z.string().regex(DATE, 'expected a date YYYY-MM-DD'),
  end_date: z.string().regex(DATE, 'expected a date YYYY-MM-DD'),
  location: z.string(),
  price: z.number().nonnegative(),
  currency: z.string().length(3),
  capacity: z.number().int().nonnegative(),
  free_seats: z.number().int(),
  status: courseStatusSchema,
  days: z.array(wireCourseDaySchema),
});
export const wireCourseDateListSchema = z.array(wireCourseDateSchema);
export const wireCourseDatePageSchema = z.object({
  items: z.array(wireCourseDateSchema),
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  page_size: z.number().int().positive(),
});

export const wireSeatInfoSchema = z.object({
  course_no: z.string().min(1),
  capacity: z.number().int().nonnegative(),
  free_seats: z.number().int(),
  status: courseStatusSchema,
});

export const wireParticipantInputSchema = z.object({
  course_no: z.string().min(1),
  external_ref: z.string().min(1).max(200),
  first_name: z.string().min(1),
  last_name: z.string().min(1),
  email: z.string().min(3),
  phone: z.string().nullable().optional(),
  company: z.string().nullable().optional(),
});

export const wireParticipantSchema = z.object({
  participant_id: z.string().min(1),
  course_no: z.string().min(1),
  external_ref: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
});
export const wireParticipantListSchema = z.array(wireParticipantSchema);

export const wireErrorSchema = z.object({ error: z.string(), message: z.string().optional() });
export const wireDuplicateSchema = z.object({ error: z.literal('duplicate_external_ref'), participant_id: z.string().min(1) });

export type WireMainCourse = z.infer<typeof wireMainCourseSchema>;
export type WireCourseDay = z.infer<typeof wireCourseDaySchema>;
export type WireCourseDate = z.infer<typeof wireCourseDateSchema>;
export type WireCourseDatePage = z.infer<typeof wireCourseDatePageSchema>;
export type WireSeatInfo = z.infer<typeof wireSeatInfoSchema>;
export type WireParticipantInput = z.infer<typeof wireParticipantInputSchema>;
export type WireParticipant = z.infer<typeof wireParticipantSchema>;
export type WireError = z.infer<typeof wireErrorSchema>;
export type WireDuplicate = z.infer<typeof wireDuplicateSchema>;

// ---- domain records -------------------------------------------------------------------------

export interface MainCourseRecord {
  number: string;
  title: string;
  description: string | null;
  category: string | null;
}

export interface CourseDayRecord {
  date: string;
  startTime: string;
  endTime: string;
}

export interface CourseDateRecord {
  maconomyId: string;
  mainCourseNumber: string;
  title: string;
  startDate: string;
  endDate: string;
  location: string;
  /** Integer minor units (øre): 12500.00 -> 1250000. */
  priceMinor: number;
  currency: string;
  capacity: number;
  freeSeats: number;
  status: CourseStatus;
  days: CourseDayRecord[];
}

export interface SeatInfo {
  maconomyId: string;
  capacity: number;
  freeSeats: number;
  status: CourseStatus;
  /** When the HTTP request that produced this answer was sent (seat accounting compares it with sync times). */
  fetchedAt: Date;
}

export interface ParticipantInput {
  maconomyId: string;
  externalRef: string;
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | null;
  company?: string | null;
}

export interface ParticipantRecord {
  participantId: string;
  maconomyId: string;
  externalRef: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  company: string | null;
}

// ---- mapping --------------------------------------------------------------------------------

export const toMainCourseRecord = (w: WireMainCourse): MainCourseRecord => ({
  number: w.main_course_no,
  title: w.title,
  description: w.description,
  category: w.category,
});

// Rounded: decimal prices are not exact in binary floating point (e.g. 8900.1 * 100).
export const toMinorUnits = (price: number): number => Math.round(price * 100);

export const toCourseDateRecord = (w: WireCourseDate): CourseDateRecord => ({
  maconomyId: w.course_no,
  mainCourseNumber: w.main_course_no,
  title: w.title,
  startDate: w.start_date,
  endDate: w.end_date,
  location: w.location,
  priceMinor: toMinorUnits(w.price),
  currency: w.currency,
  capacity: w.capacity,
  freeSeats: w.free_seats,
  status: w.status,
  days: w.days.map((d) => ({ date: d.date, startTime: d.start_time, endTime: d.end_time })),
});

export const toSeatInfo = (w: WireSeatInfo, fetchedAt: Date): SeatInfo => ({
  maconomyId: w.course_no,
  capacity: w.capacity,
  freeSeats: w.free_seats,
  status: w.status,
  fetchedAt,
});

export const toWireParticipantInput = (p: ParticipantInput): WireParticipantInput => ({
  course_no: p.maconomyId,
  external_ref: p.externalRef,
  first_name: p.firstName,
  last_name: p.lastName,
  email: p.email,
  phone: p.phone ?? null,
  company: p.company ?? null,
});

export const toParticipantRecord = (w: WireParticipant): ParticipantRecord => ({
  participantId: w.participant_id,
  maconomyId: w.course_no,
  externalRef: w.external_ref,
  firstName: w.first_name,
  lastName: w.last_name,
  email: w.email,
  phone: w.phone,
  company: w.company,
});

/** `items[3].capacity` style path of a validation issue ('' for the root). */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** First validation problem, safe to log: zod's messages name types and patterns, never the values. */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '', message: 'invalid' };
  const field = issuePath(issue.path);
  const message = issue.message.replace(/^Invalid input: /, '');
  return { field, message: `${field || '(body)'}: ${message}` };
}
