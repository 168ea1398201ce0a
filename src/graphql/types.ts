// GraphQL object and input types (code-first, type-graphql). Resolvers return domain entities; fields
// with the same name are read straight from them, the rest have field resolvers.
//
// `simpleResolvers: true`: a field without a field resolver is a plain property read, which
// graphql-jit (src/graphql/jit.ts) inlines into the compiled operation. Without it type-graphql
// gives every such field a resolver of its own (a closure and a middleware dispatch per field and
// per object: ~400 calls for a page of 20 course dates) that does nothing more than read the property.
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  GraphQLDateTime,
  GraphQLEmailAddress,
  GraphQLNonNegativeInt,
} from 'graphql-scalars';
import { Currency as GraphQLCurrency, LocalDate as GraphQLLocalDate, LocalTime as GraphQLLocalTime } from './scalars.js';
import { COURSE_DATE_STATUSES } from '../catalog/entities.js';
import { DRIFT_KINDS, ORDER_STATUSES, PARTICIPANT_STATES } from '../booking/entities.js';

export const CourseStatus = Object.fromEntries(COURSE_DATE_STATUSES.map((s) => [s, s])) as { [K in (typeof COURSE_DATE_STATUSES)[number]]: K };
registerEnumType(CourseStatus, {
  name: 'CourseStatus',
  description: 'OPEN: bookable while seats are left. CLOSED: no longer bookable. CANCELLED: will not take place.',
});
export const OrderStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, s])) as { [K in (typeof ORDER_STATUSES)[number]]: K };
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description:
    'RESERVED: seats held until expiresAt. PLACED: checked out, waiting to be sent to Maconomy (the booker has a "booking received" mail). SYNCED: Maconomy accepted every participant; confirmations sent. PARTIALLY_SYNCED: Maconomy finally refused some participants (see each participant\'s maconomyState); the booker was told who is booked. SYNC_FAILED: sending failed, an operator is alerted. EXPIRED / CANCELLED: seats released.',
});
export const ParticipantState = Object.fromEntries(PARTICIPANT_STATES.map((s) => [s, s])) as { [K in (typeof PARTICIPANT_STATES)[number]]: K };
registerEnumType(ParticipantState, {
  name: 'ParticipantState',
  description: 'PENDING: not yet accepted by Maconomy. ACCEPTED: booked in Maconomy. REFUSED: Maconomy refused this participant (not booked).',
});
export const SeatDriftKind = Object.fromEntries(DRIFT_KINDS.map((s) => [s, s])) as { [K in (typeof DRIFT_KINDS)[number]]: K };
registerEnumType(SeatDriftKind, {
  name: 'SeatDriftKind',
  description: 'OVERCOMMITTED: Maconomy has fewer free seats than are held here. UNEXPLAINED_CHANGE: Maconomy\'s count moved by more than our own syncs explain.',
});

@ObjectType({ simpleResolvers: true, description: 'A price in minor units (øre) with its currency; never a float.' })
export class Price {
  @Field(() => GraphQLNonNegativeInt, { description: 'Amount in minor units, e.g. 1250000 for 12.500,00 DKK.' })
  amountMinor!: number;
  @Field({ description: 'Amount as a decimal string with two decimals, e.g. "12500.00".' })
  amount!: string;
  @Field(() => GraphQLCurrency)
  currency!: string;
}

