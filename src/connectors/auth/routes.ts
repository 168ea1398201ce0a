// POST /public/auth/login for connector clients, and the admin REST API that manages connector
// users (ADMIN_TOKENS bearer).
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from '../deps.js';
import { bearerSecurity, bodyObject, connectorScope, isPlainText, messageSchema, UUID_RE } from '../http.js';
import { clientIp, clientLimit } from '../../security/index.js';
import { requireAdmin } from './guard.js';
import { ConnectorUser } from './entities.js';
import { createLoginThrottle } from '../../security/login-throttle.js';
import { ConnectorUserError, createConnectorUser, isAcceptablePassword, login, revokeTokens, updateConnectorUser } from './service.js';

const messageEnvelope = (_status: number, message: string) => ({ message });

const userSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'active', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', minLength: 36, maxLength: 36 },
    email: { type: 'string' },
    name: { type: 'string' },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const userView = (u: ConnectorUser) => ({ id: u.id, email: u.email, name: u.name, active: u.active, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() });

function userError(err: unknown): { status: number; message: string } | null {
  if (!(err instanceof ConnectorUserError)) return null;
  return { status: err.code === 'BAD_INPUT' ? 400 : err.code === 'CONFLICT' ? 409 : 404, message: err.message };
}

// Long by design: the route table of connector logins and the admin's user management (one
// registration per operation with its schema).
export async function registerConnectorAuth(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const throttle = createLoginThrottle();
  // Per client (IP), every attempt counted: the per-address throttle alone lets one client try a
  // password on any number of addresses. Checked on request, before the body is parsed or scrypt runs.
  const perClient =
    clientLimit({
      max: deps.config.connectors.loginRatePerMinute,
      refuse: (reply, seconds) => reply.send({ message: `Too many login attempts from this client; try again in ${seconds} s` }),
    }) ?? ((_request, _reply, done) => done());

  await app.register(async (scope) => {
    connectorScope(scope, { envelope: messageEnvelope, forms: true });

    scope.post(
      '/public/auth/login',
      {
        onRequest: perClient,
        config: { httpLogSystem: 'connector-auth' },
        schema: {
          tags: ['Authentication'],
          summary: 'Log in a connector client',
          description:
            'Exchanges a connector user\'s e-mail and password for a bearer token. Send it as `Authorization: Bearer <token>` to the Product Price API, Request Out and the other connectors. `expiresAt` is ISO 8601 in UTC. Failed attempts slow down guessing without locking the user out: the first five failures for one e-mail address from one client (IP) cost nothing; after each further failure that client waits before its next try for that address (2 s, then twice as long each time, at most 15 minutes), while the same address logging in from any other client is not slowed. One client may have at most 100 failures per 15 minutes across all addresses, and may try RATE_LIMIT_LOGIN_PER_MINUTE times a minute (default 20). Each refusal is a 429 with Retry-After.',
          body: {
            type: 'object',
            required: ['email', 'password'],
            properties: { email: { type: 'string', example: 'demo@example.com' }, password: { type: 'string', example: 'demo-password' } },
          },
          response: {
            200: {
              type: 'object',
              required: ['message', 'token', 'expiresAt', 'user'],
              properties: {
                message: { type: 'string', example: 'Login successful' },
                token: { type: 'string' },
                expiresAt: { type: 'string', format: 'date-time' },
                user: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
              },
            },
            400: messageSchema,
            401: messageSchema,
            429: messageSchema,
          },
        },
      },
      async (request, reply) => {
        const body = bodyObject(request.body);
        if (!body) return reply.code(400).send({ message: 'the request body must be a JSON object with email and password' });
        const { email, password } = body;
        if (typeof email !== 'string' || !email.trim()) return reply.code(400).send({ message: 'email is required' });
        if (typeof password !== 'string' || !password) return reply.code(400).send({ message: 'password is required' });
        // Nothing a stored address or password can be: refused before the database and scrypt see it.
        if (email.length > 320 || password.length > 200 || !isPlainText(email.trim()) || !isAcceptablePassword(password)) return reply.code(401).send({ message: 'Invalid email or password' });
        // The address as login() looks it up, so ' Demo@example.com' counts for demo@example.com.
        const account = email.trim().toLowerCase();
        const wait = throttle.check(account, clientIp(request));
        if (!wait.allowed) {
          reply.header('retry-after', String(wait.retryAfterSeconds));
          const what = wait.scope === 'account' ? 'for this email from this client' : 'from this client';
          return reply.code(429).send({ message: `Too many failed logins ${what}; try again in ${wait.retryAfterSeconds} s` });
        }
        const result = await login(deps.db, email, password, { now: deps.now(), ttlHours: deps.config.connectors.tokenTtlHours });
        if (!result) {
          throttle.fail(account, clientIp(request));
          request.log.info({ reason: 'bad credentials' }, 'connector login refused');
          return reply.code(401).send({ message: 'Invalid email or password' });
        }
        throttle.succeed(account, clientIp(request));
        request.httpLogActor = result.user.id;
        return { message: 'Login successful', token: result.token, expiresAt: result.expiresAt.toISOString(), user: { id: result.user.id, name: result.user.name } };
      },
    );
  });

  await app.register(async (scope) => {
    connectorScope(scope, { envelope: messageEnvelope });
    const admin = requireAdmin(deps.config, { envelope: messageEnvelope });
    const common = { tags: ['Admin: connector users'], security: bearerSecurity };

    scope.get(
      '/api/admin/connector-users',
      { preHandler: admin, schema: { ...common, summary: 'List connector users', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: userSchema } } }, 401: messageSchema } } },
      async () => {
        const users = await deps.db.em().find(ConnectorUser, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
        return { items: users.map(userView) };
      },
    );

    scope.post(
      '/api/admin/connector-users',
      {
        preHandler: admin,
        schema: {
          ...common,
          summary: 'Create a connector user',
          body: { type: 'object', required: ['email', 'name', 'password'], properties: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string', minLength: 10 } } },
          response: { 201: userSchema, 400: messageSchema, 401: messageSchema, 409: messageSchema },
        },
      },
      async (request, reply) => {
        const body = bodyObject(request.body) ?? {};
        try {
          const user = await createConnectorUser(deps.db, { email: body.email, name: body.name, password: body.password });
          return reply.code(201).send(userView(user));
        } catch (err) {
          const e = userError(err);
          if (e) return reply.code(e.status as 400).send({ message: e.message });
          throw err;
        }
      },
    );

    scope.patch(
      '/api/admin/connector-users/:id',
      {
        preHandler: admin,
        schema: {
          ...common,
          summary: 'Change a connector user (name, password, active); a new password or deactivation revokes its tokens',
          params: { type: 'object', properties: { id: { type: 'string' } } },
          body: { type: 'object', properties: { name: { type: 'string' }, password: { type: 'string', minLength: 10 }, active: { type: 'boolean' } } },
          response: { 200: userSchema, 400: messageSchema, 401: messageSchema, 404: messageSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!UUID_RE.test(id)) return reply.code(400).send({ message: 'id must be a 36-character id' });
        const body = bodyObject(request.body) ?? {};
        try {
          return userView(await updateConnectorUser(deps.db, id, body));
        } catch (err) {
          const e = userError(err);
          if (e) return reply.code(e.status as 400).send({ message: e.message });
          throw err;
        }
      },
    );

    scope.post(
      '/api/admin/connector-users/:id/revoke-tokens',
      {
        preHandler: admin,
        schema: {
          ...common,
          summary: "Revoke all of a connector user's tokens",
          params: { type: 'object', properties: { id: { type: 'string' } } },
          response: { 200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'integer' } } }, 400: messageSchema, 401: messageSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!UUID_RE.test(id)) return reply.code(400).send({ message: 'id must be a 36-character id' });
        return { revoked: await revokeTokens(deps.db, id) };
      },
    );
  });
}
