/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A field whose value is a Currency: https://en.wikipedia.org/wiki/ISO_4217. */
  Currency: { input: string; output: string; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** A field whose value conforms to the standard internet email address format as specified in HTML Spec: https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address. */
  EmailAddress: { input: string; output: string; }
  /** A local date string (i.e., with no associated timezone) in `YYYY-MM-DD` format, e.g. `2020-01-01`. */
  LocalDate: { input: string; output: string; }
  /** A local time string (i.e., with no associated timezone) in 24-hr `HH:mm[:ss[.SSS]]` format, e.g. `14:25` or `14:25:06` or `14:25:06.123`. */
  LocalTime: { input: string; output: string; }
  /** Integers that will have a value of 0 or more. */
  NonNegativeInt: { input: number; output: number; }
};

export type Booker = {
  __typename?: 'Booker';
  company?: Maybe<Scalars['String']['output']>;
  email: Scalars['EmailAddress']['output'];
  firstName: Scalars['String']['output'];
  lastName: Scalars['String']['output'];
  phone?: Maybe<Scalars['String']['output']>;
};

export type CancelReservationInput = {
  orderId: Scalars['ID']['input'];
  orderToken: Scalars['String']['input'];
};

export type CancelReservationPayload = {
  __typename?: 'CancelReservationPayload';
  order: Order;
};

export type CheckoutInput = {
  /** Who books and receives the confirmation. */
  booker: PersonInput;
  orderId: Scalars['ID']['input'];
  orderToken: Scalars['String']['input'];
  /** Exactly one participant per seat. */
  participants: Array<PersonInput>;
};

export type CheckoutPayload = {
  __typename?: 'CheckoutPayload';
  order: Order;
};

/** A course date: one bookable run of a main course, identified in Maconomy by e.g. "25172-04". */
export type Course = {
  __typename?: 'Course';
  capacity: Scalars['Int']['output'];
  /** Course days with times; editor times override Maconomy's. */
  days: Array<CourseDay>;
  /** The editor's description when set, else Maconomy's. */
  description?: Maybe<Scalars['String']['output']>;
  endDate: Scalars['LocalDate']['output'];
  id: Scalars['ID']['output'];
  location: Scalars['String']['output'];
  maconomyId: Scalars['String']['output'];
  mainCourse: MainCourse;
  /** Practical note from editors. */
  note?: Maybe<Scalars['String']['output']>;
  price: Price;
  /** False when the date vanished from Maconomy; it stays readable for existing orders. */
  published: Scalars['Boolean']['output'];
  /** Free seats now: Maconomy's count minus seats held here. Reserving re-checks with Maconomy. */
  seatsAvailable: Scalars['Int']['output'];
  startDate: Scalars['LocalDate']['output'];
  status: CourseStatus;
  title: Scalars['String']['output'];
  trainers: Array<Trainer>;
};

