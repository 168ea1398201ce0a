// Query depth and cost limits, checked before execution so an abusive query costs no SQL.
import {
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type GraphQLSchema,
  type DocumentNode,
  type ValueNode,
} from 'graphql';
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

/**
 * The variables a document's cost can depend on: those used in an argument of a field whose cost
 * is a function of its arguments (`complexity: ({ args }) => ...`, e.g. `courses(first:)`), or in
 * a directive (`@include(if: $x)` decides whether a field counts). Other variables (the input of
 * `reserveSeats`, say) cannot change the cost.
 */
function costVariables(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode) =>
    visit(value, {
      Variable(node) {
        names.add(node.name.value);
      },
    });
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (typeof typeInfo.getFieldDef()?.extensions?.complexity === 'function') for (const arg of node.arguments ?? []) collect(arg.value);
      },
      Directive(node) {
        for (const arg of node.arguments ?? []) collect(arg.value);
      },
    }),
  );
  return [...names].sort();
}

/**
 * `queryCost`, remembered per parsed document (Apollo hands the same DocumentNode for the same
 * query text) and operation, and per value of the variables the cost depends on. The storefront
 * sends a few documents over and over; walking each one for its cost was ~6% of a reservation's
 * CPU. A wrong variable type is still refused: on a cache hit, execution's own coercion answers
 * it as BAD_USER_INPUT (Apollo Server 5, status 400).
 */
export function cachedQueryCost(schema: GraphQLSchema, maxEntriesPerDocument = 100) {
  const byDocument = new WeakMap<DocumentNode, { variables: string[]; costs: Map<string, number> }>();
  return (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number => {
    let entry = byDocument.get(document);
    if (!entry) {
      entry = { variables: costVariables(schema, document), costs: new Map() };
      byDocument.set(document, entry);
    }
    let key: string;
    try {
      // [value] when given, [] when absent: an explicit null and an absent variable with a
      // default value can cost differently.
      key = JSON.stringify([operationName ?? null, ...entry.variables.map((v) => (variables && Object.hasOwn(variables, v) ? [variables[v]] : []))]);
    } catch {
      return queryCost(schema, document, variables, operationName); // not JSON (cannot come over HTTP)
    }
    const known = entry.costs.get(key);
    if (known !== undefined) return known;
    const cost = queryCost(schema, document, variables, operationName);
    // Bounded: a client varying `first` on one document gets at most this many entries.
    if (entry.costs.size >= maxEntriesPerDocument) entry.costs.clear();
    entry.costs.set(key, cost);
    return cost;
  };
}
