/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type BoCourseDateFilter = {
  /** Start date from (YYYY-MM-DD). */
  from?: string | null | undefined;
  location?: string | null | undefined;
  mainCourseId?: string | number | null | undefined;
  /** Part of the title, Maconomy id or location. */
  search?: string | null | undefined;
  /** Start date to (YYYY-MM-DD). */
  to?: string | null | undefined;
};

export type BoCourseDayInput = {
  date: string;
  endTime?: string | null | undefined;
  /** HH:MM; empty or null: Maconomy's time. */
  startTime?: string | null | undefined;
};

export type BoTrainerInput = {
  /** Admins only; editors leave it out. */
  email?: string | null | undefined;
  key: string;
  name: string;
  title?: string | null | undefined;
};

/** OVERCOMMITTED: Maconomy has fewer free seats than are held here. UNEXPLAINED_CHANGE: Maconomy's count moved by more than our own syncs explain. */
export type SeatDriftKind =
  | 'OVERCOMMITTED'
  | 'UNEXPLAINED_CHANGE';

export type UpdateCourseDateInput = {
  days?: Array<BoCourseDayInput> | null | undefined;
  description?: string | null | undefined;
  id: string | number;
  note?: string | null | undefined;
  /** Replaces the trainers of this date. */
  trainers?: Array<BoTrainerInput> | null | undefined;
};

export type CourseDatesQueryVariables = Exact<{
  filter?: BoCourseDateFilter | null | undefined;
  first?: number | null | undefined;
  offset?: number | null | undefined;
}>;


export type CourseDatesQuery = { backOfficeCourseDates: { totalCount: number, items: Array<{ id: string, maconomyId: string, title: string, mainCourseTitle: string, startDate: string, endDate: string, location: string, status: string, published: boolean, maconomyFreeSeats: number }> } };

export type FilterOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type FilterOptionsQuery = { backOfficeFilterOptions: { locations: Array<string>, mainCourses: Array<{ id: string, title: string, maconomyNumber: string }> } };

export type CourseDateQueryVariables = Exact<{
  id: string | number;
}>;


export type CourseDateQuery = { backOfficeCourseDate: { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: string, published: boolean, capacity: number, maconomyFreeSeats: number, price: string, maconomyDescription: string | null, description: string | null, note: string | null, mainCourse: { id: string, title: string, maconomyNumber: string }, days: Array<{ date: string, maconomyStartTime: string | null, maconomyEndTime: string | null, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null, email: string | null }>, wordpress: { postId: number | null, pushedAt: string | null, lastError: string | null, attempts: number } | null, audit: Array<{ at: string, actor: string, field: string, oldValue: string | null, newValue: string | null }> } | null };

export type UpdateCourseDateMutationVariables = Exact<{
  input: UpdateCourseDateInput;
}>;


export type UpdateCourseDateMutation = { updateCourseDate: { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: string, published: boolean, capacity: number, maconomyFreeSeats: number, price: string, maconomyDescription: string | null, description: string | null, note: string | null, mainCourse: { id: string, title: string, maconomyNumber: string }, days: Array<{ date: string, maconomyStartTime: string | null, maconomyEndTime: string | null, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null, email: string | null }>, wordpress: { postId: number | null, pushedAt: string | null, lastError: string | null, attempts: number } | null, audit: Array<{ at: string, actor: string, field: string, oldValue: string | null, newValue: string | null }> } };

export type PushCourseDateMutationVariables = Exact<{
  id: string | number;
}>;


export type PushCourseDateMutation = { pushCourseDateToWordPress: boolean };

export type CourseDateFieldsFragment = { id: string, maconomyId: string, title: string, startDate: string, endDate: string, location: string, status: string, published: boolean, capacity: number, maconomyFreeSeats: number, price: string, maconomyDescription: string | null, description: string | null, note: string | null, mainCourse: { id: string, title: string, maconomyNumber: string }, days: Array<{ date: string, maconomyStartTime: string | null, maconomyEndTime: string | null, startTime: string | null, endTime: string | null }>, trainers: Array<{ key: string, name: string, title: string | null, email: string | null }>, wordpress: { postId: number | null, pushedAt: string | null, lastError: string | null, attempts: number } | null, audit: Array<{ at: string, actor: string, field: string, oldValue: string | null, newValue: string | null }> };

export type OrdersQueryVariables = Exact<{
  search?: string | null | undefined;
  courseDate?: string | null | undefined;
  status?: string | null | undefined;
  first?: number | null | undefined;
  offset?: number | null | undefined;
}>;


