// Shared by every outbound client (Maconomy, WordPress, the commerce connectors, Request Out):
// after a failed call, was anything sent? A connection that was never established cannot have
// written anything, so a write may be retried blindly; any other failure is ambiguous.

/** Error codes of a connection that was never established: nothing reached the peer. */
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The first `code` along an error's cause chain (fetch wraps the socket error in `cause`). */
export function errorCode(err: unknown): string | undefined {
  for (let e: any = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}
