// Request Out: the route table (which upstream handles a Subject/SubjectType/SubjectIdentifier)
// and one ticket per TicketId holding the stored result, so a repeated TicketId never calls the
// upstream again.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ConnectorUser } from '../auth/entities.js';

export const REQUEST_OUT_AUTH_TYPES = ['none', 'bearer', 'basic', 'header'] as const;
export type RequestOutAuthType = (typeof REQUEST_OUT_AUTH_TYPES)[number];

export const RequestOutRoute = defineEntity({
  name: 'RequestOutRoute',
  tableName: 'request_out_route',
  uniques: [{ properties: ['subject', 'subjectType', 'subjectIdentifier'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    /** Matched case-insensitively: stored lower-cased. */
    subject: p.string().length(100),
    subjectType: p.string().length(100),
    subjectIdentifier: p.string().length(100),
    /** What the admin calls this product/upstream. */
    name: p.string().length(200),
    upstreamUrl: p.string().length(2000),
    authType: p.enum(REQUEST_OUT_AUTH_TYPES).default('none'),
    /** Header name for authType `header` (e.g. X-API-Key). */
    authHeader: p.string().length(100).nullable(),
    /** Bearer token, `user:password` for basic, or the header value. Never returned by the API. */
    authSecret: p.text().nullable(),
    timeoutMs: p.integer().default(10_000),
    enabled: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type RequestOutRoute = InferEntity<typeof RequestOutRoute>;

export const REQUEST_OUT_STATUSES = ['PROCESSING', 'SUCCEEDED', 'FAILED'] as const;
export type RequestOutStatus = (typeof REQUEST_OUT_STATUSES)[number];

export const RequestOutTicket = defineEntity({
  name: 'RequestOutTicket',
  tableName: 'request_out_ticket',
  indexes: [{ properties: ['status', 'createdAt'] }],
  properties: {
    ticketId: p.string().length(100).primary(),
    user: () => p.manyToOne(ConnectorUser).deleteRule('cascade'),
    route: () => p.manyToOne(RequestOutRoute).nullable().deleteRule('set null'),
    subject: p.string().length(100),
    subjectType: p.string().length(100),
    subjectIdentifier: p.string().length(100),
    status: p.enum(REQUEST_OUT_STATUSES).default('PROCESSING'),
    /** Set (and committed) before the upstream is called: a set value means "never call again". */
    callStartedAt: p.datetime().nullable(),
    attempts: p.integer().default(0),
    upstreamStatus: p.integer().nullable(),
    action: p.string().length(200).nullable(),
    resourceType: p.string().length(200).nullable(),
    resource: p.string().length(200).nullable(),
    resourceId: p.string().length(200).nullable(),
    data: p.json<unknown>().nullable(),
    error: p.string().length(500).nullable(),
    correlationId: p.string().length(100).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
    /** When `data` and `resourceId` were erased after REQUEST_OUT_RETENTION_DAYS (the row stays: the TicketId remains used). */
    dataErasedAt: p.datetime().nullable(),
    /** How often the reaper queued the call again for a ticket whose job was lost. */
    requeues: p.integer().default(0),
  },
});
export type RequestOutTicket = InferEntity<typeof RequestOutTicket>;

export const requestOutEntities = [RequestOutRoute, RequestOutTicket];
