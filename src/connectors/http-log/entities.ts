// One row per HTTP exchange with a connector peer: inbound requests to /public and /api, and the
// product's own outbound calls (Maconomy, WordPress, connector upstreams). Rows are already
// redacted and truncated when written (see redact.ts); the table is pruned daily.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const HTTP_LOG_DIRECTIONS = ['in', 'out'] as const;
export type HttpLogDirection = (typeof HTTP_LOG_DIRECTIONS)[number];

export const HttpLogEntry = defineEntity({
  name: 'HttpLogEntry',
  tableName: 'http_log',
  indexes: [{ properties: ['system', 'at'] }, { properties: ['status', 'at'] }],
  properties: {
    // int unsigned: 4.29 billion entries; bigint would make SQLite's schema diff recreate the table forever.
    id: p.integer().unsigned().primary().autoincrement(),
    /** When the request started (ms precision). */
    at: p.datetime().length(3).index(),
    direction: p.enum(HTTP_LOG_DIRECTIONS),
    /** The peer: `maconomy`, `wordpress`, `request-out`, `product-price`, `jubelio`, ... */
    system: p.string().length(50),
    method: p.string().length(10),
    /** Redacted URL (secret query parameters and e-mail addresses removed), at most 2000 characters. */
    url: p.string().length(2000),
    /** HTTP status; null when no response arrived (timeout, refused connection). */
    status: p.integer().nullable(),
    durationMs: p.integer(),
    /** The inbound request's id (x-request-id) that caused this exchange, carried into jobs. */
    correlationId: p.string().length(100).nullable().index(),
    /** Who called (inbound): a connector user id or `admin`. */
    actor: p.string().length(64).nullable(),
    /** JSON object of the redacted request headers. */
    requestHeaders: p.text().nullable(),
    requestBody: p.text().nullable(),
    responseHeaders: p.text().nullable(),
    responseBody: p.text().nullable(),
    /** Transport error (timeout, refused) without personal data. */
    error: p.string().length(500).nullable(),
  },
});
export type HttpLogEntry = InferEntity<typeof HttpLogEntry>;

export const httpLogEntities = [HttpLogEntry];
