// Domain errors carry the contract's error codes (ARCHITECTURE section 7); the GraphQL layer copies
// the code into `extensions.code` and REST routes into their envelope. Messages are written for a
// storefront developer and never contain personal data or secrets.
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'SOLD_OUT',
  'RESERVATION_EXPIRED',
  'UPSTREAM_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  // Too many calls from one client; `extensions.retryAfterSeconds` says when to try again.
  'RATE_LIMITED',
  // The service's own database cannot be reached for a moment (e.g. restarting); retry shortly.
  'SERVICE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Safe, structured details for the client (field names, counts). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badInput = (message: string, field?: string) => new DomainError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
