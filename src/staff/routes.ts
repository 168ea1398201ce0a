// The back office's session routes: log in (a new session cookie), who am I (and the CSRF token
// the SPA sends with every GraphQL request), log out. Errors use the connectors' { message } envelope.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/orm.js';
import { clientIp } from '../security/index.js';
import { createLoginThrottle } from '../security/login-throttle.js';
import { DEMO_STAFF_PASSWORDS } from './demo.js';
import { csrfTokenFor, staffLogin, staffLogout } from './service.js';
import { authenticateCookie, clearedSessionCookie, sessionCookie } from './session.js';

export interface StaffRouteDeps {
  db: Db;
  config: Config;
  now: () => Date;
}

const messageSchema = { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } as const;
const sessionSchema = {
  type: 'object',
  required: ['email', 'role', 'csrfToken'],
  properties: { email: { type: 'string' }, role: { type: 'string', enum: ['editor', 'admin'] }, csrfToken: { type: 'string' } },
} as const;

export async function registerStaffRoutes(app: FastifyInstance, deps: StaffRouteDeps): Promise<void> {
  const { config } = deps;
  const limits = { idleMinutes: config.staff.sessionIdleMinutes, maxHours: config.staff.sessionMaxHours };
  const throttle = createLoginThrottle({ freeFailures: config.staff.loginFreeFailures, addressFailures: config.staff.loginAddressFailures });
  const secure = config.staff.secureCookie;

  app.post<{ Body: { email: string; password: string } }>('/admin/api/login', {
    schema: {
      hide: true,
      body: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: { email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
      },
      response: { 200: sessionSchema, 401: messageSchema, 429: messageSchema },
    },
    async handler(request, reply) {
      const account = request.body.email.trim().toLowerCase();
      const wait = throttle.check(account, clientIp(request));
      if (!wait.allowed) {
        const who = wait.scope === 'account' ? 'this account from your address' : 'your address';
        return reply
          .header('retry-after', wait.retryAfterSeconds)
          .code(429)
          .send({ message: `Too many failed logins for ${who}: try again in ${wait.retryAfterSeconds} seconds.` });
      }
      const result = await staffLogin(deps.db, request.body.email, request.body.password, {
        now: deps.now(),
        limits,
        refusedPasswords: config.demo ? [] : DEMO_STAFF_PASSWORDS,
      });
      if (!result) {
        throttle.fail(account, clientIp(request));
        request.log.info({ reason: 'wrong credentials' }, 'back-office login refused');
        return reply.code(401).send({ message: 'Wrong e-mail or password, or the account is disabled.' });
      }
      throttle.succeed(account, clientIp(request));
      request.log.info({ staffId: result.user.id, role: result.user.role }, 'back-office login');
      return reply
        .header('set-cookie', sessionCookie(result.sessionId, { secure, maxAgeSeconds: limits.maxHours * 3600 }))
        .header('cache-control', 'no-store')
        .send({ email: result.user.email, role: result.user.role, csrfToken: result.csrfToken });
    },
  });

  // The SPA asks at start-up who is logged in; the CSRF token comes with the answer.
  app.get('/admin/api/session', {
    schema: { hide: true, response: { 200: sessionSchema, 401: messageSchema } },
    async handler(request, reply) {
      const auth = await authenticateCookie(request, deps, false);
      reply.header('cache-control', 'no-store');
      if (auth.kind !== 'ok') return reply.code(401).send({ message: 'Not logged in.' });
      return { email: auth.staff.email, role: auth.staff.role, csrfToken: csrfTokenFor(auth.sessionId) };
    },
  });

  app.post('/admin/api/logout', {
    schema: { hide: true, response: { 204: { type: 'null' }, 403: messageSchema } },
    async handler(request, reply) {
      const auth = await authenticateCookie(request, deps);
      if (auth.kind === 'csrf') return reply.code(403).send({ message: 'The X-CSRF-Token header is missing or wrong.' });
      if (auth.kind === 'ok') await staffLogout(deps.db, auth.sessionId);
      return reply.header('set-cookie', clearedSessionCookie(secure)).code(204).send();
    },
  });
}
