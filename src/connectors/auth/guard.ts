// Route guards for the REST connectors. Each endpoint answers 401/403 in its own envelope, so the
// guards take a function that builds that envelope:
//
//   app.get('/api/connectors/x/things', { preHandler: requireConnectorUser(deps, { envelope: (status, message) => ({ message }) }) },
//     async (request) => { const user = request.connectorUser!; ... });
//
// `userIdParam: 'id_user'` also answers 403 when the token belongs to another user than the path's.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/orm.js';
import { tokenInList } from '../../booking/tokens.js';
import { authenticateToken, type ConnectorPrincipal } from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireConnectorUser. */
    connectorUser?: ConnectorPrincipal;
  }
}

export type Envelope = (status: 401 | 403, message: string) => unknown;

export interface GuardDeps {
  db: Db;
  now: () => Date;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  return m ? m[1]! : null;
}

function deny(reply: FastifyReply, status: 401 | 403, message: string, envelope: Envelope) {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(envelope(status, message));
}

export function requireConnectorUser(deps: GuardDeps, opts: { envelope: Envelope; userIdParam?: string }): preHandlerAsyncHookHandler {
  return async function connectorUserGuard(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const token = bearerToken(header);
    if (!token) return deny(reply, 401, header ? 'Unauthorized: the Authorization header must be "Bearer <token>"' : 'Unauthorized: a bearer token is required', opts.envelope);
    const user = await authenticateToken(deps.db, token, deps.now());
    if (!user) return deny(reply, 401, 'Unauthorized: the token is invalid or expired', opts.envelope);
    request.connectorUser = user;
    request.httpLogActor = user.id;
    if (opts.userIdParam) {
      const wanted = (request.params as Record<string, string | undefined>)[opts.userIdParam];
      if (wanted !== user.id) return deny(reply, 403, `Forbidden: the token does not belong to user ${opts.userIdParam}`, opts.envelope);
    }
  };
}

/**
 * The 403 half of `userIdParam` on its own, for routes that validate their path first (so a
 * malformed id is a 400 naming the field): `preHandler: [requireConnectorUser(deps, {envelope}),
 * validatePath, requireSameUser('id_user', envelope)]`.
 */
export function requireSameUser(userIdParam: string, envelope: Envelope): preHandlerAsyncHookHandler {
  return async function sameUserGuard(request: FastifyRequest, reply: FastifyReply) {
    const wanted = (request.params as Record<string, string | undefined>)[userIdParam];
    if (!request.connectorUser) return deny(reply, 401, 'Unauthorized: a bearer token is required', envelope);
    if (wanted !== request.connectorUser.id) return deny(reply, 403, `Forbidden: the token does not belong to user ${userIdParam}`, envelope);
  };
}

/** ADMIN_TOKENS bearer check (constant time), for the connectors' admin REST API. */
export function requireAdmin(config: Config, opts: { envelope: Envelope }): preHandlerAsyncHookHandler {
  return async function adminGuard(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerToken(request.headers.authorization);
    if (!token) return deny(reply, 401, 'Unauthorized: an admin bearer token is required', opts.envelope);
    if (!tokenInList(token, config.adminTokens)) return deny(reply, 401, 'Unauthorized: the admin token is invalid', opts.envelope);
    request.httpLogActor = 'admin';
  };
}
