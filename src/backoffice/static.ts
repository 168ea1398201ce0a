// Serves the back office: the SPA built into dist/admin at /admin (strict CSP: nothing but this
// origin), and Agendash at /admin/jobs for admins only (a staff session cookie with the role admin).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Agenda } from 'agenda';
import type { Config } from '../config.js';
import type { Db } from '../db/orm.js';
import { authenticateCookie } from '../staff/session.js';

/** The SPA: scripts, styles, images and requests from this origin only; no inline code, no framing. */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Agendash's own policy (its bundle injects styles), plus no framing and requests to this origin only. */
export const AGENDASH_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** dist/admin, whether this file runs from src/ (tests) or from dist/src/ (npm start). */
function builtAdminDir(): string | null {
  for (const rel of ['../../dist/admin', '../../admin']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return null;
}

/**
 * Agendash's Fastify plugin. Its package index loads every framework's middleware, and those import
 * express, koa and hapi at the top (optional peers we do not install); the Fastify one alone needs
 * only fastify and @fastify/static. The package exports only its index, hence the file URL.
 */
async function agendashForFastify(): Promise<(agenda: unknown) => (instance: FastifyInstance) => Promise<void>> {
  const index = createRequire(import.meta.url).resolve('agendash');
  const mod = (await import(pathToFileURL(`${index.replace(/index\.js$/, '')}middlewares/fastify.js`).href)) as { createFastifyPlugin: (agenda: unknown) => (instance: FastifyInstance) => Promise<void> };
  return mod.createFastifyPlugin;
}

export interface BackOfficeDeps {
  db: Db;
  config: Config;
  now: () => Date;
  agenda: Agenda;
}

export async function registerBackOffice(app: FastifyInstance, deps: BackOfficeDeps): Promise<void> {
  // After src/security's hook (which gives every answer the API's "nothing may load" policy).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/admin')) {
      const path = request.url.split('?')[0]!;
      if (path === '/admin/jobs' || path.startsWith('/admin/jobs/')) reply.header('content-security-policy', AGENDASH_CSP);
      else if (path === '/admin' || path.startsWith('/admin/')) reply.header('content-security-policy', ADMIN_CSP);
    }
    done(null, payload);
  });

  const dir = builtAdminDir();
  const index = dir ? readFileSync(`${dir}/index.html`, 'utf8') : null;
  const sendIndex = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!index) return reply.code(503).type('text/plain; charset=utf-8').send('The back office is not built: run npm run build.');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  app.get('/admin', { schema: { hide: true } }, (_req, reply) => reply.redirect('/admin/'));
  app.get('/admin/', { schema: { hide: true } }, sendIndex);
  if (dir)
    await app.register(fastifyStatic, {
      root: `${dir}/assets`,
      prefix: '/admin/assets/',
      decorateReply: false,
      // Names carry a content hash: cache for a year.
      immutable: true,
      maxAge: '365d',
    });

  // Agendash: admins only. Its POSTs are cookie-authenticated writes without our CSRF header, so
  // they must come from this origin (Origin checked) with a JSON body (a cross-site form cannot
  // send one), on top of the SameSite=Lax cookie that a cross-site POST does not carry.
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        const auth = await authenticateCookie(request, deps, false);
        const isPage = request.method === 'GET' && !request.url.includes('/api');
        if (auth.kind !== 'ok') {
          if (isPage) return reply.redirect('/admin/#/login');
          return reply.code(401).send({ message: 'Log in to the back office first.' });
        }
        if (auth.staff.role !== 'admin') {
          return reply.code(403).type('text/plain; charset=utf-8').send('403 Forbidden: the jobs dashboard is for admins only.');
        }
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          const origin = request.headers.origin;
          const host = request.headers.host;
          let sameOrigin = false;
          try {
            sameOrigin = !!origin && !!host && new URL(origin).host === host;
          } catch {
            /* "null" or garbage: refused below */
          }
          if (!sameOrigin) return reply.code(403).send({ message: 'Cross-origin request refused.' });
        }
      });
      await scope.register((await agendashForFastify())(deps.agenda as never));
    },
    { prefix: '/admin/jobs' },
  );
}