@ObjectType({ simpleResolvers: true })
export class MainCourse {
  @Field(() => ID)
  id!: string;
  @Field({ description: 'Maconomy main course number, e.g. "25172".' })
  maconomyNumber!: string;
  @Field()
  title!: string;
  @Field(() => String, { nullable: true })
  description!: string | null;
  @Field(() => String, { nullable: true })
  category!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One day of a course date. Times are local (Europe/Copenhagen); an editor may have adjusted them.' })
export class CourseDay {
  @Field(() => GraphQLLocalDate)
  date!: string;
  @Field(() => GraphQLLocalTime, { nullable: true })
  startTime!: string | null;
  @Field(() => GraphQLLocalTime, { nullable: true })
  endTime!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Trainer {
  @Field(() => ID)
  id!: string;
  @Field({ description: 'Stable key chosen by editors.' })
  key!: string;
  @Field()
  name!: string;
  @Field(() => String, { nullable: true })
  title!: string | null;
  @Field(() => String, { nullable: true })
  bio!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A course date: one bookable run of a main course, identified in Maconomy by e.g. "25172-04".' })
export class Course {
  @Field(() => ID)
  id!: string;
  @Field()
  maconomyId!: string;
  @Field()
  title!: string;
  @Field(() => GraphQLLocalDate)
  startDate!: string;
  @Field(() => GraphQLLocalDate)
  endDate!: string;
  @Field()
  location!: string;
  @Field(() => Int)
  capacity!: number;
  @Field(() => CourseStatus)
  status!: string;
  @Field({ description: 'False when the date vanished from Maconomy; it stays readable for existing orders.' })
  published!: boolean;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;
  @Field()
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true })
  startCursor!: string | null;
  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CourseEdge {
  @Field()
  cursor!: string;
  @Field(() => Course)
  node!: Course;
}

@ObjectType({ simpleResolvers: true })
export class CourseConnection {
  // The page's items are costed by `courses` itself (first x item), not again as a list.
  @Field(() => [CourseEdge], { complexity: 0 })
  edges!: CourseEdge[];
  @Field(() => PageInfo)
  pageInfo!: PageInfo;
  @Field(() => Int)
  totalCount!: number;
}

@InputType()
export class CourseFilter {
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Earliest start date (default: today in Copenhagen).' })
  from?: string;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Latest start date.' })
  to?: string;
  @Field(() => ID, { nullable: true })
  mainCourseId?: string;
  @Field({ nullable: true, description: 'Maconomy main course number, e.g. "25172".' })
  mainCourseNumber?: string;
  @Field({ nullable: true, description: 'Exact location, case-insensitive, e.g. "Aarhus".' })
  location?: string;
  @Field({ nullable: true, description: 'Free text searched in the title.' })
  search?: string;
  @Field({ nullable: true, description: 'Only dates with at least one free seat.' })
  onlyAvailable?: boolean;
}

@ArgsType()
export class CoursesArgs {
  @Field(() => CourseFilter, { nullable: true })
  filter?: CourseFilter;
  @Field(() => Int, { nullable: true, description: 'Page size, 1-100 (default 20).' })
  first?: number;
  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string;
}

@ObjectType({ simpleResolvers: true })
export class Participant {
  @Field(() => ID)
  id!: string;
  @Field(() => Int)
  position!: number;
  @Field()
  firstName!: string;
  @Field()
  lastName!: string;
  @Field(() => GraphQLEmailAddress)
  email!: string;
  @Field(() => String, { nullable: true })
  phone!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "The participant's company; a participant entered without one is booked under the booker's company, and this shows it (it is what Maconomy gets).",
  })
  company!: string | null;
  @Field(() => ParticipantState, { description: 'Where this participant stands with Maconomy.' })
  maconomyState!: string;
}

@ObjectType({ simpleResolvers: true })
export class Booker {
  @Field()
  firstName!: string;
  @Field()
  lastName!: string;
  @Field(() => GraphQLEmailAddress)
  email!: string;
  @Field(() => String, { nullable: true })
  phone!: string | null;
  @Field(() => String, { nullable: true })
  company!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Order {
  @Field(() => ID)
  id!: string;
  @Field(() => OrderStatus)
  status!: string;
  @Field(() => Int)
  seats!: number;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'When the seats are released unless the order is checked out. Null once placed.' })
  expiresAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true })
  placedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'Seats Maconomy accepted (SYNCED, PARTIALLY_SYNCED); null before.' })
  syncedSeats!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Admins: a disagreement between Maconomy and Kursus about a course date\'s seats (reconcile-seats job).' })