export type CourseConnection = {
  __typename?: 'CourseConnection';
  edges: Array<CourseEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

/** One day of a course date. Times are local (Europe/Copenhagen); an editor may have adjusted them. */
export type CourseDay = {
  __typename?: 'CourseDay';
  date: Scalars['LocalDate']['output'];
  endTime?: Maybe<Scalars['LocalTime']['output']>;
  startTime?: Maybe<Scalars['LocalTime']['output']>;
};

export type CourseDayTimesInput = {
  date: Scalars['LocalDate']['input'];
  endTime?: InputMaybe<Scalars['LocalTime']['input']>;
  /** Null clears the override: Maconomy's time is shown. */
  startTime?: InputMaybe<Scalars['LocalTime']['input']>;
};

export type CourseEdge = {
  __typename?: 'CourseEdge';
  cursor: Scalars['String']['output'];
  node: Course;
};

export type CourseFilter = {
  /** Earliest start date (default: today in Copenhagen). */
  from?: InputMaybe<Scalars['LocalDate']['input']>;
  /** Exact location, case-insensitive, e.g. "Aarhus". */
  location?: InputMaybe<Scalars['String']['input']>;
  mainCourseId?: InputMaybe<Scalars['ID']['input']>;
  /** Maconomy main course number, e.g. "25172". */
  mainCourseNumber?: InputMaybe<Scalars['String']['input']>;
  /** Only dates with at least one free seat. */
  onlyAvailable?: InputMaybe<Scalars['Boolean']['input']>;
  /** Free text searched in the title. */
  search?: InputMaybe<Scalars['String']['input']>;
  /** Latest start date. */
  to?: InputMaybe<Scalars['LocalDate']['input']>;
};

/** OPEN: bookable while seats are left. CLOSED: no longer bookable. CANCELLED: will not take place. */
export type CourseStatus =
  | 'CANCELLED'
  | 'CLOSED'
  | 'OPEN';

export type EnrichCourseInput = {
  /** Course id or Maconomy id. */
  courseId: Scalars['ID']['input'];
  days?: InputMaybe<Array<CourseDayTimesInput>>;
  /** Replaces the description shown on the storefront; null restores Maconomy's. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Short practical note (e.g. parking). */
  note?: InputMaybe<Scalars['String']['input']>;
  /** Replaces the trainers of this course date. */
  trainers?: InputMaybe<Array<TrainerInput>>;
};

export type MainCourse = {
  __typename?: 'MainCourse';
  category?: Maybe<Scalars['String']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Maconomy main course number, e.g. "25172". */
  maconomyNumber: Scalars['String']['output'];
  title: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Releases the seats of a reservation that has not been checked out. */
  cancelReservation: CancelReservationPayload;
  /** Places the order: the booker and exactly one participant per seat. Seats stay held until Maconomy has them. */
  checkout: CheckoutPayload;
  /** Editors only (Authorization: Bearer <EDITOR_TOKENS token>): sets editor-owned fields that the Maconomy import never overwrites. */
  enrichCourse: Course;
  /** Holds seats on a course date for HOLD_MINUTES. With orderId + orderToken, changes the seat count of that reservation and extends its hold. */
  reserveSeats: ReserveSeatsPayload;
};


export type MutationCancelReservationArgs = {
  input: CancelReservationInput;
};


export type MutationCheckoutArgs = {
  input: CheckoutInput;
};


export type MutationEnrichCourseArgs = {
  input: EnrichCourseInput;
};


export type MutationReserveSeatsArgs = {
  input: ReserveSeatsInput;
};

export type Order = {
  __typename?: 'Order';
  /** Null until checkout, and after GDPR anonymisation. */
  booker?: Maybe<Booker>;
  course: Course;
  /** When the seats are released unless the order is checked out. Null once placed. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  participants: Array<Participant>;
  placedAt?: Maybe<Scalars['DateTime']['output']>;
  seats: Scalars['Int']['output'];
  status: OrderStatus;
  /** Seats x price per seat, fixed at checkout. */
  total?: Maybe<Price>;
};

/** RESERVED: seats held until expiresAt. PLACED: checked out, waiting to be sent to Maconomy. SYNCED: Maconomy has the participants. SYNC_FAILED: sending failed, an operator is alerted. EXPIRED / CANCELLED: seats released. */
export type OrderStatus =
  | 'CANCELLED'
  | 'EXPIRED'
  | 'PLACED'
  | 'RESERVED'
  | 'SYNCED'
  | 'SYNC_FAILED';

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Participant = {
  __typename?: 'Participant';
  company?: Maybe<Scalars['String']['output']>;
  email: Scalars['EmailAddress']['output'];
  firstName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  lastName: Scalars['String']['output'];
  phone?: Maybe<Scalars['String']['output']>;
  position: Scalars['Int']['output'];
};

export type PersonInput = {
  company?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['EmailAddress']['input'];
  firstName: Scalars['String']['input'];
  lastName: Scalars['String']['input'];
  phone?: InputMaybe<Scalars['String']['input']>;
};

/** A price in minor units (øre) with its currency; never a float. */
export type Price = {
  __typename?: 'Price';
  /** Amount as a decimal string with two decimals, e.g. "12500.00". */
  amount: Scalars['String']['output'];
  /** Amount in minor units, e.g. 1250000 for 12.500,00 DKK. */
  amountMinor: Scalars['NonNegativeInt']['output'];
  currency: Scalars['Currency']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** One course date by id or by Maconomy id (e.g. "25172-04"). */
  course?: Maybe<Course>;
  /** Upcoming published course dates, ordered by start date. Relay connection. */
  courses: CourseConnection;
  /** An order, shown only to the holder of its token (null otherwise). */
  order?: Maybe<Order>;
};


export type QueryCourseArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  maconomyId?: InputMaybe<Scalars['String']['input']>;
};


export type QueryCoursesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CourseFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
  token: Scalars['String']['input'];
};

export type ReserveSeatsInput = {
  /** Course id, or the Maconomy id of the course date (e.g. "25172-04"). */
  courseId: Scalars['ID']['input'];
  /** Give with orderToken to change the seats of an existing reservation. */
  orderId?: InputMaybe<Scalars['ID']['input']>;
  orderToken?: InputMaybe<Scalars['String']['input']>;
  /** Seats to hold: 1 to the maximum per order. */
  seats: Scalars['Int']['input'];
};

export type ReserveSeatsPayload = {
  __typename?: 'ReserveSeatsPayload';
  order: Order;
  /** Secret for this order: keep it in the storefront session, it is shown only here. */
  orderToken: Scalars['String']['output'];
};

