// Maps every error to the contract's `extensions.code` and a message a storefront developer can act
// on. Unknown errors become INTERNAL_SERVER_ERROR with a generic message (details go to the log).
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, ERROR_CODES } from '../errors.js';

const APOLLO_INPUT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST']);

export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: (err: unknown) => void): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const path = formatted.path;
  if (original instanceof DomainError) {
    return { message: original.message, path, extensions: { code: original.code, ...original.details } };
  }
  const upstream = original as { code?: string; kind?: string; message?: string } | undefined;
  if (upstream && upstream.code === 'UPSTREAM_UNAVAILABLE') {
    log?.(original);
    return {
      message:
        upstream.kind === 'circuit_open'
          ? 'Maconomy is unavailable: it failed repeatedly and its circuit breaker is open, so it was not asked; nothing was changed, try again shortly'
          : 'Maconomy, which holds the seat counts, cannot be reached right now; nothing was changed, try again shortly',
      path,
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    };
  }
  if (isDatabaseUnavailable(original)) {
    log?.(original);
    return {
      message: 'the booking database cannot be reached right now; try again shortly',
      path,
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
  }
  const code = formatted.extensions?.code as string | undefined;
  // Our own GraphQLErrors (limits, rate limits) carry safe details such as retryAfterSeconds.
  if (code && (ERROR_CODES as readonly string[]).includes(code)) return { message: formatted.message, path, locations: formatted.locations, extensions: { ...formatted.extensions, code } };
  if (code && APOLLO_INPUT_CODES.has(code)) {
    return { message: inputErrorMessage(formatted.message), path, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT', reason: code } };
  }
  log?.(original ?? error);
  return { message: 'Internal server error', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * graphql-js gives up checking that same-named fields can be merged once a document needs too many
 * comparisons (many selections of one field, or overlapping fragments, at one level), and says only
 * "Validation aborted.": say what to change.
 */
const VALIDATION_GAVE_UP =
  'the document is too complex to check: it selects the same field (or overlapping fragments) too many times at one level; ask for each field once, with aliases where arguments differ';

function inputErrorMessage(message: string): string {
  return message === 'Validation aborted.' ? VALIDATION_GAVE_UP : message;
}

// Connection-level database failures (server restarting, network gone): a temporary condition the
// client can retry, not an internal error. Anything else from the driver stays internal.
const DB_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ER_CON_COUNT_ERROR', 'ER_QUERY_INTERRUPTED', 'SQLITE_BUSY']);

export function isDatabaseUnavailable(err: unknown): boolean {
  // mysql2 rejects a pooled connection that cannot be opened (as when a transaction begins while
  // the server is down) with a plain object, which graphql-js wraps as NonErrorThrown (thrownValue).
  for (let e: any = err, depth = 0; e && depth < 5; e = e.cause ?? e.previous ?? e.thrownValue, depth++) {
    if (e.name === 'ConnectionException') return true;
    if (typeof e.code === 'string' && DB_CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && /Connection lost|connection is in closed state|connect ECONNREFUSED|Connection was killed|Server shutdown in progress|socket has been ended|Pool is closed/i.test(e.message)) return true;
  }
  return false;
}