export type OrdersQuery = { backOfficeOrders: { totalCount: number, items: Array<{ id: string, status: string, seats: number, bookerName: string | null, bookerEmail: string | null, bookerCompany: string | null, courseDateId: string, courseDateMaconomyId: string, courseDateTitle: string, createdAt: string, placedAt: string | null, syncedAt: string | null, syncAttempts: number, lastSyncError: string | null, participants: Array<{ position: number, firstName: string, lastName: string, email: string, maconomyParticipantId: string | null, syncedAt: string | null }> }> } };

export type RetryOrderSyncMutationVariables = Exact<{
  orderId: string | number;
}>;


export type RetryOrderSyncMutation = { retryOrderSync: boolean };

export type FailedMailsQueryVariables = Exact<{ [key: string]: never; }>;


export type FailedMailsQuery = { failedMails: Array<{ id: string, kind: string, recipient: string, subject: string, status: string, attempts: number, lastError: string | null, createdAt: string }> };

export type ResendMailMutationVariables = Exact<{
  mailId: string | number;
}>;


export type ResendMailMutation = { resendMail: boolean };

export type ConnectorLogQueryVariables = Exact<{
  system?: string | null | undefined;
  status?: string | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
  first?: number | null | undefined;
  before?: number | null | undefined;
}>;


export type ConnectorLogQuery = { connectorLogSystems: Array<string>, connectorLog: Array<{ id: number, at: string, direction: string, system: string, method: string, url: string, status: number | null, durationMs: number, correlationId: string | null, requestHeaders: string | null, requestBody: string | null, responseHeaders: string | null, responseBody: string | null, error: string | null }> };

export type JobOverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type JobOverviewQuery = { jobOverview: Array<{ name: string, total: number, running: number, queued: number, scheduled: number, failed: number, completed: number, repeating: number, interval: string | null, schedule: string | null, lastRunAt: string | null, lastResult: string | null, failReason: string | null, nextRunAt: string | null }> };

export type SeatDriftQueryVariables = Exact<{
  includeResolved?: boolean | null | undefined;
}>;


