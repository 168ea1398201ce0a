// Apollo Server 5 mounted on Fastify, plus an offline GraphQL IDE (Altair, served from npm, no CDN).
import { Readable } from 'node:stream';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import fastifyStatic from '@fastify/static';
import { getDistDirectory } from 'altair-static';
import { GraphQLError } from 'graphql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { kursusSchema } from './schema.js';
import { callerOf, createContext, type GraphQLContext, type Services } from './context.js';
import { cachedQueryCost, documentShapeRule } from './limits.js';
import { formatError } from './errors.js';
import { renderIde } from './ide.js';
import { jitGateway } from './jit.js';
import type { GraphQLRouteHooks } from '../http/catalog-cache.js';
import { clientIp, type ClientLimitHook } from '../security/index.js';

const IDE_BASE = '/graphql/ide/';

/**
 * Apollo features Kursus does not use, switched off. Cache control above all: installed by
 * default, it wraps every field's resolver (willResolveField) to compute cache hints nobody reads
 * (HTTP caching is the catalogue cache's, src/http/catalog-cache.ts); it was ~10% of an uncached
 * listing's CPU. No Apollo key, no federation: usage/schema reporting and inline traces off too.
 */
const APOLLO_FEATURES_NOT_USED = [
  ApolloServerPluginLandingPageDisabled(),
  ApolloServerPluginCacheControlDisabled(),
  ApolloServerPluginInlineTraceDisabled(),
  ApolloServerPluginUsageReportingDisabled(),
  ApolloServerPluginSchemaReportingDisabled(),
];

export async function registerGraphQL(
  app: FastifyInstance,
  services: Services,
  /** ideCourseId: the course date the IDE's walk-through books (the demo's; a placeholder otherwise). */
  /** routeHooks: the /graphql route's own hooks (the catalogue cache, the anonymous query limit), run after the app's. */
  extra: { plugins?: ApolloServerPlugin<GraphQLContext>[]; ideCourseId?: string; routeHooks?: Partial<Omit<GraphQLRouteHooks, 'preHandler'>> & { preHandler?: (GraphQLRouteHooks['preHandler'][number] | ClientLimitHook)[] } } = {},
): Promise<ApolloServer<GraphQLContext>> {
  const schema = await kursusSchema();
  const { maxComplexity, maxDepth, maxFields, maxTokens } = services.config.graphql;
  const queryCost = cachedQueryCost(schema);

  const costLimit: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = queryCost(document, request.variables, request.operationName ?? undefined);
          } catch (err) {
            // The cost walk coerces variables first, so a wrong variable type surfaces here
            // before execution would report it: answer it as the input error it is.
            if (err instanceof GraphQLError && !err.extensions?.code)
              throw new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
            throw err;
          }
          if (cost > maxComplexity)
            throw new GraphQLError(`query is too expensive (cost ${cost}, maximum ${maxComplexity}); ask for fewer items or fields`, {
              extensions: { code: 'BAD_USER_INPUT', cost, maxCost: maxComplexity, http: { status: 400 } },
            });
        },
      };
    },
  };

  const apollo = new ApolloServer<GraphQLContext>({
    // Our schema, executed by graphql-jit (operations compiled once): see src/graphql/jit.ts.
    gateway: jitGateway(schema),
    validationRules: [documentShapeRule(maxDepth, maxFields)],
    // A cap on lexical tokens stops an oversized document in the parser, before validation.
    parseOptions: { maxTokens },
    plugins: [fastifyApolloDrainPlugin(app), ...APOLLO_FEATURES_NOT_USED, costLimit, ...(extra.plugins ?? [])],
    formatError: (formatted, error) => formatError(formatted, error, (err) => app.log.error({ err }, 'graphql error')),
    includeStacktraceInErrorResponses: false,
    // Production switches (GRAPHQL_INTROSPECTION, default off in production): no schema tour for
    // strangers, and no "Did you mean ...?" hints that name fields one by one.
    introspection: services.config.exposure.graphqlIntrospection,
    hideSchemaDetailsFromClientErrors: !services.config.exposure.graphqlSuggestions,
    // Apollo's CSRF prevention: simple GETs/forms without a JSON content type or a
    // preflight header are refused, so a hostile page cannot fire mutations from a browser.
    csrfPrevention: true,
    // Apollo would otherwise (whenever NODE_ENV is not test) stop itself on SIGINT/SIGTERM and
    // re-send the signal, which src/main.ts takes for a second Ctrl-C and exits with code 1 before
    // in-flight requests and jobs finish. Shutdown is main.ts's: app.close() stops Apollo in order.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const context = async (request: FastifyRequest): Promise<GraphQLContext> => createContext(services, await callerOf(request, services), clientIp(request), request.log);
  const handler = apolloHandler(apollo, context);

  // GRAPHQL_IDE (default off in production): without it GET /graphql serves only queries.
  const ide = services.config.exposure.graphqlIde;
  if (ide) await app.register(fastifyStatic, { root: getDistDirectory(), prefix: IDE_BASE, decorateReply: false });
  const idePage = ide ? renderIde(services.config, IDE_BASE, extra.ideCourseId) : null;

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    ...extra.routeHooks,
    handler(request, reply) {
      const wantsPage = idePage !== null && request.method === 'GET' && (request.headers.accept ?? '').includes('text/html') && !(request.query as Record<string, unknown>)?.query;
      if (wantsPage) return reply.type('text/html; charset=utf-8').send(idePage);
      return handler(request, reply);
    },
  });
  return apollo;
}

/**
 * @as-integrations/fastify's handler, with one difference: a POST's query string is not parsed.
 * The integration builds a WHATWG URL per request (and with a trusted proxy, reads the forwarded
 * protocol and host through proxy-addr) only to hand Apollo the `search` part, which Apollo reads
 * for GET requests alone (the operation of a POST is its body). That was ~11 µs of ~275 µs of a
 * minimal GraphQL answer over HTTP. GET keeps the integration's exact conversion.
 */
export function toHTTPGraphQLRequest(request: FastifyRequest): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(request.headers)) {
    if (value) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = request.method.toUpperCase();
  return {
    body: request.body,
    method,
    headers,
    search: method === 'POST' ? '' : new URL(request.url, `${request.protocol}://${request.hostname}/`).search,
  };
}

function apolloHandler(apollo: ApolloServer<GraphQLContext>, context: (request: FastifyRequest) => Promise<GraphQLContext>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { headers, body, status } = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: toHTTPGraphQLRequest(request), context: () => context(request) });
    for (const [key, value] of headers) void reply.header(key, value);
    void reply.code(status ?? 200);
    if (body.kind === 'complete') return body.string;
    return reply.send(Readable.from(body.asyncIterator));
  };
}