export type Trainer = {
  __typename?: 'Trainer';
  bio?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Stable key chosen by editors. */
  key: Scalars['String']['output'];
  name: Scalars['String']['output'];
  title?: Maybe<Scalars['String']['output']>;
};

export type TrainerInput = {
  bio?: InputMaybe<Scalars['String']['input']>;
  /** Where participant lists are sent; never shown publicly. */
  email?: InputMaybe<Scalars['EmailAddress']['input']>;
  /** Stable key, e.g. initials; the same key updates the same trainer. */
  key: Scalars['String']['input'];
  name: Scalars['String']['input'];
  title?: InputMaybe<Scalars['String']['input']>;
};

export type CancelReservationInput = {
  orderId: string | number;
  orderToken: string;
};

export type CheckoutInput = {
  /** Who books and receives the confirmation. */
  booker: PersonInput;
  orderId: string | number;
  orderToken: string;
  /** Exactly one participant per seat. */
  participants: Array<PersonInput>;
};

export type CourseDayTimesInput = {
  date: string;
  endTime?: string | null | undefined;
  /** Null clears the override: Maconomy's time is shown. */
  startTime?: string | null | undefined;
};

export type CourseFilter = {
  /** Earliest start date (default: today in Copenhagen). */
  from?: string | null | undefined;
  /** Exact location, case-insensitive, e.g. "Aarhus". */
  location?: string | null | undefined;
  mainCourseId?: string | number | null | undefined;
  /** Maconomy main course number, e.g. "25172". */
  mainCourseNumber?: string | null | undefined;
  /** Only dates with at least one free seat. */
  onlyAvailable?: boolean | null | undefined;
  /** Free text searched in the title. */
  search?: string | null | undefined;
  /** Latest start date. */
  to?: string | null | undefined;
};

/** OPEN: bookable while seats are left. CLOSED: no longer bookable. CANCELLED: will not take place. */
export type CourseStatus =
  | 'CANCELLED'
  | 'CLOSED'
  | 'OPEN';

export type EnrichCourseInput = {
  /** Course id or Maconomy id. */
  courseId: string | number;
  days?: Array<CourseDayTimesInput> | null | undefined;
  /** Replaces the description shown on the storefront; null restores Maconomy's. */
  description?: string | null | undefined;
  /** Short practical note (e.g. parking). */
  note?: string | null | undefined;
  /** Replaces the trainers of this course date. */
  trainers?: Array<TrainerInput> | null | undefined;
};

/** RESERVED: seats held until expiresAt. PLACED: checked out, waiting to be sent to Maconomy. SYNCED: Maconomy has the participants. SYNC_FAILED: sending failed, an operator is alerted. EXPIRED / CANCELLED: seats released. */
export type OrderStatus =
  | 'CANCELLED'
  | 'EXPIRED'
  | 'PLACED'
  | 'RESERVED'
  | 'SYNCED'
  | 'SYNC_FAILED';

export type PersonInput = {
  company?: string | null | undefined;
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null | undefined;
};

export type ReserveSeatsInput = {
  /** Course id, or the Maconomy id of the course date (e.g. "25172-04"). */
  courseId: string | number;
  /** Give with orderToken to change the seats of an existing reservation. */
  orderId?: string | number | null | undefined;
  orderToken?: string | null | undefined;
  /** Seats to hold: 1 to the maximum per order. */
  seats: number;
};

export type TrainerInput = {
  bio?: string | null | undefined;
  /** Where participant lists are sent; never shown publicly. */
  email?: string | null | undefined;
  /** Stable key, e.g. initials; the same key updates the same trainer. */
  key: string;
  name: string;
  title?: string | null | undefined;
};

export type CourseCardFragment = { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: CourseStatus, seatsAvailable: number, capacity: number, description: string | null, note: string | null, price: { amountMinor: number, amount: string, currency: string }, mainCourse: { id: string, maconomyNumber: string, title: string }, days: Array<{ date: string, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null }> };

export type OrderFieldsFragment = { id: string, status: OrderStatus, seats: number, expiresAt: string | null, placedAt: string | null, course: { id: string, maconomyId: string }, participants: Array<{ position: number, firstName: string, lastName: string, email: string }>, booker: { firstName: string, lastName: string, email: string } | null, total: { amountMinor: number, currency: string } | null };

