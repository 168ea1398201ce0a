// Query depth and cost limits, checked before execution so an abusive query costs no SQL.
import {
  GraphQLError,
  Kind,
  getNullableType,
  isListType,
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

/** Counts stop growing here: a fan-out of fragments must not build numbers it cannot compare. */
const SATURATE = 1_000_000_000;

export interface SelectionShape {
  /** Nesting depth of fields below this selection set (introspection fields exempt). */
  depth: number;
  /** Fields it expands to, every alias and every spread of a fragment counted (saturating). */
  fields: number;
}

/**
 * Depth and expanded size of every operation, in time linear in the document's size: each
 * fragment is measured once and its shape reused wherever it is spread. (Walking a fragment again
 * for every spread let `...F1 ...F1` chained 60 levels deep pin the process for good.) A fragment
 * cycle counts as empty here; graphql's own NoFragmentCyclesRule refuses it.
 */
export function shapeOfDocument(document: DocumentNode): Map<string | undefined, SelectionShape> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const memo = new Map<string, SelectionShape>();
  const inProgress = new Set<string>();
  const EMPTY: SelectionShape = { depth: 0, fields: 0 };
  const fragmentShape = (name: string): SelectionShape => {
    const known = memo.get(name);
    if (known) return known;
    const frag = fragments.get(name);
    if (!frag || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const shape = shapeOf(frag.selectionSet);
    inProgress.delete(name);
    memo.set(name, shape);
    return shape;
  };
  // Iterative over the selection sets of one definition would be no faster; recursion depth is
  // bounded by the document's own nesting, which the parser's token limit bounds.
  const shapeOf = (set: SelectionSetNode | undefined): SelectionShape => {
    if (!set) return EMPTY;
    let depth = 0;
    let fields = 0;
    for (const sel of set.selections) {
      let inner: SelectionShape;
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) {
          fields += 1; // introspection is exempt from depth, not from size
          continue;
        }
        inner = shapeOf(sel.selectionSet);
        depth = Math.max(depth, inner.depth + 1);
        fields += 1 + inner.fields;
      } else {
        inner = sel.kind === Kind.INLINE_FRAGMENT ? shapeOf(sel.selectionSet) : fragmentShape(sel.name.value);
        depth = Math.max(depth, inner.depth);
        fields += inner.fields;
      }
      if (fields > SATURATE) fields = SATURATE;
    }
    return { depth, fields };
  };
  const shapes = new Map<string | undefined, SelectionShape>();
  for (const def of document.definitions) if (def.kind === Kind.OPERATION_DEFINITION) shapes.set(def.name?.value, shapeOf(def.selectionSet));
  return shapes;
}

/**
 * Refuses operations nested deeper than `maxDepth` or expanding to more than `maxFields` fields
 * (aliases and fragment spreads included), before any cost walk or execution, so neither can be
 * made to run long by a small document.
 */
export function documentShapeRule(maxDepth: number, maxFields: number) {
  return (context: ValidationContext) => {
    const shapes = shapeOfDocument(context.getDocument());
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const shape = shapes.get(node.name?.value);
        if (!shape) return;
        if (shape.depth > maxDepth)
          context.reportError(new GraphQLError(`query is nested ${shape.depth} levels deep; the maximum is ${maxDepth}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
        else if (shape.fields > maxFields)
          context.reportError(
            new GraphQLError(
              `query selects ${shape.fields >= SATURATE ? 'over ' + SATURATE : shape.fields} fields once aliases and fragments are expanded; the maximum is ${maxFields}`,
              { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } },
            ),
          );
      },
    };
  };
}

/**
 * What a query costs is mostly its SQL statements: every field that reads a list runs at least one
 * query, so it costs LIST_BASE_COST on top of its children, however few items it asks for. (Before,
 * `courses(first: 1) { totalCount }` cost 2, so 2,400 aliases of it came in under the limit of 5,000
 * and ran ~4,800 SQL statements.)
 */
export const LIST_BASE_COST = 10;
/** A COUNT(*) over the filtered course dates (`totalCount`); `courses` runs it on every call. */
export const COUNT_COST = 10;
/** A lookup of one row by key (`course`, `order`). */
export const LOOKUP_COST = 10;

/**
 * The cost of a page of a connection such as `courses(first:)`: its page and count queries, plus
 * each of up to `first` items' own cost. `first` is clamped to 1..maxPage: the resolver refuses
 * other values, and a negative `first` must not subtract from the cost of the rest of the document.
 */
export function connectionCost(first: unknown, childComplexity: number, defaultPage = 20, maxPage = 100): number {
  const n = typeof first === 'number' && Number.isFinite(first) ? Math.min(Math.max(Math.trunc(first), 1), maxPage) : defaultPage;
  return LIST_BASE_COST + COUNT_COST + n * childComplexity;
}

/** Any list field without a cost of its own (a field added later included) costs LIST_BASE_COST. */
function listFieldEstimator() {
  return ({ field, childComplexity }: { field: { type: import('graphql').GraphQLOutputType }; childComplexity: number }): number | void => {
    if (isListType(getNullableType(field.type))) return LIST_BASE_COST + childComplexity;
  };
}

export function queryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName,
    estimators: [fieldExtensionsEstimator(), listFieldEstimator(), simpleEstimator({ defaultComplexity: 1 })],
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
