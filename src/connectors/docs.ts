// The OpenAPI 3.1 document of the REST surface, generated from the route schemas, at /docs/json
// (and /docs/yaml), and Swagger UI at /docs. The UI's scripts, styles and images are served from
// the @fastify/swagger-ui package itself, and the online spec validator badge is off, so the page
// works with no internet access. Register before any route: @fastify/swagger collects routes as
// they are added.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { cspHeader } from '../security/index.js';

/** Only the REST connectors and admin REST API are documented here (GraphQL has its own schema). */
export const documented = (url: string) => url.startsWith('/public/') || url.startsWith('/api/');

/** `ui: false` (API_DOCS=false, production's default): the document is still built, but not served. */
export async function registerApiDocs(app: FastifyInstance, opts: { ui: boolean } = { ui: true }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kursus REST connectors',
        version: '1.0.0',
        description: [
          'Machine clients log in with `POST /public/auth/login` and send `Authorization: Bearer <token>`.',
          'Admin endpoints (`/api/admin/...`) take a token from `ADMIN_TOKENS` as the bearer token.',
          'Every request and response here is recorded in the request/response log (redacted).',
        ].join('\n\n'),
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'a connector token from POST /public/auth/login, or for /api/admin/... a token from ADMIN_TOKENS' },
        },
      },
    },
    transform: ({ schema, url }) => {
      if (documented(url)) return { schema: schema as never, url };
      return { schema: { ...(schema ?? {}), hide: true } as never, url };
    },
  });
  if (!opts.ui) return;
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // No call to validator.swagger.io: the page must not reach the internet.
    uiConfig: { validatorUrl: null, docExpansion: 'list', deepLinking: true },
  });
}

/**
 * The UI's pages get a Content-Security-Policy that lets them run (own scripts and styles only,
 * the spec fetched from this origin) instead of the API's "default-src 'none'". Root onSend hooks
 * run in the order they were added, so call this after the security headers are registered
 * (registerConnectors does).
 */
export function docsContentSecurityPolicy(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url === '/docs' || request.url.startsWith('/docs/') || request.url.startsWith('/docs?')) reply.header('content-security-policy', DOCS_CSP);
    done(null, payload);
  });
}

export const DOCS_CSP = cspHeader({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'object-src': ["'none'"],
});
