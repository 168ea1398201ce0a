// Query depth and cost limits, checked before execution so an abusive query costs no SQL.
import { GraphQLError, Kind, type ASTNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type GraphQLSchema, type DocumentNode } from 'graphql';
import { createRequire } from 'node:module';

// graphql-query-complexity's ESM build imports `graphql/index.mjs`, while type-graphql builds the
// schema from graphql's CommonJS build: two realms, and graphql refuses to mix them. Its CJS build
// shares our single graphql instance.
const { getComplexity, fieldExtensionsEstimator, simpleEstimator } =
  createRequire(import.meta.url)('graphql-query-complexity') as typeof import('graphql-query-complexity');

export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let max = depth;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue; // introspection is exempt
          max = Math.max(max, depthOf(sel.selectionSet, depth + 1, seen));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          max = Math.max(max, depthOf(sel.selectionSet, depth, seen));
        } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
          const name = sel.name.value;
          if (seen.has(name)) continue;
          const frag = fragments.get(name);
          max = Math.max(max, depthOf(frag?.selectionSet, depth, new Set([...seen, name])));
        }
        if (max > maxDepth) return max;
      }
      return max;
    };
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const depth = depthOf(node.selectionSet, 0, new Set());
        if (depth > maxDepth)
          context.reportError(new GraphQLError(`query is nested ${depth} levels deep; the maximum is ${maxDepth}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
      },
    };
  };
}

export function queryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}