export class SeatDrift {
  @Field(() => ID)
  id!: string;
  @Field(() => SeatDriftKind)
  kind!: string;
  @Field({ description: 'Maconomy id of the course date.' })
  maconomyId!: string;
  @Field()
  title!: string;
  @Field(() => GraphQLLocalDate)
  startDate!: string;
  @Field(() => Int, { description: "Maconomy's free seats when last seen." })
  maconomyFreeSeats!: number;
  @Field(() => Int, { description: 'Seats held here that Maconomy does not know yet, when last seen.' })
  heldHere!: number;
  @Field(() => Int, { nullable: true, description: 'UNEXPLAINED_CHANGE: what Maconomy\'s count should have been from our own syncs.' })
  expectedFreeSeats!: number | null;
  @Field(() => GraphQLDateTime)
  firstSeenAt!: Date;
  @Field(() => GraphQLDateTime)
  lastSeenAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true })
  resolvedAt!: Date | null;
}

@InputType()
export class ReserveSeatsInput {
  @Field(() => ID, { description: 'Course id, or the Maconomy id of the course date (e.g. "25172-04").' })
  courseId!: string;
  @Field(() => Int, { description: 'Seats to hold: 1 to the maximum per order.' })
  seats!: number;
  @Field(() => ID, { nullable: true, description: 'Give with orderToken to change the seats of an existing reservation.' })
  orderId?: string;
  @Field({ nullable: true })
  orderToken?: string;
}

@ObjectType({ simpleResolvers: true })
export class ReserveSeatsPayload {
  @Field(() => Order)
  order!: Order;
  @Field({ description: 'Secret for this order: keep it in the storefront session, it is shown only here.' })
  orderToken!: string;
}

@InputType()
export class PersonInput {
  @Field()
  firstName!: string;
  @Field()
  lastName!: string;
  @Field(() => GraphQLEmailAddress)
  email!: string;
  @Field(() => String, { nullable: true })
  phone?: string | null;
  @Field(() => String, { nullable: true })
  company?: string | null;
}

@InputType()
export class CheckoutInput {
  @Field(() => ID)
  orderId!: string;
  @Field()
  orderToken!: string;
  @Field(() => PersonInput, { description: 'Who books and receives the confirmation.' })
  booker!: PersonInput;
  @Field(() => [PersonInput], { description: 'Exactly one participant per seat.' })
  participants!: PersonInput[];
}

@ObjectType({ simpleResolvers: true })
export class CheckoutPayload {
  @Field(() => Order)
  order!: Order;
}

@InputType()
export class CancelReservationInput {
  @Field(() => ID)
  orderId!: string;
  @Field()
  orderToken!: string;
}

@ObjectType({ simpleResolvers: true })
export class CancelReservationPayload {
  @Field(() => Order)
  order!: Order;
}

@InputType()
export class CourseDayTimesInput {
  @Field(() => GraphQLLocalDate)
  date!: string;
  @Field(() => GraphQLLocalTime, { nullable: true, description: 'Null clears the override: Maconomy\'s time is shown.' })
  startTime?: string | null;
  @Field(() => GraphQLLocalTime, { nullable: true })
  endTime?: string | null;
}

@InputType()
export class TrainerInput {
  @Field({ description: 'Stable key, e.g. initials; the same key updates the same trainer.' })
  key!: string;
  @Field()
  name!: string;
  @Field(() => String, { nullable: true })
  title?: string | null;
  @Field(() => String, { nullable: true })
  bio?: string | null;
  @Field(() => GraphQLEmailAddress, { nullable: true, description: 'Where participant lists are sent; never shown publicly.' })
  email?: string | null;
}

@InputType()
export class EnrichCourseInput {
  @Field(() => ID, { description: 'Course id or Maconomy id.' })
  courseId!: string;
  @Field(() => String, { nullable: true, description: 'Replaces the description shown on the storefront; null restores Maconomy\'s.' })
  description?: string | null;
  @Field(() => String, { nullable: true, description: 'Short practical note (e.g. parking).' })
  note?: string | null;
  @Field(() => [CourseDayTimesInput], { nullable: true })
  days?: CourseDayTimesInput[];
  @Field(() => [TrainerInput], { nullable: true, description: 'Replaces the trainers of this course date.' })
  trainers?: TrainerInput[];
}
