// Operations compiled once with graphql-jit, behind Apollo Server.
//
// Apollo Server 5 has no `executor` option; its `gateway` option's `load()` may return one (the
// route taken in graphql-jit issue #219 and apollo-server PR #7981). Apollo still parses,
// validates (our depth/size rules), runs the plugins (cost limit, rate limits, metrics) and
// formats errors; only execution changes: graphql-js interprets the document's AST on every
// request, graphql-jit turns each operation into a function once and reuses it.
//
// A document is compiled on its second use: storefronts send the same few operations over and
// over, while a client sending a new document every time (a hostile one, or an IDE) would
// otherwise pay a compilation (several ms) per request. Until then, and for anything graphql-jit
// refuses to compile, graphql-js executes it as before.
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

export interface JitOptions {
  /** Compiled operations kept (the oldest is dropped beyond). */
  maxCompiled?: number;
  /** Uses of a document before it is compiled. */
  compileAfterUses?: number;
}

export function jitExecutor(schema: GraphQLSchema, opts: JitOptions = {}): GatewayExecutor {
  const maxCompiled = opts.maxCompiled ?? 500;
  const compileAfter = opts.compileAfterUses ?? 2;
  const compiled = new Map<string, CompiledQuery | false>();
  const uses = new Map<string, number>();

  function compiledFor(key: string, document: DocumentNode, operationName: string | undefined): CompiledQuery | undefined {
    const known = compiled.get(key);
    if (known !== undefined) return known || undefined;
    const n = (uses.get(key) ?? 0) + 1;
    if (n < compileAfter) {
      if (uses.size >= maxCompiled * 4) uses.clear();
      uses.set(key, n);
      return undefined;
    }
    uses.delete(key);
    const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
    if (compiled.size >= maxCompiled) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, isCompiledQuery(result) ? result : false);
    return isCompiledQuery(result) ? result : undefined;
  }

  return async (requestContext) => {
    const operationName = requestContext.operationName ?? undefined;
    const variables = requestContext.request.variables ?? {};
    const query = compiledFor(`${requestContext.queryHash}\u0000${operationName ?? ''}`, requestContext.document, operationName);
    const interpreted = () =>
      execute({ schema, document: requestContext.document, contextValue: requestContext.context, variableValues: variables, operationName }) as Promise<ExecutionResult>;
    if (!query) return interpreted();
    const result = await query.query(undefined, requestContext.context, variables);
    if (!result.errors) return result;
    // Errors before execution (the variables do not fit their types) carry no path and no data.
    // graphql-js words them as Apollo expects (it answers them as BAD_USER_INPUT with status 400),
    // and nothing ran yet, so it is asked to refuse the same variables.
    if (result.data == null && result.errors.every((e) => !e.path)) return interpreted();
    return { ...result, errors: result.errors.map(asGraphQLError) };
  };
}

/**
 * graphql-jit's errors are GraphQLErrors by prototype only: without extensions (Apollo reads
 * `error.extensions.code`). Rebuilt as graphql-js errors with the same message, path, locations
 * and original error, so formatError maps them exactly as before.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? undefined });
  if (error.locations) (copy as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return copy;
}

/** The `gateway` Apollo Server is given: it serves our own schema and returns the jit executor. */
export function jitGateway(schema: GraphQLSchema, opts: JitOptions = {}): GatewayInterface {
  let onSchema: ((context: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) | undefined;
  return {
    onSchemaLoadOrUpdate(callback) {
      onSchema = callback;
      return () => (onSchema = undefined);
    },
    async load() {
      // No supergraph: the SDL is read only by Apollo's schema reporting, which is off.
      onSchema?.({ apiSchema: schema, coreSupergraphSdl: '' });
      return { executor: jitExecutor(schema, opts) };
    },
    async stop() {},
  };
}