export type SeatDriftQuery = { seatDrift: Array<{ id: string, kind: SeatDriftKind, maconomyId: string, title: string, startDate: string, maconomyFreeSeats: number, heldHere: number, expectedFreeSeats: number | null, firstSeenAt: string, lastSeenAt: string, resolvedAt: string | null }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CourseDateFieldsFragmentDoc = new TypedDocumentString(`
    fragment CourseDateFields on BoCourseDate {
  id
  maconomyId
  title
  startDate
  endDate
  location
  status
  published
  capacity
  maconomyFreeSeats
  price
  mainCourse {
    id
    title
    maconomyNumber
  }
  maconomyDescription
  description
  note
  days {
    date
    maconomyStartTime
    maconomyEndTime
    startTime
    endTime
  }
  trainers {
    key
    name
    title
    email
  }
  wordpress {
    postId
    pushedAt
    lastError
    attempts
  }
  audit {
    at
    actor
    field
    oldValue
    newValue
  }
}
    `, {"fragmentName":"CourseDateFields"}) as unknown as TypedDocumentString<CourseDateFieldsFragment, unknown>;
export const CourseDatesDocument = new TypedDocumentString(`
    query CourseDates($filter: BoCourseDateFilter, $first: Int, $offset: Int) {
  backOfficeCourseDates(filter: $filter, first: $first, offset: $offset) {
    totalCount
    items {
      id
      maconomyId
      title
      mainCourseTitle
      startDate
      endDate
      location
      status
      published
      maconomyFreeSeats
    }
  }
}
    `) as unknown as TypedDocumentString<CourseDatesQuery, CourseDatesQueryVariables>;
export const FilterOptionsDocument = new TypedDocumentString(`
    query FilterOptions {
  backOfficeFilterOptions {
    mainCourses {
      id
      title
      maconomyNumber
    }
    locations
  }
}
    `) as unknown as TypedDocumentString<FilterOptionsQuery, FilterOptionsQueryVariables>;
export const CourseDateDocument = new TypedDocumentString(`
    query CourseDate($id: ID!) {
  backOfficeCourseDate(id: $id) {
    ...CourseDateFields
  }
}
    fragment CourseDateFields on BoCourseDate {
  id
  maconomyId
  title
  startDate
  endDate
  location
  status
  published
  capacity
  maconomyFreeSeats
  price
  mainCourse {
    id
    title
    maconomyNumber
  }
  maconomyDescription
  description
  note
  days {
    date
    maconomyStartTime
    maconomyEndTime
    startTime
    endTime
  }
  trainers {
    key
    name
    title
    email
  }
  wordpress {
    postId
    pushedAt
    lastError
    attempts
  }
  audit {
    at
    actor
    field
    oldValue
    newValue
  }
}`) as unknown as TypedDocumentString<CourseDateQuery, CourseDateQueryVariables>;
export const UpdateCourseDateDocument = new TypedDocumentString(`
    mutation UpdateCourseDate($input: UpdateCourseDateInput!) {
  updateCourseDate(input: $input) {
    ...CourseDateFields
  }
}
    fragment CourseDateFields on BoCourseDate {
  id
  maconomyId
  title
  startDate
  endDate
  location
  status
  published
  capacity
  maconomyFreeSeats
  price
  mainCourse {
    id
    title
    maconomyNumber
  }
  maconomyDescription
  description
  note
  days {
    date
    maconomyStartTime
    maconomyEndTime
    startTime
    endTime
  }
  trainers {
    key
    name
    title
    email
  }
  wordpress {
    postId
    pushedAt
    lastError
    attempts
  }
  audit {
    at
    actor
    field
    oldValue
    newValue
  }
}`) as unknown as TypedDocumentString<UpdateCourseDateMutation, UpdateCourseDateMutationVariables>;
export const PushCourseDateDocument = new TypedDocumentString(`
    mutation PushCourseDate($id: ID!) {
  pushCourseDateToWordPress(id: $id)
}
    `) as unknown as TypedDocumentString<PushCourseDateMutation, PushCourseDateMutationVariables>;
export const OrdersDocument = new TypedDocumentString(`
    query Orders($search: String, $courseDate: String, $status: String, $first: Int, $offset: Int) {
  backOfficeOrders(
    search: $search
    courseDate: $courseDate
    status: $status
    first: $first
    offset: $offset
  ) {
    totalCount
    items {
      id
      status
      seats
      bookerName
      bookerEmail
      bookerCompany
      courseDateId
      courseDateMaconomyId
      courseDateTitle
      createdAt
      placedAt
      syncedAt
      syncAttempts
      lastSyncError
      participants {
        position
        firstName
        lastName
        email
        maconomyParticipantId
        syncedAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrdersQuery, OrdersQueryVariables>;
export const RetryOrderSyncDocument = new TypedDocumentString(`
    mutation RetryOrderSync($orderId: ID!) {
  retryOrderSync(orderId: $orderId)
}
    `) as unknown as TypedDocumentString<RetryOrderSyncMutation, RetryOrderSyncMutationVariables>;
export const FailedMailsDocument = new TypedDocumentString(`
    query FailedMails {
  failedMails {
    id
    kind
    recipient
    subject
    status
    attempts
    lastError
    createdAt
  }
}
    `) as unknown as TypedDocumentString<FailedMailsQuery, FailedMailsQueryVariables>;
export const ResendMailDocument = new TypedDocumentString(`
    mutation ResendMail($mailId: ID!) {
  resendMail(mailId: $mailId)
}
    `) as unknown as TypedDocumentString<ResendMailMutation, ResendMailMutationVariables>;
export const ConnectorLogDocument = new TypedDocumentString(`
    query ConnectorLog($system: String, $status: String, $from: DateTime, $to: DateTime, $first: Int, $before: Int) {
  connectorLog(
    system: $system
    status: $status
    from: $from
    to: $to
    first: $first
    before: $before
  ) {
    id
    at
    direction
    system
    method
    url
    status
    durationMs
    correlationId
    requestHeaders
    requestBody
    responseHeaders
    responseBody
    error
  }
  connectorLogSystems
}
    `) as unknown as TypedDocumentString<ConnectorLogQuery, ConnectorLogQueryVariables>;
export const JobOverviewDocument = new TypedDocumentString(`
    query JobOverview {
  jobOverview {
    name
    total
    running
    queued
    scheduled
    failed
    completed
    repeating
    interval
    schedule
    lastRunAt
    lastResult
    failReason
    nextRunAt
  }
}
    `) as unknown as TypedDocumentString<JobOverviewQuery, JobOverviewQueryVariables>;
export const SeatDriftDocument = new TypedDocumentString(`
    query SeatDrift($includeResolved: Boolean) {
  seatDrift(includeResolved: $includeResolved) {
    id
    kind
    maconomyId
    title
    startDate
    maconomyFreeSeats
    heldHere
    expectedFreeSeats
    firstSeenAt
    lastSeenAt
    resolvedAt
  }
}
    `) as unknown as TypedDocumentString<SeatDriftQuery, SeatDriftQueryVariables>;