export type CoursesQueryVariables = Exact<{
  filter?: CourseFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CoursesQuery = { courses: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: CourseStatus, seatsAvailable: number, capacity: number, description: string | null, note: string | null, price: { amountMinor: number, amount: string, currency: string }, mainCourse: { id: string, maconomyNumber: string, title: string }, days: Array<{ date: string, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null }> } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type CourseQueryVariables = Exact<{
  id?: string | number | null | undefined;
  maconomyId?: string | null | undefined;
}>;


export type CourseQuery = { course: { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: CourseStatus, seatsAvailable: number, capacity: number, description: string | null, note: string | null, price: { amountMinor: number, amount: string, currency: string }, mainCourse: { id: string, maconomyNumber: string, title: string }, days: Array<{ date: string, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null }> } | null };

export type OrderQueryVariables = Exact<{
  id: string | number;
  token: string;
}>;


export type OrderQuery = { order: { id: string, status: OrderStatus, seats: number, expiresAt: string | null, placedAt: string | null, course: { id: string, maconomyId: string }, participants: Array<{ position: number, firstName: string, lastName: string, email: string }>, booker: { firstName: string, lastName: string, email: string } | null, total: { amountMinor: number, currency: string } | null } | null };

export type ReserveSeatsMutationVariables = Exact<{
  input: ReserveSeatsInput;
}>;


export type ReserveSeatsMutation = { reserveSeats: { orderToken: string, order: { id: string, status: OrderStatus, seats: number, expiresAt: string | null, placedAt: string | null, course: { id: string, maconomyId: string }, participants: Array<{ position: number, firstName: string, lastName: string, email: string }>, booker: { firstName: string, lastName: string, email: string } | null, total: { amountMinor: number, currency: string } | null } } };

export type CheckoutMutationVariables = Exact<{
  input: CheckoutInput;
}>;


export type CheckoutMutation = { checkout: { order: { id: string, status: OrderStatus, seats: number, expiresAt: string | null, placedAt: string | null, course: { id: string, maconomyId: string }, participants: Array<{ position: number, firstName: string, lastName: string, email: string }>, booker: { firstName: string, lastName: string, email: string } | null, total: { amountMinor: number, currency: string } | null } } };

export type CancelReservationMutationVariables = Exact<{
  input: CancelReservationInput;
}>;


export type CancelReservationMutation = { cancelReservation: { order: { id: string, status: OrderStatus, seats: number, expiresAt: string | null, placedAt: string | null, course: { id: string, maconomyId: string }, participants: Array<{ position: number, firstName: string, lastName: string, email: string }>, booker: { firstName: string, lastName: string, email: string } | null, total: { amountMinor: number, currency: string } | null } } };

export type EnrichCourseMutationVariables = Exact<{
  input: EnrichCourseInput;
}>;


export type EnrichCourseMutation = { enrichCourse: { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: CourseStatus, seatsAvailable: number, capacity: number, description: string | null, note: string | null, price: { amountMinor: number, amount: string, currency: string }, mainCourse: { id: string, maconomyNumber: string, title: string }, days: Array<{ date: string, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null }> } };

export const CourseCardFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourseCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Course"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"endDate"}},{"kind":"Field","name":{"kind":"Name","value":"location"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seatsAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"mainCourse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyNumber"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"endTime"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trainers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<CourseCardFragment, unknown>;
export const OrderFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seats"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"course"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"participants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"booker"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<OrderFieldsFragment, unknown>;
export const CoursesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Courses"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CourseFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"courses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourseCard"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourseCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Course"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"endDate"}},{"kind":"Field","name":{"kind":"Name","value":"location"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seatsAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"mainCourse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyNumber"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"endTime"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trainers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<CoursesQuery, CoursesQueryVariables>;
export const CourseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Course"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"maconomyId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"course"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"maconomyId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"maconomyId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourseCard"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourseCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Course"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"endDate"}},{"kind":"Field","name":{"kind":"Name","value":"location"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seatsAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"mainCourse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyNumber"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"endTime"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trainers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<CourseQuery, CourseQueryVariables>;
export const OrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Order"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seats"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"course"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"participants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"booker"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<OrderQuery, OrderQueryVariables>;
export const ReserveSeatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReserveSeats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReserveSeatsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reserveSeats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderToken"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seats"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"course"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"participants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"booker"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<ReserveSeatsMutation, ReserveSeatsMutationVariables>;
export const CheckoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Checkout"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CheckoutInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checkout"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seats"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"course"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"participants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"booker"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<CheckoutMutation, CheckoutMutationVariables>;
export const CancelReservationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelReservation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CancelReservationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelReservation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OrderFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seats"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"course"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"participants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"booker"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<CancelReservationMutation, CancelReservationMutationVariables>;
export const EnrichCourseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EnrichCourse"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EnrichCourseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enrichCourse"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourseCard"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourseCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Course"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"endDate"}},{"kind":"Field","name":{"kind":"Name","value":"location"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"seatsAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"mainCourse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maconomyNumber"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"endTime"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trainers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<EnrichCourseMutation, EnrichCourseMutationVariables>;